"""The fetcher against a real local HTTP server: conditional GET, SSRF guard on every hop,
size cap, retries, timeouts, per-host concurrency."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from ingest.fetch import AddressGuard, Fetcher, FetchPolicy, SSRFRefused, classify_address
from vigie.core.accounting import RunSummary
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


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(settings, FAST) as f:
        yield f


def test_second_poll_of_an_unchanged_feed_is_one_304(settings: Settings, feed_server: FeedServer) -> None:
    url = feed_server.url("/feeds/international.xml")
    with Fetcher(settings, FAST) as first:
        result = first.fetch(url, conditional=True)
    assert result.status == 200 and result.content and result.etag
    state = json.loads((Path(settings.state_dir) / "http_validators.json").read_text())
    assert state[url]["etag"] == result.etag

    before = len(feed_server.requests)
    with Fetcher(settings, FAST) as second:  # a new instance: validators come from state_dir
        again = second.fetch(url, conditional=True)
    assert again.not_modified and again.status == 304 and again.content is None and again.error is None
    assert feed_server.requests[before:] == ["GET /feeds/international.xml 304"]


def test_remember_false_keeps_the_validators_until_committed(
    settings: Settings, feed_server: FeedServer
) -> None:
    url = feed_server.url("/feeds/direct.xml")
    with Fetcher(settings, FAST) as fetcher:
        first = fetcher.fetch(url, conditional=True, remember=False)
        assert fetcher.fetch(url, conditional=True, remember=False).status == 200  # nothing stored yet
        fetcher.remember(first)
        assert fetcher.fetch(url, conditional=True).not_modified


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://10.0.0.1/feeds/secret.xml", "ssrf:private_address"),
        ("http://169.254.169.254/latest/meta-data/", "ssrf:metadata_address"),
        ("http://[fd00:ec2::254]/latest/", "ssrf:metadata_address"),
        ("file:///etc/passwd", "ssrf:scheme_not_allowed"),
    ],
)
def test_a_redirect_to_a_forbidden_destination_is_refused(
    fetcher: Fetcher, feed_server: FeedServer, target: str, reason: str
) -> None:
    result = fetcher.fetch(feed_server.url(f"/_drill/redirect?to={target}"))
    assert result.error == reason
    assert result.content is None and result.redirects == [target]


def test_a_host_name_resolving_to_loopback_is_refused_unless_allow_listed(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    # Only the literal "127.0.0.1" is allow-listed: "localhost" resolves to loopback and is refused
    # by the connect-time guard (a name, not an IP literal, so no pre-check can catch it).
    port = feed_server.server_address[1]
    summary = RunSummary()
    result = fetcher.fetch(f"http://localhost:{port}/feeds/international.xml", summary=summary)
    assert result.error == "ssrf:loopback_address"
    assert summary.get("fetch", "refused") == 1 and summary.failures[0].reason == "ssrf:loopback_address"
    # and a redirect from the allow-listed server to that name is refused on the hop
    hop = fetcher.fetch(feed_server.url(f"/_drill/redirect?to=http://localhost:{port}/feeds/direct.xml"))
    assert hop.error == "ssrf:loopback_address"


def test_with_an_empty_allow_list_the_local_server_itself_is_refused(
    settings: Settings, feed_server: FeedServer
) -> None:
    with Fetcher(replace(settings, allow_hosts=[]), FAST) as strict:
        result = strict.fetch(feed_server.url("/feeds/international.xml"))
    assert result.error == "ssrf:loopback_address"
    assert not any("international.xml" in line for line in feed_server.requests)  # never connected


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "ssrf:loopback_address"),
        ("::1", "ssrf:loopback_address"),
        ("10.1.2.3", "ssrf:private_address"),
        ("192.168.0.10", "ssrf:private_address"),
        ("172.16.5.4", "ssrf:private_address"),
        ("fd12::1", "ssrf:private_address"),
        ("169.254.10.10", "ssrf:link_local_address"),
        ("fe80::1", "ssrf:link_local_address"),
        ("100.64.1.1", "ssrf:cgnat_address"),
        ("224.0.0.1", "ssrf:multicast_address"),
        ("0.0.0.0", "ssrf:unspecified_address"),
        ("240.0.0.1", "ssrf:reserved_address"),
        ("169.254.169.254", "ssrf:metadata_address"),
        ("::ffff:10.0.0.1", "ssrf:private_address"),  # IPv4-mapped IPv6
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
    ],
)
def test_address_classification(address: str, reason: str | None) -> None:
    import ipaddress

    assert classify_address(ipaddress.ip_address(address)) == reason


def test_the_guard_resolves_names_and_refuses_any_private_answer() -> None:
    guard = AddressGuard(["127.0.0.1"])
    assert guard.resolve("127.0.0.1", 80) == "127.0.0.1"  # allow-listed literal
    with pytest.raises(SSRFRefused) as refused:
        guard.resolve("localhost", 80)
    assert refused.value.reason == "ssrf:loopback_address"


def test_a_body_over_the_cap_is_refused_too_large(fetcher: Fetcher, feed_server: FeedServer) -> None:
    result = fetcher.fetch(feed_server.url("/_drill/big?n=10"))  # 10 MB, no Content-Length
    assert result.error == "too_large" and result.content is None
    assert result.attempts == 1  # not retried


def test_a_body_under_the_cap_is_read(settings: Settings, feed_server: FeedServer) -> None:
    with Fetcher(replace(settings, max_body_bytes=12 * 1024 * 1024), FAST) as roomy:
        result = roomy.fetch(feed_server.url("/_drill/big?n=10"))
    assert result.error is None and result.content is not None and len(result.content) > 10_000_000


def test_503_then_success_is_retried(fetcher: Fetcher, feed_server: FeedServer) -> None:
    result = fetcher.fetch(feed_server.url("/_drill/flaky?n=2&key=retry-test&path=/feeds/international.xml"))
    assert result.error is None and result.status == 200 and result.attempts == 3
    assert result.content and b"<rss" in result.content


def test_retries_are_bounded(fetcher: Fetcher, feed_server: FeedServer) -> None:
    result = fetcher.fetch(feed_server.url("/_drill/status?n=500"))
    assert result.error == "http_500" and result.attempts == FAST.max_attempts


def test_a_retry_after_longer_than_the_cap_is_not_waited_for(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    result = fetcher.fetch(feed_server.url("/_drill/status?n=429&retry_after=3600"))
    assert result.error == "http_429" and result.attempts == 1


def test_a_short_retry_after_is_honoured(fetcher: Fetcher, feed_server: FeedServer) -> None:
    started = time.monotonic()
    result = fetcher.fetch(feed_server.url("/_drill/status?n=429&retry_after=1"))
    assert result.error == "http_429" and result.attempts == FAST.max_attempts
    assert time.monotonic() - started >= 2.0  # two waits of one second, as the server asked


def test_a_hanging_server_times_out(settings: Settings, feed_server: FeedServer) -> None:
    policy = replace(FAST, read_timeout=0.3, max_attempts=2)
    with Fetcher(settings, policy) as impatient:
        result = impatient.fetch(feed_server.url("/_drill/hang?n=3"))
    assert result.error == "timeout" and result.attempts == 2


def test_a_reset_connection_is_a_connection_error(fetcher: Fetcher, feed_server: FeedServer) -> None:
    assert fetcher.fetch(feed_server.url("/_drill/reset")).error == "connection_error"


def test_too_many_redirects(settings: Settings, feed_server: FeedServer) -> None:
    url = feed_server.url("/feeds/international.xml")
    for _ in range(3):
        url = feed_server.url("/_drill/redirect?to=" + quote(url, safe=""))
    with Fetcher(settings, replace(FAST, max_redirects=2)) as fetcher:
        assert fetcher.fetch(url).error == "too_many_redirects"
    with Fetcher(settings, FAST) as fetcher:
        followed = fetcher.fetch(url)
    assert followed.error is None and followed.final_url == feed_server.url("/feeds/international.xml")


def test_bad_urls_are_reasons_not_exceptions(fetcher: Fetcher) -> None:
    assert fetcher.fetch("not a url").error in {"invalid_url", "ssrf:scheme_not_allowed"}
    assert fetcher.fetch("gopher://127.0.0.1/").error == "ssrf:scheme_not_allowed"
    assert fetcher.fetch("http://host.invalid/").error == "dns_error"


def test_the_user_agent_is_honest(settings: Settings) -> None:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("User-Agent", ""))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    with _Serve(Handler) as base, Fetcher(settings, FAST) as fetcher:
        assert fetcher.fetch(base + "/").content == b"ok"
    assert seen == [settings.user_agent]


class _Serve:
    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_fetch_many_keeps_order_and_the_per_host_limit(settings: Settings) -> None:
    lock = threading.Lock()
    in_flight = {"now": 0, "max": 0}

    class Slow(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with lock:
                in_flight["now"] += 1
                in_flight["max"] = max(in_flight["max"], in_flight["now"])
            time.sleep(0.15)
            with lock:
                in_flight["now"] -= 1
            body = self.path.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    urls_path = [f"/page/{i}" for i in range(8)]
    with _Serve(Slow) as base, Fetcher(settings, replace(FAST, per_host_limit=2, max_workers=8)) as fetcher:
        summary = RunSummary()
        results = fetcher.fetch_many([base + p for p in urls_path], summary=summary)
    assert [r.content for r in results] == [p.encode() for p in urls_path]
    assert in_flight["max"] == 2  # 8 workers, but never more than 2 at once on one host
    assert summary.get("fetch") == 8


def test_a_gzip_bomb_meets_the_cap_after_decompression(settings: Settings) -> None:
    import gzip

    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)  # ~20 KB on the wire, 20 MB inflated

    class Bomb(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.wfile.write(bomb)

        def log_message(self, *args: object) -> None:
            pass

    assert len(bomb) < settings.max_body_bytes
    with _Serve(Bomb) as base, Fetcher(settings, FAST) as fetcher:
        result = fetcher.fetch(base + "/")
    assert result.error == "too_large" and result.content is None


def test_requests_to_one_host_are_spaced_by_the_politeness_delay(settings: Settings) -> None:
    arrivals: list[float] = []

    class Stamp(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            arrivals.append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    with _Serve(Stamp) as base, Fetcher(settings, replace(FAST, host_delay=0.3, per_host_limit=2)) as fetcher:
        results = fetcher.fetch_many([f"{base}/{i}" for i in range(4)])
    assert all(r.content == b"ok" for r in results)
    gaps = [b - a for a, b in itertools.pairwise(sorted(arrivals))]
    # Starts are spaced by 0.3 s on the client; arrivals carry some scheduling jitter. Without
    # the delay the gaps are ~0.
    assert len(gaps) == 3 and min(gaps) >= 0.15, gaps
