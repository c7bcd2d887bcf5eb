"""Evaluate a rule's condition tree on one article and its events.

`match(condition, ArticleView(article, events))` returns a `Match` (the passages that made the
condition true, each saying which condition it proves) or None. Evaluation is pure and
deterministic: no I/O, no clock.
"""

from __future__ import annotations

import html
import itertools
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from vigie.alerting import counts as count_reader
from vigie.alerting.rules import (
    AllOf,
    AnyOf,
    CasualtiesCondition,
    Condition,
    ConflictCondition,
    CountSpec,
    Cue,
    EntityCondition,
    EventCondition,
    LanguageCondition,
    Lexicon,
    Not,
    Phrase,
    QuantityCondition,
    SentenceCondition,
    SourceCondition,
)
from vigie.alerting.text import Sentence, analyse, phrase_keys, recorded_tokens
from vigie.core.models import Article, Event, Quantity

MAX_PASSAGES = 3
_PASSAGE_SEPARATOR = " … "


@dataclass(frozen=True)
class Passage:
    """A stretch of an article field, with the character spans of the words that matched."""

    field: str  # "title" | "text"
    start: int
    end: int
    marks: tuple[tuple[int, int], ...]  # absolute offsets inside the field
    why: str = ""  # the condition it proves: "condition.any[1]: sentence nuclear_weapon + use"

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
    # Conditions that held without a passage to show (conflict gate, toll, source...).
    notes: tuple[str, ...] = ()

    def evidence(self) -> list[tuple[str, Passage | None]]:
        """(condition, passage) pairs: which condition matched which passage."""
        return [(p.why, p) for p in self.passages] + [(note, None) for note in self.notes]


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

    @cached_property
    def _sentence_starts(self) -> dict[str, list[int]]:
        return {name: [s.start for s in self.sentences(name)] for name in ("title", "text")}

    def sentence_starts(self, name: str) -> list[int]:
        """The start offsets of the field's sentences, ascending."""
        return self._sentence_starts[name]

    def index(self, name: str) -> FieldIndex:
        return self.title_index if name == "title" else self.text_index

    def render(self, match: Match) -> str:
        """`Alert.matched_text`: the distinct passages joined (one sentence proving several
        conditions is shown once, with all their words marked), or the escaped title."""
        rendered: list[str] = []
        merged: dict[tuple[str, int, int], Passage] = {}
        for passage in match.passages:
            key = (passage.field, passage.start, passage.end)
            known = merged.get(key)
            merged[key] = passage if known is None else Passage(*key, known.marks + passage.marks, known.why)
        for passage in merged.values():
            text = passage.render(self.field_text(passage.field))
            if text and text not in rendered:
                rendered.append(text)
            if len(rendered) == MAX_PASSAGES:
                break
        return _PASSAGE_SEPARATOR.join(rendered) or html.escape(self.article.title, quote=False)


def match(condition: Condition, view: ArticleView, path: str = "condition") -> Match | None:
    """The passages proving `condition` on the article, or None when it does not hold.
    `path` names the condition in the passages' `why` ("condition.any[1]")."""
    if isinstance(condition, AllOf):
        passages: list[Passage] = []
        notes: list[str] = []
        for i, child in enumerate(condition.children):
            found = match(child, view, f"{path}.all[{i}]")
            if found is None:
                return None
            passages.extend(found.passages)
            notes.extend(found.notes)
        return Match(tuple(passages), tuple(notes))
    if isinstance(condition, AnyOf):
        # Every child is evaluated, so the passages shown do not depend on short-circuiting.
        results = [
            found
            for i, child in enumerate(condition.children)
            if (found := match(child, view, f"{path}.any[{i}]")) is not None
        ]
        if not results:
            return None
        return Match(
            tuple(p for found in results for p in found.passages),
            tuple(n for found in results for n in found.notes),
        )
    if isinstance(condition, Not):
        return Match() if match(condition.child, view, f"{path}.not") is None else None
    found = _match_leaf(condition, view)
    if found is None:
        return None
    label = f"{path}: {describe(condition)}"
    return Match(
        tuple(_labelled(p, label) for p in found.passages), tuple(f"{label} ({n})" for n in found.notes)
    )


def _labelled(passage: Passage, label: str) -> Passage:
    return Passage(passage.field, passage.start, passage.end, passage.marks, passage.why or label)


