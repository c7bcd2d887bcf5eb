"""langdetect's detector, the same answers at a fraction of the CPU (`ingest.language`).

langdetect (a port of Cybozu's Java library) spends its time in pure-Python loops: the n-grams
of the text, character by character (each character normalised through a binary search of
the Unicode blocks), then 7 trials of up to 1,000 random n-grams, each multiplying the 55
language probabilities one by one. `FastDetector` keeps the algorithm and its arithmetic and
changes how it is run:

* each character's normalisation is computed once per process (a `str.translate` table), and
  the n-grams of each word once (a word's n-grams depend on its characters alone: langdetect's
  buffer restarts at every space); consecutive spaces are collapsed by a regular expression
  instead of a loop;
* the probabilities are a numpy vector: `prob *= weight + p(word)` element by element is the
  same IEEE operation as langdetect's loop, the sum that normalises them is Python's `sum` of
  the same floats, and the n-grams of a trial are drawn from the same seeded `random.Random`
  in the same order (a trial only stops at a convergence check, every 5 draws).

The probabilities are therefore the same floats as `langdetect.detect_langs` returns (checked
on the gold, sample and bench texts; tests/test_ingest_language.py), about twice as fast.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

_SPACES = re.compile(" +")


class _Normalise(dict[int, str]):
    """`str.translate` table: each character as `NGram.normalize` has it, computed once."""

    def __missing__(self, code: int) -> str:
        found = self[code] = NGram.normalize(chr(code))
        return str(found)


_NORMALISE = _Normalise()
_WORD_CACHE = 20_000  # words; each entry holds references to the profile's own n-gram strings


def _word_ngrams(word: str, space_after: bool, known: dict[str, str]) -> tuple[str, ...]:
    """The n-grams langdetect takes while reading one normalised word: its buffer restarts at a
    space (" " + the word), holds the last 1-3 characters, and a character read after another
    upper-case one (inside a capitalised word) gives none; the space after the word closes it
    ("b ", "ab ")."""
    padded = " " + word + (" " if space_after else "")
    grams: list[str] = []
    for k in range(1, len(padded)):
        if padded[k].isupper() and padded[k - 1].isupper():
            continue
        for n in (1, 2, 3):
            if n > k + 1:
                break
            gram = padded[k - n + 1 : k + 1]
            if gram != " " and (same := known.get(gram)) is not None:
                grams.append(same)
    return tuple(grams)


class _Rows(dict[str, "np.ndarray[Any, Any]"]):
    """An n-gram's language probabilities as a numpy row, made when the n-gram is first drawn
    (the profiles hold 87,600 n-grams; a language's texts use a small part of them)."""

    def __init__(self, source: dict[str, list[float]]) -> None:
        super().__init__()
        self.source = source

    def __missing__(self, word: str) -> np.ndarray[Any, Any]:
        row = self[word] = np.asarray(self.source[word], dtype=np.float64)
        return row


class _Tables:
    """The profiles as the detector reads them: numpy rows, the profile's own n-gram strings,
    and the n-grams of the words already read."""

    def __init__(self, word_lang_prob_map: dict[str, list[float]]) -> None:
        self.source = word_lang_prob_map
        self.rows = _Rows(word_lang_prob_map)
        self.words = {word: word for word in word_lang_prob_map}  # the profile's own strings
        self.word_grams: dict[tuple[str, bool], tuple[str, ...]] = {}  # (word, space after) -> n-grams


_tables: _Tables | None = None


def _tables_of(word_lang_prob_map: dict[str, list[float]]) -> _Tables:
    global _tables
    if _tables is None or _tables.source is not word_lang_prob_map:
        _tables = _Tables(word_lang_prob_map)
    return _tables


class FastDetector(Detector):  # type: ignore[misc]
    """`langdetect.detector.Detector` with the same results, faster (module docstring)."""

    def __init__(self, factory: Any) -> None:
        super().__init__(factory)
        tables = _tables_of(self.word_lang_prob_map)
        self._rows, self._words, self._word_grams = tables.rows, tables.words, tables.word_grams

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        # langdetect appends character by character, skipping a space after a space.
        self.text += _SPACES.sub(" ", text[: self.max_text_length])

    def _extract_ngrams(self) -> list[str]:
        """`Detector._extract_ngrams` (and `NGram.add_char`), word by word (`_word_ngrams`)."""
        known, cache = self._words, self._word_grams
        words = self.text.translate(_NORMALISE).split(" ")
        result: list[str] = []
        last = len(words) - 1
        for number, word in enumerate(words):
            if word:
                key = (word, number < last)
                grams = cache.get(key)
                if grams is None:
                    if len(cache) >= _WORD_CACHE:
                        cache.clear()
                    grams = cache[key] = _word_ngrams(word, number < last, known)
                result.extend(grams)
        return result

    def _detect_block(self) -> None:
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        # The distinct n-grams as rows of one matrix; each draw picks an index into `drawn`
        # (the same random numbers as picking from the n-grams: `choice` draws a position).
        rows = self._rows
        position: dict[str, int] = {}
        drawn = [position.setdefault(gram, len(position)) for gram in ngrams]
        table = np.stack([rows[gram] for gram in position])
        languages = len(self.langlist)
        langprob = np.zeros(languages, dtype=np.float64)
        choice = self.random.choice
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = (
                np.array(self.prior_map, dtype=np.float64)
                if self.prior_map is not None
                else np.full(languages, 1.0 / languages, dtype=np.float64)
            )
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            factors = (alpha / self.BASE_FREQ) + table  # weight + p(word), per distinct n-gram
            i = 0
            while True:
                # Draws i .. next check (i % 5 == 0): the first group is draw 0 alone.
                group = 1 if i == 0 else 5
                for _ in range(group):
                    prob *= factors[choice(drawn)]
                i += group
                # Normalise as langdetect does: Python's `sum` of the floats, then divide.
                prob /= sum(prob.tolist())
                if prob.max() > self.CONV_THRESHOLD or i - 1 >= self.ITERATION_LIMIT:
                    break
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()
