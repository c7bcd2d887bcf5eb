"""Named entities of one parsed document, resolved to the knowledge base and filtered.

Each `doc.ents` span (model + rulers) is trimmed of articles and punctuation, resolved to a KB
entry (by the ruler's id or by its folded text), and otherwise kept under its surface form
only when it passes the filters of `enrich/data/entity_filters.yaml`.

Places go further (`KnowledgeBase.place`: the KB's aliases, their transliterations, then the
packaged gazetteer), once the article's countries are known, so that a homonym is the one in
the countries the article is about. The data file also says:
- an upper-case dateline ("GAO –", "KHERSON (Ukraine) –") is a place, whatever the model's label;
- "la région de X" is a region (an oblast in Russia and Ukraine: `oblast-de-x`; elsewhere the
  subdivision the gazetteer knows, or `region-de-x`), "le district de X" is X, "le palais de
  X" is X;
- a place or person inside a dish or drink name ("poulet Kiev", "Moscow mule") is no entity;
- a body introduced with an acronym ("Police nationale d'Haïti (PNH)") is one entity under
  that acronym, by either name; a capitalised institution name the model found but tagged
  as common nouns ("Service ukrainien des urgences") is kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from spacy.attrs import ORTH
from spacy.tokens import Doc, Span, Token

from enrich.kb import DATA_DIR, KBEntry, KnowledgeBase, load_yaml
from enrich.text import fold, slugify, strip_accents
from enrich.tokens import case_of, doc_text, feature_of, head_of, lemma_of, tokens_of
from vigie.core.models import EntityMention, EntityType, LocationPrecision

_CLUB = "club"  # the span id of a sport club's name (_club_names)
_JOINED = "joined"  # the span id of a name joined from spans the model or the KB tagged apart
RULE_ID = "rule"  # the id the entity ruler gives spans of hand-written patterns (enrich/nlp.py)

FILTERS_PATH = DATA_DIR / "entity_filters.yaml"
FILTERS_SCHEMA_PATH = DATA_DIR / "entity_filters.schema.json"
_LABELS: dict[str, EntityType] = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "LOC": "LOC",
    "GPE": "LOC",
    "MISC": "MISC",
    "WEAPON": "WEAPON",
    "OPERATION": "OPERATION",
    "MILITARY": "MILITARY",
}
_SPLIT_POS = frozenset({"ADP", "DET", "CCONJ", "PUNCT"})
_LOOSE_ENDS = frozenset({"ADP", "DET", "CCONJ"})  # words no name ends on (`_trim`)


@dataclass(frozen=True)
class EntityFilters:
    stop_surfaces: frozenset[str]
    not_entities: frozenset[str]
    region_nouns: frozenset[str]
    leading_tokens: frozenset[str]
    trailing_tokens: frozenset[str]
    require_propn: bool
    reject_single_pos: frozenset[str]
    role_nouns: frozenset[str]
    headline_min_words: int
    headline_title_ratio: float
    misc_reject_sentence_initial: bool
    oblast_nouns: frozenset[str] = frozenset()
    oblast_countries: frozenset[str] = frozenset()
    area_nouns: frozenset[str] = frozenset()
    bare_region_nouns: frozenset[str] = frozenset()
    town_described_bodies: frozenset[str] = frozenset()
    facility_nouns: frozenset[str] = frozenset()
    region_prepositions: frozenset[str] = frozenset()
    food_heads: frozenset[str] = frozenset()
    food_pattern: re.Pattern[str] | None = None
    institution_heads: frozenset[str] = frozenset()
    military_heads: frozenset[str] = frozenset()
    unit_nouns: frozenset[str] = frozenset()
    direction_adjectives: frozenset[str] = frozenset()
    name_connectors: frozenset[str] = frozenset()
    organisation_cues: frozenset[str] = frozenset()
    place_cues: frozenset[str] = frozenset()
    place_prepositions: frozenset[str] = frozenset()
    locative_cases: frozenset[str] = frozenset()
    site_nouns: frozenset[str] = frozenset()
    route_nouns: frozenset[str] = frozenset()
    name_particles: frozenset[str] = frozenset()
    region_adjectives: frozenset[str] = frozenset()
    direction_articles: frozenset[str] = frozenset()
    state_bodies: frozenset[str] = frozenset()
    trailing_words: frozenset[str] = frozenset()
    feature_nouns: frozenset[str] = frozenset()
    event_nouns: frozenset[str] = frozenset()
    event_prepositions: frozenset[str] = frozenset()
    attack_nouns: frozenset[str] = frozenset()
    club_heads: frozenset[str] = frozenset()
    people_suffixes: tuple[str, ...] = ()
    pronoun_nouns: frozenset[str] = frozenset()
    nickname_cues: frozenset[str] = frozenset()
    known_name_particles: frozenset[str] = frozenset()
    descriptor_nouns: frozenset[str] = frozenset()
    attachment_words: frozenset[str] = frozenset()
    attachment_links: frozenset[str] = frozenset()
    home_countries: frozenset[str] = frozenset()
    rank_nouns: frozenset[str] = frozenset()
    person_particles: frozenset[str] = frozenset()
    news_agencies: frozenset[str] = frozenset()
    common_place_nouns: frozenset[str] = frozenset()
    link_nouns: frozenset[str] = frozenset()
    named_features: frozenset[str] = frozenset()
    dateline: re.Pattern[str] | None = None
    acronym: re.Pattern[str] | None = None

    @cached_property
    def untagged_cues(self) -> frozenset[str]:
        """The words a name the model did not tag may follow to be read as a place."""
        return (
            self.place_cues
            | self.place_prepositions
            | self.area_nouns
            | self.facility_nouns
            | self.link_nouns
        )

    @cached_property
    def cue_classes(self) -> dict[int, int]:
        """`_after_cues`' reading of each surface form met (orth hash -> `_CUE`, `_LINK`, 0)."""
        return {}

    @cached_property
    def place_nouns(self) -> frozenset[str]:
        """Common nouns of places: alone, capitalised at a sentence start, no name ("Pays de
        2 millions d'habitants, ...", "Région enclavée, ...")."""
        return (
            self.common_place_nouns
            | self.region_nouns
            | self.area_nouns
            | self.place_cues
            | self.feature_nouns
            | self.facility_nouns
            | self.site_nouns
        )


def load_filters(path: Path = FILTERS_PATH) -> EntityFilters:
    data = load_yaml(path, FILTERS_SCHEMA_PATH)

    def words(key: str) -> frozenset[str]:
        return frozenset(fold(s) for s in data.get(key, []))

    return EntityFilters(
        stop_surfaces=frozenset(fold(s) for s in data["stop_surfaces"]),
        not_entities=words("not_entities"),
        region_nouns=words("region_nouns"),
        leading_tokens=frozenset(fold(s) for s in data["leading_tokens"]),
        trailing_tokens=frozenset(data["trailing_tokens"]),
        require_propn=bool(data.get("require_propn", True)),
        reject_single_pos=frozenset(data["reject_single_pos"]),
        role_nouns=frozenset(fold(s) for s in data["role_nouns"]),
        headline_min_words=int(data.get("headline_min_words", 4)),
        headline_title_ratio=float(data.get("headline_title_ratio", 0.6)),
        misc_reject_sentence_initial=bool(data.get("misc_reject_sentence_initial", True)),
        oblast_nouns=words("oblast_nouns"),
        oblast_countries=frozenset(data.get("oblast_countries", [])),
        area_nouns=words("area_nouns"),
        bare_region_nouns=words("bare_region_nouns"),
        town_described_bodies=words("town_described_bodies"),
        facility_nouns=words("facility_nouns"),
        region_prepositions=words("region_prepositions"),
        food_heads=words("food_heads"),
        food_pattern=_phrases(data.get("food_compounds", [])),
        institution_heads=words("institution_heads"),
        military_heads=words("military_heads"),
        unit_nouns=words("unit_nouns"),
        direction_adjectives=words("direction_adjectives"),
        name_connectors=words("name_connectors"),
        organisation_cues=words("organisation_cues"),
        place_cues=words("place_cues"),
        place_prepositions=words("place_prepositions"),
        locative_cases=words("locative_cases"),
        site_nouns=words("site_nouns"),
        route_nouns=words("route_nouns"),
        name_particles=words("name_particles"),
        region_adjectives=words("region_adjectives"),
        direction_articles=words("direction_articles"),
        state_bodies=words("state_bodies"),
        trailing_words=words("trailing_words"),
        feature_nouns=words("feature_nouns"),
        event_nouns=words("event_nouns"),
        event_prepositions=words("event_prepositions"),
        attack_nouns=words("attack_nouns"),
        club_heads=words("club_heads"),
        people_suffixes=tuple(data.get("people_suffixes", ())),
        pronoun_nouns=words("pronoun_nouns"),
        nickname_cues=words("nickname_cues"),
        known_name_particles=words("known_name_particles"),
        descriptor_nouns=words("descriptor_nouns"),
        attachment_words=words("attachment_words"),
        attachment_links=words("attachment_links"),
        home_countries=frozenset(data.get("home_countries", [])),
        rank_nouns=words("rank_nouns"),
        person_particles=words("person_particles"),
        dateline=re.compile(data["dateline"], re.MULTILINE) if data.get("dateline") else None,
        acronym=re.compile(data["acronym"]) if data.get("acronym") else None,
        news_agencies=words("news_agencies"),
        common_place_nouns=words("common_place_nouns"),
        link_nouns=words("link_nouns"),
        named_features=words("named_features"),
    )


