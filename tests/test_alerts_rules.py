"""Rules as data: the shipped file loads, and every kind of mistake is reported by rule and field."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from vigie.alerting.rules import (
    AnyOf,
    EventCondition,
    RulesError,
    SentenceCondition,
    expand_env,
    load_rules,
    parse_duration,
    parse_rules,
)
from vigie.core.settings import REPO_ROOT

RULES_FILE = REPO_ROOT / "alerts" / "rules.yaml"


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(data, source="test.yaml")
    return caught.value.problems


def test_shipped_rules_load_with_the_required_rules() -> None:
    rules = load_rules(RULES_FILE)
    names = [rule.name for rule in rules]
    for required in (
        "frappe_nucleaire",
        "attaque_massive_drones",
        "victimes_civiles",
        "negociations_cessez_le_feu",
    ):
        assert required in names
    nuclear = rules.get("frappe_nucleaire")
    assert nuclear.severity == "critical"
    assert nuclear.throttle == timedelta(hours=24)
    assert isinstance(nuclear.condition, AnyOf)
    first = nuclear.condition.children[0]
    assert isinstance(first, SentenceCondition) and [lex.name for lex in first.all] == ["nuclear_strike"]
    strike = first.all[0].phrases[0]
    assert strike.keys == ("frapp", "nucleair") and strike.max_distance == 1
    drones = rules.get("attaque_massive_drones")
    assert isinstance(drones.condition, AnyOf)
    event = drones.condition.children[0]
    assert isinstance(event, EventCondition)
    assert event.sub_event_types is not None and "Air/drone strike" in event.sub_event_types
    assert event.quantity is not None and event.quantity.min == 100
    assert event.quantity.weapon_class == "drone" and event.quantity.bound == "lower"
    assert set(event.quantity.fields) == {"launched", "intercepted", "destroyed"}
    counted = drones.condition.children[1]
    assert isinstance(counted, SentenceCondition) and counted.count is not None
    assert counted.count.weapon_class == "drone" and counted.count.min == 100
    assert {"cumulative", "transfer", "hypothesis"} <= {cue.lexicon.name for cue in counted.unless}


def test_phrase_max_distance_error_names_rule_and_field() -> None:
    data = shipped()
    data["rules"][0]["condition"]["any"][0] = {"phrase": {"words": "frappe nucléaire", "max_distance": -1}}
    assert problems_of(data) == [
        "rule 'frappe_nucleaire': condition.any[0].phrase.max_distance must be an integer >= 0 (at most 50) (got -1)"
    ]


def test_phrase_max_distance_must_be_an_integer() -> None:
    data = {
        "version": 1,
        "rules": [
            {
                "name": "frappe_nucleaire",
                "severity": "high",
                "condition": {"phrase": {"words": "x", "max_distance": "2"}},
            }
        ],
    }
    assert problems_of(data) == [
        "rule 'frappe_nucleaire': condition.phrase.max_distance must be an integer >= 0 (at most 50) (got '2')"
    ]


def test_every_problem_is_listed_at_once() -> None:
    data = shipped()
    data["rules"][1]["severity"] = "urgent"
    data["rules"][2]["condition"]["any"][0]["event"]["typo"] = 1
    data["rules"][3]["condition"] = {"phrase": {"words": "x"}, "entity": {"ids": ["otan"]}}
    data["rules"].append({"name": "sans_condition", "severity": "low"})
    data["notifiers"]["desk_email"]["port"] = "abc"
    found = problems_of(data)
    assert (
        "rule 'attaque_massive_drones': severity must be one of info, low, medium, high, critical (got 'urgent')"
        in found
    )
    assert any(
        p.startswith("rule 'victimes_civiles': condition.any[0].event: unknown field 'typo'") for p in found
    )
    assert (
        "rule 'negociations_cessez_le_feu': condition must be an object with exactly one of: "
        "all, any, not, phrase, sentence, entity, event, casualties, conflict, source, language"
    ) in found
    assert "rule 'sans_condition': condition is required" in found
    assert any(p.startswith("notifier 'desk_email': port must be a port number") for p in found)
    assert len(found) == 5


def test_semantic_errors_unknown_notifier_duplicate_name_and_quantity_bounds() -> None:
    data = shipped()
    data["rules"][1]["notifiers"] = ["log", "pager"]
    data["rules"].append(copy.deepcopy(data["rules"][0]))
    data["rules"].append(
        {
            "name": "bornes",
            "severity": "low",
            "condition": {"event": {"quantity": {"fields": ["killed"], "min": 10, "max": 2}}},
        }
    )
    found = problems_of(data)
    assert (
        "rule 'attaque_massive_drones': notifiers[1] refers to unknown notifier 'pager' "
        "(defined: log, desk_webhook, desk_email)"
    ) in found
    assert "rule 'frappe_nucleaire': name is used by another rule" in found
    assert "rule 'bornes': condition.event.quantity.min must be <= max (got 10 > 2)" in found


def test_quantity_needs_a_bound_and_known_fields() -> None:
    data = {
        "version": 1,
        "rules": [
            {"name": "a", "severity": "low", "condition": {"event": {"quantity": {"fields": ["killed"]}}}},
            {
                "name": "b",
                "severity": "low",
                "condition": {"event": {"quantity": {"fields": ["morts"], "min": 1}}},
            },
        ],
    }
    found = problems_of(data)
    assert (
        "rule 'a': condition.event.quantity must be an object with fields and at least one of min, max"
        in found
    )
    assert any(
        p.startswith("rule 'b': condition.event.quantity.fields[0] must be one of launched") for p in found
    )


def test_webhook_needs_url_and_bad_yaml_is_reported(tmp_path: Path) -> None:
    data = shipped()
    del data["notifiers"]["desk_webhook"]["url"]
    assert problems_of(data) == ["notifier 'desk_webhook': url is required"]

    broken = tmp_path / "rules.yaml"
    broken.write_text("version: 1\nrules: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match="invalid YAML"):
        load_rules(broken)
    with pytest.raises(RulesError, match="cannot read the rules file"):
        load_rules(tmp_path / "missing.yaml")


def test_env_expansion_and_unconfigured_notifiers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert expand_env("${A}/x", {"A": "http://h"}) == ("http://h/x", [])
    assert expand_env("${B:-25}", {}) == ("25", [])
    assert expand_env("${C}", {}) == ("", ["C"])

    monkeypatch.delenv("VIGIE_WEBHOOK_URL", raising=False)
    rules = load_rules(RULES_FILE)
    assert not rules.notifiers["desk_webhook"].configured
    assert rules.notifiers["desk_webhook"].missing_env == ("VIGIE_WEBHOOK_URL",)
    assert rules.notifiers["log"].configured

    monkeypatch.setenv("VIGIE_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("VIGIE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VIGIE_ALERT_TO", "desk@example.org")
    rules = load_rules(RULES_FILE)
    webhook = rules.notifiers["desk_webhook"]
    assert webhook.configured and webhook.options["url"] == "http://127.0.0.1:9/hook"
    assert webhook.key == "webhook:desk_webhook"
    email = rules.notifiers["desk_email"]
    assert email.configured and email.options["port"] == 25 and email.options["to"] == ["desk@example.org"]


def test_webhook_url_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_WEBHOOK_URL", "file:///etc/passwd")
    assert problems_of(shipped()) == [
        "notifier 'desk_webhook': url must be an http(s) URL (got 'file:///'… (18 characters))"
    ]
    monkeypatch.setenv("VIGIE_WEBHOOK_URL", "hooks.example.org/services/T0/B0/s3cr3t")
    assert "s3cr3t" not in " ".join(problems_of(shipped()))  # the path of a hook is its secret


def test_durations() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("7d") == timedelta(days=7)
    data = shipped()
    data["rules"][0]["throttle"] = "24 hours"
    assert problems_of(data) == [
        "rule 'frappe_nucleaire': throttle must be a duration such as '30m', '24h' or '7d' (got '24 hours')"
    ]


# -- lexicons and the structured conditions -----------------------------------------------------


def one_rule(condition: dict[str, Any], lexicons: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1, "rules": [{"name": "r", "severity": "low", "condition": condition}]}
    if lexicons is not None:
        data["lexicons"] = lexicons
    return data


def test_lexicons_group_inflections_and_keep_every_written_form() -> None:
    rules = parse_rules(
        one_rule(
            {"sentence": {"all": ["hurt"]}},
            {
                "hurt": {
                    "max_distance": 1,
                    "phrases": ["blessé", "blessés", {"words": "grièvement blessé", "max_distance": 0}],
                }
            },
        )
    )
    (phrase, serious) = rules.lexicons["hurt"].phrases
    assert phrase.keys == ("bless",) and phrase.variants == ("blessé", "blessés") and phrase.max_distance == 1
    assert serious.max_distance == 0


def test_unknown_lexicons_weapon_classes_and_bad_counts_are_named() -> None:
    found = problems_of(
        one_rule(
            {
                "all": [
                    {"sentence": {"all": ["raids"], "unless": [{"lexicon": "nope", "scope": "before"}]}},
                    {"sentence": {"count": {"weapon_class": "drones", "min": 100}}},
                    {"sentence": {"count": {"weapon_class": "drone", "min": 9, "max": 1}}},
                    {
                        "event": {
                            "weapon_class": ["rocket"],
                            "quantity": {"fields": ["launched"], "min": 1, "counting": "x"},
                        }
                    },
                ]
            },
            {"raid": ["lancé"]},
        )
    )
    assert (
        "rule 'r': condition.all[0].sentence.all[0] refers to unknown lexicon 'raids' (defined: raid)"
        in found
    )
    assert (
        "rule 'r': condition.all[0].sentence.unless[0].lexicon refers to unknown lexicon 'nope' (defined: raid)"
        in found
    )
    assert any(
        p.startswith("rule 'r': condition.all[1].sentence.count.weapon_class must be a weapon class")
        for p in found
    )
    assert "rule 'r': condition.all[2].sentence.count.min must be <= max (got 9 > 1)" in found
    assert any(
        p.startswith("rule 'r': condition.all[3].event.weapon_class[0] must be a weapon class") for p in found
    )
    assert (
        "rule 'r': condition.all[3].event.quantity.counting refers to unknown lexicon 'x' (defined: raid)"
        in found
    )


def test_schema_errors_of_the_new_leaves() -> None:
    found = problems_of(
        one_rule(
            {
                "all": [
                    {"sentence": {"max_span": 3}},
                    {"sentence": {"all": ["raid"], "unless": [{"lexicon": "raid", "scope": "around"}]}},
                    {"casualties": {"fields": ["civilians_killed"]}},
                    {"casualties": {"fields": ["civils"], "min": 1}},
                    {"conflict": "yes"},
                    {"event": {"quantity": {"fields": ["killed"], "min": 1, "group": ["children"]}}},
                ]
            },
            {"raid": ["lancé"]},
        )
    )
    assert (
        "rule 'r': condition.all[0].sentence must be an object with all (lexicon names), count and/or unless, "
        "and optional max_span, fields"
    ) in found
    assert any(
        p.startswith("rule 'r': condition.all[1].sentence.unless[0].scope must be one of sentence")
        for p in found
    )
    assert (
        "rule 'r': condition.all[2].casualties must be an object with fields and at least one of min, max"
        in found
    )
    assert (
        "rule 'r': condition.all[3].casualties.fields[0] must be one of killed, injured, civilians_killed, "
        "civilians_injured (got 'civils')"
    ) in found
    assert any(
        p.startswith("rule 'r': condition.all[4].conflict must be true (the conflict gate") for p in found
    )
    assert any(p.startswith("rule 'r': condition.all[5].event.quantity.group[0] must be") for p in found)


def test_a_lexicon_that_is_not_a_list_of_phrases_is_reported() -> None:
    found = problems_of(one_rule({"sentence": {"all": ["x"]}}, {"x": []}))
    assert found == [
        "lexicon 'x': phrases must be a non-empty list of phrases, or an object with phrases, max_distance, in_order"
    ]
