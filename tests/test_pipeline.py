"""`vigie run`'s pass over the sample site, end to end on real parts: the feed server over HTTP,
the real node, the real spaCy model. What the foundation issue asks of a fresh clone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from ingest.feeds import load_feeds
from ingest.urls import article_id
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Pipeline

if TYPE_CHECKING:
    from ingest.feeds import Feed

SAMPLE_FEEDS = REPO_ROOT / "sample_corpus" / "feeds.yaml"
MANIFEST = json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text(encoding="utf-8"))


def _ids(server: FeedServer) -> dict[str, str]:
    return {doc["doc"]: article_id(server.url(doc["link_path"])) for doc in MANIFEST}


def _source(es, settings: Settings, doc_id: str) -> dict:  # type: ignore[no-untyped-def]
    """A document by id through the alias (which spans monthly indices)."""
    hits = es.search(index=settings.index("articles"), query={"ids": {"values": [doc_id]}})["hits"]["hits"]
    assert len(hits) == 1, f"{doc_id}: {len(hits)} documents"
    return hits[0]["_source"]


def _search_ids(es, settings: Settings, query: dict) -> set[str]:  # type: ignore[no-untyped-def]
    es.indices.refresh(index=settings.index("articles"))
    hits = es.search(index=settings.index("articles"), query=query, size=50)["hits"]["hits"]
    return {hit["_id"] for hit in hits}


@pytest.mark.slow
def test_sample_site_is_indexed_and_searchable(es, settings: Settings, feed_server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    feeds = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)
    summary = Pipeline(settings=settings).run(feeds)
    ids = _ids(feed_server)

    assert summary.get("feeds") == 2 and summary.get("extract") == 5, summary.model_dump()
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    assert es.count(index=settings.index("articles"))["count"] == 5
    assert _search_ids(es, settings, {"match_phrase": {"text": "frappe nucléaire"}}) == {ids["003"]}
    # The tracked link of 003 is stored under its canonical URL, without tracking parameters.
    doc = _source(es, settings, ids["003"])
    assert "utm_" not in doc["url"] and "xtor" not in doc["url"]
    # The ISO-8859-1 page arrived with its accents intact.
    doc_001 = _source(es, settings, ids["001"])
    assert "Moscou frappée" in doc_001["title"] and "Ã" not in doc_001["text"]
    # 000 and 002 report the same drone attack: one story, one massive-drone-attack alert.
    assert _source(es, settings, ids["000"])["story_id"] == _source(es, settings, ids["002"])["story_id"]
    # Incidents, not sentences: 001 gives the interceptions in a paragraph ("34 ... tandis que 36
    # autres") and again in two bullet points; the dashboard's sum must read 70, not 140.
    es.indices.refresh(index=settings.index("events"))
    events_001 = [
        hit["_source"]
        for hit in es.search(
            index=settings.index("events"), query={"term": {"article_id": ids["001"]}}, size=100
        )["hits"]["hits"]
    ]
    assert sum((e.get("intercepted") or {}).get("value", 0) for e in events_001) == 70
    (raid,) = [e for e in events_001 if e["sub_event_type"] == "Air/drone strike"]
    bullets = [
        m["sentence"] for m in raid["mentions"] if m["sentence"].lstrip("-• ").startswith(("34", "36"))
    ]
    assert len(bullets) == 2 and raid["mention_count"] == len(raid["mentions"]) >= 3
    es.indices.refresh(index=settings.index("alerts"))
    massive = es.search(index=settings.index("alerts"), query={"term": {"rule": "attaque_massive_drones"}})
    assert [sorted(h["_source"]["article_ids"]) for h in massive["hits"]["hits"]] == [
        sorted([ids["000"], ids["002"]])
    ]

    # A second pass changes nothing: the feeds answer 304.
    again = Pipeline(settings=settings).run(feeds)
    assert again.get("feeds", "skipped") == 2 and again.get("extract") == 0
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    assert es.count(index=settings.index("articles"))["count"] == 5


@pytest.mark.slow
def test_a_new_item_is_searchable_after_the_next_run(es, settings: Settings, feed_server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    """Freshness: the item published between two runs is searchable when the next run ends.

    The latency is measured and printed (the budget is one schedule interval + 2 minutes;
    speed is reported by the benchmarks, not asserted here)."""
    feeds = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)
    Pipeline(settings=settings).run(feeds)
    original = (REPO_ROOT / "sample_corpus" / "site" / "feeds" / "direct.xml").read_text(encoding="utf-8")
    page = "/articles/2025/03/12/nouvelle-vague-de-drones.html"
    item = (
        "<item><title>Nouvelle vague de drones sur Belgorod</title>"
        f'<link>{{BASE_URL}}{page}</link><guid isPermaLink="false">direct-belgorod-1</guid>'
        "<pubDate>Wed, 12 Mar 2025 07:00:00 +0100</pubDate>"
        "<description>Une nouvelle vague de drones a visé la région de Belgorod.</description></item>"
    )
    feed_server.publish("/feeds/direct.xml", original.replace("<item>", item + "<item>", 1))
    body = " ".join(
        ["Une nouvelle vague de drones a visé la région de Belgorod dans la nuit, selon le gouverneur local."]
        * 6
    )
    feed_server.publish(
        page, f"<html lang='fr'><body><article><h1>Nouvelle vague</h1><p>{body}</p></article></body></html>"
    )
    published_at = time.monotonic()
    summary = Pipeline(settings=settings).run(feeds)
    latency = time.monotonic() - published_at
    new_id = article_id(feed_server.url(page))
    assert _search_ids(es, settings, {"match_phrase": {"text": "vague de drones"}}) == {new_id}
    assert summary.get("select") == 1  # only the new item was fetched; the rest were already indexed
    print(f"\nfreshness: searchable {latency:.1f}s after publication (+ up to one schedule interval)")


@pytest.mark.slow
def test_vigie_run_cli_prints_the_summary(es, settings: Settings, feed_server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "VIGIE_FEEDS": str(SAMPLE_FEEDS), "VIGIE_FEEDS_BASE_URL": feed_server.base_url}
    result = subprocess.run(
        [sys.executable, "-m", "vigie.cli", "run"], capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Vigie run summary" in result.stdout and "Feeds polled" in result.stdout
    assert "Time per stage" in result.stdout
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    assert es.count(index=settings.index("articles"))["count"] == 5


@pytest.mark.slow
def test_a_copy_stored_before_its_original_is_not_doubled(
    es, settings: Settings, feed_server: FeedServer
) -> None:  # type: ignore[no-untyped-def]
    """The syndicated copy of 000 (published 18:45) is polled and stored first; when 000
    itself (15:30) arrives on a later run, it is folded into the stored copy, not stored again."""
    from ingest.feeds import Feed

    copy_page = "/articles/syndicated-copy-000.html"
    feed_server.publish(
        "/feeds/relais.xml",
        "<rss version='2.0'><channel><title>Relais Info</title><link>{BASE_URL}/</link><description>d</description>"
        "<item><title>Attaque record de drones sur Moscou</title>"
        f"<link>{{BASE_URL}}{copy_page}</link><guid isPermaLink='false'>relais-8812</guid>"
        "<pubDate>Tue, 11 Mar 2025 18:45:00 +0100</pubDate><description>Copie.</description></item>"
        "</channel></rss>",
    )
    relais = Feed(
        name="relais", title="Relais", url=feed_server.url("/feeds/relais.xml"), language="fr",
        country="FR", poll_interval_minutes=10, category="international",
    )  # fmt: skip
    Pipeline(settings=settings).run([relais])
    feeds = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)
    summary = Pipeline(settings=settings).run(feeds)

    copy_id, original_url = article_id(feed_server.url(copy_page)), feed_server.url(MANIFEST[0]["link_path"])
    assert MANIFEST[0]["doc"] == "000"
    assert es.count(index=settings.index("articles"))["count"] == 5  # 001-004 + the stored copy
    stored = _source(es, settings, copy_id)
    assert original_url in stored["duplicate_urls"]
    assert set(stored["sources"]) >= {"Le Veilleur International"} and len(stored["sources"]) == 2
    assert summary.metrics.get("duplicates:of_stored") == 1


def _stored_fields(es, settings: Settings) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    hits = es.search(index=settings.index("articles"), size=50, query={"match_all": {}})["hits"]["hits"]
    return {
        hit["_id"]: (
            hit["_source"].get("duplicate_of"),
            sorted(hit["_source"].get("duplicate_urls") or []),
            hit["_source"].get("event_count"),
            sorted(e["id"] for e in hit["_source"].get("entities") or []),
            hit["_source"].get("enriched"),
        )
        for hit in hits
    }


def _publish_relais_copy(feed_server: FeedServer) -> tuple[Feed, str]:
    """A second outlet carrying a syndicated copy of 000, published three hours after it."""
    from ingest.feeds import Feed

    copy_page = "/articles/syndicated-copy-000.html"
    feed_server.publish(
        "/feeds/relais.xml",
        "<rss version='2.0'><channel><title>Relais Info</title><link>{BASE_URL}/</link><description>d</description>"
        "<item><title>Attaque record de drones sur Moscou</title>"
        f"<link>{{BASE_URL}}{copy_page}</link><guid isPermaLink='false'>relais-8812</guid>"
        "<pubDate>Tue, 11 Mar 2025 18:45:00 +0100</pubDate><description>Copie.</description></item>"
        "</channel></rss>",
    )
    relais = Feed(
        name="relais", title="Relais", url=feed_server.url("/feeds/relais.xml"), language="fr",
        country="FR", poll_interval_minutes=10, category="international",
    )  # fmt: skip
    return relais, copy_page


@pytest.mark.slow
def test_dedup_compares_with_the_batch_still_being_enriched(
    es, settings: Settings, feed_server: FeedServer
) -> None:  # type: ignore[no-untyped-def]
    """While batch N is enriched (not indexed yet), batch N+1 is deduplicated: N counts as stored."""
    relais, copy_page = _publish_relais_copy(feed_server)
    feeds = [*load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url), relais]
    pipeline = Pipeline(settings=settings)
    candidates = pipeline.select_new([(feed, pipeline.poll_feed(feed)) for feed in feeds])
    by_id = {c.article_id: c for c in candidates}
    original = by_id[_ids(feed_server)["000"]]
    copy = by_id[article_id(feed_server.url(copy_page))]
    first, second = pipeline.fetch_articles([original]), pipeline.fetch_articles([copy])
    pipeline.deduplicate(first)
    alone = [a.model_copy(deep=True) for a in second]
    pipeline.deduplicate(alone)  # nothing indexed: the copy looks new
    assert alone[0].duplicate_of is None
    pipeline.deduplicate(second, pending=first)
    assert (second[0].duplicate_of, second[0].duplicate_kind) == (original.article_id, "near")


@pytest.mark.slow
def test_batches_overlapped_with_enrichment_workers_store_the_same_as_one_pass(
    es, settings: Settings, feed_server: FeedServer
) -> None:  # type: ignore[no-untyped-def]
    """Batches of one article, enriched in a worker process while the next one is fetched and
    deduplicated, store what one in-process pass stores: the same articles with the same
    enrichment and events, nothing doubled. Only which of 000 and its copy is the stored
    original may differ: across batches the one that arrives first stays (see deduplicate)."""
    import dataclasses

    from vigie.store.es import install_templates, uninstall_templates

    relais, copy_page = _publish_relais_copy(feed_server)
    feeds = [*load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url), relais]
    one_pass = Pipeline(settings=settings).run(feeds)
    streamed_settings = dataclasses.replace(
        settings, index_prefix=f"{settings.index_prefix}-streamed", batch_size=1, enrich_workers=1
    )
    install_templates(es, streamed_settings)
    try:
        (streamed_settings.state_dir / "http_validators.json").unlink(missing_ok=True)
        batches: list[list[str]] = []
        pipeline = Pipeline(settings=streamed_settings)
        pipeline.after_batch = lambda articles, events: batches.append([a.id for a in articles])
        streamed = pipeline.run(feeds)

        assert len(batches) == 6 and all(len(batch) == 1 for batch in batches)
        pair = {_ids(feed_server)["000"]: feed_server.url(MANIFEST[0]["link_path"]),
                article_id(feed_server.url(copy_page)): feed_server.url(copy_page)}  # fmt: skip
        assert streamed.get("dedup", "skipped") + streamed.metrics.get("duplicates:of_stored", 0) >= 1
        stored = {s.index_prefix: _stored_fields(es, s) for s in (settings, streamed_settings)}
        for prefix, fields in stored.items():
            assert len(fields) == 5, prefix
            kept = [doc_id for doc_id in pair if doc_id in fields]
            assert len(kept) == 1, prefix  # one of the two, the other folded into it
            (other_url,) = [url for doc_id, url in pair.items() if doc_id != kept[0]]
            assert fields[kept[0]][1] == [other_url], prefix
        rest = {
            prefix: {k: v for k, v in fields.items() if k not in pair} for prefix, fields in stored.items()
        }
        assert rest[settings.index_prefix] == rest[streamed_settings.index_prefix]
        assert all(v[4] and v[2] is not None for v in rest[settings.index_prefix].values())

        def events(s: Settings) -> list[str]:
            query = {"bool": {"must_not": [{"terms": {"article_id": list(pair)}}]}}
            hits = es.search(index=s.index("events"), size=500, query=query)["hits"]["hits"]
            return sorted(hit["_id"] for hit in hits)

        assert events(settings) and events(settings) == events(streamed_settings)
        assert streamed.seconds["enrich"] > 0 and set(streamed.seconds) >= {"fetch", "dedup", "index"}
        assert one_pass.get("enrich") == streamed.get("enrich")
    finally:
        uninstall_templates(es, streamed_settings)


@pytest.mark.parametrize(
    ("total", "size", "expected"),
    [
        (1000, 200, [25, 200, 200, 200, 200, 175]),
        (200, 200, [200]),  # one batch: nothing to overlap, no small first batch
        (201, 200, [25, 176]),
        (450, 200, [25, 200, 200, 25]),
        (5, 1, [1, 1, 1, 1, 1]),
        (0, 200, []),
    ],
)
def test_a_pass_starts_with_a_small_batch_then_full_ones(total: int, size: int, expected: list[int]) -> None:
    """The workers get their first articles after an eighth of a batch; then full batches, as
    few as the size allows (each is a bulk, a lease and a refresh); none exceeds the size."""
    from vigie.run.pipeline import batch_sizes

    sizes = batch_sizes(total, size)
    assert sizes == expected
    assert sum(sizes) == total and all(0 < s <= size for s in sizes)


@pytest.mark.slow
def test_alerts_are_delivered_as_each_batch_is_stored(
    es, settings: Settings, feed_server: FeedServer
) -> None:  # type: ignore[no-untyped-def]
    """The desk hears of a batch's alerts once the batch is stored, not at the end of the pass
    (the delivery thread gets them then; the hook waits for it to have been through them);
    the end-of-pass sweep sends nothing a second time."""
    import dataclasses

    from vigie.store.es import install_templates, uninstall_templates

    streamed = dataclasses.replace(settings, index_prefix=f"{settings.index_prefix}-delivery", batch_size=1)
    install_templates(es, streamed)
    try:
        (streamed.state_dir / "http_validators.json").unlink(missing_ok=True)
        seen: list[tuple[int, int]] = []  # (alerts stored, of which still pending) after each batch

        def after_batch(articles, events) -> None:  # type: ignore[no-untyped-def]
            assert pipeline.deliverer is not None and pipeline.deliverer.drain(30)
            absent_ok = {"ignore_unavailable": True, "allow_no_indices": True}  # no alert yet
            es.indices.refresh(index=streamed.index("alerts"), **absent_ok)
            hits = es.search(index=streamed.index("alerts"), size=100, **absent_ok)["hits"]["hits"]
            seen.append((len(hits), sum(1 for hit in hits if hit["_source"]["status"] == "pending")))

        pipeline = Pipeline(settings=streamed)
        pipeline.after_batch = after_batch
        summary = pipeline.run(load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url))

        assert len(seen) == 5 and seen[-1][0] >= 1, seen
        assert all(pending == 0 for _, pending in seen), seen  # sent while the pass went on
        es.indices.refresh(index=streamed.index("alerts"))
        hits = es.search(index=streamed.index("alerts"), size=100)["hits"]["hits"]
        deliveries = [d for hit in hits for d in hit["_source"]["deliveries"]]
        assert deliveries and all(d["status"] == "sent" and d["attempts"] == 1 for d in deliveries)
        assert summary.get("alert_delivery") == len(deliveries)
        assert summary.metrics["alerts:pending_after_delivery"] == 0
    finally:
        uninstall_templates(es, streamed)