def _phrases(phrases: list[str]) -> re.Pattern[str] | None:
    """One pattern for lowercased text: words apart by spaces or hyphens ("paris-brest")."""
    if not phrases:
        return None
    alternatives = sorted(
        (r"[\s\-–]+".join(re.escape(word) for word in re.split(r"[\s\-–]+", p.lower())) for p in phrases),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


@lru_cache(maxsize=2)
def default_filters() -> EntityFilters:
    return load_filters()


@dataclass(frozen=True)
class Mention:
    """One entity mention in a document (token and character offsets of the trimmed span)."""

    id: str
    name: str
    type: EntityType
    surface: str
    start: int  # token index
    end: int
    start_char: int
    end_char: int
    entry: KBEntry | None = None

    @property
    def generic(self) -> bool:
        return self.entry is not None and self.entry.generic


def _trim(span: Span, filters: EntityFilters) -> Span | None:
    doc = span.doc
    start, end = span.start, span.end
    while start < end and (fold(doc[start].text) in filters.leading_tokens or doc[start].is_space):
        start += 1
    label = span.label_
    if (
        not span.id_
        and label in ("PER", "PERSON", "MISC", "ORG")
        and fold(doc[start].text) in filters.role_nouns
    ):
        named = _titled_name(doc, start, end, filters)
        if named is not None:  # "Premier ministre Bart De Wever": the title is no part of the name
            start, label = named, "PER"
    while end > start and (
        doc[end - 1].text in filters.trailing_tokens
        or doc[end - 1].is_space
        or end - start > 1
        and doc[end - 1].is_lower
        and fold(doc[end - 1].text) in filters.trailing_words
    ):
        end -= 1  # "a annoncé EDF mercredi"
    if span.id_ in ("", RULE_ID):
        while end - start > 1 and doc[end - 1].is_lower and doc[end - 1].pos_ in _LOOSE_ENDS:
            end -= 1  # no name ends on a preposition or an article: "68e brigade de" + a word it missed
    if label in ("PER", "PERSON") and not span.id_:
        while (
            end - start > 1 and doc[end - 1].is_lower and doc[end - 1].is_alpha and doc[end - 2].whitespace_
        ):
            end -= 1  # "porté par un Lucas Mahé intenable": no name ends with a lowercase word ("Lai Ching-te" does)
    if not span.id_:
        # a name ends before "de" + an infinitive: "le projet du Conseil fédéral de lever
        # l'interdiction" (the model ran on into the clause the name governs)
        cut = next(
            (
                i
                for i in range(start + 1, end - 1)
                if doc[i].pos_ == "ADP"
                and doc[i + 1].pos_ == "VERB"
                and doc[i + 1].is_lower
                and doc[i + 1].text.endswith(
                    ("er", "ir", "re")
                )  # "Front national de salut" ends no name there
                and "Inf" in feature_of(doc[i + 1], "VerbForm")
            ),
            None,
        )
        if cut is not None:
            end = cut
    if start >= end:
        return None
    return Span(doc, start, end, label=label, span_id=span.id_)


def _qualified_body(span: Span, filters: EntityFilters) -> Span:
    """A body's name that a lowercase word in parentheses right after it tells from its
    namesakes is named with that word ("le Parti communiste d'Inde (maoïste)", "le Parti
    communiste du Népal (marxiste-léniniste)", "l'Armée républicaine irlandaise (provisoire)"):
    the name opens with an institution or a military head."""
    doc = span.doc
    end = span.end
    if (
        end + 2 >= len(doc)
        or doc[end].text != "("
        or fold(span[0].text) not in filters.institution_heads | filters.military_heads
    ):
        return span
    close = next((i for i in range(end + 2, min(end + 6, len(doc))) if doc[i].text == ")"), None)
    if close is None:
        return span
    inner = doc[end + 1 : close]
    if not all(t.text in ("-", "‑") or t.is_lower and t.is_alpha for t in inner):
        return span  # "(maoïste)", "(marxiste-léniniste)", "(unifié)"
    if inner[0].pos_ in ("DET", "ADP", "PRON", "CCONJ", "SCONJ", "AUX", "ADV"):
        return span  # "(de facto)", "(ex-)"
    return Span(doc, span.start, close + 1, label=span.label_, span_id=span.id_)


def _titled_name(doc: Doc, start: int, end: int, filters: EntityFilters) -> int | None:
    """Where the person's name starts in a span the model opened with the person's title
    ("Premier ministre Albin Kurti", "ministre de la Culture Rima Abdul Malak"): after the role
    nouns and the words of the title, a proper noun (or the title's apposition) then
    capitalised words (or the particles of names) up to the span's end, two words at least."""
    i = start
    while i < end and (
        fold(doc[i].text) in filters.role_nouns
        or not doc[i].text[:1].isupper()
        or doc[i].pos_ != "PROPN"
        and doc[i].dep_ != "appos"  # "ministre de la Culture Rima X"
    ):
        i += 1
    if end - i < 2 or i == start or not doc[end - 1].text[:1].isupper():
        return None
    if not all(
        t.is_alpha
        and t.text[:1].isupper()
        or t.text in ("-", "‑")
        or fold(t.text) in filters.person_particles
        for t in doc[i:end]
    ):
        return None
    return i


def _sentence_start(span: Span, reach: int = 16) -> int:
    """The first token of the span's sentence, looked for at most `reach` tokens back
    (`Span.sent` walks the whole sentence: too slow for every entity)."""
    i = span.start
    tokens = tokens_of(span.doc)
    while i > 0 and span.start - i < reach and not tokens[i].is_sent_start:
        i -= 1
    return i


def _line_of(span: Span) -> str:
    text = doc_text(span.doc)
    start_char = span.start_char
    begin = text.rfind("\n", 0, start_char) + 1
    end = text.find("\n", start_char)
    return text[begin : end if end >= 0 else len(text)]


def _is_headline(line: str, filters: EntityFilters) -> bool:
    known = _HEADLINES.get(line)
    if known is None:
        known = _HEADLINES[line] = _headline(line, filters)
        if len(_HEADLINES) > 4096:
            _HEADLINES.clear()
    return known


_HEADLINES: dict[str, bool] = {}


def _headline(line: str, filters: EntityFilters) -> bool:
    words = [w for w in line.split() if w[:1].isalpha() and len(w) > 2]
    if len(words) < filters.headline_min_words:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= filters.headline_title_ratio


def _sentence_initial(span: Span) -> bool:
    first = span[0]
    if first.is_sent_start:
        return True
    previous = span.doc[first.i - 1] if first.i > 0 else None
    return previous is not None and (previous.is_space or previous.text in {"-", "–", "•", ":"})


def rejection(span: Span, label: EntityType, kb: KnowledgeBase, filters: EntityFilters) -> str | None:
    """Why an unknown span is not a name (None when it is kept)."""
    folded = fold(span.text)
    if folded in filters.stop_surfaces:
        return "stop_surface"
    if fold(span[0].text) in filters.role_nouns:
        return "role_noun"
    if len(span) == 1 and span[0].pos_ in filters.reject_single_pos and not _camel_case(span.text):
        return "single_pos"
    if kb.demonym(span.text) is not None and len(span) == 1:
        return "demonym"
    if len(span) == 1 and folded in filters.place_nouns:
        return "common_noun"
    if (
        len(span) == 1
        and span[0].pos_ not in ("PROPN", "X")
        and span.text[:1].isupper()  # not "easyJet"
        and _sentence_initial(span)
        and span.doc.vocab.has_vector(span[0].lower_)
    ):
        # a common word capitalised at a sentence start, which the tagger takes for no proper
        # noun ("Comptez 45 dollars", "Installée à Poelkapelle, l'unité..."): the model's
        # vocabulary knows it in lowercase
        return "sentence_word"
    # a capitalised word the model's vocabulary does not know is a name, whatever its tag
    # ("pilonné Marhanets", "l'opérateur Ukrenergo": tagged NOUN)
    # (a foreign word, tagged X, is a name too when the model tagged the span: "Transavia"; and
    # a brand written in camel case: "easyJet")
    if filters.require_propn and not any(
        (t.pos_ in ("PROPN", "X") or t.is_oov) and t.text[:1].isupper() or _camel_case(t.text) for t in span
    ):
        return "no_propn"
    if not any(ch.isupper() for ch in span.text):
        return "lowercase"
    if _is_headline(_line_of(span), filters):
        return "headline"
    if label == "MISC" and filters.misc_reject_sentence_initial and _sentence_initial(span):
        return "sentence_initial"
    return None


def _camel_case(word: str) -> bool:
    """ "easyJet", "iPhone": a lowercase start, then a capital inside the word."""
    return len(word) > 3 and word[0].islower() and word.isalpha() and any(ch.isupper() for ch in word[1:])


def _split(
    span: Span, kb: KnowledgeBase, features: frozenset[str] = frozenset()
) -> list[tuple[Span, KBEntry]] | None:
    """An unknown span made of known names joined by function words ("Trump-Poutine",
    "Etats-Unis de l'Ukraine") is those names."""
    parts: list[tuple[Span, KBEntry]] = []
    start = span.start
    for token in [*span, None]:
        boundary = token is None or token.pos_ in _SPLIT_POS or token.text in {"-", "–"}
        if not boundary:
            continue
        end = token.i if token is not None else span.end
        if end > start:
            piece = span.doc[start:end]
            if piece[0].is_lower or fold(piece[0].text) in features:
                return None  # "golfe de Guinée" is one name, not "golfe" and Guinea (nor "Golfe de Guinée :")
            entry = kb.resolve(piece.text)
            if entry is None:
                return None
            parts.append((piece, entry))
        start = end + 1
    return parts if len(parts) > 1 else None


def _mention(span: Span, entry: KBEntry | None, label: EntityType) -> Mention:
    if entry is not None:
        return Mention(
            id=entry.id,
            name=entry.name,
            type=entry.type,
            surface=span.text,
            start=span.start,
            end=span.end,
            start_char=span.start_char,
            end_char=span.end_char,
            entry=entry,
        )
    surface = " ".join(span.text.split())
    if label == "PER":  # "Joaquín « El Chapo » Guzmán" is Joaquín Guzmán
        surface = " ".join(_NICKNAME.sub(" ", surface).split()) or surface
    return Mention(
        id=f"surface:{surface.lower().translate(_UNDECOMPOSED)}",
        name=surface,
        type=label,
        surface=surface,
        start=span.start,
        end=span.end,
        start_char=span.start_char,
        end_char=span.end_char,
    )


def _datelines(doc: Doc, filters: EntityFilters, kb: KnowledgeBase) -> tuple[list[Span], list[Span]]:
    """The place names of upper-case datelines ("GAO –", "NIKOPOL (Ukraine) –") and their
    bylines: what the parentheses hold when it is no place but the agency ("BISSAU (AFP) –",
    "GOMA (Reuters/AP) –"), page furniture and no entity."""
    if filters.dateline is None:
        return [], []
    spans: list[Span] = []
    bylines: list[Span] = []
    for match in filters.dateline.finditer(doc_text(doc)):
        for group in ("place", "within"):
            if group in match.re.groupindex and match.start(group) >= 0:
                span = doc.char_span(match.start(group), match.end(group), alignment_mode="expand")
                if span is None or not len(span) or fold(span.text) in filters.stop_surfaces:
                    continue  # "EN DIRECT – Guerre en Ukraine" opens no dateline
                if group == "within" and _byline(match.group(group), kb, filters):
                    bylines.append(span)
                else:
                    spans.append(span)
    return spans, bylines


_BYLINE_PARTS = re.compile(r"\s*(?:[/,+&]|\bet\b|\band\b)\s*")


def _byline(text: str, kb: KnowledgeBase, filters: EntityFilters) -> bool:
    """A dateline's parentheses naming who wrote it, not where: news agencies, or names the KB
    or the gazetteer know as no place and the KB as a body or an acronym ("AFP", "Reuters/AP")."""
    parts = [p for p in _BYLINE_PARTS.split(text.strip()) if p]
    if not parts:
        return False
    for part in parts:
        if fold(part) in filters.news_agencies:
            continue
        if _known_place(part, kb):
            return False
        entry = kb.resolve(part)
        acronym = filters.acronym is not None and filters.acronym.fullmatch(part) is not None
        if not acronym and (entry is None or entry.type != "ORG"):
            return False
    return True


def _demonym_countries(doc: Doc, kb: KnowledgeBase) -> set[str]:
    """The countries an article names by an adjective or a demonym ("les autorités françaises",
    "des soldats tchadiens", "les Maliens")."""
    plain = strip_accents(doc_text(doc)).lower()  # "pro-iraniennes" is one word, no demonym
    found: set[str] = set()
    for word in set(_WORDS.findall(plain)) & kb.demonym_forms():
        state = kb.demonym(word)
        if state is not None and state.kind == "country" and state.country:
            found.add(state.country)
    return found


def _particle(doc: Doc, i: int, filters: EntityFilters) -> tuple[int, bool] | None:
    """The particle of a place name at token i ("del", "ez", "N'", "de la"): its length in tokens
    and whether it joins names only when the whole name is known (a French "de")."""
    if i < 0 or i >= len(doc):
        return None
    first = doc[i].text
    if doc[i].is_space or first[:1].isupper() and first[-1:] not in "'’":
        return None
    for length in (2, 1):
        if i + length > len(doc):
            continue
        if length == 2:
            second = doc[i + 1]
            if second.is_space or second.text[:1].isupper():
                continue
            words = fold(f"{first} {second.text}")
        else:
            words = fold(first)
        if words in filters.name_particles:
            return length, False
        if words in filters.known_name_particles:
            return length, True
    return None


def _feature_and_place(doc: Doc, ent: Span, ents: list[Span], filters: EntityFilters) -> Span | None:
    """A feature noun the model (or the KB: "Golfe" is the Persian Gulf) tagged alone, then "de"
    and a place it tagged too ("Golfe" + "de" + "Guinée", "Lac" + "de" + "Kivu" at a headline's
    start): one place name, like "le golfe de Guinée"."""
    if len(ent) != 1 or _LABELS.get(ent.label_) != "LOC" or fold(ent.text) not in filters.feature_nouns:
        return None
    i = ent.end
    while i < len(doc) and i - ent.end < 2 and fold(doc[i].text) in filters.region_prepositions:
        i += 1
    if i == ent.end:
        return None
    other = next((e for e in ents if e.start == i), None)
    if other is None or _LABELS.get(other.label_) != "LOC":
        return None
    return Span(doc, ent.start, other.end, label="LOC", span_id=_JOINED)


def _capitalised_run(doc: Doc, i: int, inside: bool = False) -> int:
    """The end of a capitalised name at token i, over hyphens ("Novhorod-Siverskyï"); `inside`:
    the name continues another one, where the parser may have started a sentence ("del" "Ene")."""
    if i >= len(doc) or not doc[i].text[:1].isupper() or not doc[i].is_alpha:
        return i
    if doc[i].is_sent_start and not inside:
        return i
    end = i + 1
    while end + 1 < len(doc) and doc[end].text in ("-", "‑") and doc[end + 1].text[:1].isupper():
        end += 2
    return end


def _joined_place_names(doc: Doc, ents: list[Span], kb: KnowledgeBase, filters: EntityFilters) -> list[Span]:
    """Place names the model cut at a particle, made whole: "Deir" + "ez-Zor", "Vizcatán del" +
    "Ene", "Lanao" + "del Sur", "Fada" + "N'Gourma", and "Norte" + "de Santander" (a French
    particle only when the KB or the gazetteer knows the whole name); person names cut in a
    hyphenated first name ("Michel-" + "Édouard Leclerc")."""
    if not filters.name_particles and not filters.known_name_particles:
        return ents
    result: list[Span] = []
    dropped: set[int] = set()
    for ent in sorted(ents, key=lambda e: e.start):
        if ent.start in dropped:
            continue
        if _LABELS.get(ent.label_) == "PER":
            result.append(_hyphenated_first_name(doc, ent, ents))
            continue
        feature = _feature_and_place(doc, ent, ents, filters)
        if feature is not None:  # "Golfe" + "de" + "Guinée": one place, not the Gulf and Guinea
            dropped.update(range(ent.end, feature.end))
            result.append(feature)
            continue
        if _LABELS.get(ent.label_) != "LOC":
            result.append(ent)
            continue
        end = ent.end
        while end - 1 > ent.start and _particle(doc, end - 1, filters) is not None:
            end -= 1  # "Vizcatán del": the particle goes with what follows
        for _ in range(3):
            if end + 1 < len(doc) and doc[end].text in ("-", "‑") and not doc[end - 1].whitespace_:
                after = _capitalised_run(doc, end + 1, inside=True)
                if (
                    after > end + 1
                    and not doc[end].whitespace_
                    # a name the KB knows goes on only into a name known whole ("Guinée" +
                    # "-Bissau"; "Kharkiv" stays in "l'axe Kharkiv-Koupiansk")
                    and (ent.id_ in ("", RULE_ID, _JOINED) or _known_place(doc[ent.start : after].text, kb))
                ):
                    end = after  # "stade Bollaert" + "-Delelis"
                    continue
            possessive = _possessive_end(doc, end)
            if possessive is not None:
                after = _capitalised_run(doc, possessive, inside=True)
                if after > possessive:
                    end = after  # "Cox’" + "s Bazar", "Martha" + "'s Vineyard"
                    continue
            particle = _particle(doc, end, filters)
            if particle is None:
                break
            length, known_only = particle
            name = end + length
            if name < len(doc) and doc[name].text in ("-", "‑") and not doc[name].whitespace_:
                name += 1  # "ez-Zor"
            after = _capitalised_run(doc, name, inside=True)
            if after == name:
                break
            other = next((e for e in ents if e.start < after and e.end > end and e is not ent), None)
            if other is not None and (other.start < end or other.end > after):
                break  # another name straddles it
            if known_only and not _known_place(doc[ent.start : after].text, kb):
                break
            if other is not None:
                dropped.add(other.start)
            end = after
        named = ent.start
        while named < end - 1 and not doc[named].text[:1].isupper():
            named += 1  # "province du" + "Logone"
        if (
            end < len(doc)
            and doc[end].is_lower
            and fold(doc[end].text) in filters.direction_adjectives
            and _known_place(doc[named : end + 1].text, kb)
        ):
            end += 1  # "le Logone oriental", "le Kasaï central": the region of that whole name
        start = _name_start(doc, ent.start, ents, kb, filters, end)
        noun_start = _feature_before(doc, start, ents, filters) if start == ent.start else None
        if noun_start is not None:
            start = noun_start  # "la rivière" + "Ihosy", "le lac" + "Tchad": the river, the lake
        if (start, end) == (ent.start, ent.end):
            result.append(ent)
        else:
            # a name the KB tagged and that goes on is another name ("Guinée" of "Guinée-Bissau")
            joined = (end > ent.end or noun_start is not None) and ent.id_ not in ("", RULE_ID)
            result.append(Span(doc, start, end, label=ent.label_, span_id=_JOINED if joined else ent.id_))
    return result


def _linked_places(doc: Doc, ents: list[Span], kb: KnowledgeBase, filters: EntityFilters) -> list[Span]:
    """Two places a hyphen links after a road's or a link's noun (`link_nouns`), the name
    neither the KB nor the gazetteer knows whole: "l'axe Hamdallaye-Bambeto", "la route
    Goma-Rutshuru": each place on its own (not "l'aéroport de Bâle-Mulhouse", one site)."""
    result: list[Span] = []
    for ent in ents:
        parts = _hyphen_parts(doc, ent) if ent.id_ in ("", _JOINED) else None
        if parts is None or _known_place(ent.text, kb):
            result.append(ent)
            continue
        head = ent.start - 1
        while head > 0 and fold(doc[head].text) in filters.region_prepositions:
            head -= 1
        # after a link's noun, whatever the model's tag ("la route Thal-Parachinar" read as a person)
        if not (0 <= head < ent.start and fold(doc[head].text) in filters.link_nouns):
            result.append(ent)
            continue
        result += [Span(doc, a, b, label="LOC") for a, b in parts]
    return result


def _hyphen_parts(doc: Doc, ent: Span, any_length: bool = False) -> list[tuple[int, int]] | None:
    """The two capitalised names a span joins with a glued hyphen ("Hamdallaye" "-" "Bambeto",
    "Goma" "-" "Rutshuru"; `any_length`: any number of them), or None when it is no such chain."""
    if len(ent) < 3:
        return None
    parts: list[tuple[int, int]] = []
    start = ent.start
    for i in range(ent.start, ent.end):
        token = doc[i]
        if token.text in ("-", "‑"):
            if i == start or i + 1 >= ent.end or doc[i - 1].whitespace_ or token.whitespace_:
                return None
            parts.append((start, i))
            start = i + 1
        elif not token.text[:1].isupper() or not token.is_alpha or len(token.text) < 3:
            return None
    parts.append((start, ent.end))
    if any_length:
        return parts if len(parts) >= 2 else None
    return parts if len(parts) == 2 and all(b - a == 1 for a, b in parts) else None


def _one_hyphenated_word(span: Span) -> bool:
    """A span written as one word of capitalised parts joined by hyphens ("Ivano-Frankivsk")."""
    return len(span) > 2 and _hyphen_parts(span.doc, span, any_length=True) is not None


_FEATURE_LINKS = frozenset({"de", "d'", "du"})
_TOWN_LINKS = frozenset({"de", "d'"})  # "la police de Kirkouk", not "la police du Kosovo"


def _feature_before(doc: Doc, start: int, ents: list[Span], filters: EntityFilters) -> int | None:
    """Where a feature's name begins when the model tagged only its proper part: a lowercase
    feature noun (`named_features`) just before it, or before "de" ("la rivière Ihosy", "la
    sierra de Juárez", "le lac de Kivu"); not a valley, a plain or a forest, named after the
    place ("la vallée d'Imphal" is Imphal's)."""
    i = start - 1
    if i >= 1 and fold(doc[i].text) in _FEATURE_LINKS:
        i -= 1
    if i < 0:
        return None
    noun = doc[i]
    word = fold(noun.text)
    if not noun.is_lower or word not in filters.named_features:
        return None
    if any(e.start <= i < e.end for e in ents):
        return None
    return i


def _possessive_end(doc: Doc, end: int) -> int | None:
    """Where a name cut at an English possessive goes on ("Cox’" + "s" + "Bazar", "Martha" +
    "'s" + "Vineyard"): the token after the glued "s", or None."""
    if end + 1 >= len(doc) or doc[end - 1].whitespace_:
        return None
    token = doc[end]
    if token.text in ("'s", "’s", "'S", "’S") and token.whitespace_:
        return end + 1
    if doc[end - 1].text[-1:] in ("'", "’") and token.text in ("s", "S") and token.whitespace_:
        return end + 1
    return None


def _club_names(doc: Doc, ents: list[Span], kb: KnowledgeBase, filters: EntityFilters) -> list[Span]:
    """Sport clubs named with a capitalised club word (`club_heads`) and their town, as an
    adjective or after "de": "le Stade brestois", "le Standard de Charleroi", "l'Olympique de
    Marseille": one organisation, not the town (the model tags them as places, or only the
    town). A span the KB knows stays as it is."""
    if not filters.club_heads:
        return ents
    result: list[Span] = []
    dropped: set[int] = set()
    for ent in sorted(ents, key=lambda e: e.start):
        if ent.start in dropped:
            continue
        start = ent.start
        while start < ent.end and fold(doc[start].text) in filters.leading_tokens:
            start += 1
        head = doc[start] if start < ent.end else None
        if (
            head is None
            or fold(head.text) not in filters.club_heads
            or not head.text[:1].isupper()
            or head.is_sent_start
            or kb.resolve(doc[start : ent.end].text) is not None
        ):
            result.append(ent)
            continue
        end = start + 1  # the club's words only: "le Stade brestois dimanche prochain"
        while end < ent.end and (
            doc[end].text[:1].isupper()
            or fold(doc[end].text) in ("de", "d'", "d’")
            and end + 1 < ent.end
            and doc[end + 1].text[:1].isupper()
            or end == start + 1
            and doc[end].is_lower
            and doc[end].pos_ == "ADJ"
        ):
            end += 1
        if end == start + 1 and end + 1 < len(doc) and fold(doc[end].text) in ("de", "d'", "d’"):
            after = next((e for e in ents if e.start == end + 1), None)
            if after is not None:
                dropped.add(after.start)
                end = after.end
            elif doc[end + 1].text[:1].isupper():
                end = _capitalised_run(doc, end + 1)
        elif end == start + 1 and end < len(doc) and doc[end].is_lower and doc[end].pos_ == "ADJ":
            end += 1  # "le Stade toulousain" tagged "Stade"
        if end == start + 1:
            result.append(ent)
            continue
        result.append(Span(doc, start, end, label="ORG", span_id=_CLUB))
    return result


def _particle_edges(doc: Doc, ents: list[Span], filters: EntityFilters) -> list[Span]:
    """Names (not places: `_joined_place_names`) the model cut at a particle: one ending with a
    lowercase particle goes on over the capitalised name after it ("Defensoría del" + "Pueblo",
    "Banco do" + "Brasil"), or ends before the particle; one after an elided capitalised word
    starts with it ("Sant'" + "Egidio", "Dell'" + "Orto")."""
    taken = {i for e in ents for i in range(e.start, e.end)}
    result: list[Span] = []
    for ent in ents:
        if ent.ent_id_ not in ("", RULE_ID):
            result.append(ent)
            continue
        start, end = ent.start, ent.end
        last = doc[end - 1]
        place = _LABELS.get(ent.label_) == "LOC"
        if not place and end - start > 1 and last.is_lower and fold(last.text) in filters.name_particles:
            after = _capitalised_run(doc, end, inside=True) if end not in taken else end
            end = after if after > end else end - 1
        if start > 0 and start - 1 not in taken:
            before = doc[start - 1]
            if (
                before.text[-1:] in ("'", "’")
                and not before.whitespace_
                and len(before.text) > 2
                and before.text[:1].isupper()
                and fold(before.text) not in filters.leading_tokens
            ):
                start -= 1
        if (start, end) == (ent.start, ent.end):
            result.append(ent)
        else:
            result.append(Span(doc, start, end, label=ent.label_, span_id=ent.id_))
    return result


def _completed_names(doc: Doc, ents: list[Span], particles: frozenset[str] = frozenset()) -> list[Span]:
    """Names the model cut before their last word: a capitalised proper noun it left out
    ("district d'Intan" + "Jaya", "Bannang" + "Sata"), a syllable joined by a hyphen ("Lai
    Ching" + "-te"), and two things' names side by side with nothing between ("NewNew" +
    "Polar Bear"). Spans of the KB's patterns stay as they are."""
    taken = {i for e in ents for i in range(e.start, e.end)}
    starts = {e.start: e for e in ents}
    result: list[Span] = []
    dropped: set[int] = set()
    for ent in sorted(ents, key=lambda e: e.start):
        if ent.start in dropped:
            continue
        nicknamed = _nicknamed_name(doc, ent) if not ent.ent_id_ else None
        if nicknamed is not None:  # "Lotan « Spinx » Giladi" is Lotan Giladi
            following = next((e for e in ents if ent.end <= e.start < nicknamed.end), None)
            if following is not None:
                dropped.add(following.start)
                nicknamed = Span(doc, ent.start, max(following.end, nicknamed.end), label="PER")
            result.append(nicknamed)
            continue
        if (
            ent.ent_id_ not in ("", RULE_ID)
            or ent.label_ not in ("PER", "LOC", "MISC", "ORG")
            or not doc[ent.end - 1].text[:1].isupper()
        ):
            result.append(ent)
            continue
        end = ent.end
        while end < len(doc) and end - ent.end < 2 and not doc[end - 1].whitespace_:
            token = doc[end]  # "Ching" "-te", "Ching" "-" "te"
            if token.text[:1] in ("-", "‑") and token.text[1:].isalpha() and token.text[1:].islower():
                end += 1
            elif (
                token.text in ("-", "‑")
                and not token.whitespace_
                and end + 1 < len(doc)
                and doc[end + 1].is_alpha
                and doc[end + 1].is_lower
                and len(doc[end + 1]) <= 4
            ):
                end += 2
            else:
                break
        label = ent.label_
        if (
            ent.label_ in ("PER", "MISC")
            and end + 1 < len(doc)
            and doc[end - 1].whitespace_ == " "
            and doc[end].whitespace_ == " "
            and doc[end].text[:1].isupper()
            and fold(doc[end].text) in particles
            and not taken & {end, end + 1}
            and doc[end + 1].is_alpha
            and doc[end + 1].text[:1].isupper()
        ):
            # "Gilbert" + "Le Floch", "Bart" + "De Wever": a capitalised particle opens a family
            # name (the parser may start a sentence at it), and the whole is a person's name
            end += 2
            label = "PER"
        while (
            end < len(doc)
            and end - ent.end < 2
            and doc[end - 1].whitespace_ == " "
            and end not in taken
            and doc[end].is_alpha
            and doc[end].text[:1].isupper()
            and doc[end].pos_ in ("PROPN", "NOUN", "ADJ", "X")  # the parser may start a sentence there
        ):
            end += 1  # "Intan" + "Jaya"
        following = starts.get(end)
        if (
            following is not None
            and end == ent.end
            and ent.label_ == following.label_ == "MISC"
            and doc[end - 1].whitespace_ == " "
            and not following.ent_id_
        ):
            dropped.add(following.start)  # "NewNew" + "Polar Bear"
            end = following.end
        if end == ent.end:
            result.append(ent)
        else:
            result.append(Span(doc, ent.start, end, label=label, span_id=ent.id_))
    return result


def _nicknamed_name(doc: Doc, ent: Span) -> Span | None:
    """A first name, a nickname in quotes, then the family name ("Lotan « Spinx » Giladi",
    "Dan « apEX » Madesclaire", "Ahmed “le Lion” Ould Sidi"): one person, whatever labels and
    cuts the model gave the parts (the nickname is dropped from the id: `_mention`). The first
    name is one or two capitalised words; the quotes follow it directly (no cue such as "dit"),
    and the family name is capitalised words right after them."""
    opening = next((t.i for t in ent if t.text in _OPENING_QUOTES), ent.end)
    if opening == ent.start or opening >= len(doc) or doc[opening].text not in _OPENING_QUOTES:
        return None
    if opening - ent.start > 2 or not all(
        t.is_alpha and t.text[:1].isupper() for t in doc[ent.start : opening]
    ):
        return None
    closing = next(
        (i for i in range(opening + 2, min(opening + 6, len(doc))) if doc[i].text in _CLOSING_QUOTES), None
    )
    if closing is None or any(t.is_punct or t.is_space or t.like_num for t in doc[opening + 1 : closing]):
        return None
    end = closing + 1
    while end < len(doc) and end - closing <= 3 and doc[end].is_alpha and doc[end].text[:1].isupper():
        end += 1
    if end == closing + 1 or doc[closing].whitespace_ != " ":  # the parser may cut the sentence there
        return None
    return Span(doc, ent.start, end, label="PER")


_OPENING_QUOTES = frozenset({"«", "“", '"'})
_CLOSING_QUOTES = frozenset({"»", "”", '"'})


def _hyphenated_first_name(doc: Doc, ent: Span, ents: list[Span]) -> Span:
    """A person's name the model cut inside a hyphenated first name: "Michel-" + "Édouard
    Leclerc"."""
    start = ent.start
    while (
        start >= 2
        and doc[start - 1].text in ("-", "‑")
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
        and doc[start - 2].is_alpha
        and doc[start - 2].text[:1].isupper()
        and not any(e.start <= start - 2 < e.end for e in ents)
    ):
        start -= 2
    return ent if start == ent.start else Span(doc, start, ent.end, label=ent.label_, span_id=ent.id_)


def _name_start(
    doc: Doc, start: int, ents: list[Span], kb: KnowledgeBase, filters: EntityFilters, end: int
) -> int:
    """Where a place name the model cut after a particle begins: "Fada N'" + "Gourma"."""
    for length in (2, 1):
        i = start - length
        particle = _particle(doc, i, filters) if i > 0 else None
        if particle is None or particle[0] != length:
            continue
        begin = i - 1
        if doc[begin].text in ("-", "‑") and not doc[begin].whitespace_:
            begin -= 1
        while begin - 2 >= 0 and doc[begin - 1].text in ("-", "‑") and doc[begin - 2].text[:1].isupper():
            begin -= 2
        first = doc[begin] if begin >= 0 else None
        if (
            first is None
            or not first.text[:1].isupper()
            or not first.is_alpha
            or fold(first.text) in filters.leading_tokens
            or any(e.start <= begin < e.end for e in ents)
        ):
            continue
        if particle[1] and not _known_place(doc[begin:end].text, kb):
            continue
        return begin
    return start


def _known_place(name: str, kb: KnowledgeBase) -> bool:
    """A name the KB or the gazetteer knows as a place ("Norte de Santander")."""
    entry = kb.resolve(name, prefer="LOC")
    if entry is not None:
        return entry.type == "LOC"
    gazetteer = kb.gazetteer
    return gazetteer is not None and bool(gazetteer.candidates(name, translit=False))


# `_after_cues`' readings of a surface form: a place word ("près", "village", "à"), an article
# between it and the name ("de la"), a word opening with a capital.
_CUE, _LINK, _CAPITAL = 1, 2, 4


def _after_cues(doc: Doc, filters: EntityFilters) -> list[int]:
    """The capitalised tokens whose nearest word before them, over articles and prepositions,
    is a place word ("près de la Paz" -> "Paz"; "près de La Paz" -> "La", "Paz"), read from the
    surface-form hashes of the doc (no Token built; each form read once per process)."""
    classes = filters.cue_classes
    if len(classes) > 500_000:
        classes.clear()
    cues, links = filters.untagged_cues, filters.region_prepositions
    strings = doc.vocab.strings
    found: list[int] = []
    after_cue = False
    for k, orth in enumerate(doc.to_array(ORTH).tolist()):
        kind = classes.get(orth)
        if kind is None:
            text = strings[orth]
            word = fold(text)
            kind = _LINK if word in links else _CUE if word in cues else 0
            kind = classes[orth] = kind | (_CAPITAL if text[:1].isupper() else 0)
        if after_cue and kind & _CAPITAL:
            found.append(k)
        if not kind & _LINK:
            after_cue = bool(kind & _CUE)
    return found


def _untagged_places(doc: Doc, covered: set[int], filters: EntityFilters) -> list[Span]:
    """Capitalised names the model did not tag, right after a place word ("À Koriukivka, un
    drone...", "près de Novhorod-Siverskyï"): candidates the article's places decide on. Only
    the words after a place word are read (a name's inner words follow a hyphen, no place word)."""
    found: list[Span] = []
    for i in _after_cues(doc, filters):
        if i in covered:
            continue
        end = _capitalised_run(doc, i)
        if end == i or any(k in covered for k in range(i, end)):
            continue
        text = fold(doc[i:end].text)
        if text not in filters.stop_surfaces and text not in filters.not_entities:
            found.append(Span(doc, i, end, label="LOC"))
    return found


def _compound_tokens(doc: Doc, filters: EntityFilters) -> set[int]:
    """Tokens inside a dish or drink name ("Moscow mule", "Paris-Brest" in one token or three),
    found in the text (iterating tokens costs more than the whole text search)."""
    if filters.food_pattern is None:
        return set()
    inside: set[int] = set()
    for match in filters.food_pattern.finditer(doc_text(doc).lower()):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is not None:
            inside.update(range(span.start, span.end))
    return inside


def _is_dish(span: Span, compounds: set[int], filters: EntityFilters) -> bool:
    """A name inside a dish or drink ("poulet Kiev", "bœuf Stroganov", "Moscow mule")."""
    if any(i in compounds for i in range(span.start, span.end)):
        return True
    if span.start == 0:
        return False
    before = span.doc[span.start - 1]
    return fold(before.text) in filters.food_heads and before.is_lower


def _prefix(span: Span, nouns: frozenset[str], filters: EntityFilters) -> tuple[Token, str, Span] | None:
    """A span opening with a noun of `nouns` and its preposition: "région de Kayes" ->
    (région, "de", Kayes); "province de la Tapoa" -> (province, "de la", Tapoa); "centrale
    nucléaire d'Enerhodar" -> (centrale, "d'", Enerhodar)."""
    if len(span) < 3 or fold(span[0].text) not in nouns:
        return None
    i = span.start + 1
    while i < span.end - 1 and span.doc[i].pos_ == "ADJ" and span.doc[i].is_lower:
        i += 1
    prep: list[str] = []
    while i < span.end - 1 and fold(span.doc[i].text) in filters.region_prepositions:
        prep.append(span.doc[i].text)
        i += 1
    if not prep or not span.doc[i].text[:1].isupper():
        return None
    return span[0], " ".join(prep), span.doc[i : span.end]


def _noun_before(
    span: Span,
    nouns: frozenset[str],
    filters: EntityFilters,
    adjectives: frozenset[str] = frozenset(),
    kb: KnowledgeBase | None = None,
) -> tuple[Token, str] | None:
    """The region noun a name follows: "la région de Kayes", "les régions de Lviv et de
    Volhynie", "la province de la Tapoa" (the noun, and the preposition just before the name);
    after one of the nouns `adjectives`, over an adjective of `region_adjectives` ("la région
    voisine de X"; not "la province arménienne de X", "la région autonome du X")."""
    doc = span.doc
    if len(span) > 1 and fold(span[0].text) in filters.feature_nouns:
        return None  # "des régions de Rostov et de Krasnodar et de la mer d'Azov": a sea, no region
    first = _sentence_start(span)
    i = span.start - 1
    prep: list[str] = []
    while i >= first and fold(doc[i].text) in filters.region_prepositions:
        prep.insert(0, doc[i].text)
        i -= 1
    if not prep:
        return None
    if i >= first and fold(doc[i].text) in filters.pronoun_nouns:  # "... et celle de Tambov"
        for j in range(i - 1, max(first, i - 30) - 1, -1):
            if fold(doc[j].text) in adjectives and doc[j].is_lower:
                return doc[j], " ".join(prep)
        return None
    while i >= first and span.start - i <= 12:
        word = fold(doc[i].text)
        if word in nouns:
            return doc[i], " ".join(prep)
        if (
            word in filters.region_prepositions
            or word in {"et", "ou"}
            or doc[i].is_punct
            or doc[i].ent_type_ == "LOC"
            or (word in filters.region_adjectives or _oblast_demonym(word, kb, filters))
            and i > first
            and fold(doc[i - 1].text) in adjectives  # "la région voisine de X", "la région russe de Y"
        ):
            i -= 1
            continue
        break
    return None


def _oblast_demonym(word: str, kb: KnowledgeBase | None, filters: EntityFilters) -> bool:
    """An adjective of a state whose regions are oblasts ("russe", "ukrainienne"): "la région
    ukrainienne de Soumy" is the oblast (not "la province arménienne de X")."""
    if kb is None or not filters.oblast_countries:
        return False
    for form in (
        word,
        word.removesuffix("s"),
        word.removesuffix("s").removesuffix("e"),
        word.removesuffix("s").removesuffix("ne"),
    ):
        state = kb.demonym(form)
        if state is not None:
            return state.kind == "country" and (state.country or "") in filters.oblast_countries
    return False


def _framed(noun: str, prep: str, name: str) -> str:
    """ "région" "de" "Kayes" -> "région de Kayes"; "région" "d'" "Odessa" -> "région d'Odessa"."""
    joint = "" if prep.endswith(("'", "’")) else " "
    return f"{noun} {prep}{joint}{name}"


_UNKNOWN = object()  # a value not computed yet
_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")
# Letters no Unicode decomposition takes to ASCII, as their names are spelt in ids: "Radosław"
# is radoslaw, "Płock" plock, "Søren" soren, "Đoković" dokovic.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ı": "i", "ð": "d", "þ": "th", "ħ": "h"}
)
_NICKNAME = re.compile(r"[«“\"][^«»“”\"]*[»”\"]")
_PARENTHESES = re.compile(r"\((?P<inner>[^()\s]{2,12})\)")


