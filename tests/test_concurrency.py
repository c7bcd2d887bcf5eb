"""Race-free shared state (issue 17): many workers at once store each article once, each story
under one id, and one alert per rule per story.

The lease (`vigie.store.lease`) on the real Elasticsearch node: held by one handle at a time,
taken over after its TTL, released only by its holder, re-entered at once by a holder of the
same name after a crash (which fences the earlier incarnation out).

Two workers (threads, each its own `Pipeline`, client and lease holder) commit batches at the
same time: real HTTP from the local feed server, the real enricher, the real node. The race is
made deterministic with events: both batches are fetched, extracted, pre-checked and enriched
before either commits, and inside the commit each worker waits (a bounded time) for the other
to be as far before it stores its articles. Without the lease both have deduplicated and
assigned stories before either stores anything, and the copy and the story are doubled; with
it the second commit waits for the first to release the lease, so the first worker's wait
runs out, and the second reads what the first stored. Articles and
feeds are written here, not taken from the gold sets.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan
from helpers import registry_feed

from ingest.urls import article_id
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Candidate, Pipeline
from vigie.store.lease import Lease, LeaseLost, LeaseTimeout, lease_index, read_lease

# -- the lease -----------------------------------------------------------------------------------


def _lease(
    es: Elasticsearch, settings: Settings, holder: str, *, ttl: float = 30.0, wait: float = 0.0
) -> Lease:
    return Lease(es, lease_index(settings), "commit:test", holder=holder, ttl=ttl, wait=wait)


def test_a_held_lease_makes_others_wait_and_is_free_again_once_released(
    es: Elasticsearch, settings: Settings
) -> None:
    first = _lease(es, settings, "worker-1").acquire()
    with pytest.raises(LeaseTimeout, match="held by worker-1"):
        _lease(es, settings, "worker-2", wait=0.3).acquire()

    released = threading.Timer(0.4, first.release)
    released.start()
    second = _lease(es, settings, "worker-2", wait=10).acquire()  # blocks until the release
    released.join()
    assert second.waited >= 0.3 and second.taken_over_from is None and not second.reentered
    stored = read_lease(es, lease_index(settings), "commit:test")
    assert stored is not None and stored["holder"] == "worker-2" and stored["token"] == second.token
    second.fence()  # written a moment ago: it cannot have expired, nothing to write
    assert read_lease(es, lease_index(settings), "commit:test") == stored
    assert second.release() is True
    assert read_lease(es, lease_index(settings), "commit:test") is None


def test_an_expired_lease_is_taken_over_and_only_its_new_holder_releases_it(
    es: Elasticsearch, settings: Settings
) -> None:
    crashed = _lease(es, settings, "worker-1", ttl=0.3).acquire()
    with pytest.raises(LeaseTimeout):  # not expired yet
        _lease(es, settings, "worker-2", wait=0).acquire()
    time.sleep(0.4)
    taker = _lease(es, settings, "worker-2", wait=0).acquire()
    assert taker.taken_over_from == "worker-1"

    # The old holder comes back: it is fenced out, and its release leaves the new lease alone.
    with pytest.raises(LeaseLost, match="taken over by worker-2"):
        crashed.fence()  # more than a third of its TTL ago: checked
    assert crashed.release() is False
    stored = read_lease(es, lease_index(settings), "commit:test")
    assert stored is not None and stored["token"] == taker.token
    taker.renew()  # the holder's own fencing check passes and extends the lease
    assert taker.release() is True


def test_a_holder_of_the_same_name_reenters_at_once_after_a_crash_and_fences_the_old_one_out(
    es: Elasticsearch, settings: Settings
) -> None:
    first_attempt = _lease(es, settings, "run-7/batch-0002", ttl=600).acquire()  # then dies holding it
    with pytest.raises(LeaseTimeout):
        _lease(es, settings, "run-7/batch-0003", wait=0).acquire()  # another holder must wait
    retry = _lease(es, settings, "run-7/batch-0002", wait=0).acquire()  # no wait for the TTL
    assert retry.reentered and retry.token != first_attempt.token
    with pytest.raises(LeaseLost):
        first_attempt.renew()
    assert first_attempt.release() is False
    assert retry.release() is True


def test_of_many_takers_of_an_expired_lease_exactly_one_gets_it(
    es: Elasticsearch, settings: Settings
) -> None:
    _lease(es, settings, "dead", ttl=0.2).acquire()
    time.sleep(0.3)
    start = threading.Barrier(4)
    won: list[Lease] = []

    def take(n: int) -> None:
        lease = _lease(es, settings, f"taker-{n}", wait=0)
        start.wait()
        with suppress(LeaseTimeout):
            won.append(lease.acquire())

    threads = [threading.Thread(target=take, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and won[0].taken_over_from == "dead"
    stored = read_lease(es, lease_index(settings), "commit:test")
    assert stored is not None and stored["token"] == won[0].token


# -- two workers committing at once --------------------------------------------------------------

# One incident (a drone strike on a market of Kramatorsk), told by outlet A; B carries A's text
# under another title (exact copy), C the same with a few words changed (near copy), D is
# another outlet's own report of the same strike (same story, not a copy).
MARKET = [
    "Quatre civils ont été tués lundi matin par une frappe de drone russe sur un marché de "
    "Kramatorsk, dans l'est de l'Ukraine, a indiqué le chef de l'administration militaire régionale.",
    "Selon les autorités locales, le drone a touché une rangée d'étals peu après l'ouverture, alors "
    "que de nombreux habitants faisaient leurs courses. Sept autres personnes ont été blessées et "
    "transportées vers l'hôpital de la ville.",
    "Les équipes de secours sont restées sur place jusqu'en début d'après-midi pour dégager les "
    "débris et sécuriser les bâtiments voisins, dont plusieurs vitrines ont été soufflées par l'explosion.",
    "La ville, située à une vingtaine de kilomètres de la ligne de front, est régulièrement visée par "
    "des drones et des bombes guidées depuis le début de l'année.",
]
NEAR = [
    MARKET[0],
    MARKET[1].replace("de nombreux habitants", "beaucoup d'habitants"),
    MARKET[2].replace("jusqu'en début d'après-midi", "jusqu'au début de l'après-midi"),
    MARKET[3],
]
OTHER_REPORT = [
    "Un drone russe a frappé lundi matin le marché central à Kramatorsk, tuant quatre civils et en "
    "blessant sept autres, selon le parquet régional de Donetsk.",
    "Le marché venait d'ouvrir quand l'engin a explosé au-dessus des stands de fruits et légumes. Des "
    "photos diffusées par la police montrent des toits de tôle arrachés et des voitures calcinées.",
    "Le procureur a ouvert une enquête pour crime de guerre. Kramatorsk, l'une des principales villes "
    "encore contrôlées par Kyiv dans la région, accueille de nombreux déplacés venus des localités "
    "proches du front.",
]
DAY = datetime(2025, 6, 9, 8, 0, tzinfo=UTC)  # a Monday
# outlet -> (title, paragraphs, published); the two workers' batches: [A, C] and [B, D].
OUTLETS: dict[str, tuple[str, list[str], datetime]] = {
    "guetteur": ("Frappe de drone sur un marché de Kramatorsk : quatre civils tués", MARKET, DAY),
    "relais": ("Kramatorsk : un drone frappe un marché, quatre morts", MARKET, DAY + timedelta(minutes=20)),
    "echo": ("Ukraine : quatre civils tués à Kramatorsk", NEAR, DAY + timedelta(minutes=40)),
    "vigilant": ("Le marché de Kramatorsk visé par un drone", OTHER_REPORT, DAY + timedelta(minutes=60)),
}
BATCHES = (("guetteur", "echo"), ("relais", "vigilant"))
WAIT_FOR_OTHER_READS = 3.0  # seconds a worker waits, inside its commit, for the other's


def _page(outlet: str, title: str, paragraphs: list[str], published: datetime) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:site_name' content='{outlet.title()}'>"
        f"<meta property='article:published_time' content='{published.isoformat()}'>"
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def _feed(outlet: str, title: str, published: datetime) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{outlet}</title><link>{{BASE_URL}}/</link><description>d</description>"
        f"<item><title>{title}</title><link>{{BASE_URL}}/{outlet}/kramatorsk.html</link>"
        f"<guid isPermaLink='false'>{outlet}-1</guid>"
        f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        "</channel></rss>"
    )


def _rules(tmp_path: Path) -> Path:
    data = {
        "version": 1,
        "defaults": {"throttle": "24h", "notifiers": ["log"]},
        "notifiers": {"log": {"type": "log", "level": "INFO"}},
        "rules": [
            {"name": "civils_tues", "severity": "high", "condition": {"phrase": {"words": "civils tués", "max_distance": 3}}},
            {"name": "drone", "severity": "medium", "condition": {"phrase": {"words": "drone"}}},
        ],
    }  # fmt: skip
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _candidates(settings: Settings, feed_server: FeedServer) -> dict[str, Candidate]:
    for outlet, (title, paragraphs, published) in OUTLETS.items():
        feed_server.publish(f"/{outlet}/kramatorsk.html", _page(outlet, title, paragraphs, published))
        feed_server.publish(f"/{outlet}/feed.xml", _feed(outlet, title, published))
    pipeline = Pipeline(settings=settings)
    feeds = [registry_feed(outlet, feed_server.url(f"/{outlet}/feed.xml")) for outlet in OUTLETS]
    selected = pipeline.select_new([(feed, pipeline.poll_feed(feed)) for feed in feeds])
    assert len(selected) == len(OUTLETS)
    return {c.feed.name: c for c in selected}


class Worker(Pipeline):
    """The real pipeline, with meeting points around its commit (see the module docstring)."""

    def __init__(
        self, settings: Settings, enriched: threading.Barrier, first_in: threading.Event, first: bool
    ):
        super().__init__(settings=settings)
        self.enriched, self.first_in, self.is_first = enriched, first_in, first
        self.ready = threading.Event()  # this worker is about to store its articles
        self.other: Worker | None = None
        self.other_ready_in_time: bool | None = None
        self.section: tuple[float, float] = (0.0, 0.0)

    def start_enrichment(self, articles: Any) -> Any:
        with ENRICHING:  # one model in this process: the two threads enrich in turn
            return super().start_enrichment(articles)

    @contextmanager
    def commit_section(self) -> Iterator[Any]:
        self.enriched.wait(timeout=300)  # both batches enriched: neither has committed
        if not self.is_first:
            assert self.first_in.wait(timeout=60)  # the other worker asks for the lease first
            time.sleep(0.2)
        with super().commit_section() as fence:
            entered = time.monotonic()
            self.first_in.set()
            yield fence
        self.section = (entered, time.monotonic())

    def index(self, articles: Any, events: Any) -> None:
        # Deduplicated, stories assigned, alerts evaluated: the articles are stored next.
        self.ready.set()
        assert self.other is not None
        self.other_ready_in_time = self.other.ready.wait(timeout=WAIT_FOR_OTHER_READS)
        super().index(articles, events)


ENRICHING = threading.Lock()


def _race(settings: Settings, batches: list[list[Candidate]]) -> tuple[Worker, Worker]:
    enriched, first_in = threading.Barrier(2), threading.Event()
    workers = (Worker(settings, enriched, first_in, True), Worker(settings, enriched, first_in, False))
    workers[0].other, workers[1].other = workers[1], workers[0]
    errors: list[BaseException] = []

    def work(worker: Worker, batch: list[Candidate]) -> None:
        try:
            worker.process_batch(batch)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
            enriched.abort()

    threads = [threading.Thread(target=work, args=pair) for pair in zip(workers, batches, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    return workers


def _stored(es: Elasticsearch, settings: Settings, kind: str) -> list[dict[str, Any]]:
    es.indices.refresh(index=settings.index(kind), ignore_unavailable=True)
    return [hit["_source"] for hit in scan(es, index=settings.index(kind), ignore_unavailable=True)]


@pytest.fixture
def race_settings(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(
        settings, rules_file=_rules(tmp_path), poll_due_only=False, update_window_hours=0
    )


@pytest.mark.slow
@pytest.mark.parametrize("first", [0, 1], ids=["original-first", "copies-first"])
def test_two_workers_committing_at_once_store_one_article_one_story_one_alert_per_rule(
    es: Elasticsearch, race_settings: Settings, feed_server: FeedServer, first: int
) -> None:
    candidates = _candidates(race_settings, feed_server)
    batches = [[candidates[outlet] for outlet in batch] for batch in BATCHES]
    if first:  # the worker holding the exact copy and the other report commits first
        batches.reverse()
    workers = _race(race_settings, batches)

    # The second commit waited for the first to release the lease: the sections never overlap,
    # and the first worker's wait for the other's reads ran out.
    assert workers[0].section[1] <= workers[1].section[0], (workers[0].section, workers[1].section)
    assert workers[0].other_ready_in_time is False and workers[1].other_ready_in_time is True
    assert workers[1].summary.seconds["commit.wait"] > 0.2

    urls = {outlet: feed_server.url(f"/{outlet}/kramatorsk.html") for outlet in OUTLETS}
    articles = _stored(es, race_settings, "articles")
    by_url = {a["url"]: a for a in articles}
    copies = {"guetteur", "relais", "echo"}
    (kept,) = [by_url[urls[o]] for o in copies if urls[o] in by_url]  # one of the three is stored
    assert sorted(kept["duplicate_urls"]) == sorted(urls[o] for o in copies if urls[o] != kept["url"])
    assert set(kept["sources"]) == {"Guetteur", "Relais", "Echo"}
    assert len(articles) == 2 and urls["vigilant"] in by_url
    # Each URL is known once: as a stored article or folded into one.
    known = Counter(
        [a["url"] for a in articles] + [u for a in articles for u in a.get("duplicate_urls") or []]
    )
    assert known == Counter(urls.values())

    stories = {a["story_id"] for a in articles}
    assert len(stories) == 1, articles
    assert {e["story_id"] for e in _stored(es, race_settings, "events")} == stories
    alerts = _stored(es, race_settings, "alerts")
    assert Counter(a["rule"] for a in alerts) == {"civils_tues": 1, "drone": 1}, alerts
    assert {a["story_id"] for a in alerts} == stories
    assert {s["story_id"] for s in _stored(es, race_settings, "stories")} == stories


@pytest.mark.slow
def test_without_the_lease_both_workers_read_before_either_writes_and_the_copy_is_stored_twice(
    es: Elasticsearch, race_settings: Settings, feed_server: FeedServer
) -> None:
    """The race the lease closes: the same two batches, commits unserialised (the exact copy's
    worker did not see the original stored, and the other report joined the copy's story)."""
    settings = dataclasses.replace(race_settings, commit_lease=False)
    candidates = _candidates(settings, feed_server)
    workers = _race(settings, [[candidates[outlet] for outlet in batch] for batch in BATCHES])
    assert workers[0].other_ready_in_time and workers[1].other_ready_in_time

    articles = _stored(es, settings, "articles")
    urls = {outlet: feed_server.url(f"/{outlet}/kramatorsk.html") for outlet in OUTLETS}
    assert {a["url"] for a in articles} == {urls["guetteur"], urls["relais"], urls["vigilant"]}
    assert len({a["story_id"] for a in articles}) == 2  # one incident, two stories
    assert Counter(a["rule"] for a in _stored(es, settings, "alerts"))["drone"] == 2
    assert article_id(urls["relais"]) in {a["id"] for a in articles}
