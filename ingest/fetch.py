"""HTTP fetching that survives a hostile web: SSRF guard, size cap, timeouts, retries, politeness.

`Fetcher.fetch(url)` never raises for a bad URL or a bad server: it returns a `FetchResult`
whose `error` is a short machine-readable reason (`ssrf:private_address`, `too_large`,
`timeout`, `http_500`, `too_many_redirects`, `connection_error`, ...).

SSRF guard. Every TCP connection goes through `GuardedBackend`, an httpcore network backend
that resolves the host itself, refuses non-public addresses (loopback, private, link-local,
CGNAT, multicast, reserved, unspecified, cloud metadata) and then connects to the very
address it checked. Checking and connecting with the same resolution closes the DNS-rebinding
gap; TLS still verifies the certificate against the host name (httpcore passes the origin host
as SNI). Redirects are followed by hand so each hop is checked (scheme first, then the
address at connect time). Hosts in `Settings.allow_hosts` (the local feed server in tests and
the demo) are exempt, matched on the literal URL host: allow-listing "127.0.0.1" does not
allow "localhost".

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
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

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


class AddressGuard:
    def __init__(self, allow_hosts: Iterable[str]):
        self.allow_hosts = frozenset(h.strip().strip("[]").lower() for h in allow_hosts if h.strip())

    def allowed(self, host: str) -> bool:
        return host.strip("[]").lower() in self.allow_hosts

    def check_literal(self, host: str) -> str | None:
        """Refusal reason for an IP-literal host, without any DNS lookup (None otherwise)."""
        ip = _literal_ip(host)
        if ip is None or self.allowed(host):
            return None
        return classify_address(ip)

    def resolve(self, host: str, port: int) -> str:
        """The address to connect to; raises SSRFRefused or DNSFailure."""
        host = host.strip("[]")
        if self.allowed(host):
            return host
        literal = _literal_ip(host)
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as error:
                raise DNSFailure(f"{host}: {error}") from error
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
            if not addresses:
                raise DNSFailure(f"{host}: no address")
        # One bad address taints the host: a name answering both public and private is an attack.
        for ip in addresses:
            reason = classify_address(ip)
            if reason:
                raise SSRFRefused(reason, host)
        return str(addresses[0])


class GuardedBackend(httpcore.SyncBackend):
    """Resolve, check, and connect to the checked address (no second lookup to rebind)."""

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
        address = self.guard.resolve(host, port)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


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
        self.guard = AddressGuard(self.settings.allow_hosts)
        self.store = ValidatorStore(Path(self.settings.state_dir) / STATE_FILE)
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
        summary: RunSummary | None = None,
        stage: str = "fetch",
    ) -> FetchResult:
        """GET `url`. `conditional` sends the stored validators; `remember` (default: same as
        `conditional`) stores the new ones on success. A caller that must not lose items passes
        `remember=False` and calls `remember(result)` once the content is safely processed."""
        try:
            result = self._fetch(url, conditional)
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
        summary: RunSummary | None = None,
        stage: str = "fetch",
    ) -> list[FetchResult]:
        """Fetch concurrently (per-host limit and delay still hold); results in input order."""
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.policy.max_workers, len(urls))) as pool:
            results = list(
                pool.map(lambda u: self.fetch(u, conditional=conditional, remember=remember), urls)
            )
        if summary is not None:  # recorded here, in order: RunSummary is not thread-safe
            for result in results:
                _record(summary, stage, result)
        return results

    def remember(self, result: FetchResult) -> None:
        """Store the validators of a successful response for the next conditional GET."""
        self.store.update(result.url, etag=result.etag, last_modified=result.last_modified)

    # internals ---------------------------------------------------------------------------------

    def _gate(self, url: str) -> _HostGate:
        parts = urlsplit(url)
        key = f"{parts.hostname}:{parts.port}"
        with self._gates_lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = self._gates[key] = _HostGate(self.policy.per_host_limit, self.policy.host_delay)
            return gate

    def _fetch(self, url: str, conditional: bool) -> FetchResult:
        result = FetchResult(url=url, fetched_at=datetime.now(UTC).replace(microsecond=0))
        headers: dict[str, str] = {}
        if conditional:
            stored = self.store.get(url)
            if stored.get("etag"):
                headers["If-None-Match"] = stored["etag"]
            if stored.get("last_modified"):
                headers["If-Modified-Since"] = stored["last_modified"]
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            result.final_url = current
            refusal = self._precheck(current)
            if refusal:
                result.error = refusal
                return result
            try:
                response = self._with_retries(current, headers, deadline, result)
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
            _ = parts.port
        except ValueError:
            return "invalid_url"
        if parts.scheme.lower() not in ("http", "https"):
            return "ssrf:scheme_not_allowed"
        if not host:
            return "invalid_url"
        return self.guard.check_literal(host)

    def _with_retries(
        self, url: str, headers: dict[str, str], deadline: float, result: FetchResult
    ) -> _Response:
        attempt = 0
        while True:
            attempt += 1
            result.attempts += 1
            try:
                with self._gate(url).slot():
                    response = self._attempt(url, headers, deadline)
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

    def _attempt(self, url: str, headers: dict[str, str], deadline: float) -> _Response:
        cap = self.settings.max_body_bytes
        try:
            request = self.client.build_request("GET", url, headers=headers)
            response = self.client.send(request, stream=True)
        except SSRFRefused as error:
            raise _Attempt(error.reason, retryable=False) from error
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
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _Attempt("too_large", retryable=False)
            body = bytearray()
            # Counted after Content-Encoding decoding, so a gzip bomb meets the cap too (one
            # decoded network read, at most ~64 MB for a 64 KiB gzip chunk, is transient).
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > cap:
                    raise _Attempt("too_large", retryable=False)  # stop reading at the cap
                if time.monotonic() > deadline:
                    raise _Attempt("timeout", retryable=False)
            return _Response(response.status_code, response.headers, bytes(body), response.charset_encoding)
        except httpx.TimeoutException as error:
            raise _Attempt("timeout", retryable=True) from error
        except httpx.DecodingError as error:
            raise _Attempt("bad_content_encoding", retryable=False) from error
        except httpx.TransportError as error:
            raise _Attempt("connection_error", retryable=True) from error
        finally:
            response.close()
