"""Conditional-GET state: the ETag / Last-Modified of each URL fetched with `remember`.

Conditional GET. With `Fetcher.fetch(url, conditional=True)` the stored ETag / Last-Modified of
the URL are sent and a 304 comes back as `not_modified=True`. Validators live in a JSON file
under `Settings.state_dir` (`STATE_FILE`; atomic replace, file lock), so a new process still
gets its 304.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

STATE_FILE = "http_validators.json"


class ValidatorStore:
    """ETag / Last-Modified / last success per URL in one JSON file, safe across threads and
    processes (flock around read-modify-write, atomic replace)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("validator state %s unreadable (%s): starting afresh", self.path, error)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url: str) -> dict[str, str]:
        with self._lock:
            return dict(self._read().get(url, {}))

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path.with_suffix(".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def update(self, url: str, **fields: str | None) -> None:
        with self._exclusive():
            data = self._read()
            entry = data.setdefault(url, {})
            for key, value in fields.items():
                if value is None:
                    entry.pop(key, None)
                else:
                    entry[key] = value
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
