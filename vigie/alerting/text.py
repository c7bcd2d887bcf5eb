"""French-aware text analysis for alert matching: sentences of normalised word stems with offsets.

A word is normalised the same way in a rule's phrase and in an article, so that
"frappe nucléaire", "frappes nucléaires" and "frappe nucleaire" meet on the same stems:

1. spaCy's French tokenizer (rule-based, no model) splits words, punctuation and elided
   clitics ("l'", "qu'", "jusqu'") and keeps abbreviations ("M.") whole; its sentencizer
   splits sentences. Lines are split first: a headline without a final full stop is a
   sentence of its own.
2. Hyphenated words are split into their parts ("cessez-le-feu" -> cessez, le, feu), like the
   Elasticsearch standard tokenizer does, so word distances agree with the Kibana export.
3. Elided clitics are dropped (they are not words for distance counting); ligatures are
   expanded (œ -> oe), accents folded (NFKD without combining marks), case lowered.
4. The Snowball French stemmer (`snowballstemmer`) reduces inflections (frappes -> frapp).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import snowballstemmer

if TYPE_CHECKING:
    from spacy.language import Language

# Clitics that French writes elided before a vowel: "l'", "qu'", "jusqu'"...
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’ʼ]", re.IGNORECASE)
_APOSTROPHES = re.compile(r"['’ʼ]")
_WORD_PART = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")  # letters/digits, inner apostrophes kept
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(word: str) -> str:
    """Lowercase, expand ligatures, strip accents: "Nucléaire" -> "nucleaire"."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_LIGATURES).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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
    nlp.add_pipe("sentencizer")
    nlp.max_length = 50_000_000  # tokenizer + sentencizer only: no parser memory to protect
    return nlp


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


def analyse(text: str) -> tuple[Sentence, ...]:
    """Sentences of `text` with their words; offsets index into `text`."""
    sentences: list[Sentence] = []
    nlp = _nlp()
    # What nlp(line) runs, without its per-call overhead: tokenizer, then the sentencizer.
    tokenizer, sentencizer = nlp.tokenizer, nlp.get_pipe("sentencizer")
    line_start = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            doc = sentencizer(tokenizer(line)) if len(line) <= nlp.max_length else nlp(line)  # nlp() raises
            for sent in doc.sents:
                words: list[Word] = []
                for token in sent:
                    if token.is_punct or token.is_space:
                        continue
                    offset = line_start + token.idx
                    for key, start, end, joined in _token_words(token.text):
                        words.append(Word(key, offset + start, offset + end, joined))
                if words:
                    start = line_start + sent.start_char
                    sentences.append(
                        Sentence(start=start, end=line_start + sent.end_char, words=tuple(words))
                    )
        line_start += len(line)
    return tuple(sentences)


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
