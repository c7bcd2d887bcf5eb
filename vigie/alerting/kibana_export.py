"""The alert rules as Kibana alerting rules of type "Elasticsearch query" (`.es-query`).

`export_kibana_rules(rules, settings)` returns one request body per enabled rule for
`POST /api/alerting/rule/<kibana_rule_id(rule)>` (deterministic id: re-importing updates
rather than duplicates). The query targets:

- the articles index when every condition can be read on article fields (phrases on
  `title`/`text` as `match_phrase` with `slop`, entities as `terms` on `entities.id`, sub-event
  types as `terms` on `event_types`, `source`/`sources`, `language`);
- the events index when an event condition needs event fields (event type, quantities,
  weapons, interaction, actors, targets, confidence): there each document is one incident, phrases
  are read in its sentence and those of its mentions (`mentions.sentence`), entities in
  `actor.id`/`target.id`.

Differences from the built-in evaluation, by construction: Lucene's analyzer does the
stemming (the French analyzer of the full distribution; the standard analyzer only lowercases),
phrases are not bounded by sentences, and `in_order: false` phrases get
`slop = max_distance + 2 * (words - 1)` (Lucene counts a transposition as two moves).
`tests/test_alerts_fixtures.py` checks both agree on the fixture articles and measures the
differences on the held-out texts.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from vigie.alerting.rules import (
    AllOf,
    AnyOf,
    Condition,
    EntityCondition,
    EventCondition,
    LanguageCondition,
    Not,
    Phrase,
    Rule,
    RuleSet,
    SourceCondition,
)
from vigie.core.settings import Settings

Target = Literal["articles", "events"]
_NAMESPACE = uuid.UUID("5d2b7c1e-6a57-4c0b-9a43-7f1e6f1b9a10")  # fixed: ids stable across exports
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def kibana_rule_id(rule: Rule) -> str:
    """A UUID derived from the rule name, for `POST /api/alerting/rule/<id>`."""
    return str(uuid.uuid5(_NAMESPACE, f"vigie-alert-rule:{rule.name}"))


def target_of(condition: Condition) -> Target:
    """`events` when some event condition needs fields only events carry."""
    if isinstance(condition, AllOf | AnyOf):
        return "events" if any(target_of(c) == "events" for c in condition.children) else "articles"
    if isinstance(condition, Not):
        return target_of(condition.child)
    if isinstance(condition, EventCondition):
        # Articles list their events' sub-event types only (`Article.event_types`).
        needs_event = (
            condition.event_types,
            condition.interactions,
            condition.weapons,
            condition.actors,
            condition.targets,
            condition.quantity,
            condition.min_confidence,
        )
        return "events" if any(x is not None for x in needs_event) else "articles"
    return "articles"


def _terms(field: str, values: frozenset[str]) -> dict[str, Any]:
    return {"terms": {field: sorted(values)}}


def _phrase_query(condition: Phrase, target: Target) -> dict[str, Any]:
    n = len(condition.keys)
    slop = condition.max_distance if condition.in_order else condition.max_distance + 2 * (n - 1)
    fields = ["sentence", "mentions.sentence"] if target == "events" else list(condition.fields)
    clauses = [{"match_phrase": {field: {"query": condition.words, "slop": slop}}} for field in fields]
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _event_query(condition: EventCondition, target: Target) -> dict[str, Any]:
    if target == "articles":
        # Only sub-event types are read on articles (target_of sends the rest to events).
        return _terms("event_types", condition.sub_event_types or frozenset())
    filters: list[dict[str, Any]] = []
    if condition.event_types is not None:
        filters.append(_terms("event_type", condition.event_types))
    if condition.sub_event_types is not None:
        filters.append(_terms("sub_event_type", condition.sub_event_types))
    if condition.interactions is not None:
        filters.append(_terms("interaction", condition.interactions))
    if condition.weapons is not None:
        filters.append(_terms("weapons", condition.weapons))
    if condition.actors is not None:
        filters.append(_terms("actor.id", condition.actors))
    if condition.targets is not None:
        filters.append(_terms("target.id", condition.targets))
    if condition.min_confidence is not None:
        filters.append({"range": {"confidence": {"gte": condition.min_confidence}}})
    if condition.quantity is not None:
        bounds: dict[str, int] = {}
        if condition.quantity.min is not None:
            bounds["gte"] = condition.quantity.min
        if condition.quantity.max is not None:
            bounds["lte"] = condition.quantity.max
        filters.append(
            {
                "bool": {
                    "should": [{"range": {f"{field}.value": bounds}} for field in condition.quantity.fields],
                    "minimum_should_match": 1,
                }
            }
        )
    return {"bool": {"filter": filters}}


def condition_query(condition: Condition, target: Target) -> dict[str, Any]:
    """The Query DSL for `condition` on documents of `target`."""
    if isinstance(condition, AllOf):
        return {"bool": {"filter": [condition_query(c, target) for c in condition.children]}}
    if isinstance(condition, AnyOf):
        return {
            "bool": {
                "should": [condition_query(c, target) for c in condition.children],
                "minimum_should_match": 1,
            }
        }
    if isinstance(condition, Not):
        return {"bool": {"must_not": [condition_query(condition.child, target)]}}
    if isinstance(condition, Phrase):
        return _phrase_query(condition, target)
    if isinstance(condition, EntityCondition):
        if target == "events":
            return {
                "bool": {
                    "should": [_terms("actor.id", condition.ids), _terms("target.id", condition.ids)],
                    "minimum_should_match": 1,
                }
            }
        query = _terms("entities.id", condition.ids)
        if condition.types is not None:
            return {"bool": {"filter": [query, _terms("entities.type", condition.types)]}}
        return query
    if isinstance(condition, EventCondition):
        return _event_query(condition, target)
    if isinstance(condition, SourceCondition):
        if target == "events":
            return _terms("source", condition.sources)
        return {
            "bool": {
                "should": [_terms("source", condition.sources), _terms("sources", condition.sources)],
                "minimum_should_match": 1,
            }
        }
    if isinstance(condition, LanguageCondition):
        return _terms("language", condition.languages)
    raise TypeError(f"unknown condition {condition!r}")


def rule_query(rule: Rule) -> tuple[Target, dict[str, Any]]:
    """(target index family, Query DSL) for one rule."""
    target = target_of(rule.condition)
    return target, condition_query(rule.condition, target)


def _window(rule: Rule) -> tuple[int, str]:
    seconds = int(rule.throttle.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return seconds // _UNITS[unit], unit
    return seconds, "s"


def export_kibana_rules(rules: RuleSet, settings: Settings, interval: str = "5m") -> list[dict[str, Any]]:
    """Kibana `.es-query` rule bodies for the enabled rules, in file order."""
    bodies: list[dict[str, Any]] = []
    for rule in rules.enabled():
        target, query = rule_query(rule)
        size, unit = _window(rule)
        bodies.append(
            {
                "name": f"Vigie: {rule.name}",
                "rule_type_id": ".es-query",
                "consumer": "alerts",
                "enabled": True,
                "schedule": {"interval": interval},
                "tags": ["vigie", f"severity:{rule.severity}", f"vigie-rule:{rule.name}"],
                "params": {
                    "searchType": "esQuery",
                    "index": [settings.index(target)],
                    "timeField": "published",
                    "esQuery": json.dumps({"query": query}, ensure_ascii=False),
                    "size": 100,
                    "threshold": [0],
                    "thresholdComparator": ">",
                    # Look back as far as the throttle window; hits already reported are skipped.
                    "timeWindowSize": size,
                    "timeWindowUnit": unit,
                    "excludeHitsFromPreviousRun": True,
                },
                "actions": [],
            }
        )
    return bodies
