"""Per-feed poll history: consecutive failures, last success, last error.

One small JSON file per feed under `<state_dir>/feed_health/`, so parallel poll tasks never
write the same file. The maintenance DAG reports feeds failing N polls in a row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from vigie.core.files import atomic_write_text
from vigie.core.settings import Settings


class FeedHealth(BaseModel):
    name: str
    consecutive_failures: int = 0
    last_success: datetime | None = None
    last_error: str | None = None
    last_warning: str | None = None  # e.g. "xml:malformed" on a feed whose items were still read
    last_poll: datetime | None = None


def _path(settings: Settings, name: str) -> Path:
    folder = settings.state_dir / "feed_health"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.json"


def load(settings: Settings, name: str) -> FeedHealth:
    path = _path(settings, name)
    if path.is_file():
        return FeedHealth.model_validate_json(path.read_text(encoding="utf-8"))
    return FeedHealth(name=name)


def record_poll(
    settings: Settings,
    name: str,
    error: str | None,
    when: datetime | None = None,
    *,
    unchanged: bool = False,
    warning: str | None = None,
) -> FeedHealth:
    """One poll of feed `name`: `error` when it yielded nothing; `warning` when it yielded
    items but was malformed (kept as `last_warning`, not a failure); `unchanged` for a 304,
    which repeats the previous poll's verdict rather than resetting it."""
    when = when or datetime.now(UTC)
    health = load(settings, name)
    health.last_poll = when
    if unchanged and health.consecutive_failures:
        health.consecutive_failures += 1
    elif error:
        health.consecutive_failures += 1
        health.last_error = error
    else:
        health.consecutive_failures = 0
        health.last_success = when
        if not unchanged:
            health.last_warning = warning
    atomic_write_text(_path(settings, name), health.model_dump_json())
    return health


# A feed polled by a run on a schedule as long as its interval is due on that run, not the next
# one: the run's own start-up shifts `last_poll` by seconds. Slack: 10 % of the interval, or half
# the schedule's period when that is more (a run starts 10-30 s after its previous one polled,
# a tenth of a 2-minute interval: a feed polling as often as the schedule runs would be polled
# every other run).
DUE_SLACK = 0.9


def is_due(settings: Settings, name: str, interval_minutes: float, now: datetime | None = None) -> bool:
    """Whether feed `name`'s poll interval has passed since its last poll, give or take the
    slack (it ends nearer this run than the next one)."""
    last = load(settings, name).last_poll
    if last is None:
        return True
    elapsed = ((now or datetime.now(UTC)) - last).total_seconds()
    interval = interval_minutes * 60
    slack = max((1 - DUE_SLACK) * interval, settings.schedule_minutes * 60 / 2)
    return elapsed >= interval - slack


def failing_feeds(settings: Settings, threshold: int) -> list[FeedHealth]:
    folder = settings.state_dir / "feed_health"
    if not folder.is_dir():
        return []
    all_health = [
        FeedHealth.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    ]
    return [h for h in all_health if h.consecutive_failures >= threshold]
