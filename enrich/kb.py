"""The knowledge base of canonical entities (`enrich/data/kb.yaml`), with the gazetteer behind it.

Every alias (and the canonical name) is indexed under its folded form, with and without a
leading article, so "l'OTAN", "Otan" and "NATO" all resolve to `otan`.

Places the curated entries do not name are looked up in the packaged gazetteer
(`enrich.gazetteer`: GeoNames cities, ISO 3166 countries and subdivisions) through the same
object: `place()` tries the KB's aliases, then their transliteration keys, then the gazetteer;
`get()`, `country_of()` and `as_actor()` answer for gazetteer places as for KB entries (a
gazetteer place the KB also lists is the KB entry: GeoNames' "Kyiv" is `kiev`). Entries made
at run time (gazetteer places, "la région de X") are `KBEntry` objects like the others; they
are kept in `dynamic`, never in `entries` (the KB matcher and story vocabulary read `entries`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from enrich.datafiles import DATA_DIR, DataFileError, load_yaml
from enrich.gazetteer import Gazetteer, default_config, default_gazetteer
from enrich.gazetteer import Place as GazetteerPlace
from enrich.text import fold, slugify, strip_accents, strip_article
from vigie.core.models import EntityRef, EntityType, GeoPoint, LocationPrecision, Place

__all__ = [
    "DATA_DIR",
    "DataFileError",
    "KBEntry",
    "KnowledgeBase",
    "canonical_place_id",
    "default_kb",
    "load_kb",
    "load_yaml",
]

log = logging.getLogger(__name__)
KB_PATH = DATA_DIR / "kb.yaml"
KB_SCHEMA_PATH = DATA_DIR / "kb.schema.json"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_UNSET: Any = object()
# Kinds of KB places a GeoNames city may be: linked to it when name, country and position agree.
_LINKED_KINDS = frozenset({"capital", "city", "district", "region", "base"})


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
    context: tuple[str, ...] = ()  # words that license its short upper-case aliases
    # How precise (lat, lon) is: "exact" the place's own point; "city", "region", "country" the
    # point of the place the text attaches it to (`KnowledgeBase.located_near`).
    precision: LocationPrecision = "exact"

    @property
    def location(self) -> GeoPoint | None:
        if self.lat is None or self.lon is None:
            return None
        return GeoPoint(lat=self.lat, lon=self.lon)

    @property
    def location_precision(self) -> LocationPrecision | None:
        return self.precision if self.lat is not None and self.lon is not None else None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def ref(self) -> EntityRef:
        return EntityRef(id=self.id, name=self.name, type=self.type)

    def place(self) -> Place:
        return Place(
            id=self.id,
            name=self.name,
            country=self.country,
            location=self.location,
            precision=self.location_precision,
        )


@dataclass(frozen=True)
class ForceBranch:
    """A branch of national armed forces (kb.yaml national_forces): the head nouns naming it
    before a demonym ("armée", "forces armées"), and the id and name templates of an entry the
    KB lacks ("forces-armees-{}", filled with the demonym's feminine plural)."""

    heads: tuple[str, ...]
    id: str
    name: str


@dataclass
class KnowledgeBase:
    entries: dict[str, KBEntry]
    use_gazetteer: bool = True
    _by_alias: dict[str, list[str]] = field(default_factory=dict)
    _by_demonym: dict[str, str] = field(default_factory=dict)
    _country_entity: dict[str, str] = field(default_factory=dict)
    dynamic: dict[str, KBEntry] = field(default_factory=dict)  # entries made at run time
    _by_translit: dict[str, str] | None = None
    _links: dict[str, str] | None = None  # gazetteer place id -> KB id
    _gazetteer: Any = _UNSET
    _approximate: set[str] = field(default_factory=set)  # ids of `located_near` entries
    short_alias_length: int = 0  # short upper-case aliases need a context (kb.yaml short_aliases)
    free_short_aliases: frozenset[str] = frozenset()
    force_branches: tuple[ForceBranch, ...] = ()  # kb.yaml national_forces
    feminine_plural: tuple[tuple[str, str], ...] = ()
    _force_heads: list[tuple[str, ForceBranch]] | None = None
    _force_first_words: frozenset[str] = frozenset()
    _demonym_forms: frozenset[str] | None = None
    _by_slug: dict[str, str] | None = None

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
        """The entry of an id: a KB key, an entry made at run time, or a gazetteer place id."""
        entry = self.entries.get(entity_id) or self.dynamic.get(entity_id)
        if entry is not None or not _SLUG.match(entity_id):
            return entry
        gazetteer = self.gazetteer
        place = gazetteer.by_id(entity_id) if gazetteer is not None else None
        return self.place_entry(place) if place is not None else None

    def short_form(self, entry: KBEntry, surface: str) -> bool:
        """Whether `surface`, whatever its case, is one of the entry's short upper-case aliases
        (at most `short_alias_length` letters: "AA", "KIA", "EAU")."""
        text = surface.strip()
        if not self.short_alias_length or len(text) > self.short_alias_length or not text.isalpha():
            return False
        return any(alias.isupper() and alias == text.upper() for alias in entry.names)

    def needs_context(self, entry: KBEntry, surface: str) -> bool:
        """A short alias that names the entry only where the document gives a context (not one
        of `free_short_aliases`, not a country's: "RDC", "USA")."""
        return (
            self.short_form(entry, surface)
            and surface.strip().upper() not in self.free_short_aliases
            and entry.kind != "country"
        )

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

    def by_slug(self, slug: str) -> KBEntry | None:
        """The entry one of whose names has this slug ("police-nationale-d-haiti" is pnh: the
        apostrophe a slug drops)."""
        if self._by_slug is None:
            index: dict[str, str] = {}
            for entry in self.entries.values():
                for name in entry.names:
                    for key in (slugify(name), slugify(strip_article(fold(name)))):
                        index.setdefault(key, entry.id)
            self._by_slug = index
        entity_id = self._by_slug.get(slug)
        return self.entries[entity_id] if entity_id else None

    def demonym(self, word: str) -> KBEntry | None:
        """The state named by an adjective or demonym: "ukrainiennes" -> ukraine."""
        key = fold(word)
        for candidate in (key, key.removesuffix("s"), key.removesuffix("es"), key.removesuffix("nes") + "n"):
            entity_id = self._by_demonym.get(candidate)
            if entity_id:
                return self.entries[entity_id]
        return None

    def demonym_forms(self) -> frozenset[str]:
        """Every inflection of the states' demonyms, lowercase without accents ("francaises",
        "sud-soudanais"): candidates for `demonym`."""
        if self._demonym_forms is None:
            forms: set[str] = set()
            for entry in self.entries.values():
                if entry.kind != "country":
                    continue
                for demonym in entry.demonyms:
                    word = strip_accents(demonym).lower()  # hyphens kept: "sud-soudanais"
                    if len(word) > 3:
                        forms |= {word, word + "s", word + "e", word + "es", word + "ne", word + "nes"}
            self._demonym_forms = frozenset(forms)
        return self._demonym_forms

    # ----------------------------------------------------------------- national forces

    def national_force(self, surface: str) -> KBEntry | None:
        """The national armed forces a phrase names: a branch head and the state, by its
        demonym or its name ("l'armée camerounaise", "forces armées camerounaises", "l'armée
        du Cameroun", "l'armée de l'air nigériane"): the KB's entry of that state and branch,
        else one made from the branch's templates (forces-armees-camerounaises)."""
        words = re.sub(r"^(?:les|des|aux|l['’])\s*", "", surface.strip(), flags=re.IGNORECASE).split()
        if len(words) == 2 and words[0] == "Forces":
            return None  # "les Forces libanaises", a party: "les forces libanaises" are the army
        return self.national_force_slug(slugify(strip_article(fold(surface))))

    def national_force_slug(self, slug: str) -> KBEntry | None:
        if self._force_heads is None:
            heads = [(slugify(head), branch) for branch in self.force_branches for head in branch.heads]
            self._force_heads = sorted(heads, key=lambda pair: -len(pair[0]))
            self._force_first_words = frozenset(head.split("-")[0] for head, _ in heads)
        if slug.split("-", 1)[0] not in self._force_first_words:
            return None
        for head, branch in self._force_heads:
            if not slug.startswith(head + "-"):
                continue
            state = self._state_named(slug[len(head) + 1 :])
            if state is not None:
                return self.force_entry(branch, state)
        return None

    def _state_named(self, rest: str) -> KBEntry | None:
        """The state a slug's tail names: a demonym ("camerounaise", "sud-soudanaises") or
        "du-cameroun", "de-la-republique-centrafricaine"."""
        for form in (rest, rest.replace("-", " ")):
            # the KB lists masculine demonyms: "camerounaise(s)", "peruvienne(s)" are theirs too
            for word in (
                form,
                form.removesuffix("s").removesuffix("e"),
                form.removesuffix("s").removesuffix("ne"),
            ):
                state = self.demonym(word)
                if state is not None:
                    return state if state.kind == "country" else None
        named = re.match(r"^(?:de-la|de-l|du|des|de|d)-(?P<name>.+)$", rest)
        if named is None:
            return None
        state = self.resolve(named["name"].replace("-", " "), prefer="LOC")
        return state if state is not None and state.kind == "country" else None

    def force_entry(self, branch: ForceBranch, state: KBEntry) -> KBEntry | None:
        """The entry of a state's forces of one branch: the KB's (a MILITARY entry of the
        state named "<head> <demonym>"), else one made once from the branch's templates."""
        heads = [slugify(head) for head in branch.heads]
        for entry in self.entries.values():
            if entry.type != "MILITARY" or entry.country != state.country:
                continue
            for name in entry.names:
                slug = slugify(strip_article(fold(name)))
                for head in heads:
                    if slug.startswith(head + "-") and self._state_named(slug[len(head) + 1 :]) is state:
                        return entry
        adjective = self.feminine_plural_of(state)
        if adjective is None:
            return None
        entity_id = branch.id.replace("{}", slugify(adjective))
        known = self.entries.get(entity_id) or self.dynamic.get(entity_id)
        if known is not None:
            return known
        made = KBEntry(
            id=entity_id, name=branch.name.replace("{}", adjective), type="MILITARY", country=state.country
        )
        self.dynamic[entity_id] = made
        return made

    def feminine_plural_of(self, state: KBEntry) -> str | None:
        """The feminine plural of a state's first demonym ("camerounais" -> "camerounaises")."""
        if not state.demonyms:
            return None
        word = state.demonyms[0].lower()
        for suffix, replacement in self.feminine_plural:
            if word.endswith(suffix):
                return word[: len(word) - len(suffix)] + replacement
        return word + "es"

    def country_of(self, entry: KBEntry) -> KBEntry | None:
        """The state entity an entry belongs to (itself for a state)."""
        if entry.kind == "country":
            return entry
        return self.country_entry(entry.country) if entry.country else None

    def country_entry(self, code: str) -> KBEntry | None:
        """The state of an ISO 3166-1 code: the KB's, else the gazetteer's ("AM" -> armenie)."""
        if code in self._country_entity:
            return self.entries[self._country_entity[code]]
        gazetteer = self.gazetteer
        place = gazetteer.country(code) if gazetteer is not None else None
        return self.place_entry(place) if place is not None else None

    def as_actor(self, entry: KBEntry) -> KBEntry:
        """A capital acting stands for its state ("Moscou menace" -> russie)."""
        if entry.capital_of:
            state = self.get(entry.capital_of)
            if state is not None:
                return state
        return entry

    # ----------------------------------------------------------------------------- places

    @property
    def gazetteer(self) -> Gazetteer | None:
        """The packaged gazetteer, opened on first use (None when turned off or unavailable)."""
        if not self.use_gazetteer:
            return None
        if self._gazetteer is _UNSET:
            try:
                self._gazetteer = default_gazetteer()
            except (OSError, ImportError) as exc:  # pragma: no cover - the KB still works alone
                log.warning("gazetteer unavailable, places limited to the KB: %s", exc)
                self._gazetteer = None
        return self._gazetteer

    def place(
        self,
        surface: str,
        countries: Iterable[str] = (),
        prefer: str | None = None,
        kinds: Iterable[str] | None = None,
        any_size: bool = False,
        loose: bool = True,
    ) -> KBEntry | None:
        """The place a surface form names: a KB place by alias, then by transliteration key
        ("Zaporizhia" -> zaporijjia), then a gazetteer place (homonyms decided by the
        article's `countries`, then population; `prefer` a kind: "region" for "le département
        d'Antioquia"; `any_size`: a town outside the countries however small, for datelines;
        `loose`: as a last resort, a place of the article's countries whose name has the same
        skeleton key, "Kyaukphyu" -> Kyaukpyu: only for a surface that is surely a name)."""
        for entry in (self.resolve(surface, prefer="LOC"), self._translit_place(surface)):
            if entry is not None and entry.type == "LOC" and prefer in (None, entry.kind):
                return entry
        gazetteer = self.gazetteer
        if gazetteer is None:
            return None
        allowed = kinds if kinds is not None else ("country", "region", "city")
        chosen = gazetteer.lookup(surface, countries, prefer, allowed, any_size, loose)
        if chosen is None and prefer is not None and kinds is None:
            chosen = gazetteer.lookup(surface, countries, None, allowed, any_size, loose)
        return self.place_entry(chosen) if chosen is not None else None

    def _translit_place(self, surface: str) -> KBEntry | None:
        if self._by_translit is None:
            config = default_config()
            keys: dict[str, str] = {}
            ambiguous: set[str] = set()
            for entry in self.entries.values():
                if entry.type != "LOC":
                    continue
                for name in entry.names:
                    key = config.translit_key(name)
                    if len(key) < 4:
                        continue
                    if keys.setdefault(key, entry.id) != entry.id:
                        ambiguous.add(key)
            self._by_translit = {k: v for k, v in keys.items() if k not in ambiguous}
        entity_id = self._by_translit.get(default_config().translit_key(surface))
        return self.entries[entity_id] if entity_id else None

    def _gazetteer_links(self, gazetteer: Gazetteer) -> dict[str, str]:
        """Gazetteer places the KB lists itself: a city of the same name in the same country
        within about a degree, a subdivision of the same name in the same country, and the
        countries by ISO code."""
        if self._links is None:
            links: dict[str, str] = {}
            for entry in self.entries.values():
                if entry.type != "LOC" or entry.country is None:
                    continue
                if entry.kind == "country":
                    place = gazetteer.country(entry.country)
                    if place is not None:
                        links[place.id] = entry.id
                    continue
                if entry.kind not in _LINKED_KINDS or entry.lat is None or entry.lon is None:
                    continue
                for name in entry.names:
                    for place in gazetteer.candidates(name, translit=False):
                        if (
                            entry.kind == "region"
                            and place.kind == "region"
                            and place.country == entry.country
                        ):
                            links.setdefault(place.id, entry.id)  # ISO 3166-2 has no coordinates
                        elif (
                            place.kind == "city"
                            and place.country == entry.country
                            and place.lat is not None
                            and place.lon is not None
                            and abs(place.lat - entry.lat) + abs(place.lon - entry.lon) < 1.5
                        ):
                            links.setdefault(place.id, entry.id)
            self._links = links
        return self._links

    def place_entry(self, place: GazetteerPlace) -> KBEntry:
        """The entry of a gazetteer place: the KB's own when it lists the place, else one
        made once and kept (capitals stand for their state, as in the KB)."""
        gazetteer = self.gazetteer
        if gazetteer is not None:
            linked = self._gazetteer_links(gazetteer).get(place.id)
            if linked is not None:
                return self.entries[linked]
        if place.kind == "country" and place.country in self._country_entity:
            return self.entries[self._country_entity[place.country]]
        entry_id = place.id if place.id not in self.entries else place.alt_id
        entry = self.dynamic.get(entry_id)
        if entry is not None:
            return entry
        capital_of = None
        if place.capital_of:
            state = self.country_entry(place.capital_of)
            capital_of = state.id if state is not None else None
        entry = KBEntry(
            id=entry_id,
            name=place.name,
            type="LOC",
            kind="capital" if capital_of else place.kind,
            country=place.country,
            capital_of=capital_of,
            lat=place.lat,
            lon=place.lon,
        )
        self.dynamic[entry_id] = entry
        return entry

    def located_near(
        self,
        name: str,
        kind: str,
        country: str | None,
        anchor: KBEntry,
        precision: LocationPrecision,
        entity_id: str | None = None,
    ) -> KBEntry:
        """The entry of a place nothing locates (a village, a district, "la région de X" the
        gazetteer lacks), at the point of the place the text attaches it to (`anchor`), with
        how precise that point is. Its id is `entity_id` (a region's) or the slug of its name
        as written ("Oum Sumeima" -> oum-sumeima), with its country code when the KB or the
        gazetteer already holds that slug for another place ("bapere-cd"): the same in every
        article, whatever was read before. The point is the article's: the entry replaces the
        one an earlier article made under the same id."""
        if entity_id is None:
            entity_id = slugify(fold(name)) or "lieu"
            if entity_id in self.entries or self._held_by_gazetteer(entity_id):
                entity_id = f"{entity_id}-{country.lower()}" if country else f"{entity_id}-lieu"
        entry = KBEntry(
            id=entity_id,
            name=name,
            type="LOC",
            kind=kind,
            country=country,
            lat=anchor.lat,
            lon=anchor.lon,
            precision=precision,
        )
        if entity_id not in self.entries:
            self.dynamic[entity_id] = entry
            self._approximate.add(entity_id)
        return entry

    def _held_by_gazetteer(self, slug: str) -> bool:
        gazetteer = self.gazetteer
        return gazetteer is not None and gazetteer.by_id(slug) is not None

    def composed(
        self, entity_id: str, name: str, kind: str, country: str | None, base: KBEntry | None
    ) -> KBEntry:
        """An entry named from another ("la région de Kayes" from Kayes), located like it."""
        known = self.get(entity_id)
        if known is not None and entity_id not in self._approximate:
            return known
        entry = KBEntry(
            id=entity_id,
            name=name,
            type="LOC",
            kind=kind,
            country=country,
            lat=base.lat if base is not None else None,
            lon=base.lon if base is not None else None,
        )
        self.dynamic[entity_id] = entry
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
        context=tuple(raw.get("context", ())),
    )


