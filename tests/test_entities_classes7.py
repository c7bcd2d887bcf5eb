"""Entity error classes read on heldout16-18 (round 11), tested on sentences written for the test
(none comes from a gold set): bodies whose name French writes as a capitalised common noun and a
lowercase adjective ("la Protection civile"), facilities named by their noun and a name ("l'hôpital
Hadassah", "le stade Vélodrome"), named operations cut at a hyphen, a département's fire service
("le SDIS 13"), a region's police the model left untagged, and the comparison of a region the
gazetteer names natively ("lombardia-it") with its French slug."""

from __future__ import annotations

import pytest
from extraction import entities

from enrich.kb import canonical_place_id, default_kb
from enrich.pipeline import Enricher

# ------------------------------------------- a capitalised noun and its adjective name a body


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "À Naples, la Protection civile a ouvert trois centres d'accueil pour les sinistrés.\n",
            "protection civile",
        ),
        ("Mardi, la Sécurité intérieure a démantelé une cellule à Homs.\n", "sécurité intérieure"),
        (
            "Selon l'Inspection générale de la police nationale, trois agents sont visés par une enquête.\n",
            "inspection générale de la police nationale",
        ),
        ("Dimanche, la Sécurité civile a dépêché deux Canadair au-dessus de Martigues.\n", "securite-civile"),
        ("Dans la soirée, Météo-France a levé la vigilance orange sur le Var.\n", "meteo-france"),
    ],
)
def test_a_body_named_by_a_capitalised_noun_and_its_adjective(
    enricher: Enricher, text: str, name: str
) -> None:
    found = entities(enricher.nlp, text)
    assert name in found or f"surface:{name}" in found, sorted(found)


@pytest.mark.parametrize(
    "text",
    [
        "Lundi, le ministre de la Sécurité publique a porté le bilan à 24 morts.\n",
        "Selon le secrétaire à la Sécurité publique, quarante suspects ont été arrêtés.\n",
        "Samedi, la Marine a tiré deux salves au large de Toulon.\n",
        "Depuis mardi, l'État a mobilisé mille gendarmes à Nouméa.\n",
        "La Constitution arménienne interdit cela, a déclaré le président.\n",
    ],
)
def test_a_portfolio_a_lone_noun_or_a_state_adjective_is_no_body(enricher: Enricher, text: str) -> None:
    found = entities(enricher.nlp, text)
    assert not any(i.startswith("surface:") or "securite" in i or "constitution" in i for i in found), sorted(
        found
    )


# ------------------------------------------------- a facility named by its noun and a name


@pytest.mark.parametrize(
    ("text", "name", "not_name"),
    [
        ("Deux blessés ont été admis à l'hôpital Hadassah, à Jérusalem.\n", "hopital-hadassah", "hadassah"),
        ("Les blessés ont été conduits à la clinique Pasteur de Toulouse.\n", "clinique-pasteur", "pasteur"),
        (
            "Le match s'est joué au stade Vélodrome devant 60 000 spectateurs.\n",
            "stade-velodrome",
            "velodrome",
        ),
        (
            "Des milliers de manifestants se sont rassemblés sur la place Tahrir vendredi.\n",
            "place-tahrir",
            "tahrir",
        ),
    ],
)
def test_a_facility_named_by_its_noun_and_a_name(
    enricher: Enricher, text: str, name: str, not_name: str
) -> None:
    found = {
        i.removeprefix("surface:").replace(" ", "-").replace("é", "e").replace("ô", "o")
        for i in entities(enricher.nlp, text)
    }
    assert name in found and not_name not in found, sorted(found)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Deux blessés ont été transportés à l'hôpital de Kherson dans la nuit.\n", "kherson"),
        ("Le Stade rennais a battu Lens samedi soir.\n", "surface:stade rennais"),
    ],
)
def test_a_facility_of_a_town_or_a_club_is_unchanged(enricher: Enricher, text: str, name: str) -> None:
    found = entities(enricher.nlp, text)
    assert name in found and not any("hopital" in i or "hôpital" in i for i in found), sorted(found)


