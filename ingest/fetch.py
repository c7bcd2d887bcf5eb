"""HTTP fetching that survives a hostile web: SSRF guard, size cap, deadlines, retries,
politeness, robots.txt.

`Fetcher.fetch(url)` never raises for a bad URL or a bad server: it returns a `FetchResult`
whose `error` is a short machine-readable reason (`ssrf:private_address`, `too_large`,
`timeout`, `http_500`, `too_many_redirects`, `connection_error`, `encoding:stacked`,
`robots:disallowed`, ...).

SSRF guard. Every TCP connection goes through `GuardedBackend`, an httpcore network backend
that resolves the host itself (under a timeout: a resolver that never answers costs
`connect_timeout`, reason `dns_timeout`), refuses non-public addresses (loopback, private,
link-local, CGNAT, multicast, reserved, unspecified, cloud metadata) and then connects to the
very address it checked. Checking and connecting with the same resolution closes the
DNS-rebinding gap; TLS still verifies the certificate against the host name (httpcore passes
the origin host as SNI). Redirects are followed by hand so each hop is checked (scheme first,
then the address at connect time).

Allow-list (`Settings.allow_hosts`, VIGIE_ALLOW_HOSTS): entries exempt a host *and port* from
the guard, matched on the literal URL host ("127.0.0.1" does not allow "localhost"):
`host:port` that port only, `host:*` every port, a bare `host` the web ports 80 and 443 only
(IPv6 literals in brackets: `[::1]:8080`). A listed host on another port is refused
`ssrf:port_not_allowed`. Vigie's own services (`Settings.es_url`, `Settings.kibana_url`) are
refused `ssrf:own_service` whatever the allow-list says: a feed item never reaches the cluster.

Deadline. `FetchPolicy.total_timeout` bounds the whole request (every attempt and redirect):
connect, TLS, request, response headers and body. Each socket operation's timeout is clamped
to the time left (`_DeadlineStream`), so a server dripping its headers one byte at a time is
cut off at the deadline (`timeout`), not after one read timeout per byte.

Body. At most `Settings.max_body_bytes` (`too_large`), counted both on the wire and after
Content-Encoding decoding, which is done here, bounded as it streams (zlib `max_length`): one
coding (gzip or deflate) at most. Stacked codings (`gzip, gzip`) are refused `encoding:stacked`
and codings Vigie cannot decode (`br`, `zstd`, `compress`) `encoding:unsupported`; unknown
tokens count as identity, as httpx and browsers treat them.

robots.txt. `fetch(url, robots=True)` (the pipeline's article pages) honours the
`Disallow`/`Allow` rules of the site's robots.txt for Vigie's product token (RFC 9309:
longest match wins, `*` and `$` wildcards, the `*` group when none names Vigie), refusing
`robots:disallowed`. robots.txt is fetched once per origin per `Fetcher` (one run) through
the same guard, capped at 512 KiB (the rest ignored); a 4xx means no rules; a 5xx means
`robots:unavailable` (RFC 9309: assume complete disallow); an unreachable site refuses its
pages with the same reason (`timeout`, `connection_error`, ...) without another attempt each.
Feeds are polled without it: a registered feed is the site's own invitation to poll it.

Conditional GET. With `conditional=True` the stored ETag / Last-Modified of the URL are sent
and a 304 comes back as `not_modified=True`. Validators live in a JSON file under
`Settings.state_dir` (atomic replace, file lock), so a new process still gets its 304.
"""

from __future__ import annotations