def _match_leaf(condition: Condition, view: ArticleView) -> Match | None:
    if isinstance(condition, Phrase):
        return _match_phrase(condition, view)
    if isinstance(condition, SentenceCondition):
        return _match_sentence(condition, view)
    if isinstance(condition, EntityCondition):
        return _match_entity(condition, view)
    if isinstance(condition, EventCondition):
        return _match_event(condition, view)
    if isinstance(condition, CasualtiesCondition):
        return _match_casualties(condition, view)
    if isinstance(condition, ConflictCondition):
        decided = view.article.conflict
        holds = decided is not False if condition.open else decided is False
        return Match(notes=(f"conflict={decided}",)) if holds else None
    if isinstance(condition, SourceCondition):
        outlets = {view.article.source, *view.article.sources}
        return (
            Match(notes=(f"source {', '.join(sorted(outlets & condition.sources))}",))
            if outlets & condition.sources
            else None
        )
    if isinstance(condition, LanguageCondition):
        return (
            Match(notes=(f"language {view.article.language}",))
            if view.article.language in condition.languages
            else None
        )
    raise TypeError(f"unknown condition {condition!r}")


def describe(condition: Condition) -> str:
    """A short reading of one leaf condition, for `Passage.why` and the dry run."""
    if isinstance(condition, Phrase):
        return f"phrase {condition.words!r}"
    if isinstance(condition, SentenceCondition):
        parts = [lexicon.name for lexicon in condition.all]
        if condition.count is not None:
            parts.append(_describe_count(condition.count))
        return "sentence " + " + ".join(parts)
    if isinstance(condition, EventCondition):
        parts = []
        for name, values in (
            ("type", condition.event_types),
            ("sub-type", condition.sub_event_types),
            ("interaction", condition.interactions),
            ("weapon class", condition.weapon_classes),
            ("weapons", condition.weapons),
            ("actor", condition.actors),
            ("target", condition.targets),
        ):
            if values:
                parts.append(f"{name} {'|'.join(sorted(values))}")
        if condition.quantity is not None:
            q = condition.quantity
            bounds = (
                f">= {q.min}"
                if q.max is None
                else (f"<= {q.max}" if q.min is None else f"in [{q.min}, {q.max}]")
            )
            what = "|".join(q.fields) + (f" {q.weapon_class}s" if q.weapon_class else "")
            if q.groups:
                what += f" ({'|'.join(sorted(q.groups))})"
            if q.not_groups:
                what += f" (not {'|'.join(sorted(q.not_groups))})"
            parts.append(f"{what} {bounds}")
        if condition.sentence is not None:
            parts.append("in a " + describe(condition.sentence))
        return "event " + ", ".join(parts)
    if isinstance(condition, CasualtiesCondition):
        bounds = (
            f">= {condition.min}" if condition.max is None else f"in [{condition.min or 0}, {condition.max}]"
        )
        return f"casualties {'|'.join(condition.fields)} {bounds}"
    if isinstance(condition, ConflictCondition):
        return "conflict gate " + ("open" if condition.open else "closed")
    if isinstance(condition, EntityCondition):
        return f"entity {'|'.join(sorted(condition.ids))}"
    if isinstance(condition, SourceCondition):
        return "source"
    if isinstance(condition, LanguageCondition):
        return "language"
    return type(condition).__name__


def _describe_count(count: CountSpec) -> str:
    what = count.weapon_class + "s" if count.weapon_class else (count.nouns.name if count.nouns else "?")
    if count.max is None:
        return f"{what} >= {count.min}"
    return f"{what} in [{count.min or 0}, {count.max}]"


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
    return next(phrase_spans(units, sentence, max_distance, in_order, positions), None)


def phrase_spans(
    units: Sequence[Sequence[str]],
    sentence: Sentence,
    max_distance: int,
    in_order: bool,
    positions: Positions | None = None,
) -> Iterator[list[int]]:
    """Every span `phrase_span` could pick, one per starting word, left to right."""
    if positions is None:
        positions = word_positions(sentence)
    occurrences = [_occurrences(unit, sentence, positions) for unit in units]
    if any(not found for found in occurrences):
        return
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
            yield sorted(i for at, length in picked for i in range(at, at + length))


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


# -- sentence: lexicons, counts, cues -------------------------------------------------------------

_MAX_COMBINATIONS = 4096  # pieces tried per sentence: sentences are short, lexicon hits few
_EXCEPTION_WINDOW = 5  # a cue's `unless_after` phrase ends at most this many words before it


