"""`make scale`: the local scale test of issue 17 (item 3), everything on this machine.

    python -m bench.scale                      # 2,000 articles, a run with 1 worker, then with 2
    python -m bench.scale --workers 2          # one run, 2 workers (tests/test_scale.py)
    python -m bench.scale --no-write           # print only, leave bench/results.md alone

What it starts, each on free loopback ports, and tears down at the end (also on failure or
Ctrl-C):
  * a three-node Elasticsearch cluster (`vigie.store.node.cluster_nodes`, heap 512 MiB each)
    with one replica per shard (`VIGIE_ES_REPLICAS=1`);
  * Redis (Debian's `redis-server`, `make redis`), the Celery broker;
  * PostgreSQL (Debian's package, `make postgres`), Airflow's metadata database and the Celery
    result backend;
  * Airflow with the CeleryExecutor: dag-processor, scheduler, api-server (whose execution API
    the workers' tasks talk to) and N Celery workers (`airflow celery worker`, each its own
    hostname, pid file and log-server port), set up by deploy/airflow-init.sh as in the
    real-scheduler test (tests/airflow_cluster.py, reused here);
  * the generated corpus (`bench.corpus`: >= 2,000 articles, >= 10 feeds, >= 10 % syndicated
    copies published 0 to 2 minutes after their original, in another outlet's feed) served by
    `vigie.dev.feedserver.FeedServer`.

Each run (one per worker count, its own index prefix and state directory; the workers are
started for it and stopped after it) lets the scheduler start `news_ingest` (unpaused, all
feeds polled at every run: `VIGIE_POLL_DUE_ONLY=false`) and triggers it again while any
article of the corpus is missing from the index (at most `--max-runs` runs). When the index
holds `--kill-at` of the corpus's article groups, one node is SIGKILLed (a node other than the
one Airflow's connection and this harness talk to, the one holding most primaries of the run's
indices) and started again with its data `--restart-after` seconds later.

Afterwards, for each run: nothing lost and nothing doubled (`bench.measure.story_groups`, the
corpus manifest's exactly-once check: every original with its copies in exactly one stored
article), no group split between two stories (all stored articles holding one group carry one
`story_id`), the cluster green with its three nodes. The report gives the wall time, the
throughput (corpus articles / seconds from the first run's start to the last run's end), the
task tries that failed (Airflow's task_instance_history and task_instance) and what the kill
cost (seconds to all primaries active, to green). It is printed, written as JSON under the
bench work directory and, unless `--no-write`, into bench/results.md between the markers of the
section `scale` ("Scale test (issue 17)"; the generated section is never touched).

The Airflow DAG is whatever is on disk (dags/news_ingest.py): this harness only deploys it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.common import BENCH_DIR, RESULTS_MD, WORK_DIR
from bench.corpus import CorpusInfo, generate
from vigie.core.settings import REPO_ROOT
from vigie.store import node as esnode

# The Airflow deployment of the real-scheduler test (PostgreSQL, airflow-init.sh, components).
sys.path.insert(0, str(REPO_ROOT / "tests"))
from airflow_cluster import AirflowCluster, wait_until  # noqa: E402

SECTION = "scale"
TITLE = "Scale test (issue 17)"
DAG_ID = "news_ingest"
MIN_ARTICLES, MIN_FEEDS, MIN_SYNDICATED = 2000, 10, 0.10


def _free_port() -> int:
    return esnode.free_ports(1)[0]


def _version(command: Sequence[str]) -> str:
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (result.stdout or result.stderr).strip().splitlines()[-1] if result.returncode == 0 else "?"


def _stop_group(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGTERM the process's group (it was started in a session of its own), SIGKILL after
    `timeout`; only this process and its children."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # children left behind by a clean exit
        os.killpg(process.pid, signal.SIGKILL)


# -- Redis -----------------------------------------------------------------------------------------


class Redis:
    """A throwaway Redis server (Debian's `redis-server`) on 127.0.0.1:<free port>, no
    persistence, in a folder of its own."""

    def __init__(self, root: Path) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).is_file():
            raise RuntimeError("no redis-server: `make redis` installs Debian's redis-server package")
        self.binary = binary
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.root), "--daemonize", "no"]
        log = (self.root / "redis.log").open("wb")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True
        )
        wait_until("redis-server answering PING", self._ready, 30, 0.2)

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            tail = (self.root / "redis.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"redis-server exited {self.process.returncode}:\n{tail}")
        return self.ping()

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process, timeout=10)


# -- Airflow with Celery workers -------------------------------------------------------------------


class CeleryAirflow(AirflowCluster):
    """The real-scheduler test's deployment with the CeleryExecutor and N workers."""

    def __init__(self, root: Path, extra_env: dict[str, str], redis: Redis) -> None:
        super().__init__(root, extra_env)
        self.workers: list[str] = []
        self.env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CORE__PARALLELISM": "16",
                "AIRFLOW__CELERY__BROKER_URL": redis.url,
                # The result backend on the metadata database, as Airflow's compose file has it.
                "AIRFLOW__CELERY__RESULT_BACKEND": (
                    f"db+postgresql://vigie@127.0.0.1:{self.postgres.port}/airflow"
                ),
            }
        )

    def start_workers(self, count: int, concurrency: int, env: dict[str, str], timeout: float = 180) -> None:
        """`count` Celery workers with `env` added (the run's prefix and state directory);
        returns when each has said it is ready."""
        for number in range(1, count + 1):
            name = f"worker-{number}"
            log_path = self.root / f"{name}.log"
            worker_env = {
                **self.env,
                **env,
                # Each worker serves its task logs on a port of its own (default 8793: one machine).
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            }
            command = [
                self.run_airflow,
                "celery",
                "worker",
                "--celery-hostname",
                f"w{number}@%h",
                "--concurrency",
                str(concurrency),
                "--pid",
                str(self.root / f"{name}.pid"),
            ]
            with log_path.open("ab") as log:
                log.write(f"\n--- started {datetime.now(UTC).isoformat()} ---\n".encode())
                log.flush()
                self.processes[name] = subprocess.Popen(
                    command,
                    env=worker_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.root,
                    start_new_session=True,
                )
            self.workers.append(name)
        for name in self.workers:
            path = self.root / f"{name}.log"
            wait_until(f"celery {name} ready", lambda p=path: self._ready(p), timeout, 1)

    def _ready(self, log: Path) -> bool:
        self.check_alive()
        text = log.read_text(errors="replace").rsplit("--- started", 1)[-1]
        return " ready." in text

    def stop_workers(self) -> None:
        for name in self.workers:
            process = self.processes.pop(name)
            _stop_group(process, timeout=60)
        self.workers = []

    @property
    def run_airflow(self) -> str:
        return str(Path(sys.executable).with_name("airflow"))

    def tries(self, run_ids: Sequence[str]) -> list[tuple[str, int, int, str]]:
        """(task_id, map_index, try_number, state) of every try of the runs' tasks: earlier
        tries from task_instance_history, the last from task_instance."""
        if not run_ids:
            return []
        rows: list[tuple[Any, ...]] = []
        for table in ("task_instance_history", "task_instance"):
            rows += self.postgres.query(
                f"SELECT task_id, map_index, try_number, state FROM {table} "
                "WHERE dag_id = %s AND run_id = ANY(%s)",
                DAG_ID,
                list(run_ids),
            )
        return sorted((str(t), int(m), int(n or 0), str(s)) for t, m, n, s in rows)

    def run_times(self, run_ids: Sequence[str]) -> list[tuple[str, str, float, float]]:
        """(run_id, state, start, end) as epoch seconds of the runs."""
        rows = self.postgres.query(
            "SELECT run_id, state, EXTRACT(EPOCH FROM start_date), EXTRACT(EPOCH FROM end_date) "
            "FROM dag_run WHERE dag_id = %s AND run_id = ANY(%s) ORDER BY id",
            DAG_ID,
            list(run_ids),
        )
        return [(str(r), str(s), float(a or 0), float(b or 0)) for r, s, a, b in rows]


