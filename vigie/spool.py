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
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigie.accounting import RunSummary
from vigie.config import Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from vigie.indexer import IndexReport

log = logging.getLogger(__name__)

SUFFIX = ".ndjson"


class SpoolError(RuntimeError):
    """A spool file that cannot be read back (corrupt or hand-edited)."""


def spool_dir(settings: Settings) -> Path:
    return Path(settings.state_dir) / "spool"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see either nothing or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)


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


def _new_index_report() -> IndexReport:
    from vigie.indexer import IndexReport

    return IndexReport()


@dataclass
class ReplayReport:
    files_replayed: int = 0
    files_left: int = 0
    quarantined: list[str] = field(default_factory=list)
    index: IndexReport = field(default_factory=_new_index_report)


def replay_spool(
    es: Elasticsearch, settings: Settings, summary: RunSummary, **indexer_options: Any
) -> ReplayReport:
    """Replay spooled batches, oldest first, through the indexer (same dead-lettering, same
    idempotent writes). A file is deleted only when every entry landed or was dead-lettered;
    when the cluster is still unreachable, what is left waits for the next run. Files are
    counted under the stage "spool"; their entries under their own stages."""
    from vigie.indexer import Indexer  # the indexer spools through this module

    indexer = Indexer(es, settings, spool_enabled=False, **indexer_options)
    report = ReplayReport()
    files = pending(settings)
    for position, path in enumerate(files):
        try:
            entries = read_batch(path)
        except SpoolError as error:
            moved = quarantine(settings, path)
            report.quarantined.append(str(moved))
            summary.record("spool", "refused", path.name, f"corrupt: {error}; moved to {moved}")
            continue
        batch_report, leftovers = indexer.process(entries, summary)
        report.index.merge(batch_report)
        if leftovers:
            if len(leftovers) < len(entries):
                kept = write_batch(settings, leftovers)  # written before the old file goes
                if kept != path:
                    remove(path)
            report.files_left = len(files) - position
            summary.record("spool", "skipped", path.name, f"unreachable: {len(leftovers)} entries kept")
            log.warning("replay stopped: cluster unreachable, %d spool files left", report.files_left)
            break
        remove(path)
        report.files_replayed += 1
        summary.record("spool", "accepted", path.name, f"replayed: {len(entries)} entries")
    return report
