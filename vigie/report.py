"""Rich rendering of a run: the summary table printed at the end of `vigie run` and the demo."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from vigie.accounting import RunSummary

STAGE_LABELS = {
    "feeds": "Feeds polled",
    "select": "Items selected",
    "extract": "Pages fetched + extracted",
    "language": "Language (French)",
    "dedup": "Deduplication",
    "enrich": "Enrichment",
    "story": "Stories",
    "index": "Indexing",
    "alerts": "Alert rules",
    "deliver": "Notifications",
}


def summary_table(summary: RunSummary) -> Table:
    table = Table(title="Vigie run summary", show_lines=False)
    table.add_column("Stage")
    table.add_column("accepted", justify="right")
    table.add_column("skipped", justify="right")
    table.add_column("refused", justify="right")
    table.add_column("reasons")
    for stage, stats in summary.stages.items():
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(stats.reasons.items()))
        table.add_row(
            STAGE_LABELS.get(stage, stage), str(stats.accepted), str(stats.skipped), str(stats.refused), reasons
        )
    return table


def metrics_table(summary: RunSummary) -> Table:
    table = Table(title="Counts")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in sorted(summary.metrics.items()):
        table.add_row(key, str(value))
    return table


def failures_table(summary: RunSummary) -> Table | None:
    if not summary.failures:
        return None
    table = Table(title="Failures (each with its reason)")
    table.add_column("stage")
    table.add_column("item", overflow="fold")
    table.add_column("reason")
    for failure in summary.failures:
        table.add_row(failure.stage, failure.item, failure.reason)
    return table


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    console = console or Console()
    console.print(summary_table(summary))
    console.print(metrics_table(summary))
    failures = failures_table(summary)
    if failures is not None:
        console.print(failures)
