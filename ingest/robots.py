"""robots.txt: the rules of a site for Vigie's product token, read once per origin.

robots.txt. `Fetcher.fetch(url, robots=True)` (the pipeline's article pages) honours the
`Disallow`/`Allow` rules of the site's robots.txt for Vigie's product token (RFC 9309:
longest match wins, `*` and `$` wildcards, the `*` group when none names Vigie), refusing
`robots:disallowed`. robots.txt is fetched once per origin per `Fetcher` (one run, a
`RobotsCache`) through the same guard, capped at 512 KiB (the rest ignored); a 4xx means no
rules; a 5xx means `robots:unavailable` (RFC 9309: assume complete disallow); an unreachable
site refuses its pages with the same reason (`timeout`, `connection_error`, ...) without
another attempt each. Feeds are polled without it: a registered feed is the site's own
invitation to poll it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urlsplit

log = logging.getLogger(__name__)

# robots.txt: RFC 9309 asks crawlers to read at least 500 KiB; what follows is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_TTL = 3600.0  # seconds a parsed robots.txt is trusted (one run is shorter)
ROBOTS_FAILURE_TTL = 300.0  # seconds an unreachable site's refusal is remembered
# The reasons that say the host itself could not be reached or must not be: the page would
# fail the same way, so a robots.txt failing with one refuses the page with it.
HOST_FAILURES = frozenset({"timeout", "connection_error", "dns_error", "dns_timeout", "invalid_url"})


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
class RobotsEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    rules: RobotsRules | None = None
    refusal: str | None = None  # every page of the origin is refused with this
    expires: float = 0.0


class RobotsResponse(Protocol):
    """What reading a robots.txt returns (an `ingest.fetch.FetchResult`)."""

    status: int | None
    content: bytes | None
    error: str | None

    @property
    def ok(self) -> bool: ...


# Reads a robots.txt URL by a deadline (time.monotonic()), never raising.
RobotsReader = Callable[[str, float], RobotsResponse]


class RobotsCache:
    """The robots.txt of each origin, read once and remembered (ROBOTS_TTL; a failure
    ROBOTS_FAILURE_TTL). Thread-safe: pages waiting on one origin share its single read."""

    def __init__(self, token: str, total_timeout: float):
        self.token = token
        self.total_timeout = total_timeout  # a robots.txt read's own time
        self._entries: dict[str, RobotsEntry] = {}
        self._lock = threading.Lock()

    def refusal(self, url: str, read: RobotsReader, deadline: float | None = None) -> str | None:
        """Why robots.txt keeps Vigie from `url` (`robots:disallowed`, `robots:unavailable`, or
        the reason the site could not be reached), None if it may be fetched. The origin's
        robots.txt is read with `read` if not known yet, within `deadline` if given (a
        redirect hop's robots.txt is read in its page's time)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"
        with self._lock:
            entry = self._entries.setdefault(origin, RobotsEntry())
        with entry.lock:  # one read per origin, however many pages wait for it
            if time.monotonic() >= entry.expires:
                self._load(origin, entry, read, deadline)
        if entry.refusal is not None:
            return entry.refusal
        assert entry.rules is not None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return None if entry.rules.allowed(path) else "robots:disallowed"

    def _load(self, origin: str, entry: RobotsEntry, read: RobotsReader, deadline: float | None) -> None:
        own = time.monotonic() + self.total_timeout
        page_bound = deadline is not None and deadline < own
        result = read(origin + "/robots.txt", min(own, deadline or own))
        entry.rules, entry.refusal, ttl = None, None, ROBOTS_TTL
        status = result.status or 0
        if result.ok and result.content is not None:
            text = result.content.decode("utf-8", errors="replace")
            entry.rules = RobotsRules.parse(text, self.token)
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
