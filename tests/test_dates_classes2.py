"""Dates (round 11). 1. "X intervient / est survenu(e) au lendemain de Y", "X s'est produit deux
jours après Y": X is the event told before, Y the news of the sentence, dated that many days
before X's day (dates.yaml `preceded_by`), unless the sentence states a day of its own, and
only when a day was told for X (no anchor but the publication date: no date).
2. "Le bilan a été porté lundi à dix-neuf morts": the day right after a toll's revision verb is
the report's day, not the event's (dates.yaml `revision_verbs`).
Composed sentences; the anchor is the day of the event told before."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import mentions

from enrich.dates import resolve_date

REFERENCE = date(2025, 3, 11)  # a Tuesday (helpers.PUBLISHED)


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        (
            "Cette frappe est survenue au lendemain d'une embuscade contre une patrouille près de "
            "Krasnopillia, qui a fait trois morts.",
            date(2025, 3, 9),
            date(2025, 3, 8),
        ),
        (
            "Ces arrestations interviennent au lendemain de l'explosion d'une bombe artisanale sur "
            "un marché de Maiduguri.",
            date(2025, 3, 8),
            date(2025, 3, 7),
        ),
        (
            "L'attentat s'est produit deux jours après une attaque des chabab contre une base "
            "militaire à Baidoa, où neuf soldats ont été tués.",
            date(2025, 3, 9),
            date(2025, 3, 7),
        ),
        (
            "Les heurts sont survenus le surlendemain d'un raid de l'armée sur le camp de Balata.",
            date(2025, 3, 10),
            date(2025, 3, 8),
        ),
        (
            "Le bombardement intervient ainsi au lendemain d'une visite du ministre à Zaporijjia.",
            date(2025, 3, 10),
            date(2025, 3, 9),
        ),
    ],
)
def test_happening_before_the_event_told(text: str, anchor: date, expected: date) -> None:
    assert resolve_date(text, REFERENCE, anchor=anchor) == expected


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        # the sentence states its own day
        (
            "Ces frappes interviennent au lendemain d'une réunion, vendredi à Doha, des médiateurs.",
            date(2025, 3, 10),
            date(2025, 3, 7),
        ),
        # no day told for the event before: the anchor is the reference, no date
        (
            "Cette frappe est survenue au lendemain d'une embuscade près de Krasnopillia.",
            REFERENCE,
            None,
        ),
        # no verb telling an event's occurrence: "au lendemain de" alone dates nothing
        (
            "Onze corps ont été retrouvés au lendemain d'affrontements entre deux cartels.",
            date(2025, 3, 9),
            None,
        ),
    ],
)
def test_guard_own_day_or_no_told_day(text: str, anchor: date, expected: date | None) -> None:
    assert resolve_date(text, REFERENCE, anchor=anchor) == expected


def test_article_dates_the_earlier_happening(enricher) -> None:
    text = (
        "Un drone a frappé dimanche un dépôt de carburant à Soumy, blessant deux employés.\n\n"
        "Cette frappe est survenue au lendemain de l'explosion d'une mine au passage d'un camion "
        "militaire près de Krasnopillia."
    )
    dated = {m.trigger: m.event_date for m in mentions(enricher, text)}
    assert dated.get("explosion") == date(2025, 3, 8), dated


# A toll revised some day: the day right after the revision verb is the report's, not the
# event's (dates.yaml `revision_verbs`); the event's own day, when the sentence gives it, dates it.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Le bilan s'est alourdi lundi à neuf morts après l'embuscade de dimanche contre un convoi "
            "près de Djibo.",
            date(2025, 3, 9),
        ),
        ("Le nombre de victimes est passé jeudi à trente et un, a indiqué le gouverneur de Sokoto.", None),
        ("Le bilan a grimpé hier à 12 morts dans le quartier de Cité Soleil.", None),
        (
            "Le bilan du naufrage a été porté vendredi à 40 morts par les garde-côtes, qui avaient "
            "repêché mardi les premiers corps au large de Lampedusa.",
            date(2025, 3, 11),
        ),
    ],
)
def test_day_of_a_toll_revision_is_the_reports(text: str, expected: date | None) -> None:
    assert resolve_date(text, REFERENCE, anchor=REFERENCE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Trois policiers ont été tués lundi à Gao, et le bilan a été porté à cinq morts.",
            date(2025, 3, 10),
        ),
        ("Le bilan est passé de quatre à neuf morts dimanche soir à Kayes.", date(2025, 3, 9)),
    ],
)
def test_guard_day_not_right_after_a_revision_verb(text: str, expected: date) -> None:
    assert resolve_date(text, REFERENCE, anchor=REFERENCE) == expected
