"""What a run leaves behind once its staging is gone: its summary, and the ids of the
articles it stored (the digest reads them), under `<state_dir>/runs/`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel

from vigie.core.accounting import RunSummary
from vigie.core.files import atomic_write_text
from vigie.core.settings import Settings

__all__ = ["IndexedRun", "indexed_run", "latest_indexed_run", "record_indexed_run", "record_summary"]


class IndexedRun(BaseModel):
    run_key: str
    article_ids: list[str]


def _runs_dir(settings: Settings) -> Path:
    return settings.state_dir / "runs"


def _safe(run_key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", run_key)


def record_summary(settings: Settings, run_key: str, summary: RunSummary) -> Path:
    path = _runs_dir(settings) / f"{_safe(run_key)}.summary.json"
    atomic_write_text(path, summary.model_dump_json(indent=2))
    atomic_write_text(
        settings.state_dir / "last_run.json", json.dumps({"run_key": run_key, "summary": str(path)})
    )
    return path


def record_indexed_run(settings: Settings, run_key: str, article_ids: list[str]) -> Path:
    """The articles a run stored; `last_indexed_run.json` points at the latest such run (what
    a digest started by hand, with no triggering asset event, falls back to)."""
    path = _runs_dir(settings) / f"{_safe(run_key)}.articles.json"
    atomic_write_text(path, IndexedRun(run_key=run_key, article_ids=article_ids).model_dump_json())
    atomic_write_text(
        settings.state_dir / "last_indexed_run.json",
        json.dumps({"run_key": run_key, "articles": len(article_ids)}),
    )
    return path


def indexed_run(settings: Settings, run_key: str) -> IndexedRun:
    path = _runs_dir(settings) / f"{_safe(run_key)}.articles.json"
    if not path.is_file():
        return IndexedRun(run_key=run_key, article_ids=[])
    return IndexedRun.model_validate_json(path.read_text(encoding="utf-8"))


def latest_indexed_run(settings: Settings) -> str | None:
    path = settings.state_dir / "last_indexed_run.json"
    if not path.is_file():
        return None
    return str(json.loads(path.read_text(encoding="utf-8"))["run_key"])