@dataclass
class _Pending:
    """A span whose entity waits for the article's countries (places, regions)."""

    index: int
    span: Span
    label: EntityType
    rule: bool
    dateline: bool = False
    probe: bool = False  # a name the model did not tag, after a place word: kept only as a place
    region: tuple[str, str] | None = None  # (noun, preposition) of "la région de X"
    acronym_entry: KBEntry | None = None  # a KB acronym the text may give to another body
    # the place a body described by common nouns is named after ("la police de Wapenamanda"):
    # an entity of its own beside the body's, when the article's places hold it
    inner: bool = False
    resolved: Mention | None = None
    done: bool = False
    reason: object = field(default_factory=lambda: _UNKNOWN)  # why the filters reject the span, once computed


class _Resolver:
    """Resolution of one document's spans: KB first, then places with the article's countries."""

    def __init__(self, doc: Doc, kb: KnowledgeBase, filters: EntityFilters) -> None:
        self.doc = doc
        self.kb = kb
        self.filters = filters
        self.countries: set[str] = set()
        self.acronyms = self._acronyms()
        self.defined = frozenset(self.acronyms.values())  # the acronyms the text defines
        self.named: dict[str, Mention] = {}  # folded full name / acronym -> its mention
        self.acronym_mentions: dict[str, Mention] = {}  # acronym as written -> its body

    # ------------------------------------------------------------------- countries

    def note(self, entry: KBEntry | None) -> None:
        if entry is not None and entry.country:
            self.countries.add(entry.country)

    # ------------------------------------------------------------------- places

    def place(self, pending: _Pending, strict: bool, loose: bool = True) -> Mention | None:
        """The place of a pending span, or None (then kept or not under its surface); `loose`:
        the gazetteer's last resort (skeleton key) allowed."""
        span, kb = pending.span, self.kb
        if pending.region is not None:
            return self.region(pending)
        countries = self.countries
        if pending.reason is _UNKNOWN:
            pending.reason = None if pending.dateline else rejection(span, pending.label, kb, self.filters)
        inside_only = self._place_despite(pending)
        if pending.reason not in (None, "no_propn") and not inside_only:
            return None  # "Nord" in "les quartiers Nord", a lowercase "mars": not names at all
        # where the parse puts places ("larguées sur Velyka Pysarivka", "des habitations de Spin
        # Boldak"): a name the model took for a person or a group is looked up there too, by its
        # own name or a transliteration, inside the article's countries
        # one word written with hyphens ("à Ivano-Frankivsk", "vers Kamianets-Podilskyï") is no
        # first and last name: read like a name the model took for a group
        as_label: EntityType = (
            "MISC" if pending.label == "PER" and _one_hyphenated_word(span) else pending.label
        )
        placed = pending.label != "LOC" and not pending.dateline and self._locative(span, as_label)
        if as_label == "PER" and len(span) > 1 and not placed:
            return None  # "Vladimir Poutine" is a person wherever he is named
        if placed and not self._place_cue(span, pending.label):
            loose = False
        # the skeleton key only for a span every filter takes for a name: "Guerre", a common noun
        # capitalised in a headline, is no "Girey"
        loose = loose and pending.reason is None and (pending.dateline or not span.text.isupper())
        loose = loose and not pending.probe and pending.reason is None
        kinds = ("region",) if pending.reason == "stop_surface" else None
        entry = kb.place(span.text, countries, any_size=pending.dateline, loose=loose, kinds=kinds)
        if entry is None:
            return None
        if strict and entry.kind != "country" and entry.country not in countries and not pending.dateline:
            return None  # a foreign homonym waits for the countries the rest of the article gives
        if inside_only and entry.country not in countries and entry.kind != "country":
            return None
        if pending.label == "PER" and len(span) == 1 and entry.capital_of and entry.country in countries:
            self.note(entry)  # "Lomé reconnaît": a capital speaking for its state, tagged a person
            return _mention(span, entry, "LOC")
        # a name the model took for a person or a group is a place only where places are
        # named ("près de Sadiola") and inside the article's countries
        if (
            pending.label != "LOC"
            and not pending.dateline
            and (
                entry.country not in countries
                or not (placed or self._place_cue(span, pending.label) or (len(span) == 1 and span[0].is_oov))
            )
        ):
            return None
        self.note(entry)
        return _mention(span, entry, "LOC")

    def _place_despite(self, pending: _Pending) -> bool:
        """A span the filters reject that is still looked up among the article's places: one
        capitalised word of a title-case headline tagged a place ("... à Cracovie"), or one the
        tagger read as a verb or an adverb, tagged a place or after a place word ("vers Dikwa")."""
        span, reason = pending.span, pending.reason
        if len(span) != 1 or not span[0].text[:1].isupper() or span[0].is_sent_start:
            return False
        if reason == "headline":
            return pending.label == "LOC"
        if reason == "single_pos":
            return not _sentence_initial(span) and (
                pending.label == "LOC" or self._place_cue(span, "MISC" if pending.label != "PER" else "PER")
            )
        if reason == "stop_surface":
            # a subdivision named by a direction, capitalised after an article: "dans le
            # Nord-Ouest" (Cameroon), "Gravelines (Nord)"; not "les quartiers Nord"
            before = self.doc[span.start - 1] if span.start > 0 else None
            return (
                pending.label == "LOC"
                and before is not None
                and fold(before.text) in self.filters.direction_articles
            )
        return False

    def site_name(self, span: Span) -> bool:
        """The complement by "de" of a noun of a route or a site that names only places ("la
        route d'X", "le terminal de X", "les montagnes de X": `route_nouns`)."""
        governor = self._de_governor(span)
        return governor is not None and (
            fold(lemma_of(governor)) in self.filters.route_nouns
            or fold(governor.text) in self.filters.route_nouns
        )

    def _de_governor(self, span: Span) -> Token | None:
        """The common noun a span complements by "de" ("des habitations de X"), over an
        adjective the parser hung it on ("des quartiers résidentiels de X")."""
        root = next((t for t in span if not span.start <= head_of(t).i < span.end), None)
        if root is None:
            return None
        case = case_of(root)
        if case is None or case.split()[-1] not in ("de", "d'", "du", "des"):
            return None
        governor = head_of(root)
        if governor.pos_ == "ADJ" and head_of(governor).pos_ == "NOUN" and head_of(governor).i < governor.i:
            governor = head_of(governor)
        if governor.pos_ != "NOUN" or governor.i >= root.i:
            return None
        return governor

    def _locative(self, span: Span, label: EntityType) -> bool:
        """The parse puts the span where places are named: the object of a locative preposition
        (`locative_cases`: "sur X", "vers X", "dans X", a conjunct of one: "à Chaman et X"), or,
        for a name the model took for a group or a thing, the complement of a common noun by
        "de" ("des habitations de X", "la perte de X"); for a name it took for a person, only of
        a noun of a site or a place ("le commissariat de X", "la route de X": `site_nouns`,
        place and area nouns), never of a person's ("le fils de X")."""
        filters = self.filters
        root = next((t for t in span if not span.start <= head_of(t).i < span.end), None)
        if root is None:
            return False
        while root.dep_ == "conj" and head_of(root).i < root.i:  # "à Chaman et Spin Boldak"
            if case_of(root) is not None:
                break
            root = head_of(root)
        case = case_of(root)
        if case is None:
            return False
        words = case.split()
        if case in filters.locative_cases or words[0] in filters.locative_cases:
            return label != "PER" or words[0] not in filters.place_prepositions
        if words[-1] not in ("de", "d'", "du", "des"):
            return False
        governor = self._de_governor(span)
        if governor is None or governor.dep_ == "nsubj" and label == "PER":
            return False
        if label != "PER":
            return True
        noun = fold(lemma_of(governor))
        places = filters.site_nouns | filters.place_cues | filters.area_nouns | filters.facility_nouns
        return noun in places or fold(governor.text) in places

    def _place_cue(self, span: Span, label: EntityType) -> bool:
        """A word that introduces places just before the span ("près de Sadiola"); "à" only
        for a name the model took for a group ("à Ijevan"), never for a person ("à Poutine")."""
        doc, filters = self.doc, self.filters
        cues = filters.place_cues if label == "PER" else filters.place_cues | filters.place_prepositions
        for back in (1, 2):
            i = span.start - back
            if i < 0:
                break
            if fold(doc[i].text) in cues:
                return True
            if fold(doc[i].text) not in filters.region_prepositions:
                break
        return False

    def region(self, pending: _Pending) -> Mention | None:
        """ "la région de X": the KB's region, an oblast (Russia, Ukraine), the gazetteer's
        subdivision, or a region named after X; "le district de X": X."""
        assert pending.region is not None
        noun, prep = pending.region
        span, kb, filters = pending.span, self.kb, self.filters
        name = span.text
        folded_noun = fold(noun)
        nouns = filters.region_nouns | filters.area_nouns | filters.facility_nouns
        if folded_noun.endswith("s") and folded_noun[:-1] in nouns:  # "les régions de ..."
            noun, folded_noun = noun[:-1], folded_noun[:-1]
        framed = _framed(noun, prep, name)
        forms = [framed, f"{noun} de {name}"]
        if folded_noun in filters.region_nouns:  # "la centrale de Zaporijjia" is not the region
            forms.append(f"région de {name}")
        for form in forms:
            known = kb.resolve(form)
            if known is not None and known.type == "LOC" and known.kind == "region":
                self.note(known)
                return _mention(span, known, "LOC")
        base = kb.place(name, self.countries)
        if folded_noun in filters.area_nouns or folded_noun in filters.facility_nouns:
            if slugify(name) in {slugify(s) for s in filters.stop_surfaces}:
                entry = kb.composed(slugify(framed), framed, "region", None, None)
                return _mention(span, entry, "LOC")
            if base is None:
                return None
            self.note(base)
            return _mention(span, base, "LOC")
        if base is not None and (
            base.kind == "region" and base.id in kb.entries or folded_noun in filters.bare_region_nouns
        ):
            self.note(base)  # "l'État de Sinaloa" is sinaloa
            return _mention(span, base, "LOC")
        country = base.country if base is not None else None
        oblast_land = country in filters.oblast_countries or (
            country is None and self.countries and self.countries <= filters.oblast_countries
        )
        if folded_noun in filters.oblast_nouns and oblast_land:
            stem = base.id if base is not None else slugify(name)
            label = base.name if base is not None else name
            entry = kb.composed(f"oblast-de-{stem}", f"Oblast de {label}", "region", country, base)
            self.note(entry)
            return _mention(span, entry, "LOC")
        region = kb.place(name, self.countries, prefer="region", kinds=("region",))
        if region is not None:
            self.note(region)
            return _mention(span, region, "LOC")
        if base is None:  # no town, no subdivision of that name: a region known by its name
            # alone ("la région du Catatumbo", "la région de Tierra Caliente") is that name
            return _mention(span, kb.composed(slugify(name), name, "region", None, None), "LOC")
        entry = kb.composed(slugify(framed), framed, "region", country, base)
        self.note(entry)
        return _mention(span, entry, "LOC")

    # ------------------------------------------------------------------- names

    def _acronyms(self) -> dict[int, str]:
        """Token index of the "(" after a name -> the acronym in the parentheses."""
        found: dict[int, str] = {}
        pattern = self.filters.acronym
        if pattern is None:
            return found
        doc = self.doc
        for match in _PARENTHESES.finditer(doc_text(doc)):
            inner = match["inner"]
            # an acronym, or one written as a word ("Minusma", "Finul"): capitalised, no digits
            if not pattern.fullmatch(inner) and not (inner.istitle() and inner.isalpha() and len(inner) >= 3):
                continue
            opening = doc.char_span(match.start(), match.start() + 1)
            if opening is not None and opening.start > 0:
                found[opening.start] = match["inner"]
        return found

    def acronym_after(self, span: Span) -> str | None:
        """The acronym in parentheses right after a span ("Police nationale d'Haïti (PNH)")."""
        acronym = self.acronyms.get(span.end)
        if acronym is None and span.end + 1 < len(self.doc) and self.doc[span.end].is_space:
            acronym = self.acronyms.get(span.end + 1)
        if acronym is not None and span[0].is_lower and self._complement_of_noun(span):
            return None  # "le service de presse de l'armée pakistanaise (ISPR)": the service's
        return acronym

    def _complement_of_noun(self, span: Span) -> bool:
        """A span the parse hangs by "de" on an institution's lowercase noun, maybe over another
        noun ("le service de communication de l'armée X", "le bureau de presse de la police Y"):
        the institution, not the span, has the acronym after it (not "des soldats de l'armée
        X (ACR)")."""
        doc, heads = self.doc, self.filters.institution_heads
        i = span.start - 1
        if i >= 0 and fold(doc[i].text) in ("l'", "la", "le", "les"):
            i -= 1
        if i < 1 or fold(doc[i].text) not in ("de", "d'", "du", "des"):
            return False
        noun = doc[i - 1]
        for _ in range(3):
            if noun.is_lower and noun.pos_ == "ADJ" and head_of(noun).i < noun.i:
                noun = head_of(noun)  # "le service des relations publiques de l'armée X"
            if not noun.is_lower or noun.pos_ != "NOUN":
                return False
            if fold(noun.text) in heads:
                return True
            governor = head_of(noun)
            if governor.i >= noun.i:
                return False
            noun = governor
        return False

    def longer_name(self, span: Span, entry: KBEntry | None) -> Span | None:
        """A body's name the KB knows that goes on into a longer one with its own acronym:
        "l'Armée de libération nationale karen (KNLA)", "... de Papouasie occidentale (TPNPB)"
        name other bodies than the ELN. The words between the name and the parentheses are
        lowercase adjectives or "de" and capitalised words; the acronym is none of the entry's."""
        if entry is None or entry.type not in ("ORG", "MILITARY") or len(span) < 2:
            return None
        doc = self.doc
        if self.acronym_after(span) is not None:
            return None
        qualified = self._qualified(span)
        if qualified is not None:
            return qualified
        i = span.end
        while i < len(doc) and i - span.end < 5:
            if i in self.acronyms:
                break
            token = doc[i]
            if token.is_space and i + 1 in self.acronyms:
                break
            if token.is_punct or token.pos_ in ("VERB", "AUX", "PRON", "SCONJ", "NUM", "CCONJ"):
                return None
            if (
                not (token.is_lower and token.pos_ in ("ADJ", "NOUN", "PROPN", "ADP", "DET"))
                and not token.text[:1].isupper()
            ):
                return None
            i += 1
        else:
            return None
        acronym = self.acronyms.get(i) or self.acronyms.get(i + 1)
        if i == span.end or acronym is None:
            return None
        if fold(acronym) in {fold(name) for name in entry.names}:
            return None
        end = i
        while end > span.end and doc[end - 1].is_space:
            end -= 1
        return Span(doc, span.start, end, label=span.label_)

    def spelt_out(self, span: Span) -> Span | None:
        """A body's name the model cut before its end, which an acronym in parentheses spells out
        whole: "l'État-major des blocs" + "et fronts (EMBF)", "l'Union des forces" + "pour la
        démocratie (UFD)". The words up to the parentheses are lowercase nouns, adjectives and
        the connectors of names (one "et" at most), and the initials of the name's words
        (hyphenated parts too) are the acronym's letters."""
        doc, connectors = self.doc, self.filters.name_connectors
        if self.acronym_after(span) is not None or not span[0].text[:1].isupper():
            return None
        i = span.end
        while i < len(doc) and i - span.end < 4 and i not in self.acronyms:
            token = doc[i]
            if token.is_space and i + 1 in self.acronyms:
                break
            if not token.is_lower or token.pos_ not in ("NOUN", "ADJ", "ADP", "DET", "CCONJ"):
                return None
            i += 1
        acronym = self.acronyms.get(i) or self.acronyms.get(i + 1)
        if i == span.end or acronym is None:
            return None
        end = i
        while end > span.end and doc[end - 1].is_space:
            end -= 1
        words = [
            w
            for t in doc[span.start : end]
            for w in t.text.split("-")
            if w and fold(t.text) not in connectors
        ]
        initials = "".join(fold(w)[0] for w in words if w[:1].isalpha())
        if initials != fold(acronym).replace("-", ""):
            return None
        return Span(doc, span.start, end, label=span.label_)

    def _qualified(self, span: Span) -> Span | None:
        """A name of several words the KB knows, which a lowercase adjective (no demonym, no
        participle) carries on into another body's name: "le Conseil de sécurité nationale" is
        not the UN's Security Council."""
        doc = self.doc
        if span.end >= len(doc) or not span[0].text[:1].isupper():
            return None
        token = doc[span.end]
        word = fold(token.text)
        if token.pos_ != "ADJ" or not token.is_lower or not span[-1].is_lower or span[-1].pos_ != "NOUN":
            return None
        if word.endswith(("e", "es", "s")) and self.kb.demonym(word.removesuffix("s").removesuffix("e")):
            return None
        if self.kb.demonym(word) is not None or word.endswith(("é", "ée", "és", "ées")):
            return None
        if word in self.filters.region_adjectives or word in self.filters.trailing_words:
            return None
        return Span(doc, span.start, span.end + 1, label=span.label_)

    def acronym_mention(self, span: Span, label: EntityType) -> Mention | None:
        """A body named with its acronym: "Police nationale d'Haïti (PNH)", then "la PNH"."""
        acronym = self.acronym_after(span)
        key = fold(span.text)
        strict = self.filters.acronym
        if (
            acronym is not None
            and not (strict is not None and strict.fullmatch(acronym))
            # a word-like acronym names a body of several words starting with its letter
            and (len(span) < 2 or span.text[0] != acronym[0] or label in ("LOC", "PER"))
        ):
            acronym = None
        if acronym is None:
            return self.named.get(key)
        entry = self.kb.resolve(acronym)
        other = entry is not None and self.other_body(span, entry)
        own = (self.kb.resolve(span.text) or self.kb.national_force(span.text)) if other else None
        if own is not None:  # "les Forces armées des Philippines (AFP)" are no news agency
            mention = _mention(span, own, label if own.type != "MILITARY" else "MILITARY")
        elif entry is not None and entry.type in ("ORG", "MILITARY") and not other:
            mention = _mention(span, entry, label)
        else:
            military = fold(span[0].text) in self.filters.military_heads  # "Forces ...", "Armée ..."
            # a body the KB lacks is known by its acronym; one the text gives the KB's acronym
            # to by its full name ("les Ambazonia Defence Forces (ADF)" are not the ADF)
            known_as = fold(" ".join(span.text.split())) if other else acronym.lower()
            mention = Mention(
                id=f"surface:{known_as}",
                name=" ".join(span.text.split()),
                type="MILITARY" if military else label if label == "ORG" else "ORG",
                surface=span.text,
                start=span.start,
                end=span.end,
                start_char=span.start_char,
                end_char=span.end_char,
            )
        self.named.setdefault(key, mention)
        self.named.setdefault(fold(acronym), mention)
        self.acronym_mentions.setdefault(acronym, mention)
        return mention

    def other_body(self, span: Span, entry: KBEntry) -> bool:
        """The text gives the KB's acronym to another body: the name before the parentheses
        is none of the entry's and shares none of its words but heads ("Forces", "Front"):
        "les Ambazonia Defence Forces (ADF)" are not the Allied Democratic Forces, "les Forces
        armées des Philippines (AFP)" no news agency; "l'Organisation du traité de l'Atlantique
        nord (Otan)" is the Otan."""
        name = fold(" ".join(span.text.split()))
        if len(span) < 2 or self.kb.resolve(span.text) is entry or name in {fold(n) for n in entry.names}:
            return False
        heads = self.filters.military_heads | self.filters.institution_heads
        words = {w for w in re.findall(r"\w{4,}", name) if w not in heads}
        known = {w for n in entry.names for w in re.findall(r"\w{4,}", fold(n)) if w not in heads}
        return bool(words) and bool(known) and not words & known

    def bare_acronyms(self, mentions: list[Mention]) -> list[Mention]:
        """Later mentions of an acronym the model did not tag ("un porte-parole de la FMM")."""
        if not self.acronym_mentions:
            return []
        taken = {i for m in mentions for i in range(m.start, m.end)}
        text = doc_text(self.doc)
        found: list[Mention] = []
        for acronym, named in self.acronym_mentions.items():
            for match in re.finditer(rf"(?<!\w){re.escape(acronym)}(?!\w)", text):
                span = self.doc.char_span(match.start(), match.end())
                if span is not None and not taken & set(range(span.start, span.end)):
                    found.append(_mention_as(named, span))
                    taken.update(range(span.start, span.end))
        return found

    def institution(self, span: Span) -> tuple[Span, EntityType] | None:
        """A capitalised institution name the model saw but tagged as common nouns ("le
        Service ukrainien des urgences"), extended along its noun phrase to its end."""
        filters = self.filters
        head = span[0]
        if not head.text[:1].isupper() or head.is_sent_start or _sentence_initial(span):
            return None
        cue = span.start > 0 and fold(self.doc[span.start - 1].text) in filters.organisation_cues
        word = fold(head.text)
        if word not in filters.institution_heads and word not in filters.military_heads and not cue:
            return None
        end = self._extend(span)
        if end - span.start < 2 and not cue:
            return None
        label: EntityType = "MILITARY" if word in filters.military_heads else "ORG"
        return Span(self.doc, span.start, end), label

    def _extend(self, span: Span) -> int:
        """The end of a name's noun phrase: modifiers and complements of its words, joined by
        the connectors of names ("de", "des", "pour", "et de"), up to punctuation, a verb or
        another entity."""
        doc, filters = self.doc, self.filters
        inside = set(range(span.start, span.end))
        end = span.end
        taken = {i for e in doc.ents for i in range(e.start, e.end) if e.start >= span.end}
        i = span.end
        while i < len(doc) and i - span.start < 16:
            token = doc[i]
            word = fold(token.text)
            if token.is_punct or token.is_space or token.pos_ in ("VERB", "AUX", "PRON", "SCONJ", "NUM"):
                break
            if i in taken and token.ent_type_ not in ("", "MISC"):
                # a name that ends with another one: "Conseil municipal de Nantes", "Mouvement
                # populaire de libération du Soudan-Nord (SPLM-N)"
                inner = next((e for e in doc.ents if e.start == i), None)
                if inner is not None and fold(doc[i - 1].text) in filters.name_connectors:
                    end = inner.end
                break
            if token.pos_ in ("ADP", "DET", "CCONJ"):
                if word not in filters.name_connectors:
                    break
                if token.pos_ == "CCONJ" and (
                    i + 1 >= len(doc) or fold(doc[i + 1].text) not in filters.name_connectors
                ):
                    break
            elif token.head.i not in inside and not (token.head.i > i and token.head.i < i + 4):
                break
            inside.add(i)
            i += 1
            if token.pos_ not in ("ADP", "DET", "CCONJ"):
                end = i
        return end


