"""`make demo`: the main job on the embedded default, end to end.

Starts the local Elasticsearch node (unless ES_URL is set) and the local sample news site,
runs the news_ingest DAG once with `airflow dags test` on a throwaway AIRFLOW_HOME, then
prints the run summary, the alerts that fired and what is now searchable.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vigie.core.accounting import RunSummary
from vigie.core.resources import checkout_dir, resource_path
from vigie.core.settings import Settings, environ
from vigie.dev.feedserver import SAMPLE_SITE, FeedServer
from vigie.run.report import print_summary
from vigie.store import node as esnode

console = Console()


def _dags_folder() -> Path:
    dags = checkout_dir("dags")
    if dags is None:
        raise SystemExit("The demo runs the DAGs of a source checkout (dags/): run `make demo` in a clone.")
    return dags


def _env(server: FeedServer, airflow_home: Path, state_dir: Path, dags: Path) -> dict[str, str]:
    env = environ()
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "VIGIE_FEEDS": str(resource_path("sample_corpus", "feeds.yaml")),
            "VIGIE_FEEDS_BASE_URL": server.base_url,
            "VIGIE_ALLOW_HOSTS": f"127.0.0.1:{server.server_address[1]}",  # the sample site only
            "VIGIE_STATE_DIR": str(state_dir),
        }
    )
    return env


def _airflow(args: list[str], env: dict[str, str], log: Path) -> None:
    airflow = Path(sys.executable).with_name("airflow")
    with log.open("ab") as out:
        result = subprocess.run([str(airflow), *args], env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        raise SystemExit(f"`airflow {' '.join(args)}` failed ({result.returncode}); log {log}:\n{tail}")


def _print_alerts(es, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """The alerts that fired, each with its matched passage (matched words in bold)."""
    from rich.markup import escape

    response = es.search(
        index=settings.index("alerts"), size=50, sort=[{"rule": "asc"}], ignore_unavailable=True
    )
    hits = response["hits"]["hits"]
    console.rule(f"Alerts fired: {len(hits)}")
    table = Table(show_header=True)
    for column in ("rule", "severity", "articles", "sources", "title"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        alert = hit["_source"]
        table.add_row(
            alert["rule"],
            alert["severity"],
            str(len(alert.get("article_ids", []))),
            ", ".join(alert.get("sources", [])),
            alert["title"],
        )
    console.print(table)
    for hit in hits:
        alert = hit["_source"]
        passage = (
            escape(alert.get("matched_text", "")[:300])
            .replace("<mark>", "[bold]")
            .replace("</mark>", "[/bold]")
        )
        console.print(f"[cyan]{alert['rule']}[/cyan]: {passage}")


def main() -> int:
    started = time.monotonic()
    settings = Settings()
    dags = _dags_folder()
    if not settings.es_external:
        with console.status(
            "Starting the local Elasticsearch node (first time: fetched from Maven Central)…"
        ):
            node = esnode.start(esnode.Node(name="demo", http_port=9250))
        console.print(f"Elasticsearch {esnode.ES_VERSION} green at {node.url}")
    state_dir = settings.state_dir
    with (
        FeedServer([SAMPLE_SITE], port=settings.demo_feed_port) as server,
        tempfile.TemporaryDirectory(prefix="vigie-airflow-") as home,
    ):
        console.print(f"Sample news site at {server.base_url}")
        env = _env(server, Path(home), state_dir, dags)
        env["ES_URL"] = settings.es_url  # DAG tasks need the cluster named: no implicit local node
        log = Path(home) / "airflow.log"
        with console.status("airflow db migrate (throwaway AIRFLOW_HOME)…"):
            _airflow(["db", "migrate"], env, log)
        logical_date = datetime.now(UTC).replace(microsecond=0).isoformat()
        with console.status("airflow dags test news_ingest…"):
            _airflow(["dags", "test", "news_ingest", logical_date], env, log)
        last = json.loads((state_dir / "last_run.json").read_text(encoding="utf-8"))
        summary = RunSummary.model_validate_json(Path(last["summary"]).read_text(encoding="utf-8"))
    print_summary(summary, console)

    from vigie.store.es import client

    es = client(settings)
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    _print_alerts(es, settings)
    total = es.count(index=settings.index("articles"))["count"]
    nuclear = es.search(
        index=settings.index("articles"), query={"match_phrase": {"text": "frappe nucléaire"}}, size=5
    )
    titles = [hit["_source"]["title"] for hit in nuclear["hits"]["hits"]]
    console.print(f"Searchable articles in {settings.index('articles')}: {total}")
    console.print(f'match_phrase "frappe nucléaire" -> {titles}')
    console.print(f"Demo wall time: {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
