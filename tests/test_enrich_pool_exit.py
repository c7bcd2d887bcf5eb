"""An enrichment worker ends without tearing its interpreter down (freeing the model object
by object took seconds that every run waited for in `EnricherPool.close`)."""

from __future__ import annotations

import os
from pathlib import Path

from enrich.pool import EnricherPool
from vigie.core.settings import Settings

_MARKER: object = None


class _TornDown:
    """Writes its file when the interpreter tears its module down (its __del__ runs then)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.open = open  # kept: module globals may be gone by then

    def __del__(self) -> None:
        with self.open(self.path, "w") as marker:
            marker.write("torn down")


def _leave_marker(path: str) -> int:
    global _MARKER
    _MARKER = _TornDown(path)
    return os.getpid()


def test_a_worker_exits_without_tearing_down(tmp_path: Path) -> None:
    marker = tmp_path / "torn-down"
    pool = EnricherPool(Settings(), 1)
    try:
        pool.warm_up()
        pid = pool.executor.submit(_leave_marker, str(marker)).result(timeout=120)
        assert pid != os.getpid()
    finally:
        pool.close()
    assert not marker.exists()
