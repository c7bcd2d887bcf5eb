"""The conflict gate (enrich/gate.py): armed conflict and its diplomacy pass, sport, cooking,
business, energy, culture, weather and politics pieces that borrow conflict words do not.

The labelled set is tests/gate_texts/{conflict,other}/*.txt (see its README); the sentences
below were written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from spacy.language import Language

from enrich.gate import GATE_PATH, GATE_SCHEMA_PATH, ConflictGate, GateDecision, default_gate
from enrich.kb import DataFileError
from enrich.nlp import load_nlp

TEXTS = Path(__file__).parent / "gate_texts"

STRIKE_DISPATCH = (
    "Une frappe russe sur Kramatorsk a tué deux habitants mardi soir, a annoncé le gouverneur régional. "
    "Cinq autres personnes ont été blessées et un immeuble a été endommagé. "
    "Les secours fouillaient encore les décombres mercredi."
)
FOOTBALL = (
    "Sur un centre de son ailier, l'avant-centre a décoché une frappe du gauche qui a terminé sa course "
    "dans la lucarne. Le club breton s'impose au terme d'un match tendu et remonte au classement."
)
DIPLOMACY = (
    "Les deux délégations ont repris à Genève les pourparlers de paix sous l'égide des Nations unies. "
    "Le projet d'accord prévoit un cessez-le-feu de soixante jours et un échange de prisonniers. "
    "Les médiateurs espèrent une signature avant la fin du mois."
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="module")
def gate() -> ConflictGate:
    return default_gate()


def decide(nlp: Language, gate: ConflictGate, text: str, entity_types: tuple[str, ...] = ()) -> GateDecision:
    return gate.decide(nlp(text), entity_types)


# ----------------------------------------------------------------------------- labelled set


def test_labelled_set_no_conflict_article_refused(nlp: Language, gate: ConflictGate) -> None:
    conflict = sorted((TEXTS / "conflict").glob("*.txt"))
    other = sorted((TEXTS / "other").glob("*.txt"))
    assert len(conflict) >= 12 and len(other) >= 12
    paths = conflict + other
    docs = nlp.pipe(path.read_text(encoding="utf-8") for path in paths)
    wrong: dict[str, list[str]] = {"conflict": [], "other": []}
    for path, doc in zip(paths, docs, strict=True):
        decision = gate.decide(doc)
        expected = path.parent.name == "conflict"
        if decision.conflict != expected:
            wrong[path.parent.name].append(f"{path.name}: {decision.score} {decision.reasons}")
    assert wrong["conflict"] == [], "real conflict articles refused"
    assert len(wrong["other"]) <= 1, wrong["other"]


# ----------------------------------------------------------------------------- literal or not


def test_strike_with_place_and_demonym_is_literal(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(nlp, gate, STRIKE_DISPATCH)
    assert decision.conflict
    names = [reason.rsplit(" x", 1)[0] for reason in decision.reasons]
    # "frappe ... sur Kramatorsk" reads literally, and makes "a tué" in its sentence count.
    assert "conflict:frappe" in names and "conflict:tuer" in names


def test_football_shot_is_no_strike(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(nlp, gate, FOOTBALL)
    assert not decision.conflict
    assert any(reason.startswith("sport:frappe du gauche") for reason in decision.reasons)
    assert not any(reason.startswith("conflict:") for reason in decision.reasons)


def test_metaphors_without_conflict_context_are_set_aside(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(
        nlp,
        gate,
        "La présidente de région a lancé son offensive contre le projet de budget, promettant de "
        "bombarder le gouvernement d'amendements avant le vote des élus.",
    )
    assert not decision.conflict
    assert any(reason.startswith("not literal:offensive") for reason in decision.reasons)
    assert any(reason.startswith("politics:budget") for reason in decision.reasons)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        (
            "Le chef sert un poulet Kiev croustillant et une charlotte russe, suivis d'un Moscow mule "
            "au gingembre. Le dessert explose en bouche.",
            "cuisine:poulet kiev",
        ),
        (
            "Les enseignes se livrent une guerre des prix sans merci : chaque semaine, un distributeur "
            "riposte par de nouvelles promotions pour séduire le consommateur.",
            "business:guerre des prix",
        ),
        (
            "Le réacteur numéro 3 de la centrale nucléaire a été mis à l'arrêt pour une visite décennale ; "
            "une explosion de vapeur dans la salle des machines n'a fait aucune victime.",
            "energy:",
        ),
        (
            "Dans ce jeu vidéo de stratégie, le joueur pilote des drones armés de missiles pour détruire "
            "les bases ennemies ; le mode multijoueur oppose jusqu'à huit joueurs.",
            "culture:jeu vidéo",
        ),
    ],
)
def test_other_domains_refused_with_their_cue(nlp: Language, gate: ConflictGate, text: str, cue: str) -> None:
    decision = decide(nlp, gate, text)
    assert not decision.conflict, decision.reasons
    assert any(reason.startswith(cue) for reason in decision.reasons), decision.reasons


def test_diplomacy_only_dispatch_passes(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(nlp, gate, DIPLOMACY)
    assert decision.conflict, decision.reasons
    names = [reason.rsplit(" x", 1)[0] for reason in decision.reasons]
    assert {
        "conflict:pourparlers de paix",
        "conflict:cessez-le-feu",
        "conflict:échange de prisonniers",
    } <= set(names)


def test_old_years_count_as_history(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(
        nlp,
        gate,
        "L'exposition rappelle les bombardements de l'été 1944 sur la ville, vus par les habitants "
        "réfugiés dans les caves en 1943 puis en 1944.",
    )
    assert any(reason.startswith("history:1944 x2") for reason in decision.reasons), decision.reasons


# ----------------------------------------------------------------------------- signals and arithmetic


def test_entity_types_add_capped_evidence(nlp: Language, gate: ConflictGate) -> None:
    doc = nlp(DIPLOMACY)
    plain = gate.decide(doc)
    with_forces = gate.decide(doc, ["MILITARY", "MILITARY", "PER", "LOC"])
    assert with_forces.score == pytest.approx(plain.score + 2.0)
    assert "entities:MILITARY x2 +2.0" in with_forces.reasons
    flooded = gate.decide(doc, ["MILITARY"] * 50)
    assert flooded.score == pytest.approx(plain.score + gate.max_entity_score)
    assert f"entities capped at +{gate.max_entity_score:.1f}" in flooded.reasons


def test_decision_states_its_arithmetic(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(nlp, gate, FOOTBALL)
    assert decision.reasons[-1] == f"score {decision.score:.1f} < {gate.threshold:.1f}"
    assert any(reason.startswith("conflict evidence") for reason in decision.reasons)
    with pytest.raises(AttributeError):
        decision.conflict = True  # type: ignore[misc]


def test_empty_and_unparsed_documents(nlp: Language, gate: ConflictGate) -> None:
    assert not gate.decide(nlp("")).conflict
    blank = nlp.make_doc("Des soldats ont tendu une embuscade.")  # no lemmas, no sentences
    decision = gate.decide(blank)
    assert decision.conflict is False and decision.score == 0


def test_the_enricher_keeps_no_events_or_conflict_entities_on_a_refused_article() -> None:
    """Wired into the pipeline: a match report full of conflict words gets conflict=False, no
    events and no weapon entities; a strike report beside it flows (the gate's cost, about 1 %
    of the parse, is measured by bench/bench_enrich.py, not asserted here)."""
    from datetime import UTC, datetime

    from enrich.pipeline import Enricher
    from vigie.core.models import Article

    def article(key: str, text: str) -> Article:
        return Article(
            id=key,
            url=key,
            original_url=key,
            feed="t",
            source="t",
            title="",
            text=text,
            published=datetime(2025, 9, 1, tzinfo=UTC),
            language="fr",
        )

    match = article(
        "match",
        "Le Stade rennais a bombardé la cage lilloise pendant une heure. Sur un missile des 30 mètres "
        "de son capitaine, Rennes a ouvert le score, avant qu'une frappe croisée ne tue le match. "
        "Les supporters ont fêté la victoire jusqu'à minuit.",
    )
    strike = article(
        "strike",
        "Une frappe de missile russe a tué quatre civils à Zaporijjia dans la nuit de dimanche à lundi, "
        "a annoncé le gouverneur de la région.",
    )
    events = Enricher().enrich([match, strike])
    assert match.conflict is False and match.event_count == 0
    assert not [e for e in match.entities if e.type in ("WEAPON", "MILITARY", "OPERATION")]
    assert strike.conflict is True and {e.article_id for e in events} == {"strike"}


# ----------------------------------------------------------------------------- data file


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "gate.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _data() -> dict:
    return yaml.safe_load(GATE_PATH.read_text(encoding="utf-8"))


def test_schema_violation_is_refused_with_its_place(tmp_path: Path) -> None:
    data = _data()
    data["conflict"][0]["role"] = "sometimes"
    with pytest.raises(DataFileError, match=r"gate\.yaml: conflict/0/role: 'sometimes' is not one of"):
        ConflictGate.from_data(_write(tmp_path, data), GATE_SCHEMA_PATH)
    data = _data()
    data["other"][0]["weight"] = -1
    with pytest.raises(DataFileError, match=r"other/0/weight"):
        ConflictGate.from_data(_write(tmp_path, data), GATE_SCHEMA_PATH)
    data = _data()
    data["other"][0]["domain"] = "conflict"  # another domain may not call itself conflict
    with pytest.raises(DataFileError, match=r"other/0/domain"):
        ConflictGate.from_data(_write(tmp_path, data), GATE_SCHEMA_PATH)


def test_cue_in_two_groups_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["other"][0]["lemmas"].append(data["conflict"][0]["lemmas"][0])
    with pytest.raises(DataFileError, match="is in two groups"):
        ConflictGate.from_data(_write(tmp_path, data), GATE_SCHEMA_PATH)