def _lexicon_candidates(lexicon: Lexicon, index: FieldIndex) -> set[int]:
    found: set[int] = set()
    for phrase in lexicon.phrases:
        found.update(index.candidates(phrase.units))
    return found


def lexicon_spans(lexicon: Lexicon, sentence: Sentence, positions: Positions) -> list[list[int]]:
    """Every match of one of the lexicon's phrases in the sentence (word indexes)."""
    spans: list[list[int]] = []
    for phrase in lexicon.phrases:
        if any(unit and unit[0] not in positions for unit in phrase.units):
            continue
        spans.extend(phrase_spans(phrase.units, sentence, phrase.max_distance, phrase.in_order, positions))
    return spans


@lru_cache(maxsize=64)
def _count_nouns(count: CountSpec) -> tuple[frozenset[str], frozenset[str], tuple[tuple[str, ...], ...]]:
    """(the first word keys of the weapons of the count's class, those of other projectile
    kinds, the word keys of the `nouns` lexicon's phrases)."""
    nouns: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()
    if count.weapon_class is not None:
        nouns = count_reader.weapon_nouns(count.weapon_class)
        others = frozenset(
            key
            for other in count_reader.PROJECTILE_CLASSES
            if other != count.weapon_class
            for key in count_reader.weapon_nouns(other)
        )
    phrases = tuple(p.keys for p in count.nouns.phrases) if count.nouns else ()
    return nouns, others - nouns, phrases


def _count_spans(count: CountSpec, sentence: Sentence, source: str) -> list[list[int]]:
    nouns, others, phrases = _count_nouns(count)
    spans: list[list[int]] = []
    for found in count_reader.read_counts(sentence, source, nouns, others, phrases):
        if count.min is not None and (found.value < count.min or found.qualifier == "at_most"):
            continue
        if count.max is not None and found.value > count.max:
            continue
        spans.append(list(found.words))
    return spans


def _cue_hits(
    cue: Cue, sentence: Sentence, source: str, positions: Positions, taken: set[int], lo: int, hi: int
) -> bool:
    """Whether a phrase of the cue's lexicon (or its count) stands in its scope of the span
    [lo, hi]."""
    exceptions = lexicon_spans(cue.unless_after, sentence, positions) if cue.unless_after else []
    spans = (
        _count_spans(cue.count, sentence, source)
        if cue.count
        else lexicon_spans(cue.lexicon, sentence, positions)
    )
    for span in spans:
        if any(
            set(span).intersection(other) or 0 <= span[0] - other[-1] <= _EXCEPTION_WINDOW
            for other in exceptions
        ):
            continue  # "la plus vaste attaque depuis le début": a record, not a total
        if taken.intersection(span):
            if cue.scope in ("sentence", "overlap"):
                # The matched words belong to the cue: "défense civile", "force de frappe", "par nuit".
                return True
            continue  # a scoped cue is about the words around the match: "sans" in "sans pilote" is not
        if cue.scope == "overlap":
            continue
        first, last = span[0], span[-1]
        inside = lo < first and last < hi
        if cue.scope == "sentence":
            return True
        if cue.scope == "inside" and inside:
            return True
        if cue.scope in ("before", "near") and (inside or lo - cue.window <= last < lo):
            return True
        if cue.scope in ("after", "near") and (inside or hi < first <= hi + cue.window):
            return True
    return False


def sentence_match(
    condition: SentenceCondition, sentence: Sentence, source: str, positions: Positions
) -> list[int] | None:
    """The matched word indexes when the sentence satisfies `condition`, else None."""
    pieces: list[list[list[int]]] = []
    for lexicon in condition.all:
        spans = lexicon_spans(lexicon, sentence, positions)
        if not spans:
            return None
        pieces.append(spans)
    if condition.count is not None:
        spans = _count_spans(condition.count, sentence, source)
        if not spans:
            return None
        pieces.append(spans)
    if not pieces:
        # Cues only (an event's evidence sentence): the whole sentence is their scope.
        if any(
            _cue_hits(cue, sentence, source, positions, set(), -1, len(sentence.words))
            for cue in condition.unless
        ):
            return None
        return []
    combinations = itertools.islice(itertools.product(*pieces), _MAX_COMBINATIONS)
    # Tightest first: the words that belong together are usually the closest ones.
    ranked = sorted(combinations, key=lambda combo: max(max(p) for p in combo) - min(min(p) for p in combo))
    for combo in ranked:
        taken = {i for piece in combo for i in piece}
        if len(taken) < sum(len(piece) for piece in combo):
            continue  # one word cannot stand for two lexicons ("accord de paix" is no talks)
        lo, hi = min(taken), max(taken)
        if condition.max_span is not None and (hi - lo + 1) - len(taken) > condition.max_span:
            continue
        if any(_cue_hits(cue, sentence, source, positions, taken, lo, hi) for cue in condition.unless):
            continue
        return sorted(taken)
    return None


