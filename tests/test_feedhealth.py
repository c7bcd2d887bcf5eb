"""Feed health across polls: a broken feed stays broken until it is fixed (a 304 does not make
it look healthy), a malformed feed whose items were read is flagged, not failed."""

from __future__ import annotations

from helpers import registry_feed

from ingest.feeds import Feed
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer
from vigie.run import feedhealth
from vigie.run.pipeline import Pipeline

GOOD_ITEM = "<item><title>Frappe sur Kharkiv</title><link>{BASE_URL}/a/1.html</link><guid>1</guid></item>"


def _feed(server: FeedServer, path: str) -> Feed:
    return registry_feed("hostile", server.url(path), poll_interval_minutes=10)


def test_a_refused_feed_stays_failing_on_the_next_polls(settings: Settings, feed_server: FeedServer) -> None:
    feed_server.publish("/feeds/broken.xml", b"\x00\x01 this is not a feed <<<")
    feed = _feed(feed_server, "/feeds/broken.xml")
    for expected in (1, 2, 3):
        pipeline = Pipeline(settings=settings)
        assert pipeline.poll_feed(feed) == []
        pipeline.commit_validators()  # what a run does at its end
        assert pipeline.summary.get("feeds", "refused") == 1  # re-read, not a quiet 304
        assert feedhealth.load(settings, "hostile").consecutive_failures == expected
    assert feed.name in {h.name for h in feedhealth.failing_feeds(settings, 3)}


def test_a_304_repeats_the_previous_verdict(settings: Settings) -> None:
    feedhealth.record_poll(settings, "f", "xml:unparseable")
    assert feedhealth.record_poll(settings, "f", None, unchanged=True).consecutive_failures == 2
    healthy = feedhealth.record_poll(settings, "g", None)
    assert feedhealth.record_poll(settings, "g", None, unchanged=True).last_success >= healthy.last_success


def test_a_truncated_feed_keeps_its_items_and_is_flagged(settings: Settings, feed_server: FeedServer) -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>' + GOOD_ITEM
    feed_server.publish("/feeds/truncated-now.xml", body + "<item><title>coup")
    pipeline = Pipeline(settings=settings)
    items = pipeline.poll_feed(_feed(feed_server, "/feeds/truncated-now.xml"))
    assert [item.title for item in items] == ["Frappe sur Kharkiv"]
    health = feedhealth.load(settings, "hostile")
    assert health.consecutive_failures == 0 and health.last_warning
    assert pipeline.summary.stages["feeds"].reasons.get("accepted:partial") == 1
    # What the truncation cost reaches the run summary, with the feed's name.
    assert pipeline.summary.stages["parse"].reasons.get("refused:feed") == 1
    assert any(
        f.item == "hostile" and f.reason.startswith("feed:truncated") for f in pipeline.summary.failures
    )


def test_only_due_feeds_are_polled(settings: Settings, feed_server: FeedServer) -> None:
    """`poll_interval_minutes` in the registry is honoured: a feed polled a minute ago with a
    ten-minute interval is not fetched again; one polled eleven minutes ago is."""
    import dataclasses
    from datetime import UTC, datetime, timedelta

    due_only = dataclasses.replace(settings, poll_due_only=True)
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + GOOD_ITEM + "</channel></rss>"
    )
    feed_server.publish("/feeds/interval.xml", body)
    feed = _feed(feed_server, "/feeds/interval.xml")
    assert len(Pipeline(settings=due_only).poll_feed(feed)) == 1  # never polled: due
    requests = len(feed_server.requests)
    assert requests >= 1
    second = Pipeline(settings=due_only)
    assert second.poll_feed(feed) == []
    assert second.summary.stages["feeds"].reasons == {"skipped:not_due": 1}
    assert len(feed_server.requests) == requests  # nothing was fetched
    feedhealth.record_poll(settings, feed.name, None, when=datetime.now(UTC) - timedelta(minutes=11))
    assert feedhealth.is_due(settings, feed.name, feed.poll_interval_minutes)
    assert not feedhealth.is_due(settings, feed.name, 30)
