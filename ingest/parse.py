"""Feed parsing (RSS 0.9x/1.0/2.0, Atom) with feedparser, behind an encoding decision, an
entity gate and a structure gate of Vigie's own.

feedparser only ever sees an in-memory stream (`io.BytesIO`): given raw bytes or a string it
first tries them as a URL or a file path, so a feed whose body is `/etc/passwd` would be read
from Vigie's disk (and `/dev/zero` until memory runs out).

Encoding (`decode_feed`): a byte-order mark, else the UTF-16/UTF-32 signature of `<`, else the
XML declaration, else the HTTP charset; a document that is valid UTF-8 (a cut multi-byte
character at the very end included) is UTF-8 whatever its label says; UTF-8 or no label: UTF-8
when the valid multi-byte characters outnumber the invalid bytes (each invalid byte becomes
U+FFFD, as browsers do), else windows-1252 (WHATWG: also what "ISO-8859-1" and "US-ASCII"
labels mean). feedparser then gets the text as UTF-8 with the declaration saying so: a truncated
UTF-8 feed is never read as windows-1252 (mojibake such as `DÃ©but` in every title).

HTML named entities (`&eacute;`, `&nbsp;`: undefined in XML, common in French feeds) are
rewritten as numeric references before parsing, so such a feed is well formed and healthy;
numeric references to characters XML does not allow (`&#0;`, `&#xD800;`, on which feedparser
raises) become U+FFFD.

Gates, one expat pass over the document in its real encoding (after decoding, so a UTF-16 or
UTF-32 billion laughs is seen as one):
- any DTD that declares an ENTITY (billion laughs, external entities / XXE) refuses the
  document: `xml:entity_declaration`. A plain `<!DOCTYPE rss PUBLIC ...>` is accepted.
- absurd structure (limits below, far above real feeds) stops the document where the limit is
  crossed: feedparser reads the part before it, its complete items flow, the feed reports
  `xml:too_deep`, `xml:too_many_elements`, `xml:too_many_attributes`,
  `xml:attribute_too_large` or `xml:too_many_namespaces` (refused if nothing was before).
  Past a well-formedness error (where expat stops and feedparser's loose parser goes on) a
  linear regex pass counts the same things.
- feedparser runs under a hard time bound (`PARSE_TIME_LIMIT`): `xml:parse_timeout`; its HTML
  sanitizer (quadratic regular expressions on hostile style attributes and comments) is off.

Broken XML: feedparser falls back to its loose parser on a well-formedness error ("bozo") and
keeps what it read. For a truncated document the last entry it returns is the one cut in
half, so entries are kept only up to the number of closed `</item>` / `</entry>` tags; the
feed reports `xml:malformed`, its good items still flow, and `ParsedFeed.refused` holds
`(feed name, "feed:truncated")` (what came after the cut is lost; how much is unknowable).

Titles, summaries, authors and categories are plain text (`vigie.core.htmltext`): tags of
Atom `type="html"`/`"xhtml"` text dropped, entities decoded, whitespace collapsed, control and
bidi override characters removed.
"""

from __future__ import annotations

import calendar
import codecs
import ctypes
import hashlib
import html.entities
import io
import logging
import re
import threading
import time
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import feedparser
from pydantic import BaseModel, Field

from vigie.core.accounting import RunSummary
from vigie.core.htmltext import html_to_text

log = logging.getLogger(__name__)

STAGE = "feed_items"
FEED_STAGE = "feed_parse"

