"""Named entities of one parsed document, resolved to the knowledge base and filtered.

Each `doc.ents` span (model + rulers) is trimmed of articles and punctuation, resolved to a KB
entry (by the ruler's id or by its folded text), and otherwise kept under its surface form
only when it passes the filters of `enrich/data/entity_filters.yaml`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span

from enrich.kb import DATA_DIR, KBEntry, KnowledgeBase, load_yaml
from enrich.text import fold
from vigie.core.models import EntityMention, EntityType

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


def load_filters(path: Path = FILTERS_PATH) -> EntityFilters:
    data = load_yaml(path, FILTERS_SCHEMA_PATH)
    return EntityFilters(
        stop_surfaces=frozenset(fold(s) for s in data["stop_surfaces"]),
        not_entities=frozenset(fold(s) for s in data.get("not_entities", [])),
        region_nouns=frozenset(fold(s) for s in data.get("region_nouns", [])),
        leading_tokens=frozenset(fold(s) for s in data["leading_tokens"]),
        trailing_tokens=frozenset(data["trailing_tokens"]),
        require_propn=bool(data.get("require_propn", True)),
        reject_single_pos=frozenset(data["reject_single_pos"]),
        role_nouns=frozenset(fold(s) for s in data["role_nouns"]),
        headline_min_words=int(data.get("headline_min_words", 4)),
        headline_title_ratio=float(data.get("headline_title_ratio", 0.6)),
        misc_reject_sentence_initial=bool(data.get("misc_reject_sentence_initial", True)),
    )


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
    while end > start and (doc[end - 1].text in filters.trailing_tokens or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    return Span(doc, start, end, label=span.label_, span_id=span.id_)


def _line_of(span: Span) -> str:
    text = span.doc.user_data.get("vigie_text")
    if text is None:  # Doc.text is rebuilt from the tokens on every access: keep it once
        text = span.doc.user_data["vigie_text"] = span.doc.text
    start_char = span.start_char
    begin = text.rfind("\n", 0, start_char) + 1
    end = text.find("\n", start_char)
    return text[begin : end if end >= 0 else len(text)]


def _is_headline(line: str, filters: EntityFilters) -> bool:
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
    if len(span) == 1 and span[0].pos_ in filters.reject_single_pos:
        return "single_pos"
    if kb.demonym(span.text) is not None and len(span) == 1:
        return "demonym"
    if filters.require_propn and not any(t.pos_ == "PROPN" and t.text[:1].isupper() for t in span):
        return "no_propn"
    if not any(ch.isupper() for ch in span.text):
        return "lowercase"
    if _is_headline(_line_of(span), filters):
        return "headline"
    if label == "MISC" and filters.misc_reject_sentence_initial and _sentence_initial(span):
        return "sentence_initial"
    return None


def _region_in_context(span: Span, entry: KBEntry, kb: KnowledgeBase, filters: EntityFilters) -> KBEntry:
    """A city named in "les régions de Kharkiv, de Soumy et de Poltava" is its region."""
    if entry.type != "LOC" or entry.kind in ("region", "country"):
        return entry
    doc = span.doc
    i = span.start - 1
    while i >= span.sent.start and span.start - i <= 12:
        word = fold(doc[i].text)
        if word in filters.region_nouns:
            region = kb.resolve(f"{doc[i].text} de {span.text}") or kb.resolve(f"région de {span.text}")
            return region if region is not None and region.kind == "region" else entry
        if not (doc[i].is_punct or word in {"de", "d'", "du", "et", "ou"} or doc[i].ent_type_ == "LOC"):
            break
        i -= 1
    return entry


def _split(span: Span, kb: KnowledgeBase) -> list[tuple[Span, KBEntry]] | None:
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
    return Mention(
        id=f"surface:{surface.lower()}",
        name=surface,
        type=label,
        surface=surface,
        start=span.start,
        end=span.end,
        start_char=span.start_char,
        end_char=span.end_char,
    )


def doc_mentions(doc: Doc, kb: KnowledgeBase, filters: EntityFilters | None = None) -> list[Mention]:
    """Resolved, filtered entity mentions of a document, in text order."""
    filters = filters or default_filters()
    mentions: list[Mention] = []
    for ent in doc.ents:
        label = _LABELS.get(ent.label_, "MISC")
        span = _trim(ent, filters)
        if span is None:
            continue
        if fold(span.text) in filters.not_entities:
            continue
        entry = kb.get(ent.ent_id_) if ent.ent_id_ else None
        entry = entry or kb.resolve(span.text, prefer=label)
        if entry is not None:
            entry = _region_in_context(span, entry, kb, filters)
            mentions.append(_mention(span, entry, label))
            continue
        parts = _split(span, kb)
        if parts:
            mentions.extend(_mention(piece, part_entry, label) for piece, part_entry in parts)
            continue
        if ent.ent_id_ == RULE_ID or rejection(span, label, kb, filters) is None:
            mentions.append(_mention(span, None, label))
    return _corefer_partial_names(mentions)


def _corefer_partial_names(mentions: list[Mention]) -> list[Mention]:
    """An unknown person named by part of another person's name in the same document is that
    person ("Vladimir" after "Vladimir Poutine", "Kovalenko" after "Andriï Kovalenko")."""
    people = [m for m in mentions if m.type == "PER"]
    resolved: list[Mention] = []
    for mention in mentions:
        if mention.entry is None and mention.type == "PER":
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
        )
    return list(by_id.values())
