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

The structured conditions translate as follows: a `sentence` leaf becomes an `intervals`
query (its lexicons' phrases `any_of`, all of them within `max_span` words, 20 when unbounded;
`unless` cues scoped `inside` or `overlap` as one `not_overlapping` filter; the
other cue scopes are left out: the export fires more there; lexicons whose phrase
combinations exceed what Elasticsearch's clause limit lets an intervals query hold are not
exported); `weapon_class` becomes the
knowledge base's weapons of that class; a count's `weapon_class` the same, without the other
projectile classes; `group` / `not_group` a term on `<field>.group`; `casualties` a range on
`casualties.<field>` and `conflict` a term on `conflict` (articles only). What Query DSL cannot
say is not exported: a number read in a sentence (`count`), the words of a count
(`counting` / `not_counting`). Such a leaf inside `any` is dropped (the export fires less);
anywhere else it makes the rule not exportable: `export_report` says which and why, and
`export_kibana_rules` leaves the rule out.
`tests/test_alerts_fixtures.py` checks both agree on the fixture articles and measures the
differences on the held-out texts.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from vigie.alerting.rules import (
    AllOf,
    AnyOf,
    CasualtiesCondition,
    Condition,
    ConflictCondition,
    EntityCondition,
    EventCondition,
    LanguageCondition,
    Lexicon,
    Not,
    Phrase,
    Rule,
    RuleSet,
    SentenceCondition,
    SourceCondition,
)
from vigie.core.settings import Settings

log = logging.getLogger(__name__)

Target = Literal["articles", "events"]
_NAMESPACE = uuid.UUID("5d2b7c1e-6a57-4c0b-9a43-7f1e6f1b9a10")  # fixed: ids stable across exports
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_UNBOUNDED_SPAN = 20  # words allowed between a sentence condition's lexicons when it sets no max_span
_MAX_COMBINATIONS = (
    1000  # phrase combinations of one sentence condition (indices.query.bool.max_clause_count 8192)
)
_PROJECTILE_CLASSES = frozenset({"drone", "missile", "artillery", "bomb"})


class NotExportable(ValueError):
    """A condition Query DSL cannot express; the message says which and why."""


@dataclass
class _Notes:
    """What an export left out or approximated (per rule)."""

    dropped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExportNote:
    """How one enabled rule exports: `exported` False with the `reason`; `approximations`
    lists what an exported rule leaves out (a dropped branch of `any`, a cue)."""

    rule: str
    exported: bool
    target: Target | None = None
    reason: str = ""
    approximations: tuple[str, ...] = ()


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
            condition.weapon_classes,
            condition.actors,
            condition.targets,
            condition.quantity,
            condition.min_confidence,
            condition.sentence,
        )
        return "events" if any(x is not None for x in needs_event) else "articles"
    if isinstance(condition, EventCondition | SentenceCondition):
        return "articles"
    return "articles"


def _terms(field: str, values: frozenset[str]) -> dict[str, Any]:
    return {"terms": {field: sorted(values)}}


def _phrase_query(condition: Phrase, target: Target) -> dict[str, Any]:
    n = len(condition.keys)
    slop = condition.max_distance if condition.in_order else condition.max_distance + 2 * (n - 1)
    fields = ["sentence", "mentions.sentence"] if target == "events" else list(condition.fields)
    clauses = [{"match_phrase": {field: {"query": condition.words, "slop": slop}}} for field in fields]
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


@lru_cache(maxsize=32)
def _weapons_of_class(weapon_class: str) -> frozenset[str]:
    """The knowledge base's weapon ids of one class (what `Event.weapons` holds)."""
    try:
        from enrich.kb import default_kb
    except ImportError as error:  # pragma: no cover - the enricher is part of the distribution
        raise NotExportable(f"weapon class {weapon_class!r}: the knowledge base is not installed") from error
    return frozenset(e.id for e in default_kb() if e.weapon_class == weapon_class)


def _intervals_match(words: str, max_distance: int, in_order: bool) -> dict[str, Any]:
    return {"match": {"query": words, "max_gaps": max_distance, "ordered": in_order}}


def _lexicon_intervals(lexicon: Lexicon) -> dict[str, Any]:
    rules = [
        _intervals_match(words, p.max_distance, p.in_order)
        for p in lexicon.phrases
        for words in p.variants or (p.words,)
    ]
    if not rules:
        raise NotExportable(f"lexicon {lexicon.name!r} has no phrases")
    return rules[0] if len(rules) == 1 else {"any_of": {"intervals": rules}}


