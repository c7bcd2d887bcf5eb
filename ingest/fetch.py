"""HTTP fetching that survives a hostile web: SSRF guard, size cap, deadlines, retries,
politeness, robots.txt.

`Fetcher.fetch(url)` never raises for a bad URL or a bad server: it returns a `FetchResult`
whose `error` is a short machine-readable reason (`ssrf:private_address`, `too_large`,
`timeout`, `http_500`, `too_many_redirects`, `connection_error`, `encoding:stacked`,
`robots:disallowed`, ...).

This module holds the policy, the result, per-host politeness and the `Fetcher` itself, which
follows redirects by hand (each hop checked), retries with backoff and Retry-After (tenacity),
and keeps one deadline for the whole request. The rest lives beside it:

- `ingest.guard`: the SSRF guard, the allow-list (VIGIE_ALLOW_HOSTS) and the request deadline
  every socket operation is clamped to;
- `ingest.httpbody`: the body cap, content codings and their bounded decoding;
- `ingest.robots`: robots.txt rules, read once per origin;
- `ingest.validators`: the ETag / Last-Modified store behind conditional GETs.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import tenacity
from pydantic import BaseModel

from ingest.guard import (
    CGNAT,
    METADATA_ADDRESSES,
    WEB_PORTS,
    AddressGuard,
    DNSFailure,
    DNSTimeout,
    GuardedBackend,
    GuardedTransport,
    IPAddress,
    SSRFRefused,
    classify_address,
    parse_allow_entry,
    request_deadline,
)
from ingest.httpbody import CONTENT_CODINGS, UNDECODABLE_CODINGS, AttemptFailed, BodyReader
from ingest.robots import (
    HOST_FAILURES,
    ROBOTS_FAILURE_TTL,
    ROBOTS_MAX_BYTES,
    ROBOTS_TTL,
    RobotsCache,
    RobotsRules,
    product_token,
)
from ingest.validators import STATE_FILE, ValidatorStore
from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings, get_settings

# Public names of this module, then those of its siblings, importable from here as before.
__all__ = ["ACCEPT", "REDIRECT_STATUSES", "RETRYABLE_STATUSES", "FetchPolicy", "FetchResult", "Fetcher"]
__all__ += ["AddressGuard", "DNSFailure", "DNSTimeout", "GuardedBackend", "GuardedTransport", "SSRFRefused"]
__all__ += ["IPAddress", "CGNAT", "METADATA_ADDRESSES", "WEB_PORTS", "classify_address", "parse_allow_entry"]
__all__ += ["CONTENT_CODINGS", "UNDECODABLE_CODINGS", "STATE_FILE", "ValidatorStore", "HOST_FAILURES"]
__all__ += ["ROBOTS_FAILURE_TTL", "ROBOTS_MAX_BYTES", "ROBOTS_TTL", "RobotsRules", "product_token"]

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.9, application/xhtml+xml;q=0.9, */*;q=0.5"
)


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
        self.robots = RobotsCache(self.robots_token, self.policy.total_timeout)
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
        self._pool: ThreadPoolExecutor | None = None  # fetch_many's threads, made once

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
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
        with self._gates_lock:  # one pool for every batch (a pool per call cost its threads each time)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.policy.max_workers, thread_name_prefix="vigie-fetch")
        results = list(
            self._pool.map(
                lambda u: self.fetch(u, conditional=conditional, remember=remember, robots=robots), urls
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
        return self.robots.refusal(url, self._read_robots, deadline)

    # internals ---------------------------------------------------------------------------------

    def _read_robots(self, url: str, deadline: float) -> FetchResult:
        try:
            return self._fetch(url, False, cap=ROBOTS_MAX_BYTES, truncate=True, deadline=deadline)
        except Exception as error:  # as in fetch(): one site, not the run
            log.exception("reading %s failed unexpectedly", url)
            return FetchResult(url=url, error=f"internal_error:{type(error).__name__}")

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
        body = BodyReader(self.settings.max_body_bytes if cap is None else cap, truncate)
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
            except AttemptFailed as failure:
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
        self, url: str, headers: dict[str, str], deadline: float, result: FetchResult, body: BodyReader
    ) -> _Response:
        """GET `url` (one hop) with tenacity: a retryable failure (connection, timeout, 429/5xx)
        is tried again after its Retry-After or exponential backoff, at most `max_attempts`
        times, and never when the wait exceeds `max_retry_wait` or would end past `deadline`."""
        policy = self.policy

        def attempt() -> _Response:
            result.attempts += 1
            with self._gate(url).slot():
                response = self._attempt(url, headers, deadline, body)
            if response.status in RETRYABLE_STATUSES:
                wait = _retry_after(response.headers.get("retry-after"))
                raise AttemptFailed(f"http_{response.status}", retryable=True, wait=wait)
            return response

        def failure_of(state: tenacity.RetryCallState) -> AttemptFailed:
            assert state.outcome is not None
            error = state.outcome.exception()
            assert isinstance(error, AttemptFailed)
            return error

        def wait(state: tenacity.RetryCallState) -> float:
            asked = failure_of(state).wait
            return asked if asked is not None else policy.backoff_base * 2 ** (state.attempt_number - 1)

        def give_up(state: tenacity.RetryCallState) -> bool:  # `upcoming_sleep` is set: wait runs first
            return (
                state.attempt_number >= policy.max_attempts
                or state.upcoming_sleep > policy.max_retry_wait  # "not this run"
                or time.monotonic() + state.upcoming_sleep > deadline
            )

        def announce(state: tenacity.RetryCallState) -> None:
            log.info("retrying %s in %.1fs after %s", url, state.upcoming_sleep, failure_of(state).reason)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(
                lambda error: isinstance(error, AttemptFailed) and error.retryable
            ),
            wait=wait,
            stop=give_up,
            before_sleep=announce,
            sleep=lambda seconds: time.sleep(seconds),
            reraise=True,  # the last AttemptFailed itself: its reason is the result's error
        )
        return retrying(attempt)

    def _attempt(self, url: str, headers: dict[str, str], deadline: float, body: BodyReader) -> _Response:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AttemptFailed("timeout", retryable=False)
        timeout = httpx.Timeout(
            connect=min(self.policy.connect_timeout, left),
            read=min(self.policy.read_timeout, left),
            write=min(self.policy.read_timeout, left),
            pool=left,
        )
        with request_deadline(deadline):  # every socket operation below ends by the deadline
            try:
                request = self.client.build_request("GET", url, headers=headers, timeout=timeout)
                response = self.client.send(request, stream=True)
            except SSRFRefused as error:
                raise AttemptFailed(error.reason, retryable=False) from error
            except DNSTimeout as error:
                raise AttemptFailed("dns_timeout", retryable=True) from error
            except DNSFailure as error:
                raise AttemptFailed("dns_error", retryable=True) from error
            except httpx.TimeoutException as error:
                raise AttemptFailed("timeout", retryable=True) from error
            except httpx.UnsupportedProtocol as error:
                raise AttemptFailed("ssrf:scheme_not_allowed", retryable=False) from error
            except (httpx.InvalidURL, httpx.LocalProtocolError) as error:
                raise AttemptFailed("invalid_url", retryable=False) from error
            except httpx.TransportError as error:
                raise AttemptFailed("connection_error", retryable=True) from error
            try:
                if not 200 <= response.status_code < 300:
                    return _Response(response.status_code, response.headers, None, response.charset_encoding)
                content = body.read(response, deadline)
                return _Response(response.status_code, response.headers, content, response.charset_encoding)
            except httpx.TimeoutException as error:
                raise AttemptFailed("timeout", retryable=True) from error
            except zlib.error as error:
                raise AttemptFailed("bad_content_encoding", retryable=False) from error
            except httpx.TransportError as error:
                raise AttemptFailed("connection_error", retryable=True) from error
            finally:
                response.close()
