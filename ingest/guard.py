"""The SSRF guard: which addresses a fetch may connect to, and the network backend that
enforces it under the request deadline.

SSRF guard. Every TCP connection goes through `GuardedBackend`, an httpcore network backend
that resolves the host itself (under a timeout: a resolver that never answers costs
`connect_timeout`, reason `dns_timeout`), refuses non-public addresses (loopback, private,
link-local, CGNAT, multicast, reserved, unspecified, cloud metadata) and then connects to the
very address it checked. Checking and connecting with the same resolution closes the
DNS-rebinding gap; TLS still verifies the certificate against the host name (httpcore passes
the origin host as SNI). Redirects are followed by hand (`ingest.fetch.Fetcher`) so each hop is
checked (scheme first, then the address at connect time).

Allow-list (`Settings.allow_hosts`, VIGIE_ALLOW_HOSTS): entries exempt a host *and port* from
the guard, matched on the literal URL host ("127.0.0.1" does not allow "localhost"):
`host:port` that port only, `host:*` every port, a bare `host` the web ports 80 and 443 only
(IPv6 literals in brackets: `[::1]:8080`). A listed host on another port is refused
`ssrf:port_not_allowed`. Vigie's own services (`Settings.es_url`, `Settings.kibana_url`) are
refused `ssrf:own_service` whatever the allow-list says: a feed item never reaches the cluster.

Deadline. `FetchPolicy.total_timeout` bounds the whole request (every attempt and redirect):
connect, TLS, request, response headers and body. Inside `request_deadline(...)` each socket
operation's timeout is clamped to the time left (`_DeadlineStream`), so a server dripping its
headers one byte at a time is cut off at the deadline (`timeout`), not after one read timeout
per byte.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

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
def request_deadline(deadline: float) -> Iterator[None]:
    """Every socket operation this thread makes inside ends by `deadline` (time.monotonic())."""
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
