"""Article pages -> text and metadata: structured metadata first, trafilatura for the body,
clutter and paywall notices as data, and a check that the body is not a fragment.

Decoding (`decode_html`, WHATWG order and labels) lives in `ingest.charset`, bylines
(`clean_author`) in `ingest.byline`, clutter patterns in `ingest/page_clutter.yaml` read by
`ingest.pagetext`; the names are re-exported here.

`extract_article` always answers an `Extracted`; `refused` holds the reason code when no text
could be taken (`text` is then empty):

- the markup is checked before it is parsed: more than `MAX_ELEMENTS` start tags, or a tag
  with more than `MAX_ATTRIBUTES` attributes (libxml2 compares each attribute with every
  earlier one of its tag: 100k attributes cost minutes), is refused
  (`extract:too_many_elements`, `extract:too_many_attributes`); so is what does not parse as
  HTML (`extract:not_html`) or holds no text (`extract:no_text`);
- the body comes from trafilatura in precision mode (comments excluded: navigation, teasers
  and comment sections stay out). When it is under `SUSPECT_SHARE` of the page's own measure
  (the `<p>` text outside the furniture, or the JSON-LD `articleBody`), the balanced and
  recall settings are tried and the longest kept; when the JSON-LD `articleBody` is still
  over twice as long, it is the text. A text still under `TRUNCATED_SHARE` of the page's
  paragraphs is kept but flagged (`partial_reason="extract:truncated"`);
- clutter lines (teasers, advertising, live-blog navigation, sharing, comment counts, credits)
  and wire slugs ("KIEV (AFP) - ") are removed; a paywall (JSON-LD `isAccessibleForFree:
  false`, a notice such as "la suite est réservée aux abonnés") flags the page
  (`partial_reason="paywall"`);
- metadata comes from the page's structured data (JSON-LD NewsArticle, then <meta> tags,
  then trafilatura's guesses), and says where the date came from (`published_source`: jsonld,
  meta, url, text); a declared date that does not parse is flagged (`date_flags`), a
  trafilatura date that is only a copyright year ("© 2023" -> 1 January) is dropped.

The page is parsed once, the way trafilatura parses it (`parse_page`); metadata and the page
measure read that tree first, then trafilatura works on copies of it.
"""

from __future__ import annotations

import email.utils
import html as htmllib
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import lxml.html
from lxml.etree import LxmlError, ParserError
from lxml.html import HtmlElement
from pydantic import BaseModel, Field
from trafilatura import bare_extraction
from trafilatura.settings import Document
from trafilatura.utils import load_html

from ingest.byline import clean_author
from ingest.charset import declared_charset, decode_html
from ingest.pagetext import clean_text, find_paywall, page_text
from vigie.core.accounting import RunSummary
from vigie.core.cleantext import single_line

__all__ = [
    "Extracted",
    "PageMetadata",
    "clean_author",
    "declared_charset",
    "decode_html",
    "extract_article",
    "markup_refusal",
    "page_metadata",
    "parse_datetime",
    "parse_page",
    "run_trafilatura",
]

log = logging.getLogger(__name__)

STAGE = "extraction"
MAX_ELEMENTS = 30_000  # start tags: a long live blog has ~15k, a hostile page millions
MAX_ATTRIBUTES = 1_000  # of one tag
# libxml2's cost of a tag's attributes grows with their count squared: the sum of squares of
# the tags with many attributes is bounded too (a real page stays far below).
ATTRIBUTE_BUDGET = 50_000_000
SUSPECT_SHARE = 0.5
TRUNCATED_SHARE = 0.25
MIN_REFERENCE_CHARS = 400  # below this, the page's own measure says nothing
MAX_JSONLD_OBJECTS = 2_000
MAX_DATE_CHARS = 64

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

TextSource = Literal["precision", "balanced", "recall", "jsonld"]
DateSource = Literal["jsonld", "meta", "url", "text"]


class Extracted(BaseModel):
    text: str
    title: str | None = None
    title_source: Literal["jsonld", "meta", "trafilatura"] | None = None
    author: str | None = None
    published: datetime | None = None  # UTC-aware
    published_source: DateSource | None = None
    date_flags: list[str] = Field(default_factory=list)  # "unparseable": a declared date was not read
    site_name: str | None = None
    language: str | None = None  # from <html lang>: a hint, not a detection
    description: str | None = None
    text_source: TextSource | None = None
    partial_reason: str | None = None  # text kept but incomplete: "paywall", "extract:truncated"
    refused: str | None = None  # no text taken: "extract:no_text", "extract:too_many_elements", ...


# -- hostile markup -------------------------------------------------------------------------------

