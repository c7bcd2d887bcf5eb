"""The knowledge base: aliases, transliterations, elision, demonyms, gazetteer, schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.kb import DataFileError, default_kb, load_kb
from enrich.text import fold, slugify, strip_article


@pytest.mark.parametrize(
    ("surfaces", "entity_id"),
    [
        (["Kiev", "Kyiv", "Kyïv", "KYIV"], "kiev"),
        (["Vorobiov", "Vorobyov", "Andreï Vorobiov", "Andrey Vorobyov"], "andrei-vorobiov"),
        (["Zelensky", "Zelenski", "Volodymyr Zelensky", "Zelenskyy"], "volodymyr-zelensky"),
        (["Poutine", "Vladimir Poutine", "Putin"], "vladimir-poutine"),
        (["OTAN", "NATO", "Otan", "l'OTAN", "l’Otan"], "otan"),
        (["région de Moscou", "oblast de Moscou", "Moscow Oblast"], "oblast-de-moscou"),
        (["Moscou", "Moscow"], "moscou"),
        (["Arabie saoudite", "Arabie Saoudite"], "arabie-saoudite"),
        (["Djeddah", "Jeddah"], "djeddah"),
        (["Louhansk", "Luhansk", "Lougansk"], "louhansk"),
        (["Etats-Unis", "États-Unis", "les États-Unis"], "etats-unis"),
        (["Saint-Pétersbourg", "Saint Pétersbourg"], "saint-petersbourg"),
        (["d'Israël", "Israël"], "israel"),
        (["Leninski", "Leninsky"], "leninski"),
        (["Gaza", "bande de Gaza"], "bande-de-gaza"),
        (["FAB-1500", "FAB 1500"], "fab-1500"),
        (["Forces de soutien rapide", "FSR", "RSF"], "forces-de-soutien-rapide"),
    ],
)
def test_aliases_resolve_to_one_entity(surfaces: list[str], entity_id: str) -> None:
    kb = default_kb()
    assert {kb.resolve(s).id for s in surfaces if kb.resolve(s)} == {entity_id}
    assert all(kb.resolve(s) is not None for s in surfaces)


def test_unknown_name_is_not_resolved() -> None:
    assert default_kb().resolve("Steve Rosenberg") is None


def test_folding_and_slugs() -> None:
    assert fold("l’Élysée") == "l'elysee"
    assert fold("Saint-Pétersbourg") == fold("saint petersbourg")
    assert strip_article("l'otan") == "otan"
    assert slugify("Andreï Vorobiov") == "andrei-vorobiov"


def test_demonyms_name_states() -> None:
    kb = default_kb()
    assert kb.demonym("ukrainiennes").id == "ukraine"
    assert kb.demonym("russes").id == "russie"
    assert kb.demonym("américaine").id == "etats-unis"
    assert kb.demonym("stratégiques") is None


def test_capitals_act_for_their_state_and_places_belong_to_one() -> None:
    kb = default_kb()
    assert kb.as_actor(kb.get("moscou")).id == "russie"
    assert kb.as_actor(kb.get("donald-trump")).id == "donald-trump"
    assert kb.country_of(kb.get("leninski")).id == "russie"
    assert kb.country_of(kb.get("russie")).id == "russie"


def test_gazetteer_places_have_coordinates() -> None:
    places = [
        e for e in default_kb() if e.type == "LOC" and e.kind in ("city", "capital", "district", "country")
    ]
    assert len(places) > 100
    missing = [e.id for e in places if e.location is None]
    assert missing == []
    moscow = default_kb().get("moscou").location
    assert moscow is not None and 55 < moscow.lat < 56 and 37 < moscow.lon < 38


def test_invalid_kb_file_is_refused_with_its_reason(tmp_path: Path) -> None:
    bad = tmp_path / "kb.yaml"
    bad.write_text("version: 1\nentities:\n  Bad Id: {name: X, type: LOC}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="does not match"):
        load_kb(bad)
    wrong_type = tmp_path / "kb2.yaml"
    wrong_type.write_text("version: 1\nentities:\n  x: {name: X, type: PLACE}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="x/type"):
        load_kb(wrong_type)
