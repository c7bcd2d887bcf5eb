"""Violence triggers on unseen news (events, round 13): precision. Each test is one class, on
sentences composed for the test (none comes from a gold set), read through the real model
(`enricher` fixture of conftest); the guards are near misses that must not change.
"""

from __future__ import annotations

import pytest
from helpers import incidents, mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def subtypes(events: list[Event]) -> list[str]:
    return [e.sub_event_type for e in events]


# --- A casualty statement read before any event belongs to a protest met with force when it
# --- counts protesters, or when no violent event follows: the toll of the protest fired on.


@pytest.mark.parametrize(
    "text",
    [
        "Le bilan passe à six morts à Conakry.\n\n"
        "Jeudi, la police a tiré à balles réelles sur les manifestants rassemblés devant le siège du gouvernorat.",
        "Six morts à Lomé, selon un collectif d'avocats.\n\n"
        "Les forces de l'ordre ont ouvert le feu samedi sur les manifestants qui défilaient dans le quartier de Bè.",
        "Les hôpitaux de Dacca ont recensé six morts.\n\n"
        "La police a tiré à balles réelles sur les manifestants rassemblés mercredi devant l'université.",
        "On dénombre désormais six morts.\n\n"
        "Mercredi à Nairobi, la police a ouvert le feu sur des manifestants qui bloquaient une avenue.",
    ],
)
def test_toll_before_a_protest_met_with_force_is_that_protest_s(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text)
    assert subtypes(found) == ["Excessive force against protesters"], [
        (e.sub_event_type, e.trigger) for e in found
    ]
    assert found[0].killed is not None and found[0].killed.value == 6


@pytest.mark.parametrize(
    "text",
    [
        # a toll after a violent event stays that event's
        "Des hommes armés ont attaqué le village de Kalma dans la nuit. Le bilan s'établit à sept morts.",
        # a headline's toll before the attack the text tells
        "Sept morts dans le nord du Burkina\n\nDes jihadistes ont attaqué dimanche le village de Kalma.",
        # a toll of no protesters before a clash and a protest: the clash's
        "Le bilan s'établit à sept morts.\n\nDes habitants ont bloqué la route avant d'être dispersés par la"
        " police.\n\nDes jihadistes ont attaqué dimanche le village de Kalma.",
    ],
)
def test_guard_toll_of_a_violent_event_stays_its(enricher: Enricher, text: str) -> None:
    found = [e for e in incidents(enricher, text) if e.event_type != "Protests"]
    assert len(found) == 1, [(e.sub_event_type, e.trigger) for e in found]
    assert found[0].killed is not None and found[0].killed.value == 7


# --- Equipment destroyed with no author named, told in the paragraph of a battle, is that
# --- battle's losses (whatever weapon destroyed it), no drone strike of its own.


@pytest.mark.parametrize(
    "text",
    [
        "Les soldats ukrainiens ont repoussé lundi une attaque russe près de Torske. Trois blindés russes"
        " ont été détruits par des drones.",
        "Des affrontements ont opposé jeudi l'armée soudanaise aux Forces de soutien rapide près d'El-Obeid."
        " Une dizaine de pick-up ont été détruits par des drones, d'après l'état-major.",
        "De violents combats ont opposé mardi les troupes russes aux forces ukrainiennes près de Lyman."
        " Quatre chars ont été détruits par des drones FPV, selon la brigade.",
        "Les militaires maliens ont combattu des jihadistes près du camp de Boulkessi. Deux motos et"
        " un véhicule ont été détruits par des drones.",
    ],
)
def test_equipment_destroyed_in_a_battle_is_the_battle_s(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text)
    assert subtypes(found) == ["Armed clash"], [(e.sub_event_type, e.trigger) for e in found]
    assert found[0].destroyed is not None


@pytest.mark.parametrize(
    "text",
    [
        # a paragraph of its own: a strike told by itself
        "Les soldats ukrainiens ont repoussé lundi une attaque russe près de Torske.\n\n"
        "Trois blindés russes ont été détruits par des drones près de Kreminna.",
        # after a strike, the damage is that strike's
        "Des drones russes ont frappé Kharkiv dans la nuit. Trois immeubles ont été détruits.",
    ],
)
def test_guard_destruction_outside_a_battle_stays_a_strike(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text)
    assert "Air/drone strike" in subtypes(found), [(e.sub_event_type, e.trigger) for e in found]


# --- A protest met with less-lethal rounds (rubber bullets, LBD) is a protest with
# --- intervention; live fire or killing makes it excessive force.


@pytest.mark.parametrize(
    "text",
    [
        "Des centaines de manifestants ont défilé mardi à Nairobi avant d'être dispersés par la police à coups"
        " de balles en caoutchouc.",
        "Plusieurs manifestants ont été touchés par des balles en caoutchouc lors d'une marche mardi à Conakry.",
        "Des milliers d'étudiants se sont rassemblés vendredi à Dacca avant d'être repoussés à coups de balles"
        " en caoutchouc.",
        "Des habitants en colère ont bloqué lundi la route nationale à Kasserine avant d'être délogés à coups"
        " de balles en caoutchouc.",
    ],
)
def test_less_lethal_rounds_are_an_intervention(enricher: Enricher, text: str) -> None:
    found = [e for e in mentions(enricher, text) if e.event_type == "Protests"]
    assert found and all(e.sub_event_type == "Protest with intervention" for e in found), subtypes(found)


@pytest.mark.parametrize(
    "text",
    [
        "Les policiers ont tiré à balles réelles sur les manifestants rassemblés devant le palais présidentiel.",
        "Des centaines de manifestants ont défilé mardi à Khartoum avant que les soldats ne tirent à balles"
        " réelles.",
        "Des centaines de manifestants ont défilé mardi à Nairobi avant d'être dispersés par des tirs de balles.",
    ],
)
def test_guard_live_fire_stays_excessive_force(enricher: Enricher, text: str) -> None:
    found = [e for e in mentions(enricher, text) if e.event_type == "Protests"]
    assert "Excessive force against protesters" in subtypes(found), subtypes(found)


# --- A brawl ("rixe", "bagarre") is mob violence, no armed clash.


@pytest.mark.parametrize(
    "text",
    [
        "Un jeune homme a été tué samedi soir lors d'une rixe entre deux quartiers de Toulouse.",
        "Une violente bagarre a éclaté devant un bar de Liège, faisant deux blessés.",
        "Trois adolescents ont été blessés à l'arme blanche dans une rixe à Villeneuve-Saint-Georges.",
        "Deux bandes se sont bagarrées à coups de couteau vendredi soir à Nantes, faisant trois blessés.",
        "Une rixe entre supporters a fait quatre blessés dimanche à Marseille.",
    ],
)
def test_brawl_is_mob_violence(enricher: Enricher, text: str) -> None:
    found = [e for e in mentions(enricher, text) if e.event_type in ("Riots", "Battles")]
    assert found and all(e.sub_event_type == "Mob violence" for e in found), subtypes(found)


@pytest.mark.parametrize(
    "text",
    [
        "Des combats ont opposé l'armée aux rebelles du M23 près de Sake, faisant douze morts.",
        "Des centaines de manifestants ont affronté la police devant le parlement de Nairobi.",
    ],
)
def test_guard_fights_of_armed_groups_and_protesters_stay(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert found and "Mob violence" not in subtypes(found), subtypes(found)
