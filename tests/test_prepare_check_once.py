"""`prepare` checks the configuration only when it changed (issue 17: a run starts every 2
minutes, and reading the rules takes seconds): the same rules and enrichment data as the last
check that passed skip it; any change to them runs it again, and a broken file still stops the
run."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from vigie.alerting.rules import RulesError
from vigie.core.settings import Settings
from vigie.run import tasks
from vigie.run.pipeline import Pipeline


def test_the_configuration_is_checked_again_only_when_it_changed(settings: Settings, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    shutil.copy(settings.rules_file, rules)
    settings = dataclasses.replace(settings, rules_file=rules)

    assert tasks.check_configuration(Pipeline(settings=settings), settings) is True
    assert tasks.check_configuration(Pipeline(settings=settings), settings) is False

    original = rules.read_text(encoding="utf-8")
    rules.write_text(original.replace("rules:\n", "rules:\n  - name: sans_condition\n", 1), encoding="utf-8")
    with pytest.raises(RulesError):
        tasks.check_configuration(Pipeline(settings=settings), settings)
    with pytest.raises(RulesError):  # a failed check is no verdict to reuse
        tasks.check_configuration(Pipeline(settings=settings), settings)

    rules.write_text(original, encoding="utf-8")
    assert tasks.check_configuration(Pipeline(settings=settings), settings) is False
    rules.write_text(original + "\n# une note\n", encoding="utf-8")
    assert tasks.check_configuration(Pipeline(settings=settings), settings) is True