# -- one run -----------------------------------------------------------------------------------


@dataclass
class Kill:
    """The node kill of a run and what followed it, in seconds from the kill."""

    node: str = ""
    at_articles: int = 0
    at_seconds: float = 0.0  # from the run's start
    primaries_active: float | None = None  # health no longer red
    green: float | None = None  # the node back and every copy allocated
    restart_error: str = ""
    started: float = field(default=0.0, repr=False)


@dataclass
class Options:
    articles: int = 2000
    seed: int = 17
    workers: tuple[int, ...] = (1, 2)
    concurrency: int = 2
    kill_at: float = 0.35
    restart_after: float = 20.0
    max_runs: int = 4
    run_timeout: float = 1800.0
    batch_size: int = 200


def _articles_stored(url: str, prefix: str) -> int:
    try:
        response = httpx.get(f"{url}/{prefix}-articles/_count", timeout=10)
    except httpx.HTTPError:
        return 0
    return int(response.json().get("count", 0)) if response.status_code == 200 else 0


def _victim(cluster: esnode.Cluster, prefix: str) -> esnode.Node:
    """The member (not the first node, which Airflow's connection and this harness use) that
    holds most primaries of the run's indices."""
    shards = httpx.get(f"{cluster.url}/_cat/shards/{prefix}-*", params={"format": "json"}, timeout=30).json()
    candidates = list(cluster.nodes[1:])
    primaries = {node.name: 0 for node in candidates}
    for shard in shards:
        if shard.get("prirep") == "p" and shard.get("node") in primaries:
            primaries[str(shard["node"])] += 1
    return max(candidates, key=lambda node: primaries[node.name])


