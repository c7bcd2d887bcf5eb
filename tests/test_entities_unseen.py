"""Entities that hold on unseen French news (issue 14): datelines, transliterations, homonyms,
places beyond the KB with coordinates, bodies the KB lacks, dish names, region naming, names
inside longer names. Every sentence here is written for the test (none comes from a gold set)."""

from __future__ import annotations

import pytest
from extraction import entities
from spacy.language import Language

from enrich.nlp import load_nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


# ------------------------------------------------------------------------------- datelines


def test_an_upper_case_dateline_is_a_place_and_the_same_place_as_in_the_text(nlp: Language) -> None:
    found = entities(
        nlp,
        "KADUGLI (Soudan) – Des obus sont tombés mardi sur le marché central, a rapporté un "
        "médecin joint par téléphone. Les habitants de Kadugli craignent une nouvelle offensive.\n",
    )
    kadugli = [e for e in found.values() if e.surface in ("KADUGLI", "Kadugli")]
    assert len(kadugli) == 1  # one id for the dateline and the city written normally
    assert kadugli[0].type == "LOC" and kadugli[0].count == 2 and kadugli[0].location is not None


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("IJEVAN (Arménie) – Une centaine d'habitants ont bloqué la route du col lundi matin.\n", "IJEVAN"),
        ("SOTCHI – Un drone a été abattu au-dessus du port dans la nuit de samedi à dimanche.\n", "SOTCHI"),
        (
            "TILLABÉRI – Un convoi de ravitaillement a été attaqué mardi sur la route du fleuve.\n",
            "TILLABÉRI",
        ),
    ],
)
def test_dateline_cities_are_places_not_organisations(nlp: Language, text: str, dateline: str) -> None:
    (place,) = [e for e in entities(nlp, text).values() if e.surface == dateline]
    assert place.type == "LOC" and place.location is not None and not place.id.startswith("surface:")


def test_a_small_dateline_town_abroad_is_still_resolved(nlp: Language) -> None:
    found = entities(
        nlp, "SARAVENA (Colombie) – Deux policiers ont été blessés lundi soir dans une embuscade.\n"
    )
    saravena = next(e for e in found.values() if e.surface == "SARAVENA")
    assert saravena.location is not None and saravena.country == "CO"


# ------------------------------------------------------------------------------- spellings


def test_transliterations_of_one_place_are_one_entity(nlp: Language) -> None:
    found = entities(
        nlp,
        "Les frappes ont visé Zaporizhia dans la nuit, puis Zaporijia au matin, selon les autorités "
        "ukrainiennes, qui signalent aussi des dégâts à Khmelnytskyï et à Khmelnytskyi-Ouest.",
    )
    assert found["zaporijjia"].count == 2


def test_places_beyond_the_kb_have_ids_and_coordinates(nlp: Language) -> None:
    found = entities(
        nlp,
        "Des combats ont opposé lundi l'armée aux rebelles près de Rutshuru, au nord de Goma, dans "
        "l'est de la République démocratique du Congo.",
    )
    for name in ("Rutshuru", "Goma"):
        place = next(e for e in found.values() if e.surface == name)
        assert not place.id.startswith("surface:") and place.location is not None and place.country == "CD"


def test_homonyms_follow_the_articles_countries(nlp: Language) -> None:
    belgian = entities(
        nlp, "Des inondations ont touché la commune de Lens, dans le Hainaut, en Belgique, mardi."
    )
    french = entities(nlp, "Des supporters ont défilé à Lens, dans le Pas-de-Calais, en France, samedi soir.")
    belgian_lens = next(e for e in belgian.values() if e.surface == "Lens")
    french_lens = next(e for e in french.values() if e.surface == "Lens")
    assert belgian_lens.country == "BE" and french_lens.country == "FR"
    assert belgian_lens.id != french_lens.id


# ------------------------------------------------------------------------------- regions


def test_regions_are_named_by_the_gold_conventions(nlp: Language) -> None:
    found = entities(
        nlp,
        "Des débris sont tombés sur la région de Riazan, ainsi que sur les régions de Soumy et de "
        "Volhynie. Au Mali, des combats ont eu lieu dans la région de Ségou et dans le district de "
        "Kati, puis dans la province du Nord-Kivu, en RD Congo.",
    )
    assert {"oblast-de-riazan", "oblast-de-soumy", "oblast-de-volhynie"} <= set(found)
    assert "region-de-riazan" not in found and "surface:région de riazan" not in found
    assert found["region-de-segou"].location is not None  # the region, located by its town
    assert "nord-kivu" in found
    kati = next(e for e in found.values() if e.surface == "Kati")
    assert kati.id == "kati" and kati.location is not None  # "le district de X" is X


