"""The conflict gate's topic model (enrich/topic.py): a text whose conflict words are another
domain's (an eruption's "bombes volcaniques", an airsoft weekend's ambushes, a Second World War
bomb, an air show's missiles) is refused though its cues alone would pass it; conflict and its
diplomacy still pass. The texts (tests/gate_topic_texts, see its README) are not training data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from spacy.language import Language

from enrich.datafiles import DataFileError
from enrich.gate import GATE_PATH, GATE_SCHEMA_PATH, ConflictGate, default_gate
from enrich.kb import load_yaml
from enrich.nlp import load_nlp
from enrich.topic import TOPIC_PATH, TOPIC_SCHEMA_PATH, TopicModel, default_topic

TEXTS = Path(__file__).parent / "gate_topic_texts"
GOLD = Path(__file__).parent / "gold"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="module")
def cues_only() -> ConflictGate:
    """The same gate without its topic model: what the cues alone decide."""
    data = load_yaml(Path(str(GATE_PATH)), Path(str(GATE_SCHEMA_PATH)))
    data["decision"]["topic_weight"] = 0.0
    return ConflictGate(data)


def _texts(label: str) -> list[Path]:
    return sorted((TEXTS / label).glob("*.txt"))


@pytest.mark.parametrize("path", _texts("other"), ids=lambda p: p.stem)
def test_other_domains_borrowing_conflict_words_are_refused(
    nlp: Language, cues_only: ConflictGate, path: Path
) -> None:
    doc = nlp(path.read_text(encoding="utf-8"))
    assert cues_only.decide(doc).conflict, "the cues alone let this text through (what the model is for)"
    decision = default_gate().decide(doc)
    assert not decision.conflict, decision.reasons
    assert any(reason.startswith("topic:p=0.") for reason in decision.reasons)


@pytest.mark.parametrize("path", _texts("conflict"), ids=lambda p: p.stem)
def test_conflict_and_its_diplomacy_still_pass(nlp: Language, path: Path) -> None:
    decision = default_gate().decide(nlp(path.read_text(encoding="utf-8")))
    assert decision.conflict, decision.reasons


def test_a_framed_story_keeps_its_frame(nlp: Language) -> None:
    """A novel's imaginary war: its war vocabulary is the fiction's, so the model's vote for
    conflict is weighed by the frame as the cues are."""
    text = (
        "Roman : dans un pays imaginaire, une guerre fictive entre deux royaumes. "
        "L'autrice raconte une guerre civile : des soldats tendent une embuscade près du fleuve, "
        "une milice procède à des exécutions sommaires, les combattants reprennent la capitale "
        "après un bombardement. Les rebelles attaquent un convoi militaire, l'artillerie pilonne "
        "les tranchées, des mercenaires prennent d'assaut la forteresse et un cessez-le-feu est "
        "signé au dernier chapitre. Le roman, publié chez un éditeur lyonnais, compte 400 pages."
    )
    decision = default_gate().decide(nlp(text))
    frame = [r for r in decision.reasons if r.startswith("frame:")]
    topic = [r for r in decision.reasons if r.startswith("topic:")]
    assert frame and topic
    assert not decision.conflict, decision.reasons


def test_the_model_file_matches_the_loaded_vectors_and_never_saw_a_held_out_set(nlp: Language) -> None:
    data = json.loads(Path(str(TOPIC_PATH)).read_text(encoding="utf-8"))
    model = default_topic()
    assert model.coef.shape == (nlp.vocab.vectors.shape[1],)
    assert data["vectors"].endswith(str(nlp.vocab.vectors.shape[1]))
    held_out = set(yaml.safe_load((GOLD / "sets.yaml").read_text(encoding="utf-8"))["held_out"])
    assert held_out and not held_out & set(data["training"]["sources"])
    assert data["training"]["leave_one_set_out"]["accuracy"] >= 0.95


def test_a_malformed_model_file_is_refused(tmp_path: Path) -> None:
    data = json.loads(Path(str(TOPIC_PATH)).read_text(encoding="utf-8"))
    data["coef"] = data["coef"][:-1]
    bad = tmp_path / "gate_topic.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataFileError, match="coef"):
        TopicModel.from_data(bad, Path(str(TOPIC_SCHEMA_PATH)))


def test_no_vectors_no_vote(nlp: Language) -> None:
    assert default_topic().logit(nlp.make_doc("")) is None


def test_retraining_reproduces_the_shipped_model() -> None:
    """The shipped file is what the labelled documents give today: a gold set added or opened
    without retraining (`python tests/gate_topic_training.py`) fails here."""
    pytest.importorskip("sklearn")
    from gate_topic_training import train

    shipped = json.loads(Path(str(TOPIC_PATH)).read_text(encoding="utf-8"))
    fresh = train()
    assert fresh["training"] == shipped["training"]
    assert fresh["intercept"] == pytest.approx(shipped["intercept"], abs=1e-4)
    assert fresh["coef"] == pytest.approx(shipped["coef"], abs=1e-4)


def test_a_headline_gets_no_vote(nlp: Language) -> None:
    """The model learned on whole articles: a headline's mean vector is too thin ("marché" pulls
    it toward shopping), so a short text is decided by its cues alone."""
    title = nlp("Frappe de drone sur un marché de Kherson : au moins neuf morts")
    decision = default_gate().decide(title)
    assert decision.conflict, decision.reasons
    assert not any(reason.startswith("topic:") for reason in decision.reasons)
