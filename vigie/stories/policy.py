"""The story policy (`vigie/stories/policy.yaml`, validated by `policy.schema.json`) and the
vocabulary it is read with: which names the knowledge base marks broad, capital or common.

Knowledge lives in the data file: which sub-types one happening may be reported under, which
interactions can define a story, how rare a name must be to count, how figures are chosen.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from enrich.kb import DataFileError, KnowledgeBase, default_kb, load_yaml
from vigie.core.resources import files

log = logging.getLogger(__name__)

POLICY_PATH = files("stories") / "policy.yaml"
POLICY_SCHEMA_PATH = files("stories") / "policy.schema.json"
BROAD_KINDS = frozenset({"country", "continent", "bloc"})
INTERACTION = "Interaction"  # Event.event_type of PLOVER-only events
NameClass = Literal["broad", "capital", "common", "known", "unknown"]
FigureRule = Literal["highest", "latest"]


@dataclass(frozen=True)
class EntityPolicy:
    """How rare a shared name must be, and how many, for two articles to be one story."""

    idf_days: int = 7
    prior_documents: float = 200.0
    prior_frequency: Mapping[str, float] = field(
        default_factory=lambda: {
            "broad": 0.5,
            "capital": 0.05,
            "common": 0.05,
            "known": 0.005,
            "unknown": 0.002,
        }
    )
    common_frequency: float = 0.05
    rare_frequency: float = 0.002
    common: frozenset[str] = frozenset()  # knowledge-base ids
    min_score: float = 1.3
    min_rare: int = 2  # with an incident class in common
    min_rare_alone: int = 3  # without
    rare_weight: float = 0.5

    def weight(self, name_class: NameClass, count: int, total: int) -> float:
        """How much sharing a name says, from 0 (named everywhere) to 1 (rare): the name's share
        of the recent articles (`count` of `total`), smoothed towards the prior of its class
        while the index is small, on a log scale between `common_frequency` and
        `rare_frequency`."""
        prior = self.prior_frequency[name_class]
        share = (count + self.prior_documents * prior) / (total + self.prior_documents)
        if share <= 0:
            return 1.0
        span = math.log(self.common_frequency / self.rare_frequency)
        return min(1.0, max(0.0, math.log(self.common_frequency / share) / span))


@dataclass(frozen=True)
class StoryPolicy:
    window_hours: float = 36.0
    incident_classes: Mapping[str, str] = field(default_factory=dict)  # sub-type -> class
    weapon_groups: Mapping[str, str] = field(default_factory=dict)  # weapon class -> group
    lead_interaction_classes: frozenset[str] = frozenset()
    interaction_capitals: bool = False
    entities: EntityPolicy = field(default_factory=EntityPolicy)
    figures: FigureRule = "highest"
    candidates_per_article: int = 50

    def kind(self, sub_event_type: str) -> str:
        """The incident class of a sub-type (the sub-type itself when no class lists it)."""
        return self.incident_classes.get(sub_event_type, sub_event_type)

    def weapons_compatible(self, a: Iterable[str], b: Iterable[str]) -> bool:
        """Two reports of one happening may name its weapons (classes) or not, but not weapons
        of different groups only."""
        groups_a = {self.weapon_groups[w] for w in a if w in self.weapon_groups}
        groups_b = {self.weapon_groups[w] for w in b if w in self.weapon_groups}
        return not groups_a or not groups_b or bool(groups_a & groups_b)

    def can_lead(self, event_type: str, sub_event_type: str) -> bool:
        """Whether an incident of this type can define a story (see policy.yaml)."""
        return event_type != INTERACTION or self.kind(sub_event_type) in self.lead_interaction_classes


def load_policy(path: Path = POLICY_PATH) -> StoryPolicy:
    data = load_yaml(path, POLICY_SCHEMA_PATH)
    classes: dict[str, str] = {}
    for name, sub_types in data["incident_classes"].items():
        for sub_type in sub_types:
            if sub_type in classes:
                raise DataFileError(
                    f"{path}: incident_classes: {sub_type!r} is in {classes[sub_type]!r} and {name!r}"
                )
            classes[sub_type] = name
    groups: dict[str, str] = {}
    for name, weapon_classes in data.get("weapon_groups", {}).items():
        for weapon_class in weapon_classes:
            if weapon_class in groups:
                raise DataFileError(
                    f"{path}: weapon_groups: {weapon_class!r} is in {groups[weapon_class]!r} and {name!r}"
                )
            groups[weapon_class] = name
    for name in data["lead_interaction_classes"]:
        if name not in data["incident_classes"]:
            raise DataFileError(f"{path}: lead_interaction_classes: {name!r} is no incident class")
    raw = data["entities"]
    if raw["rare_frequency"] >= raw["common_frequency"]:
        raise DataFileError(f"{path}: entities: rare_frequency must be below common_frequency")
    entities = EntityPolicy(
        idf_days=raw["idf_days"],
        prior_documents=float(raw["prior_documents"]),
        prior_frequency=dict(raw["prior_frequency"]),
        common_frequency=raw["common_frequency"],
        rare_frequency=raw["rare_frequency"],
        common=frozenset(raw.get("common", ())),
        min_score=raw["min_score"],
        min_rare=raw["min_rare"],
        min_rare_alone=raw["min_rare_alone"],
        rare_weight=raw["rare_weight"],
    )
    return StoryPolicy(
        window_hours=float(data["window_hours"]),
        incident_classes=classes,
        weapon_groups=groups,
        lead_interaction_classes=frozenset(data["lead_interaction_classes"]),
        interaction_capitals=bool(data.get("interaction_capitals", False)),
        entities=entities,
        figures=data["figures"],
        candidates_per_article=int(data.get("candidates_per_article", 50)),
    )


@cache
def default_policy() -> StoryPolicy:
    return load_policy()


@dataclass(frozen=True)
class Vocabulary:
    """What the knowledge base says of names (lower-cased names, aliases and ids) and places
    (ids): broad ones (countries, continents, blocs, regions without a country, generic
    weapon classes), capitals, the policy's common names, every known name; weapon classes."""

    broad: frozenset[str] = frozenset()
    capitals: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()
    weapon_classes: Mapping[str, str] = field(default_factory=dict)  # weapon id or lower-cased name -> class

    def name_class(self, name: str) -> NameClass:
        lowered = name.lower()
        if lowered in self.broad:
            return "broad"
        if lowered in self.common:
            return "common"
        if lowered in self.capitals:
            return "capital"
        return "known" if lowered in self.known else "unknown"

    def weapon_classes_of(self, weapons: Iterable[str]) -> list[str]:
        """The classes of weapons given by id (events) or by name (articles), first named first."""
        classes: list[str] = []
        for weapon in weapons:
            kind = self.weapon_classes.get(weapon) or self.weapon_classes.get(weapon.lower())
            if kind and kind not in classes:
                classes.append(kind)
        return classes


