"""Story assignment: distinct articles about one happening share a `story_id`. It needs
entities and events (enrich) and lookups in the store, so it stands above both."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "assign_stories": ".assign",
    "StoryClusterer": ".assign",
    "StoryPolicy": ".assign",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
