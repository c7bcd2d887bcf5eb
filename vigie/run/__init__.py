"""Orchestration, the top floor: the `Pipeline` (one batch step for `vigie run` and the DAGs),
the Airflow task functions and their staging area, maintenance, digests, feed health and the
run report. Only `dags/`, the CLI and the demo import it."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "Pipeline": ".pipeline",
    "Candidate": ".pipeline",
    "batch_sizes": ".pipeline",
    "print_summary": ".report",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
