"""Article pages -> text and metadata: charset decoding, trafilatura, structured metadata first.

`decode_html` follows the browser order (BOM, HTTP charset, <meta> charset, detection) and
the browser rule that an "ISO-8859-1"/"ASCII" label means windows-1252: pages that claim
Latin-1 but carry ’ “ ” œ … as bytes 0x80-0x9F then decode to those characters instead
of C1 control codes.

`extract_article` takes the body text from trafilatura (precision mode, comments excluded:
navigation, teasers and comment sections stay out) and the metadata from the page's own
structured data when present (JSON-LD NewsArticle, then <meta> tags, then trafilatura's
guesses): structured data gives the full publication timestamp with its offset and a clean
author, where visible bylines ("Par X · Publié le ...") mislead heuristics. The page is parsed
once, the way trafilatura parses it (`parse_page`), and both read that tree: the metadata
first, then trafilatura (which works on a copy of a tree it is given).
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import charset_normalizer
import lxml.html
from lxml.etree import LxmlError, ParserError
from lxml.html import HtmlElement
from pydantic import BaseModel
from trafilatura import bare_extraction
from trafilatura.settings import Document
from trafilatura.utils import load_html

from vigie.core.accounting import RunSummary

log = logging.getLogger(__name__)

STAGE = "extraction"
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# Labels browsers decode as windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = frozenset({"iso8859-1", "ascii", "cp1252"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "liveblogposting",
        "blogposting",
        "report",
    }
)
DATE_META = (  # <meta> names/properties carrying the publication time, best first
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "pubdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
)
# Teaser and call-to-action lines trafilatura sometimes keeps when a site inlines them in the
# text flow (the sample pages put them in <aside>, which trafilatura already drops).
TEASER_LINE = re.compile(
    r"^\s*(?:[-•]\s*)?(?:(?:à|a)\s+lire(?:\s+aussi|\s+également)?|lire\s+aussi|voir\s+aussi|sur\s+le\s+même\s+sujet"
    r"|abonnez-vous|inscrivez-vous\s+à\s+(?:notre|la)\s+newsletter|recevez\s+(?:notre|la)\s+newsletter)\b\s*[:|»–-]?",
    re.IGNORECASE,
)
_BYLINE_PREFIX = re.compile(r"^\s*(?:par|by)\s+", re.IGNORECASE)
_BYLINE_CUT = re.compile(
    r"\s*(?:[·|•—–]|\s-\s|,?\s+(?:publié|mis à jour|modifié|le\s+\d|il y a|updated|published)\b).*$",
    re.IGNORECASE,
)


class Extracted(BaseModel):
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None  # UTC-aware
    published_source: Literal["jsonld", "meta", "trafilatura"] | None = None
    site_name: str | None = None
    language: str | None = None  # from <html lang>: a hint, not a detection
    description: str | None = None


# -- decoding -----------------------------------------------------------------------------------


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, None if unknown."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def _decode_with(content: bytes, codec: str) -> str | None:
    """Decode strictly with `codec` (browser rules for Latin-1 labels); None if it does not fit."""
    if codec in _WINDOWS_1252_LABELS:
        if codec == "iso8859-1" and not _C1_BYTES.search(content):
            return content.decode("latin-1")  # identical to windows-1252 on these bytes
        # 0x81 0x8D 0x8F 0x90 0x9D are undefined in cp1252: replacement characters, like a browser's controls
        return content.decode("cp1252", errors="replace")
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charset(content: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(codec from the HTTP header, codec from a <meta> in the first 4 KiB)."""
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(content[:4096])
    meta_codec = _codec(meta.group(1).decode("ascii", "ignore")) if meta else None
    if meta_codec and meta_codec.startswith("utf-16"):
        meta_codec = "utf-8"  # a <meta> readable as ASCII cannot be UTF-16 (WHATWG)
    return (_codec(header.group(1)) if header else None), meta_codec


