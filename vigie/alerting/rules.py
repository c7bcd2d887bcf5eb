"""Alert rules as data: `alerts/rules.yaml`, validated against `alerts/rules.schema.json`.

`load_rules(path)` returns a `RuleSet` of typed, immutable rules and notifier configurations,
or raises `RulesError` listing every problem, each naming the rule (or notifier) and the
field: ``rule 'frappe_nucleaire': condition.phrase.max_distance must be an integer >= 0 (got -1)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from vigie.alerting.text import phrase_units
from vigie.core.resources import resource_path
from vigie.core.settings import environ as settings_environ

SCHEMA_PATH = resource_path("alerts", "rules.schema.json")

Severity = Literal["info", "low", "medium", "high", "critical"]
QuantityField = Literal["launched", "intercepted", "destroyed", "killed", "injured"]
PhraseField = Literal["title", "text"]


class RulesError(ValueError):
    """The rules file is unusable; `problems` lists every error found, one line each."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(
            f"{path}: {len(self.problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in self.problems)
        )


# -- conditions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    child: Condition


@dataclass(frozen=True)
class Phrase:
    """Words found within one sentence, at most `max_distance` other words inside the span
    (Lucene `span_near` slop semantics), in the given order unless `in_order` is false."""

    words: str
    units: tuple[tuple[str, ...], ...]  # normalised stems, hyphenated words grouped (vigie.alerting.text)
    max_distance: int = 0
    in_order: bool = True
    fields: tuple[PhraseField, ...] = ("title", "text")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for unit in self.units for key in unit)


@dataclass(frozen=True)
class EntityCondition:
    ids: frozenset[str]
    types: frozenset[str] | None = None
    min_count: int = 1


@dataclass(frozen=True)
class QuantityCondition:
    """True when ANY of `fields` on the same event lies in [min, max] (qualifier ignored)."""

    fields: tuple[QuantityField, ...]
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class EventCondition:
    """True when ONE event of the article satisfies every constraint given."""

    event_types: frozenset[str] | None = None
    sub_event_types: frozenset[str] | None = None
    interactions: frozenset[str] | None = None
    weapons: frozenset[str] | None = None
    actors: frozenset[str] | None = None
    targets: frozenset[str] | None = None
    quantity: QuantityCondition | None = None
    min_confidence: float | None = None


@dataclass(frozen=True)
class SourceCondition:
    sources: frozenset[str]


@dataclass(frozen=True)
class LanguageCondition:
    languages: frozenset[str]


Condition = (
    AllOf | AnyOf | Not | Phrase | EntityCondition | EventCondition | SourceCondition | LanguageCondition
)


