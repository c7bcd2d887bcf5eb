"""Hostile sites against the fetcher, over real HTTP from `hostile_server` (issue 13): stacked
compression, headers dripped past the deadline, a resolver that never answers, the allow-list
by host and port (the cluster is never a feed item's destination), robots.txt; and the
Elasticsearch client riding out a cluster that answers late."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace

import pytest
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import Elasticsearch
from helpers import registry_feed
from hostile_server import HostileServer, LateServer, Route, drip, gzip_layers, respond

from ingest.feeds import Feed
from ingest.fetch import (
    AddressGuard,
    Fetcher,
    FetchPolicy,
    RobotsRules,
    SSRFRefused,
    parse_allow_entry,
    product_token,
)
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer

FAST = FetchPolicy(
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=10.0,
    backoff_base=0.01,
    host_delay=0.0,
    max_workers=8,
)
PAGE = b"<html><body><p>" + "Frappe nucléaire évitée. ".encode() * 40 + b"</p></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(settings, FAST) as f:
        yield f


def raw(data: bytes) -> Route:
    """A response written byte for byte (repeated headers, anything)."""

    def route(conn: socket.socket) -> None:
        conn.sendall(data)

    return route


# -- 1. compression: at most one coding, decoded within the cap -------------------------------------


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip, gzip", gzip_layers(b"\0" * (20 * 1024 * 1024), 2)),
        ("deflate, deflate", zlib.compress(zlib.compress(b"\0" * (20 * 1024 * 1024), 9), 9)),
        ("gzip, deflate", zlib.compress(gzip.compress(b"<rss/>"))),
        ("identity, gzip, x-gzip", gzip_layers(b"<rss/>", 2)),
    ],
)
def test_stacked_content_codings_are_refused(
    fetcher: Fetcher, site: HostileServer, coding: str, body: bytes
) -> None:
    site.route(
        "/stacked", respond(200, {"Content-Type": "application/rss+xml", "Content-Encoding": coding}, body)
    )
    site.route("/good", respond(200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(PAGE)))
    results = fetcher.fetch_many([site.url("/stacked"), site.url("/good")])
    assert results[0].error == "encoding:stacked" and results[0].content is None
    assert results[0].attempts == 1  # not retried
    assert results[1].error is None and results[1].content == PAGE  # the good page beside it


def test_a_coding_repeated_over_two_header_lines_is_stacked_too(
    fetcher: Fetcher, site: HostileServer
) -> None:
    body = gzip_layers(b"\0" * (8 * 1024 * 1024), 2)
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        f"Content-Encoding: gzip\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    site.route("/twice", raw(head.encode() + body))
    assert fetcher.fetch(site.url("/twice")).error == "encoding:stacked"


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, br", "compress"])
def test_codings_vigie_cannot_decode_are_refused(fetcher: Fetcher, site: HostileServer, coding: str) -> None:
    site.route("/odd", respond(200, {**HTML, "Content-Encoding": coding}, b"\x1b\x00\x00\x00" * 64))
    result = fetcher.fetch(site.url("/odd"))
    assert result.error == "encoding:unsupported" and result.content is None


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip_layers(b"\0" * (64 * 1024 * 1024), 1)),  # 64 KB on the wire
        ("deflate", zlib.compress(b"\0" * (64 * 1024 * 1024), 9)),  # zlib-wrapped
        ("deflate", zlib.compress(b"\0" * (64 * 1024 * 1024), 9)[2:-4]),  # raw deflate
    ],
)
def test_a_single_layer_bomb_meets_the_cap(
    fetcher: Fetcher, site: HostileServer, coding: str, body: bytes
) -> None:
    site.route("/bomb", respond(200, {**HTML, "Content-Encoding": coding}, body, content_length=False))
    result = fetcher.fetch(site.url("/bomb"))
    assert result.error == "too_large" and result.content is None


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)[2:-4]),
        ("identity", PAGE),
        ("utf-8", PAGE),  # a broken server's unknown token: identity, as httpx and browsers read it
        ("GZIP, identity", gzip.compress(PAGE)),
    ],
)
def test_one_coding_is_decoded(fetcher: Fetcher, site: HostileServer, coding: str, body: bytes) -> None:
    site.route("/page", respond(200, {**HTML, "Content-Encoding": coding}, body))
    result = fetcher.fetch(site.url("/page"))
    assert result.error is None and result.content == PAGE


def test_a_page_at_the_cap_after_decoding_is_read(settings: Settings, site: HostileServer) -> None:
    exact = b"a" * settings.max_body_bytes
    site.route("/exact", respond(200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(exact)))
    with Fetcher(settings, FAST) as fetcher:
        assert fetcher.fetch(site.url("/exact")).content == exact


def test_corrupt_gzip_is_a_bad_content_encoding(fetcher: Fetcher, site: HostileServer) -> None:
    site.route(
        "/corrupt", respond(200, {**HTML, "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00garbage" * 10)
    )
    assert fetcher.fetch(site.url("/corrupt")).error == "bad_content_encoding"


# -- 2. one deadline for the whole request ---------------------------------------------------------


@pytest.mark.timeout(60)
def test_headers_dripped_byte_by_byte_end_at_the_total_timeout(
    settings: Settings, site: HostileServer
) -> None:
    # One byte every 50 ms never trips the 1 s read timeout; the headers would take 80 minutes.
    site.route("/slow", drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000, interval=0.05))
    site.route("/good", respond(200, HTML, PAGE))
    policy = replace(FAST, read_timeout=1.0, total_timeout=2.0)
    started = time.monotonic()
    with Fetcher(settings, policy) as fetcher:
        slow, good = fetcher.fetch_many([site.url("/slow"), site.url("/good")])
    assert slow.error == "timeout" and slow.content is None
    assert good.content == PAGE
    assert time.monotonic() - started < 20  # (2 s expected; the old code hung for the whole drip)


@pytest.mark.timeout(60)
def test_a_status_line_that_never_ends_ends_at_the_total_timeout(
    settings: Settings, site: HostileServer
) -> None:
    site.route("/status", drip(b"HTTP/1.1 200 " + b"O" * 100_000, interval=0.1))
    with Fetcher(settings, replace(FAST, read_timeout=1.0, total_timeout=1.5)) as fetcher:
        assert fetcher.fetch(site.url("/status")).error == "timeout"


@pytest.fixture
def hanging_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`socket.getaddrinfo` never answering for names under .hang.test (a resolver that stalls;
    no local DNS server can be run without privileges); other names resolve as usual."""
    real = socket.getaddrinfo
    release = threading.Event()
    asked: list[str] = []

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        if str(host).endswith(".hang.test"):
            asked.append(str(host))
            release.wait(60)
            raise socket.gaierror("released")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield asked
    release.set()


