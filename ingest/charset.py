"""Bytes of an HTML page -> text, as a browser decodes them (WHATWG Encoding Standard).

    decode_html(b"<meta charset=utf-8><p>frappe nucl\\xc3\\xa9aire \\xff</p>", None)
        == '<meta charset=utf-8><p>frappe nucléaire \\ufffd</p>'

The order is the standard's: a byte order mark; else the charset of the HTTP Content-Type;
else a `<meta charset>` / `<meta http-equiv=Content-Type content="...; charset=...">` found by
the prescan (first `PRESCAN_BYTES`, comments skipped; a UTF-16 label there means UTF-8, as the
bytes were readable as ASCII); else detection (strict UTF-8, then charset-normalizer, then
windows-1252). Labels are read through the standard's table (`LABELS`): "iso-8859-1",
"latin1" and "ascii" mean windows-1252, "gb2312" means GBK (decoded as gb18030), "utf-16"
means UTF-16LE; a label the standard does not know is ignored (Python would also accept
"unicode_escape" or "utf-7"). A declared encoding is decoded with replacement: an invalid
byte becomes U+FFFD and nothing else changes — one stray byte no longer sends a UTF-8 page to
detection and garbles every accent.

One departure, for UTF-8 only: when the page has fewer valid multi-byte UTF-8 sequences than
invalid bytes (no accent decodes as UTF-8: the label is plainly wrong, the page is in a
legacy charset), detection decides, since decoding as UTF-8 would replace every accented
letter. ASCII reads the same either way.
"""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer

__all__ = ["LABELS", "declared_charset", "decode_html", "encoding_for_label"]

log = logging.getLogger(__name__)

PRESCAN_BYTES = 4096  # the standard asks for 1024 at least; pages put their <meta> late
DETECTION_BYTES = 200_000
REPLACEMENT = "replacement"  # the standard's encoding for labels that must not be decoded
USER_DEFINED = "x-user-defined"

# The WHATWG Encoding Standard's labels (https://encoding.spec.whatwg.org/#names-and-labels),
# keyed by the Python codec that decodes the encoding (cp1252 for windows-1252 leaves
# 0x81 0x8D 0x8F 0x90 0x9D undefined: they become U+FFFD where a browser shows a C1 control).
_TABLE: dict[str, str] = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp866": "866 cp866 csibm866 ibm866",
    "iso8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2",
    "iso8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3",
    "iso8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4",
    "iso8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 "
    "iso_8859-5:1988",
    "iso8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
    "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987",
    "iso8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
    "iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
    "iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    "iso8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "mac-roman": "csmacintosh mac macintosh x-mac-roman",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "cp1250": "cp1250 windows-1250 x-cp1250",
    "cp1251": "cp1251 windows-1251 x-cp1251",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
    "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    "cp1253": "cp1253 windows-1253 x-cp1253",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 "
    "latin5 windows-1254 x-cp1254",
    "cp1255": "cp1255 windows-1255 x-cp1255",
    "cp1256": "cp1256 windows-1256 x-cp1256",
    "cp1257": "cp1257 windows-1257 x-cp1257",
    "cp1258": "cp1258 windows-1258 x-cp1258",
    "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gb18030": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso2022_jp": "csiso2022jp iso-2022-jp",
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 "
    "ksc_5601 windows-949",
    REPLACEMENT: "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement",
    "utf-16-be": "unicodefffe utf-16be",
    "utf-16-le": "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
    USER_DEFINED: "x-user-defined",
}
LABELS: dict[str, str] = {label: codec for codec, labels in _TABLE.items() for label in labels.split()}
# What detection may answer: the standard's encodings, as Python names them.
_DETECTABLE = frozenset(codecs.lookup(c).name for c in _TABLE if c not in (REPLACEMENT, USER_DEFINED))

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le"))
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.IGNORECASE)
# The prescan's view of the first bytes: comments (skipped) and <meta ...> tags, attribute
# values quoted or not (a quoted value may hold ">").
_PRESCAN = re.compile(
    rb"""<!--.*?-->|<meta(?=[\s/])((?:"[^"]*"|'[^']*'|[^"'>])*)>""", re.IGNORECASE | re.DOTALL
)
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
# x-user-defined: 0x80-0xFF -> U+F780-U+F7FF (ASCII unchanged), applied to a latin-1 reading.
_USER_DEFINED = {b: 0xF780 + b - 0x80 for b in range(0x80, 0x100)}


