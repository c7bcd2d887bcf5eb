"""Staging: atomic writes, per-run folders, and the purge of what failed runs leave behind."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings
from vigie.run import maintenance, staging


def _settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(Settings(), state_dir=tmp_path / "state", staging_max_age_days=3)


def test_write_model_is_atomic_and_leaves_no_temp_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    folder = staging.run_dir(settings, "manual__2025-09-18T12:00:00+00:00")
    summary = RunSummary()
    summary.record("feeds", "accepted", "direct")
    path = staging.write_model(folder / "summary-x.json", summary)
    assert RunSummary.model_validate_json(path.read_text(encoding="utf-8")).get("feeds") == 1
    assert [p.name for p in folder.iterdir()] == ["summary-x.json"]
    assert ":" not in folder.name  # run ids become safe folder names


def test_maintenance_purges_only_stale_staging_folders(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    stale = staging.run_dir(settings, "failed-run")
    (stale / "batch-0000.json").write_text("{}", encoding="utf-8")
    fresh = staging.run_dir(settings, "running-run")
    four_days_ago = time.time() - 4 * 86400
    os.utime(stale, (four_days_ago, four_days_ago))
    assert maintenance.purge_staging(settings) == ["failed-run"]
    assert not stale.exists() and fresh.is_dir()
    staging.purge(settings, "running-run")
    assert not fresh.exists()