# Structure limits, each far above real feeds (they declare a dozen or two namespace
# prefixes, nest a few tens of elements deep even with XHTML content, put a handful of
# attributes on an element, and hold some tens of thousands of elements in 5 MB). Each bounds
# a super-linear path of feedparser: its strict parser looks every attribute up by a linear
# scan of the element's attributes (quadratic per element: one element with 100k attributes,
# 1.09 MB, took 95 to 178 s) and, for each element in a namespace it does not know, walks
# every prefix declared so far (elements x prefixes: 40k prefixes in 1.4 MB took 46 s); deep
# unclosed nesting is super-linear in its loose parser. At these limits the costliest document
# found (99 prefixes, 99k elements in them, broken at the end so that both parsers read it)
# takes feedparser about 6 s; a limit crossed stops the document there, so it costs no more.
MAX_DEPTH = 512
MAX_ELEMENTS = 100_000
MAX_ATTRIBUTES_PER_ELEMENT = 256
MAX_ATTRIBUTES = 100_000  # in the whole document
MAX_ATTRIBUTE_VALUE = 1 << 20  # characters (a data: URI image in XHTML content is well below)
MAX_NAMESPACE_PREFIXES = 100
# Wall-clock bound on feedparser itself, a backstop for paths the limits above do not know
# (Python code only: a single C call, such as one regular expression, cannot be interrupted;
# hence feedparser's HTML sanitizer is off, see `_feedparser`). A 5 MB feed of ordinary items
# takes it about 10 s.
PARSE_TIME_LIMIT = 30.0

