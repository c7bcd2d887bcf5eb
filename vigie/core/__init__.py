"""Ground floor: the typed records, settings, run accounting, ids and atomic file writes.

Imports nothing else of the project, so every other floor (ingest, enrich, store, stories,
alerting, run) can stand on it."""

from __future__ import annotations

_EXPORTS = {
    "Article": ".models",
    "Event": ".models",
    "Alert": ".models",
    "EntityMention": ".models",
    "EntityRef": ".models",
    "Place": ".models",
    "GeoPoint": ".models",
    "Quantity": ".models",
    "Delivery": ".models",
    "DeadLetter": ".models",
    "Record": ".models",
    "stable_id": ".models",
    "Settings": ".settings",
    "get_settings": ".settings",
    "RunSummary": ".accounting",
    "atomic_write_bytes": ".files",
    "atomic_write_text": ".files",
}
__all__ = sorted(_EXPORTS)

def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