def _kill_and_restart(cluster: esnode.Cluster, node: esnode.Node, kill: Kill, restart_after: float) -> None:
    """Runs in a thread: watches health after the kill, starts the node again after
    `restart_after` seconds and waits for green."""
    try:
        deadline = time.monotonic() + restart_after
        while time.monotonic() < deadline:
            state = esnode.cluster_health(cluster.url, timeout=2.0)
            if kill.primaries_active is None and state and state.get("status") in ("yellow", "green"):
                kill.primaries_active = time.monotonic() - kill.started
            time.sleep(0.5)
        esnode.restart(cluster, node)
        if kill.primaries_active is None:
            kill.primaries_active = time.monotonic() - kill.started
        kill.green = time.monotonic() - kill.started
    except Exception as error:  # noqa: BLE001 - reported, and the run fails on it
        kill.restart_error = f"{type(error).__name__}: {str(error)[-1500:]}"


def story_check(url: str, prefix: str, info: CorpusInfo) -> dict[str, Any]:
    """Every group of the corpus (an original and its copies) with the story ids of the stored
    articles holding it: a group under two story ids is a story split."""
    from elasticsearch import Elasticsearch
    from elasticsearch.helpers import scan

    entries = {entry["path"]: entry for entry in info.manifest()}
    stories: dict[str, set[str]] = {}
    es = Elasticsearch(url, request_timeout=60)
    try:
        query = {"query": {"match_all": {}}, "_source": ["url", "duplicate_urls", "story_id"]}
        for hit in scan(es, index=f"{prefix}-articles", size=1000, query=query):
            source = hit["_source"]
            for link in [source["url"], *(source.get("duplicate_urls") or [])]:
                path = urlsplit(link).path
                if path in entries:
                    group = entries[path]["duplicate_of"] or path
                    stories.setdefault(group, set()).add(str(source.get("story_id") or hit["_id"]))
    finally:
        es.close()
    split = sorted(group for group, ids in stories.items() if len(ids) > 1)
    syndicated = {entry["duplicate_of"] for entry in entries.values() if entry["duplicate_of"]}
    return {
        "groups_with_story": len(stories),
        "split": split,
        "syndicated_groups": len(syndicated),
        "syndicated_in_one_story": sum(1 for g in syndicated if len(stories.get(g, ())) == 1),
    }


