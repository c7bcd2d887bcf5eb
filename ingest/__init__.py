"""Ingestion stages: feed registry, fetching (SSRF guard, size cap, conditional GET), feed
parsing, extraction, language, canonical URLs and dedup. Stands on `vigie.core` only."""

from __future__ import annotations

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
__all__ = sorted(_EXPORTS)

def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
