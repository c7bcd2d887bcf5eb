"""A feed polling as often as the schedule runs is polled on every run (issue 17): the run's
start-up puts 10-30 s between a poll and the next run's `list_feeds`, more than a tenth of a
2-minute interval, so the slack is also half the schedule's period."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from vigie.core.settings import Settings
from vigie.run import feedhealth


def test_a_feed_polling_every_run_is_due_on_the_next_run_however_late_the_last_poll(
    settings: Settings,
) -> None:
    every_two = dataclasses.replace(settings, schedule_minutes=2)
    now = datetime.now(UTC)
    # Polled 25 s into the previous run, which started 2 minutes before this one.
    feedhealth.record_poll(every_two, "direct-live", None, when=now - timedelta(seconds=95))
    assert feedhealth.is_due(every_two, "direct-live", 2, now=now)
    # Not twice in one period: a run right after the poll does not poll it again.
    assert not feedhealth.is_due(every_two, "direct-live", 2, now=now - timedelta(seconds=60))


def test_a_longer_interval_keeps_its_own_slack(settings: Settings) -> None:
    """A 15-minute feed on a 2-minute schedule: polled once 13.5 minutes have passed (its
    10 %), not one schedule period early."""
    every_two = dataclasses.replace(settings, schedule_minutes=2)
    now = datetime.now(UTC)
    feedhealth.record_poll(every_two, "quinze", None, when=now - timedelta(minutes=13, seconds=40))
    assert feedhealth.is_due(every_two, "quinze", 15, now=now)
    assert not feedhealth.is_due(every_two, "quinze", 15, now=now - timedelta(seconds=30))
