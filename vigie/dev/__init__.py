"""Development helpers: the sample news site server. Nothing in production imports them."""

from __future__ import annotations

_EXPORTS = {
    "FeedServer": ".feedserver",
    "SAMPLE_SITE": ".feedserver",
}
__all__ = sorted(_EXPORTS)

def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