def doc_mentions(doc: Doc, kb: KnowledgeBase, filters: EntityFilters | None = None) -> list[Mention]:
    """Resolved, filtered entity mentions of a document, in text order."""
    filters = filters or default_filters()
    resolver = _Resolver(doc, kb, filters)
    datelines, bylines = _datelines(doc, filters, kb)
    compounds = _compound_tokens(doc, filters)
    model_ents = list(doc.ents)
    if bylines:
        model_ents = [e for e in model_ents if not any(b.start < e.end and e.start < b.end for b in bylines)]
    ents: list[Span] = _club_names(doc, _joined_place_names(doc, model_ents, kb, filters), kb, filters)
    ents = _particle_edges(doc, _completed_names(doc, ents, filters.person_particles), filters)
    ents = _linked_places(doc, ents, kb, filters)
    covered = {i for e in ents for i in range(e.start, e.end)}
    for line_place in datelines:
        if not covered & set(range(line_place.start, line_place.end)):
            ents.append(Span(doc, line_place.start, line_place.end, label="LOC"))
            covered.update(range(line_place.start, line_place.end))
    probes = _linked_places(doc, _untagged_places(doc, covered, filters), kb, filters)
    ents += probes
    probe_spans = {id(p) for p in probes}
    ents.sort(key=lambda e: e.start)
    slots: list[Mention | list[Mention] | _Pending] = []
    used: set[int] = set()
    for ent in ents:
        dateline = next((d for d in datelines if d.start < ent.end and ent.start < d.end), None)
        if dateline is not None:
            if dateline.start in used:  # the model cut it in two ("OUM" "DURMAN")
                continue
            used.add(dateline.start)
        is_dateline = dateline is not None
        ent_id = "" if ent.id_ == _JOINED else ent.ent_id_  # a joined name is none of its parts' KB ids
        label = "LOC" if is_dateline else _LABELS.get(ent.label_, "MISC")
        span = dateline if dateline is not None else _trim(ent, filters)
        if span is None:
            continue
        if not is_dateline and span.label_ != ent.label_:
            label = _LABELS.get(span.label_, "MISC")  # "Premier ministre X" (MISC) is the person X
        if not is_dateline and label in ("ORG", "MILITARY", "MISC"):
            span = _qualified_body(span, filters)  # "le Parti communiste d'Inde (maoïste)"
        if fold(span.text) in filters.not_entities or _is_dish(span, compounds, filters):
            continue
        if ent.id_ == _CLUB:
            slots.append(_mention(span, None, "ORG"))
            continue
        if _kicker(span, kb):
            continue  # "Cyberattaque : l'hôpital ... paralysé": a headline's topic word, no name
        if _people(span, kb, filters):
            continue  # "les Rochelais", "des Lillois": inhabitants or a team's players, not a place
        if label == "PER" and _nickname(span, filters):
            continue  # "Jimmy Chérizier, dit « Barbecue »"
        war_place = _event_place(span, kb, filters) if not is_dateline else None
        if war_place is not None:  # "la guerre d'Algérie" names Algeria
            span, label = war_place, "LOC"
        unit = _unit_before(span, kb, filters) if not is_dateline and ent_id in ("", RULE_ID) else None
        if unit is not None:  # "la brigade Tariq Ben Ziyad", "la colonne mobile Dagoberto Ramos"
            slots.append(_Pending(len(slots), unit, "MILITARY", True))
            continue
        head = _head_before(span, filters) if not is_dateline else None
        if head is not None and kb.resolve(doc[head : span.end].text) is None:
            whole = Span(doc, head, span.end)
            kind: EntityType = "MILITARY" if fold(doc[head].text) in filters.military_heads else "ORG"
            slots.append(_Pending(len(slots), whole, kind, False))
            continue
        region: tuple[str, str] | None = None
        framed = _prefix(span, filters.facility_nouns | filters.area_nouns | filters.region_nouns, filters)
        if framed is not None and ent_id in ("", RULE_ID) and kb.resolve(span.text) is None:
            noun, prep, span = framed
            region = (noun.text, prep)
            label = "LOC"
        described = (
            _described_place(span, filters)
            if region is None and ent_id in ("", RULE_ID) and label in ("ORG", "MISC")
            else None
        )
        if described is not None:
            # "l'université de Tindouf", "le tribunal révolutionnaire de Zahedan": the place
            # too, beside the body
            slots.append(_Pending(len(slots), described, "LOC", ent_id == RULE_ID, inner=True))
            if (
                fold(span[0].text) in filters.town_described_bodies
                and fold(doc[described.start - 1].text) in _TOWN_LINKS
            ):
                continue  # "la police de Kirkouk": the town, no body of its own
        entry = kb.get(ent_id) if ent_id and ent_id != RULE_ID else None
        if entry is not None and not _alias_licensed(span, entry, kb, doc):
            continue  # "AA" of a battery or a rating, "Kia" the car make
        if (
            entry is not None
            and len(span) == 1
            and span.text in resolver.defined
            and entry.type in ("ORG", "MILITARY")
        ):
            # the body of an acronym the text defines is known once its name is read
            slots.append(_Pending(len(slots), span, label, False, acronym_entry=entry, done=True))
            continue
        known = entry or kb.resolve(span.text, prefer=label)
        longer = resolver.longer_name(span, known)
        if longer is None and known is None and region is None and label in ("ORG", "MILITARY"):
            longer = resolver.spelt_out(span)  # "l'État-major des blocs" + "et fronts (EMBF)"
        if longer is not None:  # "l'Armée de libération nationale karen (KNLA)" is not the ELN
            slots.append(_Pending(len(slots), longer, label, False))
            continue
        entry = entry or (kb.resolve(span.text, prefer=label) if region is None else None)
        if entry is None and region is None and resolver.acronym_after(span) is None:
            # "l'armée camerounaise", "les forces tchadiennes" (a body named with its acronym
            # takes it: "l'armée sud-soudanaise (SSPDF)" is sspdf)
            entry = kb.national_force(span.text)
        if region is None and label == "LOC" or entry is not None and entry.type == "LOC":
            before = _noun_before(
                span, filters.region_nouns | filters.oblast_nouns, filters, filters.oblast_nouns, kb
            )
            if before is not None and (entry is None or entry.kind not in ("region", "country")):
                region = (before[0].text, before[1])
        if region is not None:
            if entry is not None and entry.type == "LOC" and entry.kind == "region":
                resolver.note(entry)
                slots.append(_mention(span, entry, "LOC"))
                continue
            slots.append(_Pending(len(slots), span, "LOC", ent_id == RULE_ID, region=region))
            continue
        if entry is not None:
            resolver.note(entry)
            slots.append(_mention(span, entry, label))
            continue
        if ent_id == RULE_ID and label == "MILITARY" and _bare_forces(span):
            continue  # "des troupes occidentales": forces of no state are no entity
        parts = _split(span, kb, filters.feature_nouns | filters.area_nouns | filters.facility_nouns)
        if parts:
            for _, part_entry in parts:
                resolver.note(part_entry)
            slots.append([_mention(piece, part_entry, label) for piece, part_entry in parts])
            continue
        probe = id(ent) in probe_spans
        slots.append(_Pending(len(slots), span, label, ent_id == RULE_ID, dateline=is_dateline, probe=probe))
    pending = [slot for slot in slots if isinstance(slot, _Pending)]
    # places inside the countries found so far first, then the others (large towns abroad), then
    # again with the countries those added ("Beaune" makes "Pommard" French), then inside the
    # countries the article names by an adjective ("les autorités françaises" put "Cattenom
    # (Moselle)" in France, once "Cologne" is Köln); an article that names no country at all is
    # about the press's own (`home_countries`: "Flamanville (Manche)")
    named = bool(resolver.countries)
    for step, strict in enumerate((True, False, False, True)):
        if not any(not item.done for item in pending):
            break
        if not strict and not named:
            named = True
            resolver.countries.update(filters.home_countries)
        elif step == 3:
            resolver.countries.update(_demonym_countries(doc, kb))
        for item in pending:
            if not item.done:
                item.resolved = resolver.place(item, strict, loose=step < 3)
                item.done = item.resolved is not None
    states = _state_mentions(slots)
    mentions: list[Mention] = []
    inner: list[Mention] = []  # places inside bodies' descriptions: outside `_outermost`
    for slot in slots:
        if isinstance(slot, Mention):
            mentions.append(slot)
        elif isinstance(slot, list):
            mentions.extend(slot)
        elif slot.resolved is not None and slot.inner:
            inner.append(slot.resolved)
        elif slot.resolved is not None:
            mentions.append(slot.resolved)
        elif slot.acronym_entry is not None:
            body = resolver.named.get(fold(slot.span.text))
            if body is not None and body.entry is not slot.acronym_entry:
                mentions.append(_mention_as(body, slot.span))  # "les ADF" of the Ambazonia Defence Forces
            else:
                resolver.note(slot.acronym_entry)
                mentions.append(_mention(slot.span, slot.acronym_entry, slot.label))
        elif slot.inner:
            # a place the gazetteer lacks where a pattern wants a place ("le poste de police de
            # Wapenamanda": enrich/data/ruler.yaml), for the article to locate
            if slot.rule and kb.resolve(slot.span.text) is None:
                inner.append(_mention(slot.span, None, "LOC"))
        else:
            mention = _state_body(slot.span, states, kb, filters) or _unknown(slot, resolver, kb, filters)
            if mention is not None:
                mentions.append(mention)
    mentions += resolver.bare_acronyms(mentions)
    mentions.sort(key=lambda m: m.start)
    mentions = _outermost(mentions)
    if inner:
        mentions = sorted(mentions + inner, key=lambda m: m.start)
    mentions = _corefer_partial_names(_joined_with_word_before(mentions, kb, doc), kb, doc)
    return _Locator(doc, kb, filters, mentions, resolver.countries).locate()


