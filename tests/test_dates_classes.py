"""Dates (round 10): a few hours or minutes before or after the event told before ("Quelques
heures plus tard, ...", "Une heure plus tôt, ...") is the day of that event, not the
publication day (dates.yaml `same_day_spans`). Composed articles, published on a Tuesday
(helpers.PUBLISHED, 2025-03-11): each first sentence dates its event a Sunday or a Saturday."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import mentions

from enrich.dates import resolve_date

SUNDAY = date(2025, 3, 9)
SATURDAY = date(2025, 3, 8)


def _dates(enricher, text: str, sub_event_type: str) -> list[date | None]:
    return [m.event_date for m in mentions(enricher, text) if m.sub_event_type == sub_event_type]


@pytest.mark.parametrize(
    ("text", "sub_event_type", "expected"),
    [
        (
            "Trois policiers ont été tués dimanche dans une embuscade près de Kidal.\n\n"
            "Quelques heures plus tard, un drone a frappé un marché de Tessalit, tuant deux civils.",
            "Air/drone strike",
            SUNDAY,
        ),
        (
            "Deux soldats ont été blessés samedi par un obus de mortier tombé sur leur base à Baidoa.\n\n"
            "Une heure plus tôt, une roquette avait frappé le port de Kismayo, tuant un pêcheur.",
            "Shelling/artillery/missile attack",
            SATURDAY,
        ),
        (
            "Des hommes armés ont attaqué dimanche un village de la province de Tillabéri, tuant "
            "sept habitants.\n\n"
            "Deux heures après, une frappe aérienne a visé leur colonne près de Ouallam, tuant "
            "douze assaillants.",
            "Air/drone strike",
            SUNDAY,
        ),
        (
            "Un kamikaze s'est fait exploser samedi devant un commissariat de Quetta, tuant quatre "
            "policiers.\n\n"
            "Quelques minutes auparavant, une grenade avait été lancée contre un poste de contrôle "
            "à Turbat, blessant trois soldats.",
            "Grenade",
            SATURDAY,
        ),
    ],
)
def test_hours_after_the_event_told_is_its_day(
    enricher, text: str, sub_event_type: str, expected: date
) -> None:
    dates = _dates(enricher, text, sub_event_type)
    assert dates and all(day == expected for day in dates)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quelques heures plus tard, un drone a frappé Tessalit.", date(2025, 3, 9)),
        ("Une heure plus tôt, une roquette avait frappé Kismayo.", date(2025, 3, 9)),
        ("trois minutes après, un second obus est tombé", date(2025, 3, 9)),
    ],
)
def test_resolved_against_the_anchor(text: str, expected: date) -> None:
    assert resolve_date(text, date(2025, 3, 11), anchor=date(2025, 3, 9)) == expected


@pytest.mark.parametrize(
    "text",
    [
        # a duration, no span between two happenings: no date stated
        "Les combats ont duré quelques heures dans le centre de Kidal.",
        "Les secours ont mis deux heures à atteindre le village.",
    ],
)
def test_durations_state_no_date(text: str) -> None:
    assert resolve_date(text, date(2025, 3, 11), anchor=date(2025, 3, 9)) is None


def test_a_stated_day_is_kept(enricher) -> None:
    """Guard: a sentence that states its own day keeps it ("lundi" wins over the span)."""
    text = (
        "Trois policiers ont été tués dimanche dans une embuscade près de Kidal.\n\n"
        "Quelques heures plus tard, lundi à l'aube, un drone a frappé un marché de Tessalit, "
        "tuant deux civils."
    )
    assert _dates(enricher, text, "Air/drone strike") == [date(2025, 3, 10)]


# "sept" is seven before it is September: an abbreviated month (dates.yaml `month_abbreviations`)
# names a month alone only before a period or a year, so a toll "de sept morts" no longer dates its
# sentence to September and drops it as too old.
REFERENCE = date(2025, 10, 15)


@pytest.mark.parametrize(
    "text",
    [
        "L'attaque du poste de Koutiala a fait un bilan de sept morts selon la préfecture.",
        "Les combats autour de l'aéroport durent depuis sept jours, selon un habitant.",
        "Le village a été pilonné en sept heures de bombardements ininterrompus.",
        "Près de sept cents familles ont fui les quartiers nord de la ville.",
    ],
)
def test_seven_is_no_month(text: str) -> None:
    assert resolve_date(text, REFERENCE) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'offensive lancée en sept. 2024 n'a pas abouti.", date(2024, 9, 1)),
        ("Le cessez-le-feu signé le 12 sept. a été rompu.", date(2025, 9, 12)),
        ("Les pluies de fin oct. 2024 avaient coupé la route.", date(2024, 10, 1)),
    ],
)
def test_abbreviated_months_still_read(text: str, expected: date) -> None:
    assert resolve_date(text, REFERENCE) == expected


def test_a_toll_of_seven_keeps_its_strike(enricher) -> None:
    text = "Une frappe de drone russe a fait un bilan de sept morts mardi à Kherson, selon le gouverneur."
    assert _dates(enricher, text, "Air/drone strike") == [date(2025, 3, 11)]
