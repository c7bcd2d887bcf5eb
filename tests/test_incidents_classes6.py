"""Incidents, round 12 (merge). Articles written for these tests, each headed by its headline as
the gold sets are (the title is the text's first line).

Class 1: a headline of the body incident's own kind, giving one of its figures ("quatre soldats
tués par une mine près de A, frappes aériennes contre le JNIM"), kept apart from it only by a
party the headline's short syntax hung on its victims (the next headline clause's group, a
leader's name in apposition), folds into that incident, and its misread party is dropped
(`merge._restates_its_toll`, `merge._fold_headlines`). A headline giving another figure stays
apart.

Class 2: a symmetric interaction read between a body or person and its own state, or between a
state's body and its leader ("a indiqué la présidence turque, qui a jugé l'échange « très
utile »" read as Turquie-Erdogan), gives one side only (`merge._sides`): it folds into the
meeting of that side's leader with another, and does not stay a second CONSULT."""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import french_article

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2026-03-12T08:00:00+01:00")
IED = "Remote explosive/landmine/IED"


def headed(enricher: Enricher, text: str) -> list[Event]:
    """The incidents of an article whose first line is its headline."""
    title = text.strip().splitlines()[0]
    item = french_article(text, PUBLISHED).model_copy(update={"title": title})
    return enricher.merge(enricher.mentions_of_text(text, item))


def of_kind(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.sub_event_type == kind]


RESTATED = [
    (
        """Mali : quatre soldats tués par une mine près de Boni, frappes aériennes contre le JNIM

BAMAKO – Quatre soldats maliens ont été tués et trois autres blessés samedi par l'explosion d'une \
mine au passage de leur véhicule près de Boni, dans le centre du pays, a indiqué l'armée.

Le convoi ravitaillait un poste avancé de la région de Mopti.""",
        4,
        "mali",
    ),
    (
        """Niger : deux gendarmes tués par un engin explosif près de Téra, frappes aériennes contre l'EIGS

NIAMEY – Deux gendarmes nigériens ont été tués dimanche par l'explosion d'un engin explosif \
improvisé sur la route de Téra, dans l'ouest du pays, a annoncé le ministère de la Défense.

Une patrouille a ensuite ratissé la zone sans procéder à aucune interpellation.""",
        2,
        "niger",
    ),
    (
        """Irak : deux soldats irakiens tués par une mine près de Mossoul, Mohammed Chia al-Soudani \
convoque ses généraux

BAGDAD – Deux soldats irakiens ont été tués lundi par l'explosion d'une mine lors d'une patrouille \
près de Mossoul, ont indiqué des sources sécuritaires.

Les patrouilles ont été suspendues.""",
        2,
        "irak",
    ),
    (
        """Burkina Faso : sept gendarmes tués par un engin explosif près de Djibo, frappes aériennes \
contre le JNIM

OUAGADOUGOU – Sept gendarmes burkinabés ont été tués jeudi par l'explosion d'un engin explosif \
improvisé au passage de leur patrouille près de Djibo, a indiqué une source sécuritaire.

La patrouille rentrait d'une mission d'escorte dans la province du Soum.""",
        7,
        "burkina-faso",
    ),
]


@pytest.mark.parametrize(("text", "killed", "target"), RESTATED)
def test_headline_of_the_same_kind_folds_despite_a_misread_party(
    enricher: Enricher, text: str, killed: int, target: str
) -> None:
    ieds = of_kind(headed(enricher, text), IED)
    assert len(ieds) == 1
    assert ieds[0].killed is not None and ieds[0].killed.value == killed
    assert ieds[0].target is not None and ieds[0].target.id == target


def test_guard_headline_with_another_figure_stays_apart(enricher: Enricher) -> None:
    text = """Mali : deux soldats tués par une mine près de Boni, frappes aériennes contre le JNIM

BAMAKO – Cinq soldats maliens ont été tués samedi par l'explosion d'une mine au passage de leur \
véhicule près de Douentza, a indiqué l'armée.

Le convoi ravitaillait un poste avancé de la région de Mopti."""
    ieds = of_kind(headed(enricher, text), IED)
    assert sorted(e.killed.value for e in ieds if e.killed is not None) == [2, 5]


@pytest.mark.parametrize(
    "text",
    [
        """Nigeria : six soldats tués par une bombe artisanale près de Bama, bombardements contre Boko Haram

ABUJA – Six soldats nigérians ont été tués mercredi par l'explosion d'une bombe artisanale au \
passage de leur blindé près de Bama, a rapporté une source militaire.

Le blindé escortait des agriculteurs vers leurs champs.""",
        """Tchad : trois soldats tchadiens tués par une mine près de Bol, frappes aériennes contre Boko Haram

N'DJAMENA – Trois soldats tchadiens ont été tués vendredi par l'explosion d'une mine au passage de \
leur pick-up près de Bol, sur les rives du lac Tchad, a annoncé l'armée.

Le pick-up rentrait d'une patrouille.""",
    ],
)
def test_guard_headline_already_one_incident(enricher: Enricher, text: str) -> None:
    ieds = of_kind(headed(enricher, text), IED)
    assert len(ieds) == 1


SAME_CALL = [
    """Recep Tayyip Erdogan et Vladimir Poutine se sont entretenus jeudi au téléphone, a indiqué la \
présidence turque, qui a jugé l'échange « très utile ».

Aucune rencontre n'a été annoncée.""",
    """Volodymyr Zelensky et Keir Starmer se sont entretenus samedi au téléphone, a annoncé la \
présidence ukrainienne, qui a salué un échange « substantiel ».

Londres doit livrer de nouveaux missiles.""",
    """Donald Trump et Recep Tayyip Erdogan se sont entretenus jeudi au téléphone, a indiqué la \
Maison Blanche, qui a salué un échange « productif ».

Ankara souhaite acheter des avions de combat.""",
    """Vladimir Poutine et Recep Tayyip Erdogan se sont entretenus samedi au téléphone, a indiqué le \
Kremlin, qui a salué un échange « constructif ».

Le gaz a été évoqué.""",
]


@pytest.mark.parametrize("text", SAME_CALL)
def test_one_sided_consult_folds_into_the_call(enricher: Enricher, text: str) -> None:
    item = french_article(text, PUBLISHED)
    consults = of_kind(enricher.merge(enricher.mentions_of_text(text, item)), "CONSULT")
    assert len(consults) == 1


def test_guard_one_sided_consult_alone_stays(enricher: Enricher) -> None:
    text = """Emmanuel Macron s'est entretenu lundi avec le gouvernement français au sujet du budget, \
a annoncé l'Élysée.

Aucune décision n'a été prise."""
    consults = of_kind(
        enricher.merge(enricher.mentions_of_text(text, french_article(text, PUBLISHED))), "CONSULT"
    )
    assert len(consults) == 1


def test_guard_one_sided_consult_of_another_state_stays_apart(enricher: Enricher) -> None:
    text = """Emmanuel Macron s'est entretenu lundi avec le gouvernement français au sujet du budget. \
Mardi, Xi Jinping et Joe Biden se sont entretenus au téléphone.

Aucune décision n'a été prise."""
    consults = of_kind(
        enricher.merge(enricher.mentions_of_text(text, french_article(text, PUBLISHED))), "CONSULT"
    )
    assert len(consults) == 2
