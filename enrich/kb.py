"""The knowledge base of canonical entities (`enrich/data/kb.yaml`), doubling as the gazetteer.

Every alias (and the canonical name) is indexed under its folded form, with and without a
leading article, so "l'OTAN", "Otan" and "NATO" all resolve to `otan`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from enrich.text import fold, strip_article
from vigie.core.models import EntityRef, EntityType, GeoPoint, Place
from vigie.core.resources import files

DATA_DIR = files("enrich_data")
KB_PATH = DATA_DIR / "kb.yaml"
KB_SCHEMA_PATH = DATA_DIR / "kb.schema.json"


class DataFileError(ValueError):
    """A data file does not match its schema: refused at load time, with the path and reason."""


def load_yaml(path: Path, schema_path: Path) -> dict:
    """Load a YAML data file and validate it against its JSON schema."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    with schema_path.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        raise DataFileError(f"{path}: {where}: {exc.message}") from exc
    return data


@dataclass(frozen=True)
class KBEntry:
    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    qid: str | None = None
    country: str | None = None
    capital_of: str | None = None
    lat: float | None = None
    lon: float | None = None
    demonyms: tuple[str, ...] = ()
    generic: bool = False
    weapon_class: str | None = None

    @property
    def location(self) -> GeoPoint | None:
        if self.lat is None or self.lon is None:
            return None
        return GeoPoint(lat=self.lat, lon=self.lon)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def ref(self) -> EntityRef:
        return EntityRef(id=self.id, name=self.name, type=self.type)

    def place(self) -> Place:
        return Place(id=self.id, name=self.name, country=self.country, location=self.location)


@dataclass
class KnowledgeBase:
    entries: dict[str, KBEntry]
    _by_alias: dict[str, list[str]] = field(default_factory=dict)
    _by_demonym: dict[str, str] = field(default_factory=dict)
    _country_entity: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries.values():
            for name in entry.names:
                for key in {fold(name), strip_article(fold(name))}:
                    ids = self._by_alias.setdefault(key, [])
                    if entry.id not in ids:
                        ids.append(entry.id)
            for demonym in entry.demonyms:
                self._by_demonym.setdefault(fold(demonym), entry.id)
            if entry.kind == "country" and entry.country:
                self._country_entity[entry.country] = entry.id

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[KBEntry]:
        return iter(self.entries.values())

    def get(self, entity_id: str) -> KBEntry | None:
        return self.entries.get(entity_id)

    def resolve(self, surface: str, prefer: str | None = None) -> KBEntry | None:
        """The entry named by a surface form; `prefer` (an entity type) breaks alias ties."""
        key = fold(surface)
        ids = self._by_alias.get(key) or self._by_alias.get(strip_article(key))
        if not ids:
            return None
        if prefer is not None:
            for entity_id in ids:
                if self.entries[entity_id].type == prefer:
                    return self.entries[entity_id]
        return self.entries[ids[0]]

    def demonym(self, word: str) -> KBEntry | None:
        """The state named by an adjective or demonym: "ukrainiennes" -> ukraine."""
        key = fold(word)
        for candidate in (key, key.removesuffix("s"), key.removesuffix("es"), key.removesuffix("nes") + "n"):
            entity_id = self._by_demonym.get(candidate)
            if entity_id:
                return self.entries[entity_id]
        return None

    def country_of(self, entry: KBEntry) -> KBEntry | None:
        """The state entity an entry belongs to (itself for a state)."""
        if entry.kind == "country":
            return entry
        if entry.country and entry.country in self._country_entity:
            return self.entries[self._country_entity[entry.country]]
        return None

    def as_actor(self, entry: KBEntry) -> KBEntry:
        """A capital acting stands for its state ("Moscou menace" -> russie)."""
        if entry.capital_of and entry.capital_of in self.entries:
            return self.entries[entry.capital_of]
        return entry


def _entry(entity_id: str, raw: dict) -> KBEntry:
    return KBEntry(
        id=entity_id,
        name=raw["name"],
        type=raw["type"],
        aliases=tuple(raw.get("aliases", ())),
        kind=raw.get("kind"),
        qid=raw.get("qid"),
        country=raw.get("country"),
        capital_of=raw.get("capital_of"),
        lat=raw.get("lat"),
        lon=raw.get("lon"),
        demonyms=tuple(raw.get("demonyms", ())),
        generic=bool(raw.get("generic", False)),
        weapon_class=raw.get("weapon_class"),
    )


def load_kb(path: Path = KB_PATH) -> KnowledgeBase:
    data = load_yaml(path, KB_SCHEMA_PATH)
    entries = {entity_id: _entry(entity_id, raw) for entity_id, raw in data["entities"].items()}
    for entry in entries.values():
        if entry.capital_of and entry.capital_of not in entries:
            raise DataFileError(f"{path}: {entry.id}: capital_of names unknown entity {entry.capital_of!r}")
    return KnowledgeBase(entries)


@lru_cache(maxsize=4)
def default_kb() -> KnowledgeBase:
    return load_kb()