def run_once(
    airflow: CeleryAirflow,
    cluster: esnode.Cluster,
    info: CorpusInfo,
    workers: int,
    options: Options,
    root: Path,
) -> dict[str, Any]:
    from bench.measure import story_groups

    prefix = f"scale-w{workers}"
    state = root / f"state-w{workers}"
    state.mkdir(parents=True, exist_ok=True)
    for kind in ("_index_template", "_component_template"):
        httpx.delete(f"{cluster.url}/{kind}/{prefix}-*", timeout=60)
    httpx.delete(f"{cluster.url}/{prefix}-*", params={"expand_wildcards": "all"}, timeout=60)
    env = {"VIGIE_INDEX_PREFIX": prefix, "VIGIE_STATE_DIR": str(state)}
    print(f"[scale] {workers} worker(s): starting Celery workers", flush=True)
    airflow.start_workers(workers, options.concurrency, env)
    groups = len({entry["duplicate_of"] or entry["path"] for entry in info.manifest()})
    known = {run_id for run_id, _, _ in airflow.dag_runs(DAG_ID)}
    started = time.monotonic()
    started_wall = time.time()
    kill = Kill()
    killer: threading.Thread | None = None
    triggered = 0
    mine: list[str] = []
    check: dict[str, Any] = {}
    try:
        if not airflow.api("GET", f"dags/{DAG_ID}")["is_paused"]:
            airflow.trigger(DAG_ID)
            triggered += 1
        else:
            airflow.unpause(DAG_ID)  # the scheduler starts the latest interval's run itself
        deadline = started + options.run_timeout
        first_wait = started + 30
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{workers} worker(s): not done after {options.run_timeout:.0f}s")
            airflow.check_alive()
            runs = [run for run in airflow.dag_runs(DAG_ID) if run[0] not in known]
            mine = [run_id for run_id, _, _ in runs]
            active = [run for run in runs if run[2] in ("queued", "running")]
            stored = _articles_stored(cluster.url, prefix)
            if killer is None and options.kill_at >= 0 and stored >= options.kill_at * groups:
                victim = _victim(cluster, prefix)
                kill = Kill(node=victim.name, at_articles=stored, at_seconds=time.monotonic() - started)
                print(f"[scale] SIGKILL {victim.name} at {stored} stored articles", flush=True)
                kill.started = time.monotonic()
                esnode.kill(victim)
                killer = threading.Thread(
                    target=_kill_and_restart, args=(cluster, victim, kill, options.restart_after), daemon=True
                )
                killer.start()
            if not active and (runs or time.monotonic() > first_wait):
                if runs:
                    es = _client(cluster.url)
                    try:
                        es.indices.refresh(index=f"{prefix}-articles")
                        check = story_groups(es, f"{prefix}-articles", info)
                    finally:
                        es.close()
                    if not check["lost"]:
                        break
                if len(runs) >= options.max_runs:
                    break
                print(f"[scale] {len(check.get('lost', [])) or 'all'} groups missing: trigger", flush=True)
                airflow.trigger(DAG_ID)
                triggered += 1
                first_wait = time.monotonic() + 30
            time.sleep(2)
        ended = time.monotonic()
        if killer is not None:
            killer.join(timeout=600)
    finally:
        airflow.stop_workers()
    times = airflow.run_times(mine)
    tries = airflow.tries(mine)
    failed_tries = [
        (t, m, n, s) for t, m, n, s in tries if s in ("failed", "up_for_retry", "upstream_failed")
    ]
    wait = {"wait_for_status": "green", "wait_for_nodes": "3", "timeout": "60s"}
    health = esnode.cluster_health(cluster.url, timeout=90, params=wait) or {}
    stories = story_check(cluster.url, prefix, info)
    durations = {run_id: airflow.durations(DAG_ID, run_id) for run_id in mine}
    first_start = min((start for _, _, start, _ in times if start), default=started_wall)
    last_end = max((end for _, _, _, end in times if end), default=time.time())
    result = {
        "workers": workers,
        "concurrency": options.concurrency,
        "prefix": prefix,
        "runs": [{"run_id": r, "state": s, "seconds": round(e - b, 1)} for r, s, b, e in times],
        "triggered": triggered,
        "harness_seconds": round(ended - started, 1),
        "wall_seconds": round(last_end - first_start, 1),
        "articles": info.n,
        "throughput": round(info.n / max(1e-9, last_end - first_start), 2),
        "stored": _articles_stored(cluster.url, prefix),
        "groups": check.get("groups", groups),
        "once": check.get("once", 0),
        "lost": check.get("lost", ["(not checked)"]),
        "doubled": check.get("doubled", []),
        "merged": check.get("merged", []),
        "stories": stories,
        "tries": len(tries),
        "failed_tries": [f"{t}{f'[{m}]' if m >= 0 else ''} try {n}: {s}" for t, m, n, s in failed_tries],
        "kill": {
            "node": kill.node,
            "at_articles": kill.at_articles,
            "at_seconds": round(kill.at_seconds, 1),
            "primaries_active_seconds": None
            if kill.primaries_active is None
            else round(kill.primaries_active, 1),
            "green_seconds": None if kill.green is None else round(kill.green, 1),
            "restart_error": kill.restart_error,
        },
        "cluster": {"status": health.get("status"), "nodes": health.get("number_of_nodes")},
        "durations": durations,
    }
    result["passed"] = verdict(result, options)
    return result


