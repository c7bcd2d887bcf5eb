"""Batches committed without a refresh in between (issue 17, item 4): while more batches of a
pass follow, a commit stores its batch and does not refresh; the next batches' lookups answer
for it from the pass's memory (dedup candidates, story anchors and name counts, alert windows,
fold originals), and the commit sequence carries an `unrefreshed` mark so that any other
worker refreshes before it searches.

Every test turns the cluster's own refresh tick off on the indices it writes
(`refresh_interval: -1`, set as they are created): what is not refreshed on purpose stays
unsearchable, so a lookup that relied on the index alone would miss it and the test would
fail. The real node, real HTTP from the local feed server; the pages and hand-made records of
tests/test_commit_sequence.py, tests/test_stories.py and tests/test_alerts_engine.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.client import IndicesClient
from test_alerts_engine import article as alert_article
from test_alerts_engine import rules, stored_alerts
from test_commit_sequence import DAY, PAGES, _candidates, _start, _stored
from test_stories import HAND, hand_article, hand_events

from vigie.alerting.engine import AlertEngine
from vigie.core.accounting import RunSummary
from vigie.core.models import Article
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer
from vigie.run import pipeline as pipeline_module
from vigie.run.pipeline import Pipeline
from vigie.store.es import index_for, index_name, to_document
from vigie.store.lease import read_unrefreshed_mark
from vigie.stories.assign import assign_stories


def _no_refresh_tick(es: Elasticsearch, settings: Settings, family: str, when: datetime) -> str:
    """Create the family's index of `when`'s month (the project's template: mappings, alias)
    with the periodic refresh off: only an explicit refresh makes its writes searchable."""
    name = index_name(settings, family, when)
    es.indices.create(index=name, settings={"index": {"refresh_interval": "-1"}})
    return name


def _searchable(es: Elasticsearch, settings: Settings) -> int:
    """How many articles a search sees now, without refreshing."""
    response = es.search(index=settings.index("articles"), size=0, track_total_hits=True)
    return int(response["hits"]["total"]["value"])


@pytest.fixture
def refreshed(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[set[str]]:
    """The families each refresh request of this test's indices named (the requests still run)."""
    calls: list[set[str]] = []
    original = IndicesClient.refresh
    prefix = settings.index_prefix + "-"

    def refresh(client: IndicesClient, *args: Any, **kwargs: Any) -> Any:
        index = kwargs.get("index") or ""
        names = ",".join(index) if isinstance(index, list) else str(index)
        families = {name[len(prefix) :].split("-")[0] for name in names.split(",") if name.startswith(prefix)}
        if families:
            calls.append(families)
        return original(client, *args, **kwargs)

    monkeypatch.setattr(IndicesClient, "refresh", refresh)
    return calls


def test_a_copy_of_the_previous_unrefreshed_batch_is_still_folded(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, refreshed: list[set[str]]
) -> None:
    _no_refresh_tick(es, settings, "articles", DAY)
    candidates = _candidates(settings, feed_server)
    urls = {outlet: feed_server.url(f"/{outlet}/story.html") for outlet in PAGES}
    pipeline = Pipeline(settings=settings)
    pipeline.more_batches = True  # as `run` commits a batch that another follows
    first = _start(pipeline, [candidates["quayside"]])
    pipeline.finish_batch(first)

    # Stored, not refreshed: no search sees it; the commit sequence says whose memory has it.
    assert _searchable(es, settings) == 0
    assert read_unrefreshed_mark(es, settings) == ((2, ""), pipeline._token)

    second = _start(pipeline, [candidates["wirecopy"], candidates["uplands"]])
    copy = next(a for a in second.articles if a.url == urls["wirecopy"])
    assert copy.duplicate_of == first.articles[0].id  # the pre-check, from memory
    pipeline.more_batches = False  # the last batch: its commit refreshes
    before = len(refreshed)
    pipeline.finish_batch(second)
    # Once, as the commit ends: not as it starts (only our own commit since), nor to find the
    # copy's original (read by id).
    assert refreshed[before:] == [{"articles", "alerts"}]

    # Neither commit searched the index again (nobody else committed), and the copy was
    # folded into the unrefreshed original (read by id, not searched).
    assert pipeline.summary.metrics.get("dedup:commit_search_reused") == 2
    assert "index.articles.original_missing" not in pipeline.summary.metrics
    assert _searchable(es, settings) == 2  # the last commit refreshed
    assert read_unrefreshed_mark(es, settings) == ((4, ""), "")
    stored = _stored(es, settings)
    assert set(stored) == {urls["quayside"], urls["uplands"]}
    assert stored[urls["quayside"]]["duplicate_urls"] == [urls["wirecopy"]]


def test_another_worker_committing_between_two_of_our_batches_sees_our_writes(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer
) -> None:
    """Our first batch is stored, not refreshed, when another worker pre-checks a copy of it
    and commits with nobody in between (so it reuses its pre-check's search): the mark makes it
    refresh before that search. Our next commit, after the other's, refreshes and searches."""
    _no_refresh_tick(es, settings, "articles", DAY)
    candidates = _candidates(settings, feed_server)
    urls = {outlet: feed_server.url(f"/{outlet}/story.html") for outlet in PAGES}
    pipeline = Pipeline(settings=settings)
    pipeline.more_batches = True
    first = _start(pipeline, [candidates["quayside"]])
    pipeline.finish_batch(first)
    assert _searchable(es, settings) == 0

    other = Pipeline(settings=settings)
    theirs = _start(other, [candidates["wirecopy"]])
    assert theirs.articles[0].duplicate_of == first.articles[0].id
    other.finish_batch(theirs)
    assert other.summary.metrics.get("dedup:commit_search_reused") == 1

    second = _start(pipeline, [candidates["uplands"]])
    pipeline.more_batches = False
    pipeline.finish_batch(second)
    # Our second pre-check came after the other's commit, which refreshed as it ended: its
    # search stands for the commit's (the other's commit is before it in the sequence).
    assert pipeline.summary.metrics.get("dedup:commit_search_reused") == 2
    stored = _stored(es, settings)
    assert set(stored) == {urls["quayside"], urls["uplands"]}
    assert stored[urls["quayside"]]["duplicate_urls"] == [urls["wirecopy"]]


def _store_unrefreshed(es: Elasticsearch, settings: Settings, articles: Sequence[Article]) -> None:
    for article in articles:
        es.index(index=index_for(settings, article), id=article.id, document=to_document(article))


def test_a_story_opened_by_the_previous_unrefreshed_batch_is_still_joined(
    es: Elasticsearch, settings: Settings
) -> None:
    """The stories of the later batch are those it gets against a refreshed index, the
    earlier batch's anchors and name counts taken from memory instead."""
    earlier_keys, later_keys = ("002", "000", "001", "talks"), ("same-story", "kharkiv", "talks-2")
    for month in sorted({index_name(settings, "articles", hand_article(k).published) for k in HAND}):
        es.indices.create(index=month, settings={"index": {"refresh_interval": "-1"}})
    earlier = [hand_article(k) for k in earlier_keys]
    assign_stories(es, settings, earlier, RunSummary(), [e for k in earlier_keys for e in hand_events(k)])
    _store_unrefreshed(es, settings, earlier)
    later_events = [e for k in later_keys for e in hand_events(k)]

    def stories(recent: Sequence[Article]) -> dict[str, str | None]:
        later = [hand_article(k) for k in later_keys]
        assign_stories(es, settings, later, RunSummary(), later_events, recent=recent)
        return {a.title: a.story_id for a in later}

    expected = {"same-story": "id-002", "kharkiv": "id-kharkiv", "talks-2": "id-talks"}
    assert _searchable(es, settings) == 0
    assert stories(()) != expected  # the index alone does not show the earlier batch yet
    assert stories(earlier) == expected
    es.indices.refresh(index=settings.index("articles"))
    assert stories(()) == expected  # as a refreshed index gives it
    assert stories(earlier) == expected  # in memory and searchable: counted once


def test_an_alert_of_the_previous_unrefreshed_batch_is_not_opened_twice(
    es: Elasticsearch, settings: Settings
) -> None:
    """Without its own refresh, the engine answers the next batch's alert-window lookups with
    the alerts it wrote: a later report of the story joins the open alert (no second alert,
    no second notification), also when the stored alert changed meanwhile (the delivery
    thread marks it): the newer version wins, or the conditional write re-reads it."""
    t0 = datetime(2025, 3, 11, 8, 8, tzinfo=UTC)
    _no_refresh_tick(es, settings, "alerts", t0)
    engine = AlertEngine(settings, es, rules(), refresh=False)
    first = engine.evaluate([alert_article(1, t0)], [], RunSummary())
    assert {a.rule for a in first} == {"frappe_nucleaire", "otan"}
    assert es.search(index=settings.index("alerts"), size=0)["hits"]["total"]["value"] == 0

    summary = RunSummary()
    second = engine.evaluate([alert_article(2, t0 + timedelta(hours=1))], [], summary)
    assert "alerts:created" not in summary.metrics
    assert summary.metrics["alerts:merged"] == 2
    assert {a.id for a in second} == {a.id for a in first}

    # The delivery thread updates an alert (a new version the engine did not write) before the
    # third batch: its conditional write conflicts, re-reads, merges.
    nuclear = next(a for a in first if a.rule == "frappe_nucleaire")
    index = index_for(settings, nuclear)
    current = es.get(index=index, id=nuclear.id)["_source"]
    es.index(index=index, id=nuclear.id, document={**current, "status": "sent"})
    summary = RunSummary()
    engine.evaluate([alert_article(3, t0 + timedelta(hours=2))], [], summary)
    assert "alerts:created" not in summary.metrics
    assert summary.metrics["alerts:merged"] == 2

    stored = stored_alerts(es, settings)
    assert len(stored) == 2
    for alert in stored:
        assert len(alert.article_ids) == 3
        # One notification per channel, queued once (the `otan` rule has no channel).
        assert len(alert.deliveries) == (1 if alert.rule == "frappe_nucleaire" else 0)
    assert next(a for a in stored if a.rule == "frappe_nucleaire").status == "sent"
    engine.forget_remembered()
    assert not engine.remembered


def test_the_memory_is_bounded_a_full_memory_refreshes_instead(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most `REMEMBERED_BATCHES` batches' worth of articles are answered from memory: the
    commit that would pass it refreshes instead, and the memory is empty again."""
    monkeypatch.setattr(pipeline_module, "REMEMBERED_BATCHES", 1)
    settings = dataclasses.replace(settings, batch_size=1)
    _no_refresh_tick(es, settings, "articles", DAY)
    candidates = _candidates(settings, feed_server)
    pipeline = Pipeline(settings=settings)
    pipeline.more_batches = True
    pipeline.finish_batch(_start(pipeline, [candidates["quayside"]]))
    assert len(pipeline._unrefreshed) == 1 and _searchable(es, settings) == 0
    pipeline.finish_batch(_start(pipeline, [candidates["uplands"]]))  # 2 > 1 x 1: refreshed
    assert not pipeline._unrefreshed and _searchable(es, settings) == 2
    assert read_unrefreshed_mark(es, settings) == ((4, ""), "")
