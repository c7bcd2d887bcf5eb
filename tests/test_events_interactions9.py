"""Interactions on unseen news (helper I, round 12). Each test is one class, on sentences
composed for the test (none comes from a gold set), read through the real model (`enricher`
fixture of conftest) before the incident merge.
"""

from __future__ import annotations

import pytest
from helpers import mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def parties(event: Event) -> set[str]:
    return {r.id for r in (event.actor, event.target) if r is not None}


def of_type(events: list[Event], sub_event_type: str) -> list[Event]:
    return [e for e in events if e.sub_event_type == sub_event_type]


# --- Generic sides counted ("les deux parties", "les deux camps") after two states named
# --- before: no phrase coordinating named non-place parties, so the sides are the last two
# --- states, as for "les deux pays".


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        (
            "Le Niger et le Bénin ont discuté lundi à Cotonou. Les deux parties sont convenues de rouvrir "
            "le poste de Malanville.",
            {"niger", "benin"},
        ),
        (
            "Des émissaires de l'Arménie et de l'Azerbaïdjan se sont vus à Genève. Les deux parties se sont "
            "entendues sur un échange de prisonniers.",
            {"armenie", "azerbaidjan"},
        ),
        (
            "Après une semaine de tension, le Pérou et l'Équateur ont repris le dialogue. Les deux camps "
            "ont convenu de retirer leurs patrouilles.",
            {"perou", "equateur"},
        ),
        (
            "Le Kenya a reçu une délégation de la Somalie à Nairobi. Les deux parties sont convenues "
            "de relancer la commission sur la frontière maritime.",
            {"kenya", "somalie"},
        ),
    ],
)
def test_generic_sides_fall_back_to_the_last_two_states(
    enricher: Enricher, text: str, sides: set[str]
) -> None:
    agreed = of_type(mentions(enricher, text), "AGREE")
    assert agreed, text
    assert parties(agreed[0]) == sides


def test_generic_sides_with_one_state_named_stay_unknown(enricher: Enricher) -> None:
    text = "Le Sénégal a accueilli les pourparlers à Dakar. Les deux parties sont convenues de prolonger la trêve."
    assert all(len(parties(e)) < 2 for e in of_type(mentions(enricher, text), "AGREE"))


def test_states_named_as_places_are_no_sides(enricher: Enricher) -> None:
    text = (
        "Au Mali comme au Niger, des milices rivales se sont affrontées pendant des semaines. "
        "Les deux camps sont convenus d'une trêve humanitaire."
    )
    agreed = of_type(mentions(enricher, text), "AGREE")
    assert all(not parties(e) & {"mali", "niger"} for e in agreed)


@pytest.mark.parametrize("groups", ["le JNIM et l'EIGS", "les Konkomba et les Nawuri"])
def test_groups_between_which_sides_are_counted_win_over_states(enricher: Enricher, groups: str) -> None:
    text = f"Le Ghana et le Togo observent des combats entre {groups}. Les deux groupes sont convenus d'un cessez-le-feu."
    agreed = of_type(mentions(enricher, text), "AGREE")
    assert all(not parties(e) & {"ghana", "togo"} for e in agreed)


# --- Weapons sent to no recipient named ("Ils envoient des drones chaque nuit") are fired at an
# --- enemy (or only reported), never aid.


@pytest.mark.parametrize(
    "text",
    [
        "Les rebelles houthis ont envoyé des missiles cette semaine encore, selon l'armée.",
        "Selon Kiev, Moscou a envoyé plus de cent drones durant la nuit.",
        "L'armée soudanaise tient El-Obeid. Les FSR envoient des drones presque toutes les semaines.",
        "Le Hamas a envoyé des roquettes toute la journée, affirme Tsahal.",
        "Les talibans ont envoyé des obus toute la nuit, dit Islamabad.",
    ],
)
def test_weapons_sent_to_no_one_are_no_aid(enricher: Enricher, text: str) -> None:
    assert not of_type(mentions(enricher, text), "AID"), text


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        ("La Turquie a envoyé des drones au Niger.", {"turquie", "niger"}),
        ("L'Iran a fourni des drones à la Russie.", {"iran", "russie"}),
        ("Les États-Unis vont envoyer des missiles Patriot à l'Ukraine.", {"etats-unis", "ukraine"}),
        ("La France a envoyé des vivres et des médicaments à Gaza.", {"france"}),
    ],
)
def test_weapons_or_relief_sent_to_a_recipient_stay_aid(
    enricher: Enricher, text: str, sides: set[str]
) -> None:
    aid = of_type(mentions(enricher, text), "AID")
    assert aid, text
    assert parties(aid[0]) == sides