def _client(url: str) -> Any:
    from elasticsearch import Elasticsearch

    return Elasticsearch(url, request_timeout=120)


def verdict(result: dict[str, Any], options: Options) -> list[str]:
    """What failed ([] = the run passed)."""
    failures = []
    if result["lost"]:
        failures.append(f"{len(result['lost'])} groups lost")
    if result["doubled"]:
        failures.append(f"{len(result['doubled'])} groups stored twice")
    if result["stories"]["split"]:
        failures.append(f"{len(result['stories']['split'])} groups split between two stories")
    if result["cluster"] != {"status": "green", "nodes": 3}:
        failures.append(f"cluster not green with 3 nodes: {result['cluster']}")
    if options.kill_at >= 0 and not result["kill"]["node"]:
        failures.append("no node was killed (the run ended before the kill point)")
    if result["kill"]["restart_error"]:
        failures.append(f"restart failed: {result['kill']['restart_error'][:200]}")
    return failures


# -- the whole test ------------------------------------------------------------------------------


def check_corpus(info: CorpusInfo) -> dict[str, Any]:
    entries = list(info.manifest())
    copies = [e for e in entries if e["duplicate_of"]]
    by_path = {e["path"]: e for e in entries}
    delays = [
        (
            datetime.fromisoformat(e["published"])
            - datetime.fromisoformat(by_path[e["duplicate_of"]]["published"])
        )
        for e in copies
    ]
    other_feed = sum(1 for e in copies if e["feed"] != by_path[e["duplicate_of"]]["feed"])
    facts = {
        "articles": len(entries),
        "feeds": len(info.feeds),
        "syndicated": len(copies),
        "syndicated_rate": len(copies) / len(entries),
        "max_delay_seconds": max((d.total_seconds() for d in delays), default=0.0),
        "in_another_feed": other_feed,
    }
    problems = []
    if facts["articles"] < MIN_ARTICLES or facts["feeds"] < MIN_FEEDS:
        problems.append(f"corpus too small: {facts['articles']} articles, {facts['feeds']} feeds")
    if facts["syndicated_rate"] < MIN_SYNDICATED or other_feed != len(copies):
        problems.append(f"syndication: {facts}")
    if problems and info.n >= MIN_ARTICLES:
        raise RuntimeError("; ".join(problems))
    return facts


