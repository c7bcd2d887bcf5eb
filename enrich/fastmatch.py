"""A faster stand-in for a spaCy `Matcher` whose patterns are plain word lists.

spaCy's `Matcher` evaluates a set condition (`{"LOWER": {"IN": [...]}}`) as an "extra
predicate", in Python, for every pattern at every token of every call: the event extractor's
fixed phrases (`enrich.events.triggers`, ~100 patterns matched sentence by sentence) cost 7 ms
of the ~80 ms an article takes to enrich, more than the entity rulers and the KB matcher
together. `SetMatcher.from_matcher(matcher)` reads such a matcher's patterns back and, when
every token of every pattern is one attribute (`LOWER`, `LEMMA`, `ORTH`/`TEXT`, `NORM`) equal
to a string or in a list of strings, without operators, callbacks or greedy filters, answers
the same calls (a `Doc` or a `Span`) with the same `(match_id, start, end)` tuples in the same
order: by end, then start, then pattern order, each match once. Any other matcher is left as
it is (None). The attribute values of a document are read once (`Doc.to_array`) and reused
for every sentence of it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

import numpy as np
from spacy.attrs import LEMMA, LOWER, NORM, ORTH
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

_ATTRIBUTES = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": ORTH, "TEXT": ORTH, "NORM": NORM}

# One token of a pattern: (column of the attribute in the document table, accepted hashes).
TokenSpec = tuple[int, frozenset[int]]


def _token_spec(spec: Any, strings: Any) -> tuple[int, frozenset[int]] | None:
    """(attribute id, accepted string hashes) of a pattern token, None when it is not a plain
    word condition."""
    if not isinstance(spec, dict) or len(spec) != 1:
        return None
    ((name, value),) = spec.items()
    attribute = _ATTRIBUTES.get(name) if isinstance(name, str) else None
    if attribute is None:
        return None
    if isinstance(value, str):
        words = [value]
    elif isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list):
        words = value["IN"]
        if not all(isinstance(word, str) for word in words):
            return None
    else:
        return None
    return attribute, frozenset(strings.add(word) for word in words)


def _plain_patterns(matcher: Matcher) -> dict[Any, Any] | None:
    """`matcher`'s patterns by key, or None when it has none or holds what a stand-in cannot
    replay (filters, callbacks, extension attributes)."""
    patterns_by_key = getattr(matcher, "_patterns", None)
    if not isinstance(patterns_by_key, dict) or not patterns_by_key:
        return None
    if any(getattr(matcher, "_filter", {}).values()) or any(getattr(matcher, "_callbacks", {}).values()):
        return None
    if getattr(matcher, "_extensions", None):
        return None
    return patterns_by_key


class SetMatcher:
    """Answers like the `Matcher` it was read from (see the module docstring)."""

    def __init__(self, patterns: Sequence[tuple[int, Sequence[tuple[int, frozenset[int]]]]]) -> None:
        """`patterns`: (match id, [(attribute id, hashes), ...]) in the matcher's order."""
        self.attributes = sorted({attribute for _, specs in patterns for attribute, _ in specs})
        self._columns: list[int | str] = list(self.attributes)  # what `Doc.to_array` reads
        column = {attribute: n for n, attribute in enumerate(self.attributes)}
        self.patterns: list[tuple[int, tuple[TokenSpec, ...]]] = [
            (key, tuple((column[attribute], hashes) for attribute, hashes in specs))
            for key, specs in patterns
        ]
        self.longest = max((len(specs) for _, specs in self.patterns), default=0)
        self.first: dict[tuple[int, int], list[int]] = {}  # (column, hash) -> patterns starting so
        for number, (_, specs) in enumerate(self.patterns):
            first_column, hashes = specs[0]
            for value in hashes:
                self.first.setdefault((first_column, value), []).append(number)
        # Per column, the values a pattern starts with (sorted numpy, searched per document).
        self._first_values = [
            np.array(sorted(value for col, value in self.first if col == column), dtype=np.uint64)
            for column in range(len(self.attributes))
        ]
        self.needs_lemma = LEMMA in self.attributes
        self._doc: Doc | None = None
        self._table: np.ndarray[Any, Any] = np.zeros((0, 0), dtype=np.uint64)
        self._starts: list[int] = []

    @classmethod
    def from_matcher(cls, matcher: Matcher) -> SetMatcher | None:
        """The stand-in for `matcher`, or None when one of its patterns is more than words."""
        patterns_by_key = _plain_patterns(matcher)
        if patterns_by_key is None:
            return None
        strings = getattr(matcher, "vocab").strings  # noqa: B009 - not in spaCy's type stubs
        patterns: list[tuple[int, list[tuple[int, frozenset[int]]]]] = []
        for key, key_patterns in patterns_by_key.items():
            for pattern in key_patterns:
                if not isinstance(pattern, list) or not pattern:
                    return None
                specs = [_token_spec(spec, strings) for spec in pattern]
                if any(spec is None for spec in specs):
                    return None
                patterns.append((key, [spec for spec in specs if spec is not None]))
        return cls(patterns)

    def _prepare(self, doc: Doc) -> None:
        """The document's attribute table and the positions where some pattern may start."""
        if doc is self._doc:
            return
        if self.needs_lemma and len(doc) and not doc.has_annotation("LEMMA"):
            raise ValueError("a pattern reads LEMMA, and the document has no lemmas (lemmatizer)")
        if len(doc):
            table = doc.to_array(self._columns).reshape(len(doc), len(self.attributes))
            possible = np.zeros(len(doc), dtype=bool)
            for column, values in enumerate(self._first_values):
                if not len(values):
                    continue
                # `values` is sorted: a binary search per token, not `np.isin`'s sort of both
                # arrays on every document
                cells = table[:, column]
                found = np.searchsorted(values, cells)
                found[found == len(values)] = 0
                possible |= values[found] == cells
            self._starts = np.flatnonzero(possible).tolist()
        else:
            table, self._starts = np.zeros((0, len(self.attributes)), dtype=np.uint64), []
        self._table = table
        self._doc = doc

    def __call__(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        if isinstance(doclike, Span):
            doc, offset, end_of = doclike.doc, doclike.start, doclike.end
        else:
            doc, offset, end_of = doclike, 0, len(doclike)
        self._prepare(doc)
        table, first, patterns = self._table, self.first, self.patterns
        found: list[tuple[int, int, int, int]] = []  # (end, start, pattern number, key)
        starts = self._starts
        for position in starts[bisect_left(starts, offset) : bisect_left(starts, end_of)]:
            rows: list[list[int]] = table[position : min(end_of, position + self.longest)].tolist()
            numbers: set[int] = set()
            for column, value in enumerate(rows[0]):
                numbers.update(first.get((column, value), ()))
            for number in numbers:
                key, specs = patterns[number]
                if len(specs) > len(rows):  # would run past the end of the span
                    continue
                if all(rows[k][column] in hashes for k, (column, hashes) in enumerate(specs) if k):
                    found.append((position + len(specs), position, number, key))
        found.sort()
        matches: list[tuple[int, int, int]] = []
        seen: set[tuple[int, int, int]] = set()
        for end, start, _, key in found:
            match = (key, start - offset, end - offset)
            if match not in seen:
                seen.add(match)
                matches.append(match)
        return matches


# Operators a pattern token of a `WindowMatcher` may carry: each one consumes at most one
# token, so a pattern spans at most as many tokens as it has.
_BOUNDED_OPS = frozenset({"?", "1"})
_SEARCHED_MAX = 1 << 18


def _first_conditions(spec: Any, strings: Any) -> tuple[tuple[int, str, Any], ...] | None:
    """What a pattern's first token requires of the token's text, as (attribute id, "set" or
    "regex", accepted hashes or compiled regex); None when nothing in it can be read so (a
    match may then start anywhere). Other conditions of the token are left to the matcher: a
    token these accept may still fail them, never the reverse."""
    if not isinstance(spec, dict) or spec.get("OP", "1") != "1":
        return None
    conditions: list[tuple[int, str, Any]] = []
    for name, value in spec.items():
        attribute = _ATTRIBUTES.get(name) if isinstance(name, str) else None
        if attribute is None or attribute == LEMMA:
            continue
        if isinstance(value, str):
            conditions.append((attribute, "set", frozenset({strings.add(value)})))
        elif isinstance(value, dict) and len(value) == 1:
            ((operator, argument),) = value.items()
            if operator == "IN" and isinstance(argument, list) and all(isinstance(w, str) for w in argument):
                conditions.append((attribute, "set", frozenset(strings.add(w) for w in argument)))
            elif operator == "REGEX" and isinstance(argument, str):
                conditions.append((attribute, "regex", re.compile(argument)))
    return tuple(conditions) or None


class WindowMatcher:
    """A spaCy `Matcher` run only where a match can start, for an `EntityRuler`.

    Every pattern token of the entity ruler's matcher is evaluated at every token of the
    document, its word lists and regular expressions in Python: 3 ms per article, more than the
    rest of the rulers together. Its patterns open on a word of a short list ("forces",
    "ministère", a designation like "FAB-250"). `WindowMatcher.wrap(matcher)` groups the
    patterns by what their first token requires of its text, finds the tokens of a document
    that meet each group's requirement (`Doc.to_array`; a regular expression once per distinct
    word, kept) and runs a matcher of that group's patterns on the few tokens a match starting
    there can cover (as many as its longest pattern): the same matches, since a pattern only
    reads the tokens it covers. The entity ruler reads them as a set ordered by length and
    start: only matches of two keys on the same tokens would depend on the matcher's order, and
    then the document is matched whole. `wrap` returns None for a matcher it cannot stand in
    for (open-ended or optional first operators, a pattern that can start anywhere, callbacks,
    filters, extension attributes).
    """

    def __init__(
        self, matcher: Matcher, groups: Sequence[tuple[tuple[tuple[int, str, Any], ...], Matcher, int]]
    ) -> None:
        """`groups`: (first-token conditions, a matcher of the patterns opening so, their
        longest length)."""
        self.matcher = matcher
        self.strings = getattr(matcher, "vocab").strings  # noqa: B009 - not in spaCy's type stubs
        # Each distinct condition is a bit; a token's bits say which conditions it meets.
        bit_of: dict[tuple[int, str, Any], int] = {}
        self.groups: list[tuple[int, Matcher, int]] = []  # (bits required, matcher, longest)
        for conditions, part, longest in groups:
            required = 0
            for attribute, kind, accepted in conditions:
                key = (attribute, kind, accepted.pattern if kind == "regex" else accepted)
                required |= bit_of.setdefault(key, 1 << len(bit_of))
            self.groups.append((required, part, longest))
        if len(bit_of) > 62:
            raise ValueError("too many first-token conditions for a WindowMatcher")
        self.attributes = sorted({attribute for attribute, _, _ in bit_of})
        self._columns: list[int | str] = list(self.attributes)
        # per attribute: the hashes of its word lists, sorted, and each hash's condition bits
        self._words: list[tuple[int, np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
        # per attribute: its regular expressions and their bits
        self._regexes: list[tuple[int, list[tuple[re.Pattern[str], int]]]] = []
        for column, attribute in enumerate(self.attributes):
            words: dict[int, int] = {}
            regexes: list[tuple[re.Pattern[str], int]] = []
            for (condition_attribute, kind, accepted), bit in bit_of.items():
                if condition_attribute != attribute:
                    continue
                if kind == "set":
                    for value in accepted:
                        words[value] = words.get(value, 0) | bit
                else:
                    regexes.append((re.compile(accepted), bit))
            if words:
                ordered = sorted(words)
                self._words.append(
                    (
                        column,
                        np.array(ordered, dtype=np.uint64),
                        np.array([words[v] for v in ordered], dtype=np.int64),
                    )
                )
            if regexes:
                self._regexes.append((column, regexes))
        self._searched: dict[tuple[int, int], int] = {}  # (column, word hash) -> regex bits

    @classmethod
    def wrap(cls, matcher: Matcher) -> WindowMatcher | None:
        patterns_by_key = _plain_patterns(matcher)
        if patterns_by_key is None:
            return None
        vocab = getattr(matcher, "vocab")  # noqa: B009
        grouped: dict[
            tuple[Any, ...], tuple[tuple[tuple[int, str, Any], ...], list[tuple[int, list[Any]]]]
        ] = {}
        for key, key_patterns in patterns_by_key.items():
            for pattern in key_patterns:
                if not isinstance(pattern, list) or not pattern:
                    return None
                if any(
                    not isinstance(spec, dict) or spec.get("OP", "1") not in _BOUNDED_OPS for spec in pattern
                ):
                    return None
                first = _first_conditions(pattern[0], vocab.strings)
                if first is None:
                    return None
                signature = tuple(
                    (a, k, v.pattern if k == "regex" else tuple(sorted(v))) for a, k, v in first
                )
                grouped.setdefault(signature, (first, []))[1].append((key, pattern))
        groups = []
        for first, patterns in grouped.values():
            part = Matcher(vocab)
            for key, pattern in patterns:
                part.add(key, [pattern])
            groups.append((first, part, max(len(pattern) for _, pattern in patterns)))
        return cls(matcher, groups)

    def _bits(self, doc: Doc) -> np.ndarray[Any, Any]:
        """Each token's bits of the first-token conditions it meets."""
        n = len(doc)
        table = doc.to_array(self._columns).reshape(n, len(self.attributes))
        bits = np.zeros(n, dtype=np.int64)
        for column, values, value_bits in self._words:
            cells = table[:, column]
            found = np.searchsorted(values, cells)
            found[found == len(values)] = 0
            bits |= np.where(values[found] == cells, value_bits[found], 0)
        searched, strings = self._searched, self.strings
        for column, regexes in self._regexes:
            unique, inverse = np.unique(table[:, column], return_inverse=True)
            found_bits = []
            for value in unique.tolist():
                hit = searched.get((column, value))
                if hit is None:
                    if len(searched) > _SEARCHED_MAX:  # a worker reads new words forever
                        searched.clear()
                    text = strings[value]
                    hit = searched[(column, value)] = sum(bit for regex, bit in regexes if regex.search(text))
                found_bits.append(hit)
            bits |= np.array(found_bits, dtype=np.int64)[inverse.reshape(-1)]
        return bits

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if not isinstance(doc, Doc) or not len(doc):
            return self.matcher(doc)  # type: ignore[no-any-return]
        n = len(doc)
        bits = self._bits(doc)
        matches: set[tuple[int, int, int]] = set()
        for start in np.flatnonzero(bits).tolist():
            token_bits = int(bits[start])
            for required, part, longest in self.groups:
                if token_bits & required != required:
                    continue
                for key, begin, end in part(doc[start : min(n, start + longest)]):
                    if begin == 0:
                        matches.add((key, start, start + end))
        keys: dict[tuple[int, int], int] = {}
        for key, start, end in matches:
            if keys.setdefault((start, end), key) != key:
                return self.matcher(doc)  # type: ignore[no-any-return]  # see the class docstring
        return sorted(matches, key=lambda m: (m[1], m[2]))
