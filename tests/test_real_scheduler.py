"""The DAGs on a real scheduler, deployed as docker-compose.yml deploys them: PostgreSQL,
`airflow db migrate`, deploy/airflow-init.sh (pools from deploy/pools.json, the connection
elasticsearch_default, the Fernet key settled by deploy/airflow_secrets.py), then a separate
dag-processor, scheduler (LocalExecutor) and api-server on free ports, against the session's
Elasticsearch node and the sample site.

news_ingest is unpaused and scheduled every minute: two runs must succeed (the first indexes
the sample site, the second finds no feed due and polls none) and the first one's asset event
must run news_digest, once. Then the connection is pointed at a port nothing listens on (through
the api-server) and a triggered run must FAIL (its `check` task too) and keep its staging.

Wall time: printed at the end with each phase and each task's duration (`pytest -s`, or
`make real-scheduler`): 4 to 5 minutes on the 2-core machine, more when it is shared (the
first run's process_batch, which loads spaCy and enriches 5 articles, takes 40 to 90 s).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from airflow_cluster import AirflowCluster, wait_until

from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import SAMPLE_SITE, FeedServer

FEEDS = REPO_ROOT / "sample_corpus" / "feeds.yaml"
# The cluster runs without security, so it ignores these; the URL built from them must still
# reach it (a `#`, `@` or `/` in a password used to break it) and neither may be logged.
ES_USER = "vigie ingest"
ES_PASSWORD = "p#ss@w/rd:%41é"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


class Deployment:
    def __init__(self, cluster: AirflowCluster, settings: Settings, state: Path, started: float) -> None:
        self.cluster = cluster
        self.settings = settings
        self.state = state
        self.started = started

    def mark(self, what: str) -> None:
        print(f"\n[{time.monotonic() - self.started:5.0f}s] {what}")

    def wait_for_runs(self, dag_id: str, count: int, timeout: float) -> list[tuple[str, str, str]]:
        """Until `count` runs of `dag_id` succeeded; a failed run or a dead component fails."""

        def done() -> list[tuple[str, str, str]] | None:
            self.cluster.check_alive()
            runs = self.cluster.dag_runs(dag_id)
            for run_id, _, state in runs:
                if state == "failed":
                    raise AssertionError(
                        f"{dag_id} run {run_id} failed: {self.cluster.task_instances(dag_id, run_id)}"
                    )
            succeeded = [run for run in runs if run[2] == "success"]
            return succeeded if len(succeeded) >= count else None

        result: list[tuple[str, str, str]] = wait_until(f"{count} successful {dag_id} runs", done, timeout, 2)
        return result


@pytest.fixture(scope="module")
def deployment(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from vigie.store.es import client, uninstall_templates

    started = time.monotonic()
    root = tmp_path_factory.mktemp("real-scheduler")
    state = root / "state"
    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings = dataclasses.replace(Settings(), es_url=es_url, es_external=True, index_prefix=prefix)
    with FeedServer([SAMPLE_SITE]) as site:
        cluster = AirflowCluster(
            root,
            {
                "VIGIE_FEEDS": str(FEEDS),
                "VIGIE_FEEDS_BASE_URL": site.base_url,
                "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
                "VIGIE_FETCH_HOST_DELAY": "0",
                "VIGIE_STATE_DIR": str(state),
                "VIGIE_INDEX_PREFIX": prefix,
                "VIGIE_SCHEDULE_MINUTES": "1",
                "VIGIE_TASK_RETRIES": "0",
            },
        )
        deployment = Deployment(cluster, settings, state, started)
        try:
            cluster.start_database()
            deployment.mark("PostgreSQL up")
            port = str(int(es_url.rsplit(":", 1)[1].strip("/")))
            cluster.init(
                {
                    "VIGIE_ES_HOST": "127.0.0.1",
                    "VIGIE_ES_PORT": port,
                    "VIGIE_ES_USER": ES_USER,
                    "VIGIE_ES_PASSWORD": ES_PASSWORD,
                }
            )
            deployment.mark("airflow-init.sh done (migrations, pools, connection)")
            cluster.start()
            yield deployment
        finally:
            cluster.close()
            es = client(settings)
            es.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)
            uninstall_templates(es, settings)
            es.close()
            print(f"\nreal-scheduler wall time: {time.monotonic() - started:.0f}s")


def test_init_script_creates_pools_and_the_connection(deployment: Deployment) -> None:
    """What airflow-init.sh left: the pools of deploy/pools.json, the connection (password
    stored encrypted with the settled Fernet key), nothing in the clear."""
    pools = dict(deployment.cluster.postgres.query("SELECT pool, slots FROM slot_pool"))
    assert pools["vigie_news_sites"] == 4 and pools["vigie_elasticsearch"] == 3
    ((host, port, login, password, encrypted),) = deployment.cluster.postgres.query(
        "SELECT host, port, login, password, is_encrypted FROM connection WHERE conn_id = 'elasticsearch_default'"
    )
    assert (host, login, encrypted) == ("127.0.0.1", ES_USER, True)
    assert ES_PASSWORD not in password


def test_news_ingest_runs_twice_and_the_digest_follows(deployment: Deployment) -> None:
    from vigie.store.es import client

    cluster = deployment.cluster
    for dag_id in ("news_ingest", "news_digest"):
        wait_until(f"{dag_id} parsed and served by the api-server", lambda d=dag_id: cluster.has_dag(d), 120)
        cluster.unpause(dag_id)  # PATCH /api/v2/dags/<id>, as `airflow dags unpause` does
    deployment.mark("DAGs parsed and unpaused")

    runs = deployment.wait_for_runs("news_ingest", 2, 240)
    digests = deployment.wait_for_runs("news_digest", 1, 120)
    for run_id, _, _ in runs[:2]:
        deployment.mark(f"news_ingest {run_id}: {cluster.durations('news_ingest', run_id)}")
    deployment.mark(f"news_digest: {cluster.durations('news_digest', digests[0][0])}")
    assert all(run_type == "scheduled" for _, run_type, _ in runs[:2])
    assert digests[0][1] == "asset_triggered"

    first = cluster.task_instances("news_ingest", runs[0][0])
    feeds = {str(feed["name"]) for feed in yaml.safe_load(FEEDS.read_text(encoding="utf-8"))["feeds"]}
    # Mapped polls are named by their feed; every step ran or skipped, the verdict skipped.
    assert {rendered for task, _, rendered, _ in first if task == "poll_feed"} == feeds
    states = {task: state for task, _, _, state in first}
    assert states["process_batch"] == "success" and states["finish"] == "success"
    assert states["check"] == "skipped" and states["clean_up"] == "success"

    # The second run: no feed due, so no poll and no batch; no asset event, so no second digest.
    second = {task: state for task, _, _, state in cluster.task_instances("news_ingest", runs[1][0])}
    assert second["poll_feed"] == "skipped" and second["process_batch"] == "skipped"
    assert second["finish"] == "skipped" and second["check"] == "skipped"
    time.sleep(5)
    assert len(cluster.dag_runs("news_digest")) == 1
    assert len(list((deployment.state / "digests").glob("*.md"))) == 1
    assert not any((deployment.state / "staging").iterdir())

    es = client(deployment.settings)
    es.indices.refresh(index=deployment.settings.index("articles"))
    assert es.count(index=deployment.settings.index("articles"))["count"] == 5
    es.close()

    logs = cluster.logs()
    assert "Elasticsearch from Airflow connection" in logs  # the tasks did read the connection
    for secret in (ES_PASSWORD, quote(ES_PASSWORD, safe="")):
        assert secret not in logs


def test_a_run_fails_when_the_cluster_is_unreachable(deployment: Deployment, es_down_url: str) -> None:
    cluster = deployment.cluster
    dead_port = es_down_url.rsplit(":", 1)[1]
    # An operator edits the connection (REST API, as the UI does): nothing listens there.
    dead = {"connection_id": "elasticsearch_default", "conn_type": "elasticsearch", "host": "127.0.0.1"}
    cluster.api("PATCH", "connections/elasticsearch_default", {**dead, "port": int(dead_port)})
    deployment.mark("connection pointed at a dead port")
    triggered = cluster.trigger("news_ingest")

    def finished() -> tuple[str, str] | None:
        cluster.check_alive()
        for run_id, _, state in cluster.dag_runs("news_ingest"):
            if run_id == triggered and state in ("success", "failed"):
                return run_id, state
        return None

    run_id, state = wait_until("the triggered news_ingest run", finished, 180, 2)
    deployment.mark(f"news_ingest {run_id}: {cluster.durations('news_ingest', run_id)}")
    states = {task: state for task, _, _, state in cluster.task_instances("news_ingest", run_id)}
    assert state == "failed", states
    assert states["prepare"] == "failed" and states["check"] == "failed"
    assert states["clean_up"] == "upstream_failed"
    assert (deployment.state / "staging").is_dir() and any((deployment.state / "staging").iterdir())
