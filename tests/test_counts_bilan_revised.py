"""A toll noun whose complement is the incident ("le bilan de l'embuscade", "le bilan de
l'attaque du marché") counts the dead when a revision verb brings it to a bare number ("a été
porté samedi à onze", "est passé jeudi à dix-neuf"): `quantities._toll_complement` /
`_revised_to`. Composed sentences."""

from __future__ import annotations

import pytest
from helpers import incidents


def _tolls(enricher, text: str) -> list[tuple[str, int | None, int | None]]:
    return [
        (e.sub_event_type, e.killed.value if e.killed else None, e.injured.value if e.injured else None)
        for e in incidents(enricher, text)
    ]


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        (
            "D'abord donné à six morts, le bilan de l'embuscade tendue aux gendarmes près de Kompienga "
            "a été porté samedi à onze.",
            11,
        ),
        ("Le bilan de l'attaque du marché de Bossangoa est passé jeudi à dix-neuf, selon la préfecture.", 19),
        (
            "Le bilan de l'assaut jihadiste contre le camp militaire de Boni s'est alourdi à vingt-trois, "
            "a annoncé l'état-major.",
            23,
        ),
        (
            "Selon la Croix-Rouge, le bilan du bombardement du quartier de Hay al-Salam a été porté "
            "lundi à 42.",
            42,
        ),
    ],
)
def test_a_revised_bilan_of_an_incident_is_its_dead(enricher, text: str, killed: int) -> None:
    tolls = _tolls(enricher, text)
    assert [k for _, k, _ in tolls] == [killed], tolls


def test_a_bilan_of_the_injured_stays_the_injured(enricher) -> None:
    tolls = _tolls(enricher, "Le bilan des blessés de l'attaque du marché de Bossangoa a été porté à huit.")
    assert [(k, j) for _, k, j in tolls] == [(None, 8)], tolls


def test_a_bilan_of_other_things_counts_no_dead(enricher) -> None:
    tolls = _tolls(
        enricher,
        "Le bilan matériel de l'attaque du dépôt de Bossangoa a été porté à deux millions de francs.",
    )
    assert all(k is None for _, k, _ in tolls), tolls
