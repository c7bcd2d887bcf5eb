"""Enrichment: named entities (spaCy fr_core_news_md + KB) and conflict events, from data
files. Stands on `vigie.core` only."""

from __future__ import annotations

_EXPORTS = {
    "Enricher": ".pipeline",
    "EnricherPool": ".pool",
    "EnrichmentJob": ".pool",
    "KnowledgeBase": ".kb",
    "default_kb": ".kb",
    "evaluate": ".evaluate",
}
__all__ = sorted(_EXPORTS)

def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
