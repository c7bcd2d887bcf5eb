"""The rule regression corpus: for each shipped rule, passages that must fire and tempting ones
that must not (tests/rule_corpus/<rule>.yaml, written for these tests), run through exactly what
the pipeline runs: the real `Enricher.enrich` (title read for entities and events, conflict gate)
and the rules through the alert engine's matcher (`vigie.alerting.dryrun`, as `vigie alerts
test` does). Recall must be 1.0 and false alarms at most one per rule.

A passage is one article: its first line is the title, the rest the text (a single line is a
headline that is its own text).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from vigie.alerting.dryrun import article_from_text, enrich_articles, matching_rules
from vigie.alerting.rules import load_rules
from vigie.core.models import Article
from vigie.core.settings import REPO_ROOT, Settings

CORPUS = Path(__file__).parent / "rule_corpus"
RULES_FILE = REPO_ROOT / "alerts" / "rules.yaml"
SHIPPED = ("frappe_nucleaire", "attaque_massive_drones", "victimes_civiles", "negociations_cessez_le_feu")
MIN_PASSAGES = 25
MAX_FALSE_ALARMS = 1


@dataclass(frozen=True)
class Passage:
    rule: str
    kind: str  # "fire" | "quiet"
    number: int
    text: str
    article: Article


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.yaml"))


def load_corpus() -> Iterator[Passage]:
    for path in corpus_files():
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("fire", "quiet"):
            for number, text in enumerate(data[kind]):
                name = f"{path.stem}:{kind}[{number}]"
                yield Passage(data["rule"], kind, number, text, article_from_text(text, name))


@pytest.fixture(scope="module")
def fired() -> dict[str, tuple[Passage, set[str]]]:
    """Passage name -> (passage, the rules that fire on it), the Enricher loaded once."""
    passages = list(load_corpus())
    events, ran = enrich_articles([p.article for p in passages], Settings())
    assert ran
    by_article: dict[str, list[Any]] = {}
    for event in events:
        by_article.setdefault(event.article_id, []).append(event)
    rules = load_rules(RULES_FILE)
    result: dict[str, tuple[Passage, set[str]]] = {}
    for passage in passages:
        names: set[str] = set()
        if passage.article.enriched:  # as the alert engine: an article not enriched fires nothing
            found = matching_rules(rules, passage.article, by_article.get(passage.article.id, []))
            names = {rule.name for rule, _, _ in found}
        result[passage.article.source] = (passage, names)
    return result


def test_the_corpus_covers_every_shipped_rule_with_enough_passages() -> None:
    counts: dict[str, dict[str, int]] = {}
    for path in corpus_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == data["rule"]
        counts[data["rule"]] = {kind: len(set(data[kind])) for kind in ("fire", "quiet")}
    assert sorted(counts) == sorted(SHIPPED)
    for rule, sizes in counts.items():
        assert sizes["fire"] >= MIN_PASSAGES and sizes["quiet"] >= MIN_PASSAGES, (rule, sizes)
    assert {rule.name for rule in load_rules(RULES_FILE).enabled()} >= set(SHIPPED)


@pytest.mark.slow
@pytest.mark.parametrize("rule", SHIPPED)
def test_recall_is_one_and_at_most_one_false_alarm(
    rule: str, fired: dict[str, tuple[Passage, set[str]]]
) -> None:
    mine = [(p, names) for p, names in fired.values() if p.rule == rule]
    missed = [p for p, names in mine if p.kind == "fire" and rule not in names]
    false_alarms = [p for p, names in mine if p.kind == "quiet" and rule in names]
    owed = sum(1 for p, _ in mine if p.kind == "fire")
    quiet = sum(1 for p, _ in mine if p.kind == "quiet")
    print(f"{rule}: recall {owed - len(missed)}/{owed}, false alarms {len(false_alarms)}/{quiet}")
    assert not missed, [f"{p.number}: {p.text}" for p in missed]
    assert len(false_alarms) <= MAX_FALSE_ALARMS, [f"{p.number}: {p.text}" for p in false_alarms]
