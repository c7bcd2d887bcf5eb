"""Fetch attacks (issue 13): compression that defeats the size cap, headers dripped past the
deadline, a resolver that never answers, a feed item aimed at the cluster, robots.txt, and a
cluster that answers late. Each runs the real `Fetcher` (or `vigie.store.es.client`) over real
HTTP from `tests/hostile_server.py`.

    python -m bench.attacks stacked_gzip slow_headers ...
"""

from __future__ import annotations

import gzip
import json
import socket
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.attacks import Attack
from ingest.fetch import Fetcher, FetchPolicy
from vigie.core.settings import Settings

if TYPE_CHECKING:
    from hostile_server import HostileServer, Route

# tests/hostile_server.py is importable in the runner's child processes only (tests/ on sys.path).


def _hostile() -> Any:
    import hostile_server

    return hostile_server


TIMEOUT = 5.0  # the total fetch timeout every attack here runs under
POLICY = FetchPolicy(
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=TIMEOUT,
    backoff_base=0.5,
    host_delay=0.0,
    max_workers=8,
)
CACHE = Path(tempfile.gettempdir()) / "vigie-attacks"
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = b"<html><body><p>" + b"Une page ordinaire. " * 200 + b"</p></body></html>"


@contextmanager
def _site(routes: dict[str, Route]) -> Iterator[HostileServer]:
    with _hostile().HostileServer() as site:
        site.routes(routes.items())
        yield site


def _fetcher(**changes: object) -> Fetcher:
    options: dict[str, Any] = {"state_dir": CACHE / "state", "allow_hosts": ["127.0.0.1:*"], **changes}
    settings = replace(Settings(), **options)
    return Fetcher(settings, POLICY)


