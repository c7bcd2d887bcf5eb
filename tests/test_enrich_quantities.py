"""Counts read from sentences with the real model: qualifiers, subsets, sums, casualties."""

from __future__ import annotations

import pytest
from spacy.language import Language

from enrich.entities import doc_mentions
from enrich.kb import default_kb
from enrich.nlp import load_nlp
from enrich.quantities import find_counts, larger, parse_number_word, sentence_slots
from vigie.core.models import Quantity


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def slots(nlp: Language, text: str) -> dict[str, tuple[int, str]]:
    doc = nlp(text)
    kb = default_kb()
    projectiles = {
        i: m.entry.weapon_class
        for m in doc_mentions(doc, kb)
        if m.entry is not None and m.entry.weapon_class in ("drone", "missile", "artillery", "bomb")
        for i in range(m.start, m.end)
    }
    found: dict[str, tuple[int, str]] = {}
    for sentence in doc.sents:
        for slot, quantity in sentence_slots(find_counts(sentence, projectiles)).items():
            found[slot] = (quantity.value, quantity.qualifier)
    return found


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("390", 390),
        ("1 600", 1600),
        ("deux", 2),
        ("vingt-deux", 22),
        ("deux-cents", 200),
        ("trois mille", 3000),
    ],
)
def test_number_words(word: str, value: int) -> None:
    assert parse_number_word(word) == value


def test_not_a_number() -> None:
    assert parse_number_word("plusieurs") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "L’Ukraine a mené une attaque avec plus de 390 drones ciblant la capitale russe.",
            {"launched": (390, "at_least")},
        ),
        (
            "La Russie a abattu 337 drones, dont 91 uniquement dans la région de Moscou.",
            {"intercepted": (337, "exact")},
        ),
        (
            "Le ministère a déclaré avoir neutralisé 34 drones au-dessus de Moscou, tandis que 36 autres ont été abattus dans des régions avoisinantes.",
            {"intercepted": (70, "exact")},
        ),
        (
            "Nous avons recensé un mort et trois blessés à Domodedovo.",
            {"killed": (1, "exact"), "injured": (3, "exact")},
        ),
        (
            "Les frappes ont fait deux morts et des dizaines de blessés.",
            {"killed": (2, "exact"), "injured": (20, "at_least")},
        ),
        ("Une trentaine de drones ont été abattus cette nuit.", {"intercepted": (30, "approx")}),
        (
            "Des dommages ont été infligés, y compris des blessures à une résidente et l’incendie de deux maisons.",
            {"injured": (1, "exact"), "destroyed": (2, "exact")},
        ),
        (
            "Une attaque a endommagé au moins 12 bombardiers stratégiques russes.",
            {"destroyed": (12, "at_least")},
        ),
        (
            "Sur les 112 drones lancés, 87 ont été abattus.",
            {"launched": (112, "exact"), "intercepted": (87, "exact")},
        ),
    ],
)
def test_counts_fill_slots(nlp: Language, text: str, expected: dict[str, tuple[int, str]]) -> None:
    assert slots(nlp, text) == expected


def test_measures_and_background_tolls_are_not_counts(nlp: Language) -> None:
    assert slots(nlp, "Le nombre de frappes a augmenté d’environ 46 % en un mois.") == {}
    assert slots(nlp, "Les missiles Tomahawk peuvent frapper à 1 600 km.") == {}
    assert slots(nlp, "Plus de 70 000 Palestiniens ont été tués depuis le début de la guerre.") == {}


def test_the_higher_report_of_a_toll_wins() -> None:
    one, two = Quantity(value=1), Quantity(value=2)
    dozens = Quantity(value=20, qualifier="at_least")
    assert larger(one, two) == two
    assert larger(Quantity(value=3), dozens) == dozens
    assert larger(None, one) == one
    assert larger(Quantity(value=20), dozens) == Quantity(value=20)
