"""Evaluate a rule's condition tree on one article and its events.

`match(condition, ArticleView(article, events))` returns a `Match` (the passages that made the
condition true) or None. Evaluation is pure and deterministic: no I/O, no clock.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from vigie.alerting.rules import (
    AllOf,
    AnyOf,
    Condition,
    EntityCondition,
    EventCondition,
    LanguageCondition,
    Not,
    Phrase,
    QuantityCondition,
    SourceCondition,
)
from vigie.alerting.text import Sentence, analyse, recorded_tokens
from vigie.core.models import Article, Event

MAX_PASSAGES = 3
_PASSAGE_SEPARATOR = " … "


@dataclass(frozen=True)
class Passage:
    """A stretch of an article field, with the character spans of the words that matched."""

    field: str  # "title" | "text"
    start: int
    end: int
    marks: tuple[tuple[int, int], ...]  # absolute offsets inside the field

    def render(self, source: str) -> str:
        """The passage, HTML-escaped, matched words wrapped in <mark>."""
        out: list[str] = []
        cursor = self.start
        for mark_start, mark_end in _merge_within_words(source, self.marks):
            if mark_start < cursor or mark_end > self.end:
                continue  # overlapping or outside the passage: keep the first
            out.append(html.escape(source[cursor:mark_start], quote=False))
            out.append(f"<mark>{html.escape(source[mark_start:mark_end], quote=False)}</mark>")
            cursor = mark_end
        out.append(html.escape(source[cursor : self.end], quote=False))
        return "".join(out).strip()


def _merge_within_words(source: str, marks: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted marks, parts of one hyphenated word joined: <mark>cessez-le-feu</mark>."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(marks)):
        if merged and 0 <= start - merged[-1][1] <= 1 and source[merged[-1][1] : start] in ("", "-"):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Match:
    passages: tuple[Passage, ...] = ()


Positions = dict[str, list[int]]  # word key -> indexes of its words in one sentence, ascending


def word_positions(sentence: Sentence) -> Positions:
    positions: Positions = {}
    for i, word in enumerate(sentence.words):
        found = positions.get(word.key)
        if found is None:
            positions[word.key] = [i]
        else:
            found.append(i)
    return positions


@dataclass(frozen=True)
class FieldIndex:
    """The sentences of one field and, per word key, the sentences holding it (built once per
    article), so that a phrase is only tried on the sentences holding all its units."""

    sentences: tuple[Sentence, ...]
    sentences_with: dict[str, list[int]]  # word key -> indexes of the sentences holding it, ascending
    _positions: dict[int, Positions] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, sentences: tuple[Sentence, ...]) -> FieldIndex:
        sentences_with: dict[str, list[int]] = {}
        for number, sentence in enumerate(sentences):
            for word in sentence.words:
                found = sentences_with.get(word.key)
                if found is None:
                    sentences_with[word.key] = [number]
                elif found[-1] != number:
                    found.append(number)
        return cls(sentences, sentences_with)

    def positions(self, number: int) -> Positions:
        """`word_positions` of sentence `number`, built on first use."""
        found = self._positions.get(number)
        if found is None:
            found = self._positions[number] = word_positions(self.sentences[number])
        return found

    def candidates(self, units: Sequence[Sequence[str]]) -> list[int]:
        """Indexes of the sentences holding the first word of every unit, ascending: the only
        ones where the phrase can match (`phrase_span` never matches an empty phrase)."""
        if not units:
            return []
        lists: list[list[int]] = []
        for unit in units:
            if not unit:
                continue  # an empty unit fits anywhere
            found = self.sentences_with.get(unit[0])
            if not found:
                return []
            lists.append(found)
        if not lists:
            return list(range(len(self.sentences)))
        if len(lists) == 1:
            return lists[0]
        lists.sort(key=len)
        others = [set(found) for found in lists[1:]]
        return [number for number in lists[0] if all(number in other for other in others)]


@dataclass
class ArticleView:
    """An article, its events, and its analysed fields (computed once, shared by all rules;
    on the tokens enrichment recorded when the article has them)."""

    article: Article
    events: Sequence[Event] = field(default_factory=tuple)

    @cached_property
    def title_sentences(self) -> tuple[Sentence, ...]:
        return analyse(self.article.title, recorded_tokens(self.article, "title"))

    @cached_property
    def text_sentences(self) -> tuple[Sentence, ...]:
        return analyse(self.article.text, recorded_tokens(self.article, "text"))

    @cached_property
    def title_index(self) -> FieldIndex:
        return FieldIndex.build(self.title_sentences)

    @cached_property
    def text_index(self) -> FieldIndex:
        return FieldIndex.build(self.text_sentences)

    def field_text(self, name: str) -> str:
        return self.article.title if name == "title" else self.article.text

    def sentences(self, name: str) -> tuple[Sentence, ...]:
        return self.title_sentences if name == "title" else self.text_sentences

    def index(self, name: str) -> FieldIndex:
        return self.title_index if name == "title" else self.text_index

    def render(self, match: Match) -> str:
        """`Alert.matched_text`: the distinct passages joined, or the escaped title."""
        rendered: list[str] = []
        for passage in match.passages:
            text = passage.render(self.field_text(passage.field))
            if text and text not in rendered:
                rendered.append(text)
            if len(rendered) == MAX_PASSAGES:
                break
        return _PASSAGE_SEPARATOR.join(rendered) or html.escape(self.article.title, quote=False)


def match(condition: Condition, view: ArticleView) -> Match | None:
    """The passages proving `condition` on the article, or None when it does not hold."""
    if isinstance(condition, AllOf):
        passages: list[Passage] = []
        for child in condition.children:
            found = match(child, view)
            if found is None:
                return None
            passages.extend(found.passages)
        return Match(tuple(passages))
    if isinstance(condition, AnyOf):
        # Every child is evaluated, so the passages shown do not depend on short-circuiting.
        results = [found for child in condition.children if (found := match(child, view)) is not None]
        if not results:
            return None
        return Match(tuple(p for found in results for p in found.passages))
    if isinstance(condition, Not):
        return Match() if match(condition.child, view) is None else None
    if isinstance(condition, Phrase):
        return _match_phrase(condition, view)
    if isinstance(condition, EntityCondition):
        return _match_entity(condition, view)
    if isinstance(condition, EventCondition):
        return _match_event(condition, view)
    if isinstance(condition, SourceCondition):
        outlets = {view.article.source, *view.article.sources}
        return Match() if outlets & condition.sources else None
    if isinstance(condition, LanguageCondition):
        return Match() if view.article.language in condition.languages else None
    raise TypeError(f"unknown condition {condition!r}")


# -- phrase -------------------------------------------------------------------------------------


def _occurrences(unit: Sequence[str], sentence: Sentence, positions: Positions) -> list[int]:
    """Start indexes where the unit's keys appear as consecutive words (read-only list)."""
    if not unit:  # an empty unit would sit anywhere
        return list(range(len(sentence.words) + 1))
    starts = positions.get(unit[0])
    if not starts or len(unit) == 1:
        return starts or []
    words, n = sentence.words, len(unit)
    last = len(words) - n
    return [i for i in starts if i <= last and all(words[i + k].key == unit[k] for k in range(1, n))]


