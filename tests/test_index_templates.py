"""Template installation on the running node: capability detection, the analyzer each text
field got (read back from the index), and alias maintenance."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from elasticsearch import BadRequestError, Elasticsearch
from test_index_search import seed_articles

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings
from vigie.store.es import (
    FRENCH_FILTER_PROBES,
    Capabilities,
    choose_analysis,
    detect_capabilities,
    ensure_aliases,
    install_templates,
    uninstall_templates,
)
from vigie.store.indexer import Indexer


def _text_fields(properties: dict[str, dict], path: str = "") -> dict[str, str | None]:
    """Every text field (and text multi-field) of a mapping read back from the cluster,
    with the analyzer it was given."""
    found: dict[str, str | None] = {}
    for name, spec in properties.items():
        full = f"{path}{name}"
        if spec.get("type") == "text":
            found[full] = spec.get("analyzer")
        for sub, sub_spec in spec.get("fields", {}).items():
            if sub_spec.get("type") == "text":
                found[f"{full}.{sub}"] = sub_spec.get("analyzer")
        if "properties" in spec:
            found.update(_text_fields(spec["properties"], f"{full}."))
    return found


def _tokens(es: Elasticsearch, index: str, field: str, text: str) -> list[str]:
    return [t["token"] for t in es.indices.analyze(index=index, field=field, text=text)["tokens"]]


def test_the_minimal_node_gets_the_portable_analyzer_and_says_why(
    es: Elasticsearch, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="vigie.store.es"):
        report = install_templates(es, settings)  # again: installation is idempotent
    assert report.analysis == "portable"
    assert {"asciifolding", "elision", "stemmer:light_french"} <= set(report.capabilities.missing)
    assert report.capabilities.filters["lowercase"] is True
    assert report.component_templates == [
        f"{settings.index_prefix}-settings",
        f"{settings.index_prefix}-analysis",
    ]
    assert report.index_templates == [
        settings.index(f) for f in ("articles", "events", "alerts", "deadletters", "stories")
    ]
    assert "lacks token filters asciifolding" in caplog.text and "installing analysis-portable" in caplog.text
    installed = es.indices.get_index_template(name=f"{settings.index_prefix}-*")["index_templates"]
    assert {t["name"] for t in installed} == set(report.index_templates)


def test_each_text_field_reads_back_with_vigie_text_and_analyzes_as_standard(
    es: Elasticsearch, settings: Settings
) -> None:
    articles = seed_articles()
    Indexer(es, settings).index_articles(articles.values(), RunSummary())
    index = f"{settings.index('articles')}-2025.03"
    mapping = es.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["dynamic"] == "strict"
    text_fields = _text_fields(mapping["properties"])
    assert {
        "title",
        "summary",
        "text",
        "persons.text",
        "places.text",
        "source.text",
        "entities.name.text",
    } <= set(text_fields)
    assert set(text_fields.values()) == {"vigie_text"}
    analysis = es.indices.get_settings(index=index)[index]["settings"]["index"]["analysis"]
    assert analysis == {"analyzer": {"vigie_text": {"type": "standard"}}}

    # What the portable analyzer does (and does not do) on this node, field by field.
    assert _tokens(es, index, "title", "Les Frappes nucléaires") == ["les", "frappes", "nucléaires"]
    assert _tokens(es, index, "text", "L’Ukraine") == ["l’ukraine"]  # no elision without analysis-common
    assert _tokens(es, index, "persons", "Andreï Vorobiov") == ["Andreï Vorobiov"]  # keyword: one term
    assert _tokens(es, index, "persons.text", "Andreï Vorobiov") == ["andreï", "vorobiov"]


def test_forcing_french_analysis_on_the_minimal_node_is_refused(
    es: Elasticsearch, settings: Settings
) -> None:
    other = replace(settings, index_prefix=f"{settings.index_prefix}-fr")
    try:
        with pytest.raises(BadRequestError, match="filter"):
            install_templates(es, other, analysis="french")
    finally:
        uninstall_templates(es, other)


def test_detection_picks_french_only_when_every_filter_exists(es: Elasticsearch) -> None:
    assert choose_analysis(detect_capabilities(es)) == "portable"
    assert choose_analysis(Capabilities(filters=dict.fromkeys(FRENCH_FILTER_PROBES, True))) == "french"
    some_missing = dict.fromkeys(FRENCH_FILTER_PROBES, True) | {"asciifolding": False}
    assert choose_analysis(Capabilities(filters=some_missing)) == "portable"


def test_ensure_aliases_creates_months_repairs_the_alias_and_moves_the_write_index(
    es: Elasticsearch, settings: Settings
) -> None:
    alias = settings.index("articles")
    march = datetime(2025, 3, 15, tzinfo=UTC)
    first = ensure_aliases(es, settings, now=march)
    assert f"{alias}-2025.03" in first.created_indices and f"{alias}-2025.04" in first.created_indices
    assert settings.index("deadletters") in first.created_indices
    assert first.write_indices[alias] == f"{alias}-2025.03"
    assert dict(first)["write_indices"] == first.write_indices  # XCom-ready as a plain dict

    # An index that lost its alias (here: removed by hand) is re-attached.
    es.indices.delete_alias(index=f"{alias}-2025.04", name=alias)
    repaired = ensure_aliases(es, settings, now=march)
    assert repaired.created_indices == []
    assert repaired.aliases_added == [f"{alias}-2025.04 -> {alias}"]

    # A month later the write index moves on; the old month keeps the read alias.
    april = ensure_aliases(es, settings, now=datetime(2025, 4, 2, tzinfo=UTC))
    assert april.created_indices == [
        f"{alias}-2025.05",
        f"{settings.index('events')}-2025.05",
        f"{settings.index('alerts')}-2025.05",
        f"{settings.index('stories')}-2025.05",
    ]
    aliases = es.indices.get_alias(name=alias)
    assert aliases[f"{alias}-2025.04"]["aliases"][alias]["is_write_index"] is True
    assert aliases[f"{alias}-2025.03"]["aliases"][alias].get("is_write_index") is False
    assert ensure_aliases(es, settings, now=datetime(2025, 4, 2, tzinfo=UTC)).aliases_added == []


def test_fields_a_new_template_adds_reach_the_existing_indices(
    es: Elasticsearch, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The articles mapping is strict: an index created under an older template would reject
    every document carrying a field the new version adds, unless installing the new templates
    adds the field to the indices that exist."""
    import json
    import shutil

    from vigie.store.es import MAPPINGS_DIR

    older = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, older)
    articles = older / "index_templates" / "articles.json"
    template = json.loads(articles.read_text(encoding="utf-8"))
    del template["template"]["mappings"]["properties"]["published_source"]
    articles.write_text(json.dumps(template), encoding="utf-8")
    install_templates(es, settings, mappings_dir=older)
    index = f"{settings.index_prefix}-articles-2025.01"
    es.indices.create(index=index)
    assert "published_source" not in es.indices.get_mapping(index=index)[index]["mappings"]["properties"]

    install_templates(es, settings)
    assert "published_source" in es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    es.index(index=index, id="x", document={"id": "x", "published_source": "jsonld"}, refresh=True)