def _lexicon_phrases(lexicon: Lexicon, field: str) -> dict[str, Any]:
    """One of the lexicon's phrases in `field` (match_phrase with slop: cheaper than intervals)."""
    return {
        "bool": {
            "should": [
                {
                    "match_phrase": {
                        field: {"query": words, "slop": _slop(p.max_distance, p.in_order, len(p.keys))}
                    }
                }
                for p in lexicon.phrases
                for words in p.variants or (p.words,)
            ],
            "minimum_should_match": 1,
        }
    }


def _slop(max_distance: int, in_order: bool, words: int) -> int:
    return max_distance if in_order else max_distance + 2 * (words - 1)


# A cue inside the matched span or on its words overlaps it: one `not_overlapping` filter
# (an intervals rule takes a single filter) says both.
_CUE_FILTERS = {"inside": "not_overlapping", "overlap": "not_overlapping"}


def _sentence_query(condition: SentenceCondition, fields: list[str], notes: _Notes) -> dict[str, Any]:
    if condition.count is not None:
        raise NotExportable("a number read in a sentence (count) has no Query DSL equivalent")
    combinations = 1
    for lexicon in condition.all:
        combinations *= max(sum(len(p.variants) or 1 for p in lexicon.phrases), 1)
    if len(condition.all) > 1 and combinations > _MAX_COMBINATIONS:
        # Lucene expands an `all_of` of `any_of`s into every combination of their phrases.
        names = " + ".join(lexicon.name for lexicon in condition.all)
        raise NotExportable(
            f"sentence {names}: {combinations} phrase combinations, more than an intervals query "
            f"can hold under Elasticsearch's clause limit ({_MAX_COMBINATIONS})"
        )
    pieces = [_lexicon_intervals(lexicon) for lexicon in condition.all]
    if not pieces:
        # Cues only (an event's evidence sentence): none of their phrases in the sentence.
        must_not: list[dict[str, Any]] = []
        for cue in condition.unless:
            if cue.count is not None:
                notes.dropped.append("a count cue (several nights, days...) not exported")
                continue
            must_not.extend(_lexicon_phrases(cue.lexicon, f) for f in fields)
        return {"bool": {"must_not": must_not}} if must_not else {"match_all": {}}
    by_filter: dict[str, list[dict[str, Any]]] = {}
    for cue in condition.unless:
        if cue.count is None and cue.scope in _CUE_FILTERS and cue.lexicon.phrases:
            by_filter.setdefault(_CUE_FILTERS[cue.scope], []).append(_lexicon_intervals(cue.lexicon))
        else:
            notes.dropped.append(f"cue {cue.lexicon.name!r} ({cue.scope}) not exported")
    rule: dict[str, Any] = (
        pieces[0]
        if len(pieces) == 1
        else {
            "all_of": {
                "intervals": pieces,
                "max_gaps": condition.max_span if condition.max_span is not None else _UNBOUNDED_SPAN,
                "ordered": False,
            }
        }
    )
    if by_filter:
        kind = next(iter(rule))
        body = dict(rule[kind])
        body["filter"] = {
            name: rules[0] if len(rules) == 1 else {"any_of": {"intervals": rules}}
            for name, rules in by_filter.items()
        }
        rule = {kind: body}
    clauses = [{"intervals": {f: rule}} for f in fields]
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _event_query(condition: EventCondition, target: Target, notes: _Notes) -> dict[str, Any]:
    if target == "articles":
        # Only sub-event types are read on articles (target_of sends the rest to events).
        return _terms("event_types", condition.sub_event_types or frozenset())
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
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
    if condition.weapon_classes is not None:
        filters.append(
            _terms("weapons", frozenset().union(*(_weapons_of_class(c) for c in condition.weapon_classes)))
        )
    if condition.quantity is not None:
        quantity = condition.quantity
        bounds: dict[str, int] = {}
        if quantity.min is not None:
            bounds["gte"] = quantity.min
        if quantity.max is not None:
            bounds["lte"] = quantity.max
        per_field: list[dict[str, Any]] = []
        for name in quantity.fields:
            parts: list[dict[str, Any]] = [{"range": {f"{name}.value": bounds}}]
            if quantity.groups is not None:
                parts.append(_terms(f"{name}.group", quantity.groups))
            if quantity.not_groups is not None:
                parts.append({"bool": {"must_not": [_terms(f"{name}.group", quantity.not_groups)]}})
            per_field.append(parts[0] if len(parts) == 1 else {"bool": {"filter": parts}})
        filters.append({"bool": {"should": per_field, "minimum_should_match": 1}})
        if quantity.weapon_class is not None:
            # Counted per class: an incident with weapons of that class and of no other
            # projectile class (the words of the count are not indexed apart).
            filters.append(_terms("weapons", _weapons_of_class(quantity.weapon_class)))
            others = frozenset().union(
                *(_weapons_of_class(c) for c in _PROJECTILE_CLASSES if c != quantity.weapon_class)
            )
            if others:
                must_not.append(_terms("weapons", others))
        if quantity.bound == "lower":
            notes.dropped.append("quantity bound 'lower' read as the value stored")
        if quantity.counting is not None or quantity.not_counting is not None:
            notes.dropped.append("the words of a count (counting / not_counting) not exported")
    if condition.sentence is not None:
        filters.append(_sentence_query(condition.sentence, ["sentence", "mentions.sentence"], notes))
    query: dict[str, Any] = {"bool": {"filter": filters}}
    if must_not:
        query["bool"]["must_not"] = must_not
    return query


