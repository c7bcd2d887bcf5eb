"""Places beyond the KB (issue 14, item 7), by class of miss on unseen news: places named inside
a body's description are places too, ... Every sentence here is written for the test (none comes
from a gold set), with other countries and names than the dev sets'."""

from __future__ import annotations

import pytest
from extraction import entities
from spacy.language import Language

from enrich.nlp import load_nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


# ------------------------------------------------- places inside a body's description


@pytest.mark.parametrize(
    ("text", "place_id", "surface"),
    [
        (
            "Un enseignant de l'université de Mongo a été tué samedi au Tchad, a affirmé le rectorat.\n",
            "mongo",
            "Mongo",
        ),
        (
            "Les agents de la prison ont été pris à partie jeudi au Pérou, a annoncé le parquet "
            "de Chachapoyas.\n",
            "chachapoyas",
            "Chachapoyas",
        ),
        (
            "Au Kenya, la police de Garissa a arrêté trois suspects après l'explosion d'une "
            "bombe artisanale.\n",
            "garissa",
            "Garissa",
        ),
        (
            "Un étudiant de l'université de Bhagalpur a été enlevé mercredi au Bihar, dans l'est "
            "de l'Inde.\n",
            "bhagalpur",
            "Bhagalpur",
        ),
    ],
)
def test_a_place_named_in_a_body_s_description_is_a_place(
    nlp: Language, text: str, place_id: str, surface: str
) -> None:
    found = entities(nlp, text)
    assert place_id in found, sorted(found)
    place = found[place_id]
    assert place.type == "LOC" and place.location is not None and place.surface == surface


def test_a_place_the_gazetteer_lacks_in_a_body_s_description_is_located_by_the_text(nlp: Language) -> None:
    found = entities(
        nlp,
        "En Papouasie-Nouvelle-Guinée, des hommes armés ont incendié le poste de police de "
        "Kundiawaka, à une vingtaine de kilomètres de Mount Hagen.\n",
    )
    place = found.get("kundiawaka") or found.get("surface:kundiawaka")
    assert place is not None and place.type == "LOC", sorted(found)
    assert place.location is not None


def test_a_body_named_by_a_proper_name_keeps_its_inner_names_to_itself(nlp: Language) -> None:
    """Guard: a capitalised body ("le Conseil régional de X") is one name, as before; and a
    ministry's portfolio is no place."""
    for text, word in (
        ("Le ministère de la Défense a démenti lundi, au Mali, toute présence étrangère.\n", "Défense"),
        ("Aucune donnée n'a été volée au Kenya, selon le ministère du Numérique.\n", "Numérique"),
    ):
        found = entities(nlp, text)
        assert not any(e.type == "LOC" and e.surface == word for e in found.values()), sorted(found)


# ------------------------------- names the model took for a person or a group, where places go


@pytest.mark.parametrize(
    ("text", "place_id", "surface"),
    [
        # the complement of a common noun by "de" (a name the model took for a group)
        (
            "Les miliciens ont repris le contrôle de Buuhoodle après la perte de Las Qoray la "
            "semaine dernière, en Somalie.\n",
            "las-khorey",
            "Las Qoray",
        ),
        # the object of "sur", a passive verb (a name the model took for an organisation)
        (
            "Des bombes guidées ont été larguées sur Velyka Pysarivka, dans la région de Soumy, "
            "en Ukraine.\n",
            "velyka-pysarivka",
            "Velyka Pysarivka",
        ),
        # a site noun's complement, a name the model took for a person, spelt the French way
        (
            "Des frappes ont visé des habitations de Khan Cheikhoun, dans la province d'Idleb, en Syrie.\n",
            "khan-shaykhun",
            "Khan Cheikhoun",
        ),
        # the second object of "sur", after another place
        (
            "Des obus sont tombés sur Zolota Balka, puis sur des maisons de Mala Tokmachka, en Ukraine.\n",
            "mala-tokmachka",
            "Mala Tokmachka",
        ),
    ],
)
def test_a_name_the_parse_puts_where_places_go_is_a_place(
    nlp: Language, text: str, place_id: str, surface: str
) -> None:
    found = entities(nlp, text)
    assert place_id in found, sorted(found)
    place = found[place_id]
    assert place.type == "LOC" and place.location is not None and place.surface == surface


