"""Places (round 10), composed sentences.

1. A subdivision that ISO 3166-2 names by its seat's adjective and French by the seat's name
   ("Lubelskie" is "Lublin", "Liberecký kraj" "Liberec", "Košický kraj" "Košice") is located at
   that town and named apart from it by its noun ("la région de Lublin" -> voivodie-de-lublin);
   the town itself stays the town (enrich/gazetteer build_index).
2. The subdivision a sentence sets an event's town in ("..., dans la région de X, ...") is one of
   the event's places even when the parse hangs it outside the trigger's phrase
   (enrich/events/places.py `Places._containers`, gazetteer.yaml `container_cases`); not a
   region of another country, nor one named by an official's title ("le gouverneur de la région
   de X").
"""

from __future__ import annotations

import pytest
from helpers import french_article, mentions


def _places(enricher, text: str) -> dict[str, bool]:
    """The article's LOC entities: id -> located at the place's own point."""
    article = french_article(text)
    enricher.enrich([article])
    return {
        e.id: e.location is not None and e.precision in (None, "exact")
        for e in article.entities
        if e.type == "LOC"
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Un drone s'est écrasé sur une grange dans la région de Lublin, en Pologne.", "voivodie-de-lublin"),
        ("Deux drones sont tombés dans la région de Łódź, au centre de la Pologne.", "voivodie-de-lodz"),
        (
            "Une explosion a endommagé une usine dans la région de Liberec, en République tchèque.",
            "region-de-liberec",
        ),
        (
            "Un dépôt de munitions a explosé dans la région de Košice, dans l'est de la Slovaquie.",
            "region-de-koshice",
        ),
        ("Des incendies ont ravagé la région de Zadar, en Croatie, depuis samedi.", "comte-de-zadar"),
    ],
)
def test_subdivision_named_after_its_seat(enricher, text: str, expected: str) -> None:
    places = _places(enricher, text)
    assert places.get(expected) is True, places


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the town itself, without a region noun
        ("Un drone russe s'est écrasé près de Lublin, en Pologne.", "lublin"),
        # a voivodeship French names otherwise keeps its id
        ("Des inondations ont frappé la Mazovie, en Pologne.", "mazowieckie"),
    ],
)
def test_towns_and_other_subdivisions_unchanged(enricher, text: str, expected: str) -> None:
    assert expected in _places(enricher, text)


def _event_places(enricher, text: str) -> list[list[str]]:
    return [[p.id for p in m.places] for m in mentions(enricher, text)]


@pytest.mark.parametrize(
    ("text", "town", "region"),
    [
        (
            "Annoncé lundi soir à « au moins sept morts » par le ministère de la Défense, le nombre de "
            "soldats tués dans l'attaque du poste de Tillia, dans la région de Tahoua, a été porté "
            "mercredi à douze par des notables locaux.",
            "tillia",
            "region-de-tahoua",
        ),
        (
            "Annoncé lundi soir à « au moins trois morts » par le gouverneur, le nombre de civils tués "
            "dans le bombardement de Nikopol, dans la région de Dnipropetrovsk, a été porté mardi à six "
            "par les secours.",
            "nikopol",
            "oblast-de-dnipropetrovsk",
        ),
        (
            "Annoncé samedi soir à « au moins deux morts » par le gouverneur, le nombre de civils tués "
            "dans le bombardement de Chebekino, dans la région de Belgorod, a été porté dimanche à cinq "
            "par les autorités.",
            "shebekino",
            None,
        ),
        (
            "Annoncé lundi soir à « un mort » par le gouverneur, le nombre de civils tués dans le "
            "bombardement de Krasnopillia, dans la région de Soumy, a été porté mardi à trois par la police.",
            "krasnopillya",
            "oblast-de-soumy",
        ),
    ],
)
def test_the_region_a_town_is_set_in(enricher, text: str, town: str, region: str | None) -> None:
    found = _event_places(enricher, text)
    assert found and all(town in places for places in found), found
    # the region, after the town (Belgorod's oblast under whichever id the KB gives it)
    assert all(len(places) == 2 and places.index(town) == 0 for places in found), found
    if region is not None:
        assert all(region in places for places in found), found


@pytest.mark.parametrize(
    "text",
    [
        # a region of another country (the launch site) is no place of the strike
        "Annoncé lundi soir à « deux morts » par Kiev, le nombre de civils tués dans le bombardement "
        "de Soumy, mené depuis la Russie, dans la région de Belgorod, a été porté mardi à quatre.",
        # a region named by an official's title
        "Annoncé lundi soir à « deux morts », le nombre de civils tués dans le bombardement de "
        "Kramatorsk a été porté mardi à quatre par le gouverneur de la région de Donetsk.",
    ],
)
def test_no_region_of_another_country_or_title(enricher, text: str) -> None:
    found = _event_places(enricher, text)
    assert found and all(len(places) == 1 for places in found), found
