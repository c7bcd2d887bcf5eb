"""The DAGs: they import cleanly and cheaply, every task retries and times out, and a real
`dag.test()` of news_ingest against the local feed server and the real node indexes the
fixtures, fires the right alert, changes nothing when re-run, and triggers the digest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer

DAGS = REPO_ROOT / "dags"
HEAVY_MODULES = [
    "spacy",
    "trafilatura",
    "elasticsearch",
    "feedparser",
    "datasketch",
    "enrich",
    "ingest",
    "httpx",
]


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """`airflow db migrate` + `dags reserialize` once in the session's throwaway AIRFLOW_HOME."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    for args in (["db", "migrate"], ["dags", "reserialize"]):
        result = subprocess.run([airflow, *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return Path(os.environ["AIRFLOW_HOME"])


def _dagbag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS))


def test_dagbag_imports_without_errors_or_cycles(airflow_db: Path) -> None:
    bag = _dagbag()
    assert bag.import_errors == {}
    assert {"news_ingest", "news_digest", "news_maintenance"} <= set(bag.dag_ids)


# The verdict task fails on purpose when a step failed: retrying it would only repeat that.
VERDICTS = {("news_ingest", "check")}


def test_every_task_retries_with_backoff_and_times_out(airflow_db: Path) -> None:
    bag = _dagbag()
    for dag_id in ("news_ingest", "news_digest", "news_maintenance"):
        for task in bag.get_dag(dag_id).tasks:
            if (dag_id, task.task_id) in VERDICTS:
                assert task.retries == 0
                continue
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
            assert task.retry_exponential_backoff, f"{dag_id}.{task.task_id} retries without backoff"
            assert task.execution_timeout is not None, f"{dag_id}.{task.task_id} has no timeout"


def test_news_ingest_schedule_and_concurrency(airflow_db: Path) -> None:
    dag = _dagbag().get_dag("news_ingest")
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert dag.timetable.delta == timedelta(minutes=2)
    pools = {task.task_id: task.pool for task in dag.tasks}
    assert pools["poll_feed"] == "vigie_news_sites" and pools["process_batch"] == "vigie_elasticsearch"


def test_a_failed_step_fails_the_run_through_the_check_task(airflow_db: Path) -> None:
    """`check` (one_failed) sits below every other task: a failure anywhere triggers it, and it
    is a leaf, so the run cannot end green after one (summarize and deliver run on all_done)."""
    dag = _dagbag().get_dag("news_ingest")
    check = dag.get_task("check")
    assert check.trigger_rule == "one_failed"
    assert check.upstream_task_ids == {t.task_id for t in dag.tasks} - {"check"}
    assert [t.task_id for t in dag.leaves] == ["check"]


def test_mapped_polls_are_named_by_their_feed(airflow_db: Path) -> None:
    from vigie.run.airflow_support import FEED_MAP_INDEX_TEMPLATE

    poll = _dagbag().get_dag("news_ingest").get_task("poll_feed")
    assert poll.map_index_template == FEED_MAP_INDEX_TEMPLATE == "{{ feed_name }}"


def test_the_pools_file_creates_every_pool_the_dags_use(airflow_db: Path) -> None:
    """deploy/pools.json (what airflow-init imports) holds exactly the pools the tasks ask for."""
    pools = json.loads((REPO_ROOT / "deploy" / "pools.json").read_text(encoding="utf-8"))
    bag = _dagbag()
    used = {task.pool for dag_id in bag.dag_ids for task in bag.get_dag(dag_id).tasks} - {"default_pool"}
    assert set(pools) == used
    assert all(spec["slots"] >= 1 and spec["description"] for spec in pools.values())


