"""Small builders the tests share (tests/ is on sys.path under pytest: `from helpers import ...`)."""

from __future__ import annotations

from ingest.feeds import Feed


def registry_feed(name: str, url: str, *, poll_interval_minutes: int = 15) -> Feed:
    """A French international feed entry, as `feeds.yaml` would give it."""
    return Feed(
        name=name,
        title=name,
        url=url,
        language="fr",
        country="FR",
        poll_interval_minutes=poll_interval_minutes,
        category="international",
    )
