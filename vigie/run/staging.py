"""A run-scoped staging area: tasks pass payloads through files, and only paths through XCom.

Layout: `<state_dir>/staging/<run key>/<name>.jsonl`. The run key comes from the DAG run id
(or a `vigie run` key), so re-running a task overwrites its own files and nothing else.
Writes are atomic (temp file + rename): a task killed mid-write leaves no half file.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from vigie.core.settings import Settings

RecordT = TypeVar("RecordT", bound=BaseModel)


def run_dir(settings: Settings, run_key: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", run_key)
    path = settings.state_dir / "staging" / safe
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_records(path: Path, records: Iterable[BaseModel]) -> Path:
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json())
            out.write("\n")
    tmp.replace(path)
    return path


def read_records(path: Path | str, model: type[RecordT]) -> list[RecordT]:
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as source:
        return [model.model_validate_json(line) for line in source if line.strip()]


def purge(settings: Settings, run_key: str) -> None:
    shutil.rmtree(run_dir(settings, run_key), ignore_errors=True)