def _sentence_passage(name: str, sentence: Sentence, words: Sequence[int]) -> Passage:
    marks = tuple((sentence.words[i].start, sentence.words[i].end) for i in words)
    return Passage(field=name, start=sentence.start, end=sentence.end, marks=marks)


def _sentence_numbers(condition: SentenceCondition, index: FieldIndex) -> list[int]:
    """The sentences that may satisfy `condition`: those holding a phrase of every lexicon
    (and a counted noun), ascending."""
    candidates: set[int] | None = None
    for lexicon in condition.all:
        found = _lexicon_candidates(lexicon, index)
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return []
    if condition.count is not None:
        nouns, _, phrases = _count_nouns(condition.count)
        firsts = set(nouns) | {phrase[0] for phrase in phrases if phrase}
        found = {n for key in firsts for n in index.sentences_with.get(key, ())}
        candidates = found if candidates is None else candidates & found
    return sorted(candidates or ())


def _match_sentence(condition: SentenceCondition, view: ArticleView) -> Match | None:
    for name in condition.fields:
        index = view.index(name)
        source = view.field_text(name)
        for number in _sentence_numbers(condition, index):
            sentence = index.sentences[number]
            words = sentence_match(condition, sentence, source, index.positions(number))
            if words is not None:
                return Match((_sentence_passage(name, sentence, words),))
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


_RANGE = re.compile(r"\b(?:entre|de|d')\s*(\d[\d\s\u00a0\u202f.]*)\s*(?:et|à|a)\s*\d")


def lower_bound(quantity: Quantity) -> int | None:
    """The value a threshold reads with `bound: lower`: a range by its lower end ("entre 250 et
    350 drones" -> 250), an "at most" figure has none (None)."""
    if quantity.qualifier == "at_most":
        return None
    found = _RANGE.search(quantity.text or "")
    if found:
        digits = re.sub(r"\D", "", found.group(1))
        if digits and int(digits) <= quantity.value:
            return int(digits)
    return quantity.value


@lru_cache(maxsize=4096)
def _weapon_classes_of(weapons: tuple[str, ...]) -> frozenset[str]:
    try:
        from enrich.kb import default_kb
    except ImportError:  # pragma: no cover - the enricher is part of the distribution
        return frozenset()
    kb = default_kb()
    return frozenset(e.weapon_class for w in weapons if (e := kb.get(w)) is not None and e.weapon_class)


def counted_classes(quantity: Quantity, event: Event) -> set[str]:
    """The projectile classes a count is about: named in its own words ("337 drones"), else
    those of the event's weapons. Two classes: the count pools them."""
    named = count_reader.classes_named(phrase_keys(quantity.text)) if quantity.text else set()
    if named:
        return named
    return set(_weapon_classes_of(tuple(event.weapons)) & count_reader.PROJECTILE_CLASSES)


@lru_cache(maxsize=4096)
def _analysed(text: str) -> tuple[Sentence, ...]:
    return analyse(text)


def _names(lexicon: Lexicon, text: str) -> bool:
    """Whether `text` (a count's own words: "12 soldats") holds a phrase of `lexicon`."""
    for sentence in _analysed(text or ""):
        if lexicon_spans(lexicon, sentence, word_positions(sentence)):
            return True
    return False


def _quantity_holds(condition: QuantityCondition, event: Event) -> list[str]:
    """Texts of the quantities satisfying `condition` (empty when none does)."""
    texts: list[str] = []
    for name in condition.fields:
        quantity = getattr(event, name)
        if quantity is None:
            continue
        value = quantity.value if condition.bound == "as_read" else lower_bound(quantity)
        if condition.min is not None and (value is None or value < condition.min):
            continue
        if condition.max is not None and value is not None and value > condition.max:
            continue
        if condition.weapon_class is not None and counted_classes(quantity, event) != {
            condition.weapon_class
        }:
            continue
        if condition.groups is not None and quantity.group not in condition.groups:
            continue
        if condition.not_groups is not None and quantity.group in condition.not_groups:
            continue
        if condition.counting is not None and not _names(condition.counting, quantity.text):
            continue
        if condition.not_counting is not None and _names(condition.not_counting, quantity.text):
            continue
        texts.append(quantity.text or str(quantity.value))
    return texts