def vocabulary(kb: KnowledgeBase | None = None, common: Iterable[str] = ()) -> Vocabulary:
    """The vocabulary of a knowledge base (by default the one `enrich` reads), with `common`
    (knowledge-base ids) as the common names."""
    kb = kb or default_kb()
    broad: set[str] = set()
    capitals: set[str] = set()
    known: set[str] = set()
    common_names: set[str] = set()
    wanted = set(common)
    weapons: dict[str, str] = {}
    for entry in kb.entries.values():
        names = {entry.id.lower(), *(name.lower() for name in (entry.name, *entry.aliases) if name)}
        known |= names
        if entry.kind in BROAD_KINDS or (entry.kind == "region" and not entry.country) or entry.generic:
            broad |= names
        elif entry.kind == "capital":
            capitals |= names
        if entry.id in wanted:
            common_names |= names
        if entry.weapon_class:
            weapons.update(dict.fromkeys([entry.id, *names], entry.weapon_class))
    missing = wanted - set(kb.entries)
    if missing:
        log.warning(
            "story policy: common names unknown to the knowledge base: %s", ", ".join(sorted(missing))
        )
    return Vocabulary(
        frozenset(broad), frozenset(capitals), frozenset(common_names), frozenset(known), weapons
    )


@cache
def default_vocabulary() -> Vocabulary:
    return vocabulary(common=default_policy().entities.common)
