"""Story assignment: distinct articles about one happening share a `story_id`, and the
incidents they report about it are stored once per story (story incidents, the `stories`
index). It needs entities and incidents (enrich) and lookups in the store, so it stands above
both. The policy is data: `vigie/stories/policy.yaml`."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "assign_stories": ".assign",
    "StoryClusterer": ".assign",
    "StoryPolicy": ".policy",
    "load_policy": ".policy",
    "default_policy": ".policy",
    "lead_of": ".incidents",
    "build_incident": ".incidents",
    "write_incidents": ".incidents",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