@contextlib.contextmanager
def _terminated_as_interrupt() -> Iterator[None]:
    """SIGTERM (CI's time-out, `kill`) tears down like Ctrl-C."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_scale(options: Options, log: Any = print) -> dict[str, Any]:
    """Start everything, run `news_ingest` once per worker count, tear everything down;
    returns the report (every run's result and its failures)."""
    from vigie.dev.feedserver import FeedServer

    wall = time.monotonic()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    info = generate(
        options.articles,
        options.seed,
        WORK_DIR.parent / f"scale-corpus-{options.articles}-{options.seed}",
        dup_rate=0.06,
        near_dup_rate=0.06,
        copy_delay_minutes=(0, 2),
    )
    corpus = check_corpus(info)
    log(f"[scale] corpus: {json.dumps(corpus)}")
    root = Path(tempfile.mkdtemp(prefix="vigie-scale-", dir=WORK_DIR))
    report: dict[str, Any] = {
        "corpus": corpus,
        "options": options.__dict__ | {"workers": list(options.workers)},
    }
    # What ran: the DAG and the code on disk, committed or not.
    status = ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "dags", "ingest", "enrich", "vigie"]
    report["uncommitted"] = subprocess.run(status, capture_output=True, text=True).stdout.split("\n")[:-1]
    phases: dict[str, float] = {}
    with contextlib.ExitStack() as stack, _terminated_as_interrupt():
        stack.callback(shutil.rmtree, root, True)
        t = time.monotonic()
        cluster = esnode.cluster_nodes("vigie-scale", 3, heap="512m")
        log(f"[scale] starting 3 Elasticsearch nodes: {', '.join(cluster.urls)}")
        stack.callback(esnode.stop_cluster, cluster)
        esnode.start_cluster(cluster)
        phases["elasticsearch cluster green"] = time.monotonic() - t
        redis = Redis(root / "redis")
        stack.callback(redis.stop)
        redis.start()
        site = stack.enter_context(FeedServer([info.site]))
        t = time.monotonic()
        airflow = CeleryAirflow(
            root,
            {
                "VIGIE_FEEDS": str(info.feeds_file),
                "VIGIE_FEEDS_BASE_URL": site.base_url,
                "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
                "VIGIE_FETCH_HOST_DELAY": "0",
                "VIGIE_POLL_DUE_ONLY": "false",
                "VIGIE_ES_REPLICAS": "1",
                "VIGIE_BATCH_SIZE": str(options.batch_size),
                "VIGIE_STATE_DIR": str(root / "state"),
                # One scheduled run when unpaused, then only the runs this harness triggers.
                "VIGIE_SCHEDULE_MINUTES": "1440",
            },
            redis,
        )
        stack.callback(airflow.close)
        airflow.start_database()
        airflow.init({"VIGIE_ES_HOST": "127.0.0.1", "VIGIE_ES_PORT": str(cluster.nodes[0].http_port)})
        airflow.start()
        wait_until(f"{DAG_ID} parsed", lambda: airflow.has_dag(DAG_ID), 300, 2)
        phases["airflow up (migrations, init, components, DAG parsed)"] = time.monotonic() - t
        report["versions"] = {
            "airflow": _version([airflow.run_airflow, "version"]),
            "redis": " ".join(_version([redis.binary, "--version"]).split()[:3]).replace(" v=", " "),
            "postgresql": _version([str(airflow.postgres.bindir / "postgres"), "--version"]),
            "elasticsearch": esnode.ES_VERSION,
        }
        report["runs"] = []
        for workers in options.workers:
            t = time.monotonic()
            result = run_once(airflow, cluster, info, workers, options, root)
            phases[f"run with {workers} worker(s)"] = time.monotonic() - t
            report["runs"].append(result)
            log(f"[scale] {workers} worker(s): {_summary_line(result)}")
    report["phases"] = {name: round(seconds, 1) for name, seconds in phases.items()}
    report["wall_seconds"] = round(time.monotonic() - wall, 1)
    report["load_average_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report["commit"] = _version(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"])
    report["finished"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    report["failures"] = [f"{r['workers']} worker(s): {f}" for r in report["runs"] for f in r["passed"]]
    return report


def _summary_line(result: dict[str, Any]) -> str:
    kill = result["kill"]
    return (
        f"{result['wall_seconds']:.0f}s, {result['throughput']:.2f} articles/s, runs {len(result['runs'])}, "
        f"lost {len(result['lost'])}, doubled {len(result['doubled'])}, split {len(result['stories']['split'])}, "
        f"failed tries {len(result['failed_tries'])}, kill {kill['node'] or '-'} -> primaries "
        f"{kill['primaries_active_seconds']}s, green {kill['green_seconds']}s, cluster {result['cluster']}"
    )


def render(report: dict[str, Any], command: str) -> str:
    begin, end = f"<!-- bench:{SECTION}:begin -->", f"<!-- bench:{SECTION}:end -->"
    commit = report.get("commit") or _version(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"])
    load = report.get("load_average_end") or " ".join(f"{x:.2f}" for x in os.getloadavg())
    when = report.get("finished") or f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    dirty = len(report.get("uncommitted", []))
    corpus, versions = report["corpus"], report.get("versions", {})
    options = report["options"]
    lines = [
        begin,
        f"## {TITLE}",
        "",
        f"`{command}` on {when}, main at {commit}"
        f"{f' (+ {dirty} files edited, not committed)' if dirty else ''}, {os.cpu_count()} cores shared "
        f"with other work (load average at the end {load}). "
        f"Elasticsearch {versions.get('elasticsearch', '?')}: 3 nodes of one cluster, heap 512 MiB each, "
        f"1 replica per shard; {versions.get('redis', '?')}; {versions.get('postgresql', '?')}; "
        f"Airflow {versions.get('airflow', '?')}, CeleryExecutor (Redis broker, PostgreSQL result backend), "
        f"dag-processor, scheduler, api-server and N Celery workers of concurrency {options['concurrency']}. "
        f"Corpus: {corpus['articles']} articles in {corpus['feeds']} feeds, {corpus['syndicated']} syndicated "
        f"copies ({100 * corpus['syndicated_rate']:.0f} %) published at most "
        f"{corpus['max_delay_seconds'] / 60:.0f} min after their original, each in another outlet's feed; "
        f"batches of {options['batch_size']}. Whole test: {report['wall_seconds']:.0f} s.",
        "",
        "| workers | wall (s) | articles/s | runs | lost | doubled | split stories | failed task tries "
        "| node killed (at articles) | kill → primaries active (s) | kill → green (s) | cluster after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        kill = r["kill"]
        lines.append(
            f"| {r['workers']} | {r['wall_seconds']:.0f} | {r['throughput']:.2f} | {len(r['runs'])} "
            f"| {len(r['lost'])} | {len(r['doubled'])} | {len(r['stories']['split'])} | {len(r['failed_tries'])} "
            f"| {kill['node'] or '-'} ({kill['at_articles']}) | {kill['primaries_active_seconds']} "
            f"| {kill['green_seconds']} | {r['cluster']['status']}, {r['cluster']['nodes']} nodes |"
        )
    lines.append("")
    for r in report["runs"]:
        failed = "; ".join(r["failed_tries"]) or "none"
        lines.append(
            f"- {r['workers']} worker(s): {r['once']}/{r['groups']} groups stored exactly once; "
            f"{r['stories']['syndicated_in_one_story']}/{r['stories']['syndicated_groups']} syndicated groups "
            f"in one story; failed tries: {failed}; verdict: {'; '.join(r['passed']) or 'passed'}."
        )
    lines += ["", "Phases (s): " + ", ".join(f"{k} {v:.0f}" for k, v in report["phases"].items()), end]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=Options.articles)
    parser.add_argument("--seed", type=int, default=Options.seed)
    parser.add_argument("--workers", type=int, nargs="+", default=list(Options.workers))
    parser.add_argument("--concurrency", type=int, default=Options.concurrency, help="task slots per worker")
    parser.add_argument(
        "--kill-at", type=float, default=Options.kill_at, help="fraction of groups stored; < 0: no kill"
    )
    parser.add_argument("--restart-after", type=float, default=Options.restart_after)
    parser.add_argument("--max-runs", type=int, default=Options.max_runs)
    parser.add_argument("--batch", type=int, default=Options.batch_size)
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    args = parser.parse_args(argv)
    options = Options(
        articles=args.articles,
        seed=args.seed,
        workers=tuple(args.workers),
        concurrency=args.concurrency,
        kill_at=args.kill_at,
        restart_after=args.restart_after,
        max_runs=args.max_runs,
        batch_size=args.batch,
    )
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    report = run_scale(options)
    out = WORK_DIR / "scale-result.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    command = "python -m bench.scale " + " ".join(argv if argv is not None else sys.argv[1:])
    rendered = render(report, command.strip())
    print(rendered)
    print(f"\nfull report: {out}", file=sys.stderr)
    if not args.no_write:
        from bench.report import write_results

        write_results(rendered, SECTION, RESULTS_MD)
        print(f"written to {RESULTS_MD}", file=sys.stderr)
    for failure in report["failures"]:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    os.chdir(BENCH_DIR.parent)
    raise SystemExit(main())
