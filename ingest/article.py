"""Feed item + fetched page -> `vigie.core.models.Article`, falling back to the feed summary.

The id comes from the canonical form of the feed's link (not the post-redirect URL): it is
known before fetching, so a page that fails today and succeeds tomorrow keeps the same id
(nothing doubled). When the page cannot be fetched or extracted, or yields less than
`MIN_TEXT_CHARS` of text, the article still flows with the feed summary as its text and
`partial=True` plus the reason (nothing lost). A page whose text was taken but is incomplete
(a paywall, a truncated extraction) keeps its text and is flagged partial with that reason.

Title and date: the page speaks for itself when it was extracted (JSON-LD headline, then
og:title; JSON-LD or <meta> date), so an article carried by several feeds gets the same title
and date whichever feed came first; the feed item's are used when the page failed or says
nothing. `published_source` records where the date came from (jsonld, meta, feed, url, text,
fetch); `published_flags` what went wrong: "missing" (nothing dated the article: the fetch
time is used), "future" (a date beyond the fetch time plus `FUTURE_TOLERANCE`, clamped to the
fetch time), "unparseable" (the page declared a date that could not be read).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ingest.extract import Extracted
from ingest.feeds import Feed
from ingest.fetch import FetchResult
from ingest.parse import FeedItem
from ingest.urls import canonical_id, canonicalize_url, host_of
from vigie.core.accounting import RunSummary
from vigie.core.cleantext import plain_text, single_line
from vigie.core.models import Article, to_utc

STAGE = "article"
# Below this, "extracted text" is a cookie wall, a paywall teaser or an error page.
MIN_TEXT_CHARS = 200
# Clocks and time zones written wrong: a date this far past the fetch is still believed.
FUTURE_TOLERANCE = timedelta(hours=1)


def _partial_reason(fetch: FetchResult | None, extracted: Extracted | None, min_chars: int) -> str | None:
    """Why the page's text cannot be the article's (the feed summary is used), None if it can."""
    if fetch is None:
        return "not_fetched"
    if fetch.error:
        return f"fetch:{fetch.error}"
    if fetch.not_modified or fetch.content is None:
        return "fetch:no_content"
    if extracted is None:
        return "extract:no_text"
    if extracted.refused:
        return extracted.refused
    if len(extracted.text) < min_chars:
        return "paywall" if extracted.partial_reason == "paywall" else "extract:too_short"
    return None


def _published(
    item: FeedItem, page: Extracted | None, reference: datetime
) -> tuple[datetime, str, list[str]]:
    """(publication time, where it came from, flags): the page's structured date, the feed's,
    the page's guessed one (URL or text), else the fetch time; clamped to `reference`."""
    flags = list(page.date_flags) if page else []
    candidates: list[tuple[datetime | None, str | None]] = []
    if page is not None and page.published_source in ("jsonld", "meta"):
        candidates.append((page.published, page.published_source))
    candidates.append((item.published, "feed"))
    if page is not None and page.published_source in ("url", "text"):
        candidates.append((page.published, page.published_source))
    published, source = next(((p, s) for p, s in candidates if p is not None and s), (None, None))
    if published is None or source is None:
        return reference, "fetch", [*flags, "missing"]
    published = to_utc(published)
    if published > reference + FUTURE_TOLERANCE:
        return reference, source, [*flags, "future"]
    return published, source, flags


def build_article(
    item: FeedItem,
    feed: Feed,
    fetch: FetchResult | None,
    extracted: Extracted | None,
    *,
    summary: RunSummary | None = None,
    min_chars: int = MIN_TEXT_CHARS,
    url: str | None = None,
    article_id: str | None = None,
) -> Article:
    """The Article for a feed item (raises ValueError only if the item's link is not http(s),
    which `parse_feed` already filters out). `url`: the item's canonical URL when the caller
    has it already, and `article_id` its id (the pipeline computes both once, at selection)."""
    url = url or canonicalize_url(item.link)
    fallback = _partial_reason(fetch, extracted, min_chars)
    page = extracted if fallback is None else None
    reason = fallback or (page.partial_reason if page else None)
    # Feed and page text is the site's: title and author on one line, summary as plain text,
    # without control characters or bidi overrides (they reverse what an analyst reads).
    item_summary = plain_text(item.summary) if item.summary else item.summary
    text = page.text if page else (item_summary or "")
    # Page metadata is used even for a too-short page: its title, date and byline are still right.
    meta = extracted
    # The host that served the page (after redirects: feed links may go through a redirector).
    host = host_of(fetch.final_url) if fetch and fetch.final_url and not fetch.error else host_of(url)
    source = (meta.site_name if meta and meta.site_name else None) or host or feed.name
    fetched_at = fetch.fetched_at if fetch else None
    reference = to_utc(fetched_at) if fetched_at else datetime.now(UTC).replace(microsecond=0)
    published, published_source, published_flags = _published(item, meta, reference)
    page_title = meta.title if meta and meta.title_source in ("jsonld", "meta") else None
    title = page_title or item.title or (meta.title if meta else None) or ""
    article = Article(
        id=article_id or canonical_id(url),
        url=url,
        original_url=item.link,
        feed=feed.name,
        source=source,
        sources=[source],
        guid=item.guid,
        title=single_line(title) or url,
        summary=item_summary,
        text=text,
        author=single_line((meta.author if meta else None) or item.author or "") or None,
        site_name=meta.site_name if meta else None,
        published=published,
        published_source=published_source,
        published_flags=published_flags,
        fetched_at=fetched_at,
        word_count=len(text.split()),
        partial=reason is not None,
        partial_reason=reason,
    )
    if summary is not None:
        if reason is None:
            summary.record(STAGE, "accepted", url)
        elif text:
            summary.record(STAGE, "accepted", url, f"partial:{reason}")
        else:
            summary.record(STAGE, "refused", url, f"no_text:{reason}")
    return article