# ------------------------------------------------------------ named operations, whole


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "L'armée a lancé mardi l'opération Bouclier-Sud dans la province de Cabo Delgado.\n",
            "surface:opération bouclier-sud",
        ),
        (
            "Depuis le début de l'opération Tonnerre-Bleu, vingt rebelles ont été tués.\n",
            "surface:opération tonnerre-bleu",
        ),
        (
            "En mars, l'état-major avait lancé l’opération Haskanite après une embuscade.\n",
            "surface:opération haskanite",
        ),
        (
            "Le Hamas dénonce depuis l'opération « Mur de fer » le bouclage de Tulkarem.\n",
            "operation-mur-de-fer",
        ),
        (
            "Les soldats engagés dans l'opération « Rempart du Sahel » ont été relevés jeudi.\n",
            "operation-rempart-du-sahel",
        ),
    ],
)
def test_a_named_operation_is_whole(enricher: Enricher, text: str, name: str) -> None:
    found = entities(enricher.nlp, text)
    slugs = {canonical_place_id(i) if not i.startswith("surface:") else i for i in found}
    from enrich.evaluate import canonical_id

    assert canonical_id(name) in {canonical_id(i) for i in slugs}, sorted(found)


@pytest.mark.parametrize(
    "text",
    [
        "Le ministre a salué la fin de l'opération. Kiev a réagi dans la soirée.\n",
        "La police a mené une opération de contrôle à Marseille.\n",
    ],
)
def test_an_operation_without_a_name_is_none(enricher: Enricher, text: str) -> None:
    found = entities(enricher.nlp, text)
    assert not any("operation" in i or "opération" in i for i in found), sorted(found)


# ------------------------------------------- a fire service, a region's police


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Les pompiers du SDIS de la Gironde ont lutté toute la nuit contre le feu.\n",
            "surface:sdis de la gironde",
        ),
        ("Plus de 200 pompiers du SDIS 13 sont intervenus à Vitrolles.\n", "surface:sdis 13"),
        ("Le SDIS du Var a engagé trois colonnes de renfort.\n", "surface:sdis du var"),
        (
            "Deux suspects ont été arrêtés, selon la police du Khyber Pakhtunkhwa.\n",
            "surface:police du khyber pakhtunkhwa",
        ),
    ],
)
def test_a_fire_service_or_a_region_police_is_named_whole(enricher: Enricher, text: str, name: str) -> None:
    found = entities(enricher.nlp, text)
    assert name in found, sorted(found)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Selon la police de Kirkouk, deux hommes ont été tués.\n", "kirkuk"),
        ("Les moyens du SDIS ont été engagés toute la nuit.\n", "surface:sdis"),
    ],
)
def test_a_town_police_or_a_bare_sdis_is_unchanged(enricher: Enricher, text: str, name: str) -> None:
    found = entities(enricher.nlp, text)
    assert name in found and not any(i.startswith("surface:police") for i in found), sorted(found)


# ------------------------------------- a region the gazetteer names natively, compared in French


@pytest.mark.parametrize(("native", "french"), [("lombardia-it", "lombardie"), ("campania-it", "campanie")])
def test_a_native_region_id_compares_with_its_french_slug(native: str, french: str) -> None:
    kb = default_kb()
    place = kb.gazetteer.by_id(native) if kb.gazetteer is not None else None
    if place is None:
        pytest.skip("gazetteer unavailable")
    kb.place_entry(place)  # as after an article named it
    canonical_place_id.cache_clear()
    assert canonical_place_id(native) == canonical_place_id(french)


def test_a_town_id_with_a_country_suffix_is_still_its_town() -> None:
    kb = default_kb()
    place = kb.gazetteer.by_id("bassa-ng") if kb.gazetteer is not None else None
    if place is None:
        pytest.skip("gazetteer unavailable")
    kb.place_entry(place)
    canonical_place_id.cache_clear()
    assert canonical_place_id("bassa-ng") == canonical_place_id("bassa")
