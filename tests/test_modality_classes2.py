"""Modality (issue 14, round 9), on sentences written for these tests (none is a gold sentence).

A clause introduced by "depuis que" states when a situation began ("les prix ont doublé depuis
que le M23 s'est emparé de la ville"): what it tells is background, not the news, whatever its
verb (a capture, an ambush, an attack, an abduction). Before, each of these sentences gave an
event; the news sentence of the same article still does.

An incident recalled by comparison is background too (enrich/data/recall.yaml): introduced by
"comme lors de", "comme pendant", "à l'instar de", or qualified by a comparison adjective
("similaire", "analogue", "semblable") and told in the pluperfect, its tolls included; a similar
attack told as news ("Une attaque similaire a visé lundi ...") stays an event.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import mentions

import enrich.events.modality as modality
from enrich.pipeline import Enricher

SINCE = [
    "Plus de 3 000 familles ont fui la région depuis que les jihadistes ont pris le contrôle de Djibo.",
    "Les prix ont doublé à Goma depuis que le M23 s'est emparé de la ville.",
    "Les patrouilles se sont raréfiées depuis qu'une embuscade a tué six soldats près de Ménaka.",
    "Le trafic maritime a chuté de moitié depuis que les Houthis ont attaqué des navires en mer Rouge.",
    "Les écoles restent fermées depuis que des hommes armés ont enlevé quinze élèves à Kagara.",
]


@pytest.fixture
def without_rule() -> Iterator[None]:
    marks = modality._THAT_MARKS
    modality._THAT_MARKS = frozenset()
    yield
    modality._THAT_MARKS = marks


@pytest.mark.parametrize("text", SINCE)
def test_a_since_clause_is_background(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == []


@pytest.mark.parametrize("text", SINCE)
def test_the_since_clauses_gave_events_before(enricher: Enricher, without_rule: None, text: str) -> None:
    assert mentions(enricher, text) != []


def test_the_news_sentence_still_reports(enricher: Enricher) -> None:
    text = (
        "Des hommes armés ont enlevé mardi douze élèves dans une école de Kagara. Les écoles de la "
        "région restent fermées depuis que des bandits ont attaqué un pensionnat en février."
    )
    found = [(e.sub_event_type, e.trigger) for e in mentions(enricher, text)]
    assert found == [("Abduction/forced disappearance", "enlevé")]


RECALLED = [
    "Le JNIM avait mené une attaque similaire contre le camp de Boulkessi, qui avait fait dix morts parmi les soldats.",
    "Une frappe analogue avait visé un marché de la région de Sagaing, où 40 civils avaient péri.",
    "Comme lors de l'attaque de Djibo, les assaillants sont arrivés à moto.",
    "Comme pendant l'offensive de Koursk, les habitants stockent de l'eau et du carburant.",
    "Une attaque semblable avait été menée contre la gendarmerie de Kafolo, qui avait fait deux morts.",
    "À l'instar de l'embuscade de Tongo Tongo, les renforts sont arrivés trop tard.",
]


@pytest.fixture
def without_recall() -> Iterator[None]:
    recall = modality._recall
    modality._recall = lambda: (frozenset(), ())  # type: ignore[assignment]
    yield
    modality._recall = recall  # type: ignore[assignment]


@pytest.mark.parametrize("text", RECALLED)
def test_a_recalled_incident_is_background(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == []


@pytest.mark.parametrize("text", RECALLED)
def test_the_recalled_incidents_gave_events_before(
    enricher: Enricher, without_recall: None, text: str
) -> None:
    assert mentions(enricher, text) != []


def test_a_similar_attack_told_as_news_stays(enricher: Enricher) -> None:
    text = "Une attaque similaire a visé lundi le village voisin de Kobé, tuant deux civils."
    assert [e.trigger for e in mentions(enricher, text)] == ["attaque"]
