"""A disk spool for batches the cluster could not take: nothing is lost while it is down.

One NDJSON file per batch under `Settings.state_dir/spool/`, named by the sha256 of its
content, so spooling the same batch twice leaves one file. Files are written atomically
(temporary file, fsync, rename), so a crash never leaves a half-written batch behind; a file
is deleted only by its successful replay (`replay_spool`, at the start of each run and in the
daily maintenance DAG).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigie.core.files import atomic_write_bytes
from vigie.core.settings import Settings

if TYPE_CHECKING:
    pass


log = logging.getLogger(__name__)

SUFFIX = ".ndjson"


class SpoolError(RuntimeError):
    """A spool file that cannot be read back (corrupt or hand-edited)."""


def spool_dir(settings: Settings) -> Path:
    return Path(settings.state_dir) / "spool"


def encode(entries: Iterable[Mapping[str, Any]]) -> bytes:
    """Canonical NDJSON (sorted keys) so equal batches give equal bytes, hence equal names."""
    lines = [
        json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for entry in entries
    ]
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def write_batch(settings: Settings, entries: Iterable[Mapping[str, Any]]) -> Path:
    """Spool one batch; returns its file (the existing one when the same batch is already there)."""
    data = encode(entries)
    if not data:
        raise ValueError("refusing to spool an empty batch")
    path = spool_dir(settings) / f"{hashlib.sha256(data).hexdigest()[:32]}{SUFFIX}"
    if not path.exists():
        atomic_write_bytes(path, data)
    return path


def pending(settings: Settings) -> list[Path]:
    """Spooled batches, oldest first (replay order follows the order they were spooled)."""
    directory = spool_dir(settings)
    if not directory.is_dir():
        return []
    files = [
        p
        for p in directory.iterdir()
        if p.is_file() and p.name.endswith(SUFFIX) and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def read_batch(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise SpoolError(f"{path.name} line {number}: {error}") from error
        if not isinstance(entry, dict):
            raise SpoolError(f"{path.name} line {number}: expected a JSON object")
        entries.append(entry)
    return entries


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def quarantine(settings: Settings, path: Path) -> Path:
    """Move an unreadable batch aside (kept for a human, never replayed again)."""
    target = spool_dir(settings) / "corrupt" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    return target
