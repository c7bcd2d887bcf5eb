"""Parties (issue 14, round 9), on sentences written for these tests (none is a gold sentence).

Soldiers, gendarmes or an army post hit by an attack that names no force of their own are a
target standing for their state's national forces (`force_victim_words` of parties.yaml): "trois
militaires tchadiens blessés lors de l'explosion d'une mine" targets the Chadian forces, not
Chad; without a demonym, the forces of the state of the place the sentence names ("un convoi
militaire près de Ménaka": Mali's). Between states the attacked state stays the target ("des
drones russes ont frappé des positions militaires ukrainiennes": Ukraine).

Each class is checked with and without the word list, to show it was failing before.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import incidents

from enrich.events.parties import Parties
from enrich.pipeline import Enricher


@pytest.fixture
def parties(enricher: Enricher) -> Iterator[Parties]:
    parties = enricher.extractor.slots.parties
    words = parties.force_victim_words
    yield parties
    parties.force_victim_words = words


def targets(enricher: Enricher, text: str) -> list[tuple[str, str | None]]:
    return [(e.sub_event_type, e.target.id if e.target else None) for e in incidents(enricher, text)]


FORCE_VICTIMS = {
    "demonym, passive, lors de": (
        "Trois militaires tchadiens ont été blessés mercredi lors de l'explosion d'une mine près de Bol.",
        "forces-armees-tchadiennes",
    ),
    "place, participle, convoy": (
        "Une mine a explosé lundi au passage d'un convoi militaire près de Ménaka, tuant quatre soldats.",
        "forces-armees-maliennes",
    ),
    "gendarmes, demonym": (
        "Deux gendarmes nigériens ont été tués vendredi lors de l'explosion d'un engin artisanal près de Téra.",
        "forces-armees-nigeriennes",
    ),
    "active verb, place only": (
        "Un engin explosif a tué deux soldats près de Mora, dans l'Extrême-Nord.",
        "forces-armees-camerounaises",
    ),
    "rocket on a camp, participle": (
        "Une roquette a touché lundi un camp militaire près de Mopti, tuant trois soldats.",
        "forces-armees-maliennes",
    ),
    "drone on an army post": (
        "Un drone a largué jeudi des explosifs sur un poste de l'armée près de Fada N'Gourma, blessant "
        "quatre militaires.",
        "armee-burkinabe",
    ),
}


@pytest.mark.parametrize("name", sorted(FORCE_VICTIMS))
def test_soldiers_hit_stand_for_their_forces(enricher: Enricher, parties: Parties, name: str) -> None:
    text, forces = FORCE_VICTIMS[name]
    assert forces in [target for _, target in targets(enricher, text)]
    parties.force_victim_words = frozenset()
    assert forces not in [target for _, target in targets(enricher, text)]


@pytest.mark.parametrize(
    "text, state",
    [
        (
            "Des drones russes ont frappé lundi des positions militaires ukrainiennes près de Pokrovsk.",
            "ukraine",
        ),
        (
            "Une frappe de drone ukrainienne a tué trois soldats russes près de Koursk, selon le gouverneur.",
            "russie",
        ),
    ],
)
def test_between_states_the_attacked_state_stays_the_target(
    enricher: Enricher, text: str, state: str
) -> None:
    assert [target for _, target in targets(enricher, text)] == [state]


def test_another_states_forces_in_the_article_keep_the_state(enricher: Enricher) -> None:
    """No attacker in the sentence, but the article names the other side's artillery: a war
    between states, whose attacked state is the target."""
    text = (
        "Un obus a blessé mardi deux soldats ukrainiens près de Kherson, selon l'administration "
        "régionale. L'artillerie russe pilonne la rive droite du Dniepr depuis des mois."
    )
    found = [target for _, target in targets(enricher, text)]
    assert "forces-armees-ukrainiennes" not in found
