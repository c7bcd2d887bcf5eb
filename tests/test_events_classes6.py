"""Event triggers, types and interactions on unseen news (issue 14, events, round 6). Each test
is one class, on sentences composed for the test (none comes from a gold set), read through the
real model (`enricher` fixture of conftest) before and after the incident merge.
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


# --- A call on a party whose "à" complement the parser hung elsewhere: past an apposition, a
# --- relative clause, a day or quotes between the addressee and what is asked.


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Le ministre turc des Affaires étrangères, Hakan Fidan, a appelé l'Union africaine, "
            "l'organisation panafricaine basée en Éthiopie, à « suspendre » ses sanctions contre le Niger.",
            "union-africaine",
        ),
        (
            "Le Premier ministre Ousmane Sonko a appelé le Mali, qui a fermé la frontière en mars, "
            "à « rouvrir » les postes de Kidira.",
            "mali",
        ),
        (
            "L'Égypte a appelé le Hamas, le mouvement islamiste palestinien, à « accepter sans délai » "
            "la proposition de trêve.",
            "hamas",
        ),
        (
            "Le chef de la diplomatie française a appelé lundi Kinshasa et Kigali à « reprendre sans "
            "condition » le dialogue pour qu'il aboutisse.",
            None,
        ),
    ],
)
def test_a_call_on_a_party_past_its_apposition_or_relative(
    enricher: Enricher, text: str, target: str | None
) -> None:
    found = [e for e in mentions(enricher, text) if e.sub_event_type == "REQUEST"]
    assert len(found) == 1, typed(mentions(enricher, text))
    if target is not None:
        assert found[0].target is not None and found[0].target.id == target


@pytest.mark.parametrize(
    "text",
    [
        "Emmanuel Macron a appelé son homologue brésilien à 10 heures pour évoquer le sommet.",
        "Volodymyr Zelensky a appelé mardi son homologue américain, qui l'a félicité à l'issue du scrutin.",
        "Le président ukrainien a appelé ses compatriotes, réfugiés en Pologne, à « rentrer au pays ».",
        "Le chef de l'Etat a appelé jeudi Vladimir Poutine à Moscou.",
    ],
)
def test_a_call_that_asks_nothing_of_a_party_is_no_request(enricher: Enricher, text: str) -> None:
    assert not [e for e in mentions(enricher, text) if e.sub_event_type == "REQUEST"]
