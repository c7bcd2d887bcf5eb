"""Failure drills at the pipeline level: what a run survives, and what it says about it.

Each drill runs the real `Pipeline` stages against the local feed server (127.0.0.1 only)
and a real Elasticsearch node, and checks the `RunSummary`: every refusal carries its reason
and the good input beside the bad one still flows. Loops are bounded; nothing is timed.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pytest
from elasticsearch import Elasticsearch
from helpers import registry_feed
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ingest.feeds import Feed, load_feeds
from ingest.urls import article_id, canonicalize_url
from vigie.core.accounting import RunSummary
from vigie.core.models import Article
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Pipeline
from vigie.store import node as esnode

if TYPE_CHECKING:
    from conftest import PrivateNodes

SAMPLE_FEEDS = REPO_ROOT / "sample_corpus" / "feeds.yaml"
MANIFEST = json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text(encoding="utf-8"))
INTERNATIONAL = sum(1 for doc in MANIFEST if doc["feed"] == "/feeds/international.xml")
GOOD_PAGE = "/articles/2025/09/18/russie-intensifie-frappes-apres-sommet-alaska.html"
# Short network limits so the hang/reset drills end quickly (at most 4 s per URL, retries included).
FAST_FETCH = {
    "VIGIE_FETCH_CONNECT_TIMEOUT": "2",
    "VIGIE_FETCH_READ_TIMEOUT": "1",
    "VIGIE_FETCH_TOTAL_TIMEOUT": "4",
    "VIGIE_FETCH_BACKOFF": "0.05",
    "VIGIE_FETCH_HOST_DELAY": "0",
    "VIGIE_POLL_DUE_ONLY": "false",  # drills poll the same feeds again within seconds
}


@pytest.fixture
def fast_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FAST_FETCH.items():
        monkeypatch.setenv(key, value)


def _feed(name: str, url: str) -> Feed:
    return registry_feed(name, url)


def _rss(items: list[tuple[str, str, str]], channel: str = "Drill") -> str:
    """An RSS 2.0 document; items are (title, link, description)."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid isPermaLink='false'>{link}</guid>"
        f"<pubDate>Tue, 11 Mar 2025 12:00:00 +0100</pubDate><description>{description}</description></item>"
        for title, link, description in items
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>{channel}</title><link>{{BASE_URL}}/</link><description>drill</description>{body}"
        "</channel></rss>"
    )


def _reasons(summary: RunSummary, stage: str) -> dict[str, str]:
    """item -> reason of each refusal recorded for `stage`."""
    return {f.item: f.reason for f in summary.failures if f.stage == stage}


def _every_refusal_has_a_reason(summary: RunSummary) -> None:
    assert all(f.reason.strip() for f in summary.failures), summary.failures


def _poll_to_articles(pipeline: Pipeline, feeds: list[Feed]) -> list[Article]:
    """The ingestion half of a pass: poll, select, fetch + extract, language."""
    polled = [(feed, pipeline.poll_feed(feed)) for feed in feeds]
    articles = pipeline.fetch_articles(pipeline.select_new(polled))
    pipeline.detect_languages(articles)
    return articles


# -- Elasticsearch killed mid-run -------------------------------------------------------------


@pytest.fixture(scope="module")
def drill_node(private_nodes: PrivateNodes) -> Iterator[esnode.Node]:
    """A node of this module's own (free ports, fresh home): the drill kills it; never the
    session node."""
    try:
        node = private_nodes.start("bench-drill", heap="512m")
    except esnode.NodeError as error:
        pytest.fail(f"drill node could not start:\n{error}", pytrace=False)
    yield node
    esnode.stop(node, wipe=True)
    private_nodes.discard(node)


def _stored(es: Elasticsearch, index: str) -> list[dict[str, Any]]:
    es.indices.refresh(index=index)
    hits = es.search(index=index, size=1000, query={"match_all": {}})["hits"]["hits"]
    return [{"_id": hit["_id"], **hit["_source"]} for hit in hits]


