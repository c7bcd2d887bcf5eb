"""A real Airflow deployment on this machine, as docker-compose.yml runs one: a PostgreSQL server of
its own (Debian's `postgresql` package, installed by `make postgres`), `deploy/airflow-init.sh`,
and Airflow's dag-processor, scheduler and api-server as separate processes on free ports.
Used by tests/test_real_scheduler.py and the freshness soak (`python -m bench.soak`).

Everything is started in a temporary folder and stopped by `close()` (each process by its own
id, its process group included: the LocalExecutor's workers and their task processes).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vigie.core.settings import REPO_ROOT

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DEPLOY = REPO_ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bindir() -> Path:
    """The newest PostgreSQL server installed by the Debian package (`make postgres`)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("no PostgreSQL server: `make postgres` installs Debian's postgresql package")


def wait_until(what: str, ready: Callable[[], Any], timeout: float, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f}s")
        time.sleep(every)


class Postgres:
    """A throwaway PostgreSQL server on 127.0.0.1:<free port>, trust authentication. As root
    (CI) it runs as the `postgres` system user, which the Debian package creates."""

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        # A folder of its own under /tmp: the postgres user must reach it (pytest's are 0700).
        self.root = Path(tempfile.mkdtemp(prefix="vigie-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.port = free_port()
        self.log = self.root / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, **kwargs)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
        return result

    def start(self) -> str:
        for folder in (self.data, self.sockets):
            self._run(["mkdir", "-m", "0700", str(folder)])
        self._run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "vigie", "-A", "trust", "-E", "UTF8"]
        )
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "start",
            ]
        )
        self._run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "vigie", "airflow"]
        )
        return f"postgresql+psycopg2://vigie@127.0.0.1:{self.port}/airflow"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        import psycopg2

        db = psycopg2.connect(host="127.0.0.1", port=self.port, user="vigie", dbname="airflow")
        try:
            db.autocommit = True
            cursor = db.cursor()
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            db.close()


class AirflowCluster:
    """dag-processor, scheduler and api-server on a PostgreSQL metadata database."""

    COMPONENTS = ("dag-processor", "scheduler", "api-server")

    def __init__(self, root: Path, extra_env: dict[str, str]) -> None:
        self.root = root
        self.home = root / "airflow"
        self.home.mkdir(parents=True)
        self.postgres = Postgres()
        self.api_port = free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "VIGIE_", "ES_URL", "KIBANA_URL", "_AIRFLOW"))
        }
        self.env = {
            **base,
            # `airflow` and `python` of this virtualenv first, as in the image.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), base.get("PATH", "")]),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # the test unpauses what it runs
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "VIGIE_AIRFLOW_SECRETS_DIR": str(root / "secrets"),
            **extra_env,
        }

    # -- set-up ------------------------------------------------------------------------------

    def secret(self, name: str) -> str:
        """The shared secret as deploy/airflow_secrets.py settles it (generated on first use)."""
        result = subprocess.run(
            [sys.executable, str(DEPLOY / "airflow_secrets.py"), name, "--generate"],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        return result.stdout.strip()

    def start_database(self) -> None:
        """PostgreSQL, and the database URL as docker-compose.yml gives it: a command built
        from POSTGRES_* (the password, which trust authentication ignores, holds `#@/`)."""
        self.postgres.start()
        self.env.update(
            {
                "POSTGRES_USER": "vigie",
                "POSTGRES_PASSWORD": "pg#p@ss/word",
                "POSTGRES_DB": "airflow",
                "POSTGRES_HOST": f"127.0.0.1:{self.postgres.port}",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD": f"{sys.executable} {DEPLOY / 'airflow_secrets.py'} --sql-alchemy-conn",
            }
        )
        for name in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET"):
            self.env[name] = self.secret(name)

    def run(self, args: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300) -> str:
        """A command in the cluster's environment (`env` added); its output, or RuntimeError."""
        result = subprocess.run(
            list(args),
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout + result.stderr

    def airflow(self, *args: str, env: dict[str, str] | None = None) -> str:
        return self.run([AIRFLOW, *args], env=env)

    def init(self, env: dict[str, str]) -> str:
        """deploy/airflow-init.sh, the compose airflow-init service's script, on this cluster."""
        return self.run(["bash", str(DEPLOY / "airflow-init.sh")], env=env)

    def start(self) -> None:
        for component in self.COMPONENTS:
            log = (self.root / f"{component}.log").open("wb")
            self.processes[component] = subprocess.Popen(
                [AIRFLOW, component],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                start_new_session=True,  # its own process group: stopped with its children
            )

    def check_alive(self) -> None:
        for component, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.root / f"{component}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"airflow {component} exited {process.returncode}:\n{tail}")

    # -- the api-server's REST API (all-admins simple auth manager: no login) ------------------

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        import httpx

        response = httpx.request(
            method, f"http://127.0.0.1:{self.api_port}/api/v2/{path}", json=body, timeout=30
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def has_dag(self, dag_id: str) -> bool:
        try:
            self.api("GET", f"dags/{dag_id}")
        except Exception:  # noqa: BLE001 - not parsed yet, or the api-server still starting
            return False
        return True

    def unpause(self, dag_id: str) -> None:
        assert self.api("PATCH", f"dags/{dag_id}", {"is_paused": False})["is_paused"] is False

    def trigger(self, dag_id: str) -> str:
        run: dict[str, Any] = self.api("POST", f"dags/{dag_id}/dagRuns", {"logical_date": None})
        return str(run["dag_run_id"])

    # -- state ---------------------------------------------------------------------------------

    def dag_runs(self, dag_id: str) -> list[tuple[str, str, str]]:
        """(run_id, run_type, state) of the DAG's runs, oldest first."""
        rows = self.postgres.query(
            "SELECT run_id, run_type, state FROM dag_run WHERE dag_id = %s ORDER BY id", dag_id
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def task_instances(self, dag_id: str, run_id: str) -> list[tuple[str, int, str | None, str | None]]:
        """(task_id, map_index, rendered_map_index, state) of a run's task instances."""
        rows = self.postgres.query(
            "SELECT task_id, map_index, rendered_map_index, state FROM task_instance "
            "WHERE dag_id = %s AND run_id = %s ORDER BY task_id, map_index",
            dag_id,
            run_id,
        )
        return [(str(r[0]), int(r[1]), r[2], r[3]) for r in rows]

    def durations(self, dag_id: str, run_id: str) -> str:
        """The run's tasks with their durations in seconds, in start order (for -s output)."""
        rows = self.postgres.query(
            "SELECT task_id, map_index, state, EXTRACT(EPOCH FROM end_date - start_date) FROM task_instance "
            "WHERE dag_id = %s AND run_id = %s ORDER BY start_date NULLS LAST",
            dag_id,
            run_id,
        )
        return ", ".join(
            f"{task}{f'[{index}]' if index >= 0 else ''} {state} {float(seconds or 0):.1f}s"
            for task, index, state, seconds in rows
        )

    def logs(self) -> str:
        """Every log the cluster wrote: components' and tasks'."""
        texts = [p.read_text(errors="replace") for p in self.root.glob("*.log")]
        texts += [p.read_text(errors="replace") for p in (self.home / "logs").rglob("*") if p.is_file()]
        return "\n".join(texts)

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with _ignore_lookup():
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with _ignore_lookup():
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.postgres.stop()


class _ignore_lookup:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, trace: object) -> bool:
        return isinstance(error, ProcessLookupError)