_CLOSED_ENTRY = re.compile(rb"</\s*(?:[\w.-]+:)?(?:item|entry)\s*>", re.IGNORECASE)
_HEAD_END = re.compile(rb"<\w")  # where feedparser's own DOCTYPE handling stops looking
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ITEM_START = re.compile(rb"<\s*(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.IGNORECASE)
# Markup as feedparser's loose parser sees it, for the part expat could not read: CDATA and
# comments skipped whole, then start tags (name, attributes up to the next < or >).
_LOOSE_MARKUP = re.compile(
    rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)|<([A-Za-z_][^\s/<>]*)([^<>]*)", re.S
)
_XMLNS = re.compile(rb"xmlns(?::[^\s=/<>]+)?(?=\s*=)")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*>")
_DECLARED_ENCODING = re.compile(
    rb"\A\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._:-]{0,39})[\"']"
)
_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)
_REFERENCE = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9A-Fa-f]+)|([A-Za-z][A-Za-z0-9]{1,31}));")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_BOMS = (  # UTF-32 first: its little-endian mark starts like UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<" in UTF-32/UTF-16 without a mark (XML 1.0 appendix F), and "<?xm" in EBCDIC.
_SIGNATURES = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)
_WIDE = ("utf-16", "utf-32")  # labels a document without their signature cannot be in
_WINDOWS_1252 = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii"})  # WHATWG: all windows-1252
_TRUNCATION = frozenset(
    xml.parsers.expat.errors.codes[message]
    for message in (
        xml.parsers.expat.errors.XML_ERROR_NO_ELEMENTS,  # "no element found": the root never closed
        xml.parsers.expat.errors.XML_ERROR_UNCLOSED_TOKEN,
        xml.parsers.expat.errors.XML_ERROR_PARTIAL_CHAR,
        xml.parsers.expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
)
BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_Result = TypeVar("_Result")


class FeedItem(BaseModel):
    guid: str
    title: str  # plain text, one line
    link: str
    published: datetime | None = None  # UTC-aware
    updated: datetime | None = None  # UTC-aware: the feed's own "updated" date, when it gives one
    summary: str | None = None  # plain text, one line
    author: str | None = None
    categories: list[str] = Field(default_factory=list)


class ParsedFeed(BaseModel):
    feed_name: str
    url: str
    title: str | None = None
    items: list[FeedItem] = Field(default_factory=list)
    # "xml:entity_declaration", "xml:malformed", "xml:unparseable", "xml:too_deep",
    # "xml:too_many_elements", "xml:too_many_attributes", "xml:attribute_too_large",
    # "xml:too_many_namespaces", "xml:parse_timeout", "xml:parser_error", "feed:empty_body"
    error: str | None = None
    bozo: bool = False
    bozo_message: str | None = None
    encoding: str | None = None
    skipped: list[tuple[str, str]] = Field(default_factory=list)  # (item link or guid, reason)
    # Parts of a feed whose items were kept but which lost the rest: (feed name, reason), e.g.
    # "feed:truncated" (the site sent part of it) or a structure limit Vigie stopped at.
    refused: list[tuple[str, str]] = Field(default_factory=list)
    truncated: bool = False  # the document ends before its root element closes
    dropped_items: int = 0  # entries seen but not kept: cut in half, or after a structure limit


# -- encoding ----------------------------------------------------------------------------


def _codec(label: str | None) -> str | None:
    """Python's name for a charset label, or None when unknown or not a text encoding."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().lower())
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _utf8_counts(data: bytes) -> tuple[int, int]:
    """(invalid sequences, valid non-ASCII characters) of `data` read as UTF-8; a multi-byte
    character cut by the end of the data is not counted as invalid (a truncated document)."""
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(data, final=False)
    replaced = text.count("\ufffd")
    invalid = replaced - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return invalid, non_ascii - replaced


def _label(content: bytes, content_type: str | None) -> tuple[str, str | None]:
    """(label, Python codec) from the XML declaration, else the HTTP charset: the first usable
    one (a UTF-16/UTF-32 label on a document without their signature is not)."""
    declared = _DECLARED_ENCODING.match(content)
    charset = _CHARSET.search(content_type or "")
    for candidate in (
        declared.group(1).decode("ascii") if declared else None,
        charset.group(1) if charset else None,
    ):
        codec = _codec(candidate)
        if candidate and codec and not codec.startswith(_WIDE):
            return candidate, codec
    return "", None


def decode_feed(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding) of a feed document; never raises (undecodable bytes become U+FFFD)."""
    for mark, codec in _BOMS:
        if content.startswith(mark):
            return content[len(mark) :].decode(codec, errors="replace"), codec
    for signature, codec in _SIGNATURES:
        if content.startswith(signature):
            return content.decode(codec, errors="replace"), codec
    label, declared = _label(content, content_type)
    invalid, valid = _utf8_counts(content)
    if declared in (None, "utf-8"):
        if invalid == 0 or valid > invalid:  # mostly UTF-8: a stray or cut byte is replaced
            return content.decode("utf-8", errors="replace"), "utf-8"
        return content.decode("cp1252", errors="replace"), "windows-1252"
    if invalid == 0 and valid > 0:  # labelled as a legacy charset, but UTF-8 all the same
        return content.decode("utf-8", errors="replace"), "utf-8"
    if declared in _WINDOWS_1252:
        return content.decode("cp1252", errors="replace"), label.lower()
    try:
        return content.decode(str(declared), errors="replace"), label.lower()
    except Exception:  # a codec without error handling (idna, ...): not a feed charset
        return content.decode("cp1252", errors="replace"), "windows-1252"


def _xml_char(code: int) -> bool:
    """A character XML 1.0 allows (not NUL, C0 controls, surrogates, U+FFFE/U+FFFF, > U+10FFFF)."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _references(text: str) -> str:
    """HTML named entities (undefined in XML) as numeric character references, and numeric
    references to characters XML does not allow as U+FFFD (feedparser's loose parser raises on
    `&#xD800;`, `&#x110000;` or a reference with 12 digits: one would cost the whole feed)."""

    def rewrite(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            value = html.entities.html5.get(f"{name};") if name not in _XML_ENTITIES else None
            return "".join(f"&#{ord(c)};" for c in value) if value else match.group()
        digits = (decimal or hexadecimal).lstrip("0")
        if len(digits) > 7 or not _xml_char(int(digits or "0", 10 if decimal else 16)):
            return "&#xFFFD;"
        return match.group()

    return _REFERENCE.sub(rewrite, text) if "&" in text else text


def _as_utf8_xml(text: str) -> bytes:
    """The document as UTF-8 bytes whose XML declaration (if any) says UTF-8."""
    text = text.removeprefix("\ufeff").lstrip()
    text = _XML_DECLARATION.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    return _references(text).encode("utf-8", errors="replace")


# -- gates -------------------------------------------------------------------------------


@dataclass
class _Scan:
    refusal: str | None = None  # the whole document is refused
    cut: int | None = None  # byte offset where a structure limit was crossed
    reason: str | None = None  # that limit
    truncated: bool = False  # the document ends inside its root element


class _Stop(Exception):
    def __init__(self, reason: str, at: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.at = at


class _Counts:
    def __init__(self) -> None:
        self.depth = 0
        self.elements = 0
        self.attributes = 0
        self.prefixes: set[str] = set()

    def element(self, attributes: int, longest_value: int, prefixes: list[str]) -> str | None:
        """Count a start tag; the reason code of the limit it crosses, if any."""
        self.elements += 1
        self.attributes += attributes
        self.prefixes.update(prefixes)
        if self.depth > MAX_DEPTH:
            return "xml:too_deep"
        if self.elements > MAX_ELEMENTS:
            return "xml:too_many_elements"
        if attributes > MAX_ATTRIBUTES_PER_ELEMENT or self.attributes > MAX_ATTRIBUTES:
            return "xml:too_many_attributes"
        if longest_value > MAX_ATTRIBUTE_VALUE:
            return "xml:attribute_too_large"
        if len(self.prefixes) > MAX_NAMESPACE_PREFIXES:
            return "xml:too_many_namespaces"
        return None


def _loose_scan(data: bytes, start: int, counts: _Counts) -> _Stop | None:
    """The structure limits over `data[start:]`, as feedparser's loose parser will read it."""
    for match in _LOOSE_MARKUP.finditer(data, start):
        if match.group(1) is None:
            continue  # CDATA or comment
        attributes = match.group(2)
        prefixes = (
            [p.decode("utf-8", "replace") for p in _XMLNS.findall(attributes)]
            if b"xmlns" in attributes
            else []
        )
        reason = counts.element(attributes.count(b"="), len(attributes), prefixes)
        if reason:
            return _Stop(reason, match.start())
    return None


def _scan(data: bytes) -> _Scan:
    """One expat pass over the UTF-8 document: entity declarations, structure limits, where
    the XML breaks; linear (expat, one callback per element)."""
    counts = _Counts()
    parser = xml.parsers.expat.ParserCreate("utf-8")
    parser.ordered_attributes = True

    def start(_name: str, attributes: list[str]) -> None:
        counts.depth += 1
        values = attributes[1::2]
        names = attributes[0::2]
        reason = counts.element(
            len(names),
            max(map(len, values), default=0),
            [n for n in names if n.startswith("xmlns")],
        )
        if reason:
            raise _Stop(reason, parser.CurrentByteIndex)

    def end(_name: str) -> None:
        counts.depth -= 1

    def declared(*_args: object) -> None:
        raise _Stop("xml:entity_declaration")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = declared
    parser.UnparsedEntityDeclHandler = declared
    scan = _Scan()
    try:
        parser.Parse(data, True)
        return scan
    except _Stop as stop:
        if stop.reason == "xml:entity_declaration":
            scan.refusal = stop.reason
        else:
            scan.cut, scan.reason = stop.at, stop.reason
        return scan
    except xml.parsers.expat.ExpatError as error:
        broken_at = max(parser.ErrorByteIndex, 0)
        scan.truncated = error.code in _TRUNCATION and counts.elements > 0
    # expat gave up: feedparser's loose parser reads on. Its DOCTYPE handling looks at the
    # prolog (before the first tag) whatever expat made of it.
    head = _HEAD_END.search(data)
    if _ENTITY_DECL.search(data[: head.start()] if head else data):
        scan.refusal = "xml:entity_declaration"
        return scan
    limit = _loose_scan(data, broken_at, counts)
    if limit:
        scan.cut, scan.reason, scan.truncated = limit.at, limit.reason, False
    return scan


def entity_declaration(content: bytes, content_type: str | None = None) -> str | None:
    """`xml:entity_declaration` if the document (in its real encoding) declares an entity."""
    text, _ = decode_feed(content, content_type)
    return _scan(_as_utf8_xml(text)).refusal


# -- time bound --------------------------------------------------------------------------


class _Deadline(BaseException):
    """Raised in the parsing thread when its time is up (a BaseException: no `except
    Exception` inside feedparser swallows it)."""


def _raise_in(thread_id: int, exception: type[BaseException]) -> None:
    """Schedule `exception` in thread `thread_id`, raised at its next bytecode check. (Never
    called with NULL to cancel one: on CPython 3.11 that leaves the interpreter's eval breaker
    set for good, and every thread then crawls through its pending-work path.)"""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))