@pytest.mark.slow
def test_node_killed_before_index_spools_and_next_run_stores_each_article_once(
    drill_node: esnode.Node, feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.store.es import client, install_templates

    env = {
        "ES_URL": drill_node.url,
        "VIGIE_INDEX_PREFIX": "drillkill",
        "VIGIE_STATE_DIR": str(tmp_path / "state"),
        "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
        **FAST_FETCH,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    client(settings).indices.delete(index="drillkill-*", ignore_unavailable=True, allow_no_indices=True)
    install_templates(client(settings), settings)
    feeds = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)
    down_during_index: list[bool] = []

    class KilledBeforeIndex(Pipeline):
        """The real pipeline; the node dies once enrichment, stories and alerts are done, and
        comes back after the index step (before delivery)."""

        def index(self, articles: Any, events: Any) -> None:
            esnode.kill(drill_node)
            super().index(articles, events)
            down_during_index.append(esnode.health(drill_node.url) is None)
            esnode.start(drill_node)

    first = KilledBeforeIndex(settings=settings).run(feeds)
    assert down_during_index == [True]
    spooled = sorted((settings.state_dir / "spool").glob("*.ndjson"))
    assert spooled, "the index step must spool what the cluster could not take"
    assert first.metrics.get("index.spooled", 0) >= len(MANIFEST)
    assert first.get("index.articles") == 0

    second = Pipeline(settings=settings).run(feeds)  # replays the spool first
    assert not list((settings.state_dir / "spool").glob("*.ndjson")), "replayed files are removed"
    assert second.get("spool") == len(spooled)

    # A third pass that re-fetches everything (validators forgotten) must not double anything.
    (settings.state_dir / "http_validators.json").unlink(missing_ok=True)
    third = Pipeline(settings=settings).run(feeds)
    assert third.get("select", "skipped") == len(MANIFEST) and third.get("extract") == 0

    es = client(settings)
    expected = {article_id(feed_server.url(doc["link_path"])) for doc in MANIFEST}
    articles = _stored(es, settings.index("articles"))
    assert Counter(a["_id"] for a in articles) == dict.fromkeys(expected, 1)
    urls = Counter(a["url"] for a in articles)
    assert set(urls.values()) == {1} and len(urls) == len(MANIFEST)
    events = _stored(es, settings.index("events"))
    assert events, "the spooled events were replayed too"
    assert len({e["_id"] for e in events}) == len(events)
    assert {e["article_id"] for e in events} <= expected
    es.indices.delete(index="drillkill-*", ignore_unavailable=True, allow_no_indices=True)


def test_delivery_with_the_cluster_unreachable_does_not_end_the_run(
    settings: Settings, es_down_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ES_URL", es_down_url)  # nothing listens there
    pipeline = Pipeline(settings=Settings())
    pipeline.deliver()  # pending alerts stay pending in the index for the next run's delivery
    assert pipeline.summary.stages["alert_delivery"].reasons == {"skipped:cluster_unreachable": 1}


# -- misbehaving feed servers -------------------------------------------------------------------


@pytest.mark.slow
def test_broken_feeds_are_refused_with_reasons_while_a_good_feed_flows(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, fast_fetch: None
) -> None:
    good = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)[0]  # international
    bad = {
        "http-500": ("/_drill/status?n=500", "http_500"),
        "hangs": ("/_drill/hang?n=3", "timeout"),
        "resets": ("/_drill/reset", "connection_error"),
        "garbage": ("/_drill/garbage?n=7", "xml:"),
        "billion-laughs": ("/feeds/billion-laughs.xml", "xml:entity_declaration"),
    }
    feeds = [_feed(name, feed_server.url(path)) for name, (path, _reason) in bad.items()]
    summary = Pipeline(settings=settings).run([feeds[0], feeds[1], good, *feeds[2:]])

    refused = _reasons(summary, "feeds")
    for name, (_path, reason) in bad.items():
        assert refused.get(name, "").startswith(reason), (name, refused)
    assert summary.get("feeds", "refused") == len(bad)
    assert summary.get("feeds") == 1  # the good one
    _every_refusal_has_a_reason(summary)
    es.indices.refresh(index=settings.index("articles"))
    stored = {
        hit["_source"]["feed"] for hit in es.search(index=settings.index("articles"), size=20)["hits"]["hits"]
    }
    assert stored == {good.name}
    assert es.count(index=settings.index("articles"))["count"] == INTERNATIONAL


# -- a 50 MB page ---------------------------------------------------------------------------------


def test_a_50_mb_page_is_capped_and_falls_back_to_its_summary_in_bounded_memory(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, fast_fetch: None
) -> None:
    good_item = ("Un bon article", "{BASE_URL}" + GOOD_PAGE, "Résumé du bon article.")
    feed_server.publish("/feeds/warm.xml", _rss([good_item]))
    feed_server.publish(
        "/feeds/big.xml",
        _rss(
            [
                ("Une page énorme", "{BASE_URL}/_drill/big?n=50", "Le résumé du flux tient lieu de texte."),
                (good_item[0], good_item[1] + "?again", good_item[2]),
            ]
        ),
    )
    pipeline = Pipeline(settings=settings)
    # One pass over a good page first: imports, language profiles and pools are not the page.
    assert len(_poll_to_articles(pipeline, [_feed("warm", feed_server.url("/feeds/warm.xml"))])) == 1
    process = psutil.Process()
    before = process.memory_info().rss
    articles = _poll_to_articles(pipeline, [_feed("big", feed_server.url("/feeds/big.xml"))])
    growth = process.memory_info().rss - before

    assert growth < 20 * 1024 * 1024, f"RSS grew by {growth / 2**20:.1f} MiB for a 50 MB page"
    # Keyed by the feed's summary: a fetched page's own headline wins over the feed title.
    by_summary = {a.summary: a for a in articles}
    big = by_summary["Le résumé du flux tient lieu de texte."]
    assert big.partial and big.partial_reason == "fetch:too_large"
    assert big.text == "Le résumé du flux tient lieu de texte."
    good = by_summary["Résumé du bon article."]
    assert not good.partial and len(good.text) > 1000
    assert pipeline.summary.stages["extract"].reasons.get("accepted:partial") == 1


# -- a feed of 10,000 items -----------------------------------------------------------------------


def test_a_feed_of_10000_items_is_parsed_and_selected_in_bounded_batches(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, fast_fetch: None
) -> None:
    from vigie.store.indexer import Indexer

    items = [
        (f"Article {i}", f"{{BASE_URL}}/huge/{i:05d}.html?utm_source=rss", f"Résumé {i}")
        for i in range(10_000)
    ]
    items.append(items[42])  # a repeated item: collapsed, not doubled
    feed_server.publish("/feeds/huge.xml", _rss(items, channel="Énorme"))
    pipeline = Pipeline(settings=settings)
    feed = _feed("huge", feed_server.url("/feeds/huge.xml"))
    polled = pipeline.poll_feed(feed)
    assert len(polled) == 10_000
    assert pipeline.summary.metrics["items"] == 10_000

    # 100 of them are already stored: they must be skipped, found through bounded queries.
    known = [
        Article(id=article_id(item.link), url=canonicalize_url(item.link), original_url=item.link,
                feed="huge", source="drill", title=item.title, language="fr")
        for item in polled[:100]
    ]  # fmt: skip
    Indexer(es, settings).index_articles(known, RunSummary())
    es.indices.refresh(index=settings.index("articles"))
    searches_before = _search_count(es, settings)
    candidates = pipeline.select_new([(feed, polled)])
    searches = _search_count(es, settings) - searches_before

    assert len(candidates) == 9_900
    assert pipeline.summary.get("select", "skipped") == 100
    assert pipeline.summary.get("select") == 9_900
    assert len({c.article_id for c in candidates}) == 9_900
    # 20,000 ids and URLs looked up: at least 20 queries of at most 1,000 values, not one huge one.
    assert searches >= 20


def _search_count(es: Elasticsearch, settings: Settings) -> int:
    stats = es.indices.stats(index=settings.index("articles"), metric="search")
    return int(stats["_all"]["primaries"]["search"]["query_total"])


# -- fuzzed feeds and pages -----------------------------------------------------------------------


def _mangle(data: bytes, how: str, rnd: random.Random) -> bytes:
    if how == "truncate":
        return data[: rnd.randrange(1, len(data))]
    if how == "random_bytes":
        at = rnd.randrange(len(data))
        return data[:at] + rnd.randbytes(rnd.randint(1, 400)) + data[at:]
    if how == "none":
        return data
    if how == "wrong_encoding":
        text = data.decode("utf-8")
        label = rnd.choice(["utf-8", "ISO-8859-1", "windows-1252", "utf-16", "koi8-r"])
        return text.replace("UTF-8", label).encode(
            rnd.choice(["latin-1", "utf-16-le", "cp1252"]), errors="replace"
        )
    if how == "nested_tags":
        depth = rnd.randint(500, 5000)
        tag = rnd.choice([b"div", b"b", b"item", b"p"])
        at = rnd.randrange(len(data))
        return data[:at] + (b"<" + tag + b">") * depth + b"x" + data[at:]
    if how == "huge_attribute":  # on a random tag of the document
        ends = [
            i
            for i in range(len(data))
            if data[i : i + 1] == b">" and data[i - 1 : i] not in (b"/", b"?", b"-")
        ]
        at = rnd.choice(ends) if ends else len(data)
        return data[:at] + b' data-x="' + b"A" * rnd.randint(10_000, 2_000_000) + b'"' + data[at:]
    raise ValueError(how)


EXAMPLES = itertools.count()
MANGLINGS = ["truncate", "random_bytes", "wrong_encoding", "nested_tags", "huge_attribute"]


@pytest.fixture
def fuzz_pipeline(es: Elasticsearch, settings: Settings, fast_fetch: None) -> Pipeline:
    return Pipeline(settings=settings)


@hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    feed_mangling=st.sampled_from([*MANGLINGS, "none"]),
    page_mangling=st.sampled_from(MANGLINGS),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_fuzzed_feeds_and_pages_never_crash_and_the_good_item_flows(
    fuzz_pipeline: Pipeline, feed_server: FeedServer, feed_mangling: str, page_mangling: str, seed: int
) -> None:
    rnd = random.Random(seed)
    key = f"{next(EXAMPLES)}-{seed}-{feed_mangling}-{page_mangling}"  # fresh URLs: no 304 on replays
    good_page = (REPO_ROOT / "sample_corpus" / "site" / GOOD_PAGE.lstrip("/")).read_bytes()
    feed_server.publish(
        f"/fuzz/{key}.html", _mangle(good_page, page_mangling, rnd), "text/html; charset=utf-8"
    )
    head = _rss(
        [
            ("Le bon article", "{BASE_URL}" + GOOD_PAGE + f"?fuzz={key}", "Résumé du bon article."),
            ("L’article abîmé", "{BASE_URL}" + f"/fuzz/{key}.html", "Résumé de l’article abîmé."),
        ]
    ).encode("utf-8")
    cut = head.index(b"<item>", head.index(b"<item>") + 1)  # the good item stays whole
    if feed_mangling == "wrong_encoding":  # mislabelled, not garbled: the good link must survive
        feed = head.replace(b"UTF-8", rnd.choice([b"ISO-8859-1", b"windows-1252", b"US-ASCII"]))
    else:
        feed = head[:cut] + _mangle(head[cut:], feed_mangling, rnd)
    feed_server.publish(f"/feeds/fuzz-{key}.xml", feed, "application/rss+xml")

    pipeline = fuzz_pipeline
    pipeline.summary = RunSummary()
    try:
        articles = _poll_to_articles(pipeline, [_feed("fuzz", feed_server.url(f"/feeds/fuzz-{key}.xml"))])
    finally:  # up to 2 MB per example: do not keep 50 of them in the server
        feed_server.published.pop(f"/feeds/fuzz-{key}.xml", None)
        feed_server.published.pop(f"/fuzz/{key}.html", None)

    _every_refusal_has_a_reason(pipeline.summary)
    good = [a for a in articles if a.original_url.endswith(f"?fuzz={key}")]
    assert len(good) == 1 and not good[0].partial and "Poutine" in good[0].text
    assert good[0].language == "fr"
    for article in articles:  # the damaged one: extracted text, or partial with its reason
        assert article.partial_reason if article.partial else article.text, article


def test_an_item_with_a_2_mb_link_is_refused_and_the_good_item_flows(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, fast_fetch: None
) -> None:
    huge = "{BASE_URL}/articles/" + "a" * 2_000_000 + ".html"
    feed_server.publish(
        "/feeds/huge-link.xml",
        _rss([("Le bon article", "{BASE_URL}" + GOOD_PAGE, "Résumé."), ("Lien énorme", huge, "Résumé.")]),
    )
    pipeline = Pipeline(settings=settings)
    articles = _poll_to_articles(pipeline, [_feed("huge-link", feed_server.url("/feeds/huge-link.xml"))])
    assert [a.url for a in articles] == [feed_server.url(GOOD_PAGE)]
    _every_refusal_has_a_reason(pipeline.summary)
    refused = _reasons(pipeline.summary, "select")
    assert len(refused) == 1 and next(iter(refused.values())).startswith("link:too_long")


# -- SSRF through redirects and names ------------------------------------------------------------


def test_ssrf_through_redirects_and_private_names_is_refused_and_the_good_item_flows(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, fast_fetch: None
) -> None:
    port = feed_server.server_address[1]
    targets = {
        "private": ("http://10.1.2.3/internal", "ssrf:private_address"),
        "metadata": ("http://169.254.169.254/latest/meta-data/", "ssrf:metadata_address"),
        "ipv6-loopback": (f"http://[::1]:{port}{GOOD_PAGE}", "ssrf:loopback_address"),
        "unspecified": (f"http://0.0.0.0:{port}{GOOD_PAGE}", "ssrf:unspecified_address"),
    }
    items = [
        (name, "{BASE_URL}/_drill/redirect?to=" + target.replace("&", "%26"), f"Résumé {name}")
        for name, (target, _reason) in targets.items()
    ]
    # A name that resolves to 127.0.0.1: only the literal address is allow-listed.
    items.append(("by-name", f"http://localhost:{port}{GOOD_PAGE}?by-name", "Résumé by-name"))
    items.append(("good", "{BASE_URL}" + GOOD_PAGE, "Résumé du bon article."))
    feed_server.publish("/feeds/ssrf.xml", _rss(items))
    pipeline = Pipeline(settings=settings)
    feeds = [
        _feed("ssrf", feed_server.url("/feeds/ssrf.xml")),
        _feed("by-name-feed", f"http://localhost:{port}/feeds/international.xml"),
    ]
    articles = _poll_to_articles(pipeline, feeds)

    # Keyed by the feed's summary: a fetched page's own headline wins over the feed title.
    by_summary = {a.summary: a for a in articles}
    for name, (_target, reason) in {**targets, "by-name": ("", "ssrf:loopback_address")}.items():
        refused = by_summary[f"Résumé {name}"]
        assert refused.partial and refused.partial_reason == f"fetch:{reason}", refused
        assert refused.text == f"Résumé {name}"  # the summary, never the internal page
    good = by_summary["Résumé du bon article."]
    assert not good.partial and "Poutine" in good.text
    assert _reasons(pipeline.summary, "feeds") == {"by-name-feed": "ssrf:loopback_address"}
    _every_refusal_has_a_reason(pipeline.summary)


# -- XML entity expansion --------------------------------------------------------------------------


def test_billion_laughs_feed_is_refused_with_its_reason_beside_a_good_feed(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, fast_fetch: None
) -> None:
    pipeline = Pipeline(settings=settings)
    good = load_feeds(SAMPLE_FEEDS, base_url=feed_server.base_url)[0]
    process = psutil.Process()
    before = process.memory_info().rss
    articles = _poll_to_articles(pipeline, [_feed("lol", feed_server.url("/feeds/billion-laughs.xml")), good])
    assert process.memory_info().rss - before < 50 * 1024 * 1024  # nothing was expanded
    assert _reasons(pipeline.summary, "feeds") == {"lol": "xml:entity_declaration"}
    assert len(articles) == INTERNATIONAL and all(a.feed == good.name for a in articles)
