"""Rich rendering of a run: the summary table printed at the end of `vigie run` and the demo.

Items, reasons and metric names carry text from feeds and pages (URLs, titles, a server's
error text): every cell is shown literally (`shown`), never read as Rich markup (`[link=…]`
would be a hyperlink, `[red]` a colour) nor with its control characters (an escape sequence
would drive the terminal)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vigie.core.accounting import RunSummary
from vigie.core.cleantext import single_line

# Pipeline order, with a label for the stages an analyst reads first.
STAGE_LABELS = {
    "spool": "Spooled batches replayed",
    "feeds": "Feeds polled",
    "feed_parse": "Feed parsing",
    "feed_items": "Feed items",
    "select": "Items selected (new)",
    "fetch": "Pages fetched",
    "extract": "Pages fetched + extracted",
    "extraction": "Extraction",
    "article": "Articles built",
    "language": "Language (French)",
    "language_detect": "Language detection",
    "dedup": "Deduplication",
    "enrich": "Enrichment",
    "story": "Stories",
    "alerts": "Alert rules",
    "index.articles": "Indexed articles",
    "index.events": "Indexed events",
    "index.alerts": "Indexed alerts",
    "alert_delivery": "Notifications",
}


def shown(value: object) -> str:
    """`value` as literal one-line console text: markup escaped, control characters gone."""
    return escape(single_line(str(value)))


def _stage_order(stage: str) -> tuple[int, str]:
    order = list(STAGE_LABELS)
    return (order.index(stage) if stage in order else len(order), stage)


def summary_table(summary: RunSummary) -> Table:
    table = Table(title="Vigie run summary", show_lines=False)
    table.add_column("Stage")
    table.add_column("accepted", justify="right")
    table.add_column("skipped", justify="right")
    table.add_column("refused", justify="right")
    table.add_column("reasons")
    for stage, stats in sorted(summary.stages.items(), key=lambda pair: _stage_order(pair[0])):
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(stats.reasons.items()))
        table.add_row(
            shown(STAGE_LABELS.get(stage, stage)),
            str(stats.accepted),
            str(stats.skipped),
            str(stats.refused),
            shown(reasons),
        )
    return table


def metrics_table(summary: RunSummary) -> Table:
    table = Table(title="Counts")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in sorted(summary.metrics.items()):
        table.add_row(shown(key), str(value))
    return table


# Pipeline order of the timed stages (RunSummary.seconds).
TIMED_STAGES = (
    "poll",
    "select",
    "fetch",
    "extract",
    "language",
    "dedup",
    "enrich",
    "story",
    "alerts",
    "index",
    "deliver",
)


def timing_table(summary: RunSummary) -> Table | None:
    if not summary.seconds:
        return None
    table = Table(title="Time per stage (s; enrichment: worker busy time, batches overlap)")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for stage in sorted(summary.seconds, key=lambda s: (TIMED_STAGES + (s,)).index(s)):
        table.add_row(shown(stage), f"{summary.seconds[stage]:.1f}")
    return table


def failures_table(summary: RunSummary) -> Table | None:
    if not summary.failures:
        return None
    table = Table(title="Failures (each with its reason)")
    table.add_column("stage")
    table.add_column("item", overflow="fold")
    table.add_column("reason")
    for failure in summary.failures:
        table.add_row(shown(failure.stage), shown(failure.item), shown(failure.reason))
    return table


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    console = console or Console()
    console.print(summary_table(summary))
    console.print(metrics_table(summary))
    timing = timing_table(summary)
    if timing is not None:
        console.print(timing)
    failures = failures_table(summary)
    if failures is not None:
        console.print(failures)
