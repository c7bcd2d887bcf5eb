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
        patterns_by_key = getattr(matcher, "_patterns", None)
        if not isinstance(patterns_by_key, dict) or not patterns_by_key:
            return None
        if any(getattr(matcher, "_filter", {}).values()) or any(getattr(matcher, "_callbacks", {}).values()):
            return None
        if getattr(matcher, "_extensions", None):
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
