"""The mapping JSON and the pydantic models describe the same documents, field for field.

Walks `vigie.core.models` and `index_mappings/index_templates/*.json` together and fails on any
field missing from either side or mapped with a type that cannot hold the model's values.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from vigie.core.models import Alert, Article, DeadLetter, Event, GeoPoint, StoryIncident
from vigie.store.es import MAPPINGS_DIR, component_template_files, index_template_files, load_template

FAMILY_MODELS: dict[str, type[BaseModel]] = {
    "articles": Article,
    "events": Event,
    "alerts": Alert,
    "deadletters": DeadLetter,
    "stories": StoryIncident,
}
# Prose analysts search in: the only fields whose main type may be `text`.
TEXT_FIELDS: dict[str, set[str]] = {
    "articles": {"title", "summary", "text"},
    "events": {"article_title", "sentence", "mentions.sentence"},
    "alerts": {"title", "description", "matched_text", "deliveries.last_error"},
    "deadletters": {"reason", "document"},
    "stories": {"title"},
}
SCALAR_TYPES: dict[type, set[str]] = {
    str: {"keyword", "text"},
    int: {"integer", "long"},
    float: {"float"},
    bool: {"boolean"},
    datetime: {"date"},
    date: {"date"},
}


def mapping(family: str) -> dict[str, Any]:
    body = load_template(index_template_files()[f"{{{{prefix}}}}-{family}"], "vigie")
    result: dict[str, Any] = body["template"]["mappings"]
    return result


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X, list[X] -> X, Literal["a", ...] -> str."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        assert len(args) == 1, f"unsupported union {annotation}"
        return _unwrap(args[0])
    if origin is list:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        kinds = {type(v) for v in typing.get_args(annotation)}
        assert len(kinds) == 1
        return kinds.pop()
    return annotation


def compare(model: type[BaseModel], properties: dict[str, Any], path: str = "") -> list[str]:
    """Every disagreement between a model and a mapping's properties, as readable lines."""
    problems: list[str] = []
    fields = model.model_fields
    for name in sorted(set(properties) - set(fields)):
        problems.append(f"{path}{name}: mapped but not a field of {model.__name__}")
    for name, info in fields.items():
        where = f"{path}{name}"
        spec = properties.get(name)
        if spec is None:
            problems.append(f"{where}: field of {model.__name__} missing from the mapping")
            continue
        python_type = _unwrap(info.annotation)
        mapped = spec.get("type", "object")
        if python_type is GeoPoint:
            if mapped != "geo_point":
                problems.append(f"{where}: GeoPoint mapped as {mapped}, expected geo_point")
        elif isinstance(python_type, type) and issubclass(python_type, BaseModel):
            if mapped != "object" or "properties" not in spec:
                problems.append(f"{where}: nested {python_type.__name__} must be an object with properties")
            else:
                problems.extend(compare(python_type, spec["properties"], f"{where}."))
        elif python_type in SCALAR_TYPES:
            if mapped not in SCALAR_TYPES[python_type]:
                problems.append(
                    f"{where}: {python_type.__name__} mapped as {mapped}, expected {sorted(SCALAR_TYPES[python_type])}"
                )
            if mapped == "date" and spec.get("format") != "strict_date_optional_time":
                problems.append(f"{where}: dates use format strict_date_optional_time")
        else:
            problems.append(f"{where}: no mapping rule for {python_type!r}")
    return problems


def walk(properties: dict[str, Any], path: str = "") -> typing.Iterator[tuple[str, dict[str, Any]]]:
    for name, spec in properties.items():
        yield f"{path}{name}", spec
        for sub, sub_spec in spec.get("fields", {}).items():
            yield f"{path}{name}.{sub}", sub_spec
        yield from walk(spec.get("properties", {}), f"{path}{name}.")


@pytest.mark.parametrize("family", sorted(FAMILY_MODELS))
def test_mapping_matches_the_model_field_for_field(family: str) -> None:
    assert compare(FAMILY_MODELS[family], mapping(family)["properties"]) == []


