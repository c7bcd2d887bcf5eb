"""Score the enrichment against gold annotations (format: tests/gold/README.md).

    report = evaluate(Path("tests/gold/fixtures.json"), Path("sample_corpus/texts"))
    print(render(report))

Entities are scored at document level on canonical ids. The predicted events are the incidents
the pipeline stores (`Enricher.enrich`: mentions already folded per happening), matched to gold
events of the same type and sub-type (each gold event at most once, the best slot agreement first); slots are scored on
matched pairs only: actor, target, weapons, locations, launched, intercepted, destroyed,
killed, injured (value and qualifier), event_date. Actor and target compare unordered for
symmetric interactions (CONSULT, AGREE).

Counts are also scored per place the gold gives a number: a gold count is right when a matched
incident gives the same value (`counts value`) and the same qualifier too (`counts exact`); a
count of a missed event is wrong. This sees what the dashboards sum, not just matched slots.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema

from enrich.kb import DATA_DIR, DataFileError, canonical_place_id
from enrich.pipeline import Enricher
from enrich.text import fold, slugify
from vigie.core.models import Article, Event, Quantity, stable_id

GOLD_SCHEMA_PATH = DATA_DIR / "gold.schema.json"
SCALAR_SLOTS = ("actor", "target", "launched", "intercepted", "destroyed", "killed", "injured", "event_date")
SET_SLOTS = ("weapons", "locations")
SLOTS = (
    "actor",
    "target",
    "weapons",
    "launched",
    "intercepted",
    "destroyed",
    "killed",
    "injured",
    "locations",
    "event_date",
)
COUNT_SLOTS = ("launched", "intercepted", "destroyed", "killed", "injured")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class CountScore:
    """Gold counts (a number the text gives for an event) and how many the incidents gave."""

    total: int = 0
    value: int = 0  # the same number
    exact: int = 0  # the same number and qualifier

    @property
    def exact_share(self) -> float:
        return self.exact / self.total if self.total else 1.0

    @property
    def value_share(self) -> float:
        return self.value / self.total if self.total else 1.0

    def add(self, other: CountScore) -> None:
        self.total += other.total
        self.value += other.value
        self.exact += other.exact


@dataclass
class DocumentResult:
    doc: str
    entities: Score
    events: Score
    missing_entities: list[str] = field(default_factory=list)
    extra_entities: list[str] = field(default_factory=list)
    missing_events: list[str] = field(default_factory=list)
    extra_events: list[str] = field(default_factory=list)
    slot_errors: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    gold: str
    entities: Score = field(default_factory=Score)
    events: Score = field(default_factory=Score)
    slots: dict[str, Score] = field(default_factory=lambda: {slot: Score() for slot in SLOTS})
    counts: CountScore = field(default_factory=CountScore)
    documents: list[DocumentResult] = field(default_factory=list)


def load_gold(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(GOLD_SCHEMA_PATH.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise DataFileError(f"{path}: {where}: {exc.message}") from exc
    return data


def document_text(corpus_dir: Path, doc: str) -> Path:
    matches = sorted(corpus_dir.glob(f"{doc}*.txt"))
    if not matches:
        raise FileNotFoundError(f"no text for gold document {doc!r} in {corpus_dir} (expected {doc}*.txt)")
    return matches[0]


def gold_article(corpus_dir: Path, document: dict[str, Any]) -> Article:
    """The article a gold document annotates (title = first non-empty line of the text)."""
    path = document_text(corpus_dir, document["doc"]).resolve()
    text = path.read_text(encoding="utf-8")
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Article(
        id=document["doc"],
        url=path.as_uri(),
        original_url=path.as_uri(),
        feed="gold",
        source="gold",
        title=title,
        text=text,
        published=datetime.fromisoformat(document["published"]),
        language="fr",
        content_hash=stable_id(text),
    )


def canonical_id(entity_id: str) -> str:
    """Ids compare modulo the unknown-entity convention: "surface:Andriï Kovalenko" and the
    slug "andrii-kovalenko" name the same entity (an annotator may slug a name the KB lacks).
    A slug the KB does not know is then read through the gazetteer's names: a gold `loutsk`
    is the gazetteer's `lutsk`, `etat-de-rakhine` its subdivision `rakhine` (see
    `enrich.kb.canonical_place_id`)."""
    if entity_id.startswith("surface:"):
        entity_id = slugify(fold(entity_id.removeprefix("surface:")))  # fold: "Sœurs" -> "soeurs"
    return canonical_place_id(entity_id)


def _canonical(value: Any) -> Any:
    if isinstance(value, str):
        return canonical_id(value)
    if isinstance(value, list):
        return [canonical_id(v) for v in value]
    return value


def _score_scalar(gold: Any, predicted: Any) -> Score:
    if gold is None and predicted is None:
        return Score()
    if gold is None:
        return Score(fp=1)
    if predicted is None:
        return Score(fn=1)
    return Score(tp=1) if gold == predicted else Score(fp=1, fn=1)


def _score_set(gold: Iterable[str], predicted: Iterable[str]) -> Score:
    g, p = set(gold), set(predicted)
    return Score(tp=len(g & p), fp=len(p - g), fn=len(g - p))


def _predicted_slots(event: Event) -> dict[str, Any]:
    def quantity(q: Quantity | None) -> tuple[int, str] | None:
        return (q.value, q.qualifier) if q else None

    return {
        "actor": canonical_id(event.actor.id) if event.actor else None,
        "target": canonical_id(event.target.id) if event.target else None,
        "weapons": [canonical_id(w) for w in event.weapons],
        "locations": [canonical_id(p.id) for p in event.places],
        "event_date": event.event_date,
        **{slot: quantity(getattr(event, slot)) for slot in COUNT_SLOTS},
    }


def _gold_slots(event: dict[str, Any]) -> dict[str, Any]:
    def quantity(raw: dict[str, Any] | None) -> tuple[int, str] | None:
        return (raw["value"], raw["qualifier"]) if raw else None

    raw_date = event.get("event_date")
    return {
        "actor": _canonical(event.get("actor")),
        "target": _canonical(event.get("target")),
        "weapons": _canonical(list(event.get("weapons", []))),
        "locations": _canonical(list(event.get("locations", []))),
        "event_date": date.fromisoformat(raw_date) if raw_date else None,
        **{slot: quantity(event.get(slot)) for slot in COUNT_SLOTS},
    }


def score_slots(gold: dict[str, Any], predicted: dict[str, Any], symmetric: bool) -> dict[str, Score]:
    if symmetric and (predicted["actor"], predicted["target"]) != (gold["actor"], gold["target"]):
        swapped = {**predicted, "actor": predicted["target"], "target": predicted["actor"]}
        if _agreement(gold, swapped) > _agreement(gold, predicted):
            predicted = swapped
    scores = {slot: _score_scalar(gold[slot], predicted[slot]) for slot in SCALAR_SLOTS}
    scores.update({slot: _score_set(gold[slot], predicted[slot]) for slot in SET_SLOTS})
    return scores


def _agreement(gold: dict[str, Any], predicted: dict[str, Any]) -> int:
    same = sum(1 for slot in SCALAR_SLOTS if gold[slot] is not None and gold[slot] == predicted[slot])
    return (
        same
        + len(set(gold["weapons"]) & set(predicted["weapons"]))
        + len(set(gold["locations"]) & set(predicted["locations"]))
    )


def match_events(
    gold_events: Sequence[dict[str, Any]], predicted: Sequence[Event], symmetric: frozenset[str]
) -> tuple[list[tuple[dict[str, Any], Event]], list[dict[str, Any]], list[Event]]:
    """Pair gold and predicted events of the same type and sub-type, best agreement first."""
    pairs: list[tuple[int, int, int]] = []
    for gi, gold in enumerate(gold_events):
        gold_slots = _gold_slots(gold)
        for pi, event in enumerate(predicted):
            if (event.event_type, event.sub_event_type) != (gold["event_type"], gold["sub_event_type"]):
                continue
            slots = _predicted_slots(event)
            agreement = _agreement(gold_slots, slots)
            if event.sub_event_type in symmetric:
                swapped = {**slots, "actor": slots["target"], "target": slots["actor"]}
                agreement = max(agreement, _agreement(gold_slots, swapped))
            pairs.append((agreement, gi, pi))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    matched: list[tuple[dict[str, Any], Event]] = []
    for _, gi, pi in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if gi in used_gold or pi in used_predicted:
            continue
        used_gold.add(gi)
        used_predicted.add(pi)
        matched.append((gold_events[gi], predicted[pi]))
    missing = [g for gi, g in enumerate(gold_events) if gi not in used_gold]
    extra = [e for pi, e in enumerate(predicted) if pi not in used_predicted]
    return matched, missing, extra


def score_counts(
    gold_events: Sequence[dict[str, Any]], matched: Sequence[tuple[dict[str, Any], Event]]
) -> CountScore:
    """Each number the gold gives, against the incident matched to its event (if any)."""
    score = CountScore()
    predicted_for = {id(gold): event for gold, event in matched}
    for gold in gold_events:
        event = predicted_for.get(id(gold))
        for slot in COUNT_SLOTS:
            raw = gold.get(slot)
            if not raw:
                continue
            score.total += 1
            quantity: Quantity | None = getattr(event, slot) if event is not None else None
            if quantity is not None and quantity.value == raw["value"]:
                score.value += 1
                score.exact += quantity.qualifier == raw["qualifier"]
    return score


def _describe(event: Event) -> str:
    actor = event.actor.id if event.actor else "-"
    target = event.target.id if event.target else "-"
    return f"{event.sub_event_type} {actor}->{target} «{event.sentence[:60]}»"


def evaluate(gold_path: Path, corpus_dir: Path, enricher: Enricher | None = None) -> EvalReport:
    """Run the enrichment on every gold document and score it."""
    gold = load_gold(gold_path)
    enricher = enricher or Enricher()
    documents = gold["documents"]
    articles = [gold_article(corpus_dir, document) for document in documents]
    events = enricher.enrich(articles)
    symmetric = enricher.extractor.lexicon.symmetric
    report = EvalReport(gold=str(gold_path))
    for document, article in zip(documents, articles, strict=True):
        gold_ids = {canonical_id(e["id"]) for e in document["entities"]}
        predicted_ids = {canonical_id(e.id) for e in article.entities}
        entity_score = _score_set(gold_ids, predicted_ids)
        predicted = [e for e in events if e.article_id == article.id]
        matched, missing, extra = match_events(document["events"], predicted, symmetric)
        report.counts.add(score_counts(document["events"], matched))
        event_score = Score(tp=len(matched), fp=len(extra), fn=len(missing))
        result = DocumentResult(
            doc=document["doc"],
            entities=entity_score,
            events=event_score,
            missing_entities=sorted(gold_ids - predicted_ids),
            extra_entities=sorted(predicted_ids - gold_ids),
            missing_events=[
                f"{g['sub_event_type']} {g.get('actor')}->{g.get('target')} «{g['evidence'][:60]}»"
                for g in missing
            ],
            extra_events=[_describe(e) for e in extra],
        )
        for gold_event, event in matched:
            gold_slots = _gold_slots(gold_event)
            predicted_slots = _predicted_slots(event)
            for slot, score in score_slots(
                gold_slots, predicted_slots, event.sub_event_type in symmetric
            ).items():
                report.slots[slot].add(score)
                if score.fp or score.fn:
                    result.slot_errors.append(
                        f"{event.sub_event_type}.{slot}: gold={gold_slots[slot]} predicted={predicted_slots[slot]}"
                    )
        report.entities.add(entity_score)
        report.events.add(event_score)
        report.documents.append(result)
    return report


def _row(name: str, score: Score) -> str:
    return (
        f"{name:<14} P={score.precision:6.3f}  R={score.recall:6.3f}  F1={score.f1:6.3f}"
        f"   (tp={score.tp} fp={score.fp} fn={score.fn})"
    )


def render(report: EvalReport, details: bool = True) -> str:
    lines = [f"Gold: {report.gold}", "", _row("entities", report.entities), _row("events", report.events), ""]
    counts = report.counts
    lines.append(
        f"counts         exact={counts.exact_share:6.3f}  value={counts.value_share:6.3f}"
        f"   ({counts.exact} and {counts.value} of {counts.total} gold counts)"
    )
    lines.append("")
    lines.append("Event slots (on matched events):")
    lines += ["  " + _row(slot, score) for slot, score in report.slots.items()]
    if details:
        for result in report.documents:
            lines += [
                "",
                f"Document {result.doc}:",
                "  " + _row("entities", result.entities),
                "  " + _row("events", result.events),
            ]
            lines += [f"  - missing entity {e}" for e in result.missing_entities]
            lines += [f"  + extra entity {e}" for e in result.extra_entities]
            lines += [f"  - missing event {e}" for e in result.missing_events]
            lines += [f"  + extra event {e}" for e in result.extra_events]
            lines += [f"  ~ {e}" for e in result.slot_errors]
    return "\n".join(lines)


def main(gold: Path, corpus_dir: Path, details: bool = True) -> int:
    """`vigie eval GOLD.json CORPUS_DIR`: print the scores; 2 when the gold cannot be read.
    Without `details`, totals only: a held-out set is scored without looking inside it."""
    try:
        report = evaluate(gold, corpus_dir)
    except (DataFileError, FileNotFoundError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(report, details=details))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
