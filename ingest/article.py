"""Feed item + fetched page -> `vigie.core.models.Article`, falling back to the feed summary.

The id comes from the canonical form of the feed's link (not the post-redirect URL): it is
known before fetching, so a page that fails today and succeeds tomorrow keeps the same id
(nothing doubled). When the page cannot be fetched or extracted, or yields less than
`MIN_TEXT_CHARS` of text, the article still flows with the feed summary as its text and
`partial=True` plus the reason (nothing lost).
"""

from __future__ import annotations

from ingest.extract import Extracted
from ingest.feeds import Feed
from ingest.fetch import FetchResult
from ingest.parse import FeedItem
from ingest.urls import canonical_id, canonicalize_url, host_of
from vigie.core.accounting import RunSummary
from vigie.core.cleantext import plain_text, single_line
from vigie.core.models import Article

STAGE = "article"
# Below this, "extracted text" is a cookie wall, a paywall teaser or an error page.
MIN_TEXT_CHARS = 200


def _partial_reason(fetch: FetchResult | None, extracted: Extracted | None, min_chars: int) -> str | None:
    if fetch is None:
        return "not_fetched"
    if fetch.error:
        return f"fetch:{fetch.error}"
    if fetch.not_modified or fetch.content is None:
        return "fetch:no_content"
    if extracted is None:
        return "extract:no_text"
    if len(extracted.text) < min_chars:
        return "extract:too_short"
    return None


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
    reason = _partial_reason(fetch, extracted, min_chars)
    page = extracted if reason is None else None
    # Feed and page text is the site's: title and author on one line, summary as plain text,
    # without control characters or bidi overrides (they reverse what an analyst reads).
    item_summary = plain_text(item.summary) if item.summary else item.summary
    text = page.text if page else (item_summary or "")
    # Page metadata is used even for a too-short page: its date and byline are still right.
    meta = extracted
    # The host that served the page (after redirects: feed links may go through a redirector).
    host = host_of(fetch.final_url) if fetch and fetch.final_url and not fetch.error else host_of(url)
    source = (meta.site_name if meta and meta.site_name else None) or host or feed.name
    published = (
        meta.published
        if meta and meta.published and meta.published_source in ("jsonld", "meta")
        else item.published or (meta.published if meta else None)
    )
    article = Article(
        id=article_id or canonical_id(url),
        url=url,
        original_url=item.link,
        feed=feed.name,
        source=source,
        sources=[source],
        guid=item.guid,
        title=single_line(item.title or (meta.title if meta else None) or "") or url,
        summary=item_summary,
        text=text,
        author=single_line((meta.author if meta else None) or item.author or "") or None,
        site_name=meta.site_name if meta else None,
        published=published,
        fetched_at=fetch.fetched_at if fetch else None,
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
