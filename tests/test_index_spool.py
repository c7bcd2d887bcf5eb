"""The disk spool on its own: content-named, atomic, ordered, strict when read back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vigie.core.files import atomic_write_bytes
from vigie.core.settings import Settings
from vigie.store import spool


def entries(n: int, tag: str = "a") -> list[dict[str, object]]:
    return [
        {"stage": "index.articles", "bulk": {"_id": f"{tag}{i}", "_source": {"title": "Frappe nucléaire"}}}
        for i in range(n)
    ]


def test_the_same_batch_spooled_twice_is_one_file(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    first = spool.write_batch(settings, entries(3))
    # Key order does not matter: the encoding is canonical.
    reordered = [{"bulk": e["bulk"], "stage": e["stage"]} for e in entries(3)]
    assert spool.write_batch(settings, reordered) == first
    assert spool.pending(settings) == [first]
    assert spool.read_batch(first) == entries(3)
    assert first.parent == tmp_path / "spool" and first.name.endswith(".ndjson")
    # Only the batch itself is in the directory: no temporary file left behind.
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]
    assert "Frappe nucléaire" in first.read_text(encoding="utf-8")


def test_batches_replay_oldest_first(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    older = spool.write_batch(settings, entries(1, "z"))
    newer = spool.write_batch(settings, entries(1, "b"))
    os.utime(older, ns=(1_000_000_000, 1_000_000_000))
    assert spool.pending(settings) == [older, newer]


def test_an_empty_batch_is_refused_and_a_corrupt_file_is_reported(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    with pytest.raises(ValueError):
        spool.write_batch(settings, [])
    broken = spool.spool_dir(settings) / "broken.ndjson"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"stage": "index.articles"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(spool.SpoolError, match="line 2"):
        spool.read_batch(broken)
    moved = spool.quarantine(settings, broken)
    assert moved.parent.name == "corrupt" and spool.pending(settings) == []


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]