_START_TAG = re.compile(r"<[A-Za-z]")
# A start tag and its attributes, read as the HTML tokenizer reads them (a quoted value may hold
# ">", attributes need no space between them after a quoted value). Nothing follows the
# repetition, so the engine never backtracks into it: linear in the tag's length.
_ATTRIBUTE = r"""[\s/]*[^\s/>=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?"""
_TAG = re.compile(rf"<[A-Za-z][^\s/>]*((?:{_ATTRIBUTE})*)")
_ONE_ATTRIBUTE = re.compile(_ATTRIBUTE)
_MANY_ATTRIBUTES = 32  # below this a tag's attributes cost nothing worth counting
_UNPARSEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def markup_refusal(html: str) -> str | None:
    """The reason code when the markup would cost more than a page is worth, else None."""
    if html.count("<") > MAX_ELEMENTS and _START_TAG.subn("", html)[1] > MAX_ELEMENTS:
        return "extract:too_many_elements"
    cost = 0
    for tag in _TAG.finditer(html):
        if tag.end(1) - tag.start(1) <= 2 * _MANY_ATTRIBUTES:
            continue
        count = 0
        for _ in _ONE_ATTRIBUTE.finditer(html, tag.start(1), tag.end(1)):
            count += 1
            if count > MAX_ATTRIBUTES:
                return "extract:too_many_attributes"
        if count > _MANY_ATTRIBUTES:
            cost += count * count
            if cost > ATTRIBUTE_BUDGET:
                return "extract:too_many_attributes"
    return None


# -- structured metadata --------------------------------------------------------------------------


def parse_datetime(value: Any) -> datetime | None:
    """An ISO-8601 (or RFC 2822) timestamp as UTC-aware datetime (naive values taken as UTC)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_DATE_CHARS:
        return None
    raw = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1] in "Zz" else raw)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 minus an offset
        return None


def _names(value: Any) -> list[str]:
    """Names out of a JSON-LD author/publisher value (string, object or list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value[:50] if not isinstance(v, list) for n in _names(v)]
    return []