def phrase_span(
    units: Sequence[Sequence[str]],
    sentence: Sentence,
    max_distance: int,
    in_order: bool,
    positions: Positions | None = None,
) -> list[int] | None:
    """Word indexes in `sentence` matching the phrase `units` with at most `max_distance` other
    words inside the span (units in the phrase's order when `in_order`): the leftmost such
    span, or None. `positions`: the sentence's `word_positions`, when already built.

    A valid span starts on a unit occurrence and fits in `words + max_distance` words, so a
    greedy pick inside that window from each candidate start finds it: O(occurrences x units)."""
    if positions is None:
        positions = word_positions(sentence)
    occurrences = [_occurrences(unit, sentence, positions) for unit in units]
    if any(not found for found in occurrences):
        return None
    width = sum(len(unit) for unit in units) + max_distance
    starts = sorted({i for found in occurrences for i in found})
    for first in starts:
        limit = first + width
        picked: list[tuple[int, int]] = []  # (start, length) per unit
        cursor = first
        for unit, found in zip(units, occurrences, strict=True):
            length = len(unit)
            for at in found:
                if at < (cursor if in_order else first) or at + length > limit:
                    continue
                if not in_order and any(at < s + n and s < at + length for s, n in picked):
                    continue  # one word cannot stand for two units
                picked.append((at, length))
                cursor = at + length
                break
            else:
                break
        if len(picked) == len(units):
            return sorted(i for at, length in picked for i in range(at, at + length))
    return None