def decode_html(content: bytes, content_type: str | None) -> str:
    """Bytes of an HTML page -> text, choosing the charset the way browsers do."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace")
    header_codec, meta_codec = declared_charset(content, content_type)
    for declared in (header_codec, meta_codec):
        if declared:
            decoded = _decode_with(content, declared)
            if decoded is not None:
                return decoded
            log.info("page declared %s but does not decode with it; detecting", declared)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content[:200_000]).best()
    detected = _codec(best.encoding) if best else None
    text = _decode_with(content, detected) if detected else None
    return text if text is not None else content.decode("cp1252", errors="replace")


# -- structured metadata --------------------------------------------------------------------------


def parse_datetime(value: Any) -> datetime | None:
    """An ISO-8601 timestamp as UTC-aware datetime (naive values taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def clean_author(raw: str | None) -> str | None:
    """ "Par Julien Marchetti · Publié le 11 mars" -> "Julien Marchetti"; URLs are not names."""
    if not raw:
        return None
    author = " ".join(raw.split())
    if author.lower().startswith(("http://", "https://")):
        return None
    author = _BYLINE_PREFIX.sub("", author)
    author = _BYLINE_CUT.sub("", author).strip(" ,;:")
    return author or None


def _names(value: Any) -> list[str]:
    """Names out of a JSON-LD author/publisher value (string, object or list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _jsonld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _jsonld_objects(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _jsonld_objects(data["@graph"])


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds)


class PageMetadata(BaseModel):
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    published_source: Literal["jsonld", "meta"] | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = None


def page_metadata(html: str | HtmlElement) -> PageMetadata:
    """Metadata from JSON-LD and <meta> tags (JSON-LD wins where both speak), from the page's
    text or its parsed tree (read only)."""
    found = PageMetadata()
    if isinstance(html, HtmlElement):
        root = html
    else:
        try:
            root = lxml.html.fromstring(html)
        except (ParserError, LxmlError, ValueError):
            return found
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        found.language = lang.strip().lower().replace("_", "-").split("-")[0] or None

    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except ValueError:
            continue
        for obj in _jsonld_objects(data):
            if not _is_article(obj):
                continue
            headline = obj.get("headline")
            found.title = found.title or (headline.strip() if isinstance(headline, str) else None)
            authors = [a for a in (clean_author(n) for n in _names(obj.get("author"))) if a]
            found.author = found.author or (", ".join(dict.fromkeys(authors)) or None)
            if found.published is None:
                found.published = parse_datetime(obj.get("datePublished"))
                found.published_source = "jsonld" if found.published else None
            publishers = _names(obj.get("publisher"))
            found.site_name = found.site_name or (publishers[0].strip() if publishers else None)
            in_language = obj.get("inLanguage")
            if not found.language and isinstance(in_language, str):
                found.language = in_language.lower().split("-")[0]

    meta: dict[str, str] = {}
    for tag in root.xpath("//meta[@content]"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key and key not in meta:
            meta[key] = tag.get("content", "").strip()
    found.title = found.title or meta.get("og:title") or None
    found.author = found.author or clean_author(meta.get("author") or meta.get("article:author"))
    found.site_name = found.site_name or meta.get("og:site_name") or None
    found.description = meta.get("og:description") or meta.get("description") or None
    if found.published is None:
        for key in DATE_META:
            found.published = parse_datetime(meta.get(key))
            if found.published:
                found.published_source = "meta"
                break
    return found


# -- extraction -----------------------------------------------------------------------------------


def _drop_teasers(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not TEASER_LINE.match(line))


def parse_page(html: str, url: str) -> HtmlElement | None:
    """The page's tree as trafilatura builds it (its parser options and markup repairs); None
    when it is not HTML. `run_trafilatura` and `page_metadata` both take it."""
    try:
        return load_html(html)
    except Exception as error:  # lxml on hostile markup: one page, not the run
        log.warning("extraction failed for %s: %s", url, error)
        return None


def run_trafilatura(html: str | HtmlElement, url: str) -> Document | None:
    """trafilatura with the options of this module (also the extraction bound in bench/), on
    the page's text or on its tree from `parse_page` (trafilatura works on a copy of a tree)."""
    try:
        result = bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,
            include_tables=True,
            include_images=False,
            include_links=False,
        )
    except Exception as error:  # trafilatura/lxml on hostile markup: one page, not the run
        log.warning("extraction failed for %s: %s", url, error)
        return None
    return result if isinstance(result, Document) else None


def extract_article(html: str, url: str, *, summary: RunSummary | None = None) -> Extracted | None:
    """Main text and metadata of an article page; None when no text can be found."""
    tree = parse_page(html, url)
    # The metadata first: it only reads the tree, whatever trafilatura does with it after.
    meta = page_metadata(tree) if tree is not None else PageMetadata()
    document = run_trafilatura(tree, url) if tree is not None else None
    text = _drop_teasers(document.text or "").strip() if document is not None else ""
    if document is None or not text:
        if summary is not None:
            summary.record(STAGE, "refused", url, "extract:no_text")
        return None
    published = meta.published
    source: Literal["jsonld", "meta", "trafilatura"] | None = meta.published_source
    if published is None and document.date:
        published, source = parse_datetime(document.date), "trafilatura"
    extracted = Extracted(
        text=text,
        title=meta.title or document.title,
        author=meta.author or clean_author(document.author),
        published=published,
        published_source=source if published else None,
        site_name=meta.site_name or document.sitename,
        language=meta.language,
        description=meta.description or document.description,
    )
    if summary is not None:
        summary.record(STAGE, "accepted", url)
    return extracted