def test_the_walk_catches_missing_extra_and_mistyped_fields() -> None:
    broken = json.loads(json.dumps(mapping("articles")["properties"]))
    del broken["story_id"]
    broken["colour"] = {"type": "keyword"}
    broken["word_count"] = {"type": "keyword"}
    broken["entities"]["properties"]["location"] = {"type": "keyword"}
    assert compare(Article, broken) == [
        "colour: mapped but not a field of Article",
        "word_count: int mapped as keyword, expected ['integer', 'long']",
        "story_id: field of Article missing from the mapping",
        "entities.location: GeoPoint mapped as keyword, expected geo_point",
    ]


@pytest.mark.parametrize("family", sorted(FAMILY_MODELS))
def test_mappings_are_strict_and_text_only_where_meant(family: str) -> None:
    body = mapping(family)
    assert body["dynamic"] == "strict"
    main_text = {
        path for path, spec in walk(body["properties"]) if spec.get("type") == "text" and "." not in path
    }
    nested_text = {
        path
        for path, spec in walk(body["properties"])
        if spec.get("type") == "text" and "." in path and not path.endswith((".text", ".keyword"))
    }
    assert main_text | nested_text == TEXT_FIELDS[family]
    for path, spec in walk(body["properties"]):
        if spec.get("type") == "text" and spec.get("index", True):
            assert spec.get("analyzer") == "vigie_text", path


def test_special_fields() -> None:
    articles = mapping("articles")["properties"]
    assert articles["text"] == {"type": "text", "analyzer": "vigie_text"}
    assert articles["minhash"] == {"type": "long", "index": False, "doc_values": False}
    assert articles["title"]["fields"]["keyword"]["type"] == "keyword"
    for name in ("source", "persons", "places", "organisations", "weapons"):
        assert articles[name]["type"] == "keyword" and articles[name]["fields"]["text"]["type"] == "text", (
            name
        )
    events = mapping("events")["properties"]
    assert events["location"] == {"type": "geo_point"}
    assert events["places"]["properties"]["location"] == {"type": "geo_point"}
    assert articles["entities"]["properties"]["location"] == {"type": "geo_point"}
    assert events["intercepted"]["properties"]["value"]["type"] == "integer"
    assert mapping("deadletters")["properties"]["document"] == {"type": "text", "index": False}


def test_index_templates_compose_the_shared_components() -> None:
    components = set(component_template_files("portable")) | set(component_template_files("french"))
    for raw_name, path in index_template_files().items():
        body = json.loads(path.read_text(encoding="utf-8"))
        assert set(body["composed_of"]) <= components, raw_name
        family = raw_name.split("-", 1)[1]
        if family == "deadletters":
            assert body["index_patterns"] == ["{{prefix}}-deadletters"]
        else:
            assert body["index_patterns"] == [f"{{{{prefix}}}}-{family}-*"]
            assert body["template"]["aliases"] == {f"{{{{prefix}}}}-{family}": {}}
    settings = json.loads((MAPPINGS_DIR / "component_templates" / "settings.json").read_text())
    assert settings["template"]["settings"]["index"]["auto_expand_replicas"] == "0-1"


def _analysis(variant: str) -> dict[str, Any]:
    path: Path = component_template_files(variant)["{{prefix}}-analysis"]  # type: ignore[arg-type]
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["template"]["settings"]["analysis"]
    return result


def test_both_analysis_variants_define_the_same_analyzer_names() -> None:
    french, portable = _analysis("french"), _analysis("portable")
    assert set(french["analyzer"]) == set(portable["analyzer"]) == {"vigie_text"}
    assert portable["analyzer"]["vigie_text"] == {"type": "standard"}
    chain = french["analyzer"]["vigie_text"]["filter"]
    kinds = [french["filter"].get(name, {"type": name})["type"] for name in chain]
    assert kinds == ["elision", "lowercase", "stop", "asciifolding", "stemmer"]
    filters = {spec["type"]: spec for spec in french["filter"].values()}
    assert {"l", "d", "qu", "jusqu"} <= set(filters["elision"]["articles"])
    assert filters["stemmer"]["language"] == "light_french"
    assert filters["stop"]["stopwords"] == "_french_"
