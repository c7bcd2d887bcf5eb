"""Which families a pass refreshes, and when: after each batch what the next batch's lookups
read (articles, alerts); the events, which no lookup of a pass reads, once the pass (or the
DAG's batch task) is done, so a pass still ends with everything searchable (issue 17)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.client import IndicesClient

from ingest.feeds import load_feeds
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Pipeline

SAMPLE_FEEDS = REPO_ROOT / "sample_corpus" / "feeds.yaml"


@pytest.fixture
def refreshed(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[set[str]]:
    """The families each refresh request of this test's indices named (the requests still run)."""
    calls: list[set[str]] = []
    original = IndicesClient.refresh
    prefix = settings.index_prefix + "-"

    def refresh(client: IndicesClient, *args: Any, **kwargs: Any) -> Any:
        names = str(kwargs.get("index") or "").split(",")
        families = {name[len(prefix) :].split("-")[0] for name in names if name.startswith(prefix)}
        if families:
            calls.append(families)
        return original(client, *args, **kwargs)

    monkeypatch.setattr(IndicesClient, "refresh", refresh)
    return calls


@pytest.mark.slow
def test_events_are_refreshed_once_the_pass_is_done(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, refreshed: list[set[str]]
) -> None:
    feeds = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)
    batches: list[int] = []
    pipeline = Pipeline(settings=dataclasses.replace(settings, batch_size=2))
    pipeline.after_batch = lambda articles, events: batches.append(len(refreshed))
    pipeline.run(feeds)
    assert len(batches) >= 2
    during = refreshed[: batches[-1]]
    assert during and all("events" not in families for families in during)
    assert any({"articles", "alerts"} <= families for families in during)
    # As the pass ends (the delivery thread may refresh the alerts after it).
    assert any({"articles", "events", "alerts"} <= families for families in refreshed[batches[-1] :])
    # Everything the pass stored is searchable as it ends, without another refresh.
    stored = es.search(index=settings.index("events"), size=0, track_total_hits=True)
    assert stored["hits"]["total"]["value"] == pipeline.summary.get("index.events") > 0
