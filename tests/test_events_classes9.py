"""Violence triggers on unseen news (events, round 12): precision. Each test is one class, on
sentences composed for the test (none comes from a gold set), read through the real model
(`enricher` fixture of conftest); the guards are near misses that must not change.
"""

from __future__ import annotations

import pytest
from helpers import mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def subtypes(events: list[Event]) -> list[str]:
    return [e.sub_event_type for e in events]


# --- Blame for who started: an accuser's "d'avoir ouvert le feu le premier" pins a fight the
# --- text tells by itself on one side; the accused act is no event of its own.


@pytest.mark.parametrize(
    "text",
    [
        "Le ministère ouzbek de la Défense accuse les gardes-frontières kirghiz d'avoir ouvert le feu les premiers.",
        "Le porte-parole de l'armée indienne a accusé les soldats pakistanais d'avoir ouvert le feu en premier"
        " le long de la ligne de contrôle.",
        "Kinshasa accuse les rebelles du M23 d'avoir tiré les premiers près de Goma.",
        "Le gouvernement érythréen soupçonne les miliciens tigréens d'avoir attaqué les premiers à Humera.",
        "L'état-major vénézuélien accuse la garde guyanienne d'avoir ouvert le feu la première sur le fleuve Cuyuni.",
    ],
)
def test_blame_for_firing_first_is_no_event(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == [], subtypes(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        # told by the text itself
        "Les gardes-frontières kirghiz ont ouvert le feu sur une patrouille tadjike près d'Isfara.",
        # an accusation of the act itself, not of starting it
        "Les habitants accusent les combattants du groupe d'avoir mené l'attaque contre le village de Kalma.",
        "Les villageois accusent les soldats d'avoir ouvert le feu sur la foule à Bunia.",
        # "premier" before a noun is no blame for starting
        "Les enquêteurs accusent le commando d'avoir attaqué le premier convoi de l'armée près de Gao.",
    ],
)
def test_guard_accused_acts_and_fire_told_stay(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text), text


# --- Planned protests: a protest noun subject of "est prévu" or object of "a annoncé" is
# --- planned, not held.


@pytest.mark.parametrize(
    "text",
    [
        "Une nouvelle manifestation est prévue vendredi devant le parlement de Belgrade.",
        "Les organisateurs ont annoncé une manifestation mardi devant le siège du gouvernement à Lomé.",
        "L'opposition a annoncé un nouveau rassemblement vendredi à Abidjan.",
        "Les étudiants ont annoncé un rassemblement lundi sur la place de l'Indépendance à Dacca.",
        "Le leader de l'opposition a dénoncé une dérive autoritaire et annoncé une manifestation samedi à Tunis.",
    ],
)
def test_planned_protest_is_no_event(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == [], subtypes(mentions(enricher, text))


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("Des centaines d'étudiants ont manifesté jeudi à Dacca, a annoncé la police.", "Peaceful protest"),
        ("La police a dispersé la manifestation prévue jeudi à Kampala.", "Protest with intervention"),
        (
            "Des milliers de manifestants se sont rassemblés vendredi devant le parlement de Belgrade.",
            "Peaceful protest",
        ),
    ],
)
def test_guard_held_protests_stay(enricher: Enricher, text: str, subtype: str) -> None:
    assert subtype in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


# --- An accident's toll: people killed with no trigger and no violent event before, in a
# --- sentence naming an accident or a disaster as the cause, are no attack.


@pytest.mark.parametrize(
    "text",
    [
        "Trois ouvriers ont perdu la vie et cinq autres ont été blessés dans l'incendie d'un entrepôt de Tourcoing.",
        "Deux pêcheurs ont péri dans le naufrage de leur chalutier au large de Lorient.",
        "Six personnes ont été tuées dans l'effondrement d'un immeuble à Marseille.",
        "Onze personnes ont été tuées dans des inondations dans la région de Valence.",
        "Deux soldats ont été tués et trois blessés dans l'accident de leur hélicoptère près de Gao.",
    ],
)
def test_accident_toll_is_no_event(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == [], subtypes(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Trois villageois ont été tués et cinq blessés près de Gao, selon une source locale.",
        "Deux civils ont été tués dans l'incendie de leur maison attaquée par des hommes armés près de Djibo.",
        "Des jihadistes ont attaqué un poste militaire près de Ménaka. Deux soldats ont été tués dans l'incendie du poste.",
    ],
)
def test_guard_tolls_of_violence_stay(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert found and all(e.killed is not None or e.trigger for e in found), subtypes(found)
    assert any(e.killed is not None and e.killed.value == (2 if "Deux" in text else 3) for e in found), [
        (e.sub_event_type, e.killed) for e in found
    ]
