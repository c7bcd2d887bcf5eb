"""French-aware text analysis for alert matching: sentences of normalised word stems with offsets.

A word is normalised the same way in a rule's phrase and in an article, so that
"frappe nucléaire", "frappes nucléaires" and "frappe nucleaire" meet on the same stems:

1. spaCy's French tokenizer (rule-based, no model) splits words, punctuation and elided
   clitics ("l'", "qu'", "jusqu'") and keeps abbreviations ("M.") whole; the rule of spaCy's
   sentencizer splits sentences (after a run of . ! ? and the punctuation that follows it).
   Lines are split first: a headline without a final full stop is a sentence of its own.
   An enriched article brings the tokens the enrichment model found (`Article._tokens`, see
   `recorded_tokens`): they are used instead of tokenising the text again. The model's
   tokenizer is this one plus a few hyphenated words kept whole (enrich/data/ruler.yaml
   `keep_whole`: "état-major"), which give the same words and offsets; only `Word.joined`,
   which article matching does not read, tells the two apart.
2. Hyphenated words are split into their parts ("cessez-le-feu" -> cessez, le, feu), like the
   Elasticsearch standard tokenizer does, so word distances agree with the Kibana export.
3. Elided clitics are dropped (they are not words for distance counting); the rest is folded
   by the project's one fold, `vigie.core.text.fold` (accents, case, ligatures: "Œuvres" ->
   "oeuvres").
4. The Snowball French stemmer (`snowballstemmer`) reduces inflections (frappes -> frapp).
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

import snowballstemmer

from vigie.core.models import Article
from vigie.core.text import fold

if TYPE_CHECKING:
    from spacy.language import Language

# Clitics that French writes elided before a vowel: "l'", "qu'", "jusqu'"...
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’ʼ]", re.IGNORECASE)
_APOSTROPHES = re.compile(r"['’ʼ]")
_WORD_PART = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")  # letters/digits, inner apostrophes kept
_WHITESPACE = re.compile(r"\s+")  # str.isspace() characters, what spaCy's tokenizer splits on
# The whitespace runs that are tokens besides a line's first: any but a lone " ".
_SPACE_TOKEN = re.compile(r"\s{2,}|[^\S ]")


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The matching key of one word: elision stripped, folded, stemmed."""
    bare = _APOSTROPHES.sub("", _ELISION.sub("", word))
    folded = fold(bare)
    return str(_stemmer().stemWord(folded)) if folded else ""


@lru_cache(maxsize=1)
def _nlp() -> Language:
    import spacy

    nlp = spacy.blank("fr")
    nlp.max_length = 50_000_000  # tokenizer only: no parser memory to protect
    return nlp


@lru_cache(maxsize=1)
def _sentence_punct() -> frozenset[str]:
    from spacy.pipeline import Sentencizer

    return frozenset(Sentencizer.default_punct_chars)


@lru_cache(maxsize=65536)
def _token_kind(text: str) -> tuple[bool, bool, bool]:
    """(is_punct, is_space, ends a sentence) of a token, as spaCy's lexeme flags and
    sentencizer read it."""
    lexeme = _nlp().vocab[text]
    return lexeme.is_punct, lexeme.is_space, text in _sentence_punct()


class Word(NamedTuple):  # immutable like the sentence; a tuple, as cheap to build as one
    key: str  # stem of the folded word
    start: int  # character offsets in the analysed text
    end: int
    joined: bool = False  # continues the previous word's token: "le" in "cessez-le-feu"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    words: tuple[Word, ...]


@lru_cache(maxsize=65536)
def _token_words(text: str) -> tuple[tuple[str, int, int, bool], ...]:
    """The words of one token as (key, start, end, joined), offsets relative to the token:
    tokens repeat across and within articles, so each distinct one is split once."""
    if _ELISION.fullmatch(text):
        return ()  # a lone clitic ("l'", "qu'"): not a word
    words: list[tuple[str, int, int, bool]] = []
    for index, part in enumerate(_WORD_PART.finditer(text)):
        raw = part.group(0)
        key = stem(raw)
        if not key:
            continue
        # Mark the word without its elided clitic: "l'attaque" -> "attaque".
        clitic = _ELISION.match(raw)
        start = part.start() + (clitic.end() if clitic and len(raw) > clitic.end() else 0)
        words.append((key, start, part.end(), index > 0 and bool(words)))
    return tuple(words)