def _jsonld_objects(data: Any) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-LD document and of its @graph, depth first, at most
    `MAX_JSONLD_OBJECTS` (iterative: a hostile page nests as deep as json allows)."""
    stack = [data]
    seen = 0
    while stack and seen < MAX_JSONLD_OBJECTS:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item[:MAX_JSONLD_OBJECTS]))
        elif isinstance(item, dict):
            seen += 1
            yield item
            if "@graph" in item:
                stack.append(item["@graph"])


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds)


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no", "0"))


def _paywalled(obj: dict[str, Any]) -> bool:
    """JSON-LD says the article, or a part of it, is not free to read."""
    if _is_false(obj.get("isAccessibleForFree")):
        return True
    parts = obj.get("hasPart")
    parts = parts if isinstance(parts, list) else [parts]
    return any(isinstance(p, dict) and _is_false(p.get("isAccessibleForFree")) for p in parts[:50])


_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG_TEXT = re.compile(r"<[A-Za-z/!][^<>]{0,500}>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|h[1-6]|blockquote|section)\b[^<>]{0,500}>", re.IGNORECASE)


def _body_lines(body: str) -> str:
    """A JSON-LD articleBody as text lines (some publishers put HTML in it)."""
    if "<" in body:
        body = _TAG_TEXT.sub("", _BLOCK_TAG.sub("\n", body))
    return _REFERENCE.sub(lambda m: htmllib.unescape(m.group()), body) if "&" in body else body


def _plain(value: Any) -> str | None:
    """A JSON-LD string as one line of plain text: JSON-LD is not decoded by the HTML parser,
    so "Kharkiv&nbsp;: <em>frappe</em>" is written as is (references closed by ";" only:
    "R&D" stays)."""
    if not isinstance(value, str):
        return None
    if "<" in value:
        value = _TAG_TEXT.sub(" ", value)
    if "&" in value:
        value = _REFERENCE.sub(lambda m: htmllib.unescape(m.group()), value)
    return single_line(value) or None


class PageMetadata(BaseModel):
    title: str | None = None
    title_source: Literal["jsonld", "meta"] | None = None
    author: str | None = None
    published: datetime | None = None
    published_source: Literal["jsonld", "meta"] | None = None
    date_flags: list[str] = Field(default_factory=list)
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    article_body: str | None = None  # JSON-LD articleBody: the publisher's own full text
    paywalled: bool = False  # JSON-LD isAccessibleForFree: false


def _read_jsonld(root: HtmlElement, found: PageMetadata) -> None:
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except (ValueError, RecursionError):
            continue
        for obj in _jsonld_objects(data):
            if not _is_article(obj):
                continue
            if found.title is None and (headline := _plain(obj.get("headline"))):
                found.title, found.title_source = headline, "jsonld"
            authors = [a for a in (clean_author(n) for n in _names(obj.get("author"))) if a]
            found.author = found.author or (", ".join(dict.fromkeys(authors)) or None)
            if found.published is None and "datePublished" in obj:
                found.published = parse_datetime(obj.get("datePublished"))
                if found.published is None:
                    found.date_flags.append("unparseable")
                else:
                    found.published_source = "jsonld"
            publishers = _names(obj.get("publisher"))
            found.site_name = found.site_name or (single_line(publishers[0]) or None if publishers else None)
            in_language = obj.get("inLanguage")
            if not found.language and isinstance(in_language, str):
                found.language = in_language.lower().split("-")[0]
            body = obj.get("articleBody")
            if found.article_body is None and isinstance(body, str) and body.strip():
                found.article_body = _body_lines(body)
            found.paywalled = found.paywalled or _paywalled(obj)


def page_metadata(html: str | HtmlElement) -> PageMetadata:
    """Metadata from JSON-LD and <meta> tags (JSON-LD wins where both speak), from the page's
    text or its parsed tree (read only)."""
    found = PageMetadata()
    if isinstance(html, HtmlElement):
        root = html
    else:
        if markup_refusal(html):
            return found
        try:
            root = lxml.html.fromstring(_UNPARSEABLE.sub(" ", html))
        except (ParserError, LxmlError, ValueError):
            return found
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        found.language = lang.strip().lower().replace("_", "-").split("-")[0] or None

    _read_jsonld(root, found)

    meta: dict[str, str] = {}
    for tag in root.xpath("//meta[@content]"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key and key not in meta:
            meta[key] = tag.get("content", "").strip()
    if found.title is None and (og_title := single_line(meta.get("og:title") or "")):
        found.title, found.title_source = og_title, "meta"
    found.author = found.author or clean_author(meta.get("author") or meta.get("article:author"))
    found.site_name = found.site_name or single_line(meta.get("og:site_name") or "") or None
    found.description = meta.get("og:description") or meta.get("description") or None
    if found.published is None:
        for key in DATE_META:
            if key not in meta:
                continue
            found.published = parse_datetime(meta[key])
            if found.published:
                found.published_source = "meta"
                break
            found.date_flags.append("unparseable")
    found.date_flags = list(dict.fromkeys(found.date_flags))
    return found


def _copyright_year(html: str, year: str) -> bool:
    return (
        re.search(rf"(?:©|&copy;|copyright)\s*(?:\d{{4}}\s*[-–]\s*)?{year}\b", html, re.IGNORECASE)
        is not None
    )


def trafilatura_date(value: str | None, url: str, html: str) -> tuple[datetime | None, DateSource | None]:
    """trafilatura's date guess (a day, "YYYY-MM-DD") and where it was read: "url" when the URL
    carries it, else "text"; a 1 January that is the page's copyright year is not a date."""
    published = parse_datetime(value)
    if published is None or value is None:
        return None, None
    year, month, day = value[:4], value[5:7], value[8:10]
    if any(f"{year}{sep}{month}" in url for sep in ("/", "-", "_", "")):
        return published, "url"
    if (month, day) == ("01", "01") and _copyright_year(html, year):
        return None, None
    return published, "text"


# -- extraction -----------------------------------------------------------------------------------


def parse_page(html: str, url: str) -> HtmlElement | None:
    """The page's tree as trafilatura builds it (its parser options and markup repairs); None
    when it is not HTML. `run_trafilatura` and `page_metadata` both take it."""
    try:
        return load_html(_UNPARSEABLE.sub(" ", html))
    except Exception as error:  # lxml on hostile markup: one page, not the run
        log.warning("extraction failed for %s: %s", url, error)
        return None


def run_trafilatura(
    html: str | HtmlElement,
    url: str,
    *,
    focus: Literal["precision", "balanced", "recall"] = "precision",
    with_metadata: bool = True,
) -> Document | None:
    """trafilatura with the options of this module (also the extraction bound in bench/), on
    the page's text or on its tree from `parse_page` (trafilatura works on a copy of a tree)."""
    try:
        result = bare_extraction(
            html,
            url=url,
            with_metadata=with_metadata,
            include_comments=False,
            favor_precision=focus == "precision",
            favor_recall=focus == "recall",
            include_tables=True,
            include_images=False,
            include_links=False,
        )
    except Exception as error:  # trafilatura/lxml on hostile markup: one page, not the run
        log.warning("extraction failed for %s: %s", url, error)
        return None
    return result if isinstance(result, Document) else None