def encoding_for_label(label: str | bytes | None) -> str | None:
    """The Python codec of a WHATWG label ("ISO-8859-1" -> "cp1252"), None if the standard
    does not know it."""
    if label is None:
        return None
    text = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    return LABELS.get(text.strip(" \t\n\f\r\"'").lower())


def _first_group(match: re.Match[str] | re.Match[bytes] | None) -> str | bytes | None:
    return next((g for g in match.groups() if g is not None), None) if match else None


def _prescan(head: bytes) -> str | None:
    """The encoding a `<meta>` in `head` declares (the HTML prescan, simplified: comments and
    <meta> tags are read, other markup is not)."""
    for match in _PRESCAN.finditer(head):
        attributes = match.group(1)
        if attributes is None:  # a comment
            continue
        charset: str | None = None
        pragma = False
        content: str | None = None
        for attribute in _ATTRIBUTE.finditer(attributes):
            name = attribute.group(1).lower()
            value = next((g for g in attribute.groups()[1:] if g is not None), b"")
            if name == b"charset" and charset is None:
                charset = encoding_for_label(value) or ""
            elif name == b"http-equiv" and value.strip().lower() == b"content-type":
                pragma = True
            elif name == b"content" and content is None:
                content = encoding_for_label(_first_group(_META_CHARSET.search(value))) or ""
        found = charset or (content if pragma else None)
        if found:
            if found.startswith("utf-16"):
                return "utf-8"  # the bytes of the <meta> were read as ASCII: not UTF-16
            return "cp1252" if found == USER_DEFINED else found
    return None


def declared_charset(content: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(encoding the HTTP Content-Type declares, encoding a <meta> in the first bytes declares),
    as Python codec names; None where nothing known is declared."""
    header = encoding_for_label(_first_group(_HEADER_CHARSET.search(content_type or "")))
    return header, _prescan(content[:PRESCAN_BYTES])


def _decode(content: bytes, codec: str) -> str:
    if codec == REPLACEMENT:
        return "\ufffd" if content else ""
    if codec == USER_DEFINED:
        return content.decode("latin-1").translate(_USER_DEFINED)
    return content.decode(codec, errors="replace")


def _utf8_fits(content: bytes) -> tuple[str, bool]:
    """The page decoded as UTF-8 with replacement, and whether UTF-8 is credible: at least as
    many valid multi-byte sequences as invalid bytes."""
    text = content.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - content.count(b"\xef\xbf\xbd")  # U+FFFD written in the page
    if bad == 0:
        return text, True
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return text, non_ascii - bad >= bad


def _detect(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content[:DETECTION_BYTES]).best()
    detected = codecs.lookup(best.encoding).name if best and best.encoding else None
    codec = detected if detected in _DETECTABLE and detected != "utf-8" else "cp1252"
    return content.decode(codec, errors="replace")


def decode_html(content: bytes, content_type: str | None) -> str:
    """Bytes of an HTML page -> text, choosing the charset the way browsers do (module doc)."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return _decode(content[len(bom) :], codec)
    header, meta = declared_charset(content, content_type)
    declared = header or meta
    if declared is None:
        return _detect(content)
    if declared != "utf-8":
        return _decode(content, declared)
    text, credible = _utf8_fits(content)
    if credible:
        return text
    log.info("page declared UTF-8 but no accent decodes as UTF-8; detecting")
    return _detect(content)