def load_kb(path: Path = KB_PATH, gazetteer: bool = True) -> KnowledgeBase:
    """The KB of a data file; `gazetteer=False`: its curated entries alone (no packaged places)."""
    data = load_yaml(path, KB_SCHEMA_PATH)
    entries = {entity_id: _entry(entity_id, raw) for entity_id, raw in data["entities"].items()}
    for entry in entries.values():
        if entry.capital_of and entry.capital_of not in entries:
            raise DataFileError(f"{path}: {entry.id}: capital_of names unknown entity {entry.capital_of!r}")
    short = data.get("short_aliases", {})
    forces = data.get("national_forces", {})
    return KnowledgeBase(
        entries,
        use_gazetteer=gazetteer,
        short_alias_length=int(short.get("max_length", 0)),
        free_short_aliases=frozenset(short.get("free", ())),
        force_branches=tuple(
            ForceBranch(heads=tuple(b["heads"]), id=b["id"], name=b["name"])
            for b in forces.get("branches", ())
        ),
        feminine_plural=tuple(
            (suffix, replacement) for suffix, replacement in forces.get("feminine_plural", ())
        ),
    )


@lru_cache(maxsize=4)
def default_kb() -> KnowledgeBase:
    return load_kb()


# "<noun>-de-<name>": how a region is named after a place (tests/gold/README.md).
_FRAMED = re.compile(
    r"^(?P<noun>region|province|etat|oblast|departement|gouvernorat|district|territoire|prefecture|wilaya"
    r"|comte|canton)-(?:de-la|de-l|du|des|de|d)-(?P<name>.+)$"
)
_ARTICLE = re.compile(r"^(?:le|la|les|l)-(?P<rest>.+)$")
_COUNTRY_SUFFIX = re.compile(r"^(?P<name>.+)-(?P<cc>[a-z]{2})$")
# A town this large is known abroad by its alternate names ("Cologne" is Köln): in comparisons
# such a name is that town, not a small place of that own name.
_FAMOUS_POPULATION = 100_000
_ANY_FRAMED = re.compile(r"^(?P<noun>[a-z]+)-(?:de-la|de-l|du|des|de|d)-(?P<name>.+)$")
# Subdivision nouns that are also area nouns: "le département d'Antioquia" is the subdivision.
_SUBDIVISION_NOUNS = frozenset({"departement", "departements"})