def _match_phrase(condition: Phrase, view: ArticleView) -> Match | None:
    units = condition.units
    for name in condition.fields:
        index = view.index(name)
        for number in index.candidates(units):  # the sentences holding every unit's first word
            sentence = index.sentences[number]
            span = phrase_span(
                units, sentence, condition.max_distance, condition.in_order, index.positions(number)
            )
            if span is not None:
                marks = tuple((sentence.words[i].start, sentence.words[i].end) for i in span)
                return Match((Passage(field=name, start=sentence.start, end=sentence.end, marks=marks),))
    return None


# -- entity -------------------------------------------------------------------------------------


def _find_in_sentences(view: ArticleView, needles: Sequence[str]) -> Passage | None:
    """The first sentence of title or text containing one of `needles` (case-insensitive)."""
    for name in ("title", "text"):
        source = view.field_text(name)
        lowered = source.lower()
        for needle in needles:
            if not needle:
                continue
            at = lowered.find(needle.lower())
            if at < 0:
                continue
            for sentence in view.sentences(name):
                if sentence.start <= at < sentence.end:
                    return Passage(name, sentence.start, sentence.end, ((at, at + len(needle)),))
            return Passage(name, at, at + len(needle), ((at, at + len(needle)),))
    return None


def _match_entity(condition: EntityCondition, view: ArticleView) -> Match | None:
    for mention in view.article.entities:
        if mention.id not in condition.ids or mention.count < condition.min_count:
            continue
        if condition.types is not None and mention.type not in condition.types:
            continue
        passage = _find_in_sentences(view, [mention.surface, mention.name])
        return Match((passage,) if passage else ())
    return None


# -- event --------------------------------------------------------------------------------------


def _quantity_holds(condition: QuantityCondition, event: Event) -> list[str]:
    """Texts of the quantities satisfying `condition` (empty when none does)."""
    texts: list[str] = []
    for name in condition.fields:
        quantity = getattr(event, name)
        if quantity is None:
            continue
        if condition.min is not None and quantity.value < condition.min:
            continue
        if condition.max is not None and quantity.value > condition.max:
            continue
        texts.append(quantity.text or str(quantity.value))
    return texts


def event_matches(condition: EventCondition, event: Event) -> list[str] | None:
    """None when `event` fails `condition`; else the words to highlight in its sentence."""
    if condition.event_types is not None and event.event_type not in condition.event_types:
        return None
    if condition.sub_event_types is not None and event.sub_event_type not in condition.sub_event_types:
        return None
    if condition.interactions is not None and event.interaction not in condition.interactions:
        return None
    if condition.weapons is not None and not condition.weapons & set(event.weapons):
        return None
    if condition.actors is not None and (event.actor is None or event.actor.id not in condition.actors):
        return None
    if condition.targets is not None and (event.target is None or event.target.id not in condition.targets):
        return None
    if condition.min_confidence is not None and event.confidence < condition.min_confidence:
        return None
    highlights = [event.trigger]
    if condition.quantity is not None:
        texts = _quantity_holds(condition.quantity, event)
        if not texts:
            return None
        highlights.extend(texts)
    return highlights


def _event_passage(view: ArticleView, event: Event, highlights: Sequence[str]) -> Passage:
    text = view.article.text
    start, end = event.sentence_start, event.sentence_end
    if not (0 <= start < end <= len(text)) or text[start:end] != event.sentence:
        # Offsets do not point at the sentence (another text version): find it, else fall back.
        at = text.find(event.sentence) if event.sentence else -1
        if at < 0:
            found = _find_in_sentences(view, list(highlights))
            return found or Passage("title", 0, len(view.article.title), ())
        start, end = at, at + len(event.sentence)
    marks: list[tuple[int, int]] = []
    sentence = text[start:end].lower()
    for needle in highlights:
        if needle and (at := sentence.find(needle.lower())) >= 0:
            marks.append((start + at, start + at + len(needle)))
    return Passage("text", start, end, tuple(marks))


def _match_event(condition: EventCondition, view: ArticleView) -> Match | None:
    for event in sorted(view.events, key=lambda e: (e.sentence_start, e.id)):
        highlights = event_matches(condition, event)
        if highlights is not None:
            return Match((_event_passage(view, event, highlights),))
    return None
