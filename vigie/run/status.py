"""`vigie status`: what an operator checks first, read without changing anything.

The node (reachable, health, documents per index family), each registered feed's health
(failures in a row, last success, last error: `vigie.run.feedhealth`), the last runs (their
summaries under `<state_dir>/runs/`), the spool (batches waiting for the cluster) and the dead
letters (documents the cluster rejected). `problems` lists, one line each, what makes the
command exit non-zero: the node down or red, the registry unreadable, every feed failing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings
from vigie.run import feedhealth
from vigie.store import spool
from vigie.store.es import FAMILIES

RECENT_RUNS = 5


@dataclass
class NodeStatus:
    url: str
    reachable: bool
    health: str | None = None
    error: str | None = None
    documents: dict[str, int] = field(default_factory=dict)


@dataclass
class FeedStatus:
    name: str
    failures_in_a_row: int
    last_poll: str | None
    last_success: str | None
    last_error: str | None
    failing: bool  # at or past the failure threshold


@dataclass
class RunStatus:
    run_key: str
    finished: str  # the summary file's time
    feeds_polled: int
    feeds_failed: int
    selected: int
    articles_indexed: int
    refused: int


@dataclass
class Status:
    node: NodeStatus
    feeds: list[FeedStatus] = field(default_factory=list)
    runs: list[RunStatus] = field(default_factory=list)
    spooled_batches: int = 0
    spooled_bytes: int = 0
    dead_letters: int | None = None  # None: the node could not say
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def node_status(settings: Settings, timeout: float = 5.0) -> NodeStatus:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from vigie.store.es import client

    es = client(settings, max_retries=0, request_timeout=timeout)
    status = NodeStatus(url=settings.es_url, reachable=False)
    try:
        status.health = str(es.cluster.health()["status"])
        status.reachable = True
        for family in FAMILIES:
            index = settings.index(family)
            count = es.options(ignore_status=404).count(index=index, ignore_unavailable=True)
            status.documents[family] = int(count.body.get("count", 0)) if count.meta.status == 200 else 0
    except (TransportError, ApiError) as error:
        status.error = f"{type(error).__name__}: {getattr(error, 'message', error)}"
    finally:
        es.close()
    return status


def feed_statuses(settings: Settings, names: list[str]) -> list[FeedStatus]:
    statuses = []
    for name in names:
        health = feedhealth.load(settings, name)
        statuses.append(
            FeedStatus(
                name=name,
                failures_in_a_row=health.consecutive_failures,
                last_poll=_text(health.last_poll),
                last_success=_text(health.last_success),
                last_error=health.last_error if health.consecutive_failures else None,
                failing=health.consecutive_failures >= settings.feed_failure_threshold,
            )
        )
    return statuses


def recent_runs(settings: Settings, count: int = RECENT_RUNS) -> list[RunStatus]:
    folder = settings.state_dir / "runs"
    files = sorted(folder.glob("*.summary.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    runs = []
    for path in files[:count]:
        summary = RunSummary.model_validate_json(path.read_text(encoding="utf-8"))
        feeds = summary.stages.get("feeds")
        runs.append(
            RunStatus(
                run_key=path.name.removesuffix(".summary.json"),
                finished=datetime.fromtimestamp(path.stat().st_mtime)
                .astimezone()
                .isoformat(timespec="seconds"),
                feeds_polled=(feeds.accepted + feeds.refused + feeds.skipped) if feeds else 0,
                feeds_failed=feeds.refused if feeds else 0,
                selected=summary.get("select"),
                articles_indexed=summary.get("index.articles"),
                refused=sum(stats.refused for stats in summary.stages.values()),
            )
        )
    return runs


def collect(settings: Settings, feed_names: list[str] | None, registry_error: str | None = None) -> Status:
    """Everything `vigie status` shows; `feed_names` None when the registry could not be read
    (`registry_error` says why)."""
    status = Status(node=node_status(settings))
    if not status.node.reachable:
        status.problems.append(f"Elasticsearch at {settings.es_url} unreachable: {status.node.error}")
    elif status.node.health == "red":
        status.problems.append(f"Elasticsearch at {settings.es_url} is red")
    if registry_error is not None:
        status.problems.append(registry_error)
    if feed_names:
        status.feeds = feed_statuses(settings, feed_names)
        polled = [f for f in status.feeds if f.last_poll]
        if polled and all(f.failures_in_a_row for f in polled):
            status.problems.append(f"every polled feed is failing ({len(polled)})")
    status.runs = recent_runs(settings)
    batches: list[Path] = spool.pending(settings)
    status.spooled_batches = len(batches)
    status.spooled_bytes = sum(p.stat().st_size for p in batches)
    if status.node.reachable:
        status.dead_letters = status.node.documents.get("deadletters", 0)
    return status