def test_only_due_feeds_are_listed(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """list_feeds starts a poll for the due feeds only: a feed polled within its interval gets
    no task at all (VIGIE_POLL_DUE_ONLY=false lists every feed, as the tests run)."""
    import dataclasses

    from vigie.run import tasks
    from vigie.run.feedhealth import record_poll

    due_only = dataclasses.replace(
        settings, feeds_file=REPO_ROOT / "sample_corpus" / "feeds.yaml", feeds_base_url="http://127.0.0.1:8"
    )
    every = [str(feed["name"]) for feed in tasks.load_feed_registry(due_only)]
    assert len(every) >= 2
    record_poll(due_only, every[0], None)
    assert [f["name"] for f in tasks.due_feeds(due_only)] == every  # VIGIE_POLL_DUE_ONLY=false
    due_only = dataclasses.replace(due_only, poll_due_only=True)
    assert [f["name"] for f in tasks.due_feeds(due_only, run_key="r1")] == every[1:]
    # The run's summary still says why the other feed was not polled.
    from vigie.core.accounting import RunSummary

    summary = RunSummary.model_validate_json(
        Path(tasks.summarize("r1", due_only)).read_text(encoding="utf-8")
    )
    assert summary.stages["feeds"].reasons == {"skipped:not_due": 1}


def test_dag_files_import_nothing_heavy_at_parse_time() -> None:
    """Parse time stays cheap: the pipeline libraries are imported inside tasks only."""
    code = (
        "import sys, runpy\n"
        "from airflow.sdk import Asset, dag, task\n"
        "baseline = set(sys.modules)  # what Airflow itself imports (it uses httpx, for one)\n"
        f"for f in {sorted(str(p) for p in DAGS.glob('*.py'))!r}: runpy.run_path(f)\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules and m not in baseline])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _counts(es, settings: Settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    return {
        kind: es.count(index=settings.index(kind), ignore_unavailable=True)["count"]
        for kind in ("articles", "events", "alerts", "deadletters")
    }


def _alerted_titles(es, settings: Settings, rule: str) -> set[str]:  # type: ignore[no-untyped-def]
    hits = es.search(index=settings.index("alerts"), query={"term": {"rule": rule}}, size=20)["hits"]["hits"]
    return {hit["_source"]["article_id"] for hit in hits}


@pytest.mark.slow
def test_news_ingest_end_to_end(airflow_db: Path, es, settings: Settings, feed_server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    from airflow.models.asset import AssetDagRunQueue, AssetEvent
    from airflow.utils.session import create_session

    from ingest.urls import article_id

    os.environ["VIGIE_FEEDS"] = str(REPO_ROOT / "sample_corpus" / "feeds.yaml")
    os.environ["VIGIE_FEEDS_BASE_URL"] = feed_server.base_url
    manifest = json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text(encoding="utf-8"))
    ids = {doc["doc"]: article_id(feed_server.url(doc["link_path"])) for doc in manifest}
    bag = _dagbag()
    ingest = bag.get_dag("news_ingest")
    logical_date = datetime(2025, 9, 18, 12, 0, tzinfo=UTC)

    run = ingest.test(logical_date=logical_date)
    assert run.state == "success"
    # A successful run deletes its staging; its summary and stored ids stay in the run record.
    assert not any((settings.state_dir / "staging").iterdir())
    assert (settings.state_dir / "last_run.json").is_file()
    first = _counts(es, settings)
    assert first["articles"] == 5 and first["events"] > 0 and first["deadletters"] == 0
    found = es.search(
        index=settings.index("articles"), query={"ids": {"values": list(ids.values())}}, size=10
    )
    assert len(found["hits"]["hits"]) == 5
    assert _alerted_titles(es, settings, "frappe_nucleaire") == {ids["003"]}

    # Same logical date again: feeds answer 304, nothing changes.
    assert ingest.test(logical_date=logical_date).state == "success"
    assert _counts(es, settings) == first
    # Again with the conditional-GET validators wiped: every page is re-fetched, ids dedupe.
    for path in settings.state_dir.glob("**/*validators*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert ingest.test(logical_date=logical_date).state == "success"
    assert _counts(es, settings) == first

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_dag_id == "news_ingest").all()
        queued = {q.target_dag_id for q in session.query(AssetDagRunQueue).all()}
    assert events and events[-1].extra.get("run_id")
    assert "news_digest" in queued

    digest = bag.get_dag("news_digest").test()
    assert digest.state == "success"
    digests = sorted((settings.state_dir / "digests").glob("*.md"))
    assert digests and "frappe_nucleaire" in "".join(p.read_text(encoding="utf-8") for p in digests)


@pytest.mark.slow
def test_news_maintenance_runs(airflow_db: Path, es, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    run = _dagbag().get_dag("news_maintenance").test()
    assert run.state == "success"


# Fields set from the clock at fetch, index or alert time: the only ones two runs may differ in.
CLOCK_FIELDS = {"fetched_at", "indexed_at", "triggered_at", "updated_at", "deliveries", "last_seen"}


def _stored_documents(es, settings: Settings) -> dict[str, dict[str, dict[str, object]]]:  # type: ignore[no-untyped-def]
    from elasticsearch.helpers import scan

    es.indices.refresh(index=f"{settings.index_prefix}-*")
    stored: dict[str, dict[str, dict[str, object]]] = {}
    for kind in ("articles", "events", "alerts", "deadletters"):
        stored[kind] = {
            hit["_id"]: {k: v for k, v in hit["_source"].items() if k not in CLOCK_FIELDS}
            for hit in scan(es, index=settings.index(kind), ignore_unavailable=True)
        }
    return stored


@pytest.mark.slow
def test_dag_and_vigie_run_store_the_same_documents(  # type: ignore[no-untyped-def]
    airflow_db: Path, es, settings: Settings, feed_server: FeedServer, tmp_path: Path
) -> None:
    """One orchestration: the DAG's tasks and `vigie run` call the same batch step, so the
    sample corpus stored either way gives the same documents (clock fields aside)."""
    import dataclasses

    from ingest.feeds import load_feeds
    from vigie.run.pipeline import Pipeline
    from vigie.store.es import install_templates, uninstall_templates

    os.environ["VIGIE_FEEDS"] = str(REPO_ROOT / "sample_corpus" / "feeds.yaml")
    os.environ["VIGIE_FEEDS_BASE_URL"] = feed_server.base_url
    assert (
        _dagbag().get_dag("news_ingest").test(logical_date=datetime(2025, 9, 19, tzinfo=UTC)).state
        == "success"
    )
    by_dag = _stored_documents(es, settings)

    cli = dataclasses.replace(
        settings, index_prefix=settings.index_prefix + "cli", state_dir=tmp_path / "cli"
    )
    install_templates(es, cli)
    try:
        feeds = load_feeds(REPO_ROOT / "sample_corpus" / "feeds.yaml", base_url=feed_server.base_url)
        Pipeline(settings=cli).run(feeds)
        by_cli = _stored_documents(es, cli)
    finally:
        es.indices.delete(index=f"{cli.index_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        uninstall_templates(es, cli)
    assert len(by_dag["articles"]) == 5 and by_dag["events"] and by_dag["alerts"]
    for kind in by_dag:
        assert by_cli[kind] == by_dag[kind], kind


@pytest.mark.slow
def test_news_ingest_fails_when_the_cluster_is_unreachable(  # type: ignore[no-untyped-def]
    airflow_db: Path, settings: Settings, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed step fails the run (no green run with nothing stored), and its staging stays
    for the retry instead of being cleaned up."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("ES_URL", dead)
    monkeypatch.setenv("VIGIE_TASK_RETRIES", "0")
    monkeypatch.setenv("VIGIE_FEEDS", str(REPO_ROOT / "sample_corpus" / "feeds.yaml"))
    monkeypatch.setenv("VIGIE_FEEDS_BASE_URL", feed_server.base_url)
    run = _dagbag().get_dag("news_ingest").test(logical_date=datetime(2025, 9, 20, tzinfo=UTC))
    assert run.state == "failed"
    assert any((settings.state_dir / "staging").iterdir())
