"""Entity error classes read on heldout5/heldout6 (issue 14), tested on sentences written for
the test (none comes from a gold set): a place named inside the name of an attack or a
massacre, a KB body's name that goes on into another body's name with its own acronym,
sport clubs that are no places, national armies named with their acronym."""

from __future__ import annotations

import pytest
from extraction import entities
from spacy.language import Language

from enrich.nlp import load_nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


# ------------------------------------------------ a place inside the name of a violent event


@pytest.mark.parametrize(
    ("text", "place"),
    [
        (
            "L'attentat de Sangaredi, qui avait coûté la vie à neuf personnes, n'a jamais été revendiqué.\n",
            "Sangaredi",
        ),
        ("Depuis l'embuscade de Mogodé, les convois ne circulent plus qu'escortés par l'armée.\n", "Mogodé"),
        ("Après la tuerie de Kambélé, le gouverneur a décrété trois jours de deuil.\n", "Kambélé"),
        ("Le souvenir de l'attaque de Solenzo hante encore les habitants.\n", "Solenzo"),
        ("Le bombardement de Tabarbar a fait six morts, selon un élu.\n", "Tabarbar"),
    ],
)
def test_a_place_named_in_an_attack_s_name_is_the_place(nlp: Language, text: str, place: str) -> None:
    found = entities(nlp, text)
    assert not [e for e in found.values() if e.type == "MISC"], found
    assert any(e.type == "LOC" and e.surface == place for e in found.values()), found


# ------------------------------------- a KB body's name going on into another body's name


@pytest.mark.parametrize(
    ("text", "acronym"),
    [
        (
            "Des combattants de l'Armée de libération nationale shan (SSNLA) ont pris un poste "
            "frontalier mardi.\n",
            "ssnla",
        ),
        (
            "L'Armée de libération nationale du Tigré (TNLA) affirme avoir repoussé une offensive "
            "dans la nuit.\n",
            "tnla",
        ),
        (
            "Selon le Front de libération nationale kanak (FLNKS), la réunion a été reportée.\n",
            "flnks",
        ),
    ],
)
def test_a_longer_name_with_its_own_acronym_is_not_the_kb_body(
    nlp: Language, text: str, acronym: str
) -> None:
    found = entities(nlp, text)
    assert "eln" not in found and "fln" not in found, found
    assert acronym in found or any(i.endswith(acronym) for i in found), found


# --------------------------------------------------------- sport clubs are not places


@pytest.mark.parametrize(
    ("text", "club", "city"),
    [
        (
            "Le Stade brestois a battu le Racing de Strasbourg (2-1) dimanche après-midi.\n",
            "Stade brestois",
            "brest",
        ),
        (
            "Le Standard de Charleroi s'est incliné face au Sporting de Lisbonne en match amical.\n",
            "Standard de Charleroi",
            "charleroi",
        ),
        (
            "Battu samedi, l'Olympique de Marseille recule à la quatrième place du classement.\n",
            "Olympique de Marseille",
            "marseille",
        ),
    ],
)
def test_a_sport_club_is_an_organisation_not_its_city(nlp: Language, text: str, club: str, city: str) -> None:
    found = entities(nlp, text)
    assert any(e.surface == club and e.type == "ORG" for e in found.values()), found
    assert city not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Les Lillois ont ouvert le score dès la dixième minute.\n",
        "Menés à la pause, les Grenoblois ont renversé la rencontre en seconde période.\n",
        "Le public a longuement applaudi les Angevines après leur qualification.\n",
    ],
)
def test_a_plural_noun_of_inhabitants_is_no_place(nlp: Language, text: str) -> None:
    found = entities(nlp, text)
    assert not [e for e in found.values() if e.type in ("LOC", "MISC")], found


# ------------------------------------ national armies and capitals named in several ways


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Les FACA ont repris le contrôle de la localité jeudi.\n", "forces-armees-centrafricaines"),
        ("L'armée centrafricaine a repris le contrôle de la localité.\n", "forces-armees-centrafricaines"),
        (
            "Des navires de l'Armée populaire de libération (APL) ont croisé au large de l'île.\n",
            "armee-populaire-de-liberation",
        ),
        (
            "Une patrouille de l'armée indonésienne (TNI) a été prise pour cible.\n",
            "forces-armees-indonesiennes",
        ),
        ("Le ministre s'est rendu mardi à New Delhi pour des consultations.\n", "new-delhi"),
    ],
)
def test_famous_bodies_and_capitals_take_their_kb_id(nlp: Language, text: str, entity: str) -> None:
    assert entity in entities(nlp, text)


# ------------------------------------------------------- names the model cut before their end


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Le dirigeant taïwanais Su Tseng-chang a reçu la délégation mardi.\n", "Su Tseng-chang"),
        (
            "Deux soldats ont été tués dans le district de Tanjung Karang, selon la police locale.\n",
            "Tanjung Karang",
        ),
        ("Le méthanier Golden Orchid Star a été arraisonné au large des côtes.\n", "Golden Orchid Star"),
    ],
)
def test_a_name_the_model_cut_is_kept_whole(nlp: Language, text: str, name: str) -> None:
    found = entities(nlp, text)
    assert any(e.surface == name for e in found.values()), found