_COARSER: dict[LocationPrecision, int] = {"exact": 0, "city": 1, "region": 2, "country": 3}
_CITY_KINDS = frozenset({"city", "capital", "district", "base", "locality"})


class _Locator:
    """Every place of a document gets a point: a place nothing locates (a village the gazetteer
    lacks, "la région de X" it cannot place) takes the point of the place the text attaches it
    to ("le quartier de Sykhiv, à Lviv", "près de Kirants, dans la province de Tavouch",
    "Kyaukphyu (Rakhine)"), else of the article's most specific located place in its country,
    else of that country, with the precision of that point (`KBEntry.precision`: city, region,
    country). A name the model took for a person or a thing is such a place when a place word
    introduces it and the text attaches it to a place ("près de Sadiola, dans la région de
    Kayes"). The words that may stand between a place and its anchor are data
    (`attachment_words`, `attachment_links` of entity_filters.yaml)."""

    def __init__(
        self,
        doc: Doc,
        kb: KnowledgeBase,
        filters: EntityFilters,
        mentions: list[Mention],
        countries: set[str],
    ) -> None:
        self.doc, self.kb, self.filters, self.mentions = doc, kb, filters, mentions
        self.countries = countries
        self.at: dict[int, int] = {}  # token index -> index of the mention covering it
        for n, mention in enumerate(mentions):
            for i in range(mention.start, mention.end):
                self.at.setdefault(i, n)

    def locate(self) -> list[Mention]:
        mentions = self.mentions
        todo = [n for n, m in enumerate(mentions) if self._unlocated(m)]
        if not todo:
            return mentions
        located: dict[int, KBEntry] = {}
        for n in todo:
            mention = mentions[n]
            if mention.entry is None and mention.type != "LOC":
                # the gazetteer knows it in the article's countries: "à Delmas, dans l'agglomération..."
                entry = self.kb.place(mention.surface, self.countries)
                if entry is not None and entry.country in self.countries and entry.lat is not None:
                    located[n] = entry
        self._attach_all(todo, located)
        named_otherwise = {m.id for m in mentions if m.entry is None and not self._placelike(m)}
        for n in todo:
            mention = mentions[n]
            if n in located or mention.id in named_otherwise:
                continue
            # a name the model took for a person or a thing, after a place noun or "près de"
            if mention.type == "LOC" or self._place_word_before(mention, strong=True):
                anchor = self._fallback(n)
                if anchor is not None:
                    located[n] = self._entry(mentions[n], *anchor)
        # places attached to one only the article located: "à Wegel Tena, dans la zone du Wollo-Sud"
        self._attach_all(todo, located)
        by_id: dict[str, KBEntry] = {}  # one entry per place: the first located mention's point
        for n in sorted(located):
            by_id.setdefault(mentions[n].id, located[n])
        pending = set(todo)
        result: list[Mention] = []
        for n, mention in enumerate(mentions):
            entry = by_id.get(mention.id) if n in pending else None
            if entry is None:
                result.append(mention)
                continue
            result.append(
                Mention(
                    id=entry.id,
                    name=entry.name,
                    type="LOC",
                    surface=mention.surface,
                    start=mention.start,
                    end=mention.end,
                    start_char=mention.start_char,
                    end_char=mention.end_char,
                    entry=entry,
                )
            )
        return result

    # ------------------------------------------------------------------------------------

    def _attach_all(self, todo: list[int], located: dict[int, KBEntry]) -> None:
        """Mentions the text attaches to a located place take its point, along chains
        ("Kasinga, dans le secteur de Bapere, territoire de Lubero")."""
        for _ in range(3):
            progress = False
            for n in todo:
                if n in located:
                    continue
                anchor = self._attached(n, located)
                if anchor is not None:
                    located[n] = self._entry(self.mentions[n], *anchor)
                    progress = True
            if not progress:
                break

    def _unlocated(self, mention: Mention) -> bool:
        entry = mention.entry
        if entry is not None:
            return entry.type == "LOC" and entry.lat is None
        if mention.type == "LOC":
            return self._placelike(mention)
        # a name the model took for a person, a group or a thing, introduced by a place word
        return mention.type in ("PER", "ORG", "MISC") and self._place_word_before(mention)

    def _placelike(self, mention: Mention) -> bool:
        """An unknown LOC span that may name a place: not an acronym ("UKMTO", "Sahara FM"),
        not the end of a person's name ("Mohammed Al-Khulaifi"), not a name a descriptor or an
        organisation word introduces ("le directeur d'Ukrenergo" is "l'opérateur Ukrenergo")."""
        words = mention.surface.split()
        if any(w.isupper() and 1 < len(w) <= 5 for w in words):
            return False
        doc = self.doc
        previous = doc[mention.start - 1] if mention.start > 0 else None
        if (
            previous is not None
            and previous.text[:1].isupper()
            and not previous.is_sent_start
            and previous.i not in self.at
            and previous.pos_ == "PROPN"
        ):
            return False
        i = mention.start - 1
        while i >= 0 and fold(doc[i].text) in self.filters.region_prepositions:
            i -= 1
        before = fold(doc[i].text) if i >= 0 else ""
        filters = self.filters
        if before in filters.descriptor_nouns and before not in filters.place_cues:
            return False  # "l'opérateur Ukrenergo", not "le fleuve Shabelle"
        return before not in filters.organisation_cues

    def _place_word_before(self, mention: Mention, strong: bool = False) -> bool:
        """A place word just before the mention ("près de X", "le village de X", "à X"; only
        the first two kinds when `strong`)."""
        filters = self.filters
        cues = filters.place_cues | filters.area_nouns | filters.region_nouns
        if not strong:
            cues = cues | filters.place_prepositions
        i = mention.start - 1
        for _ in range(3):
            if i < 0:
                return False
            word = fold(self.doc[i].text)
            if word in cues:
                return True
            if word not in filters.region_prepositions:
                return False
            i -= 1
        return False

    def _anchor_at(self, i: int, n: int, located: dict[int, KBEntry]) -> KBEntry | None:
        m = self.at.get(i)
        if m is None or m == n:
            return None
        if m in located:
            return located[m]
        entry = self.mentions[m].entry
        if entry is not None and entry.type == "LOC" and entry.lat is not None and entry.lon is not None:
            return entry
        return None

    def _attached(self, n: int, located: dict[int, KBEntry]) -> tuple[KBEntry, LocationPrecision] | None:
        """The located place the text attaches mention `n` to, after it ("X, dans la région de
        Y", "X (Y)", "X, à 30 km de Y") or before it ("à Y, dans le quartier de X")."""
        mention, doc, filters = self.mentions[n], self.doc, self.filters
        for step in (1, -1):
            i = mention.end if step == 1 else mention.start - 1
            linked = comma = container = False
            while 0 <= i < len(doc) and abs(i - (mention.end if step == 1 else mention.start)) < 10:
                token = doc[i]
                if token.is_sent_start and step == 1 or token.is_space:
                    break
                if i in self.at and self.at[i] != n:
                    anchor = self._anchor_at(i, n, located)
                    if anchor is None or not linked:
                        break
                    if step == -1 and not (comma and container):
                        break
                    return anchor, self._precision(anchor)
                word = fold(token.text)
                if (
                    word in filters.attachment_links
                    or word in filters.area_nouns
                    or word in filters.region_nouns
                ):
                    linked = True
                    container = container or word in filters.area_nouns or word in filters.region_nouns
                elif token.text == ",":
                    comma = True
                elif not (
                    word in filters.attachment_words
                    or word in filters.region_prepositions
                    or token.like_num
                    or token.pos_ == "ADJ"
                    and token.is_lower
                ):
                    break
                if token.is_sent_start and step == -1:
                    break
                i += step
        return None

    @staticmethod
    def _precision(anchor: KBEntry) -> LocationPrecision:
        """How precise a point borrowed from `anchor` is: a town's is a city's, a region's a
        region's, a country's a country's; never finer than the anchor's own."""
        own: LocationPrecision = (
            "city" if anchor.kind in _CITY_KINDS else "country" if anchor.kind == "country" else "region"
        )
        return max(own, anchor.precision, key=lambda p: _COARSER[p])

    def _fallback(self, n: int) -> tuple[KBEntry, LocationPrecision] | None:
        """The article's most specific located place in the country of mention `n` (the
        country of the nearest located place of its sentence, else the article's commonest),
        else that country."""
        mention, mentions = self.mentions[n], self.mentions
        exact: list[tuple[int, KBEntry, str]] = [
            (k, m.entry, m.entry.country)
            for k, m in enumerate(mentions)
            if m.entry is not None
            and m.entry.type == "LOC"
            and m.entry.lat is not None
            and m.entry.country
            and m.entry.precision == "exact"
            and m.entry.kind not in ("continent", "bloc", "sea")
        ]
        if not exact:  # no place located at all: the press's own country ("home_countries")
            home = sorted(self.filters.home_countries)
            state = self.kb.country_entry(home[0]) if home else None
            return (state, "country") if state is not None and state.lat is not None else None
        sentence = self.doc[mention.start].sent

        def inside(k: int) -> bool:
            return sentence.start <= mentions[k].start < sentence.end

        near = [(abs(mentions[k].start - mention.start), cc) for k, _, cc in exact if inside(k)]
        by_country: dict[str, int] = {}
        counts: dict[str, int] = {}
        for _, entry, cc in exact:
            by_country[cc] = by_country.get(cc, 0) + 1
            counts[entry.id] = counts.get(entry.id, 0) + 1
        country = min(near)[1] if near else max(by_country, key=lambda c: (by_country[c], c))
        pool = [(k, e) for k, e, cc in exact if cc == country and e.kind != "country"]
        if pool:
            _, best = min(
                pool,
                key=lambda pair: (
                    not inside(pair[0]),
                    pair[1].kind not in _CITY_KINDS,
                    -counts[pair[1].id],
                    pair[0],
                ),
            )
            return best, "region"
        state = self.kb.country_entry(country)
        if state is None or state.lat is None:
            return None
        return state, "country"

    def _entry(self, mention: Mention, anchor: KBEntry, precision: LocationPrecision) -> KBEntry:
        entry = mention.entry
        country = entry.country if entry is not None and entry.country else anchor.country
        if entry is not None:  # a region nothing locates: its own id, the anchor's point
            kind = entry.kind or "region"
            return self.kb.located_near(entry.name, kind, country, anchor, precision, entry.id)
        return self.kb.located_near(mention.name, "locality", country, anchor, precision)


