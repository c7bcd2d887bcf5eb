"""Development helpers: the sample news site server. Nothing in production imports them."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "FeedServer": ".feedserver",
    "SAMPLE_SITE": ".feedserver",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