def recorded_tokens(article: Article, field: str) -> list[int] | None:
    """The tokens the enrichment model found in `article.<field>` ("title" or "text"): the
    (start, end) character offsets of its non-space tokens, flat and in order; None when the
    field was not read by the model, or was changed since (the recorded text differs)."""
    record = article._tokens
    found = record.get(field) if record else None
    if found is None or found[0] != getattr(article, field):
        return None
    return memoryview(found[1]).cast("i").tolist()


def analyse(text: str, tokens: Sequence[int] | None = None) -> tuple[Sentence, ...]:
    """Sentences of `text` with their words; offsets index into `text`. `tokens`: the text's
    non-space tokens as `recorded_tokens` gives them, instead of tokenising it again."""
    sentences: list[Sentence] = []
    line_start = 0
    at = 0  # the next recorded token: its start is tokens[at], its end tokens[at + 1]
    for line in text.splitlines(keepends=True):
        line_end = line_start + len(line)
        if not line.strip():
            line_start = line_end
            continue
        if tokens is None:
            _line_sentences(line, line_start, _tokenise(line), sentences)
        else:
            stop = bisect_left(tokens, line_end, at)  # offsets never decrease
            stop += stop % 2  # a token ending the text's last line ends at line_end
            bounds = list(zip(tokens[at:stop:2], tokens[at + 1 : stop : 2], strict=True))
            at = stop
            _add_space_tokens(text, line_start, line_end, bounds)
            _line_sentences(text, 0, bounds, sentences)
        line_start = line_end
    return tuple(sentences)


def _tokenise(line: str) -> list[tuple[int, int]]:
    """(start, end) of every token of `line`, whitespace tokens included."""
    from spacy.attrs import IDX, LENGTH

    nlp = _nlp()
    doc = nlp.tokenizer(line) if len(line) <= nlp.max_length else nlp(line)  # nlp() raises
    return [(start, start + length) for start, length in doc.to_array([IDX, LENGTH]).tolist()]


def _add_space_tokens(text: str, start: int, end: int, bounds: list[tuple[int, int]]) -> None:
    """Insert into `bounds` (sorted) the whitespace tokens spaCy's tokenizer makes of the line
    text[start:end] alone: a whitespace run opening the line is a token; any other run is a
    token less its first character when that is a space (the space ending the word before)."""
    if text[start].isspace():
        run = _WHITESPACE.match(text, start, end)
        assert run is not None
        insort(bounds, run.span())
        start = run.end()
    for run in _SPACE_TOKEN.finditer(text, start, end):
        run_start, run_end = run.span()
        insort(bounds, (run_start + 1 if text[run_start] == " " else run_start, run_end))


def _line_sentences(source: str, offset: int, bounds: list[tuple[int, int]], out: list[Sentence]) -> None:
    """Append the sentences of one line, whose tokens are source[start:end] for `bounds` (the
    text's offsets are `offset` more): a sentence ends after a run of sentence punctuation
    and the punctuation that follows it, as spaCy's sentencizer has it."""
    texts = [source[start:end] for start, end in bounds]
    kinds = [_token_kind(token) for token in texts]
    starts = [0]
    seen_period = False
    for i, (is_punct, _, ends_sentence) in enumerate(kinds):
        if seen_period and not is_punct and not ends_sentence:
            starts.append(i)
            seen_period = False
        elif ends_sentence:
            seen_period = True
    starts.append(len(bounds))
    for first, stop in pairwise(starts):
        words: list[Word] = []
        for i in range(first, stop):
            is_punct, is_space, _ = kinds[i]
            if is_punct or is_space:
                continue
            at = offset + bounds[i][0]
            for key, start, end, joined in _token_words(texts[i]):
                words.append(Word(key, at + start, at + end, joined))
        if words:
            start, end = offset + bounds[first][0], offset + bounds[stop - 1][1]
            out.append(Sentence(start=start, end=end, words=tuple(words)))


def phrase_units(phrase: str) -> tuple[tuple[str, ...], ...]:
    """The word keys of a rule phrase, analysed exactly like article text, grouped in units:
    the parts of one hyphenated word ("cessez-le-feu") form one unit that must appear as
    consecutive words; units are what `in_order: false` may reorder."""
    units: list[list[str]] = []
    for sentence in analyse(phrase):
        for word in sentence.words:
            if word.joined and units:
                units[-1].append(word.key)
            else:
                units.append([word.key])
    return tuple(tuple(unit) for unit in units)


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The word keys of a rule phrase, flat."""
    return tuple(key for unit in phrase_units(phrase) for key in unit)
