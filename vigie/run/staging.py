"""A run-scoped staging area: tasks pass payloads through files, and only paths through XCom.

Layout: `<state_dir>/staging/<run key>/<name>.json`. The run key comes from the DAG run id
(or a `vigie run` key), so re-running a task overwrites its own files and nothing else.
Writes are atomic (`vigie.core.files`): a task killed mid-write leaves no half file. A run's
folder is deleted when the run succeeds; maintenance purges what failed runs left behind.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from pydantic import BaseModel

from vigie.core.files import atomic_write_text
from vigie.core.settings import Settings

__all__ = ["purge", "purge_older_than", "run_dir", "staging_root", "write_model"]


def staging_root(settings: Settings) -> Path:
    return settings.state_dir / "staging"


def run_dir(settings: Settings, run_key: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", run_key)
    path = staging_root(settings) / safe
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_model(path: Path, record: BaseModel) -> Path:
    atomic_write_text(path, record.model_dump_json())
    return path


def purge(settings: Settings, run_key: str) -> None:
    shutil.rmtree(run_dir(settings, run_key), ignore_errors=True)


def purge_older_than(settings: Settings, max_age_days: float, now: float | None = None) -> list[str]:
    """Delete run folders untouched for `max_age_days` (runs that failed and were never
    retried); returns their names."""
    root = staging_root(settings)
    if not root.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - max_age_days * 86400
    purged = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            purged.append(folder.name)
    return purged