def _alias_licensed(span: Span, entry: KBEntry, kb: KnowledgeBase, doc: Doc) -> bool:
    """A short upper-case alias ("AA", "KIA", kb.yaml short_aliases) names its entity only
    written in upper case and, unless it is free, where the document gives a context: another
    name of the entity, one of its `context` words, its country (a name, a demonym, another
    entity of that country)."""
    text = span.text.strip()
    if not kb.short_form(entry, text):
        return True
    if not text.isupper():
        return False
    if not kb.needs_context(entry, text):
        return True
    folded = doc.user_data.get("vigie_folded")
    if folded is None:
        folded = doc.user_data["vigie_folded"] = fold(doc_text(doc))
    words = [n for n in entry.names if not kb.short_form(entry, n)] + list(entry.context)
    state = kb.country_entry(entry.country) if entry.country else None
    stems: list[str] = []
    if state is not None:
        words += list(state.names)
        stems = [fold(d) for d in state.demonyms]
    for word in words:
        if re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", folded):
            return True
    if any(re.search(rf"(?<!\w){re.escape(stem)}\w*", folded) for stem in stems if len(stem) > 3):
        return True
    for other in doc.ents:  # another entity of the same country ("la junte birmane", "Sittwe")
        if other.ent_id_ and other.ent_id_ not in (entry.id, RULE_ID):
            known = kb.entries.get(other.ent_id_)
            if known is not None and known.country == entry.country and not kb.short_form(known, other.text):
                return True
    return False


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """A name inside a longer name is not an entity of its own ("Soudan-Nord" in "Mouvement
    populaire de libération du Soudan-Nord")."""
    return [
        m
        for m in mentions
        if not any(
            o is not m and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
            for o in mentions
        )
    ]


