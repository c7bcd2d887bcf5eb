"""Precision and recall against the gold annotations (tests/gold/README.md), real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrich.evaluate import EvalReport, canonical_id, evaluate, load_gold, main, render
from enrich.kb import DataFileError, default_kb
from enrich.pipeline import Enricher
from vigie.core.settings import REPO_ROOT

GOLD = REPO_ROOT / "tests" / "gold" / "fixtures.json"
CORPUS = REPO_ROOT / "sample_corpus" / "texts"
EXTRA = REPO_ROOT / "tests" / "gold" / "extra"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return evaluate(GOLD, CORPUS, Enricher())


def test_fixture_entities(report: EvalReport) -> None:
    assert report.entities.f1 >= 0.9, render(report)


def test_fixture_events(report: EvalReport) -> None:
    assert report.events.f1 >= 0.85, render(report)


def test_fixture_counts_and_casualties_are_exact(report: EvalReport) -> None:
    for slot in ("launched", "intercepted", "destroyed", "killed", "injured"):
        score = report.slots[slot]
        assert score.tp > 0 and score.fp == 0 and score.fn == 0, (slot, render(report))


def test_fixture_parties_places_dates(report: EvalReport) -> None:
    assert report.slots["actor"].f1 >= 0.85
    assert report.slots["target"].f1 >= 0.8
    assert report.slots["locations"].f1 >= 0.75
    assert report.slots["event_date"].f1 >= 0.9


@pytest.mark.skipif(not (EXTRA / "gold.json").exists(), reason="held-out set not written yet")
def test_held_out_articles_do_not_regress() -> None:
    # Scores measured when the held-out set arrived, minus a margin: a floor, not a target.
    held_out = evaluate(EXTRA / "gold.json", EXTRA / "texts", Enricher())
    assert held_out.entities.f1 >= 0.85, render(held_out)
    assert held_out.events.f1 >= 0.75, render(held_out)


@pytest.mark.parametrize("gold_path", [GOLD, EXTRA / "gold.json"])
def test_gold_files_are_valid_and_their_evidence_is_in_the_texts(gold_path: Path) -> None:
    if not gold_path.exists():
        pytest.skip("not written yet")
    gold = load_gold(gold_path)
    corpus = CORPUS if gold_path == GOLD else EXTRA / "texts"
    kb = default_kb()
    for document in gold["documents"]:
        text = next(corpus.glob(f"{document['doc']}*.txt")).read_text(encoding="utf-8")
        for event in document["events"]:
            assert event["evidence"] in text, (document["doc"], event["evidence"])
    if gold_path == GOLD:  # the fixture gold uses KB ids or the surface convention only
        for document in gold["documents"]:
            for entity in document["entities"]:
                assert entity["id"].startswith("surface:") or kb.get(entity["id"]), entity


def test_unknown_entity_ids_compare_by_slug() -> None:
    assert canonical_id("surface:andriï kovalenko") == "andrii-kovalenko"
    assert canonical_id("moscou") == "moscou"


def test_invalid_gold_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "gold.json"
    bad.write_text(json.dumps({"version": 1, "documents": [{"doc": "000"}]}), encoding="utf-8")
    with pytest.raises(DataFileError, match="published"):
        load_gold(bad)
    assert main(bad, CORPUS) == 2
    assert "published" in capsys.readouterr().err
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"version": 1, "documents": []}), encoding="utf-8")
    assert main(missing, tmp_path) == 0


def test_render_reports_every_slot(report: EvalReport) -> None:
    text = render(report)
    for name in ("entities", "events", "actor", "target", "weapons", "launched", "killed", "locations"):
        assert name in text
