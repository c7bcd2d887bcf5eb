"""Daily upkeep, called by the news_maintenance DAG (and usable from a shell)."""

from __future__ import annotations

import logging
from datetime import timedelta

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings
from vigie.run.feedhealth import failing_feeds

log = logging.getLogger(__name__)


def replay(settings: Settings) -> dict[str, int]:
    from vigie.store.es import client
    from vigie.store.indexer import replay_spool

    report = replay_spool(client(settings), settings, RunSummary())
    return {
        "files_replayed": report.files_replayed,
        "files_left": report.files_left,
        "quarantined": len(report.quarantined),
    }


def purge_dead_letters(settings: Settings, max_age_days: int | None = None) -> int:
    from vigie.store.es import client
    from vigie.store.indexer import purge_dead_letters as purge

    days = max_age_days if max_age_days is not None else settings.deadletter_max_age_days
    return purge(client(settings), settings, older_than=timedelta(days=days))


def report_failing_feeds(settings: Settings, threshold: int | None = None) -> list[dict[str, object]]:
    limit = threshold if threshold is not None else settings.feed_failure_threshold
    failing = failing_feeds(settings, limit)
    for health in failing:
        log.warning(
            "feed %s failed %d polls in a row (last error: %s, last success: %s)",
            health.name,
            health.consecutive_failures,
            health.last_error,
            health.last_success,
        )
    return [h.model_dump(mode="json") for h in failing]


def refresh_aliases(settings: Settings) -> dict[str, object]:
    from vigie.store.es import client, ensure_aliases

    return ensure_aliases(client(settings), settings).to_dict()


def latest_ingest_run(settings: Settings) -> str | None:
    from vigie.run.records import latest_indexed_run

    return latest_indexed_run(settings)


def purge_staging(settings: Settings, max_age_days: float | None = None) -> list[str]:
    """Staging folders of runs that failed and were never retried (a successful run deletes
    its own); returns the purged run keys."""
    from vigie.run.staging import purge_older_than

    age = settings.staging_max_age_days if max_age_days is None else max_age_days
    return purge_older_than(settings, age)