# -- notifiers and rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class NotifierConfig:
    """One notifier from the `notifiers:` section, `${ENV}` references expanded.

    `missing_env` lists variables referenced but unset: such a notifier is unconfigured, and
    alerts are not queued for it (logged and counted), instead of failing forever."""

    name: str
    type: Literal["log", "webhook", "email"]
    options: Mapping[str, Any] = field(default_factory=dict)
    missing_env: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The `Delivery.notifier` value: "log", "webhook:<name>", "email:<name>"."""
        if self.type == "log" and self.name == "log":
            return "log"
        return f"{self.type}:{self.name}"

    @property
    def configured(self) -> bool:
        return not self.missing_env


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    condition: Condition
    description: str = ""
    throttle: timedelta = timedelta(hours=24)
    notifiers: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    notifiers: Mapping[str, NotifierConfig]
    source: str = ""

    def __iter__(self) -> Any:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def enabled(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)

    def get(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def notifiers_of(self, rule: Rule) -> list[NotifierConfig]:
        return [self.notifiers[name] for name in rule.notifiers]

    def notifier_by_key(self, key: str) -> NotifierConfig | None:
        for notifier in self.notifiers.values():
            if notifier.key == key:
                return notifier
        return None


# -- loading ------------------------------------------------------------------------------------

_DURATION = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def expand_env(value: str, environ: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """Expand `${VAR}` and `${VAR:-default}` (from the process environment unless `environ` is
    given); returns the text and the unset variables."""
    env = settings_environ() if environ is None else environ
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if default is not None:
            return default
        missing.append(name)
        return ""

    return _ENV_REF.sub(substitute, value), missing


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    import json

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(schema: Mapping[str, Any]) -> str:
    if "description" in schema:
        return str(schema["description"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type")
    return {
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
    }.get(str(kind), f"a {kind}" if kind else "valid")


def _message(error: ValidationError, skip: int) -> str:
    """One readable line for a schema error, with the field path relative to its rule."""
    parts = list(error.absolute_path)[skip:]
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    where = _path(parts)
    if error.validator == "required":
        missing = re.search(r"'([^']+)'", error.message)
        name = missing.group(1) if missing else error.message
        return f"{_path([*parts, name])} is required"
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(schema.get("properties", {})))
        instance: Mapping[str, Any] = error.instance if isinstance(error.instance, Mapping) else {}
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        unknown = ", ".join(repr(e) for e in extra)
        return f"{where or 'top level'}: unknown field {unknown} (allowed: {allowed})"
    if error.validator in {"minProperties", "maxProperties"} and "description" in schema:
        return f"{where} must be {schema['description']}"
    if error.validator == "uniqueItems":
        return f"{where} must not repeat items"
    shown = repr(error.instance)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{where or 'top level'} must be {_describe(schema)} (got {shown})"


def _rule_label(raw: Any, index: int) -> str:
    if isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
        return f"rule '{raw['name']}'"
    return f"rules[{index}]"


def _strings(value: Sequence[str] | None) -> frozenset[str] | None:
    return frozenset(value) if value else None


def _build_condition(raw: Mapping[str, Any], where: str, problems: list[str]) -> Condition:
    (kind, body), *_ = raw.items()
    if kind in ("all", "any"):
        children = tuple(_build_condition(c, f"{where}.{kind}[{i}]", problems) for i, c in enumerate(body))
        return AllOf(children) if kind == "all" else AnyOf(children)
    if kind == "not":
        return Not(_build_condition(body, f"{where}.not", problems))
    if kind == "phrase":
        units = phrase_units(body["words"])
        if not units:
            problems.append(f"{where}.phrase.words has no words after normalisation (got {body['words']!r})")
        return Phrase(
            words=body["words"],
            units=units,
            max_distance=body.get("max_distance", 0),
            in_order=body.get("in_order", True),
            fields=tuple(body.get("fields", ("title", "text"))),
        )
    if kind == "entity":
        return EntityCondition(
            ids=frozenset(body["ids"]), types=_strings(body.get("types")), min_count=body.get("min_count", 1)
        )
    if kind == "event":
        quantity = None
        if "quantity" in body:
            q = body["quantity"]
            if "min" in q and "max" in q and q["min"] > q["max"]:
                problems.append(f"{where}.event.quantity.min must be <= max (got {q['min']} > {q['max']})")
            quantity = QuantityCondition(fields=tuple(q["fields"]), min=q.get("min"), max=q.get("max"))
        return EventCondition(
            event_types=_strings(body.get("event_type")),
            sub_event_types=_strings(body.get("sub_event_type")),
            interactions=_strings(body.get("interaction")),
            weapons=_strings(body.get("weapons")),
            actors=_strings(body.get("actors")),
            targets=_strings(body.get("targets")),
            quantity=quantity,
            min_confidence=body.get("min_confidence"),
        )
    if kind == "source":
        return SourceCondition(frozenset(body))
    return LanguageCondition(frozenset(body))


def _build_notifier(name: str, raw: Mapping[str, Any], problems: list[str]) -> NotifierConfig:
    options: dict[str, Any] = {}
    missing: list[str] = []
    for key, value in raw.items():
        if key == "type":
            continue
        if isinstance(value, str):
            value, unset = expand_env(value)
            missing.extend(unset)
        elif isinstance(value, Mapping):
            expanded = {}
            for k, v in value.items():
                expanded[k], unset = expand_env(v)
                missing.extend(unset)
            value = expanded
        elif isinstance(value, list):
            expanded_list = []
            for item in value:
                text, unset = expand_env(item)
                missing.extend(unset)
                expanded_list.append(text)
            value = expanded_list
        options[key] = value
    if raw["type"] == "email" and not missing:
        try:
            options["port"] = int(options.get("port", 25))
        except ValueError:
            problems.append(f"notifier '{name}': port must be a port number (got {options.get('port')!r})")
    if raw["type"] == "webhook" and not missing and not re.match(r"^https?://", options["url"]):
        # Not the value itself: a webhook URL is a secret (its path is the token).
        shown = f"{options['url'][:8]!r}… ({len(options['url'])} characters)"
        problems.append(f"notifier '{name}': url must be an http(s) URL (got {shown})")
    return NotifierConfig(
        name=name, type=raw["type"], options=options, missing_env=tuple(dict.fromkeys(missing))
    )


def parse_rules(data: Any, source: str = "<rules>") -> RuleSet:
    """Validate and build a RuleSet from already-parsed YAML/JSON data."""
    problems: list[str] = []
    validator = _validator()
    if not isinstance(data, Mapping):
        raise RulesError(
            source, [f"top level must be a mapping with 'version' and 'rules' (got {type(data).__name__})"]
        )

    # Errors inside a rule are reported per rule; the rest at the top level.
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
            label = _rule_label(data["rules"][path[1]], path[1])
            problems.append(f"{label}: {_message(error, skip=2)}")
        elif len(path) >= 2 and path[0] == "notifiers":
            problems.append(f"notifier '{path[1]}': {_message(error, skip=2)}")
        else:
            problems.append(_message(error, skip=0))
    if problems:
        raise RulesError(source, problems)

    notifiers = {
        name: _build_notifier(name, raw, problems) for name, raw in (data.get("notifiers") or {}).items()
    }
    defaults = data.get("defaults") or {}
    default_throttle = parse_duration(defaults.get("throttle", "24h"))
    default_notifiers = tuple(defaults.get("notifiers", ()))
    for name in default_notifiers:
        if name not in notifiers:
            problems.append(
                f"defaults.notifiers refers to unknown notifier '{name}' (defined: {', '.join(notifiers) or 'none'})"
            )

    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        label = _rule_label(raw, index)
        if raw["name"] in seen:
            problems.append(f"{label}: name is used by another rule")
        seen.add(raw["name"])
        rule_problems: list[str] = []
        condition = _build_condition(raw["condition"], "condition", rule_problems)
        names = tuple(raw.get("notifiers", default_notifiers))
        for i, name in enumerate(names):
            if name not in notifiers:
                defined = ", ".join(notifiers) or "none"
                rule_problems.append(
                    f"notifiers[{i}] refers to unknown notifier '{name}' (defined: {defined})"
                )
        problems.extend(f"{label}: {p}" for p in rule_problems)
        rules.append(
            Rule(
                name=raw["name"],
                severity=raw["severity"],
                condition=condition,
                description=raw.get("description", "").strip(),
                throttle=parse_duration(raw["throttle"]) if "throttle" in raw else default_throttle,
                notifiers=names,
                enabled=raw.get("enabled", True),
            )
        )
    if problems:
        raise RulesError(source, problems)
    return RuleSet(rules=tuple(rules), notifiers=notifiers, source=source)


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load and validate a rules file (default: `Settings().rules_file`)."""
    if path is None:
        from vigie.core.settings import get_settings

        path = get_settings().rules_file
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(path, [f"cannot read the rules file: {error.strerror or error}"]) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulesError(path, [f"invalid YAML: {error}"]) from error
    return parse_rules(data, source=str(path))