def test_a_site_named_after_its_place_is_the_place(nlp: Language) -> None:
    found = entities(nlp, "Le président a reçu son homologue au palais de Carthage, près de Tunis, jeudi.")
    assert "carthage" in found
    assert not any(key.startswith("surface:palais") for key in found)


# ------------------------------------------------------------------------------- bodies


def test_bodies_the_kb_lacks_are_kept_whole(nlp: Language) -> None:
    found = entities(
        nlp,
        "Selon le Service ukrainien des urgences, douze personnes ont été secourues. Le Conseil "
        "suprême de sécurité nationale s'est réuni, avant le sommet de la Communauté politique "
        "européenne, mardi.",
    )
    assert found["surface:service ukrainien des urgences"].type == "ORG"
    assert "surface:conseil suprême de sécurité nationale" in found
    assert "surface:communauté politique européenne" in found


def test_a_body_introduced_with_its_acronym_is_one_entity(nlp: Language) -> None:
    found = entities(
        nlp,
        "La Force multinationale mixte (FMM) a repoussé l'assaut, selon un communiqué. Un "
        "porte-parole de la FMM a ensuite confirmé le bilan. Des Casques bleus de la Mission "
        "multidimensionnelle intégrée (Minusma) ont quitté Tombouctou.",
    )
    assert found["surface:fmm"].name == "Force multinationale mixte"
    assert found["surface:fmm"].count >= 2
    assert "surface:force multinationale mixte" not in found
    assert "minusma" in found and "surface:mission multidimensionnelle intégrée" not in found  # a KB entry


def test_a_name_inside_a_longer_name_is_not_an_entity_of_its_own(nlp: Language) -> None:
    found = entities(
        nlp,
        "Le Conseil régional de Normandie a voté une aide d'urgence, trois jours après que le "
        "Conseil de l'Union européenne a adopté de nouvelles sanctions.",
    )
    assert "surface:conseil régional de normandie" in found
    assert "surface:conseil de l'union européenne" in found
    assert not any(e.surface in ("Normandie", "Union européenne") for e in found.values())


# ------------------------------------------------------------------------------- dishes


def test_places_and_people_in_dishes_and_drinks_are_not_entities(nlp: Language) -> None:
    found = entities(
        nlp,
        "Au menu du bistrot, un poulet Kiev croustillant, un bœuf Stroganov fondant, un "
        "Paris-Brest maison et, au bar, un Moscow mule bien frais. Le chef, lui, est né à Kiev.",
    )
    assert found["kiev"].count == 1  # the chef's birthplace only
    assert "moscou" not in found and "paris" not in found
    assert not any("stroganov" in key for key in found)


# ------------------------------------------------------------------------ short aliases


@pytest.mark.parametrize(
    "text",
    [
        "Le fabricant a rappelé des piles AA défectueuses vendues en France, selon la DGCCRF.",
        "L'agence a relevé à AA la note de la dette de l'entreprise, a annoncé Moody's à Paris.",
        "Kia a vendu 3 000 voitures électriques en France, selon le constructeur coréen.",
    ],
)
def test_a_short_alias_without_its_context_is_no_entity(nlp: Language, text: str) -> None:
    found = entities(nlp, text)
    assert "armee-d-arakan" not in found and "kia" not in found


def test_a_short_alias_in_its_context_is_the_entity(nlp: Language) -> None:
    # introduced with its full name, or in an article about its country
    assert "armee-d-arakan" in entities(
        nlp, "L'Armée d'Arakan (AA) a pris Sittwe. L'AA contrôle désormais l'essentiel de la côte."
    )
    assert "armee-d-arakan" in entities(
        nlp, "Dans l'ouest de la Birmanie, l'AA a lancé mardi une offensive contre la junte."
    )
    assert "kia" in entities(nlp, "Les rebelles de la KIA ont attaqué un poste de l'armée birmane.")
    # a free short alias needs nothing: "l'ONU" is the UN anywhere
    assert "onu" in entities(nlp, "L'ONU a appelé à un cessez-le-feu immédiat.")
