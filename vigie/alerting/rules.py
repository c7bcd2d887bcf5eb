"""Alert rules as data: `alerts/rules.yaml`, validated against `alerts/rules.schema.json`.

`load_rules(path)` returns a `RuleSet` of typed, immutable rules and notifier configurations,
or raises `RulesError` listing every problem, each naming the rule (or notifier) and the
field: ``rule 'frappe_nucleaire': condition.phrase.max_distance must be an integer >= 0 (got -1)``.

Conditions read the text (phrases; `sentence`: phrase lexicons met in one sentence, a count of
weapons of one class, negation/hypothesis cues in scope) and what the enricher extracted
(`event`: types, weapon classes, counts per weapon class, victims by group, the evidence
sentence; `casualties`: the article's toll; `conflict`: the conflict gate). The phrase lists
are data too: the `lexicons:` section of the rules file. See alerts/README.md.
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
CasualtyField = Literal["killed", "injured", "civilians_killed", "civilians_injured"]
PhraseField = Literal["title", "text"]
CueScope = Literal["sentence", "inside", "before", "after", "near", "overlap"]
Bound = Literal["as_read", "lower"]


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
class LexiconPhrase:
    """One phrase of a lexicon: words met in one sentence as a `Phrase` has them."""

    words: str
    units: tuple[tuple[str, ...], ...]
    max_distance: int = 0
    in_order: bool = True
    # Every way the file writes it ("résident", "résidente": one stem): what an exact-word
    # index (the Kibana export on an analyzer without stemming) must look for.
    variants: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for unit in self.units for key in unit)


@dataclass(frozen=True)
class Lexicon:
    """A named list of phrases (the `lexicons:` section): synonyms, inflections, phrasings of one
    idea. A lexicon is met in a sentence when one of its phrases is."""

    name: str
    phrases: tuple[LexiconPhrase, ...]


@dataclass(frozen=True)
class Cue:
    """An `unless` entry: the sentence does not count when a phrase of `lexicon` (or a
    `count`) stands in
    `scope` of the matched words: anywhere in the `sentence`; `inside` the matched span; up
    to `window` words `before` it (or inside), `after` it (or inside), or on either side
    (`near`); or when a matched word is part of the cue (`overlap`: "civile" in "défense
    civile", "frappe" in "force de frappe")."""

    lexicon: Lexicon
    scope: CueScope = "sentence"
    window: int = 5
    # Or a count ("trois nuits", "10 jours": several nights, not one raid) instead of phrases.
    count: CountSpec | None = None
    # A cue right after one of these is no cue: "la plus vaste attaque depuis le début de la
    # guerre" is a record, not a total; "en une seule nuit" is one night.
    unless_after: Lexicon | None = None


@dataclass(frozen=True)
class CountSpec:
    """A number counting things of one kind, read in the sentence ("plus de 300 drones",
    "une centaine de Shahed", "entre 250 et 350 drones" -> 250: a range counts by its lower
    bound; "jusqu'à 150" has none): the counted noun is a weapon of `weapon_class` (its
    names in the enricher's knowledge base) and/or a whole phrase of the `nouns` lexicon
    ("engins explosifs sans pilote"). A number counting two kinds at once ("200 drones et
    missiles") counts neither."""

    weapon_class: str | None = None
    nouns: Lexicon | None = None
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class SentenceCondition:
    """One sentence (of `fields`) holds a phrase of every lexicon of `all` (and a `count`
    when given), on distinct words at most `max_span` other words apart, and no `unless` cue
    in scope. With neither (an event's `sentence`: cues only), a sentence holds it when no cue
    stands in it."""

    all: tuple[Lexicon, ...] = ()
    count: CountSpec | None = None
    unless: tuple[Cue, ...] = ()
    max_span: int | None = None
    fields: tuple[PhraseField, ...] = ("title", "text")


@dataclass(frozen=True)
class EntityCondition:
    ids: frozenset[str]
    types: frozenset[str] | None = None
    min_count: int = 1


@dataclass(frozen=True)
class QuantityCondition:
    """True when ANY of `fields` on the same event lies in [min, max] (qualifier ignored
    unless `bound` is "lower": then a range counts by its lower bound and an "at most" figure
    has none), counts things of `weapon_class` only when given (drones never pooled with
    missiles), and counts people of one of `groups` / none of `not_groups` when given, or
    (`counting` / `not_counting`) whose own words name them."""

    fields: tuple[QuantityField, ...]
    min: int | None = None
    max: int | None = None
    weapon_class: str | None = None
    groups: frozenset[str] | None = None
    not_groups: frozenset[str] | None = None
    bound: Bound = "as_read"
    # The words of the count itself ("12 soldats", "quatre civils") hold / do not hold a phrase
    # of this lexicon: who was counted, when the enricher's `group` does not say.
    counting: Lexicon | None = None
    not_counting: Lexicon | None = None


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
    weapon_classes: frozenset[str] | None = None  # one of the event's weapons is of one of these
    sentence: SentenceCondition | None = None  # one of the event's evidence sentences holds it


@dataclass(frozen=True)
class CasualtiesCondition:
    """The article's toll (`Article.casualties`, summed over its incidents): ANY of `fields`
    in [min, max]. An article without a toll has none (0 is no victim)."""

    fields: tuple[CasualtyField, ...]
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class ConflictCondition:
    """The enricher's conflict gate. `open: true` holds unless the article was judged not
    about armed conflict (`Article.conflict` False; None, unknown, lets it through);
    `open: false` holds only when it was."""

    open: bool = True


@dataclass(frozen=True)
class SourceCondition:
    sources: frozenset[str]


@dataclass(frozen=True)
class LanguageCondition:
    languages: frozenset[str]


Condition = (
    AllOf
    | AnyOf
    | Not
    | Phrase
    | EntityCondition
    | EventCondition
    | SourceCondition
    | LanguageCondition
    | SentenceCondition
    | CasualtiesCondition
    | ConflictCondition
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
    lexicons: Mapping[str, Lexicon] = field(default_factory=dict)

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
    if error.validator in {"minProperties", "maxProperties", "anyOf", "oneOf"} and "description" in schema:
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


@dataclass(frozen=True)
class _Context:
    """What conditions may refer to: the lexicons of the file, the weapon classes the
    enricher's knowledge base knows (None: not checked)."""

    lexicons: Mapping[str, Lexicon]
    weapon_classes: frozenset[str] | None


@lru_cache(maxsize=1)
def known_weapon_classes() -> frozenset[str] | None:
    """The weapon classes of the enricher's knowledge base (None when it is not installed)."""
    try:
        from enrich.kb import default_kb
    except ImportError:
        return None
    return frozenset(e.weapon_class for e in default_kb() if e.weapon_class)


def _build_lexicon(name: str, raw: Any, problems: list[str]) -> Lexicon:
    if isinstance(raw, Mapping):
        entries, distance, in_order = raw["phrases"], raw.get("max_distance", 0), raw.get("in_order", True)
    else:
        entries, distance, in_order = raw, 0, True
    phrases: list[LexiconPhrase] = []
    seen: dict[tuple[tuple[tuple[str, ...], ...], int, bool], int] = {}
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            words, entry_distance, entry_order = entry, distance, in_order
        else:
            words = entry["words"]
            entry_distance = entry.get("max_distance", distance)
            entry_order = entry.get("in_order", in_order)
        units = phrase_units(words)
        if not units:
            problems.append(
                f"lexicon '{name}': phrases[{i}] has no words after normalisation (got {words!r})"
            )
            continue
        key = (units, entry_distance, entry_order)
        if key in seen:  # "tué" and "tués" may share a stem: one phrase, both variants
            at = seen[key]
            known = phrases[at]
            if words not in known.variants:
                phrases[at] = LexiconPhrase(
                    known.words, units, entry_distance, entry_order, (*known.variants, words)
                )
            continue
        seen[key] = len(phrases)
        phrases.append(LexiconPhrase(words, units, entry_distance, entry_order, (words,)))
    return Lexicon(name=name, phrases=tuple(phrases))


def _lexicon(name: str, where: str, context: _Context, problems: list[str]) -> Lexicon:
    found = context.lexicons.get(name)
    if found is None:
        defined = ", ".join(sorted(context.lexicons)) or "none"
        problems.append(f"{where} refers to unknown lexicon '{name}' (defined: {defined})")
        return Lexicon(name=name, phrases=())
    return found


def _weapon_class(value: str, where: str, context: _Context, problems: list[str]) -> str:
    known = context.weapon_classes
    if known is not None and value not in known:
        problems.append(
            f"{where} must be a weapon class of the knowledge base ({', '.join(sorted(known))}) (got {value!r})"
        )
    return value


def _build_count(raw: Mapping[str, Any], where: str, context: _Context, problems: list[str]) -> CountSpec:
    if "min" in raw and "max" in raw and raw["min"] > raw["max"]:
        problems.append(f"{where}.min must be <= max (got {raw['min']} > {raw['max']})")
    return CountSpec(
        weapon_class=_weapon_class(raw["weapon_class"], f"{where}.weapon_class", context, problems)
        if "weapon_class" in raw
        else None,
        nouns=_lexicon(raw["nouns"], f"{where}.nouns", context, problems) if "nouns" in raw else None,
        min=raw.get("min"),
        max=raw.get("max"),
    )


def _build_cue(raw: Mapping[str, Any], where: str, context: _Context, problems: list[str]) -> Cue:
    return Cue(
        lexicon=_lexicon(raw["lexicon"], f"{where}.lexicon", context, problems)
        if "lexicon" in raw
        else Lexicon(name="count", phrases=()),
        scope=raw.get("scope", "sentence"),
        window=raw.get("window", 5),
        count=_build_count(raw["count"], f"{where}.count", context, problems) if "count" in raw else None,
        unless_after=_lexicon(raw["unless_after"], f"{where}.unless_after", context, problems)
        if "unless_after" in raw
        else None,
    )


def _build_sentence(
    raw: Mapping[str, Any], where: str, context: _Context, problems: list[str]
) -> SentenceCondition:
    lexicons = tuple(
        _lexicon(name, f"{where}.all[{i}]", context, problems) for i, name in enumerate(raw.get("all", ()))
    )
    count = _build_count(raw["count"], f"{where}.count", context, problems) if "count" in raw else None
    unless = tuple(
        _build_cue(cue, f"{where}.unless[{i}]", context, problems)
        for i, cue in enumerate(raw.get("unless", ()))
    )
    return SentenceCondition(
        all=lexicons,
        count=count,
        unless=unless,
        max_span=raw.get("max_span"),
        fields=tuple(raw.get("fields", ("title", "text"))),
    )


def _build_condition(raw: Mapping[str, Any], where: str, problems: list[str], context: _Context) -> Condition:
    (kind, body), *_ = raw.items()
    if kind in ("all", "any"):
        children = tuple(
            _build_condition(c, f"{where}.{kind}[{i}]", problems, context) for i, c in enumerate(body)
        )
        return AllOf(children) if kind == "all" else AnyOf(children)
    if kind == "not":
        return Not(_build_condition(body, f"{where}.not", problems, context))
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
    if kind == "sentence":
        return _build_sentence(body, f"{where}.sentence", context, problems)
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
            weapon_class = q.get("weapon_class")
            if weapon_class is not None:
                _weapon_class(weapon_class, f"{where}.event.quantity.weapon_class", context, problems)
            quantity = QuantityCondition(
                fields=tuple(q["fields"]),
                min=q.get("min"),
                max=q.get("max"),
                weapon_class=weapon_class,
                groups=_strings(q.get("group")),
                not_groups=_strings(q.get("not_group")),
                bound=q.get("bound", "as_read"),
                counting=_lexicon(q["counting"], f"{where}.event.quantity.counting", context, problems)
                if "counting" in q
                else None,
                not_counting=_lexicon(
                    q["not_counting"], f"{where}.event.quantity.not_counting", context, problems
                )
                if "not_counting" in q
                else None,
            )
        classes = body.get("weapon_class")
        for i, value in enumerate(classes or ()):
            _weapon_class(value, f"{where}.event.weapon_class[{i}]", context, problems)
        return EventCondition(
            event_types=_strings(body.get("event_type")),
            sub_event_types=_strings(body.get("sub_event_type")),
            interactions=_strings(body.get("interaction")),
            weapons=_strings(body.get("weapons")),
            actors=_strings(body.get("actors")),
            targets=_strings(body.get("targets")),
            quantity=quantity,
            min_confidence=body.get("min_confidence"),
            weapon_classes=_strings(classes),
            sentence=_build_sentence(body["sentence"], f"{where}.event.sentence", context, problems)
            if "sentence" in body
            else None,
        )
    if kind == "casualties":
        if "min" in body and "max" in body and body["min"] > body["max"]:
            problems.append(f"{where}.casualties.min must be <= max (got {body['min']} > {body['max']})")
        return CasualtiesCondition(fields=tuple(body["fields"]), min=body.get("min"), max=body.get("max"))
    if kind == "conflict":
        return ConflictCondition(open=bool(body))
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
        elif len(path) >= 2 and path[0] == "lexicons":
            text = _message(error, skip=2)
            problems.append(f"lexicon '{path[1]}': {'phrases' + text if text.startswith(' ') else text}")
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

    lexicons = {
        name: _build_lexicon(name, raw, problems) for name, raw in (data.get("lexicons") or {}).items()
    }
    context = _Context(lexicons=lexicons, weapon_classes=known_weapon_classes())

    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        label = _rule_label(raw, index)
        if raw["name"] in seen:
            problems.append(f"{label}: name is used by another rule")
        seen.add(raw["name"])
        rule_problems: list[str] = []
        condition = _build_condition(raw["condition"], "condition", rule_problems, context)
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
    return RuleSet(rules=tuple(rules), notifiers=notifiers, source=source, lexicons=lexicons)


def _read_rules_file(path: Path | str | None) -> tuple[Path, Any]:
    if path is None:
        from vigie.core.settings import get_settings

        path = get_settings().rules_file
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(path, [f"cannot read the rules file: {error.strerror or error}"]) from error
    try:
        return path, yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulesError(path, [f"invalid YAML: {error}"]) from error


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load and validate a rules file (default: `Settings().rules_file`)."""
    path, data = _read_rules_file(path)
    return parse_rules(data, source=str(path))


def load_notifiers(path: Path | str | None = None) -> RuleSet:
    """The notifiers of a rules file, as a RuleSet without rules: what delivering an alert
    needs. The file is checked against the schema and its notifiers built as `load_rules`
    does; its lexicons and conditions are not (building them tokenises every phrase with
    spaCy's French tokenizer and reads the knowledge base: seconds)."""
    path, data = _read_rules_file(path)
    problems: list[str] = []
    if isinstance(data, Mapping):
        problems = [_message(error, skip=0) for error in _validator().iter_errors(data)]
    else:
        problems = ["top level must be a mapping with 'version' and 'rules'"]
    if problems:
        raise RulesError(str(path), problems)
    notifiers = {
        name: _build_notifier(name, raw, problems) for name, raw in (data.get("notifiers") or {}).items()
    }
    if problems:
        raise RulesError(str(path), problems)
    return RuleSet(rules=(), notifiers=notifiers, source=str(path))
