"""Feed parsing (RSS 0.9x/1.0/2.0, Atom) with feedparser, behind an entity-declaration gate.

Hostile XML: any document whose DTD declares an ENTITY (billion laughs, external entities /
XXE) is refused before feedparser sees it, with reason `xml:entity_declaration`. The check is
an expat pass over the prolog only (it stops at the root element), so it costs nothing on
normal feeds; a plain `<!DOCTYPE rss PUBLIC ...>` (old RSS 0.91 feeds) is still accepted.

Broken XML: feedparser falls back to its loose parser on a well-formedness error ("bozo") and
keeps what it read. For a truncated document the last entry it returns is the one cut in
half, so entries are kept only up to the number of closed `</item>` / `</entry>` tags; the
feed reports `xml:malformed` and its good items still flow.
"""

from __future__ import annotations

import calendar
import contextlib
import re
import time
import xml.parsers.expat
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html
from lxml.etree import ParserError
from pydantic import BaseModel, Field

from vigie.core.accounting import RunSummary

STAGE = "feed_items"
FEED_STAGE = "feed_parse"
_CLOSED_ENTRY = re.compile(r"</\s*(?:[\w.-]+:)?(?:item|entry)\s*>", re.IGNORECASE)
_START_TAG = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedItem(BaseModel):
    guid: str
    title: str
    link: str
    published: datetime | None = None  # UTC-aware
    summary: str | None = None  # plain text
    author: str | None = None
    categories: list[str] = Field(default_factory=list)


class ParsedFeed(BaseModel):
    feed_name: str
    url: str
    title: str | None = None
    items: list[FeedItem] = Field(default_factory=list)
    error: str | None = None  # "xml:entity_declaration", "xml:malformed", "xml:unparseable"
    bozo: bool = False
    bozo_message: str | None = None
    encoding: str | None = None
    skipped: list[tuple[str, str]] = Field(default_factory=list)  # (item link or guid, reason)


class _Stop(Exception):
    def __init__(self, reason: str | None):
        super().__init__(reason)
        self.reason = reason


def entity_declaration(content: bytes) -> str | None:
    """`xml:entity_declaration` if the document's DTD declares an entity, else None."""
    parser = xml.parsers.expat.ParserCreate()

    def declared(*_args: object) -> None:
        raise _Stop("xml:entity_declaration")

    def root_reached(*_args: object) -> None:
        raise _Stop(None)  # declarations can only precede the root element

    parser.EntityDeclHandler = declared
    parser.UnparsedEntityDeclHandler = declared
    parser.StartElementHandler = root_reached
    try:
        parser.Parse(content, True)
    except _Stop as stop:
        return stop.reason
    except (xml.parsers.expat.ExpatError, LookupError, ValueError):
        # expat gave up before the root (odd encoding, junk prolog): look at the raw prolog.
        start = _START_TAG.search(content)
        prolog = content[: start.start()] if start else content
        if _ENTITY_DECL.search(prolog):
            return "xml:entity_declaration"
    return None


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment (feed summaries), whitespace collapsed."""
    if not fragment or not fragment.strip():
        return None
    if "<" in fragment:
        with contextlib.suppress(ParserError, ValueError):  # not HTML after all: keep it as is
            fragment = lxml.html.fromstring(f"<div>{fragment}</div>").text_content()
    text = _SPACES.sub(" ", fragment).strip()
    return text or None


def _utc(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)  # feedparser gives UTC struct_time


def _closed_entries(content: bytes, encoding: str | None) -> int:
    try:
        text = content.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        text = content.decode("latin-1")
    return len(_CLOSED_ENTRY.findall(text))


def _item(entry: Any) -> tuple[FeedItem | None, str, str]:
    """(item, reference, skip reason): the item, or None with why it was skipped."""
    link = (entry.get("link") or "").strip()
    reference = link or entry.get("id") or entry.get("title") or "?"
    if not link:
        return None, reference, "feed:item_without_link"
    if not link.lower().startswith(("http://", "https://")):
        return None, reference, "feed:invalid_link"
    item = FeedItem(
        guid=(entry.get("id") or link).strip(),
        title=_SPACES.sub(" ", entry.get("title") or "").strip(),
        link=link,
        published=_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        summary=html_to_text(entry.get("summary")),
        author=(entry.get("author") or "").strip() or None,
        categories=[t["term"] for t in entry.get("tags") or [] if t.get("term")],
    )
    return item, reference, ""


def parse_feed(
    content: bytes,
    url: str,
    feed_name: str,
    *,
    content_type: str | None = None,
    summary: RunSummary | None = None,
) -> ParsedFeed:
    """Parse a feed document; never raises. Records per item (stage `feed_items`) and per feed
    (stage `feed_parse`) in `summary` when given."""
    parsed = ParsedFeed(feed_name=feed_name, url=url)
    refusal = "feed:empty_body" if not content.strip() else entity_declaration(content)
    if refusal:
        parsed.error = refusal
        if summary is not None:
            summary.record(FEED_STAGE, "refused", feed_name, refusal)
        return parsed

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    document = feedparser.parse(content, response_headers=headers, sanitize_html=True)
    parsed.encoding = document.get("encoding")
    parsed.title = document.feed.get("title")
    entries = list(document.entries)
    if document.bozo:
        parsed.bozo = True
        exception = document.get("bozo_exception")
        parsed.bozo_message = f"{type(exception).__name__}: {exception}" if exception else None
        if isinstance(exception, BENIGN_BOZO):
            parsed.bozo = False  # wrong charset label or content type, but the XML is whole
        else:
            closed = _closed_entries(content, parsed.encoding)
            for position, entry in enumerate(entries[closed:], start=closed + 1):
                # cut in half by the break: its fields are not trustworthy
                reference = entry.get("link") or entry.get("id") or f"{feed_name}#entry{position}"
                parsed.skipped.append((reference, "feed:incomplete_item"))
            entries = entries[:closed]
            parsed.error = "xml:malformed" if entries else "xml:unparseable"

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

    if summary is not None:
        for item in parsed.items:
            summary.record(STAGE, "accepted", item.link)
        for reference, reason in parsed.skipped:
            summary.record(STAGE, "skipped", reference, reason)
        if parsed.error and not parsed.items:
            summary.record(FEED_STAGE, "refused", feed_name, parsed.error)
        else:
            summary.record(FEED_STAGE, "accepted", feed_name, parsed.error or "")
    return parsed