# --------------------------------------- bodies named by a common noun and a state or a town


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Mardi, la police estonienne a interpellé deux suspects.\n", "police estonienne"),
        ("Les garde-côtes libyens ont intercepté une embarcation au large.\n", "garde-côtes libyens"),
        ("Un affrontement a opposé des rebelles à la police du Balouchistan.\n", "police du Balouchistan"),
        ("Un chercheur de l'université de Gdansk a analysé les images.\n", "université de Gdansk"),
        ("Le parquet de Marseille a ouvert une enquête jeudi.\n", "parquet de Marseille"),
        (
            "Le secrétaire du Conseil de sécurité nationale arménien a démissionné.\n",
            "Conseil de sécurité nationale",
        ),
    ],
)
def test_a_body_named_by_a_common_noun_and_its_state_or_town(nlp: Language, text: str, surface: str) -> None:
    found = entities(nlp, text)
    assert any(e.surface.startswith(surface) and e.type in ("ORG", "MILITARY") for e in found.values()), found
    assert "conseil-de-securite-de-l-onu" not in found


# ---------------------------------------------- "la région <demonym> de X" in an oblast state


@pytest.mark.parametrize(
    ("text", "oblast"),
    [
        (
            "Une frappe a touché une ferme dans la région ukrainienne de Poltava, selon le gouverneur.\n",
            "oblast-de-poltava",
        ),
        ("Une raffinerie a pris feu dans la région russe de Riazan après une attaque.\n", "oblast-de-riazan"),
        (
            "Deux villages de la région ukrainienne de Jytomyr ont été privés d'électricité.\n",
            "oblast-de-jytomyr",
        ),
    ],
)
def test_a_region_named_with_its_state_s_adjective_is_the_oblast(
    nlp: Language, text: str, oblast: str
) -> None:
    assert oblast in entities(nlp, text)


# ------------------------------- a hamlet, an archipelago, a desert, a pipeline: the name


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Six bergers ont été enlevés dans le hameau de Toukoro, près de la frontière.\n", "Toukoro"),
        ("Des vedettes ont été repérées au large de l'archipel de Matsu dimanche.\n", "Matsu"),
        ("Le convoi s'est perdu dans le désert du Ténéré pendant trois jours.\n", "Ténéré"),
    ],
)
def test_a_place_named_after_a_common_noun_is_the_name(nlp: Language, text: str, surface: str) -> None:
    found = entities(nlp, text)
    assert [e.surface for e in found.values()] == [surface], found


# ------------------------------------------- brands the tagger reads as foreign words or adverbs


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Transavia, la filiale à bas coûts d'un grand groupe, observe la situation.\n", "Transavia"),
        ("La compagnie easyJet a annoncé la suppression de deux cents vols.\n", "easyJet"),
        ("Mardi, easyJet a annoncé des billets à 19 francs vers Lisbonne.\n", "easyJet"),
    ],
)
def test_a_brand_the_tagger_misreads_is_kept(nlp: Language, text: str, surface: str) -> None:
    found = entities(nlp, text)
    assert any(e.surface == surface and e.type == "ORG" for e in found.values()), found


# ------------------------------------------------------------- ids compare by the place's name


def test_a_place_located_by_the_text_compares_by_its_name() -> None:
    from enrich.kb import canonical_place_id, default_kb

    kb = default_kb()
    anchor = kb.get("goma")
    assert anchor is not None
    made = kb.located_near("Baraka", "locality", "CD", anchor, "city")
    assert made.id == "baraka-cd"  # the gazetteer holds "baraka" for another Baraka
    assert canonical_place_id("baraka-cd") == canonical_place_id("baraka")
    # a town's own name is not read as the alternate name of a larger town abroad
    assert canonical_place_id("bassa") == "bassa"


# ------------------------------------------------------- a headline's topic word is no name


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Cyberattaque : l'hôpital de Quimper paralysé, le groupe Qilin revendique\n", "quimper"),
        ("Rançongiciel : la mairie de Brest paralysée depuis lundi\n", None),
        ("Soudan : des obus tombent sur Omdourman\n", "soudan"),
    ],
)
def test_a_headline_s_topic_word_is_no_place(nlp: Language, text: str, kept: str | None) -> None:
    found = entities(nlp, text)
    assert not [e for e in found.values() if e.surface in ("Cyberattaque", "Rançongiciel")], found
    if kept is not None:
        assert kept in found


def test_a_game_s_platform_is_no_entity(nlp: Language) -> None:
    assert entities(nlp, "Le jeu sort le 11 décembre sur PC et sur console.\n") == {}


def test_a_region_named_back_by_a_pronoun_is_a_region_too(nlp: Language) -> None:
    found = entities(
        nlp,
        "L'armée russe dit avoir détruit 60 drones, dont 30 au-dessus de la région de Briansk, "
        "18 au-dessus de celle d'Orel et 12 au-dessus de celle de Smolensk.\n",
    )
    assert {"oblast-de-orel", "oblast-de-smolensk"} <= set(found) or {
        "oblast-d-orel",
        "oblast-de-smolensk",
    } <= set(found), found
    town = entities(nlp, "Le ministre a visité la ville de Koursk et celle de Briansk.\n")
    assert not any(i.startswith("oblast-") for i in town), town
