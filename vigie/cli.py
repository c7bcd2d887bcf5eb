"""The `vigie` command line: provisioning, one pipeline pass, and the tools around it.

Heavy imports happen inside each command so `vigie --help` stays instant.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path

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
    from vigie.store import node as esnode

    console.print_json(json.dumps(esnode.status(_node(name, port))))


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
    """One pass of the pipeline without Airflow: poll, fetch, extract, dedup, enrich, index, alert."""
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
        console=console,
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
    """Dry-run RULES against text FILES and show which rule fires where."""
    from vigie.alerting.dryrun import dry_run, render

    render(dry_run(rules, files, published=published), console)


@alerts_app.command("export-kibana")
def alerts_export_kibana(
    rules: Path = typer.Option(None, help="Rules file (default alerts/rules.yaml)"),
    output: Path = typer.Option(None, "-o", help="Write JSON here instead of stdout"),
) -> None:
    """Write the rules as Kibana 'Elasticsearch query' alerting rules (JSON for the alerting API)."""
    from vigie.alerting.kibana_export import export_kibana_rules
    from vigie.alerting.rules import load_rules

    settings = get_settings()
    payload = json.dumps(
        export_kibana_rules(load_rules(rules or settings.rules_file), settings), indent=2, ensure_ascii=False
    )
    if output:
        output.write_text(payload + "\n", encoding="utf-8")
    else:
        sys.stdout.write(payload + "\n")


@kibana_app.command("import")
def kibana_import(
    url: str = typer.Option(None, help="Kibana base URL (default: KIBANA_URL or http://127.0.0.1:5601)"),
    path: Path = typer.Option(None, help="ndjson file or folder (default: the kibana/ objects shipped)"),
) -> None:
    """Post the saved objects to Kibana's import API (overwrite)."""
    from vigie.store.kibana import KIBANA_DIR, import_saved_objects

    settings = get_settings()
    console.print(
        import_saved_objects(url or settings.kibana_url, path or KIBANA_DIR, prefix=settings.index_prefix)
    )


def main() -> None:
    try:
        level = get_settings().log_level  # also checks every other variable, before any work
    except SettingsError as error:
        sys.stderr.write(f"vigie: invalid setting: {error}\n")
        raise SystemExit(2) from None
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