@pytest.mark.timeout(60)
def test_a_dns_lookup_that_never_answers_times_out(settings: Settings, hanging_resolver: list[str]) -> None:
    policy = replace(FAST, connect_timeout=0.5, total_timeout=3.0, max_attempts=2)
    with Fetcher(settings, policy) as fetcher:
        result = fetcher.fetch("http://feeds.hang.test/rss.xml")
    assert result.error == "dns_timeout" and result.attempts == 2
    assert hanging_resolver == ["feeds.hang.test", "feeds.hang.test"]


@pytest.mark.timeout(60)
def test_an_allow_listed_name_is_resolved_under_the_timeout_too(
    settings: Settings, hanging_resolver: list[str]
) -> None:
    allowed = replace(settings, allow_hosts=["feeds.hang.test:*"])
    with Fetcher(allowed, replace(FAST, connect_timeout=0.5, max_attempts=1)) as fetcher:
        assert fetcher.fetch("http://feeds.hang.test:8080/").error == "dns_timeout"


# -- 3. the allow-list is host and port --------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "parsed"),
    [
        ("127.0.0.1", ("127.0.0.1", frozenset({80, 443}))),
        ("127.0.0.1:8088", ("127.0.0.1", frozenset({8088}))),
        ("127.0.0.1:*", ("127.0.0.1", None)),
        ("Feeds.Local:443", ("feeds.local", frozenset({443}))),
        ("[::1]:8080", ("::1", frozenset({8080}))),
        ("[::1]", ("::1", frozenset({80, 443}))),
        ("::1", ("::1", frozenset({80, 443}))),
    ],
)
def test_allow_list_entries(entry: str, parsed: tuple[str, frozenset[int] | None]) -> None:
    assert parse_allow_entry(entry) == parsed


