"""Orchestration, the top floor: the `Pipeline` (one batch step for `vigie run` and the DAGs),
the Airflow task functions and their staging area, maintenance, digests, feed health and the
run report. Only `dags/`, the CLI and the demo import it."""

from __future__ import annotations

_EXPORTS = {
    "Pipeline": ".pipeline",
    "Candidate": ".pipeline",
    "batch_sizes": ".pipeline",
    "print_summary": ".report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