def _unknown(
    pending: _Pending, resolver: _Resolver, kb: KnowledgeBase, filters: EntityFilters
) -> Mention | None:
    """A span no entry resolves: a body with an acronym, an institution name, or a name the
    filters keep under its surface form."""
    span, label = pending.span, pending.label
    named = resolver.acronym_mention(span, label)
    if named is not None:
        return _mention_as(named, span)
    institution = resolver.institution(span)
    if institution is not None:
        whole, kind = institution
        whole = resolver.spelt_out(whole) or whole  # "l'État-major des blocs" + "et fronts (EMBF)"
        named = resolver.acronym_mention(whole, kind)
        return _mention_as(named, whole) if named is not None else _mention(whole, None, kind)
    if pending.region is not None:
        return _mention(span, None, "LOC")
    if (
        pending.label != "LOC"
        and not pending.dateline
        and not pending.rule
        and resolver.site_name(span)
        and all(t.text[:1].isupper() or fold(t.text) in filters.name_particles for t in span if t.is_alpha)
    ):
        # a name no place of the gazetteer bears where only places are named ("la route d'X", "le
        # terminal de X"), for the article to locate
        return _mention(span, None, "LOC")
    if pending.probe:
        # not a place the article's countries hold: a name only after a place noun ("les
        # localités d'Al-Mazraa et de Walgha"), for the article to locate
        return _mention(span, None, "LOC") if _after_place_word(span, filters) else None
    if not pending.rule:
        span = _descriptor_trimmed(span, filters)
    if pending.rule or pending.dateline:
        return _mention(span, None, label)
    reason = rejection(span, label, kb, filters)
    if reason is None or label != "PER" and _capitalised_name(span, reason, filters, label, kb):
        return _mention(span, None, label)
    return None


def _capitalised_name(
    span: Span, reason: str, filters: EntityFilters, label: str = "", kb: KnowledgeBase | None = None
) -> bool:
    """A span the tagger read as common words that is still a name: an acronym ("la DGCCRF",
    "UKMTO" read as a verb), or several capitalised words in the middle of a sentence ("selon
    l'International Crisis Group", "« Call of Duty »"). One capitalised common noun is not
    enough ("l'État", "la Marine", "les Kurdes"), unless the model read it as a body and an
    adjective of its own follows it in lowercase, as French writes the names of institutions
    ("la Sécurité civile", "l'Inspection générale de police"): not a state's adjective ("la
    Constitution arménienne"), nor the portfolio of a minister or a ministry, or what a role
    heads ("le ministre de la Sécurité publique", "le président de l'Administration intérimaire")."""
    if reason not in ("no_propn", "single_pos") or _is_headline(_line_of(span), filters):
        return False
    if len(span) == 1:
        text = span.text
        if text.isalpha() and text.isupper() and len(text) >= 2:
            return True
    if reason == "no_propn" and fold(span[0].text) in filters.feature_nouns and span[0].is_lower:
        return any(t.text[:1].isupper() for t in span[1:])  # "le golfe de Guinée", "le parc W"
    if reason != "no_propn" or not span[0].text[:1].isupper() or _sentence_initial(span):
        return False
    if _after_place_word(span, filters):
        return True  # "le quartier de la Guillotière", "la localité de Tessit"
    if label == "ORG" and len(span) > 1 and span[0].pos_ in ("NOUN", "PROPN") and span[1].is_lower:
        return (
            span[1].pos_ == "ADJ"
            and span[1].is_alpha
            and (kb is None or kb.demonym(span[1].text) is None)
            and not _role_complement(span, filters)
        )  # "la Protection civile", not "l'État" alone
    return sum(1 for t in span if t.is_alpha and len(t) > 1 and t.text[:1].isupper()) >= 2


def _role_complement(span: Span, filters: EntityFilters) -> bool:
    """The span is the complement of a role or a ministry ("le ministre de la Sécurité
    publique", "le ministère des Ressources naturelles", "le président de l'Administration")."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and (
        fold(doc[i].text) in filters.region_prepositions or doc[i].lower_ in ("à", "au", "aux")
    ):
        i -= 1  # "le secrétaire à la Sécurité publique"
    noun = fold(doc[i].text) if 0 <= i < span.start - 1 else ""
    return noun in filters.role_nouns or noun in filters.state_bodies or noun == "ministre"


def _after_place_word(span: Span, filters: EntityFilters) -> bool:
    """A place noun just before the span, over "de", "de la"...: "le quartier de la X"."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and fold(doc[i].text) in filters.region_prepositions:
        i -= 1
    return i >= 0 and i < span.start - 1 and fold(doc[i].text) in filters.place_cues | filters.area_nouns


def _described_place(span: Span, filters: EntityFilters) -> Span | None:
    """The place a span names when the rest of it is common words describing a body or a site
    there: "la police de Wapenamanda", "l'université de Tindouf", "le tribunal révolutionnaire
    de Zahedan", "le parquet de Carcassonne" (a role description is no entity: tests/gold/
    README.md). The span opens, in lowercase, with the common noun that heads it, whose
    complement ("de", "du", "d'") is the only capitalised part; the place is that complement
    (whether the parse hangs it on the description or on the noun before: "le poste de police
    de X")."""
    doc = span.doc
    head = span[0]
    if len(span) < 3 or not head.is_lower or not head.is_alpha or head.pos_ != "NOUN":
        return None
    if fold(head.text) in filters.state_bodies:
        return None  # a ministry's complement is its portfolio ("le ministère du Numérique")
    i = span.start + 1
    while i < span.end and doc[i].is_lower and doc[i].pos_ in ("NOUN", "ADJ", "ADP", "DET"):
        i += 1
    if i == span.end or i == span.start + 1 or fold(doc[i - 1].text) not in filters.region_prepositions:
        return None
    place = Span(doc, i, span.end, label="LOC")
    # a proper name: "la Défense" of a ministry, "la Santé" are common nouns capitalised
    words = [t for t in place if t.is_alpha and fold(t.text) not in filters.name_connectors]
    if not words or not all(t.text[:1].isupper() and t.pos_ == "PROPN" for t in words):
        return None
    if not place[0].text[:1].isupper():
        return None
    return place


def _descriptor_trimmed(span: Span, filters: EntityFilters) -> Span:
    """A name the model took with the common noun describing it: "opérateur national
    Ukrenergo" -> "Ukrenergo", "vraquier Eternal Sun" -> "Eternal Sun" (a descriptor noun of
    the data file and lowercase words, directly before capitalised ones; "avenue Roustaveli"
    and "ministère libanais de la Santé" are names and keep their words)."""
    if fold(span[0].text) not in filters.descriptor_nouns:
        return span
    i = span.start
    while i < span.end and span.doc[i].is_lower and span.doc[i].is_alpha:
        i += 1
    if i == span.end or not span.doc[i].text[:1].isupper():
        return span
    if not all(t.text[:1].isupper() or not t.is_alpha for t in span.doc[i : span.end]):
        return span
    return Span(span.doc, i, span.end, label=span.label_)


