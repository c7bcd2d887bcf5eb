"""The model's lemma exception table gives some French plurals an English singular ("parties" ->
"party"); `ruler.yaml` `lemma_exceptions_dropped` removes them so the French rules lemmatize the
word, and every lexicon written in French lemmas ("partie" in `counted_sides_nouns`) matches it."""

from __future__ import annotations

import pytest

from enrich.datafiles import load_yaml
from enrich.nlp import RULER_PATH, RULER_SCHEMA_PATH
from enrich.pipeline import Enricher


def lemma(enricher: Enricher, text: str, word: str) -> str:
    return next(t.lemma_ for t in enricher.nlp(text) if t.text == word)


@pytest.mark.parametrize(
    "text",
    [
        "Les deux parties sont convenues de rouvrir le poste de Malanville.",
        "Après neuf heures de discussions à Juba, les parties ont signé un protocole.",
        "Les parties civiles réclament la reprise de l'enquête sur le massacre de Yelwata.",
        "Les médiateurs qataris ont reçu séparément les parties au conflit de Tillabéri.",
    ],
)
def test_parties_is_lemmatized_as_partie(enricher: Enricher, text: str) -> None:
    assert lemma(enricher, text, "parties") == "partie"


def test_the_sides_noun_is_read_in_its_french_lemma(enricher: Enricher) -> None:
    sides = set(load_yaml(RULER_PATH, RULER_SCHEMA_PATH)["lemma_exceptions_dropped"]["noun"])
    assert "parties" in sides
    doc = enricher.nlp("Les deux parties se sont engagées à respecter la trêve de Bunia.")
    assert [t.lemma_ for t in doc if t.pos_ == "NOUN"][:1] == ["partie"]


def test_other_exceptions_of_the_table_are_kept(enricher: Enricher) -> None:
    # guards: loanwords keep their own singular, irregular French plurals their table lemma
    assert lemma(enricher, "Deux penalties ont été sifflés à Bouaké.", "penalties") == "penalty"
    assert lemma(enricher, "Les baux des commerçants de Goma ont été prolongés.", "baux") == "bail"


def test_the_singular_is_unchanged(enricher: Enricher) -> None:
    assert lemma(enricher, "Une partie du marché de Mopti a brûlé.", "partie") == "partie"
