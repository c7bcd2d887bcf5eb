"""A revised toll with a trigger of its own ("le nombre de soldats tués dans l'attaque de A a été
porté mardi à 21") is the toll of the incident it names, not of the next incident the article
tells (`merge._toll_owner`: the "revision leading the text" rule is for a bare update, "Mise à
jour : le bilan est passé à 14 morts", typed before any incident was told). Composed articles."""

from __future__ import annotations

import pytest
from helpers import incidents


def _killed(events, sub_event_type: str) -> list[int | None]:
    return [e.killed.value if e.killed else None for e in events if e.sub_event_type == sub_event_type]


@pytest.mark.parametrize(
    ("text", "own", "own_killed", "next_type", "next_killed"),
    [
        (
            "Annoncé lundi à « au moins neuf morts », le nombre de policiers tués dans l'embuscade de "
            "Kidal a été porté mercredi à dix-sept par la gendarmerie. Le lendemain, une frappe de "
            "drone a tué six bergers près d'Anéfis.",
            "Armed clash",
            17,
            "Air/drone strike",
            6,
        ),
        (
            "Donné mardi à « au moins cinq morts », le nombre de civils tués dans l'attaque du marché "
            "de Bama a été porté jeudi à douze par les autorités. Le même jour, un raid aérien a tué "
            "trois combattants près de Gwoza.",
            "Attack",
            12,
            "Air/drone strike",
            3,
        ),
        (
            "Le nombre de militaires tués dans l'assaut contre la base de Boulkessi, d'abord estimé à "
            "huit, a été porté à quatorze. Deux jours plus tard, des obus de mortier ont tué deux "
            "soldats à Djibo.",
            "Armed clash",
            14,
            "Shelling/artillery/missile attack",
            2,
        ),
        (
            "Selon un nouveau bilan, le nombre de villageois tués lors de l'attaque d'hommes armés "
            "contre Tillia a été porté mardi à vingt-quatre. Plus tard dans la journée, une frappe de "
            "drone a tué sept combattants près de Tahoua.",
            "Attack",
            24,
            "Air/drone strike",
            7,
        ),
        (
            "Le nombre de soldats tués dans l'embuscade de Kompienga a été porté samedi à onze, selon "
            "l'état-major. Dimanche, une frappe de drone a tué cinq jihadistes près de Pama.",
            "Armed clash",
            11,
            "Air/drone strike",
            5,
        ),
        (
            "Annoncé à huit morts dimanche, le nombre de soldats tués dans l'attaque du poste de "
            "Tassia a été porté mardi à quinze. Mercredi, des obus ont tué deux civils à Ménaka.",
            "Armed clash",
            15,
            "Shelling/artillery/missile attack",
            2,
        ),
    ],
)
def test_a_revision_naming_its_incident_stays_with_it(
    enricher, text: str, own: str, own_killed: int, next_type: str, next_killed: int
) -> None:
    events = incidents(enricher, text)
    assert _killed(events, own) == [own_killed], [(e.sub_event_type, e.killed) for e in events]
    assert _killed(events, next_type) == [next_killed], [(e.sub_event_type, e.killed) for e in events]


def test_a_bare_update_leading_the_text_still_revises_the_next_incident(enricher) -> None:
    text = (
        "Mise à jour : le bilan est passé à quatorze morts.\n\n"
        "Une frappe de missiles russes a tué huit personnes mercredi dans un quartier de Kharkiv."
    )
    events = incidents(enricher, text)
    assert _killed(events, "Shelling/artillery/missile attack") == [14], [
        (e.sub_event_type, e.killed) for e in events
    ]
