"""Interactions on unseen news (helper I, round 11). Each test is one class, on sentences
composed for the test (none comes from a gold set), read through the real model (`enricher`
fixture of conftest) before the incident merge.
"""

from __future__ import annotations

import pytest
from helpers import mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def typed(events: list[Event]) -> list[tuple[str, str | None, str | None]]:
    return [
        (e.sub_event_type, e.actor.id if e.actor else None, e.target.id if e.target else None) for e in events
    ]


def parties(event: Event) -> set[str]:
    return {r.id for r in (event.actor, event.target) if r is not None}


def of_type(events: list[Event], sub_event_type: str) -> list[Event]:
    return [e for e in events if e.sub_event_type == sub_event_type]


# --- Parties agreeing to do something: "convenir de" + infinitive (active, or with "être"),
# --- "convenir que" + clause.


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        (
            "Le Soudan et le Tchad ont convenu de créer une force conjointe à la frontière.",
            {"soudan", "tchad"},
        ),
        (
            "L'Arménie et l'Azerbaïdjan sont convenus jeudi de rouvrir deux points de passage.",
            {"armenie", "azerbaidjan"},
        ),
        (
            "Les délégations éthiopienne et érythréenne sont convenues lundi de reprendre les vols "
            "entre Addis-Abeba et Asmara.",
            {"ethiopie"},
        ),
        (
            "Bamako et Niamey ont convenu que les patrouilles conjointes reprendraient en mars.",
            {"mali", "niger"},
        ),
    ],
)
def test_parties_agreeing_to_do_something_agree(enricher: Enricher, text: str, sides: set[str]) -> None:
    found = of_type(mentions(enricher, text), "AGREE")
    assert found and sides <= parties(found[0]), typed(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        # impersonal "il convenait de": advice
        "L'armée russe a bombardé Kharkiv dimanche. Il convenait de le rappeler, a dit le maire.",
        # "convenir à": to suit
        "Cette proposition ne convient pas à l'Ukraine, a déclaré le ministre.",
        # "comme convenu": a reference to an earlier agreement
        "Comme convenu avec Washington, Kiev a reçu des missiles Patriot.",
    ],
)
def test_convenir_as_advice_fit_or_reference_is_no_agreement(enricher: Enricher, text: str) -> None:
    assert not of_type(mentions(enricher, text), "AGREE"), typed(mentions(enricher, text))


# --- The sides of an agreement or a meeting counted without being named ("entre les deux
# --- groupes", "les chefs des deux factions", "les ministres des deux pays", "Elles sont
# --- convenues" after "les délégations des deux pays"): the sides named before.


@pytest.mark.parametrize(
    ("text", "kind", "sides"),
    [
        (
            "Des combats ont éclaté lundi entre le Hamas et le Fatah à Jénine. Mardi soir, un "
            "cessez-le-feu a été conclu entre les deux mouvements.",
            "AGREE",
            {"hamas"},
        ),
        (
            "Des affrontements ont opposé samedi le JNIM à l'État islamique près de Ménaka, selon des "
            "sources locales, et les combats entre le JNIM et l'EI ont fait vingt morts. Les chefs "
            "des deux factions ont accepté dimanche une trêve de dix jours.",
            "AGREE",
            {"jnim"},
        ),
        (
            "Un obus tiré par l'armée azerbaïdjanaise a blessé deux civils lundi près de Tavouch, "
            "selon l'armée arménienne. Mercredi, les ministres des Affaires étrangères des deux pays "
            "se sont entretenus à Genève.",
            "CONSULT",
            {"armenie", "azerbaidjan"},
        ),
        (
            "Des frappes de l'armée thaïlandaise ont touché lundi des positions de l'armée "
            "cambodgienne. Mardi, les délégations des deux pays se sont réunies à Kuala Lumpur. "
            "Elles sont convenues de prolonger la trêve.",
            "AGREE",
            {"thailande", "cambodge"},
        ),
    ],
)
def test_sides_counted_without_names_are_the_sides_named_before(
    enricher: Enricher, text: str, kind: str, sides: set[str]
) -> None:
    found = of_type(mentions(enricher, text), kind)
    assert found and sides <= parties(found[-1]), typed(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        # "deux hommes": people, not sides
        "Des combats ont éclaté lundi entre le Hamas et le Fatah à Jénine. Mardi soir, les deux "
        "hommes ont accepté une trêve.",
        # no sides named before
        "Les deux groupes ont accepté une trêve de dix jours.",
    ],
)
def test_counted_people_or_sides_never_named_give_no_party(enricher: Enricher, text: str) -> None:
    assert not of_type(mentions(enricher, text), "AGREE"), typed(mentions(enricher, text))


def test_named_sides_stay_the_named_ones(enricher: Enricher) -> None:
    text = (
        "Des combats ont éclaté lundi entre le Hamas et le Fatah à Jénine. Mardi, une trêve a été "
        "signée entre Kinshasa et le M23 à Doha."
    )
    found = of_type(mentions(enricher, text), "AGREE")
    assert found and parties(found[0]) == {"rdc", "m23"}, typed(mentions(enricher, text))


# --- An interaction a party is accused or suspected of ("soupçonnés d'avoir livré des armes",
# --- "accuse Téhéran d'avoir fourni des drones") is an allegation, a statement: no event.


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("La police a arrêté trois hommes soupçonnés d'avoir livré des armes aux rebelles du M23.", "AID"),
        ("Kiev accuse Téhéran d'avoir fourni des drones Shahed à la Russie.", "AID"),
        ("Les enquêteurs soupçonnent le Hezbollah d'avoir acheminé des munitions au Hamas.", "AID"),
        ("Le ministère accuse l'Égypte d'avoir envoyé des armes aux Forces de soutien rapide.", "AID"),
        ("Washington a accusé Pékin d'avoir exigé le retrait des navires philippins.", "REQUEST"),
        # the participle of suspicion read as a noun, the infinitive hung on the people
        (
            "Les autorités ont annoncé l'arrestation de sept personnes soupçonnées d'avoir livré des "
            "munitions aux insurgés du JNIM.",
            "AID",
        ),
    ],
)
def test_an_interaction_a_party_is_accused_of_is_no_event(enricher: Enricher, text: str, kind: str) -> None:
    assert not of_type(mentions(enricher, text), kind), typed(mentions(enricher, text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the accusation as an incise: the supply is told
        ("L'Iran a livré des drones à la Russie, accuse Kiev.", "AID"),
        # an attack a party is accused of stays told as done
        ("Les habitants accusent les rebelles d'avoir attaqué le village de Kalehe.", "Attack"),
    ],
)
def test_an_accusation_aside_or_an_attack_stays_an_event(enricher: Enricher, text: str, kind: str) -> None:
    assert of_type(mentions(enricher, text), kind), typed(mentions(enricher, text))