def _take_delivery() -> None:
    """Run bytecode until a scheduled exception is raised (at the first loop check); bounded,
    in case the code that ran swallowed it already."""
    for _ in range(100_000):
        pass


def _within(seconds: float, work: Callable[[], _Result]) -> _Result | None:
    """`work()`, or None if it ran longer than `seconds`.

    A timer thread raises `_Deadline` in this thread (PyThreadState_SetAsyncExc): pure-Python
    code such as feedparser stops at its next bytecode, in any thread (signal.alarm only works
    in the main one). At most one exception is ever sent, and only while `work` runs; one sent
    just as `work` returned is taken here, before this function returns."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"armed": True, "sent": False}

    def expire() -> None:
        with lock:
            if state["armed"]:
                state["sent"] = True
                _raise_in(target, _Deadline)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    taken = False
    try:
        try:
            timer.start()
            result = work()
        except _Deadline:
            taken = True
            return None
        finally:
            with lock:
                state["armed"] = False
            timer.cancel()
            if state["sent"] and not taken:
                _take_delivery()
    except _Deadline:  # sent as `work` returned, raised in the `finally` above
        return None
    # Sent while `work` ran, yet never raised here: something on the way swallowed it (a gc
    # callback ignores what it raises, seen in CI under hypothesis). The limit was still passed.
    return None if state["sent"] else result


# -- items -------------------------------------------------------------------------------


def _utc(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)  # feedparser gives UTC
    except (OverflowError, ValueError, OSError):  # a year 10000 or the like
        return None


def _text(fields: Any, name: str) -> str:
    """Plain text of a feed field: parsed as HTML when feedparser says it is (Atom
    `type="html"`/`"xhtml"`, RSS text that looks like HTML), else only entities decoded."""
    kind = (fields.get(f"{name}_detail") or {}).get("type") or "text/html"
    return html_to_text(fields.get(name), markup=kind != "text/plain")


def _item(entry: Any) -> tuple[FeedItem | None, str, str]:
    """(item, reference, skip reason): the item, or None with why it was skipped."""
    link = (entry.get("link") or "").strip()
    reference = link or entry.get("id") or entry.get("title") or "?"
    if not link:
        return None, reference, "feed:item_without_link"
    if not link.lower().startswith(("http://", "https://")):
        return None, reference, "feed:invalid_link"
    categories = (html_to_text(t.get("term"), markup=False) for t in entry.get("tags") or [])
    item = FeedItem(
        guid=(entry.get("id") or link).strip(),
        title=_text(entry, "title"),
        link=link,
        published=_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        updated=_utc(entry.get("updated_parsed")),
        summary=_text(entry, "summary") or None,
        author=html_to_text(entry.get("author"), markup=False) or None,
        categories=[c for c in categories if c],
    )
    return item, reference, ""


def _feedparser(data: bytes, url: str) -> Any:
    """feedparser on an in-memory stream, never bytes or str (which it would try as a path or
    URL first); the bytes are UTF-8 and say so.

    Its HTML sanitizer and relative-URI rewriter are off: Vigie keeps plain text only (made by
    `html_to_text`, libxml2's linear HTML parser), and both run regular expressions that are
    quadratic on hostile markup inside one C call, where no time bound can stop them (80 KB
    of `url(` in a style attribute took 15 s in the sanitizer, unclosed `<!--` 8 s per 560 KB)."""
    headers = {"content-location": url, "content-type": "application/xml; charset=utf-8"}
    return feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )


def _read(parsed: ParsedFeed, content: bytes, content_type: str | None, time_limit: float) -> None:
    """Fill `parsed` from the document (items, error, what was skipped or lost)."""
    if not content.strip():
        parsed.error = "feed:empty_body"
        return
    text, parsed.encoding = decode_feed(content, content_type)
    data = _as_utf8_xml(text)
    scan = _scan(data)
    if scan.refusal:
        parsed.error = scan.refusal
        return
    after_cut = 0
    if scan.cut is not None:
        after_cut = len(_ITEM_START.findall(data, scan.cut))
        data = data[: scan.cut]
    try:
        document = _within(time_limit, lambda: _feedparser(data, parsed.url))
    except Exception as error:  # feedparser's own bug on hostile bytes: this feed, not the run
        log.warning("feed %s: feedparser failed: %s: %s", parsed.feed_name, type(error).__name__, error)
        parsed.error = "xml:parser_error"
        return
    if document is None:
        log.warning("feed %s: parsing took over %.0f s, abandoned", parsed.feed_name, time_limit)
        parsed.error = "xml:parse_timeout"
        return
    parsed.title = _text(document.feed, "title") or None
    entries = list(document.entries)
    if document.bozo and not isinstance(document.get("bozo_exception"), BENIGN_BOZO):
        parsed.bozo = True
        exception = document.get("bozo_exception")
        parsed.bozo_message = f"{type(exception).__name__}: {exception}" if exception else None
        closed = len(_CLOSED_ENTRY.findall(data))
        for position, entry in enumerate(entries[closed:], start=closed + 1):
            # cut in half by the break: its fields are not trustworthy
            reference = entry.get("link") or entry.get("id") or f"{parsed.feed_name}#entry{position}"
            parsed.skipped.append((reference, "feed:incomplete_item"))
        parsed.dropped_items = len(entries[closed:])
        entries = entries[:closed]
        parsed.error = scan.reason or ("xml:malformed" if entries else "xml:unparseable")
    elif scan.reason:
        parsed.error = scan.reason
    parsed.truncated = scan.truncated
    parsed.dropped_items += after_cut

    seen: set[str] = set()
    for entry in entries:
        item, reference, reason = _item(entry)
        if item is not None and item.link in seen:
            item, reason = None, "feed:repeated_item"
        if item is None:
            parsed.skipped.append((reference, reason))
            continue
        seen.add(item.link)
        parsed.items.append(item)

    if parsed.items and (scan.truncated or scan.reason):
        lost = "feed:truncated" if scan.truncated else scan.reason
        assert lost is not None
        parsed.refused.append((parsed.feed_name, lost))
        log.warning(
            "feed %s: %s: %d items kept, %d dropped%s",
            parsed.feed_name,
            lost,
            len(parsed.items),
            parsed.dropped_items,
            ", the rest of the document never arrived" if scan.truncated else "",
        )


def parse_feed(
    content: bytes,
    url: str,
    feed_name: str,
    *,
    content_type: str | None = None,
    summary: RunSummary | None = None,
    time_limit: float = PARSE_TIME_LIMIT,
) -> ParsedFeed:
    """Parse a feed document; never raises. Records per item (stage `feed_items`) and per feed
    (stage `feed_parse`) in `summary` when given."""
    parsed = ParsedFeed(feed_name=feed_name, url=url)
    _read(parsed, content, content_type, time_limit)
    if summary is not None:
        for item in parsed.items:
            summary.record(STAGE, "accepted", item.link)
        for reference, reason in parsed.skipped:
            summary.record(STAGE, "skipped", reference, reason)
        for reference, reason in parsed.refused:
            summary.record(STAGE, "refused", reference, reason)
        if parsed.error and not parsed.items:
            summary.record(FEED_STAGE, "refused", feed_name, parsed.error)
        else:
            summary.record(FEED_STAGE, "accepted", feed_name, parsed.error or "")
    return parsed


def item_signature(item: FeedItem) -> str:
    """What the feed says of an item that, when it changes, means the article changed: its
    title, its "updated" date and a hash of its summary (a live blog, a revised toll). Its
    link, guid and categories are not in it (they identify or file the item)."""
    updated = item.updated.isoformat() if item.updated else ""
    summary = hashlib.sha256((item.summary or "").encode("utf-8")).hexdigest()
    return hashlib.sha256("\x1f".join((item.title, updated, summary)).encode("utf-8")).hexdigest()[:32]
