"""The commit sequence (issue 17, item 4): the commit's authoritative dedup searches the index
again only when someone else stored something since the batch's pre-check.

A commit moves the sequence (beside the commit lease, `vigie.store.lease`) to an odd value
before its first write and to the next even one once its writes are refreshed; a spool replay,
which writes without the lease, changes its `external` mark before and after. A pipeline that
sees only its own clean commits between its pre-check and its commit reuses the pre-check's
search (plus its own pending batch); any other writer in between makes it search again, so a
copy stored by another worker meanwhile is still folded.

English pages (not enriched: no model needed), written here, not taken from the gold sets;
the real node and real HTTP from the local feed server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan
from helpers import registry_feed

from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Candidate, Pipeline
from vigie.store.lease import (
    mark_external_write,
    read_commit_sequence,
    write_commit_sequence,
)

HARBOUR = (
    "Three cargo ships were held for most of Tuesday outside the northern harbour of Valmora after "
    "the port authority closed the main channel for a survey of the breakwater. The pilots' union "
    "said the closure had been announced only an hour before the first departures, and that crews "
    "waited at anchor until the evening tide. Engineers found two cracked blocks near the lighthouse "
    "and the channel reopened at nine, with a speed limit for loaded vessels until repairs begin."
)
ORCHARD = (
    "A late frost in the hill villages above Castelbrun has damaged much of the apricot blossom, "
    "growers said on Wednesday, a week after the warmest March on the local record. The cooperative "
    "expects a harvest well below last year's and has asked the regional council for help with "
    "insurance premiums. Some farmers lit candles between the rows overnight, which saved the trees "
    "on the lower terraces but not those on the exposed slopes facing the valley."
)
DAY = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
# outlet -> (title, body, published): the harbour report, an exact copy under another title,
# and an unrelated article.
PAGES: dict[str, tuple[str, str, datetime]] = {
    "quayside": ("Cargo ships held outside Valmora harbour", HARBOUR, DAY),
    "wirecopy": ("Valmora channel closed for breakwater survey", HARBOUR, DAY + timedelta(minutes=30)),
    "uplands": ("Frost damages apricot blossom above Castelbrun", ORCHARD, DAY + timedelta(minutes=45)),
}


def _candidates(settings: Settings, feed_server: FeedServer) -> dict[str, Candidate]:
    for outlet, (title, body, published) in PAGES.items():
        feed_server.publish(
            f"/{outlet}/story.html",
            "<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><meta property='article:published_time' content='{published.isoformat()}'>"
            f"</head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>",
        )
        feed_server.publish(
            f"/{outlet}/feed.xml",
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{outlet}</title><link>{{BASE_URL}}/</link><description>d</description>"
            f"<item><title>{title}</title><link>{{BASE_URL}}/{outlet}/story.html</link>"
            f"<guid isPermaLink='false'>{outlet}-1</guid>"
            f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
            "</channel></rss>",
        )
    pipeline = Pipeline(settings=settings)
    feeds = [registry_feed(outlet, feed_server.url(f"/{outlet}/feed.xml")) for outlet in PAGES]
    selected = pipeline.select_new([(feed, pipeline.poll_feed(feed)) for feed in feeds])
    assert len(selected) == len(PAGES)
    return {c.feed.name: c for c in selected}


def _stored(es: Elasticsearch, settings: Settings) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=settings.index("articles"), ignore_unavailable=True)
    return {
        hit["_source"]["url"]: hit["_source"]
        for hit in scan(es, index=settings.index("articles"), ignore_unavailable=True)
    }


def _start(pipeline: Pipeline, batch: list[Candidate], pending: Any = ()) -> Any:
    return pipeline.start_batch(batch, pipeline.fetch_pages(batch), pending=pending)


def test_the_sequence_moves_with_commits_and_with_writes_made_without_the_lease(
    es: Elasticsearch, settings: Settings
) -> None:
    assert read_commit_sequence(es, settings) == (0, "")
    write_commit_sequence(es, settings, 3, "worker-1")
    assert read_commit_sequence(es, settings) == (3, "")
    mark_external_write(es, settings)
    seq, external = read_commit_sequence(es, settings) or (0, "")
    assert seq == 3 and external
    write_commit_sequence(es, settings, 4, "worker-1")  # a commit keeps the replay's mark
    assert read_commit_sequence(es, settings) == (4, external)


def test_a_single_writer_reuses_its_pre_check_search_and_still_folds_a_copy_of_its_last_batch(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer
) -> None:
    """As `vigie run` overlaps batches: the second batch is pre-checked while the first is not
    stored yet (pending), then both commit; nobody else wrote, so neither commit searches the
    index again, and the copy in the second batch is folded into the first batch's article."""
    candidates = _candidates(settings, feed_server)
    pipeline = Pipeline(settings=settings)
    first = _start(pipeline, [candidates["quayside"]])
    second = _start(pipeline, [candidates["wirecopy"], candidates["uplands"]], first.articles)
    pipeline.finish_batch(first)
    pipeline.finish_batch(second)

    assert pipeline.summary.metrics.get("dedup:commit_search_reused") == 2
    stored = _stored(es, settings)
    urls = {outlet: feed_server.url(f"/{outlet}/story.html") for outlet in PAGES}
    assert set(stored) == {urls["quayside"], urls["uplands"]}
    assert stored[urls["quayside"]]["duplicate_urls"] == [urls["wirecopy"]]
    assert read_commit_sequence(es, settings) == (4, "")  # two commits, two moves each

    # A third batch, pre-checked now, searches the index as it is: the first two batches are
    # stored and refreshed, the copy of a stored article is found there.
    third = _start(Pipeline(settings=settings), [candidates["wirecopy"]])
    assert third.articles[0].duplicate_of is not None


def test_a_commit_by_another_worker_since_the_pre_check_makes_the_commit_search_again(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer
) -> None:
    """The copy is pre-checked before the original is stored (by another worker): its pre-check
    finds nothing, and its commit, seeing another worker's commit in the sequence, searches
    again and folds it."""
    candidates = _candidates(settings, feed_server)
    late = Pipeline(settings=settings)
    batch = _start(late, [candidates["wirecopy"]])
    assert batch.articles[0].duplicate_of is None  # nothing stored yet

    Pipeline(settings=settings).process_batch([candidates["quayside"]])
    late.finish_batch(batch)

    assert "dedup:commit_search_reused" not in late.summary.metrics
    assert late.summary.metrics.get("dedup:late_copies") == 1
    urls = {outlet: feed_server.url(f"/{outlet}/story.html") for outlet in PAGES}
    stored = _stored(es, settings)
    assert set(stored) == {urls["quayside"]}
    assert stored[urls["quayside"]]["duplicate_urls"] == [urls["wirecopy"]]


def test_a_spool_replay_since_the_pre_check_makes_the_commit_search_again(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer
) -> None:
    """A write without the lease (a spool replay) marks the sequence: the commit searches."""
    candidates = _candidates(settings, feed_server)
    pipeline = Pipeline(settings=settings)
    batch = _start(pipeline, [candidates["uplands"]])
    mark_external_write(es, settings)
    pipeline.finish_batch(batch)
    assert "dedup:commit_search_reused" not in pipeline.summary.metrics
