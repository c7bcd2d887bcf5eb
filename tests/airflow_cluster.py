"""The real Airflow deployment of tests/test_real_scheduler.py: it lives in
`bench.airflowstack` (the freshness soak, `python -m bench.soak`, starts the same one)."""

import sys

from vigie.core.settings import REPO_ROOT

if str(REPO_ROOT) not in sys.path:  # `bench` is a repository folder, not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from bench.airflowstack import (  # noqa: E402
    AIRFLOW,
    DEPLOY,
    AirflowCluster,
    Postgres,
    free_port,
    postgres_bindir,
    wait_until,
)

__all__ = ["AIRFLOW", "DEPLOY", "AirflowCluster", "Postgres", "free_port", "postgres_bindir", "wait_until"]