@pytest.mark.parametrize(
    "entry", ["127.0.0.1:", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:http", ":80", "[::1]x"]
)
def test_bad_allow_list_entries_are_refused_loudly(entry: str) -> None:
    with pytest.raises(ValueError, match="VIGIE_ALLOW_HOSTS"):
        parse_allow_entry(entry)


def test_an_allow_listed_port_lets_only_that_port_through(settings: Settings, site: HostileServer) -> None:
    site.route("/feed.xml", respond(200, {"Content-Type": "application/rss+xml"}, b"<rss/>"))
    with HostileServer() as other:
        other.route("/secret", respond(200, {}, b"internal service"))
        only_site = replace(settings, allow_hosts=[f"127.0.0.1:{site.port}"])
        with Fetcher(only_site, FAST) as fetcher:
            assert fetcher.fetch(site.url("/feed.xml")).content == b"<rss/>"
            refused = fetcher.fetch(other.url("/secret"))
            # and a redirect from the allowed port to the other one is refused on the hop
            site.route("/hop", respond(302, {"Location": other.url("/secret")}, b""))
            hop = fetcher.fetch(site.url("/hop"))
        assert other.requests == []  # never connected
    assert refused.error == "ssrf:port_not_allowed" and refused.content is None
    assert hop.error == "ssrf:port_not_allowed" and hop.redirects == [other.url("/secret")]


def test_a_bare_host_entry_covers_the_web_ports_only(settings: Settings, site: HostileServer) -> None:
    site.route("/feed.xml", respond(200, {}, b"<rss/>"))
    with Fetcher(replace(settings, allow_hosts=["127.0.0.1"]), FAST) as fetcher:
        assert fetcher.fetch(site.url("/feed.xml")).error == "ssrf:port_not_allowed"
    guard = AddressGuard(["127.0.0.1"])
    assert guard.resolve("127.0.0.1", 80) == "127.0.0.1" and guard.resolve("127.0.0.1", 443) == "127.0.0.1"
    with pytest.raises(SSRFRefused, match="ssrf:port_not_allowed"):
        guard.resolve("127.0.0.1", 9200)


def test_the_cluster_is_refused_even_with_every_port_allowed(
    settings: Settings, es_url: str, site: HostileServer
) -> None:
    assert settings.allow_hosts == ["127.0.0.1:*"] and settings.es_url == es_url
    site.route("/to-es", respond(302, {"Location": es_url + "/_cluster/health"}, b""))
    with Fetcher(settings, FAST) as fetcher:
        direct, hop = fetcher.fetch_many([es_url + "/_search?q=*", site.url("/to-es")], robots=True)
        kibana = fetcher.fetch(settings.kibana_url + "/api/status")
    assert direct.error == "ssrf:own_service" and direct.content is None and direct.attempts == 0
    assert hop.error == "ssrf:own_service"
    assert kibana.error == "ssrf:own_service"


def _feed(name: str, url: str) -> Feed:
    return registry_feed(name, url)


def _rss(links: list[str]) -> str:
    items = "".join(
        f"<item><title>Article {n}</title><link>{link}</link><guid isPermaLink='false'>g{n}</guid>"
        f"<pubDate>Tue, 11 Mar 2025 12:00:00 +0100</pubDate><description>Résumé {n}.</description></item>"
        for n, link in enumerate(links)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Hostile</title>"
        f"<link>{{BASE_URL}}/</link><description>x</description>{items}</channel></rss>"
    )


def test_a_feed_item_pointing_at_the_cluster_or_a_disallowed_page_is_refused_in_the_pipeline(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, site: HostileServer
) -> None:
    from vigie.run.pipeline import Pipeline

    site.route(
        "/robots.txt", respond(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
    )
    site.route("/private/page.html", respond(200, HTML, PAGE))
    good = feed_server.url("/articles/2025/09/18/russie-intensifie-frappes-apres-sommet-alaska.html")
    links = [settings.es_url + "/_cluster/health", site.url("/private/page.html"), good]
    feed_server.publish("/feeds/hostile.xml", _rss(links))

    pipeline = Pipeline(settings=settings)
    polled = [
        (feed, pipeline.poll_feed(feed)) for feed in [_feed("hostile", feed_server.url("/feeds/hostile.xml"))]
    ]
    articles = pipeline.fetch_articles(pipeline.select_new(polled))
    cluster, private, page = (
        next(a for a in articles if part in a.url) for part in ("/_cluster/", "/private/", "/russie-")
    )
    assert cluster.partial and cluster.partial_reason == "fetch:ssrf:own_service"
    assert private.partial and private.partial_reason == "fetch:robots:disallowed"
    assert not page.partial and len(page.text) > 500
    assert not any("/private/" in line for line in site.requests)  # the page itself never asked for


# -- 4. robots.txt ---------------------------------------------------------------------------------


ROBOTS = b"""# a news site
User-agent: *
Disallow: /

User-agent: VigieBot
User-agent: OtherBot
Disallow: /private/
Allow: /private/open/
Disallow: /*.pdf$
Disallow: /search?
Sitemap: https://example.org/sitemap.xml
"""


def test_robots_rules_match_as_rfc_9309_says() -> None:
    rules = RobotsRules.parse(ROBOTS.decode(), "vigiebot")
    assert rules.allowed("/") and rules.allowed("/2025/article.html")
    assert not rules.allowed("/private/x.html") and rules.allowed("/private/open/x.html")  # longest wins
    assert not rules.allowed("/files/report.pdf") and rules.allowed("/files/report.pdf?page=2")  # $ anchors
    assert not rules.allowed("/search?q=frappe") and rules.allowed("/search")
    assert rules.allowed("/robots.txt")
    others = RobotsRules.parse(ROBOTS.decode(), "somebot")  # the * group
    assert not others.allowed("/2025/article.html")
    assert product_token("VigieBot/0.1 (+https://github.com/vigie-news/vigie; news monitoring)") == "vigiebot"


def test_robots_allow_wins_a_tie_and_percent_encoding_compares_equal() -> None:
    rules = RobotsRules.parse("User-agent: *\nDisallow: /a\nAllow: /a\nDisallow: /été/\n", "vigiebot")
    assert rules.allowed("/a/b")
    assert not rules.allowed("/%C3%A9t%c3%a9/page") and not rules.allowed("/été/page")


def test_robots_wildcards_do_not_backtrack() -> None:
    rules = RobotsRules.parse("User-agent: *\nDisallow: /" + "*a" * 20_000 + "b\n", "vigiebot")
    started = time.monotonic()
    assert rules.allowed("/" + "a" * 2000)
    assert time.monotonic() - started < 5


def test_robots_disallow_refuses_pages_not_feeds_and_is_read_once(
    settings: Settings, site: HostileServer
) -> None:
    site.route("/robots.txt", respond(200, {"Content-Type": "text/plain"}, ROBOTS))
    for path in ("/private/a.html", "/private/open/b.html", "/2025/c.html", "/private/feed.xml"):
        site.route(path, respond(200, HTML, PAGE))
    with Fetcher(settings, FAST) as fetcher:
        pages = fetcher.fetch_many(
            [site.url(p) for p in ("/private/a.html", "/private/open/b.html", "/2025/c.html")], robots=True
        )
        feed = fetcher.fetch(site.url("/private/feed.xml"), conditional=True)  # a registered feed
    assert [p.error for p in pages] == ["robots:disallowed", None, None]
    assert pages[0].content is None and pages[0].attempts == 0
    assert feed.error is None and feed.content == PAGE
    assert sum("/robots.txt" in line for line in site.requests) == 1
    assert not any("/private/a.html" in line for line in site.requests)


@pytest.mark.parametrize(
    ("route", "page_error"),
    [
        (respond(404, {}, b"no robots here"), None),  # unavailable: no restriction
        (respond(403, {}, b"forbidden"), None),
        (respond(500, {}, b"oops"), "robots:unavailable"),  # RFC 9309: assume complete disallow
        (
            respond(200, {"Content-Encoding": "gzip, gzip"}, gzip_layers(b"Disallow: /", 2)),
            "robots:unavailable",
        ),
    ],
)
def test_robots_txt_failures(
    settings: Settings, site: HostileServer, route: Route, page_error: str | None
) -> None:
    site.route("/robots.txt", route)
    site.route("/page.html", respond(200, HTML, PAGE))
    with Fetcher(settings, FAST) as fetcher:
        assert fetcher.fetch(site.url("/page.html"), robots=True).error == page_error


def test_a_huge_robots_txt_is_read_up_to_its_cap(settings: Settings, site: HostileServer) -> None:
    body = b"User-agent: *\nDisallow: /early/\n" + b"# padding\n" * 2_000_000 + b"Disallow: /late/\n"  # 20 MB
    site.route("/robots.txt", respond(200, {"Content-Type": "text/plain"}, body))
    for path in ("/early/a.html", "/late/b.html"):
        site.route(path, respond(200, HTML, PAGE))
    with Fetcher(settings, FAST) as fetcher:
        early, late = fetcher.fetch_many([site.url("/early/a.html"), site.url("/late/b.html")], robots=True)
    assert early.error == "robots:disallowed"
    assert late.error is None  # the rule past 512 KiB is ignored, not the whole file refused


@pytest.mark.timeout(60)
def test_a_robots_txt_that_never_ends_costs_one_timeout_per_site(
    settings: Settings, site: HostileServer
) -> None:
    site.route("/robots.txt", drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000, interval=0.05))
    for n in range(4):
        site.route(f"/{n}.html", respond(200, HTML, PAGE))
    with Fetcher(settings, replace(FAST, read_timeout=1.0, total_timeout=1.5)) as fetcher:
        results = fetcher.fetch_many([site.url(f"/{n}.html") for n in range(4)], robots=True)
    assert [r.error for r in results] == ["timeout"] * 4
    assert sum("/robots.txt" in line for line in site.requests) == 1  # one read (one attempt: deadline)
    assert not any(".html" in line for line in site.requests)


# -- 5. the Elasticsearch client retries through a short outage -------------------------------------


CLUSTER_ROOT = json.dumps({"name": "late", "cluster_name": "late", "version": {"number": "9.5.4"}}).encode()
CLUSTER_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\n"
    + f"Content-Length: {len(CLUSTER_ROOT)}\r\nConnection: close\r\n\r\n".encode()
    + CLUSTER_ROOT
)


def test_a_cluster_answering_two_seconds_late_is_waited_for(settings: Settings) -> None:
    from vigie.store.es import client

    with LateServer(delay=2.0, response=CLUSTER_ANSWER) as late:
        es = client(replace(settings, es_url=late.url))
        assert es.info()["cluster_name"] == "late"  # refused at first, retried with backoff
    assert late.answered == 1


class Slammer:
    """Accepts and closes every connection at once, counting them: a cluster that is down."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def test_after_one_exhausted_retry_budget_the_next_requests_try_once(settings: Settings) -> None:
    from vigie.store.es import client

    down = Slammer()
    try:
        es = client(
            replace(settings, es_url=down.url), max_retries=3, retry_backoff_base=0.01, retry_backoff_cap=0.02
        )
        with pytest.raises(ESConnectionError):
            es.info()
        assert down.connections == 4  # the first request spent its retries
        with pytest.raises(ESConnectionError):
            es.options(ignore_status=404).info()  # clients derived with options() share the state
        assert down.connections == 5  # the next one tried once
    finally:
        down.sock.close()
