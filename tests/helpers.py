"""Small builders the tests share (tests/ is on sys.path under pytest: `from helpers import ...`)."""

from __future__ import annotations

from datetime import datetime

from ingest.feeds import Feed
from vigie.core.models import Article, stable_id

# The reference date of the enrichment tests' articles (relative dates resolve against it).
PUBLISHED = datetime.fromisoformat("2025-03-11T08:08:00+01:00")


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


def french_article(text: str, published: datetime = PUBLISHED) -> Article:
    """A French article holding `text`, its id derived from the text."""
    return Article(
        id=stable_id("test", text),
        url="https://example.org/a",
        original_url="https://example.org/a",
        feed="test",
        source="example.org",
        title="Titre",
        text=text,
        published=published,
        language="fr",
    )