def _unit_before(span: Span, kb: KnowledgeBase, filters: EntityFilters) -> Span | None:
    """A unit named by a lowercase unit noun (entity_filters.yaml unit_nouns), maybe one
    lowercase adjective, then this capitalised name, after an article or a preposition: "la
    brigade Tariq Ben Ziyad", "de la colonne mobile Dagoberto Ramos" (the name is the unit's,
    not the person's or the place's it honours). Not a name the KB knows as anything but a
    person ("la brigade Wagner" is no new body)."""
    doc = span.doc
    i = span.start - 1
    if i >= 1 and doc[i].is_lower and doc[i].pos_ == "ADJ" and fold(doc[i].text) not in filters.unit_nouns:
        i -= 1  # "colonne mobile"
    if i < 1 or not doc[i].is_lower or fold(doc[i].text) not in filters.unit_nouns:
        return None
    if doc[i - 1].pos_ not in ("DET", "ADP") or not span[0].text[:1].isupper():
        return None
    if i >= 2 and fold(doc[i - 1].text) in ("de", "d'", "d’") and fold(doc[i - 2].text) in filters.rank_nouns:
        return None  # "le général de brigade Felix X" is the general, not a brigade named after him
    if not all(
        t.text[:1].isupper() or not t.is_alpha or fold(t.text) in filters.name_particles for t in span
    ):
        return None
    known = kb.resolve(span.text)
    if known is not None and known.type != "PER":
        return None
    if fold(doc[i].text) in ("front", "fronts") and (
        _LABELS.get(span.label_) == "LOC" or _known_place(span.text, kb)
    ):
        return None  # "le front Pokrovsk" is where the fighting is
    return Span(doc, i, span.end, label="MILITARY")


def _head_before(span: Span, filters: EntityFilters) -> int | None:
    """Where a longer institution name holding this one starts: "Conseil de l'Union
    européenne", "Petites Sœurs de Sainte-Thérèse" (a capitalised head of an institution,
    mid-sentence, then "de", "du", "de l'"... before the name)."""
    doc = span.doc
    first = _sentence_start(span)
    i = span.start - 1
    connectors = 0
    while i > first and fold(doc[i].text) in filters.region_prepositions:
        connectors += 1
        i -= 1
    if not connectors or i <= first or doc[i].ent_type_:
        return None
    word = fold(doc[i].text)
    if not doc[i].text[:1].isupper() or (
        word not in filters.institution_heads and word not in filters.military_heads
    ):
        return None
    start = i
    while start - 1 > first and doc[start - 1].text[:1].isupper() and doc[start - 1].pos_ == "ADJ":
        start -= 1  # "Petites Sœurs"
    if doc[start].is_sent_start or doc[start - 1].is_space or doc[start - 1].text in {"-", "–", "•", ":"}:
        return None
    return start


def _state_mentions(slots: list[Mention | list[Mention] | _Pending]) -> list[tuple[int, KBEntry]]:
    """The states the article names, where (token index, entry), in text order."""
    found: list[tuple[int, KBEntry]] = []
    for slot in slots:
        mention = slot.resolved if isinstance(slot, _Pending) else slot
        for one in mention if isinstance(mention, list) else [mention] if mention is not None else []:
            if one.entry is not None and one.entry.kind == "country" and one.entry.demonyms:
                found.append((one.start, one.entry))
    return found


def _state_body(
    span: Span, states: list[tuple[int, KBEntry]], kb: KnowledgeBase, filters: EntityFilters
) -> Mention | None:
    """A ministry the text names without its state ("le ministère de la Défense"): the
    ministry of the state named in its sentence, else of the state the article names most
    ("ministère nigérien de la Défense"); one whose owner follows ("le ministère de la Santé de
    Gaza") keeps its words."""
    words = span.text.split()
    if len(span) < 3 or fold(span[0].text) not in filters.state_bodies or not span[0].is_lower:
        return None
    if (
        span[1].is_lower
        and span[1].pos_ == "ADJ"
        and not span[1].text.endswith(("é", "ée", "és", "ées"))
        and any(t.text[:1].isupper() for t in span[2:])
    ):
        return _mention(span, None, "ORG")  # "le ministère abkhaze de la Santé": its state is in its name
    if not states:
        return None
    capitals = [t.i for t in span[1:] if t.text[:1].isupper()]
    # one capitalised complement, then at most an adjective ("des Affaires étrangères"), no demonym
    if (
        len(capitals) != 1
        or span.end - capitals[0] > 2
        or any(kb.demonym(t.text) for t in span[1:] if t.is_alpha)
    ):
        return None
    if span.end - capitals[0] == 2 and span[-1].pos_ != "ADJ":
        return None
    doc = span.doc
    after = span.end
    if (
        after + 1 < len(doc)
        and fold(doc[after].text) in ("de", "du", "d'")
        and doc[after + 1].text[:1].isupper()
    ):
        return None  # "le ministère de la Santé de Gaza": its owner is in the name
    sentence_start = _sentence_start(span, reach=60)
    in_sentence = [
        e for i, e in states if sentence_start <= i and (i < span.start or doc[i].sent == span.sent)
    ]
    if in_sentence:
        state = in_sentence[-1]
    else:
        counts: dict[str, int] = {}
        for _, entry in states:
            counts[entry.id] = counts.get(entry.id, 0) + 1
        best = max(counts.values())
        state = next(e for _, e in states if counts[e.id] == best)
    name = " ".join([words[0], state.demonyms[0], *words[1:]])
    known = kb.resolve(name, prefer="ORG")
    if known is not None:
        return _mention(span, known, known.type)
    mention = _mention(span, None, "ORG")
    return Mention(
        id=f"surface:{name.lower()}",
        name=name,
        type="ORG",
        surface=mention.surface,
        start=span.start,
        end=span.end,
        start_char=span.start_char,
        end_char=span.end_char,
    )


def _nickname(span: Span, filters: EntityFilters) -> bool:
    """A name in quotes given as a nickname: "dit « Barbecue »", "alias « camarade José »"."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and doc[i].is_lower and doc[i].is_alpha and span.start - i <= 2:
        i -= 1  # "dit « camarade José »"
    if i < 1 or doc[i].text not in ("«", "“", '"'):
        return False
    if span.end < len(doc) and doc[span.end].text not in ("»", "”", '"'):
        return False
    return fold(doc[i - 1].text) in filters.nickname_cues


def _event_place(span: Span, kb: KnowledgeBase, filters: EntityFilters) -> Span | None:
    """The place a war or a battle is named after ("la guerre d'Algérie", "la bataille de
    Marioupol"), when the KB or the gazetteer knows it; after an attack noun (`attack_nouns`:
    "l'attentat de Gossi", "la tuerie de Kambélé") whatever the model made of the span, and
    known or not, unless the KB knows the name as something else than a place."""
    doc = span.doc
    if (
        len(span) < 3
        or not span[0].is_lower
        or fold(span[0].text) not in filters.event_nouns | filters.attack_nouns
    ):
        return _attacked_place(span, kb, filters)
    i = span.start + 1
    while i < span.end and fold(doc[i].text) in filters.event_prepositions:
        i += 1
    if i == span.start + 1 or i >= span.end or not doc[i].text[:1].isupper():
        return None
    rest = doc[i : span.end]
    entry = kb.resolve(rest.text, prefer="LOC")
    if entry is not None:
        return rest if entry.type == "LOC" else None
    if fold(span[0].text) in filters.attack_nouns and _name_words(rest):
        return rest
    return rest if kb.place(rest.text, loose=False) is not None else None


def _name_words(span: Span) -> bool:
    """A short run of capitalised words (and the particles of names): a place's name."""
    return (
        len(span) <= 4
        and span[0].text[:1].isupper()
        and all(t.text[:1].isupper() or t.is_punct or len(t) <= 3 for t in span)
    )


def _attacked_place(span: Span, kb: KnowledgeBase, filters: EntityFilters) -> Span | None:
    """A name the model took for a person or a thing right after an attack noun and "de"
    ("l'embuscade de Mogodé", "l'attaque de Solenzo"): the place attacked, unless the KB
    knows it as something else."""
    doc = span.doc
    if span.label_ not in ("PER", "MISC") or not _name_words(span):
        return None
    i = span.start - 1
    if i < 1 or fold(doc[i].text) not in filters.event_prepositions:
        return None
    if fold(doc[i - 1].text) not in filters.attack_nouns or not doc[i - 1].is_lower:
        return None
    entry = kb.resolve(span.text)
    return span if entry is None or entry.type == "LOC" else None


def _kicker(span: Span, kb: KnowledgeBase) -> bool:
    """A common noun opening a line before a colon, the topic of a headline ("Cyberattaque :",
    "Sécheresse :"), whatever the model tagged: no name, unless the KB knows it."""
    doc = span.doc
    if len(span) != 1 or span.end >= len(doc) or doc[span.end].text != ":":
        return False
    if span.start > 0 and not doc[span.start - 1].is_space and "\n" not in doc[span.start - 1].text_with_ws:
        return False
    if span[0].pos_ not in ("NOUN", "ADJ") or not span.text[:1].isupper() or not span.text[1:].islower():
        return False
    return kb.resolve(span.text) is None


def _people(span: Span, kb: KnowledgeBase, filters: EntityFilters) -> bool:
    """A capitalised plural noun of inhabitants after an article ("les Rochelais", "des
    Lillois", "aux Toulousains"): a demonym the KB lacks, no place (tests/gold/README.md)."""
    if len(span) != 1 or not span.text[:1].isupper() or span.start == 0:
        return False
    word = fold(span.text)
    if not word.endswith(tuple(fold(suffix) for suffix in filters.people_suffixes)):
        return False
    if fold(span.doc[span.start - 1].text) not in ("les", "des", "aux"):
        return False
    return kb.resolve(span.text) is None


def _bare_forces(span: Span) -> bool:
    """ "forces", "troupes" or "aviation" and one adjective, lowercase ("des troupes
    occidentales"): a description, unless it names a state's forces (kb.yaml national_forces)."""
    return len(span) == 2 and span[0].text in ("forces", "troupes", "aviation")


def _mention_as(named: Mention, span: Span) -> Mention:
    """Another mention of a named entity, at this span."""
    return Mention(
        id=named.id,
        name=named.name,
        type=named.type,
        surface=span.text,
        start=span.start,
        end=span.end,
        start_char=span.start_char,
        end_char=span.end_char,
        entry=named.entry,
    )


def _names_a_noun(token: Token) -> bool:
    """The name qualifies a common noun before it: "le brasseur flamand Haelterman", "le village de
    Dubosc" (a firm or a place named like the person, not the person)."""
    head = token.head
    return head.i < token.i and head.pos_ == "NOUN" and head.is_lower


def _joined_with_word_before(mentions: list[Mention], kb: KnowledgeBase, doc: Doc) -> list[Mention]:
    """An unknown name right after a capitalised word that, with it, is a name the document
    gives elsewhere is that name: "Chez Oksana, ..." at a sentence start (where "Chez" is no part
    of the model's span) after "le restaurant Chez Oksana"."""
    names = {fold(m.surface): m for m in mentions if m.entry is None and " " in m.surface}
    if not names:
        return mentions
    joined: list[Mention] = []
    for mention in mentions:
        before = doc[mention.start - 1] if mention.start > 0 else None
        if (
            before is not None
            and before.text[:1].isupper()
            and (mention.entry is None or mention.entry.id not in kb.entries)
        ):
            named = names.get(fold(f"{before.text} {mention.surface}"))
            if named is not None and named.start != mention.start - 1:
                mention = _mention_as(named, doc[mention.start - 1 : mention.end])
        joined.append(mention)
    return joined


def _corefer_partial_names(mentions: list[Mention], kb: KnowledgeBase, doc: Doc) -> list[Mention]:
    """An unknown person named by part of another person's name in the same document is that
    person ("Vladimir" after "Vladimir Poutine", "Kovalenko" after "Andriï Kovalenko"); so is
    one word the model or the gazetteer took for a place or a thing when it is the family name
    of a person the document names in full ("Arnaud Tréhin (Arkéa) ... Tréhin dynamite la
    course": no village Tréhin), unless the KB knows that word."""
    people = [m for m in mentions if m.type == "PER"]
    family = {fold(m.surface.split()[-1]): m for m in people if len(m.surface.split()) > 1}
    resolved: list[Mention] = []
    for mention in mentions:
        if (
            mention.type in ("LOC", "MISC")  # a firm is named after its family ("le brasseur Haelterman")
            and (mention.entry is None or mention.entry.id not in kb.entries)
            and len(mention.surface.split()) == 1
            and fold(mention.surface) in family
            and not _names_a_noun(doc[mention.start])
        ):
            person = family[fold(mention.surface)]
            mention = replace(mention, id=person.id, name=person.name, type=person.type, entry=person.entry)
        elif mention.entry is None and mention.type == "PER":
            words = set(fold(mention.surface).split())
            for other in people:
                other_words = set(fold(other.surface).split())
                if other is not mention and words < other_words:
                    mention = Mention(
                        id=other.id,
                        name=other.name,
                        type=other.type,
                        surface=mention.surface,
                        start=mention.start,
                        end=mention.end,
                        start_char=mention.start_char,
                        end_char=mention.end_char,
                        entry=other.entry,
                    )
                    break
        resolved.append(mention)
    return resolved


def aggregate(mentions: Iterable[Mention], kb: KnowledgeBase) -> list[EntityMention]:
    """One EntityMention per canonical entity (generic weapon classes are not entities)."""
    by_id: dict[str, EntityMention] = {}
    for mention in mentions:
        if mention.generic:
            continue
        existing = by_id.get(mention.id)
        if existing is not None:
            existing.count += 1
            continue
        entry = mention.entry
        by_id[mention.id] = EntityMention(
            id=mention.id,
            name=mention.name,
            type=mention.type,
            surface=mention.surface,
            count=1,
            qid=entry.qid if entry else None,
            country=entry.country if entry else None,
            location=entry.location if entry and entry.type == "LOC" else None,
            precision=entry.location_precision if entry and entry.type == "LOC" else None,
        )
    return list(by_id.values())
