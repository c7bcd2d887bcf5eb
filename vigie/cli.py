"""The `vigie` command line: provisioning, one pipeline pass, and the tools around it.

Heavy imports happen inside each command so `vigie --help` stays instant.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from vigie.core.settings import SettingsError, get_settings

app = typer.Typer(help="Vigie: French-language conflict news -> searchable, alertable intelligence.")
es_app = typer.Typer(help="The local Elasticsearch node (ignored when ES_URL is set).")
feeds_app = typer.Typer(help="The feed registry.")
alerts_app = typer.Typer(help="Alert rules.")
kibana_app = typer.Typer(help="Kibana saved objects.")
app.add_typer(es_app, name="es")
app.add_typer(feeds_app, name="feeds")
app.add_typer(alerts_app, name="alerts")
app.add_typer(kibana_app, name="kibana")
console = Console()
# Progress bars, log lines and warnings: stdout keeps what a command outputs (tables, JSON).
err_console = Console(stderr=True)


def shown(value: object) -> str:
    """External text (a feed's error, a server's answer, a path) as literal console text:
    Rich markup escaped, control characters and line breaks removed."""
    from vigie.core.cleantext import single_line

    return escape(single_line(str(value)))


def _node(name: str, port: int):  # type: ignore[no-untyped-def]
    from vigie.store.node import Node

    return Node(name=name, http_port=port)


@es_app.command("up")
def es_up(name: str = "demo", port: int = 9250, heap: str = "512m") -> None:
    """Fetch (Maven Central), install and start one node on 127.0.0.1, wait for green."""
    from vigie.store import node as esnode

    started = time.monotonic()
    try:
        node = esnode.start(esnode.Node(name=name, http_port=port, heap=heap))
    except esnode.NodeError as error:
        console.print(f"[red]Elasticsearch did not start:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    console.print(
        f"Elasticsearch {esnode.ES_VERSION} green at {shown(node.url)} ({time.monotonic() - started:.1f}s)"
    )


@es_app.command("down")
def es_down(
    name: str = "demo", port: int = 9250, wipe: bool = typer.Option(False, help="Delete its data")
) -> None:
    """Stop the node cleanly; --wipe deletes its data directory."""
    from vigie.store import node as esnode

    stopped = esnode.stop(_node(name, port), wipe=wipe)
    console.print("stopped" if stopped else "not running", "(data wiped)" if wipe else "")


@es_app.command("status")
def es_status(name: str = "demo", port: int = 9250) -> None:
    """The local node's state as JSON; exits 3 when it does not answer."""
    from vigie.run.errors import EXIT_UNREACHABLE
    from vigie.store import node as esnode

    state = esnode.status(_node(name, port))
    console.print_json(json.dumps(state))
    if state["health"] is None:
        sys.stderr.write(f"vigie: no Elasticsearch node answers at {state['url']}\n")
        raise typer.Exit(EXIT_UNREACHABLE)


@es_app.command("install-templates")
def es_install_templates() -> None:
    """Install the index templates of index_mappings/ (detects the French analysis capability)."""
    from vigie.store.es import client, install_templates

    settings = get_settings()
    report = install_templates(client(settings), settings)
    console.print_json(json.dumps(report.to_dict()))


