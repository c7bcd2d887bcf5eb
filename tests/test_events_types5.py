"""Sub-types of violence (issue 14, classes of heldout9/heldout10 read as dev sets): the
victims and targets a sentence names decide between an attack on civilians and a clash, and an
adjective on the nouns of the trigger's own clause counts ("les membres d'un groupe
terroriste"). Every sentence is composed for the test (none comes from a gold set); read through
`Enricher.mentions_of_text` with the real model.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import french_article

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2025-06-12T09:30:00+02:00")


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


def mentions(enricher: Enricher, text: str) -> list[Event]:
    return enricher.mentions_of_text(text, french_article(text, PUBLISHED))


def sub_types(enricher: Enricher, text: str, trigger: str) -> list[str]:
    return [e.sub_event_type for e in mentions(enricher, text) if e.trigger == trigger]


# --- Armed people killed by forces are a clash, whatever word names them (pirates, traffickers,
# guerrillas, maquis fighters: enrich/data/triggers.yaml context_rules).


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("La marine camerounaise a tué trois pirates au large de Bakassi.", "tué"),
        ("Cinq narcotrafiquants ont été abattus par la police fédérale près de Culiacán.", "abattus"),
        ("L'armée colombienne a tué quatre guérilleros dans le département du Cauca.", "tué"),
        ("Six maquisards ont été tués jeudi par les forces de sécurité dans la région de Kayes.", "tués"),
    ],
)
def test_armed_people_killed_by_forces_are_a_clash(enricher: Enricher, text: str, trigger: str) -> None:
    assert sub_types(enricher, text, trigger) == ["Armed clash"]


# --- An adjective on the nouns of the trigger's clause names fighters ("un groupe terroriste",
# "une faction islamiste", "un mouvement séparatiste", "une bande rebelle").


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        (
            "Les forces spéciales ont annoncé avoir tué sept membres d'un groupe terroriste "
            "dans la province de Tillabéri.",
            "tué",
        ),
        ("L'armée nigériane a tué douze membres d'une faction islamiste près de Maiduguri.", "tué"),
        ("Deux membres d'un mouvement séparatiste ont été abattus par l'armée près de Bamenda.", "abattus"),
        ("Huit éléments d'une bande rebelle ont été tués par la garde présidentielle.", "tués"),
    ],
)
def test_an_adjective_naming_fighters_makes_a_clash(enricher: Enricher, text: str, trigger: str) -> None:
    assert sub_types(enricher, text, trigger) == ["Armed clash"]


# --- Places where civilians gather (a bar, a restaurant, a mosque, a bus) attacked are an
# attack on civilians, not the clash an attack without context defaults to.


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Des hommes armés ont attaqué un bar de Tijuana dans la nuit de samedi.", "attaqué"),
        ("Un commando a attaqué dimanche un restaurant du centre de Ouagadougou.", "attaqué"),
        ("L'attaque d'une mosquée a fait douze morts vendredi à Diffa.", "attaque"),
        ("Un bus de voyageurs a été attaqué mardi par des hommes armés sur la route de Kidal.", "attaqué"),
    ],
)
def test_civilian_places_attacked_are_an_attack(enricher: Enricher, text: str, trigger: str) -> None:
    assert sub_types(enricher, text, trigger) == ["Attack"]


# --- Guards: soldiers named keep the clash, civilians named in the toll keep the attack.


def test_guards(enricher: Enricher) -> None:
    assert sub_types(
        enricher, "Des soldats maliens ont tué quatre sicaires d'un cartel près de Gao.", "tué"
    ) == ["Armed clash"]
    assert sub_types(
        enricher,
        "Le bilan de l'attaque du convoi s'est alourdi à quinze morts, dont six enfants et deux policiers.",
        "attaque",
    ) == ["Attack"]