def _body_text(
    tree: HtmlElement, url: str, first: Document | None, meta: PageMetadata, paragraph_chars: int
) -> tuple[str, TextSource, str | None]:
    """(text, where it came from, a paywall notice met on the way)."""
    cleaned = clean_text(first.text or "") if first is not None else clean_text("")
    text, notice = cleaned.text, cleaned.paywall
    source: TextSource = "precision"
    body_chars = len(meta.article_body or "")
    reference = max(paragraph_chars, body_chars)
    if reference < MIN_REFERENCE_CHARS or len(text) >= SUSPECT_SHARE * reference:
        return text, source, notice
    fallbacks: tuple[Literal["balanced", "recall"], ...] = ("balanced", "recall")
    for focus in fallbacks:
        other = run_trafilatura(tree, url, focus=focus, with_metadata=False)
        if other is None or not other.text:
            continue
        candidate = clean_text(other.text)
        notice = notice or candidate.paywall
        if len(candidate.text) > 1.2 * len(text):
            text, source = candidate.text, focus
    if meta.article_body and len(text) < SUSPECT_SHARE * body_chars:
        candidate = clean_text(meta.article_body)
        if len(candidate.text) > len(text):
            text, source = candidate.text, "jsonld"
            notice = notice or candidate.paywall
    if source != "precision":
        log.info(
            "extraction of %s: precision kept %d chars, %s %d", url, len(cleaned.text), source, len(text)
        )
    return text, source, notice


def _metadata_complete(meta: PageMetadata) -> bool:
    """The page's structured data gives every field `extract_article` would otherwise take
    from trafilatura (title, date, author, site name, description)."""
    return bool(meta.title and meta.published and meta.author and meta.site_name and meta.description)


def _refuse(url: str, reason: str, summary: RunSummary | None, meta: PageMetadata | None = None) -> Extracted:
    if summary is not None:
        summary.record(STAGE, "refused", url, reason)
    log.info("no text taken from %s: %s", url, reason)
    meta = meta or PageMetadata()
    return Extracted(
        text="",
        title=meta.title,
        title_source=meta.title_source,
        author=meta.author,
        published=meta.published,
        published_source=meta.published_source,
        date_flags=meta.date_flags,
        site_name=meta.site_name,
        language=meta.language,
        description=meta.description,
        refused=reason,
    )


def extract_article(html: str, url: str, *, summary: RunSummary | None = None) -> Extracted:
    """Main text and metadata of an article page; `refused` says why when no text was taken."""
    refusal = markup_refusal(html)
    if refusal is not None:
        return _refuse(url, refusal, summary)
    tree = parse_page(html, url)
    if tree is None:
        return _refuse(url, "extract:not_html", summary)
    # The metadata and the page's measure first: they only read the tree.
    meta = page_metadata(tree)
    page = page_text(tree)
    # trafilatura's own metadata (a fifth of its time) only fills what the page's structured
    # data left empty: read it only then. It does not touch the text: trafilatura works on a
    # copy of the tree, and its date search on a copy of that.
    document = run_trafilatura(tree, url, with_metadata=not _metadata_complete(meta))
    text, source, notice = _body_text(tree, url, document, meta, page.paragraph_chars)
    if not text:
        return _refuse(url, "extract:no_text", summary, meta)
    paywalled = meta.paywalled or notice is not None or find_paywall(page.blocks) is not None
    truncated = (
        page.paragraph_chars >= MIN_REFERENCE_CHARS and len(text) < TRUNCATED_SHARE * page.paragraph_chars
    )
    partial = "paywall" if paywalled else "extract:truncated" if truncated else None

    published: datetime | None = meta.published
    published_source: DateSource | None = meta.published_source
    if published is None and document is not None and document.date:
        published, published_source = trafilatura_date(document.date, url, html)
    title, title_source = meta.title, meta.title_source
    extracted = Extracted(
        text=text,
        title=title or (single_line(document.title) or None if document and document.title else None),
        title_source=title_source or ("trafilatura" if document and document.title else None),
        author=meta.author or clean_author(document.author if document else None),
        published=published,
        published_source=published_source if published else None,
        date_flags=meta.date_flags,
        site_name=meta.site_name or (document.sitename if document else None),
        language=meta.language,
        description=meta.description or (document.description if document else None),
        text_source=source,
        partial_reason=partial,
    )
    if summary is not None:
        summary.record(STAGE, "accepted", url, f"partial:{partial}" if partial else "")
    return extracted