@lru_cache(maxsize=1)
def _area_nouns() -> frozenset[str]:
    """Nouns before a place that name the place itself (entity_filters.yaml area_nouns: "le
    district de Hodan" is hodan), as slugs."""
    data = load_yaml(DATA_DIR / "entity_filters.yaml", DATA_DIR / "entity_filters.schema.json")
    return frozenset(slugify(noun) for noun in data.get("area_nouns", ())) - _SUBDIVISION_NOUNS


@lru_cache(maxsize=1 << 14)
def canonical_place_id(slug: str) -> str:
    """The id a slug stands for among places, for comparing ids (`enrich.evaluate`): a KB key
    is itself; a gazetteer id, or a name of a gazetteer place, is that place's id (the KB's
    when the KB lists it: "kyiv" -> "kiev", "loutsk" -> "lutsk"); "<noun>-de-<name>" is the
    subdivision the gazetteer knows by that name ("etat-de-rakhine" -> "rakhine"), else
    "<noun>-de-<canonical name>", except for a noun that names the place itself
    ("district-de-hodan" is hodan: entity_filters.yaml area_nouns); a leading article is no part
    of a name no place holds ("le-figaro" is "figaro", as in "au Figaro"); a state's armed forces, however named, are one id
    ("armee-camerounaise" = "forces-armees-camerounaises", `KnowledgeBase.national_force`);
    anything else is left as it is."""
    kb = default_kb()
    if not _SLUG.match(slug) or slug in kb.entries:
        return slug
    alias = kb.resolve(slug.replace("-", " ")) or kb.by_slug(slug)
    if alias is not None:  # a slug of a KB alias is the KB's id ("benyamin-netanyahou")
        return alias.id
    forces = kb.national_force_slug(slug)
    if forces is not None:  # "armee-camerounaise" = "forces-armees-camerounaises"
        return forces.id
    gazetteer = kb.gazetteer
    if gazetteer is None:
        return slug
    made = kb.dynamic.get(slug)
    suffixed = _COUNTRY_SUFFIX.match(slug)
    if (
        made is not None
        and suffixed is not None
        and (made.country or "").lower() == suffixed["cc"]
        and getattr(gazetteer.by_id(slug), "kind", None) != "region"  # "lombardia-it" is Lombardie
    ):
        return canonical_place_id(suffixed["name"])  # "baraka-cd" (`located_near`) is a Baraka
    article = _ARTICLE.match(slug)
    if article is not None and not gazetteer.candidates(slug.replace("-", " "), translit=False):
        return canonical_place_id(article["rest"])  # "le-figaro" is "figaro" ("au Figaro")
    area = _ANY_FRAMED.match(slug)
    if area is not None and area["noun"] in _area_nouns() and gazetteer.by_id(slug) is None:
        return canonical_place_id(area["name"])  # "district-de-chiure" is chiure (README)
    framed = _FRAMED.match(slug)
    if framed is not None and gazetteer.by_id(slug) is None:
        name = framed["name"]
        regions = gazetteer.regions(name.replace("-", " "), framed["noun"])
        if regions:
            return _representative(kb, min(regions, key=lambda p: p.id))
        return f"{framed['noun']}-de-{canonical_place_id(name)}"
    place = gazetteer.by_id(slug)
    if place is None or place.kind != "region":  # a subdivision's id is itself ("north-west")
        chosen = gazetteer.canonical(slug)
        if chosen is not None and not (
            place is not None
            and _own_name(place, slug)
            and not _own_name(chosen, slug)
            and not chosen.capital_of
            and chosen.population < _FAMOUS_POPULATION
        ):
            place = chosen  # but "bassa" is a Bassa, not Passau (which some call Bassa); "cologne" is Köln
    return _representative(kb, place) if place is not None else slug


def _own_name(place: GazetteerPlace, slug: str) -> bool:
    return default_config().name_key(place.name) == slug


def _representative(kb: KnowledgeBase, place: GazetteerPlace) -> str:
    """How a place compares with a gold id: the KB's id when the KB lists it, a country by
    its id; otherwise by its own name, in French for a subdivision (gold ids are slugs of
    names: "anori" is whichever Anorí the article means, "nord-ouest" whichever Nord-Ouest),
    except a subdivision named apart from the town of its name ("region-de-kayes" is not
    "kayes")."""
    entry = kb.place_entry(place)
    config = default_config()
    key = config.name_key(place.name)
    if entry.id in kb.entries or place.kind == "country":
        return entry.id
    if place.kind == "region" and place.noun and place.id.startswith(f"{config.name_key(place.noun)}-de-"):
        return entry.id  # "region-de-kayes", named apart from the town kayes
    return key