@pytest.mark.parametrize(
    ("text", "person"),
    [
        # a person after "de" of a person's noun stays a person, whatever towns bear the name
        ("Le fils de Roch Kaboré a été reçu mercredi à Ouagadougou, au Burkina Faso.\n", "Roch Kaboré"),
        ("Le gouvernement de Choguel Maïga a démissionné jeudi au Mali, selon un décret.\n", "Choguel Maïga"),
    ],
)
def test_a_person_after_de_stays_a_person(nlp: Language, text: str, person: str) -> None:
    found = entities(nlp, text)
    (mention,) = [e for e in found.values() if e.surface == person]
    assert mention.type == "PER"


def test_a_dish_named_after_a_town_is_no_place(nlp: Language) -> None:
    """Guard: a dish after a locative preposition is still a dish ("sur un poulet Kiev")."""
    found = entities(
        nlp,
        "Au restaurant de Lviv, en Ukraine, le chef a versé une sauce sur le bœuf Stroganov.\n",
    )
    assert not any(e.type == "LOC" and "Stroganov" in e.surface for e in found.values()), sorted(found)


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        # names no gazetteer place bears, where only places are named: kept as places, located
        # by the place the text ties them to
        (
            "Les combattants sont retranchés sur la route de Dhuusamarreeb Bari, à une trentaine "
            "de kilomètres de Galkayo, en Somalie.\n",
            "Dhuusamarreeb Bari",
        ),
        (
            "Les shebab tiennent toujours la route d'El Dheer Yare, au nord de Mogadiscio, en Somalie.\n",
            "El Dheer Yare",
        ),
        (
            "Les rebelles contrôlent la route d'Abdi Moussa Kébir, à l'est d'Abéché, au Tchad.\n",
            "Abdi Moussa Kébir",
        ),
        (
            "Des roquettes sont tombées sur la piste d'Omar Ibn Khattab, près de Kirkouk, en Irak.\n",
            "Omar Ibn Khattab",
        ),
        (
            "Le commissariat d'Ibrahim Yacouba Koira a été incendié, au nord de Tillabéri, au Niger.\n",
            "Ibrahim Yacouba Koira",
        ),
    ],
)
def test_an_unknown_name_where_only_places_are_named_is_a_located_place(
    nlp: Language, text: str, surface: str
) -> None:
    found = entities(nlp, text)
    (place,) = [e for e in found.values() if e.surface == surface] or [None]
    assert place is not None and place.type == "LOC", sorted(found)
    assert place.location is not None


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("La feuille de route de Mahamat Déby prévoit des élections en 2026 au Tchad.\n", "Mahamat Déby"),
        (
            "Le chef de file de l'opposition a présenté la feuille de route d'Ismaël Wagué, au Mali.\n",
            "Ismaël Wagué",
        ),
    ],
)
def test_a_person_s_road_map_is_no_road(nlp: Language, text: str, person: str) -> None:
    """Guard: "la feuille de route de X" is a person's plan, not a road to a place X."""
    found = entities(nlp, text)
    (mention,) = [e for e in found.values() if e.surface == person]
    assert mention.type == "PER"


# -------------------------------------------- airfields, garrisons, terminals named after their town


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        (
            "Des drones ukrainiens ont visé l'aérodrome de Millerovo, dans la région de Rostov, en Russie.\n",
            "millerovo",
        ),
        ("Des drones ont frappé l'aérodrome de Marinovka, en Russie.\n", "marinovka"),
        ("Des drones ont touché l'aérodrome de Yeysk, en Russie.\n", "yeysk"),
        ("Des frappes ont visé l'aérodrome de Chaayrate, en Syrie.\n", "chaayrate"),
        ("Les soldats ont quitté la garnison de Léré, au Mali.\n", "lere"),
    ],
)
def test_a_site_named_after_its_town_is_the_town(nlp: Language, text: str, place_id: str) -> None:
    found = entities(nlp, text)
    assert place_id in found, sorted(found)
    assert found[place_id].type == "LOC" and found[place_id].location is not None
    assert not any(key.startswith(("aerodrome-", "garnison-")) for key in found), sorted(found)


def test_a_site_noun_without_a_name_is_no_place(nlp: Language) -> None:
    """Guard: "le terminal de chargement" names no town."""
    found = entities(nlp, "Le terminal de chargement et les quais ont été fermés lundi au Gabon.\n")
    assert sorted(k for k, e in found.items() if e.type == "LOC") == ["gabon"], sorted(found)