@app.command()
def serve(
    port: int = 8088,
    root: list[Path] = typer.Option(None, help="Document roots (default: sample_corpus/site)"),
) -> None:
    """Serve the sample news site (feeds + article pages) on 127.0.0.1."""
    from vigie.dev.feedserver import SAMPLE_SITE, FeedServer

    server = FeedServer(root or [SAMPLE_SITE], port=port)
    console.print(f"Serving {shown([str(r) for r in server.roots])} at {server.base_url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


def load_registry(feeds_file: Path | None, base_url: str | None):  # type: ignore[no-untyped-def]
    from ingest.feeds import load_feeds

    settings = get_settings()
    return load_feeds(feeds_file or settings.feeds_file, base_url=base_url or settings.feeds_base_url)


@app.command()
def run(
    feeds_file: Path = typer.Option(
        None, "--feeds", help="Feed registry YAML (default: VIGIE_FEEDS or ingest/feeds.yaml)"
    ),
    base_url: str = typer.Option(None, help="Value of {BASE_URL} in the registry"),
    summary_json: Path = typer.Option(None, help="Also write the run summary as JSON here"),
    workers: int = typer.Option(
        None, help="Enrichment worker processes (default: VIGIE_ENRICH_WORKERS or 0, in process)"
    ),
    all_feeds: bool = typer.Option(
        False, "--all-feeds", help="Poll every feed now, even those whose poll interval has not passed"
    ),
) -> None:
    """One pass of the pipeline without Airflow: poll, fetch, extract, dedup, enrich, index, alert.
    Exits 1 when every feed polled failed."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from enrich.model import MissingModelError
    from vigie.run.pipeline import Pipeline
    from vigie.run.report import print_summary
    from vigie.store.es import client, install_templates

    settings = get_settings()
    if workers is not None:
        settings = dataclasses.replace(settings, enrich_workers=workers)
    if all_feeds:
        settings = dataclasses.replace(settings, poll_due_only=False)
    feeds = load_registry(feeds_file, base_url)
    install_templates(client(settings), settings)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        TimeElapsedColumn(),
        console=err_console,
    ) as progress:
        tasks = {"feeds": progress.add_task("feeds", total=len(feeds))}

        def hook(stage: str, n: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=None)
            progress.advance(tasks[stage], n)

        try:
            summary = Pipeline(settings=settings, progress=hook).run(feeds)
        except MissingModelError as error:
            progress.stop()
            sys.stderr.write(f"vigie: {error}\n")
            raise typer.Exit(2) from None
    print_summary(summary, console)
    if summary_json:
        summary_json.write_text(summary.model_dump_json(indent=2))
    from vigie.run.records import record_summary

    record_summary(settings, f"cli__{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}", summary)
    feeds = summary.stages.get("feeds")
    if (
        feeds is not None
        and feeds.refused
        and not feeds.accepted
        and not feeds.reasons.get("skipped:not_modified")
    ):
        sys.stderr.write(f"vigie: every feed polled failed ({feeds.refused}): see the summary above\n")
        raise typer.Exit(1)


@feeds_app.command("check")
def feeds_check(feeds_file: Path = typer.Option(None, "--feeds"), base_url: str = typer.Option(None)) -> None:
    """Poll every feed once and report its health (needs network)."""
    from rich.table import Table

    from ingest.feeds import check_feeds
    from ingest.fetch import Fetcher
    from vigie.run import feedhealth

    settings = get_settings()
    feeds = load_registry(feeds_file, base_url)
    table = Table(title="Feed health")
    for column in ("feed", "status", "items", "last success", "error"):
        table.add_column(column)
    failed = 0
    for health in check_feeds(feeds, Fetcher(settings)):
        failed += bool(health.error)
        history = feedhealth.load(settings, health.name)  # the pipeline's polls, not this check
        table.add_row(
            shown(health.name),
            shown(health.status),
            shown(health.items),
            shown(history.last_success or "-"),
            shown(health.error or ""),
        )
    console.print(table)
    raise typer.Exit(1 if failed else 0)


@app.command("eval")
def evaluate(
    gold: Path,
    corpus_dir: Path,
    summary: bool = typer.Option(
        False, "--summary", help="Totals only, no per-document diagnostics (score a held-out set unseen)"
    ),
) -> None:
    """Precision, recall and F1 of entities and events against a gold file."""
    from enrich.evaluate import main as eval_main

    raise typer.Exit(eval_main(gold, corpus_dir, details=not summary))


@alerts_app.command("test")
def alerts_test(
    rules: Path,
    files: list[Path],
    published: datetime = typer.Option(None, help="Publication date of the texts (anchors relative dates)"),
) -> None:
    """Dry-run RULES against text FILES (line 1 = title, the rest = text) through the pipeline's
    enrichment and rules: which rule fires where, and which condition matched which passage."""
    from vigie.alerting.dryrun import dry_run_result, render

    result = dry_run_result(rules, files, published=published)
    render(result.hits, console, files=result.files)
    for name, reason in {**result.errors, **result.skipped}.items():
        console.print(f"[yellow]{shown(name)}: {shown(reason)}[/yellow]")
    if not result.enriched:
        console.print("[yellow]No enricher: entity, event and toll conditions could not hold.[/yellow]")


@alerts_app.command("deliver")
def alerts_deliver(
    budget: float = typer.Option(
        None, min=1, help="Seconds this pass may take (default: VIGIE_DELIVERY_BUDGET_SECONDS or 120)"
    ),
    resend_uncertain: bool = typer.Option(
        False,
        "--resend-uncertain",
        help="First requeue the deliveries whose outcome is unknown (sent, no answer); they go out "
        "again with the same Idempotency-Key / Message-ID",
    ),
) -> None:
    """Send the alerts still pending (one delivery pass, apart from ingestion)."""
    from vigie.alerting.delivery import requeue_uncertain
    from vigie.run.pipeline import Pipeline
    from vigie.run.report import print_summary

    settings = get_settings()
    if budget is not None:
        settings = dataclasses.replace(settings, delivery_budget_seconds=budget)
    pipeline = Pipeline(settings=settings)
    if resend_uncertain:
        console.print(f"requeued {requeue_uncertain(pipeline.es, settings)} uncertain delivery(ies)")
    pipeline.deliver()
    print_summary(pipeline.summary, console)
    raise typer.Exit(1 if pipeline.summary.get("alert_delivery", "refused") else 0)


def _rule_objects(rules: Path | None):  # type: ignore[no-untyped-def]
    from vigie.alerting.rules import load_rules
    from vigie.run.kibana_rules import kibana_objects

    settings = get_settings()
    return kibana_objects(load_rules(rules or settings.rules_file), settings)


@alerts_app.command("export-kibana")
def alerts_export_kibana(
    rules: Path = typer.Option(None, help="Rules file (default alerts/rules.yaml)"),
    output: Path = typer.Option(None, "-o", help="Write JSON here instead of stdout"),
) -> None:
    """Write what `alerts push-kibana` sends: one object per request (kind, id, path, body).
    Connector bodies carry no webhook URL (a secret): push-kibana sends it."""
    push = _rule_objects(rules)
    objects = []
    for obj in push.objects:
        body = obj.body
        if obj.kind == "connector":
            body = {**body, "config": {**body["config"], "url": "***"}}
        objects.append({"kind": obj.kind, "id": obj.id, "path": obj.path, "body": body})
    payload = json.dumps(objects, indent=2, ensure_ascii=False)
    for line in push.left_out:
        err_console.print(f"[yellow]left out:[/yellow] {shown(line)}")
    if output:
        output.write_text(payload + "\n", encoding="utf-8")
    else:
        sys.stdout.write(payload + "\n")


@alerts_app.command("push-kibana")
def alerts_push_kibana(
    rules: Path = typer.Option(None, help="Rules file (default: VIGIE_RULES or alerts/rules.yaml)"),
    url: str = typer.Option(None, help="Kibana base URL (default: KIBANA_URL or http://127.0.0.1:5601)"),
    space: str = typer.Option(None, help="Kibana space (default: the default space)"),
) -> None:
    """Create or update the rules in Kibana's alerting, one request per rule under a stable id,
    with their webhook notifiers as connectors; exits 1 if Kibana refused any."""
    from rich.table import Table

    from vigie.store.kibana import push_objects

    settings = get_settings()
    push = _rule_objects(rules)
    results = push_objects(url or settings.kibana_url, push.objects, space=space)
    table = Table(title=f"Kibana ({shown(url or settings.kibana_url)})")
    for column in ("kind", "name", "id", "outcome", "error"):
        table.add_column(column, overflow="fold")
    for result in results:
        colour = "red" if result.outcome == "failed" else "green"
        table.add_row(
            result.kind,
            shown(result.name),
            result.id,
            f"[{colour}]{result.outcome}[/{colour}]",
            shown(result.error or ""),
        )
    console.print(table)
    for line in push.left_out:
        err_console.print(f"[yellow]left out:[/yellow] {shown(line)}")
    failed = [r for r in results if r.outcome == "failed"]
    for result in failed:
        sys.stderr.write(f"vigie: Kibana refused {result.kind} {result.name} ({result.id}): {result.error}\n")
    raise typer.Exit(1 if failed else 0)


@alerts_app.command("list")
def alerts_list(
    rule: str = typer.Option(None, help="Only this rule's alerts"),
    status: str = typer.Option(
        None, help="Alert or delivery status: pending, sending, sent, failed, uncertain"
    ),
    since: str = typer.Option(None, help="Triggered since: 2025-03-11, 2025-03-11T08:00, 24h, 7d"),
    limit: int = typer.Option(50, help="At most this many alerts (newest first)"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table"),
) -> None:
    """The alerts, newest first: rule, severity, state and each channel's delivery."""
    from rich.table import Table

    from vigie.store.es import client
    from vigie.store.search import list_alerts, parse_when

    settings = get_settings()
    found = list_alerts(
        client(settings, max_retries=0),
        settings,
        rule=rule,
        status=status,
        since=parse_when(since) if since else None,
        size=limit,
    )
    if as_json:
        for alert in found:
            sys.stdout.write(alert.model_dump_json(exclude_none=True) + "\n")
        return
    table = Table(title=f"Alerts ({len(found)})")
    for column in ("triggered", "rule", "severity", "status", "deliveries", "title"):
        table.add_column(column, overflow="fold")
    for alert in found:
        deliveries = "\n".join(
            f"{d.notifier}: {d.status}"
            + (f" x{d.attempts}" if d.attempts > 1 else "")
            + (f" ({d.last_error})" if d.last_error and d.status != "sent" else "")
            for d in alert.deliveries
        )
        table.add_row(
            alert.triggered_at.strftime("%Y-%m-%d %H:%M"),
            shown(alert.rule),
            alert.severity,
            alert.status,
            shown(deliveries) if "\n" not in deliveries else "\n".join(map(shown, deliveries.splitlines())),
            shown(alert.title),
        )
    console.print(table)


def _marked(passage: str) -> str:
    """A highlighted passage as Rich text: the passage shown literally, <mark> in bold."""
    return (
        shown(passage)
        .replace("&lt;mark&gt;", "<mark>")
        .replace("<mark>", "[bold yellow]")
        .replace("</mark>", "[/bold yellow]")
    )


@app.command()
def search(
    phrase: str = typer.Argument(None, help='Words to find together, e.g. "frappe nucléaire"'),
    entity: list[str] = typer.Option(None, "--entity", "-e", help="An entity (KB id, name or surface form)"),
    rule: str = typer.Option(None, help="Articles this alert rule fired on"),
    event_type: str = typer.Option(None, "--event-type", help="Event type or sub-event type"),
    story: str = typer.Option(None, help="Articles of this story id"),
    since: str = typer.Option(None, help="Published since: 2025-03-11, 2025-03-11T08:00, 24h, 7d"),
    until: str = typer.Option(None, help="Published until (same forms)"),
    limit: int = typer.Option(20, help="At most this many articles"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table"),
) -> None:
    """Search the articles: title, source, date and the matched passage."""
    from rich.table import Table

    from vigie.store.es import client
    from vigie.store.search import SearchRequest, parse_when, search_articles

    settings = get_settings()
    request = SearchRequest(
        phrase=phrase,
        entities=tuple(entity or ()),
        rule=rule,
        event_type=event_type,
        story=story,
        since=parse_when(since) if since else None,
        until=parse_when(until, end=True) if until else None,
        size=limit,
    )
    hits = search_articles(client(settings, max_retries=0), settings, request)
    if as_json:
        for hit in hits:
            sys.stdout.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(hits)} article(s)", show_lines=True)
    for column, ratio in (("title", 3), ("source", 1), ("date", 1), ("passage", 5)):
        table.add_column(column, overflow="fold", ratio=ratio)
    for hit in hits:
        table.add_row(
            shown(hit.title),
            shown(hit.source),
            shown((hit.published or "-")[:16].replace("T", " ")),
            _marked(hit.passage),
        )
    console.print(table)


@app.command()
def status(
    feeds_file: Path = typer.Option(None, "--feeds", help="Feed registry (default: VIGIE_FEEDS)"),
    base_url: str = typer.Option(None, help="Value of {BASE_URL} in the registry"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of tables"),
) -> None:
    """Node, feeds' health, last runs, spool and dead letters; exits 3 when the node is down,
    1 when the registry is unreadable or every polled feed is failing."""
    from rich.table import Table

    from ingest.feeds import FeedConfigError
    from vigie.run.errors import EXIT_FAILED, EXIT_UNREACHABLE, one_line
    from vigie.run.status import collect

    settings = get_settings()
    names: list[str] | None = None
    registry_error = None
    try:
        names = [feed.name for feed in load_registry(feeds_file, base_url)]
    except FeedConfigError as error:
        registry_error = f"feed registry: {one_line(str(error))}"
    report = collect(settings, names, registry_error)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        node = report.node
        state = (
            f"[green]{node.health}[/green]"
            if node.health == "green"
            else f"[red]{node.health or 'down'}[/red]"
        )
        counts = ", ".join(f"{family} {count}" for family, count in node.documents.items())
        console.print(f"Elasticsearch {shown(node.url)}: {state}" + (f" ({counts})" if counts else ""))
        feeds = Table(title="Feeds")
        for column in ("feed", "failures in a row", "last poll", "last success", "last error"):
            feeds.add_column(column, overflow="fold")
        for feed in report.feeds:
            failures = f"[red]{feed.failures_in_a_row}[/red]" if feed.failing else str(feed.failures_in_a_row)
            feeds.add_row(
                shown(feed.name),
                failures,
                shown(feed.last_poll or "never"),
                shown(feed.last_success or "-"),
                shown(feed.last_error or ""),
            )
        console.print(feeds)
        runs = Table(title="Last runs")
        for column in (
            "run",
            "finished",
            "feeds polled",
            "feeds failed",
            "new items",
            "articles stored",
            "refused",
        ):
            runs.add_column(column, overflow="fold")
        for run_status in report.runs:
            runs.add_row(
                shown(run_status.run_key),
                run_status.finished,
                str(run_status.feeds_polled),
                str(run_status.feeds_failed),
                str(run_status.selected),
                str(run_status.articles_indexed),
                str(run_status.refused),
            )
        console.print(runs if report.runs else "Last runs: none recorded")
        console.print(
            f"Spool: {report.spooled_batches} batch(es) waiting ({report.spooled_bytes} bytes); "
            f"dead letters: {'?' if report.dead_letters is None else report.dead_letters}"
        )
    for problem in report.problems:
        sys.stderr.write(f"vigie: {problem}\n")
    if not report.node.reachable:
        raise typer.Exit(EXIT_UNREACHABLE)
    raise typer.Exit(EXIT_FAILED if report.problems else 0)


@kibana_app.command("import")
def kibana_import(
    url: str = typer.Option(None, help="Kibana base URL (default: KIBANA_URL or http://127.0.0.1:5601)"),
    path: Path = typer.Option(None, help="ndjson file or folder (default: the kibana/ objects shipped)"),
) -> None:
    """Post the saved objects to Kibana's import API (overwrite); exits 1 when Kibana did not
    import every object, listing each refused one."""
    from vigie.store.kibana import KIBANA_DIR, import_problems, import_saved_objects, load_saved_objects

    settings = get_settings()
    source = path or KIBANA_DIR
    sent = len(load_saved_objects(source, settings.index_prefix))
    result = import_saved_objects(url or settings.kibana_url, source, prefix=settings.index_prefix)
    problems = import_problems(result, sent)
    console.print(f"Kibana imported {result.get('successCount', 0)} of {sent} saved objects")
    for problem in problems:
        sys.stderr.write(f"vigie: Kibana did not import {problem}\n")
    raise typer.Exit(1 if problems else 0)


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error (and DEBUG logs)"),
) -> None:
    """Vigie: French-language conflict news -> searchable, alertable intelligence."""


def _fail(error: BaseException, debug: bool) -> NoReturn:
    """End on `error`: one line "vigie: <what and where>" and its exit code; the traceback
    too with --debug."""
    try:
        from vigie.run.errors import describe

        line, code = describe(error)
    except Exception:  # describing must never hide the error itself
        line, code = f"{type(error).__name__}: {error}", 1
    if debug:
        traceback.print_exception(error)
    sys.stderr.write(f"vigie: {line}\n")
    raise SystemExit(code)


def main() -> None:
    from rich.logging import RichHandler

    debug = "--debug" in sys.argv[1:]
    try:
        level = get_settings().log_level  # also checks every other variable, before any work
    except SettingsError as error:
        _fail(error, debug)
    # Log lines go through the console the progress bars use (stderr), above the bars.
    handler = RichHandler(
        console=err_console, show_time=False, show_path=False, markup=False, rich_tracebacks=False
    )
    logging.basicConfig(
        level="DEBUG" if debug else level, format="%(name)s: %(message)s", handlers=[handler], force=True
    )
    if not debug:  # "node failed, putting on timeout", "retrying": the error line says it once, with the URL
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("vigie: interrupted\n")
        raise SystemExit(130) from None
    except Exception as error:  # every other error: one line, a meaningful exit code
        _fail(error, debug)


if __name__ == "__main__":
    main()
