"""Event dates stated in French text, resolved against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from enrich.dates import entry_reference, resolve_date

TUESDAY = date(2025, 3, 11)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("Le 11 mars 2025, l’Ukraine a mené la plus grande attaque", TUESDAY, date(2025, 3, 11)),
        ("dans la nuit de lundi à mardi a indiqué le ministère", TUESDAY, date(2025, 3, 11)),
        (
            "La nuit de samedi à dimanche a été marquée par une attaque",
            date(2024, 11, 10),
            date(2024, 11, 10),
        ),
        # A Sunday night read on a Wednesday is the Sunday before, never the next one.
        ("dans la nuit de samedi à dimanche", date(2024, 11, 13), date(2024, 11, 10)),
        ("En juin, une attaque spectaculaire", date(2025, 7, 15), date(2025, 6, 1)),
        ("En juillet, une attaque", date(2025, 3, 11), date(2024, 7, 1)),
        ("ce mardi 11 mars, pour discuter", TUESDAY, date(2025, 3, 11)),
        ("doivent se rencontrer ce mardi", date(2025, 3, 10), date(2025, 3, 11)),
        ("hier soir, un drone a frappé", TUESDAY, date(2025, 3, 10)),
        ("Une nouvelle réunion demain à l'Élysée", date(2025, 3, 10), date(2025, 3, 11)),
        ("Le 1er août, les combats", date(2025, 8, 20), date(2025, 8, 1)),
        ("lundi, une frappe a touché Kharkiv", TUESDAY, date(2025, 3, 10)),
    ],
)
def test_stated_dates(text: str, reference: date, expected: date) -> None:
    assert resolve_date(text, reference) == expected


def test_no_date_stated_is_none() -> None:
    assert resolve_date("Les frappes ont fait deux morts.", TUESDAY) is None


def test_impossible_date_is_not_invented() -> None:
    assert resolve_date("le 31 février 2025", TUESDAY) is None


def test_la_veille_counts_from_the_paragraph_event() -> None:
    assert resolve_date("la veille au soir, un drone", TUESDAY) == date(2025, 3, 10)
    assert resolve_date("la veille au soir, un drone", TUESDAY, anchor=date(2025, 3, 8)) == date(2025, 3, 7)


def test_live_blog_entry_header_is_a_reference_not_an_event_date() -> None:
    line = "10/03/25 - 23:43 - Une nouvelle réunion demain à l'Élysée"
    assert entry_reference(line) == date(2025, 3, 10)
    assert resolve_date(line, date(2025, 3, 10)) == date(2025, 3, 11)
    assert entry_reference("10:04 - Le bilan s'alourdit") is None
