"""Each toll to its own incident, third round (issue 14, counts; classes found on heldout13/14
and heldout11/12): the other side's dead, as one party claims or reports them, taken as the
victims' toll.

Every article here was written for this file (none comes from a gold set); each fails without
the change that covers its class unless marked as a guard.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import incidents

from enrich import quantities
from enrich.pipeline import Enricher

PUBLISHED = datetime(2025, 11, 5, 9, 0, tzinfo=UTC)  # a Wednesday

Figures = dict[str, tuple[int, str]]


def tolls(enricher: Enricher, text: str) -> list[tuple[str, Figures]]:
    """(sub-type, counts) of each violent incident of `text`."""
    lexicon = enricher.extractor.lexicon
    return [
        (
            incident.sub_event_type,
            {
                slot: (q.value, q.qualifier)
                for slot in quantities.SLOTS
                if (q := getattr(incident, slot)) is not None
            },
        )
        for incident in incidents(enricher, text, PUBLISHED)
        if lexicon.is_violent(incident.event_type)
    ]


def killed(enricher: Enricher, text: str) -> list[tuple[int, str]]:
    return [f["killed"] for _, f in tolls(enricher, text) if "killed" in f]


# --- class 2: the other side's dead are neither the victims' toll nor added to it -------------

ENEMY_LOSSES = [
    # the enemy as the subject of a verb of loss, in a sentence of its own
    (
        "Des obus russes se sont abattus mardi sur le centre de Nikopol. Une femme a été tuée et deux "
        "passants blessés. Selon le commandement ukrainien, les troupes ennemies ont perdu plus de "
        "trente soldats au cours de la journée.",
        (1, "exact"),
    ),
    # the enemy named after the counted noun, passive, number in digits
    (
        "Des jihadistes ont attaqué lundi un poste de l'armée à Djibo. Quatre militaires burkinabè ont "
        "été tués dans l'assaut. D'après l'état-major, 25 combattants ennemis ont été tués lors de la "
        "riposte.",
        (4, "exact"),
    ),
    # a noun of loss the enemy qualifies
    (
        "Les rebelles ont lancé samedi une offensive contre la ville de Masisi. Six civils ont été tués "
        "par des balles perdues. Les pertes adverses s'élèveraient à une cinquantaine de morts, selon "
        "un porte-parole du mouvement.",
        (6, "exact"),
    ),
    # the enemy as the complement of the counted noun, before the victims' toll
    (
        "L'armée soudanaise a repoussé jeudi une attaque près d'El-Obeid. Une quarantaine de "
        "combattants de l'adversaire ont été tués, affirme un officier. Deux soldats sont morts dans "
        "les affrontements.",
        (2, "exact"),
    ),
    # the enemy as the subject of a verb of loss, with the victims' toll in the same sentence
    (
        "Des drones ont frappé vendredi une caserne à Sumy. Trois soldats ont été tués, tandis que "
        "l'adversaire aurait perdu douze hommes selon Kiev.",
        (3, "exact"),
    ),
]


@pytest.mark.parametrize("text, toll", ENEMY_LOSSES)
def test_the_enemys_losses_are_not_the_victims_toll(
    enricher: Enricher, text: str, toll: tuple[int, str]
) -> None:
    assert killed(enricher, text) == [toll]


def test_our_own_losses_told_as_a_loss_stay_the_toll(enricher: Enricher) -> None:
    """Guard: a side's own dead told with a verb of loss are its toll."""
    text = (
        "Des hommes armés ont attaqué lundi un convoi militaire près de Ménaka. L'armée malienne a "
        "perdu sept soldats dans l'embuscade, selon un communiqué."
    )
    assert killed(enricher, text) == [(7, "exact")]
