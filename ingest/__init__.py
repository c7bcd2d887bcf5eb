"""Ingestion stages: feed registry, fetching (SSRF guard, size cap, conditional GET), feed
parsing, extraction, language, canonical URLs and dedup. Stands on `vigie.core` only."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "Feed": ".feeds",
    "load_feeds": ".feeds",
    "FeedConfigError": ".feeds",
    "Fetcher": ".fetch",
    "FetchResult": ".fetch",
    "FeedItem": ".parse",
    "ParsedFeed": ".parse",
    "parse_feed": ".parse",
    "Extracted": ".extract",
    "decode_html": ".extract",
    "extract_article": ".extract",
    "build_article": ".article",
    "detect_language": ".language",
    "canonicalize_url": ".urls",
    "article_id": ".urls",
    "Deduplicator": ".dedup",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
