"""Ground floor: the typed records, settings, run accounting, ids and atomic file writes.

Imports nothing else of the project, so every other floor (ingest, enrich, store, stories,
alerting, run) can stand on it."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "Article": ".models",
    "Event": ".models",
    "Alert": ".models",
    "EntityMention": ".models",
    "EntityRef": ".models",
    "Place": ".models",
    "GeoPoint": ".models",
    "Quantity": ".models",
    "EventMention": ".models",
    "Casualties": ".models",
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
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