def event_matches(condition: EventCondition, event: Event) -> list[str] | None:
    """None when `event` fails `condition` (its `sentence` part aside: see `_match_event`);
    else the words to highlight in its sentence."""
    if condition.event_types is not None and event.event_type not in condition.event_types:
        return None
    if condition.sub_event_types is not None and event.sub_event_type not in condition.sub_event_types:
        return None
    if condition.interactions is not None and event.interaction not in condition.interactions:
        return None
    if condition.weapons is not None and not condition.weapons & set(event.weapons):
        return None
    if condition.weapon_classes is not None and not condition.weapon_classes & _weapon_classes_of(
        tuple(event.weapons)
    ):
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


def evidence_sentences(view: ArticleView, event: Event) -> list[tuple[str, int]]:
    """(field, sentence number in the view) of the sentences reporting the event: those of its
    mentions (the headline's included), else its own sentence."""
    spans = [
        ("title" if m.in_title else "text", m.sentence_start, m.sentence_end, m.sentence)
        for m in event.mentions
    ] or [("text", event.sentence_start, event.sentence_end, event.sentence)]
    found: list[tuple[str, int]] = []
    for name, start, end, sentence in spans:
        source = view.field_text(name)
        if not (0 <= start < end <= len(source)) or source[start:end] != sentence:
            at = source.find(sentence) if sentence else -1
            if at < 0 and name == "text" and sentence and (at := view.article.title.find(sentence)) >= 0:
                name, source = "title", view.article.title
            if at < 0:
                continue
            start, end = at, at + len(sentence)
        sentences = view.sentences(name)
        starts = view.sentence_starts(name)
        number = max(bisect_right(starts, start) - 1, 0)
        while number < len(sentences) and sentences[number].start < end:
            if sentences[number].end > start and (name, number) not in found:
                found.append((name, number))
            number += 1
    return found


def _event_sentence(
    condition: SentenceCondition, view: ArticleView, event: Event, quantities: Sequence[str]
) -> Passage | None:
    """The first evidence sentence of `event` satisfying `condition`; with counts (`quantities`,
    their texts), one of the sentences stating them when the text shows where."""
    evidence = evidence_sentences(view, event)
    stating = [
        (name, number)
        for name, number in evidence
        if any(
            q and q.lower() in view.field_text(name)[s.start : s.end].lower()
            for q in quantities
            for s in (view.sentences(name)[number],)
        )
    ]
    for name, number in stating or evidence:
        if name not in condition.fields:
            continue
        index = view.index(name)
        sentence = index.sentences[number]
        source = view.field_text(name)
        words = sentence_match(condition, sentence, source, index.positions(number))
        if words is not None:
            passage = _sentence_passage(name, sentence, words)
            lowered = source[sentence.start : sentence.end].lower()
            extra = [
                (sentence.start + at, sentence.start + at + len(needle))
                for needle in (event.trigger, *quantities)
                if needle and (at := lowered.find(needle.lower())) >= 0
            ]
            return Passage(name, passage.start, passage.end, passage.marks + tuple(extra))
    return None


def _match_event(condition: EventCondition, view: ArticleView) -> Match | None:
    for event in sorted(view.events, key=lambda e: (e.sentence_start, e.id)):
        highlights = event_matches(condition, event)
        if highlights is None:
            continue
        if condition.sentence is not None:
            passage = _event_sentence(condition.sentence, view, event, highlights[1:])
            if passage is None:
                continue
            return Match((passage,))
        return Match((_event_passage(view, event, highlights),))
    return None


# -- casualties ---------------------------------------------------------------------------------


def _match_casualties(condition: CasualtiesCondition, view: ArticleView) -> Match | None:
    toll = view.article.casualties
    if toll is None:
        return None
    for name in condition.fields:
        value = getattr(toll, name)
        if condition.min is not None and value < condition.min:
            continue
        if condition.max is not None and value > condition.max:
            continue
        return Match(notes=(f"{name}={value}",))
    return None