import contextlib
import email.utils
import fcntl
import ipaddress
import json
import logging
import os
import re
import socket
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpcore
import httpx
from pydantic import BaseModel

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.9, application/xhtml+xml;q=0.9, */*;q=0.5"
)
STATE_FILE = "http_validators.json"
# robots.txt: RFC 9309 asks crawlers to read at least 500 KiB; what follows is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_TTL = 3600.0  # seconds a parsed robots.txt is trusted (one run is shorter)
ROBOTS_FAILURE_TTL = 300.0  # seconds an unreachable site's refusal is remembered
# The reasons that say the host itself could not be reached or must not be: the page would
# fail the same way, so a robots.txt failing with one refuses the page with it.
HOST_FAILURES = frozenset({"timeout", "connection_error", "dns_error", "dns_timeout", "invalid_url"})
# Content codings decoded here (one at most), and codings known but not decodable here.
CONTENT_CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
UNDECODABLE_CODINGS = frozenset(
    {"br", "zstd", "compress", "x-compress", "pack200-gzip", "exi", "aes128gcm", "dcb", "dcz"}
)
WEB_PORTS = frozenset({80, 443})  # what a bare allow-list entry covers

# Cloud instance-metadata endpoints: credentials live there, refuse them by name in the reason.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wireserver (a public address, hence listed)
    )
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class FetchPolicy:
    """Timeouts, retries and politeness; defaults from the environment (VIGIE_FETCH_*, read
    by `Settings`)."""

    connect_timeout: float = field(default_factory=lambda: get_settings().fetch_connect_timeout)
    read_timeout: float = field(default_factory=lambda: get_settings().fetch_read_timeout)
    # A server dripping one byte per read timeout never trips `read_timeout`: bound the whole request.
    total_timeout: float = field(default_factory=lambda: get_settings().fetch_total_timeout)
    max_redirects: int = 5
    max_attempts: int = 3
    backoff_base: float = field(default_factory=lambda: get_settings().fetch_backoff)
    max_retry_wait: float = 30.0  # a longer Retry-After means "not this run": give up
    per_host_limit: int = 2
    host_delay: float = field(default_factory=lambda: get_settings().fetch_host_delay)
    max_workers: int = 8


class FetchResult(BaseModel):
    url: str  # as requested
    final_url: str | None = None  # after redirects
    status: int | None = None
    content: bytes | None = None
    content_type: str | None = None
    encoding: str | None = None  # charset from the Content-Type header, if any
    not_modified: bool = False
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0
    redirects: list[str] = []
    fetched_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_modified and self.content is not None


# -- SSRF guard ---------------------------------------------------------------------------------


class SSRFRefused(Exception):
    """The destination is not a public address: `reason` is e.g. "ssrf:private_address"."""

    def __init__(self, reason: str, host: str):
        super().__init__(f"{reason} ({host})")
        self.reason = reason


class DNSFailure(Exception):
    pass


class DNSTimeout(DNSFailure):
    """The resolver did not answer in time (the lookup thread is abandoned, not waited for)."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def classify_address(ip: IPAddress) -> str | None:
    """The refusal reason for a destination address, or None if it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    if ip in METADATA_ADDRESSES:
        return "ssrf:metadata_address"
    checks: list[tuple[bool, str]] = [
        (ip.is_unspecified, "ssrf:unspecified_address"),
        (ip.is_loopback, "ssrf:loopback_address"),
        (ip.is_link_local, "ssrf:link_local_address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "ssrf:cgnat_address"),
        (ip.is_multicast, "ssrf:multicast_address"),
        (ip.is_reserved, "ssrf:reserved_address"),  # before is_private, which also covers 240.0.0.0/4
        (ip.is_private, "ssrf:private_address"),
        (not ip.is_global, "ssrf:reserved_address"),  # documentation, benchmarking, ... ranges
    ]
    return next((reason for hit, reason in checks if hit), None)


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def parse_allow_entry(entry: str) -> tuple[str, frozenset[int] | None]:
    """An allow-list entry as (host, ports); ports None means every port.

    `host:8088` -> that port; `host:*` -> every port; `host` -> the web ports 80 and 443;
    IPv6 literals in brackets (`[::1]:8080`, `[::1]`); a bare IPv6 literal is a host."""
    raw = entry.strip().lower()
    port: str | None
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise ValueError(f"VIGIE_ALLOW_HOSTS entry {entry!r}: expected [address]:port")
        port = rest[1:] if rest else None
    elif raw.count(":") == 1:
        host, port = raw.split(":")
    else:
        host, port = raw, None
    if not host:
        raise ValueError(f"VIGIE_ALLOW_HOSTS entry {entry!r}: no host")
    if port is None:
        return host, WEB_PORTS
    if port == "*":
        return host, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"VIGIE_ALLOW_HOSTS entry {entry!r}: the port must be 1-65535 or *")
    return host, frozenset({int(port)})


def _origin(url: str) -> tuple[str, int] | None:
    """(host, port) of a URL, the port defaulted from the scheme; None if it has no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port or (443 if parts.scheme.lower() == "https" else 80)


def _getaddrinfo(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    """`socket.getaddrinfo` under a timeout. The C resolver cannot be interrupted: the lookup
    runs on a daemon thread that is abandoned (and ends on the resolver's own timeout)."""
    outcome: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as error:  # handed to the caller
            outcome.append(error)
        finally:
            done.set()

    threading.Thread(target=lookup, name=f"dns-{host[:40]}", daemon=True).start()
    if not done.wait(timeout):
        raise DNSTimeout(f"{host}: no answer in {timeout:.1f}s")
    result = outcome[0]
    if isinstance(result, (socket.gaierror, UnicodeError)):
        raise DNSFailure(f"{host}: {result}") from result
    if isinstance(result, BaseException):
        raise result
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in result]
    if not addresses:
        raise DNSFailure(f"{host}: no address")
    return addresses


class AddressGuard:
    """Which destinations a fetch may connect to (see the module docstring)."""

    def __init__(
        self,
        allow_hosts: Iterable[str],
        *,
        own_services: Iterable[str] = (),
        dns_timeout: float | None = 5.0,
    ):
        self.allow: dict[str, frozenset[int] | None] = {}
        for entry in allow_hosts:
            if not entry.strip():
                continue
            host, ports = parse_allow_entry(entry)
            known = self.allow.get(host, frozenset())
            self.allow[host] = None if ports is None or known is None else known | ports
        self.own_services = frozenset(
            origin for origin in (_origin(url) for url in own_services) if origin is not None
        )
        self.dns_timeout = dns_timeout

    def listed(self, host: str) -> bool:
        return host.strip("[]").lower() in self.allow

    def allowed(self, host: str, port: int) -> bool:
        key = host.strip("[]").lower()
        if key not in self.allow:
            return False
        ports = self.allow[key]
        return ports is None or port in ports

    def _refusal(self, host: str, port: int, reason: str | None) -> str | None:
        """The reason an address would be refused for, unless the allow-list exempts it."""
        if reason is None or self.allowed(host, port):
            return None
        return "ssrf:port_not_allowed" if self.listed(host) else reason

    def own_service(self, host: str, port: int) -> bool:
        return (host.strip("[]").lower(), port) in self.own_services

    def check_literal(self, host: str, port: int = 80) -> str | None:
        """Refusal reason for an IP-literal host (or one of Vigie's own services), without any
        DNS lookup (None otherwise)."""
        if self.own_service(host, port):
            return "ssrf:own_service"
        ip = _literal_ip(host)
        if ip is None:
            return None
        return self._refusal(host, port, classify_address(ip))

    def resolve(self, host: str, port: int, timeout: float | None = None) -> str:
        """The address to connect to; raises SSRFRefused, DNSFailure or DNSTimeout."""
        host = host.strip("[]")
        if self.own_service(host, port):
            raise SSRFRefused("ssrf:own_service", host)
        literal = _literal_ip(host)
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            limits = [t for t in (timeout, self.dns_timeout) if t is not None]
            addresses = _getaddrinfo(host, port, min(limits) if limits else None)
        # One bad address taints the host: a name answering both public and private is an attack.
        for ip in addresses:
            reason = self._refusal(host, port, classify_address(ip))
            if reason:
                raise SSRFRefused(reason, host)
        return str(addresses[0])


# -- the request deadline --------------------------------------------------------------------------

_request = threading.local()  # .deadline: time.monotonic() value the current request must end by


@contextlib.contextmanager
def _deadline(deadline: float) -> Iterator[None]:
    previous = getattr(_request, "deadline", None)
    _request.deadline = deadline
    try:
        yield
    finally:
        _request.deadline = previous


def _clamp(timeout: float | None, expired: type[Exception]) -> float | None:
    """`timeout` cut to the time left before this thread's request deadline."""
    deadline: float | None = getattr(_request, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("total timeout exceeded")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the request deadline: httpcore's own
    timeouts are per read, so headers dripped one byte per read timeout would never end.
    Connections are pooled and shared between threads: the deadline is the calling thread's."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # CPython bounds the whole handshake by the socket timeout (not each read of it).
        tls = self._stream.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Resolve (bounded), check, and connect to the checked address (no second lookup to
    rebind); every stream it opens keeps to the request deadline."""

    def __init__(self, guard: AddressGuard):
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        address = self.guard.resolve(host, port, _clamp(timeout, httpcore.ConnectTimeout))
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(super().connect_tcp(address, port, timeout, local_address, socket_options))


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool rebuilt on `GuardedBackend`."""

    def __init__(self, guard: AddressGuard, limits: httpx.Limits):
        super().__init__(trust_env=False, limits=limits)
        # httpx exposes no network-backend option; the pool it would build is replaced by the
        # same pool on our backend (httpx 0.28 / httpcore 1.0, pinned). tests/test_ingest_fetch.py
        # checks that a host name resolving to loopback is refused, which only this backend does.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(guard),
        )


# -- validator state ----------------------------------------------------------------------------


class ValidatorStore:
    """ETag / Last-Modified / last success per URL in one JSON file, safe across threads and
    processes (flock around read-modify-write, atomic replace)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("validator state %s unreadable (%s): starting afresh", self.path, error)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url: str) -> dict[str, str]:
        with self._lock:
            return dict(self._read().get(url, {}))

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path.with_suffix(".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def update(self, url: str, **fields: str | None) -> None:
        with self._exclusive():
            data = self._read()
            entry = data.setdefault(url, {})
            for key, value in fields.items():
                if value is None:
                    entry.pop(key, None)
                else:
                    entry[key] = value
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise


# -- per-host politeness --------------------------------------------------------------------------


class _HostGate:
    """At most `limit` requests in flight to a host, and `delay` seconds between their starts."""

    def __init__(self, limit: int, delay: float):
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._delay = delay

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self._delay
            if start > now:
                time.sleep(start - now)
            yield


# -- response bodies -------------------------------------------------------------------------------


def _content_coding(headers: httpx.Headers) -> str | None:
    """The one content coding to undo ("gzip", "deflate") or None; raises _Attempt for stacked
    or undecodable codings. `identity`, empty and unknown tokens are no coding (httpx and
    browsers ignore them too)."""
    codings: list[str] = []
    for value in headers.get_list("content-encoding"):
        for token in value.split(","):
            token = token.strip().lower()
            if token in CONTENT_CODINGS:
                codings.append(CONTENT_CODINGS[token])
            elif token in UNDECODABLE_CODINGS:
                raise _Attempt("encoding:unsupported", retryable=False)
    if len(codings) > 1:  # each layer multiplies: 18 KB of gzip, gzip reaches 20 GB
        raise _Attempt("encoding:stacked", retryable=False)
    return codings[0] if codings else None


class _BoundedDecoder:
    """Undo one content coding as the body streams, never producing more than asked for: zlib's
    `max_length` stops inflating at the limit, so a bomb costs the cap, not its expansion."""

    def __init__(self, coding: str | None):
        self.coding = coding
        # gzip: wbits 16+15; deflate: the zlib wrapper first, raw deflate if that fails at once
        # (servers send both under "deflate", as httpx accepts).
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS)
        self._first = True
        self._ended = False

    def decode(self, data: bytes, limit: int) -> bytes:
        """The decoded bytes of `data`, at most `limit` (> 0): reaching it means over the cap."""
        if self.coding is None:
            return data
        out = bytearray()
        while data and not self._ended and len(out) < limit:
            first, self._first = self._first, False
            try:
                out += self._inflate.decompress(data, limit - len(out))  # max_length > 0: bounded
            except zlib.error:
                if first and self.coding == "deflate":
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            if self._inflate.eof:
                self._ended = True  # bytes after the end of the stream are ignored, as httpx does
            data = self._inflate.unconsumed_tail
        return bytes(out)

    def flush(self, limit: int) -> bytes:
        if self.coding is None or self._ended:
            return b""
        return self._inflate.flush(limit)


# -- robots.txt --------------------------------------------------------------------------------------


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: "VigieBot" in "VigieBot/0.1 (+...)"."""
    match = re.match(r"[A-Za-z_-]+", user_agent.strip())
    return match.group(0).lower() if match else user_agent.strip().lower()


def _normalise_path(path: str) -> str:
    """Percent-encode what is not printable ASCII and upper-case escapes, so a pattern and a
    path written differently compare as RFC 9309 asks."""
    encoded = quote(path, safe="".join(chr(c) for c in range(0x21, 0x7F)))
    return re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), encoded)


@dataclass(frozen=True)
class _RobotsRule:
    allow: bool
    length: int  # of the pattern as written: the longest matching rule wins
    segments: tuple[str, ...]  # the pattern split at "*"
    anchored: bool  # ended with "$"

    @classmethod
    def parse(cls, allow: bool, pattern: str) -> _RobotsRule:
        normalised = _normalise_path(pattern)
        anchored = normalised.endswith("$")
        body = normalised[:-1] if anchored else normalised
        return cls(allow, len(normalised), tuple(body.split("*")), anchored)

    def matches(self, path: str) -> bool:
        """Wildcard match without backtracking: each literal segment found leftmost in turn
        (C-speed `find`), which is exact for `*`-only patterns; linear in the path per segment."""
        first, rest = self.segments[0], self.segments[1:]
        if not path.startswith(first):
            return False
        position = len(first)
        if not rest:
            return position == len(path) if self.anchored else True
        for segment in rest[:-1]:
            found = path.find(segment, position)
            if found < 0:
                return False
            position = found + len(segment)
        last = rest[-1]
        if self.anchored:
            return path.endswith(last) and len(path) - len(last) >= position
        return path.find(last, position) >= 0


class RobotsRules:
    """The rules of one robots.txt for one product token (RFC 9309)."""

    def __init__(self, rules: Sequence[_RobotsRule] = ()):
        self.rules = tuple(rules)

    @classmethod
    def parse(cls, text: str, token: str) -> RobotsRules:
        """Groups start at one or more `user-agent` lines; the groups naming `token`
        (case-insensitive, version ignored) are merged, else those of `*`, else no rules."""
        token = token.lower()
        groups: list[tuple[list[str], list[_RobotsRule]]] = []
        in_agents = False
        for line in text.lstrip("\ufeff").splitlines():
            key, colon, value = line.split("#", 1)[0].partition(":")
            if not colon:
                continue
            key, value = key.strip().lower(), value.strip()
            if key == "user-agent":
                if not in_agents:
                    groups.append(([], []))
                    in_agents = True
                groups[-1][0].append(value.split("/", 1)[0].strip().lower())
            elif key in ("allow", "disallow"):
                in_agents = False
                if groups and value:  # an empty Disallow allows everything: no rule
                    groups[-1][1].append(_RobotsRule.parse(key == "allow", value))
            # sitemap, crawl-delay and unknown lines neither end nor start a group
        for name in (token, "*"):
            chosen = [rule for agents, rules in groups if name in agents for rule in rules]
            if chosen or any(name in agents for agents, _ in groups):
                return cls(chosen)
        return cls()

    def allowed(self, path: str) -> bool:
        """`path` is the URL's path and query. The longest matching rule decides; on a tie
        `allow` wins; no match allows; /robots.txt itself is always allowed."""
        path = _normalise_path(path or "/")
        if path == "/robots.txt":
            return True
        best: _RobotsRule | None = None
        for rule in self.rules:
            if (best is None or (rule.length, rule.allow) > (best.length, best.allow)) and rule.matches(path):
                best = rule
        return best is None or best.allow


@dataclass
class _RobotsEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    rules: RobotsRules | None = None
    refusal: str | None = None  # every page of the origin is refused with this
    expires: float = 0.0


# -- the fetcher ----------------------------------------------------------------------------------


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _record(summary: RunSummary, stage: str, result: FetchResult) -> None:
    if result.error:
        summary.record(stage, "refused", result.url, result.error)
    elif result.not_modified:
        summary.record(stage, "skipped", result.url, "not_modified")
    else:
        summary.record(stage, "accepted", result.url)


class _Attempt(Exception):
    """A failed attempt: `reason`, and whether trying again may help."""

    def __init__(self, reason: str, retryable: bool, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.wait = wait


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    content: bytes | None
    encoding: str | None


class Fetcher:
    """Thread-safe; one per process is enough. Use as a context manager or call close()."""

    def __init__(self, settings: Settings | None = None, policy: FetchPolicy | None = None):
        self.settings = settings or get_settings()
        self.policy = policy or FetchPolicy()
        self.guard = AddressGuard(
            self.settings.allow_hosts,
            own_services=[self.settings.es_url, self.settings.kibana_url],
            dns_timeout=self.policy.connect_timeout,
        )
        self.store = ValidatorStore(Path(self.settings.state_dir) / STATE_FILE)
        self.robots_token = product_token(self.settings.user_agent)
        limits = httpx.Limits(
            max_connections=max(10, self.policy.max_workers * 2), max_keepalive_connections=20
        )
        self.client = httpx.Client(
            transport=GuardedTransport(self.guard, limits),
            follow_redirects=False,  # by hand, so every hop meets the guard
            trust_env=False,  # no proxy from the environment: it would bypass the guard
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.read_timeout,
                pool=self.policy.total_timeout,
            ),
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Language": "fr, en;q=0.5",
            },
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._robots: dict[str, _RobotsEntry] = {}
        self._robots_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # public ------------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        conditional: bool = False,
        remember: bool | None = None,
        robots: bool = False,
        summary: RunSummary | None = None,
        stage: str = "fetch",
    ) -> FetchResult:
        """GET `url`. `conditional` sends the stored validators; `remember` (default: same as
        `conditional`) stores the new ones on success. A caller that must not lose items passes
        `remember=False` and calls `remember(result)` once the content is safely processed.
        `robots` checks every hop against its site's robots.txt first (article pages; a
        registered feed is polled without it)."""
        try:
            result = self._fetch(url, conditional, robots=robots)
        except Exception as error:  # a bug or an unforeseen library error: one URL, not the batch
            log.exception("fetching %s failed unexpectedly", url)
            result = FetchResult(url=url, error=f"internal_error:{type(error).__name__}")
        if result.ok and (conditional if remember is None else remember):
            self.remember(result)
        if summary is not None:
            _record(summary, stage, result)
        return result

    def fetch_many(
        self,
        urls: Sequence[str],
        *,
        conditional: bool = False,
        remember: bool | None = None,
        robots: bool = False,
        summary: RunSummary | None = None,
        stage: str = "fetch",
    ) -> list[FetchResult]:
        """Fetch concurrently (per-host limit and delay still hold); results in input order."""
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.policy.max_workers, len(urls))) as pool:
            results = list(
                pool.map(
                    lambda u: self.fetch(u, conditional=conditional, remember=remember, robots=robots),
                    urls,
                )
            )
        if summary is not None:  # recorded here, in order: RunSummary is not thread-safe
            for result in results:
                _record(summary, stage, result)
        return results

    def remember(self, result: FetchResult) -> None:
        """Store the validators of a successful response for the next conditional GET."""
        self.store.update(result.url, etag=result.etag, last_modified=result.last_modified)

    def robots_refusal(self, url: str, deadline: float | None = None) -> str | None:
        """Why robots.txt keeps Vigie from `url` (`robots:disallowed`, `robots:unavailable`, or
        the reason the site could not be reached), None if it may be fetched. robots.txt is
        read once per origin and remembered (ROBOTS_TTL; a failure ROBOTS_FAILURE_TTL), within
        `deadline` if given (a redirect hop's robots.txt is read in its page's time)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"
        with self._robots_lock:
            entry = self._robots.setdefault(origin, _RobotsEntry())
        with entry.lock:  # one read per origin, however many pages wait for it
            if time.monotonic() >= entry.expires:
                self._read_robots(origin, entry, deadline)
        if entry.refusal is not None:
            return entry.refusal
        assert entry.rules is not None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return None if entry.rules.allowed(path) else "robots:disallowed"

    # internals ---------------------------------------------------------------------------------

    def _read_robots(self, origin: str, entry: _RobotsEntry, deadline: float | None) -> None:
        url = origin + "/robots.txt"
        own = time.monotonic() + self.policy.total_timeout
        page_bound = deadline is not None and deadline < own
        try:
            result = self._fetch(
                url, False, cap=ROBOTS_MAX_BYTES, truncate=True, deadline=min(own, deadline or own)
            )
        except Exception as error:  # as in fetch(): one site, not the run
            log.exception("reading %s failed unexpectedly", url)
            result = FetchResult(url=url, error=f"internal_error:{type(error).__name__}")
        entry.rules, entry.refusal, ttl = None, None, ROBOTS_TTL
        status = result.status or 0
        if result.ok and result.content is not None:
            text = result.content.decode("utf-8", errors="replace")
            entry.rules = RobotsRules.parse(text, self.robots_token)
        elif (400 <= status < 500 and status != 429) or result.error == "too_many_redirects":
            entry.rules = RobotsRules()  # RFC 9309: unavailable (4xx) means no restriction
        else:
            reason = result.error or "robots:unavailable"
            host_failure = reason in HOST_FAILURES or reason.startswith("ssrf:")
            entry.refusal = reason if host_failure else "robots:unavailable"  # 5xx, 429: disallow
            # A read cut short by its page's deadline says nothing about the site: not kept.
            ttl = 0.0 if reason == "timeout" and page_bound else ROBOTS_FAILURE_TTL
            log.info("robots.txt of %s: %s: its pages are refused (%s)", origin, reason, entry.refusal)
        entry.expires = time.monotonic() + ttl

    def _gate(self, url: str) -> _HostGate:
        parts = urlsplit(url)
        key = f"{parts.hostname}:{parts.port}"
        with self._gates_lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = self._gates[key] = _HostGate(self.policy.per_host_limit, self.policy.host_delay)
            return gate

    def _fetch(
        self,
        url: str,
        conditional: bool,
        *,
        robots: bool = False,
        cap: int | None = None,
        truncate: bool = False,
        deadline: float | None = None,
    ) -> FetchResult:
        """`cap`: body limit (default `Settings.max_body_bytes`); `truncate`: keep the first
        `cap` bytes of a longer body instead of refusing it (robots.txt); `deadline`: when every
        hop must be done by (default: `total_timeout` from the first connection, after the
        first hop's robots.txt)."""
        result = FetchResult(url=url, fetched_at=datetime.now(UTC).replace(microsecond=0))
        headers: dict[str, str] = {}
        if conditional:
            stored = self.store.get(url)
            if stored.get("etag"):
                headers["If-None-Match"] = stored["etag"]
            if stored.get("last_modified"):
                headers["If-Modified-Since"] = stored["last_modified"]
        body = _Body(self.settings.max_body_bytes if cap is None else cap, truncate)
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            result.final_url = current
            refusal = self._precheck(current)
            if refusal is None and robots:
                refusal = self.robots_refusal(current, deadline)
            if refusal:
                result.error = refusal
                return result
            if deadline is None:  # the page's own time starts after its robots.txt was read
                deadline = time.monotonic() + self.policy.total_timeout
            try:
                response = self._with_retries(current, headers, deadline, result, body)
            except _Attempt as failure:
                result.error = failure.reason
                return result
            result.status = response.status
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    result.error = "bad_redirect"
                    return result
                current = urljoin(current, location.strip())
                result.redirects.append(current)
                continue
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            result.content_type = response.headers.get("content-type")
            result.encoding = response.encoding
            if response.status == 304:
                result.not_modified = True
            elif 200 <= response.status < 300:
                result.content = response.content
            else:
                result.error = f"http_{response.status}"
            return result
        result.error = "too_many_redirects"
        return result

    def _precheck(self, url: str) -> str | None:
        """Scheme and IP-literal checks, before any connection (DNS names: at connect time)."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            port = parts.port
        except ValueError:
            return "invalid_url"
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            return "ssrf:scheme_not_allowed"
        if not host:
            return "invalid_url"
        return self.guard.check_literal(host, port or (443 if scheme == "https" else 80))

    def _with_retries(
        self, url: str, headers: dict[str, str], deadline: float, result: FetchResult, body: _Body
    ) -> _Response:
        attempt = 0
        while True:
            attempt += 1
            result.attempts += 1
            try:
                with self._gate(url).slot():
                    response = self._attempt(url, headers, deadline, body)
                if response.status not in RETRYABLE_STATUSES:
                    return response
                wait = _retry_after(response.headers.get("retry-after"))
                failure = _Attempt(f"http_{response.status}", retryable=True, wait=wait)
            except _Attempt as error:
                failure = error
            if not failure.retryable or attempt >= self.policy.max_attempts:
                raise failure
            wait = failure.wait if failure.wait is not None else self.policy.backoff_base * 2 ** (attempt - 1)
            if wait > self.policy.max_retry_wait or time.monotonic() + wait > deadline:
                raise failure  # the server asks for more patience than this run has
            log.info("retrying %s in %.1fs after %s", url, wait, failure.reason)
            time.sleep(wait)

    def _attempt(self, url: str, headers: dict[str, str], deadline: float, body: _Body) -> _Response:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Attempt("timeout", retryable=False)
        timeout = httpx.Timeout(
            connect=min(self.policy.connect_timeout, left),
            read=min(self.policy.read_timeout, left),
            write=min(self.policy.read_timeout, left),
            pool=left,
        )
        with _deadline(deadline):  # every socket operation below ends by the deadline
            try:
                request = self.client.build_request("GET", url, headers=headers, timeout=timeout)
                response = self.client.send(request, stream=True)
            except SSRFRefused as error:
                raise _Attempt(error.reason, retryable=False) from error
            except DNSTimeout as error:
                raise _Attempt("dns_timeout", retryable=True) from error
            except DNSFailure as error:
                raise _Attempt("dns_error", retryable=True) from error
            except httpx.TimeoutException as error:
                raise _Attempt("timeout", retryable=True) from error
            except httpx.UnsupportedProtocol as error:
                raise _Attempt("ssrf:scheme_not_allowed", retryable=False) from error
            except (httpx.InvalidURL, httpx.LocalProtocolError) as error:
                raise _Attempt("invalid_url", retryable=False) from error
            except httpx.TransportError as error:
                raise _Attempt("connection_error", retryable=True) from error
            try:
                if not 200 <= response.status_code < 300:
                    return _Response(response.status_code, response.headers, None, response.charset_encoding)
                content = body.read(response, deadline)
                return _Response(response.status_code, response.headers, content, response.charset_encoding)
            except httpx.TimeoutException as error:
                raise _Attempt("timeout", retryable=True) from error
            except zlib.error as error:
                raise _Attempt("bad_content_encoding", retryable=False) from error
            except httpx.TransportError as error:
                raise _Attempt("connection_error", retryable=True) from error
            finally:
                response.close()


@dataclass(frozen=True)
class _Body:
    """How a response body is read: at most `cap` bytes on the wire and after decoding."""

    cap: int
    truncate: bool = False  # keep the first `cap` bytes of a longer body instead of refusing it

    def _over(self, body: bytearray) -> bool:
        if not self.truncate:
            raise _Attempt("too_large", retryable=False)  # stop reading at the cap
        del body[self.cap :]
        return True

    def read(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.cap and not self.truncate:
            raise _Attempt("too_large", retryable=False)
        decoder = _BoundedDecoder(_content_coding(response.headers))
        body = bytearray()
        wire = 0
        # Raw bytes, decoded here: httpx's decoders inflate a whole network read at once, and
        # every layer of a stacked coding in turn (a 1.8 KB response grew to 2 GB).
        for raw in response.iter_raw():
            wire += len(raw)
            body += decoder.decode(raw, self.cap - len(body) + 1)
            if (len(body) > self.cap or wire > self.cap) and self._over(body):
                return bytes(body)
            if time.monotonic() > deadline:
                raise _Attempt("timeout", retryable=False)
        body += decoder.flush(self.cap - len(body) + 1)
        if len(body) > self.cap:
            self._over(body)
        return bytes(body)
