"""Numbers read in an analysed sentence for the `count` of a `sentence` rule condition.

A count is a number right before the noun it counts, in the forms French dispatches use:
"390 drones", "1 200 drones", "deux cents drones", "une centaine de drones", "des centaines de
Shahed", "plus de 300 drones", "entre 250 et 350 drones" (a range counts by its lower bound,
250), "jusqu'à 150 drones" (an upper bound only: `at_most`). A number counting two kinds of
weapons at once ("200 drones et missiles") counts neither: drones are never pooled with
missiles.

The nouns of a weapon class are the names the enricher's knowledge base gives weapons of that
class ("drones", "Shahed", "Geran"...), and the number words, approximate nouns ("centaine")
and qualifiers come from the enricher's quantity lexicon (`enrich/data/quantities.yaml`): one
source for both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vigie.alerting.text import Sentence, phrase_units
from vigie.core.text import fold

# The weapon classes a count of projectiles can be about (an interceptor, an aircraft or a
# tank is what fires or stops them): the enricher's own list.
try:
    from enrich.events.state import PROJECTILE_CLASSES
except ImportError:  # pragma: no cover - the enricher is part of the distribution
    PROJECTILE_CLASSES = frozenset({"drone", "missile", "artillery", "bomb"})

_DIGITS = re.compile(r"^\d+$")
_GROUP = re.compile(r"^\d{3}$")
_THOUSANDS_SEPARATORS = frozenset({" ", "\u00a0", "\u202f", ".", "\u2009"})


@dataclass(frozen=True)
class ReadCount:
    value: int  # the lower bound for a range
    qualifier: str  # exact, at_least, at_most, approx (as the enricher's quantities have it)
    words: tuple[int, ...]  # indexes of the number's and the noun's words in the sentence


@dataclass(frozen=True)
class _NumberLexicon:
    number_words: dict[str, int]
    approximate_nouns: dict[str, int]
    plural_factor: int
    plural_determiners: frozenset[str]
    at_most: tuple[str, ...]
    at_least: tuple[str, ...]
    approx: tuple[str, ...]


@lru_cache(maxsize=1)
def _numbers() -> _NumberLexicon:
    from enrich.quantities import default_lexicon

    lexicon = default_lexicon()
    qualifiers = lexicon.qualifiers
    return _NumberLexicon(
        number_words=dict(lexicon.number_words),
        approximate_nouns=dict(lexicon.approximate_nouns),
        plural_factor=lexicon.indefinite_plural_factor,
        plural_determiners=frozenset(lexicon.indefinite_plural_determiners),
        at_most=tuple(qualifiers.get("at_most", ())),
        at_least=tuple(qualifiers.get("at_least", ())),
        approx=tuple(qualifiers.get("approx", ())),
    )


def _parse_words(text: str) -> int | None:
    from enrich.quantities import parse_number_word

    return parse_number_word(text)


@lru_cache(maxsize=32)
def weapon_nouns(weapon_class: str) -> frozenset[str]:
    """The word keys that name a weapon of `weapon_class` (the first word of each name the
    knowledge base gives one: "drones", "drone kamikaze", "Shahed-136" -> dron, shahed)."""
    from enrich.kb import default_kb

    keys: set[str] = set()
    for entry in default_kb():
        if entry.weapon_class != weapon_class:
            continue
        for name in entry.names:
            units = phrase_units(name)
            if units and units[0]:
                keys.add(units[0][0])
    return frozenset(keys)


@lru_cache(maxsize=1)
def weapon_class_of_key() -> dict[str, frozenset[str]]:
    """Word key -> the projectile classes it names (usually one)."""
    found: dict[str, set[str]] = {}
    for weapon_class in sorted(PROJECTILE_CLASSES):
        for key in weapon_nouns(weapon_class):
            found.setdefault(key, set()).add(weapon_class)
    return {key: frozenset(classes) for key, classes in found.items()}


def classes_named(keys: Sequence[str]) -> set[str]:
    """The projectile classes named by these word keys."""
    table = weapon_class_of_key()
    return {c for key in keys for c in table.get(key, ())}


def _raw(sentence: Sentence, source: str, i: int) -> str:
    word = sentence.words[i]
    return fold(source[word.start : word.end])


def _digits_before(sentence: Sentence, source: str, j: int) -> tuple[int, int] | None:
    """(value, first index) of a number written in digits ending at word j ("1 200")."""
    raw = _raw(sentence, source, j)
    if not _DIGITS.match(raw):
        return None
    text, first = raw, j
    while first > 0 and _GROUP.match(_raw(sentence, source, first)):
        previous = _raw(sentence, source, first - 1)
        gap = source[sentence.words[first - 1].end : sentence.words[first].start]
        if not (
            1 <= len(previous) <= 3 and previous.isdigit() and len(gap) == 1 and gap in _THOUSANDS_SEPARATORS
        ):
            break
        text, first = previous + text, first - 1
    return int(text), first


def _words_before(sentence: Sentence, source: str, j: int) -> tuple[int, int] | None:
    """(value, first index) of a number written in words ending at word j ("deux cents")."""
    numbers = _numbers().number_words
    first = j
    while first >= 0:
        raw = _raw(sentence, source, first)
        if raw in numbers or (raw == "et" and first < j and first > 0):
            first -= 1
            continue
        break
    first += 1
    while first <= j and _raw(sentence, source, first) == "et":
        first += 1
    if first > j:
        return None
    words = [_raw(sentence, source, k) for k in range(first, j + 1)]
    if words == ["un"] or words == ["une"]:
        return 1, first
    value = _parse_words(" ".join(words))
    return (value, first) if value else None


def _plain_before(sentence: Sentence, source: str, j: int) -> tuple[int, int] | None:
    if j < 0:
        return None
    return _digits_before(sentence, source, j) or _words_before(sentence, source, j)


def _number_before(sentence: Sentence, source: str, i: int) -> tuple[int, int, str] | None:
    """(value, first index, qualifier) of the number counting the noun at word i."""
    lexicon = _numbers()
    j = i - 1
    if j >= 0 and sentence.words[j].key == "de":  # "une centaine de drones"
        j -= 1
    if j < 0:
        return None
    raw = _raw(sentence, source, j)
    singular = raw[:-1] if raw.endswith(("s", "x")) else raw
    base = lexicon.approximate_nouns.get(raw) or lexicon.approximate_nouns.get(singular)
    if base is not None:
        before = _plain_before(sentence, source, j - 1)
        if before is not None and before[0] > 1:  # "deux centaines"
            return base * before[0], before[1], "approx"
        determiner = _raw(sentence, source, j - 1) if j > 0 else ""
        if determiner in ("un", "une"):
            return base, j - 1, "approx"
        if determiner in lexicon.plural_determiners or raw != singular:  # "des centaines"
            return (
                base * lexicon.plural_factor,
                j - (1 if determiner in lexicon.plural_determiners else 0),
                "at_least",
            )
        return base, j, "approx"
    if sentence.words[i - 1].key == "de":
        return None  # "la plupart de drones": no number right before the noun
    plain = _plain_before(sentence, source, j)
    if plain is None:
        return None
    value, first = plain
    # A range: "entre 250 et 350 drones", "de 250 à 350 drones", "250 à 350 drones".
    if first >= 2 and _raw(sentence, source, first - 1) in ("et", "a"):
        lower = _plain_before(sentence, source, first - 2)
        if lower is not None and lower[0] <= value:
            opener = _raw(sentence, source, lower[1] - 1) if lower[1] > 0 else ""
            if _raw(sentence, source, first - 1) == "a" or opener == "entre":
                start = lower[1] - (1 if opener in ("entre", "de") else 0)
                return lower[0], start, "at_least"
    return value, first, _qualifier(sentence, source, first)


def _qualifier(sentence: Sentence, source: str, first: int) -> str:
    start = sentence.words[first].start
    before = fold(source[max(sentence.start, start - 24) : start]).replace("’", "'")
    before = " ".join(before.split())
    lexicon = _numbers()
    for kind, phrases in (
        ("at_most", lexicon.at_most),
        ("at_least", lexicon.at_least),
        ("approx", lexicon.approx),
    ):
        for phrase in phrases:
            if before.endswith(phrase) or before.endswith(phrase.rstrip("'") + "'"):
                return kind
    return "exact"


def read_counts(
    sentence: Sentence,
    source: str,
    nouns: frozenset[str],
    others: frozenset[str],
    phrases: Sequence[Sequence[str]] = (),
) -> list[ReadCount]:
    """The counts of `nouns` (word keys: the first word of the thing counted) or of `phrases`
    (word keys of a whole noun phrase: "engins explosifs sans pilote") in the sentence;
    `others`: nouns of other kinds, a number counting both at once ("200 drones et
    missiles") counts neither."""
    found: list[ReadCount] = []
    words = sentence.words
    for i, word in enumerate(words):
        if word.joined:
            continue
        length = max(
            (
                len(phrase)
                for phrase in phrases
                if len(phrase) <= len(words) - i
                and all(words[i + k].key == key for k, key in enumerate(phrase))
            ),
            default=1 if word.key in nouns else 0,
        )
        if not length:
            continue
        # Pooled: "drones et missiles", "drones ou missiles" right after the noun.
        after = [w.key for w in words[i + length : i + length + 3]]
        if (
            len(after) >= 2
            and after[0] in ("et", "ou")
            and (after[1] in others or (after[1] == "de" and len(after) > 2 and after[2] in others))
        ):
            continue
        number = _number_before(sentence, source, i)
        if number is None:
            continue
        value, first, qualifier = number
        found.append(ReadCount(value=value, qualifier=qualifier, words=tuple(range(first, i + length))))
    return found
