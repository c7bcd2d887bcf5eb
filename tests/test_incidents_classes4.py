"""Incidents, round 10 (merge and binding). Articles written for these tests, each headed by
its headline as the gold sets are (the title is the text's first line).

Class 1: a headline restating a body incident in other words, typed another violent kind
("un hameau incendié" over the attack that burnt it, "les FSR tuent quinze civils" over the
raid), folds into that incident instead of standing as an event of its own
(`merge._fold_headlines`)."""

from __future__ import annotations

from datetime import datetime

from helpers import french_article

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2026-03-12T08:00:00+01:00")


def headed(enricher: Enricher, text: str) -> list[Event]:
    """The incidents of an article whose first line is its headline."""
    title = text.strip().splitlines()[0]
    item = french_article(text, PUBLISHED).model_copy(update={"title": title})
    return enricher.merge(enricher.mentions_of_text(text, item))


def kinds(events: list[Event]) -> list[str]:
    return [e.sub_event_type for e in events]


# --- class 1: headline mentions fold into the body incident they restate ---------------------


def test_burnt_hamlet_headline_is_the_attack(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Mali : un hameau incendié près de Bandiagara, douze villageois tués\n\n"
        "Des hommes armés ont attaqué lundi le village de Dinangourou, près de Bandiagara, tuant "
        "douze villageois. Une vingtaine de cases ont été brûlées, selon un élu local.",
    )
    assert kinds(events) == ["Attack"]
    assert events[0].killed is not None and events[0].killed.value == 12
    assert len(events[0].mentions) >= 2  # the headline stays evidence


def test_burnt_houses_headline_without_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Cameroun : une trentaine de maisons incendiées dans l'Extrême-Nord\n\n"
        "Des hommes armés ont attaqué dimanche soir le village de Kolofata, dans l'Extrême-Nord, "
        "incendiant une trentaine de maisons, selon un chef traditionnel. Deux habitants ont été "
        "blessés.",
    )
    assert kinds(events) == ["Attack"]
    assert events[0].injured is not None and events[0].injured.value == 2


def test_burnt_camp_headline_with_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Tchad : un camp d'orpailleurs incendié, cinq morts près de Kouri Bougoudi\n\n"
        "Des hommes armés ont attaqué jeudi un camp d'orpailleurs près de Kouri Bougoudi, tuant "
        "cinq personnes, selon une source sécuritaire.",
    )
    assert kinds(events) == ["Attack"]
    assert events[0].killed is not None and events[0].killed.value == 5


def test_killing_headline_over_a_raid_keeps_the_headline_kind(enricher: Enricher) -> None:
    # the text's "raid" is read as remote violence no weapon gave: the headline's kind stays
    events = headed(
        enricher,
        "Soudan : les FSR tuent quinze civils à El-Fasher\n\n"
        "Quinze civils ont été tués mercredi lors d'un raid des Forces de soutien rapide sur un "
        "marché d'El-Fasher, a rapporté un comité de résistance local.",
    )
    assert kinds(events) == ["Attack"]
    assert events[0].killed is not None and events[0].killed.value == 15


def test_headline_with_body_toll_folds_into_the_raid(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Nigeria : des bandits tuent sept fermiers dans l'État de Zamfara\n\n"
        "Sept fermiers ont été tués samedi lors d'un raid de bandits armés sur le village de "
        "Kwanar Maje, dans l'État de Zamfara, a indiqué la police. Une dizaine de greniers ont été "
        "pillés.",
    )
    violent = [e for e in events if e.event_type != "Strategic developments"]
    assert [e.sub_event_type for e in violent if e.sub_event_type != "Looting/property destruction"] == [
        "Attack"
    ]
    assert {p.id for p in violent[0].places} >= {"kwanar-maje"}


def test_guard_headline_with_another_toll_stays_apart(enricher: Enricher) -> None:
    # the headline's one dead is no figure of the ambush's: another happening
    events = headed(
        enricher,
        "Niger : une patrouille attaquée près de Tillabéri, un enseignant assassiné à Niamey\n\n"
        "Quatre militaires ont été tués mercredi dans une embuscade contre une patrouille près de "
        "Tillabéri, a indiqué l'armée.",
    )
    assert sorted(kinds(events)) == ["Armed clash", "Attack"]


def test_guard_drone_headline_stays_apart_from_a_clash(enricher: Enricher) -> None:
    # a weapon typed the headline: a drone strike is not the clash the text tells
    events = headed(
        enricher,
        "Somalie : un drone frappe un camp des shebab, des combats près de Baidoa\n\n"
        "Des combats ont opposé lundi l'armée somalienne aux shebab près de Baidoa, faisant six "
        "morts parmi les insurgés.",
    )
    assert "Air/drone strike" in kinds(events)


# --- class 3: two bodies of one state tell one strike ----------------------------------------
# "L'armée russe a tiré ..." then "le ministère russe de la Défense affirme avoir mené ...": the
# ministry and the armed forces both act for the state, so the mentions are one incident.


def strikes(events: list[Event]) -> list[Event]:
    return [e for e in events if e.sub_event_type == "Air/drone strike"]


def test_army_and_defence_ministry_one_strike_kharkiv(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Frappes sur Kharkiv\n\n"
        "L'armée russe a tiré dans la nuit de lundi à mardi 85 drones contre la région de Kharkiv. "
        "Le ministère russe de la Défense affirme avoir mené une frappe massive de drones contre des "
        "installations militaires de la région de Kharkiv.",
    )
    assert len(strikes(events)) == 1
    assert len(strikes(events)[0].mentions) == 2


def test_forces_and_ministry_one_strike_belgorod(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Raid sur Belgorod\n\n"
        "Les forces armées ukrainiennes ont lancé jeudi soir une attaque de drones sur Belgorod. Le "
        "ministère ukrainien de la Défense affirme que ses drones ont frappé un dépôt de carburant à "
        "Belgorod.",
    )
    assert len(strikes(events)) == 1


def test_forces_and_ministry_one_strike_refinery(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Raffinerie touchée\n\n"
        "Les forces armées ukrainiennes ont revendiqué samedi une frappe de drones contre la "
        "raffinerie de Syzran. Le ministère ukrainien de la Défense affirme que ses drones ont "
        "frappé la raffinerie de Syzran dans la nuit.",
    )
    assert len(strikes(events)) == 1


def test_army_and_ministry_one_strike_jenin(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Jénine\n\n"
        "L'armée israélienne a bombardé mardi un camp de réfugiés à Jénine avec des drones. Le "
        "ministère israélien de la Défense a confirmé avoir frappé Jénine avec un drone.",
    )
    assert len(strikes(events)) == 1


def test_guard_bodies_of_two_states_stay_apart(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Deux frappes\n\n"
        "L'armée russe a lancé dans la nuit 40 drones contre Soumy. Le ministère ukrainien de la "
        "Défense affirme que des drones ukrainiens ont frappé une raffinerie à Saratov.",
    )
    assert len(strikes(events)) == 2


def test_guard_a_leader_and_a_ministry_are_not_two_bodies(enricher: Enricher) -> None:
    # a person of the state is no body of it: "Poutine" and the ministry keep their strikes
    events = headed(
        enricher,
        "Kiev\n\n"
        "Le président russe Vladimir Poutine a ordonné une frappe de drones contre Kiev. Le "
        "ministère russe de la Défense affirme avoir frappé Lviv avec des drones.",
    )
    assert len(strikes(events)) == 2
