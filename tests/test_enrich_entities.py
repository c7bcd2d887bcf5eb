"""Named entities with the real model: the ruler, the filters, KB resolution, aggregation."""

from __future__ import annotations

import pytest
from spacy.language import Language

from enrich.entities import aggregate, default_filters, doc_mentions, rejection
from enrich.kb import default_kb
from enrich.nlp import load_nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def ids(nlp: Language, text: str) -> dict[str, str]:
    """id -> type of the canonical entities of a text."""
    kb = default_kb()
    return {e.id: e.type for e in aggregate(doc_mentions(nlp(text), kb), kb)}


@pytest.mark.parametrize(
    ("text", "entity_id", "entity_type"),
    [
        ("A Lire: La FAB 1500 : L’arme redoutable de la Russie", "fab-1500", "WEAPON"),
        ("Moscou a largué une FAB-1500 sur la ville.", "fab-1500", "WEAPON"),
        ("L’Ukraine utilise déjà les missiles Atacms fournis par les États-Unis.", "atacms", "WEAPON"),
        ("Des drones Shahed ont visé Odessa.", "drone-shahed", "WEAPON"),
        ("Des drones Geran-2 ont visé Odessa.", "drone-shahed", "WEAPON"),
        ("Kiev réclame des systèmes Patriot et des F-16.", "patriot", "WEAPON"),
        ("Kiev réclame des systèmes Patriot et des F-16.", "f-16", "WEAPON"),
        ("Une rencontre avec des intermédiaires du Pentagone.", "pentagone", "ORG"),
        ("Pour contourner le blocage du Congrès américain, Trump envisage.", "congres-des-etats-unis", "ORG"),
        ("Le ministère russe de la Défense a déclaré.", "ministere-russe-de-la-defense", "ORG"),
        (
            "a indiqué le ministère de la Défense russe dans un communiqué.",
            "ministere-russe-de-la-defense",
            "ORG",
        ),
        ("Nom de l’opération : Spiderweb.", "operation-spiderweb", "OPERATION"),
        ("L’opération « Toile d’araignée » a surpris.", "operation-spiderweb", "OPERATION"),
        ("Le Kremlin a dénoncé cette attaque.", "kremlin", "ORG"),
        (
            "selon l’état-major des forces aériennes ukrainiennes.",
            "forces-aeriennes-ukrainiennes",
            "MILITARY",
        ),
        (
            "Poutine avait exigé de limiter la taille de l’armée ukrainienne.",
            "forces-armees-ukrainiennes",
            "MILITARY",
        ),
        ("L’accès au réseau Starlink a été coupé.", "starlink", "WEAPON"),
    ],
)
def test_ruler_finds_what_the_model_misses(
    nlp: Language, text: str, entity_id: str, entity_type: str
) -> None:
    assert ids(nlp, text).get(entity_id) == entity_type


def test_ruler_overrides_the_models_wrong_labels(nlp: Language) -> None:
    found = ids(nlp, "L’Ukraine utilise les missiles Atacms. Le Pentagone reste inquiet.")
    assert "surface:missiles atacms" not in found
    assert found["pentagone"] == "ORG"  # the model says LOC


def test_institutions_named_by_a_demonym_are_entities(nlp: Language) -> None:
    found = ids(nlp, "selon le ministère libanais de la Santé et l’armée libanaise.")
    assert found.get("surface:ministère libanais de la santé") == "ORG"
    assert found.get("surface:armée libanaise") == "MILITARY" or found.get("armee-libanaise") == "MILITARY"


def test_headline_fragments_and_sentence_starts_are_filtered(nlp: Language) -> None:
    headline = "La Grande Provocation : 390 Drones Frappe Moscou – Un Tournant dans la Guerre en Ukraine\n"
    body = (
        "Changement radical de posture\n"
        "- Renforcer ses alliances avec des puissances comme la Chine et l’Iran.\n"
        "A Lire: un autre article.\n"
        "Les Américains ont donc mis la pression sur Zelensky.\n"
        "Silencieuse depuis ce matin, l'Ukraine a finalement revendiqué l'attaque.\n"
    )
    found = ids(nlp, headline + body)
    assert set(found) == {"moscou", "ukraine", "chine", "iran", "volodymyr-zelensky"}


def test_leading_articles_are_not_part_of_names(nlp: Language) -> None:
    mentions = doc_mentions(nlp("Renforcer ses alliances avec la Chine et l’OTAN."), default_kb())
    assert {m.surface for m in mentions} == {"Chine", "OTAN"}


def test_unknown_names_keep_their_surface_form(nlp: Language) -> None:
    found = ids(
        nlp,
        "Certains commentateurs se montrent affirmatifs, notamment Steve Rosenberg de la BBC. "
        "« C'est un signal », a déclaré Andriï Kovalenko, le porte-parole du centre.",
    )
    assert found["surface:steve rosenberg"] == "PER"
    assert found["surface:andriï kovalenko"] == "PER"
    assert found["bbc"] == "ORG"


def test_partial_names_corefer_within_a_document(nlp: Language) -> None:
    found = ids(
        nlp, "Vladimir Poutine a parlé. Un signal adressé à [Vladimir] Poutine. Volodymyr, peux-tu frapper ?"
    )
    assert "surface:vladimir" not in found
    assert "vladimir-poutine" in found


def test_compound_names_are_split_into_known_entities(nlp: Language) -> None:
    found = ids(nlp, "Le nombre de frappes a augmenté un mois après la rencontre Trump-Poutine.")
    assert {"donald-trump", "vladimir-poutine"} <= set(found)


def test_cities_after_region_nouns_are_regions(nlp: Language) -> None:
    found = ids(
        nlp, "Des drones ont visé les régions de Kharkiv, de Soumy et de Poltava. Kharkiv est touchée."
    )
    assert {"oblast-de-kharkiv", "oblast-de-soumy", "oblast-de-poltava", "kharkiv"} <= set(found)


def test_source_platforms_are_not_entities(nlp: Language) -> None:
    assert "surface:telegram" not in ids(nlp, "a indiqué le député Andreï Vorobiov sur Telegram.")


def test_mentions_are_counted_once_per_entity(nlp: Language) -> None:
    kb = default_kb()
    entities = aggregate(doc_mentions(nlp("Kiev et Kyiv. Puis Kyïv encore. Moscou."), kb), kb)
    by_id = {e.id: e for e in entities}
    assert by_id["kiev"].count == 3
    assert by_id["kiev"].location is not None and by_id["kiev"].qid == "Q1899"
    assert by_id["kiev"].surface == "Kiev"


def test_generic_weapon_classes_are_not_entities(nlp: Language) -> None:
    assert "drone" not in ids(nlp, "Une attaque de drones a visé Moscou.")


def test_rejection_reasons(nlp: Language) -> None:
    kb, filters = default_kb(), default_filters()
    doc = nlp("Renforcer la coopération. Il parle de Congrès.")
    assert rejection(doc[0:1], "ORG", kb, filters) == "single_pos"
    doc = nlp("Les Ukrainiens ont voté.")
    assert rejection(doc[1:2], "LOC", kb, filters) in {"demonym", "no_propn"}
