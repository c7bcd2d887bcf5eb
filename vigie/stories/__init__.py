"""Story assignment: distinct articles about one happening share a `story_id`. It needs
entities and events (enrich) and lookups in the store, so it stands above both."""

from __future__ import annotations

_EXPORTS = {
    "assign_stories": ".assign",
    "StoryClusterer": ".assign",
    "StoryPolicy": ".assign",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