def condition_query(condition: Condition, target: Target, notes: _Notes | None = None) -> dict[str, Any]:
    """The Query DSL for `condition` on documents of `target`; raises `NotExportable`."""
    notes = notes if notes is not None else _Notes()
    if isinstance(condition, AllOf):
        return {"bool": {"filter": [condition_query(c, target, notes) for c in condition.children]}}
    if isinstance(condition, AnyOf):
        should: list[dict[str, Any]] = []
        reasons: list[str] = []
        for child in condition.children:
            try:
                should.append(condition_query(child, target, notes))
            except NotExportable as error:
                reasons.append(str(error))
        if not should:
            raise NotExportable("; ".join(reasons))
        notes.dropped.extend(f"branch of any left out: {reason}" for reason in reasons)
        return {"bool": {"should": should, "minimum_should_match": 1}}
    if isinstance(condition, Not):
        return {"bool": {"must_not": [condition_query(condition.child, target, notes)]}}
    if isinstance(condition, Phrase):
        return _phrase_query(condition, target)
    if isinstance(condition, SentenceCondition):
        fields: list[str] = (
            ["sentence", "mentions.sentence"] if target == "events" else list(condition.fields)
        )
        return _sentence_query(condition, fields, notes)
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
        return _event_query(condition, target, notes)
    if isinstance(condition, CasualtiesCondition):
        if target == "events":
            raise NotExportable("the article's toll (casualties) is not on the events index")
        bounds: dict[str, int] = {}
        if condition.min is not None:
            bounds["gte"] = condition.min
        if condition.max is not None:
            bounds["lte"] = condition.max
        return {
            "bool": {
                "should": [{"range": {f"casualties.{name}": bounds}} for name in condition.fields],
                "minimum_should_match": 1,
            }
        }
    if isinstance(condition, ConflictCondition):
        if target == "events":
            raise NotExportable("the conflict gate is not on the events index")
        if condition.open:
            return {"bool": {"must_not": [{"term": {"conflict": False}}]}}
        return {"term": {"conflict": False}}
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


def rule_query(rule: Rule, notes: _Notes | None = None) -> tuple[Target, dict[str, Any]]:
    """(target index family, Query DSL) for one rule; raises `NotExportable`."""
    target = target_of(rule.condition)
    return target, condition_query(rule.condition, target, notes)


def export_report(rules: RuleSet) -> list[ExportNote]:
    """How each enabled rule exports: not at all (and why), or with which approximations."""
    report: list[ExportNote] = []
    for rule in rules.enabled():
        notes = _Notes()
        try:
            target, _ = rule_query(rule, notes)
        except NotExportable as error:
            report.append(ExportNote(rule=rule.name, exported=False, reason=str(error)))
            continue
        report.append(
            ExportNote(
                rule=rule.name,
                exported=True,
                target=target,
                approximations=tuple(dict.fromkeys(notes.dropped)),
            )
        )
    return report


def _window(rule: Rule) -> tuple[int, str]:
    seconds = int(rule.throttle.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return seconds // _UNITS[unit], unit
    return seconds, "s"


def export_kibana_rules(rules: RuleSet, settings: Settings, interval: str = "5m") -> list[dict[str, Any]]:
    """Kibana `.es-query` rule bodies for the enabled rules that Query DSL can express, in file
    order (the others are logged with the reason: see `export_report`)."""
    bodies: list[dict[str, Any]] = []
    for rule in rules.enabled():
        try:
            target, query = rule_query(rule)
        except NotExportable as error:
            log.warning("rule %s is not exported to Kibana: %s", rule.name, error)
            continue
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