def _zeros(size: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """`size` zero bytes compressed (gzip; `wbits` 15: zlib, -15: raw deflate), in pieces (never
    `size` bytes in memory) and kept in a cache file: the payload is not the attack's cost."""
    path = CACHE / f"zeros-{size}-{wbits}.z"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        piece = bytes(16 * 1024 * 1024)
        parts = [packer.compress(piece) for _ in range(size // len(piece))]
        parts.append(packer.flush())
        path.write_bytes(b"".join(parts))
    return path.read_bytes()


def _outcome(result: object) -> str:
    error = getattr(result, "error", None)
    content = getattr(result, "content", None)
    return error or f"fetched {len(content or b'')} bytes"


# -- compression ------------------------------------------------------------------------------------


def _coded(coding: str, body: bytes) -> str:
    page = _hostile().respond(200, {**HTML, "Content-Encoding": coding}, body)
    with _site({"/page": page}) as site, _fetcher() as fetcher:
        return _outcome(fetcher.fetch(site.url("/page")))


def stacked_gzip() -> str:
    """The issue's attack: 2 GiB of zeros gzipped twice (~2 KB on the wire)."""
    return _coded("gzip, gzip", gzip.compress(_zeros(2 * 1024**3), 9))


def stacked_gzip_x3() -> str:
    return _coded("gzip, gzip, gzip", _hostile().gzip_layers(_zeros(2 * 1024**3), 2))


def stacked_deflate() -> str:
    return _coded("deflate, deflate", zlib.compress(_zeros(2 * 1024**3, zlib.MAX_WBITS), 9))


def br_layer() -> str:
    return _coded("br", b"\x1b\xff\xff\x7f" + bytes(4096))


def gzip_bomb() -> str:
    """One layer: 1 GiB of zeros in ~1 MB."""
    return _coded("gzip", _zeros(1024**3))


def deflate_bomb_raw() -> str:
    """One layer of raw deflate (no zlib header): 1 GiB of zeros."""
    return _coded("deflate", _zeros(1024**3, -zlib.MAX_WBITS))


# -- deadlines --------------------------------------------------------------------------------------


def slow_headers() -> str:
    """Headers at one byte every 0.2 s (never a read timeout), for ever."""
    drip_route = _hostile().drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1_000_000, interval=0.2)
    with _site({"/slow": drip_route}) as site, _fetcher() as fetcher:
        return _outcome(fetcher.fetch(site.url("/slow")))


def slow_status_line() -> str:
    drip_route = _hostile().drip(b"HTTP/1.1 200 " + b"O" * 1_000_000, interval=0.2)
    with _site({"/slow": drip_route}) as site, _fetcher() as fetcher:
        return _outcome(fetcher.fetch(site.url("/slow")))


def dns_hang() -> str:
    """A resolver that never answers (simulated: `socket.getaddrinfo` blocks for names under
    .hang.test; no DNS server can be run here without privileges)."""
    real = socket.getaddrinfo
    release = threading.Event()

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(host).endswith(".hang.test"):
            release.wait(600)
            raise socket.gaierror("released")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        with _fetcher() as fetcher:
            return _outcome(fetcher.fetch("http://feeds.hang.test/rss.xml"))
    finally:
        release.set()
        socket.getaddrinfo = real


# -- allow-list -------------------------------------------------------------------------------------


def feed_item_to_the_cluster() -> str:
    """A feed item linking to the cluster's port on an allow-listed host (127.0.0.1:*): a stand-in
    cluster answers 200 to whoever reaches it."""
    cluster_body = json.dumps({"cluster_name": "vigie", "status": "green"}).encode()
    with _hostile().HostileServer() as cluster, _site({"/page": _hostile().respond(200, HTML, PAGE)}) as site:
        cluster.route(
            "/_cluster/health", _hostile().respond(200, {"Content-Type": "application/json"}, cluster_body)
        )
        with _fetcher(es_url=cluster.url("")) as fetcher:
            direct = fetcher.fetch(cluster.url("/_cluster/health"))
        with _fetcher(allow_hosts=[f"127.0.0.1:{site.port}"]) as fetcher:
            other_port = fetcher.fetch(cluster.url("/_cluster/health"))
            page = fetcher.fetch(site.url("/page"))
        return (
            f"{_outcome(direct)}; allow-listed feed port only: {_outcome(other_port)}; page: {_outcome(page)}"
        )


# -- robots.txt -------------------------------------------------------------------------------------


def robots_disallow() -> str:
    robots = b"User-agent: *\nDisallow: /private/\n"
    routes = {
        "/robots.txt": _hostile().respond(200, {}, robots),
        "/private/page": _hostile().respond(200, HTML, PAGE),
    }
    with _site(routes) as site, _fetcher() as fetcher:
        return _outcome(fetcher.fetch(site.url("/private/page"), robots=True))


def robots_huge() -> str:
    """A 50 MB robots.txt, streamed (its first rule disallows the page)."""

    def huge(conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 52428800\r\n\r\n"
        conn.sendall(head + b"User-agent: *\nDisallow: /private/\n".ljust(65536, b"#"))
        for _ in range(52428800 // 65536 - 1):
            conn.sendall(b"Disallow: /x\n" * 5041 + b"#" * 3)  # 65536 bytes

    routes = {"/robots.txt": huge, "/private/page": _hostile().respond(200, HTML, PAGE)}
    with _site(routes) as site, _fetcher() as fetcher:
        return _outcome(fetcher.fetch(site.url("/private/page"), robots=True))


def robots_slow() -> str:
    """robots.txt dripped for ever, ten pages of the site waiting for it."""
    routes: dict[str, Route] = {
        "/robots.txt": _hostile().drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1_000_000, interval=0.2)
    }
    routes.update({f"/{n}": _hostile().respond(200, HTML, PAGE) for n in range(10)})
    with _site(routes) as site, _fetcher() as fetcher:
        results = fetcher.fetch_many([site.url(f"/{n}") for n in range(10)], robots=True)
        return ", ".join(sorted({_outcome(r) for r in results})) + f" x{len(results)}"


# -- the cluster ------------------------------------------------------------------------------------


def cluster_two_seconds_late() -> str:
    """The client's first request meets a refused connection; the cluster answers 2 s later."""
    from vigie.store.es import client

    root = json.dumps({"name": "late", "cluster_name": "late", "version": {"number": "9.5.4"}}).encode()
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\n"
        + f"Content-Length: {len(root)}\r\nConnection: close\r\n\r\n".encode()
        + root
    )
    with _hostile().LateServer(delay=2.0, response=answer) as late:
        try:
            return "answered: " + client(replace(Settings(), es_url=late.url)).info()["cluster_name"]
        except Exception as error:
            return f"{type(error).__name__}"


ATTACKS = [
    Attack("stacked_gzip", stacked_gzip, TIMEOUT),
    Attack("stacked_gzip_x3", stacked_gzip_x3, TIMEOUT),
    Attack("stacked_deflate", stacked_deflate, TIMEOUT),
    Attack("br_layer", br_layer, TIMEOUT),
    Attack("gzip_bomb", gzip_bomb, TIMEOUT),
    Attack("deflate_bomb_raw", deflate_bomb_raw, TIMEOUT),
    Attack("slow_headers", slow_headers, TIMEOUT),
    Attack("slow_status_line", slow_status_line, TIMEOUT),
    Attack("dns_hang", dns_hang, TIMEOUT),
    Attack("feed_item_to_the_cluster", feed_item_to_the_cluster, TIMEOUT),
    Attack("robots_disallow", robots_disallow, TIMEOUT),
    Attack("robots_huge", robots_huge, TIMEOUT),
    Attack("robots_slow", robots_slow, TIMEOUT),
    Attack("cluster_two_seconds_late", cluster_two_seconds_late, 30.0),  # request_timeout: 30 s
]
