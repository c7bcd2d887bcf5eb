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
