"""The real Airflow deployment of tests/test_real_scheduler.py: it lives in
`vigie.dev.airflowstack` (the freshness soak, `python -m bench.soak`, starts the same one)."""

from vigie.dev.airflowstack import (
    AIRFLOW,
    DEPLOY,
    AirflowCluster,
    Postgres,
    free_port,
    postgres_bindir,
    wait_until,
)

__all__ = ["AIRFLOW", "DEPLOY", "AirflowCluster", "Postgres", "free_port", "postgres_bindir", "wait_until"]
