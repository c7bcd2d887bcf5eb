"""Places (round 11), composed names and sentences.

1. A name the gazetteer lacks is no other place of the article's country by a loose likeness:
   a skeleton key of four letters (enrich/data/gazetteer.yaml `skeleton_min_length`) matches
   some town whatever the name ("Dina" is no Digne-les-Bains, "Sigi" no Ségou), and in a
   country French names as it writes itself (`written_as_is`) a small town is not meant by an
   old or dialect name GeoNames also lists for it ("le Verdon" is no Le Verdon-sur-Mer). A
   longer key still finds the place meant, and a large town its exonym.
2. A place named with its country as a complement ("le Sud-Kivu de la République démocratique
   du Congo"; `country_complements`) is the place of that name in that country, not unknown;
   a name of no place of that country stays unknown.
3. Corse is a subdivision of France (ISO 3166-2 "Metropolitan collectivity with special
   status", `subdivision_types`), located at its seat.
"""

from __future__ import annotations

import pytest
from helpers import french_article


def _place(enricher, surface: str, *countries: str):
    return enricher.kb.place(surface, countries)


@pytest.mark.parametrize(
    ("surface", "country", "wrong"),
    [
        ("Dina", "FR", "digne-les-bains"),  # skeleton "dina"
        ("Dipi", "FR", "dieppe"),  # skeleton "dipi"
        ("Sigi", "ML", "segou"),  # skeleton "sigi"
        ("Ruhr", "DE", "rohr"),  # skeleton "rur"... four letters at most
        ("Drac", "FR", "drace"),
        ("Verdon", "FR", "le-verdon-sur-mer"),  # an alternate name of a small French town
        ("Arve", "FR", "arvert"),
    ],
)
def test_no_loose_homonym_in_the_articles_country(enricher, surface: str, country: str, wrong: str) -> None:
    found = _place(enricher, surface, country)
    assert found is None or found.id != wrong, found


def test_short_loose_name_in_an_article_is_not_located_elsewhere(enricher) -> None:
    article = french_article(
        "Des pompiers ont évacué mardi trois campings au bord du Verdon, dans les Alpes-de-Haute-"
        "Provence, en France, où un incendie menaçait les gorges."
    )
    enricher.enrich([article])
    ids = {e.id for e in article.entities if e.type == "LOC"}
    assert "le-verdon-sur-mer" not in ids, ids


@pytest.mark.parametrize(
    ("surface", "country", "expected"),
    [
        ("Dinsor", "SO", "diinsoor"),  # a longer skeleton key still finds the place meant
        ("Cologne", "DE", "koln"),  # a large town by its exonym
        ("Douvres", "FR", "douvres"),  # a small town by its own name
    ],
)
def test_guard_loose_and_exonyms_still_found(enricher, surface: str, country: str, expected: str) -> None:
    found = _place(enricher, surface, country)
    assert found is not None and found.id == expected, found


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Sud-Kivu de la République démocratique du Congo", "sud-kivu"),
        ("Tahoua du Niger", "tahoua"),
        ("Oromia de l'Éthiopie", "oromia"),
        ("Mopti du Mali", "mopti"),
    ],
)
def test_place_named_with_its_country(enricher, surface: str, expected: str) -> None:
    found = _place(enricher, surface)
    assert found is not None and found.id == expected and found.lat is not None, found


@pytest.mark.parametrize("surface", ["Kidal du Niger", "Nord du Mali"])
def test_guard_name_of_no_place_of_that_country(enricher, surface: str) -> None:
    assert _place(enricher, surface) is None


def test_corse_is_a_subdivision_of_france(enricher) -> None:
    found = _place(enricher, "Corse", "FR")
    assert found is not None and found.kind == "region" and found.country == "FR" and found.lat is not None, (
        found
    )
