"""Counts read from a sentence and the event slot each one fills, bound through the parse.

The head noun decides the class of a number: "plus de 390 drones" -> launched 390 at_least
(intercepted when the verb governing them is "abattre", "intercepter"...); "La Russie a abattu
337 drones, dont 91 ..." -> intercepted 337 (91 is a subset); "34 drones ... tandis que 36
autres ont été abattus" -> intercepted 70 (disjoint counts add up); "deux morts et des dizaines
de blessés" -> killed 2, injured 20 at_least; "tuant un homme et blessant cinq personnes" ->
killed 1, injured 5; "blessures à une résidente" -> injured 1; "l'incendie de deux maisons" ->
destroyed 2.

Never counts: measures, prices, ages, dates, storeys ("un immeuble de 9 étages"), labels ("la
résolution 2334"), phone numbers, populations and group sizes ("une ville de 100 000
habitants": a number complementing another noun), the side that kills ("Les 4 000 hommes de la
brigade ont tué ..."), negated counts ("Aucun des 21 membres d'équipage n'a été tué") and
cumulative tolls ("depuis le début de la guerre", "en 2024", "en trois nuits"), scoped to their
clause. A toll stated as a revision ("le bilan s'est alourdi à 9 morts") is marked `revised`;
people counted are marked civilians or combatants when the noun says so.

The words live in `enrich/data/quantities.yaml`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from spacy.tokens import Doc, Span, Token

from enrich.kb import DATA_DIR, load_yaml
from enrich.text import fold
from enrich.tokens import (
    ancestors_of,
    children,
    clause_of,
    feature_of,
    folded_text,
    folded_words,
    has_verb_form,
    is_passive,
    is_verb,
    lemma_of,
    lemmas_of,
    nearest_head,
    span_text,
    span_tokens,
    subtree_of,
    tokens_of,
    verb_form_in,
)
from vigie.core.models import CasualtyGroup, Qualifier, Quantity

QUANTITIES_PATH = DATA_DIR / "quantities.yaml"
QUANTITIES_SCHEMA_PATH = DATA_DIR / "quantities.schema.json"
Slot = Literal["launched", "intercepted", "destroyed", "killed", "injured"]
Relation = Literal["normal", "subset", "disjoint"]
SLOTS: tuple[Slot, ...] = ("launched", "intercepted", "destroyed", "killed", "injured")
TOLL_SLOTS: tuple[Slot, ...] = ("killed", "injured")  # people; the others count projectiles or targets
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_THOUSANDS_GROUP = re.compile(r"^\d{3}$")
_PHONE_GROUP = re.compile(r"^\d{2}$")
_QUALIFIER_ORDER: dict[Qualifier, int] = {"exact": 0, "approx": 1, "at_most": 2, "at_least": 3}
_CLAUSE_WORDS = frozenset({"et", "mais", "ou", "dont"})  # with punctuation, the end of a subject's clause
_PLACE_ENTITIES = frozenset({"LOC", "GPE", "FAC"})
_ARGUMENTS = frozenset({"nsubj", "nsubj:pass", "obj", "conj"})
_OF = frozenset({"de", "d'", "des", "du", "d'environ"})
_LINK_PREPOSITIONS = _OF | {"a", "aux", "au"}
_DEFINITE = frozenset({"les", "ces", "ses", "leurs", "nos", "vos", "mes"})
_AGENT = "agent"  # the reading of a count naming who kills, not who died


@dataclass(frozen=True)
class QuantityLexicon:
    number_words: dict[str, int]
    multipliers: dict[str, int]
    approximate_nouns: dict[str, int]
    indefinite_plural_factor: int
    indefinite_plural_determiners: frozenset[str]
    qualifiers: dict[Qualifier, tuple[str, ...]]
    measure_words: frozenset[str]
    disjoint_markers: frozenset[str]
    background_markers: tuple[str, ...]
    subset_markers: tuple[str, ...]
    killed_nouns: frozenset[str]
    injured_nouns: frozenset[str]
    people_nouns: frozenset[str]
    target_nouns: frozenset[str]
    killed_verbs: frozenset[str]
    injured_verbs: frozenset[str]
    destroyed_verbs: frozenset[str]
    intercepted_verbs: frozenset[str]
    launched_verbs: frozenset[str]
    casualty_link_nouns: dict[str, Slot]
    damage_link_nouns: frozenset[str]
    report_nouns: frozenset[str]
    ranges: tuple[tuple[str, str], ...] = ()
    qualifier_words: frozenset[str] = frozenset()
    label_nouns: frozenset[str] = frozenset()
    background_patterns: tuple[re.Pattern[str], ...] = ()
    spatial_nouns: frozenset[str] = frozenset()
    recent_moments: frozenset[str] = frozenset()
    negation_words: frozenset[str] = frozenset()
    toll_nouns: frozenset[str] = frozenset()
    revision_verbs: frozenset[str] = frozenset()
    change_verbs: frozenset[str] = frozenset()
    addition_markers: tuple[str, ...] = ()
    suffer_verbs: frozenset[str] = frozenset()
    body_nouns: frozenset[str] = frozenset()
    handover_verbs: frozenset[str] = frozenset()
    hit_verbs: frozenset[str] = frozenset()
    casualty_words: frozenset[str] = frozenset()  # killed, injured and hit verbs: one look-up
    fatal_adverbs: frozenset[str] = frozenset()
    wound_adverbs: frozenset[str] = frozenset()
    death_toll_nouns: frozenset[str] = frozenset()
    revision_markers: tuple[str, ...] = ()
    projectile_nouns: dict[str, str] = field(default_factory=dict)
    civilian_nouns: frozenset[str] = frozenset()
    combatant_nouns: frozenset[str] = frozenset()
    victim_nouns: frozenset[str] = frozenset()
    destroyed_states: frozenset[str] = frozenset()
    killed_verb_objects: dict[str, str] = field(default_factory=dict)
    agent_verbs: frozenset[str] = frozenset()
    cumulative_subjects: frozenset[str] = frozenset()
    pronominal_senses: dict[str, Slot] = field(default_factory=dict)
    span_days: frozenset[str] = frozenset()
    past_episode_prepositions: frozenset[str] = frozenset()
    past_episode_nouns: frozenset[str] = frozenset()
    damage_verbs: frozenset[str] = frozenset()
    state_verbs: frozenset[str] = frozenset()
    damage_idioms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patient_verbs: frozenset[str] = frozenset()
    aircraft_nouns: frozenset[str] = frozenset()
    downing_verbs: frozenset[str] = frozenset()
    craft_nouns: frozenset[str] = frozenset()
    craft_verbs: frozenset[str] = frozenset()
    ordinal_words: frozenset[str] = frozenset()
    ordinal_ranks: dict[str, int] = field(default_factory=dict)
    unmanned_markers: tuple[str, ...] = ()
    loss_verbs: frozenset[str] = frozenset()
    territory_nouns: frozenset[str] = frozenset()
    fate_verbs: frozenset[str] = frozenset()
    fate_subtypes: frozenset[str] = frozenset()
    animal_nouns: frozenset[str] = frozenset()
    toll_pronouns: frozenset[str] = frozenset()
    single_determiners: frozenset[str] = frozenset()
    perpetrator_nouns: frozenset[str] = frozenset()
    source_prepositions: tuple[str, ...] = ()
    # the nouns of a toll itself ("morts", "victimes", "blessés"): they name no group of people
    toll_words: frozenset[str] = frozenset()


@lru_cache(maxsize=2)
def default_lexicon() -> QuantityLexicon:
    data = load_yaml(QUANTITIES_PATH, QUANTITIES_SCHEMA_PATH)
    qualifiers: dict[Qualifier, tuple[str, ...]] = {
        kind: tuple(sorted((fold(p) for p in phrases), key=len, reverse=True))
        for kind, phrases in data["qualifiers"].items()
    }
    return QuantityLexicon(
        number_words={fold(k): v for k, v in data["number_words"].items()},
        multipliers={fold(k): v for k, v in data["multipliers"].items()},
        approximate_nouns={fold(k): v for k, v in data["approximate_nouns"].items()},
        indefinite_plural_factor=int(data["indefinite_plural_factor"]),
        indefinite_plural_determiners=folded_words(data["indefinite_plural_determiners"]),
        qualifiers=qualifiers,
        measure_words=folded_words(data["measure_words"]),
        disjoint_markers=folded_words(data["disjoint_markers"]),
        background_markers=tuple(fold(m) for m in data.get("background_markers", [])),
        subset_markers=tuple(fold(m) for m in data["subset_markers"]),
        killed_nouns=folded_words(data["killed_nouns"]),
        injured_nouns=folded_words(data["injured_nouns"]),
        people_nouns=folded_words(data["people_nouns"]),
        target_nouns=folded_words(data["target_nouns"]),
        killed_verbs=folded_words(data["killed_verbs"]),
        injured_verbs=folded_words(data["injured_verbs"]),
        destroyed_verbs=folded_words(data["destroyed_verbs"]),
        intercepted_verbs=folded_words(data["intercepted_verbs"]),
        launched_verbs=folded_words(data["launched_verbs"]),
        casualty_link_nouns={fold(k): v for k, v in data["casualty_link_nouns"].items()},
        damage_link_nouns=folded_words(data["damage_link_nouns"]),
        report_nouns=folded_words(data.get("report_nouns", [])),
        ranges=tuple((fold(a), fold(b)) for a, b in data["ranges"]),
        qualifier_words=folded_words(data["qualifier_words"]),
        label_nouns=folded_words(data["label_nouns"]),
        background_patterns=tuple(re.compile(p) for p in data["background_patterns"]),
        spatial_nouns=folded_words(data["spatial_nouns"]),
        recent_moments=folded_words(data["recent_moments"]),
        negation_words=folded_words(data["negation_words"]),
        toll_nouns=folded_words(data["toll_nouns"]),
        revision_verbs=folded_words(data["revision_verbs"]),
        change_verbs=folded_words(data.get("change_verbs", [])),
        addition_markers=tuple(fold(m) for m in data.get("addition_markers", [])),
        suffer_verbs=folded_words(data.get("suffer_verbs", [])),
        body_nouns=folded_words(data.get("body_nouns", [])),
        handover_verbs=folded_words(data.get("handover_verbs", [])),
        hit_verbs=folded_words(data.get("hit_verbs", [])),
        casualty_words=folded_words(
            [*data["killed_verbs"], *data["injured_verbs"], *data.get("hit_verbs", [])]
        ),
        fatal_adverbs=folded_words(data.get("fatal_adverbs", [])),
        wound_adverbs=folded_words(data.get("wound_adverbs", [])),
        death_toll_nouns=folded_words(data.get("death_toll_nouns", [])),
        revision_markers=tuple(fold(m) for m in data["revision_markers"]),
        projectile_nouns={fold(k): v for k, v in data["projectile_nouns"].items()},
        civilian_nouns=folded_words(data["civilian_nouns"]),
        combatant_nouns=folded_words(data["combatant_nouns"]),
        victim_nouns=folded_words(data["victim_nouns"]),
        destroyed_states=folded_words(data["destroyed_states"]),
        killed_verb_objects={fold(k): fold(v) for k, v in data["killed_verb_objects"].items()},
        agent_verbs=folded_words(data["agent_verbs"]),
        cumulative_subjects=folded_words(data["cumulative_subjects"]),
        pronominal_senses={fold(k): v for k, v in data.get("pronominal_senses", {}).items()},
        span_days=folded_words(data.get("span_days", [])),
        past_episode_prepositions=folded_words(data.get("past_episode_prepositions", [])),
        past_episode_nouns=folded_words(data.get("past_episode_nouns", [])),
        damage_verbs=folded_words(data.get("damage_verbs", [])),
        state_verbs=folded_words(data.get("state_verbs", [])),
        damage_idioms={fold(k): tuple(fold(w) for w in v) for k, v in data.get("damage_idioms", {}).items()},
        patient_verbs=folded_words(data.get("patient_verbs", [])),
        aircraft_nouns=folded_words(data.get("aircraft_nouns", [])),
        downing_verbs=folded_words(data.get("downing_verbs", [])),
        craft_nouns=folded_words(data.get("craft_nouns", [])),
        craft_verbs=folded_words(data.get("craft_verbs", [])),
        ordinal_words=folded_words(data.get("ordinal_words", [])),
        ordinal_ranks={fold(k): int(v) for k, v in data.get("ordinal_ranks", {}).items()},
        unmanned_markers=tuple(fold(m) for m in data.get("unmanned_markers", [])),
        loss_verbs=folded_words(data.get("loss_verbs", [])),
        territory_nouns=folded_words(data.get("territory_nouns", [])),
        fate_verbs=folded_words(data.get("fate_verbs", [])),
        fate_subtypes=frozenset(data.get("fate_subtypes", [])),
        animal_nouns=folded_words(data.get("animal_nouns", [])),
        toll_pronouns=folded_words(data.get("toll_pronouns", [])),
        single_determiners=folded_words(data.get("single_determiners", [])),
        perpetrator_nouns=folded_words(data.get("perpetrator_nouns", [])),
        source_prepositions=tuple(fold(p) for p in data.get("source_prepositions", [])),
        toll_words=folded_words([*data["killed_nouns"], *data["victim_nouns"], *data["injured_nouns"]]),
    )


def parse_number_word(word: str, lexicon: QuantityLexicon | None = None) -> int | None:
    """ "390" -> 390, "1 600" -> 1600, "deux" -> 2, "vingt-deux" -> 22, "deux-cents" -> 200,
    "vingt et un" -> 21."""
    lexicon = lexicon or default_lexicon()
    text = fold(word)
    compact = text.replace(" ", "")
    if compact.isdigit():
        return int(compact)
    if _DOTTED_THOUSANDS.match(compact):
        return int(compact.replace(".", ""))
    if _DIGITS.match(compact):
        return int(float(compact.replace(",", ".")))
    total, current = 0, 0
    previous = ""
    for part in re.split(r"[\s-]+|\bet\b", text):
        if not part:
            continue
        if part in ("vingt", "vingts") and previous == "quatre":
            current += 80 - 4  # "quatre-vingt(s)": four twenties
        elif part in ("cent", "cents", "mille"):
            current = max(current, 1) * lexicon.number_words[part]
            if part == "mille":
                total, current = total + current, 0
        elif part in lexicon.number_words:
            current += lexicon.number_words[part]
        else:
            return None
        previous = part
    value = total + current
    return value or None


@dataclass(frozen=True)
class Count:
    """One count in a sentence: its value, the slot it fills, how it relates to its neighbours."""

    slot: Slot
    quantity: Quantity
    relation: Relation
    noun: str  # folded lemma of the counted noun ("drone", "mort"), for summing rules
    start: int  # token index of the first token of the expression
    end: int
    weapon_class: str | None = None  # for launched/intercepted: the class of the projectile
    revised: bool = False  # stated as a revised toll ("le bilan s'est alourdi à 9 morts")
    group: CasualtyGroup | None = None  # who the people counted were, when the noun says so
    fired: bool = False  # projectiles a verb of launching says were fired ("ont été lancés")


# ----------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class _Number:
    value: int
    qualifier: Qualifier | None  # decided by the number's own form (approximate nouns, ranges)
    start: int
    end: int
    change: bool = False  # the second figure of a change ("est passé de 12 à 19"): a revision


_PROJECTILE_SLOTS = ("launched", "intercepted")
_CLOSING_QUOTES = frozenset({"»", '"', "”", "’"})
_OPENING_QUOTES = frozenset({"«", '"', "“"})
_POSSESSIVE_OR_DEFINITE = frozenset({"le", "la", "l'", "son", "sa", "leur"})
_PARTITIVE_PRONOUNS = frozenset({"eux", "elles"})


def _is_number_word(folded: str, lexicon: QuantityLexicon) -> bool:
    """A number word, compound ones included ("vingt-six", folded "vingt six")."""
    if folded in lexicon.number_words:
        return True
    parts = _word_parts(folded)
    return len(parts) > 1 and all(p in lexicon.number_words or p == "et" for p in parts)


@lru_cache(maxsize=1 << 14)
def _word_parts(folded: str) -> tuple[str, ...]:
    """The words of a folded form split on spaces and hyphens (asked for every token of every
    sentence: the same words come back)."""
    return tuple(p for p in re.split(r"[\s-]+", folded) if p)


def _approximate_base(folded: str, lexicon: QuantityLexicon) -> int | None:
    if folded in lexicon.approximate_nouns:
        return lexicon.approximate_nouns[folded]
    if folded.endswith("s") and folded[:-1] in lexicon.approximate_nouns:
        return lexicon.approximate_nouns[folded[:-1]]
    return None


def _is_numberish(token: Token, lexicon: QuantityLexicon) -> bool:
    folded = folded_text(token)
    return (
        token.like_num
        or _is_number_word(folded, lexicon)
        or _approximate_base(folded, lexicon) is not None
        or folded in lexicon.multipliers
    )


def _read_plain(doc_span: Span, i: int, lexicon: QuantityLexicon) -> _Number | None:
    """A number written in digits ("390", "1 600", "1,4 million") or words ("vingt et un")."""
    doc = doc_span.doc
    tokens = tokens_of(doc)
    token = tokens[i]
    folded = folded_text(token)
    value: float | None = None
    end = i + 1
    if token.like_num and _DIGITS.match(token.text) and not token.text.startswith("0"):
        if "," in token.text or "." in token.text:
            value = float(token.text.replace(",", "."))
        else:
            value = int(token.text)
            while (
                end < doc_span.end
                and _THOUSANDS_GROUP.match(tokens[end].text)
                and tokens[end - 1].whitespace_
            ):
                value = value * 1000 + int(tokens[end].text)
                end += 1
    elif _DOTTED_THOUSANDS.match(token.text):
        value = int(token.text.replace(".", ""))
    elif _is_number_word(folded, lexicon):
        words = [folded]
        while end < doc_span.end:
            following = fold(tokens[end].text)
            if _is_number_word(following, lexicon) and following not in ("un", "une"):
                words.append(following)
                end += 1
            elif (
                following == "et"
                and end + 1 < doc_span.end
                and fold(tokens[end + 1].text) in ("un", "une", "onze")
                and words[-1] in ("vingt", "trente", "quarante", "cinquante", "soixante")
            ):
                words += ["et", fold(tokens[end + 1].text)]
                end += 2
            else:
                break
        value = parse_number_word(" ".join(words), lexicon)
    if value is None:
        return None
    if end < doc_span.end and fold(tokens[end].text) in lexicon.multipliers and value < 1000:
        value *= lexicon.multipliers[fold(tokens[end].text)]
        end += 1
    return _Number(int(value), None, i, end) if value >= 1 else None


def _read_number(sentence: Span, i: int, lexicon: QuantityLexicon) -> _Number | None:
    """The number starting at token i, with its range or approximation: "entre 250 et 350"
    -> 250 at_least, "une trentaine" -> 30 approx, "des dizaines (de milliers)" -> 20 (000)
    at_least."""
    doc = sentence.doc
    tokens = tokens_of(doc)
    folded = fold(tokens[i].text)
    base = _approximate_base(folded, lexicon)
    if base is not None:
        determiner = fold(tokens[i - 1].text) if i > sentence.start else ""
        end = i + 1
        # "des dizaines de milliers": the second approximate noun multiplies the first.
        if (
            end + 1 < sentence.end
            and fold(tokens[end].text) in ("de", "d'")
            and (_approximate_base(fold(tokens[end + 1].text), lexicon) or 0) >= 1000
        ):
            base *= _approximate_base(fold(tokens[end + 1].text), lexicon) or 1
            end += 2
        if determiner in lexicon.indefinite_plural_determiners and folded.endswith("s"):
            return _Number(base * lexicon.indefinite_plural_factor, "at_least", i - 1, end)
        start = i - 1 if determiner in ("une", "un") else i
        # "plus d'une centaine": the stated bound wins over the approximation.
        stated = _qualifier(list(doc[max(sentence.start, start - 4) : start]), lexicon)
        return _Number(base, "approx" if stated == "exact" else stated, start, end)
    number = _read_plain(sentence, i, lexicon)
    if number is None:
        return None
    # A range: its lower bound, at least ("entre 250 et 350 drones", "de 20 à 30 morts").
    before = fold(tokens[i - 1].text) if i > sentence.start else ""
    if before in ("de", "d'") and _changed_by(sentence, i - 1, lexicon):
        # "le bilan est passé de 12 à 19 morts", "a été revu de huit à onze", "est passé de neuf,
        # mercredi soir, à quatorze", "de 9 morts à 14": a change between two figures; the
        # second is the figure now, the first no count of its own
        second = _second_figure(sentence, number, lexicon)
        if second is not None:
            return _Number(second.value, None, i - 1, second.end, change=True)
    for opening, joint in lexicon.ranges:
        if before != opening or number.end + 1 >= sentence.end or fold(tokens[number.end].text) != joint:
            continue
        upper = _read_plain(sentence, number.end + 1, lexicon)
        if upper is not None and upper.value > number.value:
            return _Number(number.value, "at_least", i - 1, upper.end)
    return number


_CHANGE_BREAKS = frozenset({"et", "mais", "ou", "dont", ";", ".", ":", "(", ")"})


def _second_figure(sentence: Span, first: _Number, lexicon: QuantityLexicon) -> _Number | None:
    """The figure after "à" that a change from `first` reaches, within a few words ("de 12 à
    19", "de neuf, mercredi soir, à quatorze", "de 9 morts à 14"), before a clause break."""
    tokens = tokens_of(sentence.doc)
    for k in range(first.end, min(sentence.end - 1, first.end + 7)):
        folded = folded_text(tokens[k])
        if folded in _CHANGE_BREAKS or tokens[k].pos_ in ("VERB", "AUX"):
            return None
        if folded == "a" and tokens[k].pos_ == "ADP":
            second = _read_plain(sentence, k + 1, lexicon)
            return second if second is not None and second.value != first.value else None
    return None


def _changed_by(sentence: Span, opening: int, lexicon: QuantityLexicon) -> bool:
    """The "de" opening a pair of figures follows a verb of change ("est passé de", "a été revu
    de", "grimpant de", "a ensuite été porté de"), past adverbs: the pair is a revision."""
    doc = sentence.doc
    j = opening - 1
    while j >= sentence.start and doc[j].pos_ == "ADV":
        j -= 1
    return j >= sentence.start and has_verb_form(doc[j], lexicon.change_verbs)


def _labels_the_noun_before(number: Token, lexicon: QuantityLexicon) -> bool:
    """A number right after a common noun it hangs on names that noun, it counts nothing ("amarré
    à la jetée 3", "la tranche 2 de la centrale")."""
    doc = number.doc
    if number.i < 2 or not number.text.isdigit():
        return False
    if number.i + 1 < len(doc) and doc[number.i + 1].pos_ in ("NOUN", "PROPN", "ADJ"):
        return False  # "dans la nuit 27 missiles": the number counts the noun after it
    noun = doc[number.i - 1]
    if _is_numberish(noun, lexicon) or folded_text(noun) in lexicon.qualifier_words:
        return False
    if noun.pos_ == "NOUN" and number.head.i == noun.i:
        return True
    # the noun mistagged ("la jetée 3", "jetée" read as a participle): a determiner before it
    return noun.pos_ in ("NOUN", "VERB", "ADJ") and doc[number.i - 2].pos_ == "DET"


def _is_phone_or_code(sentence: Span, i: int) -> bool:
    """Two-digit groups in a row ("45 22 18 90") are a phone number, not counts."""
    doc = sentence.doc
    tokens = tokens_of(doc)
    if not _PHONE_GROUP.match(tokens[i].text):
        return False
    left = i
    while left - 1 >= sentence.start and _PHONE_GROUP.match(tokens[left - 1].text):
        left -= 1
    right = i
    while right + 1 < sentence.end and _PHONE_GROUP.match(tokens[right + 1].text):
        right += 1
    return right - left >= 2


# ----------------------------------------------------------------------------- sentence-wide readings


def _folded_tokens(sentence: Span) -> tuple[str, list[int]]:
    """The folded sentence and the offset of each token in it."""
    parts: list[str] = []
    offsets: list[int] = []
    position = 0
    for token in span_tokens(sentence):
        offsets.append(position)
        piece = folded_text(token) + (" " if token.whitespace_ else "")
        parts.append(piece)
        position += len(piece)
    return "".join(parts), offsets


def _token_at(sentence: Span, offsets: list[int], position: int) -> Token:
    index = max(0, bisect.bisect_right(offsets, position) - 1)
    return sentence[index]


def _depuis_is_background(token: Token, lexicon: QuantityLexicon) -> bool:
    """ "depuis X" opens a cumulative span unless X is a place ("tirés depuis la Crimée", "depuis
    le territoire russe") or the moment of the incident ("depuis mardi")."""
    object_ = token.head if token.head.i != token.i else None
    if object_ is None or object_.i < token.i:
        following = [t for t in token.doc[token.i + 1 : token.i + 4] if t.pos_ not in ("DET", "ADP")]
        object_ = following[0] if following else None
    if object_ is None:
        return False
    forms = lemmas_of(object_)
    if forms & lexicon.span_days:
        # "ont été tués depuis lundi": days of strikes; "sans électricité depuis lundi": no toll
        return object_.head.i != object_.i and is_verb(object_.head)
    if forms & lexicon.recent_moments or forms & lexicon.spatial_nouns:
        return False
    if object_.like_num or forms & lexicon.measure_words:  # "depuis 2014", "depuis le 7 octobre"
        return True
    return not (object_.pos_ == "PROPN" or object_.ent_type_ in _PLACE_ENTITIES)


def _past_episode(token: Token, lexicon: QuantityLexicon) -> Token | None:
    """ "pendant la répression de ce soulèvement", "lors de la révolution", dating a clause in
    the pluperfect or imperfect ("avaient été tuées", "avaient péri"): the episode's noun, when
    it (or its complement) is a past episode's; a past episode told as background."""
    noun = next((t for t in token.doc[token.i + 1 : token.i + 5] if t.pos_ in ("NOUN", "PROPN")), None)
    if noun is None:
        return None
    nouns = [noun, *(c for c in children(noun) if c.dep_ == "nmod")]
    if not any(lemmas_of(n) & lexicon.past_episode_nouns for n in nouns):
        return None
    clause = clause_of(noun)
    if not any(
        c.dep_.startswith("aux") and "Imp" in feature_of(c, "Tense") for c in children(clause)
    ) and "Imp" not in feature_of(clause, "Tense"):
        return None
    return noun


def background_clauses(sentence: Span, lexicon: QuantityLexicon | None = None) -> list[Token]:
    """The clauses (their verbs) stating a cumulative or background toll: "depuis le début de
    la guerre", "depuis le coup d'Etat", "en 2024", "entre avril et septembre", "en trois nuits"."""
    lexicon = lexicon or default_lexicon()
    whole = _with_fronted_fragments(sentence)
    folded, offsets = _folded_tokens(whole)
    anchors: list[Token] = []
    for marker in lexicon.background_markers:
        start = folded.find(marker)
        while start >= 0:
            anchors.append(_token_at(whole, offsets, start))
            start = folded.find(marker, start + 1)
    for pattern in lexicon.background_patterns:
        # a pattern may name the word it hangs on ("Fin (?P<at>2023)": the year, which the
        # parser attaches to the verb it dates)
        at = "at" if "at" in pattern.groupindex else 0
        anchors += [_token_at(whole, offsets, m.start(at)) for m in pattern.finditer(folded)]
    for t in span_tokens(sentence):
        word = folded_text(t)
        if word == "depuis":
            if _depuis_is_background(t, lexicon):
                anchors.append(t)
        elif word in lexicon.past_episode_prepositions:
            episode = _past_episode(t, lexicon)
            if episode is not None:
                anchors.append(episode)
    clauses = []
    for anchor in anchors:
        if anchor.i < sentence.start:
            # in a fragment the parser split off before the sentence: it dates the sentence
            root = next((t for t in span_tokens(sentence) if t.dep_ == "ROOT" and is_verb(t)), None)
            if root is not None:
                clauses.append(root)
        elif not _describes_a_place(anchor, lexicon) and not _describes_a_thing(anchor, lexicon):
            clause = _fronted(clause_of(anchor), sentence)
            clauses.append(clause)
            coordinated = _verb_of_a_coordinated_noun(clause, sentence)
            if coordinated is not None:
                clauses.append(coordinated)
    return clauses


def _verb_of_a_coordinated_noun(clause: Token, sentence: Span) -> Token | None:
    """A bare participle coordinated as a noun with a toll ("ont fait 300 morts et 20 000
    déplacés depuis mars 2022", parsed with "déplacés" a clause of its own): the verb of the
    toll before it, which the background phrase dates too."""
    if clause.dep_ != "conj" or "Part" not in feature_of(clause, "VerbForm"):
        return None
    if any(c.dep_.startswith(("aux", "nsubj")) for c in children(clause)):
        return None
    verbs = [t for t in sentence[: clause.i - sentence.start] if is_verb(t)]
    return verbs[-1] if verbs else None


def _with_fronted_fragments(sentence: Span) -> Span:
    """The sentence with the time phrase the parser split off before it as sentences of their
    own ("Fin", "2022", ", des frappes avaient tué ..."): while the sentence opens on a comma,
    the verbless fragments just before it, on the same line."""
    doc = sentence.doc
    start = sentence.start
    if not len(sentence) or sentence[0].text != ",":
        return sentence
    while start > 0:
        before = doc[start - 1].sent
        if any(is_verb(t) for t in before) or any(
            "\n" in t.text or t.text in (".", "!", "?", ";", ":") for t in before
        ):
            break
        start = before.start
    return doc[start : sentence.end] if start < sentence.start else sentence


def _fronted(clause: Token, sentence: Span) -> Token:
    """A time phrase parsed as a fragment of its own before the clause it dates ("Fin 2023, des
    attaques avaient fait ..."): the clause that follows it."""
    if is_verb(clause) or clause.dep_ != "ROOT":
        return clause
    return next(
        (t for t in sentence[clause.i - sentence.start + 1 :] if t.dep_ == "ROOT" and is_verb(t)), clause
    )


def _describes_a_place(anchor: Token, lexicon: QuantityLexicon) -> bool:
    """A background phrase inside a description of a place set off by a comma ("à Taïz, ville
    coupée en deux par la ligne de front depuis près de dix ans, un enfant a été tué"): it dates
    the place, not the count."""
    for node in (anchor, *ancestors_of(anchor)):
        if is_verb(node) and node.dep_ not in ("acl", "amod"):
            return False
        if lemmas_of(node) & lexicon.spatial_nouns and _after_a_place_and_comma(node):
            return True
    return False


def _describes_a_thing(anchor: Token, lexicon: QuantityLexicon) -> bool:
    """A background phrase in an adjective describing a noun that counts nothing ("une école,
    fermée depuis 2022, a été endommagée"; "dont une école fermée depuis 2022", parsed with the
    year on the noun after its adjective): it dates that noun's state, not the sentence's
    verb. A counted noun ("300 personnes tuées depuis 2022") or a toll noun ("le bilan depuis
    2022") keeps it."""
    phrase = anchor.head if anchor.pos_ == "ADP" and anchor.head.i != anchor.i else anchor
    adjective = anchor.doc[anchor.i - 1] if anchor.i > 0 else anchor
    if adjective.pos_ == "ADJ" and adjective.dep_ in ("amod", "acl") and adjective.head.pos_ == "NOUN":
        # "dont un hôpital vide depuis des mois", the phrase hung on another word: the adjective
        # right before it is what it qualifies
        return _uncounted(adjective.head, phrase, lexicon)
    described = False
    node = phrase
    while node.head.i != node.i:
        parent = node.head
        if is_verb(parent):
            return False
        if parent.pos_ == "ADJ" and parent.dep_ in ("amod", "acl"):
            described = True
        elif parent.pos_ in ("NOUN", "PROPN"):
            described = described or any(
                c.pos_ == "ADJ" and c.dep_ in ("amod", "acl") and parent.i < c.i < phrase.i
                for c in parent.children
            )
            return described and _uncounted(parent, phrase, lexicon)
        node = parent
    return False


def _uncounted(noun: Token, phrase: Token, lexicon: QuantityLexicon) -> bool:
    """A noun no number counts (`phrase`, a year hung on it, aside) and no toll noun."""
    counted = any(c.i != phrase.i and (c.dep_ == "nummod" or c.pos_ == "NUM") for c in noun.children)
    return not counted and not lemmas_of(noun) & lexicon.toll_nouns


def _after_a_place_and_comma(noun: Token) -> bool:
    """ "Taïz, ville ...", "Kadougli, une ville ...": a noun in apposition to the place name
    before it (read on the words: the parser hangs it anywhere)."""
    doc = noun.doc
    j = noun.i - 1
    while j >= 0 and doc[j].pos_ == "DET":
        j -= 1
    if j < 1 or doc[j].text != ",":
        return False
    place = doc[j - 1]
    return place.pos_ == "PROPN" or place.ent_type_ in _PLACE_ENTITIES


def is_background(sentence: Span, lexicon: QuantityLexicon | None = None) -> bool:
    """A sentence giving a cumulative toll somewhere ("depuis le début de la guerre")."""
    return bool(background_clauses(sentence, lexicon))


def _in_background(tokens: Iterable[Token | None], clauses: list[Token], lexicon: QuantityLexicon) -> bool:
    """The clause of the counted noun or of the verb deciding its slot is a background clause
    or lies under one, or its subject is a war ("La guerre ... a fait des dizaines de milliers
    de morts": a cumulative toll)."""
    for token in tokens:
        if token is None:
            continue
        clause = clause_of(token)
        if any(lemmas_of(s) & lexicon.cumulative_subjects for s in children(clause) if s.dep_ == "nsubj"):
            return True
        lineage = {clause.i} | {a.i for a in ancestors_of(clause)}
        if any(c.i in lineage for c in clauses):
            return True
    return False


def _revision_start(sentence: Span, lexicon: QuantityLexicon) -> int | None:
    """The token after which the sentence states a revised toll: a revision verb in a clause
    with a toll noun ("le bilan s'est alourdi à", "portant le bilan à", "le nombre de morts est
    passé à"), or a revision phrase ("nouveau bilan")."""
    if not any(lemmas_of(t) & lexicon.toll_nouns for t in span_tokens(sentence)):
        return None
    folded, offsets = _folded_tokens(sentence)
    for marker in lexicon.revision_markers:
        position = folded.find(marker)
        if position >= 0:
            return _token_at(sentence, offsets, position).i
    for token in span_tokens(sentence):
        if not has_verb_form(token, lexicon.revision_verbs):
            continue
        # its subject or object, or any word it governs ("Le bilan, d'abord de deux morts, s'est
        # alourdi": the toll noun parsed as a modifier, far from the verb)
        related = [c for c in children(token) if c.dep_ in ("nsubj", "nsubj:pass", "obj") or c.i < token.i]
        window = sentence.doc[max(sentence.start, token.i - 6) : token.i + 3]
        if any(lemmas_of(t) & lexicon.toll_nouns for t in [*related, *window]):
            return token.i
    return None


def _in_revision_clause(noun: Token, revision: Token, lexicon: QuantityLexicon) -> bool:
    """A count the revision states, not one in a clause of its own ("le bilan s'est alourdi à
    cinq morts, après que les secouristes ont dégagé deux corps": the bodies are not the toll)."""
    if not has_verb_form(revision, lexicon.revision_verbs):
        return True  # a revision phrase ("selon un nouveau bilan") covers the sentence
    for node in (noun, *ancestors_of(noun)):
        if node.i == revision.i:
            return True
        if node.dep_ in ("advcl", "ccomp", "acl:relcl", "parataxis", "csubj"):
            return False
    return True


def _toll_complement(
    sentence: Span, start: int, lexicon: QuantityLexicon, change: bool = False
) -> tuple[Token, str] | None:
    """The people a toll noun before a bare number counts, and their category: "Le nombre de
    blessés est désormais de quatorze", "le nombre de morts est passé à 14" (blessés, morts);
    victims are the dead ("le nombre de victimes est passé de quatre à six"), and so is a bare
    death-toll noun when the number is the second figure of a change ("le bilan est passé de
    neuf à quatorze") or what a revision brought it to ("le bilan a été porté à onze")."""
    doc = sentence.doc
    found: tuple[Token, str] | None = None  # the last before the number ("... et celui des blessés à 16")
    bare: Token | None = None
    for token in doc[sentence.start : start]:
        if token.i + 2 >= start:
            continue
        if not (lemmas_of(token) & lexicon.toll_nouns or folded_text(token) in lexicon.toll_pronouns):
            continue
        if fold(doc[token.i + 1].text) in ("de", "des", "d'"):
            counted = doc[token.i + 2]
            forms = lemmas_of(counted)
            if forms & lexicon.killed_nouns or forms & lexicon.victim_nouns:
                found = (counted, "killed")
            elif forms & lexicon.injured_nouns:
                found = (counted, "injured")
            elif forms & lexicon.people_nouns and token.i + 3 < start:
                # "le nombre de soldats tués ... a été porté à vingt et un": the participle
                # after the people says which toll
                fate = _casualty_verb(doc[token.i + 3], lexicon)
                if fate is not None:
                    found = (counted, fate)
            elif lemmas_of(token) & lexicon.death_toll_nouns:
                bare = token  # "le bilan de l'embuscade": of the incident, the dead
        elif lemmas_of(token) & lexicon.death_toll_nouns:
            bare = token
    if found is None and bare is not None and (change or _revised_to(doc, bare.i, start, lexicon)):
        return bare, "killed"
    return found


_TOLL_DETAIL_MARKS = frozenset({"—", "–", ":", "("})


def _detail_of_a_toll(sentence: Span, start: int, lexicon: QuantityLexicon) -> tuple[Token, str] | None:
    """A bare number set off by a dash, a colon or a parenthesis right after the dead or the
    wounded named without a figure: how many they were ("la plupart des blessés — une
    trentaine, d'après la même source", "des morts (une dizaine)")."""
    if start - 2 < sentence.start or sentence.doc[start - 1].text not in _TOLL_DETAIL_MARKS:
        return None
    toll = sentence.doc[start - 2]
    category = _toll_predicate(toll, lexicon) if toll.pos_ == "NOUN" else None
    if category is None or not _plural(toll) or any(c.dep_ == "nummod" for c in children(toll)):
        return None
    return toll, category


def _revised_to(doc: Doc, toll: int, start: int, lexicon: QuantityLexicon) -> bool:
    """The number is what a revision verb after the toll noun brought it to ("le bilan de
    l'embuscade a été porté samedi à onze", "le bilan est passé à six")."""
    return fold(doc[start - 1].text) == "a" and any(
        has_verb_form(token, lexicon.revision_verbs) for token in doc[toll + 1 : start - 1]
    )


# ----------------------------------------------------------------------------- what a count counts


def _category(token: Token, projectile_tokens: dict[int, str], lexicon: QuantityLexicon) -> str | None:
    lemmas = lemmas_of(token)
    if lemmas & lexicon.animal_nouns:
        return None
    if token.i in projectile_tokens:
        return "projectile"
    if lemmas & set(lexicon.projectile_nouns) or _unmanned(token, lexicon):
        return "projectile"
    if lemmas & lexicon.killed_nouns:
        return "killed"
    if lemmas & lexicon.injured_nouns:
        return "injured"
    if lemmas & lexicon.people_nouns:
        return "people"
    if lemmas & lexicon.target_nouns or _split_compound_of(token, lexicon.target_nouns):
        return "target"
    if (
        token.pos_ in ("NOUN", "PROPN")
        and token.ent_type_ not in _PLACE_ENTITIES
        and not lemmas & lexicon.spatial_nouns
        and not lemmas & lexicon.toll_nouns
        and not lemmas & lexicon.measure_words
        and not _is_numberish(token, lexicon)
    ):
        return "other"  # counted only when a casualty verb says so ("quatre gardes ont été tués")
    return None


def _split_compound_of(token: Token, nouns: frozenset[str]) -> bool:
    """The first piece of a hyphenated compound of `nouns` the tokenizer split ("deux pick-up"
    read as "pick", "-", "up"; "trois pick-up" plural or not): the noun is the compound."""
    doc = token.doc
    i = token.i
    if i + 2 >= len(doc) or token.whitespace_ or doc[i + 1].text != "-" or doc[i + 1].whitespace_:
        return False
    compound = fold(f"{token.text}-{doc[i + 2].text}")  # as the word lists are folded
    return compound in nouns or (compound[-1] in "sx" and compound[:-1] in nouns)


def _projectile_class(
    token: Token, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> str | None:
    if token.i in projectile_tokens:
        return projectile_tokens[token.i]
    for lemma in lemmas_of(token):
        if lemma in lexicon.projectile_nouns:
            return lexicon.projectile_nouns[lemma]
    return "drone" if _unmanned(token, lexicon) else None


def _unmanned(token: Token, lexicon: QuantityLexicon) -> bool:
    """A craft said to be unmanned: "cinq embarcations sans équipage" are drones."""
    if token.pos_ != "NOUN" or not lexicon.unmanned_markers:
        return False
    following = fold(" ".join(t.text for t in token.doc[token.i + 1 : token.i + 3]))
    return any(following == m or following.startswith(m + " ") for m in lexicon.unmanned_markers)


def _one(slot: Slot, start: int, noun: Token, group: CasualtyGroup | None) -> Count:
    """One thing or person counted by its determiner or its name, from `start` to `noun`."""
    doc = noun.doc
    return Count(
        slot=slot,
        quantity=Quantity(value=1, qualifier="exact", text=doc[start : noun.i + 1].text, group=group),
        relation="normal",
        noun=lemma_of(noun),
        start=start,
        end=noun.i + 1,
        group=group,
    )


def _group(noun: Token, lexicon: QuantityLexicon) -> CasualtyGroup | None:
    forms = lemmas_of(noun)
    for child in children(noun):
        if child.dep_ == "amod":
            forms |= lemmas_of(child)
    if forms & lexicon.civilian_nouns:
        return "civilians"
    if forms & lexicon.combatant_nouns:
        return "combatants"
    return None


def _qualifier(tokens: list[Token], lexicon: QuantityLexicon) -> Qualifier:
    before = fold(" ".join(t.text for t in tokens[-4:]))
    for kind in ("at_least", "at_most", "approx"):
        for phrase in lexicon.qualifiers.get(kind, ()):  # type: ignore[call-overload]
            if before.endswith(phrase):
                return kind  # type: ignore[return-value]
    return "exact"


def _relation(before: list[Token], after: Token | None, lexicon: QuantityLexicon) -> Relation:
    window = fold(" ".join(t.text for t in before[-3:]))
    if any(window.endswith(marker) or f"{marker} " in window for marker in lexicon.subset_markers):
        return "subset"
    if after is not None and folded_text(after) in lexicon.disjoint_markers:
        return "disjoint"
    return "normal"


def _verb_tagged(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and token.tag_ == "VERB")


def _modifier_lemmas(token: Token) -> set[str]:
    """Lemmas of participles and adjectives describing a noun ("34 drones neutralisés")."""
    lemmas: set[str] = set()
    for child in children(token):
        if child.dep_ == "acl:relcl" and any(folded_text(d) == "dont" for d in subtree_of(child)):
            continue  # "cinq missiles, dont deux ont été interceptés": a part, not the whole
        if child.dep_ in ("amod", "acl", "acl:relcl") or child.pos_ in ("VERB", "ADJ"):
            lemmas |= lemmas_of(child)
    return lemmas


def _linked_slot(sentence: Span, start: int, category: str, lexicon: QuantityLexicon) -> Slot | None:
    """A count right after a linking noun and its preposition: "blessures à une résidente"
    (injured), "la mort de deux soldats" (killed), "l'incendie de deux maisons" (destroyed).
    Read on the words, not the parse."""
    previous, crossed = _preceding_word(sentence, start, lexicon)
    if previous is None or not crossed & _LINK_PREPOSITIONS:
        return None
    lemmas = lemmas_of(previous)
    if category in ("people", "other"):
        for lemma in lemmas:
            if lemma in lexicon.casualty_link_nouns:
                return None if _handed_over(previous, lexicon) else lexicon.casualty_link_nouns[lemma]
    if category == "target" and lemmas & lexicon.damage_link_nouns:
        return "destroyed"
    return None


def _reflexive(token: Token) -> bool:
    """A verb in its pronominal form ("s'est abattue", "se sont abattus")."""
    return any(c.dep_.startswith("expl") and "Yes" in feature_of(c, "Reflex") for c in children(token))


def _pronominal_sense(token: Token | None, lexicon: QuantityLexicon) -> Slot | None:
    """The slot a projectile takes as the subject of a pronominal verb of another sense ("une
    trentaine d'obus se sont abattus sur la ville": launched, they fell on it)."""
    if token is None or not lexicon.pronominal_senses:
        return None
    sense = next(
        (lexicon.pronominal_senses[f] for f in lemmas_of(token) if f in lexicon.pronominal_senses), None
    )
    # the word first, the reflexive pronoun (a walk over the children) only for such a verb
    return sense if sense is not None and _reflexive(token) else None


def _casualty_verb(token: Token, lexicon: QuantityLexicon) -> Slot | None:
    """killed / injured when the token is a verb of death or injury ("tués", "blessant",
    "ont péri", "ont perdu la vie"); not a pronominal form of another sense ("s'abattre")."""
    slot = _casualty_sense(token, lexicon)
    # most words are no such verb: the pronominal reading is checked only for one that is
    if slot is None or _pronominal_sense(token, lexicon) is not None:
        return None
    return slot


def _casualty_sense(token: Token, lexicon: QuantityLexicon) -> Slot | None:
    # asked of most words of every sentence: the token's strings are read once
    lemma, text = token.lemma_, token.text
    if not verb_form_in(lemma, text, lexicon.casualty_words):
        return _killed_by_object(token, lemma, text, lexicon)  # (most words: one look-up)
    if lexicon.hit_verbs and verb_form_in(lemma, text, lexicon.hit_verbs):
        # "mortellement atteints", "blessé mortellement": the manner decides; "grièvement
        # touchés": wounded
        manner = _manner_of(token)
        if manner & lexicon.fatal_adverbs:
            return "killed"
        if manner & lexicon.wound_adverbs and not verb_form_in(lemma, text, lexicon.injured_verbs):
            return "injured"
    if verb_form_in(lemma, text, lexicon.killed_verbs):
        return "killed"
    if verb_form_in(lemma, text, lexicon.injured_verbs):
        return "injured"
    return _killed_by_object(token, lemma, text, lexicon)


def _killed_by_object(token: Token, lemma: str, text: str, lexicon: QuantityLexicon) -> Slot | None:
    """ "ont perdu la vie", "ont trouvé la mort": a verb and its object meaning death."""
    for verb, object_ in lexicon.killed_verb_objects.items():
        if verb_form_in(lemma, text, _one_word(verb)):
            following = [t for t in token.doc[token.i + 1 : token.i + 3] if t.pos_ != "DET"]
            owned = [c for c in children(token) if c.dep_ == "obj"]
            if any(object_ in lemmas_of(t) for t in [*following[:1], *owned]):
                return "killed"
    return None


def _manner_of(verb: Token) -> set[str]:
    """The folded adverbs of manner of a verb: those it governs and the words right beside it
    (the parser hangs "mortellement" anywhere)."""
    doc = verb.doc
    words = {folded_text(c) for c in children(verb) if c.dep_ == "advmod"}
    for j in (verb.i - 1, verb.i + 1):
        if 0 <= j < len(doc) and doc[j].pos_ == "ADV":
            words.add(folded_text(doc[j]))
    return words


@lru_cache(maxsize=256)
def _one_word(word: str) -> frozenset[str]:
    """A one-word list for `verb_form_in`, built once (its hash is kept with it)."""
    return frozenset({word})


def _negated(verb: Token | None, lexicon: QuantityLexicon) -> bool:
    if verb is None:
        return False
    return any(
        c.dep_ == "advmod" and ("Neg" in feature_of(c, "Polarity") or lemmas_of(c) & lexicon.negation_words)
        for c in children(verb)
    )


def _preceding_word(sentence: Span, start: int, lexicon: QuantityLexicon) -> tuple[Token | None, set[str]]:
    """The word before a count expression, past qualifier words, determiners, opening quotes
    and manner adverbs ("tuant au moins", "une ville d'environ", "tuant « une trentaine",
    "blessant grièvement un homme"), and the folded words crossed on the way."""
    doc = sentence.doc
    j = start - 1
    crossed: set[str] = set()
    while j >= sentence.start:
        folded = fold(doc[j].text)
        if (
            folded in lexicon.qualifier_words
            or doc[j].pos_ == "DET"
            or doc[j].text in _OPENING_QUOTES
            or (doc[j].pos_ == "ADV" and folded.endswith("ment"))
        ):
            crossed.add(folded)
            j -= 1
            continue
        return doc[j], crossed
    return None, crossed


def _following_verb(noun: Token, sentence: Span, lexicon: QuantityLexicon) -> tuple[Token | None, bool]:
    """The verb a pre-verbal count is the subject of, read on the words ("Onze soldats nigériens
    ont été tués", "une femme âgée de 70 ans blessée"), and whether it is active with an
    "avoir" auxiliary ("ont tué": the count is the agent)."""
    doc = noun.doc
    passive = active = False
    relative = False  # "un berger qui se trouvait à proximité a été blessé": past its clause
    for token in doc[noun.i + 1 : min(sentence.end, noun.i + 12)]:
        folded = folded_text(token)
        if (token.is_punct and token.text not in ("'", "’")) or folded in _CLAUSE_WORDS:
            return None, False
        if folded == "qui" and token.i <= noun.i + 2 and not relative:
            relative = True
            continue
        lemma = lemma_of(token)
        if token.pos_ == "AUX" or lemma in ("avoir", "etre"):
            if (
                lemma == "etre"
                or token.dep_ == "aux:pass"
                or folded in ("ete", "est", "sont", "etait", "etaient")
            ):
                passive = True
            elif lemma == "avoir":
                active = True
            continue
        if _casualty_verb(token, lexicon) is not None or any(
            has_verb_form(token, words)
            for words in (lexicon.destroyed_verbs, lexicon.intercepted_verbs, lexicon.launched_verbs)
        ):
            # "ont tué", or a present tense ("un kamikaze tue neuf soldats")
            finite = "Fin" in feature_of(token, "VerbForm")
            return token, (active or finite) and not passive and not is_passive(token)
        if token.pos_ == "VERB" and has_verb_form(token, lexicon.state_verbs):
            passive = True  # "quatre personnes restent hospitalisées": the state after it
            continue
        if token.pos_ == "VERB" and relative:
            relative = False  # the relative clause's own verb: the noun's comes after it
            passive = active = False
            continue
        if token.pos_ == "VERB":
            return token, active and not passive
    return None, False


def _people_slot(
    noun: Token, category: str, start: int, sentence: Span, lexicon: QuantityLexicon
) -> tuple[Slot | str | None, Token | None]:
    """The slot of a count of people (or of a noun only a casualty verb makes a count of), and
    the verb that decided it. `_AGENT` when the people counted are the ones who kill."""
    previous, _ = _preceding_word(sentence, start, lexicon)
    direct = previous is not None and all(
        t.pos_ == "DET" or t.text in _OPENING_QUOTES or (t.pos_ == "ADV" and folded_text(t).endswith("ment"))
        for t in noun.doc[previous.i + 1 : start]
    )
    # "tuant au moins neuf soldats"; a noun only the verb makes a count of must follow it
    # directly ("avoir tué un surveillant", not "tués près d'un arrêt de bus").
    if previous is not None and folded_text(previous) == "par":
        return _AGENT, previous  # "a été abattu par deux hommes armés": who killed
    if previous is not None and (category == "people" or direct):
        slot = _casualty_verb(previous, lexicon)
        if slot is not None:
            return slot, previous  # the count is the verb's object: "tuant un homme"
        if has_verb_form(previous, lexicon.loss_verbs) and not _negated(previous, lexicon):
            return "killed", previous  # "nous avons perdu vingt-deux hommes"
    verb, active = _following_verb(noun, sentence, lexicon)
    if verb is not None:
        slot = _casualty_verb(verb, lexicon)
        if slot is not None:
            if active and has_verb_form(verb, lexicon.agent_verbs):
                return _AGENT, verb
            return slot, verb
        if has_verb_form(verb, lexicon.fate_verbs):
            return None, verb  # "..., trois ouvriers enlevés": taken, not killed by a verb above
    # The parse: the verb governing the noun, a participle describing it.
    head_verb = nearest_head(noun, _verb_tagged, 4)
    if (
        head_verb is not None
        and noun.dep_ == "nsubj"
        and not is_passive(head_verb)
        and has_verb_form(head_verb, lexicon.agent_verbs)
    ):
        return _AGENT, head_verb
    head = lemma_of(noun.head)
    if (
        head in lexicon.casualty_link_nouns
        and noun.head.i != noun.i
        and not _handed_over(noun.head, lexicon)
        # "la mort de deux soldats", not "deux morts dans une attaque"
        and not any(c.dep_ == "case" and folded_text(c) not in _LINK_PREPOSITIONS for c in children(noun))
    ):
        return lexicon.casualty_link_nouns[head], head_verb
    for child in children(noun):
        if child.dep_ in ("amod", "acl", "acl:relcl") or child.pos_ in ("VERB", "ADJ"):
            slot = _casualty_verb(child, lexicon)
            if slot is not None and _active_casualty(child):
                return _AGENT, child  # "un groupe d'insurgés ..., tuant": the ones who kill
            if slot is not None:
                return slot, child
            if child.dep_ == "acl" and has_verb_form(child, lexicon.fate_verbs):
                return None, child  # "..., un maire enlevé à B": taken, not killed by a verb above
    # A noun only a casualty verb makes a count of must be its subject or object ("quatre
    # gardes ont été tués"), not a place or a circumstance ("à Pokrovsk, une ville ...").
    if head_verb is not None and (
        category == "people" or (noun.head.i == head_verb.i and noun.dep_ in _ARGUMENTS)
    ):
        slot = _casualty_verb(head_verb, lexicon)
        if slot is not None:
            return slot, head_verb
    if category == "people" and lemmas_of(noun) & lexicon.victim_nouns:
        # "a fait onze victimes"; not "Les trois victimes sont des employés" (named again).
        determiner = fold(noun.doc[start - 1].text) if start > sentence.start else ""
        if determiner not in _DEFINITE:
            return "killed", head_verb
    return None, head_verb


def _destroyed_state(noun: Token, lexicon: QuantityLexicon) -> bool:
    """ "une trentaine de véhicules en flammes", "des maisons réduites en cendres"."""
    window = noun.doc[noun.i + 1 : min(len(noun.doc), noun.i + 5)]
    for token in window:
        if (
            lemmas_of(token) & lexicon.destroyed_states
            and token.i > 0
            and fold(noun.doc[token.i - 1].text) == "en"
        ):
            return True
    return False


def _projectile_reading(noun: Token, lexicon: QuantityLexicon) -> tuple[Slot, bool]:
    """The slot of a count of projectiles, and whether a verb or participle decided it (else
    "launched" by default)."""
    verb = nearest_head(noun, _verb_tagged, 4)
    subject = noun.dep_ in ("nsubj", "nsubj:pass")
    if subject and any(
        c.i != noun.i
        and c.dep_ in ("nsubj", "nsubj:pass")
        and any(folded_text(d) == "dont" for d in subtree_of(c))
        for c in children(noun.head)
    ):
        # "a tiré cinq missiles, dont deux ont été interceptés", parsed with the missiles as a
        # subject of "interceptés": the verb of the part is not the whole's
        subject = False
        verb = nearest_head(noun.head, _verb_tagged, 3)
    pronominal = _pronominal_sense(verb, lexicon)
    if pronominal is not None:
        return pronominal, True
    verb_lemmas = lemmas_of(verb) if verb is not None else set()
    described = _modifier_lemmas(noun) | (lemmas_of(noun.head) if subject else set())
    # The noun's own participle decides first: "Sur les 112 drones lancés, 87 ont été abattus".
    if described & lexicon.intercepted_verbs:
        return "intercepted", True
    if described & lexicon.launched_verbs:
        return "launched", True
    if verb_lemmas & lexicon.intercepted_verbs:
        return "intercepted", True
    return "launched", verb is not None


_PARTICIPLE_ENDINGS = ("e", "es", "ee", "ees", "u", "us", "ue", "ues", "i", "is", "ie", "ies", "it", "its")


def _projectile_participle(word: Token, lexicon: QuantityLexicon) -> Slot | None:
    """The slot a past participle of interception or launch right after a bare number says
    ("et 58 neutralisés", "dont 12 abattus", "et 30 tirés"), whatever the parser tagged it."""
    if not folded_text(word).endswith(_PARTICIPLE_ENDINGS):
        return None
    if has_verb_form(word, lexicon.intercepted_verbs):
        return "intercepted"
    if has_verb_form(word, lexicon.launched_verbs):
        return "launched"
    return None


def _coordinated_projectiles(counts: list[Count], undecided: set[int], sentence: Span) -> list[Count]:
    """ "98 drones et trois missiles ont été abattus", parsed with the drones hung on another
    word: projectiles coordinated with the next count share its verb, hence its slot."""
    doc = sentence.doc
    for k in sorted(undecided, reverse=True):
        if k + 1 >= len(counts):
            continue
        current, following = counts[k], counts[k + 1]
        between = {folded_text(t) for t in doc[current.end : following.start]}
        if following.weapon_class is not None and between and between <= {"et", ",", "ainsi", "que"}:
            counts[k] = replace(current, slot=following.slot)
    return counts


def _target_slot(
    noun: Token, start: int, sentence: Span, lexicon: QuantityLexicon
) -> tuple[Slot | None, Token | None]:
    verb = nearest_head(noun, _verb_tagged, 4)
    if _destroyed_state(noun, lexicon):
        return "destroyed", verb
    previous, _ = _preceding_word(sentence, start, lexicon)
    if previous is not None and has_verb_form(previous, lexicon.destroyed_verbs):
        return "destroyed", previous  # "avant d'incendier une vingtaine d'habitations"
    following, _ = _following_verb(noun, sentence, lexicon)
    if following is not None and has_verb_form(following, lexicon.destroyed_verbs):
        return "destroyed", following
    described = _modifier_lemmas(noun) | (
        lemmas_of(noun.head) if noun.dep_ in ("nsubj", "nsubj:pass") else set()
    )
    around = described | (lemmas_of(verb) if verb is not None else set())
    if lemma_of(noun.head) in lexicon.damage_link_nouns or around & lexicon.destroyed_verbs:
        return "destroyed", verb
    damaging = _damaging_verb(noun, sentence, start, lexicon)
    if damaging is not None:
        return "destroyed", damaging  # "Deux pick-up ont été détruits", the compound split
    if _lost_equipment(noun, previous, verb, lexicon):
        return "destroyed", previous if previous is not None else verb
    return None, verb


def _lost_equipment(
    noun: Token, previous: Token | None, verb: Token | None, lexicon: QuantityLexicon
) -> bool:
    """ "l'ennemi a perdu deux blindés", "trois chars et deux hélicoptères perdus": equipment a
    side lost (the object of a verb of loss, or a participle of loss describing it) was
    destroyed; not ground it lost ("a perdu deux villages")."""
    if lemmas_of(noun) & lexicon.territory_nouns:
        return False
    if _modifier_lemmas(noun) & lexicon.loss_verbs:
        return True
    for candidate in (previous, verb):
        if (
            candidate is None
            or not has_verb_form(candidate, lexicon.loss_verbs)
            or _negated(candidate, lexicon)
        ):
            continue
        if candidate is previous or (noun.head.i == candidate.i and noun.dep_ in ("obj", "conj")):
            return True
    return False


def _launched_craft(noun: Token, lexicon: QuantityLexicon) -> bool:
    """A noun of craft a launch or interception verb governs ("200 appareils ont été lancés")."""
    if not lemmas_of(noun) & lexicon.craft_nouns:
        return False
    following = [t for t in noun.doc[noun.i + 1 : noun.i + 3] if t.text not in _CLOSING_QUOTES][:1]
    if (_modifier_lemmas(noun) | {f for t in following if t.pos_ == "VERB" for f in lemmas_of(t)}) & (
        lexicon.craft_verbs
    ):
        return True  # "près de deux cents appareils » engagés dans l'opération"
    verb = nearest_head(noun, _verb_tagged, 4)
    return verb is not None and has_verb_form(verb, lexicon.craft_verbs)


def _context_class(sentence: Span, projectile_tokens: dict[int, str]) -> str | None:
    """The class of the last projectile named before the sentence (`projectile_tokens` may hold
    it), for a count of craft that names none ("l'un des appareils a été abattu")."""
    before = [i for i in projectile_tokens if i < sentence.start]
    return projectile_tokens[max(before)] if before else None


def _damaged_one(noun: Token, sentence: Span, start: int, lexicon: QuantityLexicon) -> bool:
    """ "un drone a détruit une maison", "une école a été incendiée": one target a verb of damage
    takes (not one it hits: "a frappé un immeuble" names where, not what was destroyed)."""
    return _damaging_verb(noun, sentence, start, lexicon) is not None


def _damaging_verb(
    noun: Token, sentence: Span, start: int, lexicon: QuantityLexicon, participle: bool = True
) -> Token | None:
    """The verb of damage that takes the noun (see `_damaged_one`), if any: the verb it is the
    object of or the passive subject of, in the parse or, when the parser hung the noun
    elsewhere, on the words after it ("un pétrolier amarré au quai a été endommagé", "une école,
    fermée depuis 2022, a été endommagée"); with `participle`, a past participle of damage
    describing it ("un blindé détruit", "un réservoir touché et détruit")."""
    previous, _ = _preceding_word(sentence, start, lexicon)
    if previous is not None and _damages(previous, noun, lexicon):
        return previous
    for part in _compound_parts(noun, sentence):
        # "ont incendié le poste et une école": the noun a conjunct is joined to takes its verb
        hops = 0
        while part.dep_ == "conj" and part.head.pos_ == "NOUN" and part.head.i < part.i and hops < 4:
            part, hops = part.head, hops + 1
        head = part.head
        # the subject of a passive is sometimes parsed as a plain subject ("Un immeuble a été en
        # partie détruit": nsubj of a verb with a passive auxiliary)
        role = part.dep_ in ("obj", "nsubj:pass") or (part.dep_ == "nsubj" and _passive_like(head))
        if role and head.i != part.i and _damages(head, noun, lexicon):
            return head
        if part.dep_ == "nsubj" and head.i != part.i and _patient_predicate(head, lexicon):
            return head  # "le dépôt a pris feu", "l'immeuble s'est effondré"
    if participle and lemmas_of(noun) & lexicon.target_nouns and not _argument_of_another_verb(noun):
        for child in children(noun):
            if (
                child.dep_ in ("acl", "amod")
                and child.i > noun.i
                and "Part" in feature_of(child, "VerbForm")
                and not folded_text(child).endswith("ant")
                and _damages(child, noun, lexicon)
            ):
                return child
    return _passive_damage_after(noun, sentence, lexicon)


_PLACE_PREPOSITIONS = frozenset(
    {"dans", "sur", "sous", "pres", "devant", "derriere", "vers", "contre", "chez", "en"}
)


def _argument_of_another_verb(noun: Token) -> bool:
    """A noun (or the first of its conjuncts) another verb acts on, or a place a circumstance
    names: its participle tells a state, not the event's damage ("alors qu'ils réparaient une
    antenne endommagée", "retrouvés dans un pavillon incendié"); a noun in a list, a report or
    a headline ("un cargo endommagé à Odessa", "fait état d'un camion incendié") is none."""
    node, hops = noun, 0
    while node.dep_ == "conj" and node.head.i < node.i and hops < 4:
        node, hops = node.head, hops + 1
    if node.head.i == node.i:
        return False
    if node.dep_ == "obj" and is_verb(node.head):
        return True
    cases = [folded_text(c) for c in children(node) if c.dep_ == "case" and c.i < node.i]
    return bool(cases) and cases[0] in _PLACE_PREPOSITIONS


def _damages(verb: Token, noun: Token, lexicon: QuantityLexicon) -> bool:
    """A verb of damage for this noun: "détruire", "incendier"...; "abattre" for an aircraft."""
    if has_verb_form(verb, lexicon.damage_verbs):
        return True
    return bool(lemmas_of(noun) & lexicon.aircraft_nouns) and has_verb_form(verb, lexicon.downing_verbs)


def _patient_predicate(verb: Token, lexicon: QuantityLexicon) -> bool:
    """A verb saying its subject was damaged whatever its voice: an idiom ("a pris feu", "est
    parti en fumée", "a été réduit en cendres") or a verb of collapse ("s'est effondré")."""
    if has_verb_form(verb, lexicon.patient_verbs):
        return True
    if has_verb_form(verb, lexicon.suffer_verbs):
        # "deux habitations ont subi d'importants dégâts", "le navire a essuyé des dommages";
        # not "n'a subi aucun dégât"
        return not _negated(verb, lexicon) and any(
            c.dep_ == "obj"
            and lemmas_of(c) & lexicon.damage_link_nouns
            and not any(folded_text(d) in _NONE for d in children(c))
            for c in children(verb)
        )
    phrases = lexicon.damage_idioms.get(lemma_of(verb))
    if not phrases:
        return False
    doc = verb.doc
    following = " ".join(folded_text(t) for t in doc[verb.i + 1 : min(len(doc), verb.i + 3)])
    return any(following == p or following.startswith(p + " ") for p in phrases)


_ASIDE_OPENERS = frozenset({"ADJ", "VERB", "DET", "NOUN", "PROPN", "ADV"})
_CLAUSE_BREAKS = frozenset(
    {"et", "mais", "ou", "que", "qu'", "dont", "car", "puis", "lorsque", "quand", "si", "qui"}
)


def _passive_damage_after(noun: Token, sentence: Span, lexicon: QuantityLexicon) -> Token | None:
    """The passive verb of damage a noun is the subject of, read on the words after it, past
    what describes it (a participle and its complements, an aside between commas) and the
    auxiliaries: "un pétrolier amarré au quai a été endommagé", "une école, fermée depuis
    2022, a été endommagée". None at a clause break, a negation, an active or another verb."""
    doc = noun.doc
    end = min(sentence.end, noun.i + 16)
    j = _compound_parts(noun, sentence)[-1].i + 1  # past "pick-up" split at its hyphen
    auxiliaries: list[Token] = []
    while j < end:
        token = doc[j]
        folded = folded_text(token)
        if token.text == "," and not auxiliaries:
            close = next((k for k in range(j + 1, end) if doc[k].text == ","), None)
            if close is None or close == j + 1 or doc[j + 1].pos_ not in _ASIDE_OPENERS:
                return None
            if any(
                t.pos_ in ("AUX", "VERB") and "Fin" in feature_of(t, "VerbForm") for t in doc[j + 1 : close]
            ):
                return None  # a clause of its own, not a description
            j = close + 1
            continue
        if token.text in _OPENING_QUOTES or token.text in _CLOSING_QUOTES:
            j += 1  # "a été « entièrement détruit »"
            continue
        if token.is_punct or folded in _CLAUSE_BREAKS or folded in lexicon.negation_words:
            return None
        if token.pos_ == "AUX":
            if lemma_of(token) not in ("avoir", "etre"):
                return None  # "pourrait être détruit": a possibility
            auxiliaries.append(token)
        elif token.pos_ == "VERB" or (auxiliaries and _verb_tagged(token)):
            if auxiliaries:
                passive = any(lemma_of(a) == "etre" for a in auxiliaries) or is_passive(token)
                if passive and _damages(token, noun, lexicon):
                    return token
                return token if _patient_predicate(token, lexicon) else None
            if _patient_predicate(token, lexicon):
                return token  # "un entrepôt prend feu"
            if "Fin" in feature_of(token, "VerbForm") or folded.endswith("ant"):
                return None  # the noun's own verb, not a damage
            # a participle describing the noun ("amarré au quai"): its complements follow
        j += 1
    return None


def _passive_like(verb: Token) -> bool:
    """A passive verb, also when the parser reads its auxiliary "été" as a copula ("Une école a
    été en partie détruite")."""
    return is_passive(verb) or (
        verb.pos_ == "VERB"
        and any(c.dep_ in ("cop", "aux", "aux:tense") and folded_text(c) == "ete" for c in children(verb))
    )


def _compound_parts(noun: Token, sentence: Span) -> list[Token]:
    """The noun and the pieces of a hyphenated compound the tokenizer split ("pick-up" read as
    "pick", "-", "up"), the parser hanging any of them on the verb (within the sentence: one
    split at the hyphen gives no verb to the noun)."""
    parts = [noun]
    doc = noun.doc
    i = noun.i
    while (
        i + 2 < sentence.end
        and not doc[i].whitespace_
        and doc[i + 1].text == "-"
        and not doc[i + 1].whitespace_
    ):
        parts.extend((doc[i + 1], doc[i + 2]))
        i += 2
    return parts


def _complements_a_noun(sentence: Span, start: int, lexicon: QuantityLexicon) -> bool:
    """ "une ville d'environ 100 000 habitants", "un convoi de 40 camions", "l'évacuation de
    200 civils": the number measures the noun before it; it is no toll."""
    previous, crossed = _preceding_word(sentence, start, lexicon)
    if previous is None or not crossed & _OF or previous.pos_ != "NOUN":
        return False
    forms = lemmas_of(previous)
    return not (
        forms & set(lexicon.casualty_link_nouns)
        or forms & lexicon.damage_link_nouns
        or forms & lexicon.toll_nouns
        or forms & lexicon.report_nouns
        or _is_numberish(previous, lexicon)
    )


# ----------------------------------------------------------------------------- the reader


def _with_split_number(sentence: Span, lexicon: QuantityLexicon) -> Span:
    """The sentence with the number word the parser split off before it as a sentence of its
    own ("Cinq", "soldats syriens ont été tués ..." at the start of a paragraph), or with its
    noun when the split falls in a hyphenated compound ("Quatre pick", "-up de l'armée ont été
    détruits")."""
    doc = sentence.doc
    if sentence.start == 0 or not len(sentence) or sentence[0].pos_ not in ("NOUN", "ADJ", "PROPN"):
        return sentence
    before = doc[sentence.start - 1].sent
    compound = len(before) == 2 and sentence[0].text == "-" and not before[1].whitespace_
    if (
        not (len(before) == 1 or compound)
        or not _is_numberish(before[0], lexicon)
        or not before[0].text[:1].isupper()
    ):
        return sentence
    return doc[before.start : sentence.end]


def find_counts(
    sentence: Span, projectile_tokens: dict[int, str], lexicon: QuantityLexicon | None = None
) -> list[Count]:
    """Counts of the sentence that fill an event slot. `projectile_tokens` maps the token
    indices of weapon mentions that can be launched or intercepted to their weapon class
    (nouns of `projectile_nouns` count as projectiles too)."""
    lexicon = lexicon or default_lexicon()
    doc = sentence.doc
    tokens = tokens_of(doc)
    sentence = _with_split_number(sentence, lexicon)
    counts: list[Count] = []
    # Read once per sentence, and only when it holds a count (most sentences hold none).
    background: list[Token] | None = None
    revision: int | None = None
    previous_category: str | None = None
    previous_class: str | None = None
    undecided: set[int] = set()  # projectile counts whose slot no verb decided
    parts_of: dict[int, list[int]] = {}  # counts given more of with the noun understood
    # "tuant son conducteur", "Le chauffeur a été abattu", "un troisième blessé": one, no number
    named = (
        _named_victims(sentence, lexicon)
        + _single_subjects(sentence, lexicon, projectile_tokens)
        + _single_targets(sentence, lexicon)
        + _ordinals(sentence, lexicon)
        + _none_intercepted(sentence, projectile_tokens, lexicon)
    )
    named_objects = {c.end - 1: c.slot for c in named}
    i = sentence.start
    while i < sentence.end:
        if not _is_numberish(tokens[i], lexicon) or _is_phone_or_code(sentence, i):
            i += 1
            continue
        number = _read_number(sentence, i, lexicon)
        if number is None:
            i += 1
            continue
        start, end = number.start, number.end
        before = list(doc[max(sentence.start, start - 4) : start])
        if start > sentence.start and (
            fold(tokens[start - 1].text) in lexicon.label_nouns
            or _labels_the_noun_before(tokens[start], lexicon)
        ):
            i = end
            continue
        # The counted noun: right after the number, past "de", a disjoint marker, an adjective.
        cursor = end
        disjoint_marker: Token | None = None
        elliptic_casualty: Token | None = None
        while cursor < sentence.end and tokens[cursor].text in _CLOSING_QUOTES:
            cursor += 1  # "tuant « une trentaine » d'entre eux"
        while cursor < sentence.end and fold(tokens[cursor].text) in {"de", "d'"}:
            cursor += 1
        # "L'un des appareils a été abattu": one of a set already named.
        one_of = (
            number.value == 1
            and cursor == end
            and cursor + 1 < sentence.end
            and fold(tokens[cursor].text) == "des"
            and start > sentence.start
            and fold(tokens[start - 1].text) in ("l'", "l")
        )
        if one_of:
            cursor += 1
        # "Quatre des sept missiles ont été abattus", "deux des cinq otages": the part counts the
        # noun; the whole after "des" is no count of its own
        whole = (
            not one_of
            and cursor == end
            and cursor + 1 < sentence.end
            and fold(tokens[cursor].text) == "des"
            and _is_numberish(tokens[cursor + 1], lexicon)
        )
        if whole:
            of = _read_number(sentence, cursor + 1, lexicon)
            cursor = of.end if of is not None else cursor
        partitive = (
            cursor + 1 < sentence.end
            and cursor > end
            and fold(tokens[cursor].text) == "entre"
            and fold(tokens[cursor + 1].text) in _PARTITIVE_PRONOUNS
        )
        if partitive:
            cursor += 1  # "tuant deux d'entre eux": people of a group already named
        if cursor < sentence.end and fold(tokens[cursor].text) in lexicon.disjoint_markers:
            disjoint_marker = tokens[cursor]
            cursor += 1
        if (
            cursor + 1 < sentence.end
            and tokens[cursor].pos_ == "ADJ"
            and tokens[cursor + 1].pos_ == "NOUN"
            and not lemmas_of(tokens[cursor]) & lexicon.injured_nouns
        ):
            cursor += 1  # "deux jeunes hommes"
        elif (
            cursor + 1 < sentence.end
            and tokens[cursor].pos_ == "ADV"
            and fold(tokens[cursor].text).endswith("ment")
            and _casualty_verb(tokens[cursor + 1], lexicon) is not None
        ):
            cursor += 1  # "et quatre grièvement blessés": the manner of the injury
        noun = tokens[cursor] if cursor < sentence.end else None
        participle_slot: Slot | None = None
        if noun is not None and folded_text(noun) in lexicon.measure_words:
            i = end
            continue
        if (
            noun is not None
            and noun.pos_ != "PROPN"
            and has_verb_form(noun, lexicon.fate_verbs)
            and not lemmas_of(noun) & lexicon.people_nouns
        ):
            # "sept terroristes ont été neutralisés et neuf capturés", "trois morts et deux
            # disparus": people taken or missing, no toll of the verb of death before them
            i = end
            continue
        is_article = (
            fold(tokens[number.start].text) in ("un", "une") and number.qualifier is None and not one_of
        )
        category = _category(noun, projectile_tokens, lexicon) if noun is not None else None
        if category in ("target", "other") and noun is not None and _launched_craft(noun, lexicon):
            category = "projectile"  # "entre 150 et 200 appareils ont été lancés"
        if (
            category == "other"
            and noun is not None
            and _damaged_one(noun, sentence, start, lexicon)
            and not (is_article and noun.i + 1 < sentence.end and fold(tokens[noun.i + 1].text) in _OF)
        ):
            # "des drones ont endommagé un cargo", "deux réservoirs ont été détruits": what a verb
            # of damage takes is a target, whatever it is; not a part of something ("une partie
            # du réseau")
            category = "target"
        if one_of and category in ("killed", "injured"):
            category = None  # "l'un des blessés": a person already counted
        if partitive:
            # "tuant deux d'entre eux"; "dix drones ..., et six d'entre eux ont été abattus"
            category = "projectile" if previous_category == "projectile" else "people"
        elliptic_part = (
            category is None
            and counts
            and previous_category is not None
            and noun is not None
            and (noun.pos_ == "ADP" or (noun.pos_ == "ADV" and not folded_text(noun).endswith("ment")))
            and start > sentence.start
            and (
                fold(tokens[start - 1].text) in ("et", "dont")
                or tokens[start - 1].text in (",", *_DETAIL_MARKS)
            )
        )
        if category in (None, "other") and disjoint_marker is not None and previous_category is not None:
            category, noun = previous_category, disjoint_marker
        elif elliptic_part:
            # "58 drones au-dessus de Belgorod et 23 au-dessus de Koursk": more of the same,
            # the noun understood
            category, noun = previous_category, tokens[end - 1]
        elif (
            category is None
            and previous_category is not None
            and noun is not None
            and noun.pos_ in ("AUX", "VERB")
        ):
            # "Sur les 112 drones lancés, 87 ont été abattus": the noun is understood.
            category, noun = previous_category, tokens[end - 1]
        elif (
            category == "other"
            and previous_category == "projectile"
            and noun is not None
            and noun.i == end
            and (participle_slot := _projectile_participle(noun, lexicon)) is not None
        ):
            # "67 drones ont été lancés et 58 neutralisés": the participle (parsed as a noun)
            # says what became of more of them, the noun understood
            category, noun = "projectile", tokens[end - 1]
        elif (
            category is None
            and previous_category is None
            and noun is not None
            and noun.pos_ in ("AUX", "VERB")
            and _intercepted_of_the_last_named(tokens[end - 1], sentence, projectile_tokens, lexicon)
        ):
            # "Quatre drones ont visé la base. Deux ont été abattus": the projectiles named
            # before, the noun understood
            category, noun = "projectile", tokens[end - 1]
        elif (
            category is None
            and previous_category is None
            and noun is not None
            and noun.pos_ in ("AUX", "VERB")
            and (
                subject_verb := _casualty_of_a_bare_subject(
                    tokens[cursor - 1], sentence, projectile_tokens, lexicon
                )
            )
            is not None
        ):
            # "Cinq mineurs ont été tués. Trois autres ont été blessés": people, the noun
            # understood, a verb of death or injury their predicate
            category, noun, elliptic_casualty = "people", disjoint_marker or tokens[end - 1], subject_verb
        elif (
            category is None
            and (noun is None or noun.pos_ not in ("NOUN", "PROPN"))
            and (clitic_verb := _after_a_clitic_casualty_verb(sentence, start, lexicon)) is not None
        ):
            # "tuant trois personnes et en blessant sept": people of the noun "en" stands for
            category, noun, elliptic_casualty = "people", tokens[end - 1], clitic_verb
        elif (category is None and (noun is None or noun.pos_ not in ("NOUN", "PROPN"))) or (
            number.change and category == "other"
        ):
            # "Le nombre de blessés est désormais de quatorze": what a toll noun counts; also
            # after a change whatever word follows ("est passé de neuf à quatorze jeudi")
            counted = _toll_complement(sentence, start, lexicon, number.change) or _detail_of_a_toll(
                sentence, start, lexicon
            )
            if counted is not None:
                noun, category = counted
        # "ont incendié deux voitures et une bergerie": one more target of the same verb
        coordinated_target = (
            category in ("target", "other")
            and bool(counts)
            and counts[-1].slot == "destroyed"
            and noun is not None
            and _joined_to_the_count_before(counts[-1], start, noun)
        )
        # "Un cargo a été endommagé, ainsi que deux grues", "deux soldats ont été tués, de même
        # qu'un civil": more of what the clause before counted, with its slot
        added_to = (
            _added_to(sentence, start, category, [*counts, *named], lexicon)
            if category in ("target", "other", "people")
            else None
        )
        if (
            category is None
            or noun is None
            or (
                is_article
                and category not in ("killed", "injured", "people", "other")
                and not (
                    category == "target"
                    and (
                        coordinated_target
                        or added_to is not None
                        or _damaged_one(noun, sentence, start, lexicon)
                    )
                )
            )
        ):
            i = end
            continue
        if (
            category == "other"
            and is_article
            and start > sentence.start
            and tokens[start - 1].text == ","
            and (tokens[start - 2].text in (")", "»") or tokens[start - 2].pos_ == "PROPN")
        ):
            # "six membres de la Garde (DRG), une force de police, ...": what the name is
            i = end
            continue
        # Not a toll: a population or group size, the source of a report ("selon un médecin"), a
        # negated count, a cumulative toll.
        if category in ("people", "other") and _source_of_a_report(noun, lexicon):
            i = end
            continue
        if category in ("people", "other", "target") and _complements_a_noun(sentence, start, lexicon):
            i = end
            continue
        relation = _relation(before, disjoint_marker, lexicon)
        slot: Slot | None = _linked_slot(sentence, start, category, lexicon)
        verb: Token | None = None
        decided = True
        if elliptic_part:
            # "dont 41 au-dessus de Voronej, 27 au-dessus de Lipetsk": parts of a subset stay in it
            slot = counts[-1].slot
            # "118 ont été abattus — 52 au-dessus de A, 39 ...": a detail of the figure before
            subset = (
                counts[-1].relation == "subset"
                or fold(tokens[start - 1].text) == "dont"
                or tokens[start - 1].text in _DETAIL_MARKS
            )
            relation = "subset" if subset else "disjoint"
            parts_of.setdefault(_base_of(len(counts) - 1, parts_of), []).append(len(counts))
        elif coordinated_target:
            slot = "destroyed"
        elif added_to is not None:
            slot, relation = added_to.slot, "disjoint"
        elif elliptic_casualty is not None:
            slot, verb = (
                _casualty_verb(elliptic_casualty, lexicon) or _toll_predicate(elliptic_casualty, lexicon),
                (elliptic_casualty),
            )
        if slot is None:
            if participle_slot is not None:
                slot = participle_slot
            elif category == "projectile":
                # "Trois des onze drones lancés ... ont été interceptés": the part's own verb
                slot, decided = _projectile_reading(tokens[start] if whole else noun, lexicon)
            elif category in ("people", "other"):
                reading, verb = _people_slot(noun, category, start, sentence, lexicon)
                slot = reading if reading in SLOTS else None  # type: ignore[assignment]
                if slot == "injured" and any(
                    child.dep_ in ("acl", "acl:relcl") and _casualty_verb(child, lexicon) == "killed"
                    for child in noun.children
                ):
                    # "deux policiers blessés ayant succombé": the dead of the toll, counted
                    slot, relation = "killed", "subset"
                if (
                    reading is None
                    and start - 2 in named_objects
                    and fold(tokens[start - 1].text) in ("et", ",")
                ):
                    slot = named_objects[start - 2]  # "blessant le chauffeur et deux passagères"
            elif category == "target":
                slot, verb = _target_slot(noun, start, sentence, lexicon)
            elif category in ("killed", "injured"):
                slot = category  # type: ignore[assignment]
                if category == "injured":
                    # "deux blessés ayant succombé": the dead of the toll, already counted.
                    for child in children(noun):
                        if (
                            child.dep_ in ("acl", "acl:relcl", "amod")
                            and _casualty_verb(child, lexicon) == "killed"
                        ):
                            slot, relation = "killed", "subset"
                    # "Deux blessés ont succombé à l'hôpital", "un blessé est décédé": the same,
                    # the wounded the subject of a verb of death
                    if (
                        noun.dep_ in ("nsubj", "nsubj:pass")
                        and (
                            _casualty_verb(noun.head, lexicon) == "killed"
                            or _died_predicate(noun.head, lexicon)
                        )
                    ) or _died_of(noun, sentence, start, lexicon):
                        slot, relation = "killed", "subset"
        if category == "projectile" and slot == "launched" and _shot_down_before(sentence, start, lexicon):
            slot, decided = "intercepted", True
        if category == "projectile" and any(folded_text(t) in _NONE for t in before[-3:]):
            # "aucun des six missiles n'a été abattu": the six were fired, none shot down (the
            # zero is `_none_intercepted`'s)
            slot, decided = "launched", True
        if category == "projectile" and slot == "intercepted" and _whole_of_parts(before):
            # "sur les 22 missiles de croisière, 20 ont été abattus": the salvo fired, the part
            # after it the intercepted
            slot = "launched"
        if slot is not None and background is None:
            background = background_clauses(sentence, lexicon)
            revision = _revision_start(sentence, lexicon)
        if slot is None or _in_background(
            (noun, verb or nearest_head(noun, _verb_tagged, 4)), background or [], lexicon
        ):
            i = end
            continue
        if category == "projectile" and (
            _foreseen(launcher := verb or nearest_head(noun, _verb_tagged, 4)) or _denied(launcher, lexicon)
        ):
            # "Moscou pourrait lancer 300 drones": a possibility, nothing fired; "l'Iran n'a pas
            # besoin de tirer mille missiles": a denial
            i = end
            continue
        if category in ("people", "other", "target"):
            negated_before = any(folded_text(t) in ("aucun", "aucune") for t in before[-3:])
            if negated_before or _negated(verb or nearest_head(noun, _verb_tagged, 4), lexicon):
                i = end
                continue
        remainder = (
            disjoint_marker is not None
            and start > sentence.start
            and fold(tokens[start - 1].text) in _DEFINITE
        )
        if (one_of or remainder) and category == "projectile" and slot != "intercepted":
            # "l'un des missiles a frappé ...", "les deux autres missiles sont tombés ...":
            # part of a salvo counted already, fired again by no one
            i = end
            continue
        weapon_class = (
            _projectile_class(noun, projectile_tokens, lexicon) if category == "projectile" else None
        )
        if category == "projectile" and weapon_class is None:
            weapon_class = previous_class or _context_class(sentence, projectile_tokens)
        if relation == "normal" and counts and counts[-1].relation == "subset" and counts[-1].slot == slot:
            # "dont une femme de 83 ans et deux adolescents": a count of the same slot
            # coordinated with a subset is in the subset too (no verb between them).
            between = doc[counts[-1].end : start]
            if all(t.pos_ not in ("VERB", "AUX") and t.text not in (";", ".", ":") for t in between):
                relation = "subset"
        if relation == "normal" and _apposition_of(
            counts[-1] if counts else None, slot, number.value, start, noun, lexicon
        ):
            # "a tué deux civils, un commerçant et son fils": who the two were, not a third
            relation = "subset"
        if relation == "normal" and _coordinated_group(counts[-1] if counts else None, slot, start, noun):
            # "trois combattants des FDS et deux combattants tribaux": two groups, summed
            relation = "disjoint"
        group = _group(noun, lexicon) if slot in ("killed", "injured") else None
        revised = (number.change and slot in TOLL_SLOTS) or (
            revision is not None
            and start > revision
            and slot in ("killed", "injured")
            and _in_revision_clause(noun, tokens[revision], lexicon)
            # "..., après la découverte de quatre corps": how the toll grew, not the toll
            and not _complements_a_noun(sentence, start, lexicon)
        )
        quantity = Quantity(
            value=number.value,
            qualifier=number.qualifier or _qualifier(before, lexicon),
            text=doc[start : cursor + 1].text,
            group=group,
            revised=revised,
        )
        elliptic = disjoint_marker is not None and noun.i == disjoint_marker.i or noun.i == end - 1
        if not decided:
            undecided.add(len(counts))
        counts.append(
            Count(
                slot=slot,
                quantity=quantity,
                relation=relation,
                noun=(previous_category or "") if elliptic else lemma_of(noun),
                start=start,
                end=max(cursor + 1, end),
                weapon_class=weapon_class,
                revised=revised,
                group=group,
                fired=category == "projectile" and slot == "launched" and decided,
            )
        )
        previous_category = category
        previous_class = weapon_class if category == "projectile" else previous_class
        i = max(cursor + 1, end)
    counts = _ranked_dead(counts, tokens, lexicon)
    if named:
        background = background if background is not None else background_clauses(sentence, lexicon)
        taken = {i for c in counts for i in range(c.start, c.end)}
        counts += [
            c
            for c in named
            if (c.end - 1 not in taken or c.quantity.value == 0)
            and not _in_background((tokens[c.end - 1],), background, lexicon)
        ]
    counts = _breakdowns(counts, parts_of)
    return _coordinated_projectiles(counts, undecided, sentence) if undecided else counts


_DETAIL_MARKS = (":", "—", "–")


def _ranked_dead(counts: list[Count], tokens: list[Token], lexicon: QuantityLexicon) -> list[Count]:
    """ "la dépouille d'un second villageois a été retrouvée", "un troisième soldat a succombé":
    the one dead person of a sentence named by an article and an ordinal is the n-th dead of
    the incident (`ordinal_ranks`), the toll at least that rank; not beside another toll of the
    sentence ("Deux policiers ont été tués et un troisième blessé": the rank counts those)."""
    if not lexicon.ordinal_ranks or len(counts) != 1 or counts[0].slot != "killed":
        return counts
    count = counts[0]
    if count.quantity.value != 1 or count.end - count.start < 3:
        return counts
    if folded_text(tokens[count.start]) not in _ONE:
        return counts
    rank = lexicon.ordinal_ranks.get(folded_text(tokens[count.start + 1]))
    if rank is None:
        return counts
    quantity = count.quantity
    ranked = Quantity(
        value=rank,
        qualifier=quantity.qualifier,
        text=quantity.text,
        group=quantity.group,
        revised=quantity.revised,
    )
    return [replace(count, quantity=ranked)]


def _apposition_of(
    previous: Count | None, slot: Slot | None, value: int, start: int, noun: Token, lexicon: QuantityLexicon
) -> bool:
    """A count of people set off by a comma or a dash right after a toll of that slot, not
    coordinated with it, that with the people joined to it adds up to that toll: who those
    counted were ("deux civils, un commerçant et son fils", "trois soldats – un officier et
    deux recrues –"), not more of them."""
    if previous is None or slot not in TOLL_SLOTS or previous.slot != slot or previous.relation != "normal":
        return False
    doc = noun.doc
    between = doc[previous.end : start]
    if len(between) != 1 or between[0].text not in (",", "—", "–", "("):
        return False
    if noun.dep_ == "conj" and noun.head.i == previous.end - 1 and between[0].text == ",":
        return False  # "trois soldats, deux civils et un enfant": an enumeration (a dash sets off)
    joined = 0
    for member in noun.subtree:
        if member.dep_ != "conj" or member.pos_ != "NOUN" or not lemmas_of(member) & lexicon.people_nouns:
            continue
        numbers = [c for c in member.children if c.dep_ == "nummod" and c.like_num]
        joined += int(numbers[0].text) if numbers and numbers[0].text.isdigit() else 1
    return value + joined == previous.quantity.value


def _casualty_of_a_bare_subject(
    last: Token, sentence: Span, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> Token | None:
    """The passive or intransitive verb of death or injury a number with no noun ("Trois autres",
    "Deux") is the subject of: "Trois autres ont été blessés", "deux sont morts à l'hôpital".
    Not a verb that also shoots down when projectiles were named ("Deux ont été abattus")."""
    verb, active = _following_verb(last, sentence, lexicon)
    if verb is None:
        # "Deux sont mortes à l'hôpital": an adjective of death after the copula
        doc = last.doc
        following = [t for t in doc[last.i + 1 : min(sentence.end, last.i + 4)] if t.pos_ != "ADV"]
        if len(following) >= 2 and following[0].pos_ == "AUX" and lemma_of(following[0]) == "etre":
            predicate = following[1]
            if predicate.pos_ == "ADJ" and _toll_predicate(predicate, lexicon) is not None:
                return None if _negated(predicate, lexicon) else predicate
        return None
    if _casualty_verb(verb, lexicon) is None or _negated(verb, lexicon):
        return None
    if active and has_verb_form(verb, lexicon.agent_verbs):
        return None  # "Trois autres ont tué ...": who killed
    if has_verb_form(verb, lexicon.intercepted_verbs) and (
        _context_class(sentence, projectile_tokens) is not None
        or any(sentence.start <= i < sentence.end for i in projectile_tokens)
    ):
        return None
    return verb


def _source_of_a_report(noun: Token, lexicon: QuantityLexicon) -> bool:
    """A noun introduced by a preposition of source ("selon un médecin", "d'après un témoin")."""
    first = next((c for c in children(noun) if c.dep_ == "case" and c.i < noun.i), None)
    if first is None:
        return False
    # with the words the preposition is fixed with ("d'" + "après")
    case = " ".join(folded_text(t) for t in noun.doc[first.i : noun.i] if t.pos_ != "DET")
    return any(case == p or case.startswith(p + " ") for p in lexicon.source_prepositions)


def _added_to(
    sentence: Span, start: int, category: str | None, earlier: list[Count], lexicon: QuantityLexicon
) -> Count | None:
    """The count of the clause before that a count joined by an addition marker after a comma
    ("..., ainsi que deux grues", "..., de même qu'un passant", "..., tout comme trois
    voitures") adds to: the last one before it, of people for people, of damage for targets."""
    doc = sentence.doc
    window = " ".join(folded_text(t) for t in doc[max(sentence.start, start - 4) : start])
    marker = next((m for m in lexicon.addition_markers if window.endswith(m)), None)
    if marker is None:
        return None
    opening = start - len(marker.replace("'", "' ").split())
    if opening <= sentence.start or doc[opening - 1].text != ",":
        return None
    prior = [c for c in earlier if c.end <= opening]
    if not prior:
        return None
    last = max(prior, key=lambda c: c.end)
    wanted = ("destroyed",) if category == "target" else TOLL_SLOTS if category == "people" else SLOTS
    return last if last.slot in wanted and last.slot not in _PROJECTILE_SLOTS else None


def _handed_over(link: Token, lexicon: QuantityLexicon) -> bool:
    """Bodies handed over, returned or exchanged ("a restitué les corps de quinze Palestiniens",
    "la dépouille d'un otage remise à la Croix-Rouge"): the dead of earlier days, no toll."""
    if not lexicon.handover_verbs or not lemmas_of(link) & lexicon.body_nouns:
        return False
    verb = nearest_head(link, _verb_tagged, 3)
    if verb is not None and has_verb_form(verb, lexicon.handover_verbs):
        return True
    return any(c.dep_ in ("acl", "amod") and has_verb_form(c, lexicon.handover_verbs) for c in children(link))


def _died_of(noun: Token, sentence: Span, start: int, lexicon: QuantityLexicon) -> bool:
    """Wounded people named after a noun of death ("après le décès de deux blessés", "la mort de
    trois blessés à l'hôpital"): they died, part of the toll already counted."""
    previous, crossed = _preceding_word(sentence, start, lexicon)
    return (
        previous is not None
        and bool(crossed & _OF)
        and any(lexicon.casualty_link_nouns.get(f) == "killed" for f in lemmas_of(previous))
    )


def _died_predicate(head: Token, lexicon: QuantityLexicon) -> bool:
    """ "Deux blessés sont morts", "un blessé est mort à l'hôpital": the adjective of death
    after "être" (the parser may read "morts" as a noun with an auxiliary) is a verb of death."""
    return _toll_predicate(head, lexicon) == "killed" and any(
        c.dep_ in ("cop", "aux", "aux:pass", "aux:tense") and lemma_of(c) == "etre" for c in children(head)
    )


def _toll_predicate(token: Token, lexicon: QuantityLexicon) -> Slot | None:
    """killed / injured for an adjective of death or injury ("mortes", "blessés")."""
    forms = lemmas_of(token)
    if forms & lexicon.killed_nouns:
        return "killed"
    if forms & lexicon.injured_nouns:
        return "injured"
    return None


def _joined_to_the_count_before(previous: Count, start: int, noun: Token) -> bool:
    """A count coordinated with the one before it: only "et" or a comma between them, the parser
    joining the two nouns, or the first one's modifiers and "et" between ("endommageant deux
    silos à grains et un cargo")."""
    doc = noun.doc
    between = doc[previous.end : start]
    if {folded_text(t) for t in between} <= {"et", ","}:
        return True
    first = doc[previous.end - 1]
    if noun.dep_ == "conj" and noun.head.i == first.i:
        return True
    return (
        len(between) > 0
        and folded_text(between[-1]) == "et"
        and all(t.pos_ in ("ADJ", "DET", "ADP", "PROPN", "NOUN", "CCONJ") for t in between)
    )


def _coordinated_group(previous: Count | None, slot: Slot | None, start: int, noun: Token) -> bool:
    """A count of the same noun and slot coordinated with the one before it names another group
    ("trois combattants des FDS et deux combattants tribaux ont été tués": 5), not a repeat:
    the parser joins the two nouns, or only the first one's modifiers and "et" lie between."""
    if previous is None or slot is None or previous.slot != slot or previous.relation == "subset":
        return False
    if previous.noun != lemma_of(noun) or noun.i == start:
        return False
    between = {folded_text(t) for t in noun.doc[previous.end : start]}
    return "," not in between and _joined_to_the_count_before(previous, start, noun)


def _after_a_clitic_casualty_verb(sentence: Span, start: int, lexicon: QuantityLexicon) -> Token | None:
    """The verb of death or injury a bare number is the object of, with the clitic "en"
    standing for the people counted ("en blessant sept", "en tuant une", "il en a tué
    cinq")."""
    previous, _ = _preceding_word(sentence, start, lexicon)
    if previous is None or previous.pos_ not in ("VERB", "AUX") or _casualty_verb(previous, lexicon) is None:
        return None
    doc = sentence.doc
    before = doc[max(sentence.start, previous.i - 3) : previous.i]
    return previous if any(fold(t.text) == "en" for t in before) else None


def _intercepted_of_the_last_named(
    number: Token, sentence: Span, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> bool:
    """A bare number the subject of a verb of interception after a projectile named before it:
    in a sentence naming none ("Quatre drones ont visé la base. Deux ont été abattus"), or
    earlier in its own ("17 drones Shahed sur Kharkiv, dont onze ont été abattus", the parser
    splitting the sentence at the name)."""
    if number.dep_ not in ("nsubj", "nsubj:pass"):
        return False
    if _last_projectile(sentence, number.i, projectile_tokens, lexicon) is None and (
        _context_class(sentence, projectile_tokens) is None
        or any(i >= sentence.start and i < sentence.end for i in projectile_tokens)
    ):
        return False
    verb = number.head
    return verb.i != number.i and bool(lemmas_of(verb) & lexicon.intercepted_verbs)


def _base_of(index: int, parts_of: dict[int, list[int]]) -> int:
    """The count a run of elliptic parts details or adds to."""
    return next((base for base, parts in parts_of.items() if index in parts), index)


def _shot_down_before(sentence: Span, start: int, lexicon: QuantityLexicon) -> bool:
    """A verb of interception right before the number, past quotes ("avoir « intercepté et
    détruit » 137 drones", parsed with the drones hung elsewhere): it takes them."""
    j = start - 1
    while j > sentence.start and sentence.doc[j].text in _CLOSING_QUOTES:
        j -= 1
    verb = sentence.doc[j]
    return (
        j < start - 1
        and verb.pos_ in ("VERB", "AUX", "ADJ")
        and bool(lemmas_of(verb) & lexicon.intercepted_verbs)
    )


def _whole_of_parts(before: list[Token]) -> bool:
    """ "sur les 22 missiles", "Sur 12 roquettes": a whole a part is taken from."""
    words = [folded_text(t) for t in before]
    while words and words[-1] in _DEFINITE:
        words.pop()
    return bool(words) and words[-1] == "sur"


def _breakdowns(counts: list[Count], parts_of: dict[int, list[int]]) -> list[Count]:
    """Parts with the noun understood that add up to the figure before them are its breakdown,
    not more of it ("118 ont été abattus, 52 au-dessus de A, 39 au-dessus de B et 27 au-dessus
    de C"); parts that do not are more ("58 drones au-dessus de A et 23 au-dessus de B")."""
    for base, parts in parts_of.items():
        if sum(counts[k].quantity.value for k in parts) == counts[base].quantity.value:
            for k in parts:
                counts[k] = replace(counts[k], relation="subset")
    return counts


def _named_victims(sentence: Span, lexicon: QuantityLexicon) -> list[Count]:
    """People a casualty verb in the active names one by one, without a number: "tuant son
    conducteur", "blessant le chauffeur et deux passagères", "a tué le maire" (1 each)."""
    doc = sentence.doc
    tokens = tokens_of(doc)
    found: list[Count] = []
    for verb in span_tokens(sentence):
        if verb.pos_ not in ("VERB", "AUX", "ADJ", "NOUN"):
            continue
        slot = _casualty_verb(verb, lexicon)
        if slot is None or not _active_casualty(verb):
            continue
        j = verb.i + 1
        while j < sentence.end and tokens[j].pos_ == "ADV" and fold(tokens[j].text).endswith("ment"):
            j += 1  # "blessant grièvement"
        if j + 1 >= sentence.end or fold(tokens[j].text) not in _POSSESSIVE_OR_DEFINITE:
            continue
        k = j + 1
        if tokens[k].pos_ == "ADJ" and k + 1 < sentence.end:
            k += 1  # "son jeune frère"
        noun = tokens[k]
        forms = lemmas_of(noun)
        if (
            noun.pos_ != "NOUN"
            or not forms & lexicon.people_nouns
            or forms & (lexicon.killed_nouns | lexicon.injured_nouns | lexicon.victim_nouns)
            or "Plur" in feature_of(noun, "Number")
        ):
            continue
        if k + 2 < sentence.end and tokens[k + 1].text == "," and fold(tokens[k + 2].text) in ("un", "une"):
            continue  # "tuant son conducteur, un homme de 45 ans": the apposition counts him
        named = [(j, noun)]
        # "blessant le chauffeur et son apprenti": one more person, joined to the one named
        for other in children(noun):
            determiners = [c for c in children(other) if c.dep_ == "det"]
            if (
                other.dep_ == "conj"
                and other.pos_ == "NOUN"
                and lemmas_of(other) & lexicon.people_nouns
                and lemma_of(other) != lemma_of(noun)
                and "Plur" not in feature_of(other, "Number")
                and len(determiners) == 1
                and folded_text(determiners[0]) in _POSSESSIVE_OR_DEFINITE
            ):
                named.append((determiners[0].i, other))
        for first, person in named:
            found.append(_one(slot, first, person, _group(person, lexicon)))
    return found


def _single_subjects(
    sentence: Span, lexicon: QuantityLexicon, projectile_tokens: dict[int, str] | None = None
) -> list[Count]:
    """A person the text names in the singular by a definite or possessive determiner as the
    subject of a passive verb of death or injury: "Le chauffeur, qui tentait de fuir, a été
    abattu", "son frère a été blessé" (1 each); with `projectile_tokens`, one projectile shot
    down (`_one_shot_down`). Targets: `_single_targets`."""
    found: list[Count] = []
    for verb in span_tokens(sentence):
        if verb.pos_ not in ("VERB", "ADJ"):
            continue
        passive = is_passive(verb)
        if (
            projectile_tokens is not None
            and verb.pos_ == "VERB"
            and has_verb_form(verb, lexicon.intercepted_verbs)
            and not _negated(verb, lexicon)
        ):
            shot = _one_shot_down(verb, passive, sentence, projectile_tokens, lexicon)
            if shot is not None:
                found.append(shot)
                continue
        if not passive or _negated(verb, lexicon):
            continue
        slot: Slot | None = _casualty_verb(verb, lexicon)
        people = slot is not None
        if slot is None:
            continue
        subjects = [c for c in children(verb) if c.dep_ in ("nsubj", "nsubj:pass")]
        # "Huit policiers et leur chauffeur ont été tués": one more, joined to a counted subject
        # "Une femme et son fils ont été tués": one more, joined to a subject the article counts
        subjects += [
            c
            for s in subjects
            if any(
                n.dep_ == "nummod" or (n.dep_ == "det" and n.i == s.i - 1 and folded_text(n) in _ONE)
                for n in children(s)
            )
            for c in children(s)
            if c.dep_ == "conj" and people
        ]
        for noun in subjects:
            if noun.pos_ != "NOUN" or noun.i < sentence.start:
                continue
            forms = lemmas_of(noun)
            if not forms & (lexicon.people_nouns if people else lexicon.target_nouns):
                continue
            if forms & (
                lexicon.killed_nouns
                | lexicon.injured_nouns
                | lexicon.victim_nouns
                | lexicon.perpetrator_nouns
            ):
                continue
            if _plural(noun):
                continue
            determiners = [c for c in children(noun) if c.dep_ == "det"]
            if len(determiners) != 1 or fold(determiners[0].text) not in lexicon.single_determiners:
                continue
            if any(c.dep_ == "nummod" for c in children(noun)):
                continue
            start = determiners[0].i
            found.append(_one(slot, start, noun, _group(noun, lexicon) if people else None))
    return found


_ONE = frozenset({"un", "une"})


def _one_shot_down(
    verb: Token, passive: bool, sentence: Span, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> Count | None:
    """One projectile a verb of interception says was shot down, its passive subject or its
    active object ("ont abattu un drone"): named by an
    indefinite article ("Un missile a été intercepté", "un autre drone avait été abattu"), or
    understood after a projectile named in the sentence or the one before (";" ends a
    sentence): "l'un d'eux a été abattu", "l'une a été interceptée", "et un autre a été
    brouillé". Intercepted 1, of that projectile's class; "un autre" is one more than those
    counted (disjoint). Not under a negation or a possibility (the caller's and `_hypothetical`)."""
    if _hypothetical(verb):
        return None
    tokens = tokens_of(sentence.doc)
    roles = ("nsubj", "nsubj:pass") if passive else ("obj",)
    for subject in children(verb):
        if subject.dep_ not in roles or subject.i < sentence.start:
            continue
        if any(c.dep_ == "nummod" for c in children(subject)):
            return None  # a number: the main reader's
        start = subject.i
        word = folded_text(subject)
        determiners = [c for c in children(subject) if c.dep_ == "det"]
        article = len(determiners) == 1 and folded_text(determiners[0]) in _ONE
        noun: Token | None = None
        if word in _ONE and start > sentence.start and folded_text(tokens[start - 1]) in ("l'", "l"):
            # "l'un d'eux", "l'une" ("l'un des appareils" is the reader's: its noun follows)
            after = [folded_text(t) for t in tokens[start + 1 : min(sentence.end, start + 3)]]
            if after[:1] in (["des"], ["du"]) or (
                after[:1] in (["d'"], ["de"]) and after[1:] not in (["eux"], ["elles"], ["entre"])
            ):
                return None
            noun, start = _understood_projectile(sentence, start, projectile_tokens, lexicon), start - 1
        elif word == "autre" and article:
            # "et un autre a été brouillé"
            start = determiners[0].i
            noun = _understood_projectile(sentence, start, projectile_tokens, lexicon)
        elif subject.pos_ == "NOUN" and article and not _plural(subject):
            if _category(subject, projectile_tokens, lexicon) != "projectile":
                return None
            if any(
                c.dep_ == "amod" and folded_text(c) in lexicon.ordinal_words and folded_text(c) != "autre"
                for c in children(subject)
            ):
                return None  # "un deuxième drone": which one of a series, left to the reader
            noun, start = subject, determiners[0].i
        if noun is None:
            return None
        other = word == "autre" or any(
            folded_text(c) == "autre" for c in children(subject) if c.dep_ == "amod"
        )
        return Count(
            slot="intercepted",
            quantity=Quantity(value=1, qualifier="exact", text=sentence.doc[start : subject.i + 1].text),
            relation="disjoint" if other else "normal",
            noun=lemma_of(noun),
            start=start,
            end=subject.i + 1,
            weapon_class=_projectile_class(noun, projectile_tokens, lexicon),
        )
    return None


def _understood_projectile(
    sentence: Span, before: int, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> Token | None:
    """The projectile a pronoun stands for: the last named before it in the sentence, or in the
    sentence before ("Deux roquettes ont été tirées ; l'une a été interceptée")."""
    noun = _last_projectile(sentence, before, projectile_tokens, lexicon)
    if noun is not None or sentence.start == 0:
        return noun
    earlier = [i for i in projectile_tokens if i < sentence.start]
    tokens = tokens_of(sentence.doc)
    if earlier and max(earlier) >= tokens[sentence.start - 1].sent.start:
        return tokens[max(earlier)]
    return None


def _single_targets(sentence: Span, lexicon: QuantityLexicon) -> list[Count]:
    """A destroyable thing the text names in the singular by a definite, possessive or
    demonstrative determiner that a verb of damage takes: its passive subject ("Le véhicule a
    été détruit", "l'ambulance, garée devant l'hôpital, a été endommagée") or its object ("ont
    incendié le poste de police", "endommageant le pont"): 1 each. A mere mention ("le pont
    de Kertch", "sa maison détruite") is none; a negated or hypothetical verb neither."""
    doc = sentence.doc
    tokens = tokens_of(doc)
    found: list[Count] = []
    for noun in span_tokens(sentence):
        if noun.pos_ != "NOUN" or noun.i < sentence.start:
            continue
        if (
            lemma_of(noun) not in lexicon.target_nouns
            and folded_text(noun) not in lexicon.target_nouns
            and not _split_compound_of(noun, lexicon.target_nouns)
        ):
            continue  # (most nouns: read without building a set)
        forms = lemmas_of(noun)
        if _plural(noun):
            continue
        if forms & lexicon.territory_nouns and not (
            noun.i + 2 < sentence.end and fold(tokens[noun.i + 1].text) in ("de", "d'")
        ):
            continue  # "le village a été incendié" is ground; "le poste de police" a building
        determiners = [c for c in children(noun) if c.dep_ == "det"]
        contracted = noun.i > sentence.start and folded_text(tokens[noun.i - 1]) in _CONTRACTED
        if not determiners and noun.i > sentence.start and (tokens[noun.i - 1].pos_ == "DET" or contracted):
            determiners = [tokens[noun.i - 1]]  # "la destruction du pont": "du" is both
        if len(determiners) != 1 or not (
            fold(determiners[0].text) in lexicon.single_determiners
            or determiners[0].i == noun.i - 1
            and contracted
        ):
            continue
        determiner = determiners[0]
        if any(c.dep_ == "nummod" for c in children(noun)):
            continue
        if _complement_of_a_target(determiner, sentence, lexicon):
            continue  # "la façade du bâtiment", "le toit de la maison": one thing damaged
        verb = _damaging_verb(noun, sentence, determiner.i, lexicon, participle=False) or _gapped_damage(
            noun, lexicon
        )
        if verb is None:
            if not _complement_of_a_damage_noun(determiner, sentence, lexicon):
                continue
        elif _negated(verb, lexicon) or _hypothetical(verb):
            continue
        found.append(
            Count(
                slot="destroyed",
                quantity=Quantity(value=1, qualifier="exact", text=doc[determiner.i : noun.i + 1].text),
                relation="normal",
                noun=lemma_of(noun),
                start=determiner.i,
                end=noun.i + 1,
            )
        )
    return found


def _gapped_damage(noun: Token, lexicon: QuantityLexicon) -> Token | None:
    """The participle of damage of a clause whose auxiliary is understood from the verb it is
    joined to ("Deux soldats ont été blessés et le véhicule endommagé", "trois morts ont été
    relevés et la mairie incendiée"): the parser makes the noun a conjunct of that verb and the
    participle its modifier."""
    if noun.dep_ != "conj" or not is_verb(noun.head) or noun.head.i > noun.i:
        return None
    for child in children(noun):
        if (
            child.dep_ in ("acl", "amod")
            and child.i == noun.i + 1
            and "Part" in feature_of(child, "VerbForm")
            and not folded_text(child).endswith("ant")
            and _damages(child, noun, lexicon)
        ):
            return child
    return None


def _plural(noun: Token) -> bool:
    """A plural noun; one ending in -s or -x is, unless the parser reads it singular ("le bus",
    "son fils", "le prix")."""
    number = feature_of(noun, "Number")
    return "Plur" in number or ("Sing" not in number and folded_text(noun).endswith(("s", "x")))


_DAMAGE_NOUN_PREPOSITIONS = frozenset({"de", "d'", "du", "sur", "a", "au"})
_CONTRACTED = frozenset({"du", "au"})


def _complement_of_a_target(determiner: Token, sentence: Span, lexicon: QuantityLexicon) -> bool:
    """A thing named as the complement of another destroyable thing ("la façade du bâtiment",
    "le toit de l'immeuble"): the damage is counted once, on the first."""
    doc = determiner.doc
    j = determiner.i if folded_text(determiner) in _CONTRACTED else determiner.i - 1
    if j <= sentence.start or folded_text(doc[j]) not in ("de", "d'", "du"):
        return False
    k = j - 1
    while k > sentence.start and doc[k].pos_ == "ADJ":
        k -= 1  # "la façade principale du bâtiment", "le bloc opératoire de la clinique"
    return bool(lemmas_of(doc[k]) & lexicon.target_nouns)


def _complement_of_a_damage_noun(determiner: Token, sentence: Span, lexicon: QuantityLexicon) -> bool:
    """A thing named after a noun of damage and its preposition ("des dégâts sur la façade",
    "l'incendie de l'entrepôt", "la destruction du pont"); not under a negation ("sans dégâts
    sur le bâtiment", "aucun dommage au pont")."""
    doc = determiner.doc
    j = determiner.i if folded_text(determiner) in _CONTRACTED else determiner.i - 1
    if j <= sentence.start or folded_text(doc[j]) not in _DAMAGE_NOUN_PREPOSITIONS:
        return False
    link = doc[j - 1]
    if link.pos_ != "NOUN" or not lemmas_of(link) & lexicon.damage_link_nouns:
        return False
    window = doc[max(sentence.start, link.i - 3) : link.i]
    return not any(folded_text(t) in ("sans", "ni", "pas", "aucun", "aucune", "nul", "nulle") for t in window)


def _hypothetical(verb: Token) -> bool:
    """A verb under "si", "sans" or a modal ("si le pont était détruit", "sans endommager le
    navire", "le pont pourrait être détruit")."""
    for child in children(verb):
        if child.dep_ in ("mark", "case") and folded_text(child) in ("si", "s'", "sans"):
            return True
        if child.dep_.startswith("aux") and lemma_of(child) in ("pouvoir", "devoir"):
            return True
    return verb.dep_ == "xcomp" and lemma_of(verb.head) in ("pouvoir", "devoir", "risquer", "menacer")


_FORESEEING = frozenset({"pouvoir", "devoir", "risquer", "menacer", "prevoir", "envisager", "compter"})


def _foreseen(verb: Token | None) -> bool:
    """The infinitive of a possibility, an expectation or a threat ("pourrait lancer", "devrait
    tirer", "menace d'envoyer", "prévoit de lancer", "pourra être intercepté"): what it counts is
    not reported done; not a modal in a past tense ("a pu abattre" is done)."""
    if verb is None:
        return False
    if verb.dep_ == "xcomp" and lemma_of(verb.head) in _FORESEEING:
        modal = verb.head
    elif lemma_of(verb) in _FORESEEING and any(c.dep_ == "xcomp" for c in children(verb)):
        modal = verb  # the count hung on the modal ("pourrait lancer « 400 drones »")
    else:
        return False
    if lemma_of(modal) not in ("pouvoir", "devoir"):
        return True
    moods = [modal, *(c for c in children(modal) if c.dep_.startswith("aux"))]
    return any("Cnd" in feature_of(t, "Mood") or "Fut" in feature_of(t, "Tense") for t in moods)


def _denied(verb: Token | None, lexicon: QuantityLexicon) -> bool:
    """A negated verb, or an infinitive under one ("n'a pas tiré", "n'a pas besoin de tirer",
    "ne veut pas lancer", "n'a jamais cherché à abattre"): what it counts did not happen."""
    node = verb
    for _ in range(3):
        if node is None:
            return False
        if _negated(node, lexicon):
            return True
        if "Inf" not in feature_of(node, "VerbForm") or node.head.i == node.i:
            return False
        node = node.head
        if node.pos_ == "NOUN" and node.head.i != node.i:
            node = node.head  # "besoin de tirer": the verb the noun is the object of
    return False


def _ordinals(sentence: Span, lexicon: QuantityLexicon) -> list[Count]:
    """ "Deux policiers ont été tués et un troisième blessé", "Un quatrième occupant, grièvement
    blessé, a été évacué": one more person, injured or killed as the words after it say (read on
    the words: the parser hangs the ordinal anywhere)."""
    doc = sentence.doc
    tokens = tokens_of(doc)
    found: list[Count] = []
    for token in span_tokens(sentence):
        if folded_text(token) not in lexicon.ordinal_words or token.i == sentence.start:
            continue
        if fold(tokens[token.i - 1].text) not in ("un", "une"):
            continue
        noun: Token | None = None
        slot: Slot | None = None
        for following in doc[token.i + 1 : min(sentence.end, token.i + 7)]:
            casualty = _casualty_verb(following, lexicon)
            if casualty is not None and not _active_casualty(following):
                slot = casualty
                break
            if following.text == "," or following.pos_ in ("ADV", "AUX"):
                continue
            if noun is None and following.pos_ in ("NOUN", "VERB", "ADJ"):
                noun = following  # "un quatrième occupant"
                if not lemmas_of(noun) & lexicon.people_nouns and following.pos_ == "NOUN":
                    break  # "un deuxième drone", "un troisième assaut": no person
                continue
            break
        if slot is None:
            continue
        found.append(
            Count(
                slot=slot,
                quantity=Quantity(value=1, qualifier="exact", text=doc[token.i - 1 : token.i + 1].text),
                relation="normal",
                noun=folded_text(token),
                start=token.i - 1,
                end=token.i + 1,
            )
        )
    return found


_NONE = frozenset({"aucun", "aucune"})
_NONE_OF = frozenset({"des", "de", "d'", "ces", "ses", "leurs"})


def _none_intercepted(
    sentence: Span, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> list[Count]:
    """Projectiles of which none was shot down: "aucun des missiles n'a été intercepté", "aucun
    des six drones n'a pu être abattu", "a abattu 41 drones mais aucun des missiles", "aucune
    roquette n'a été interceptée": intercepted 0, exact (a figure, not a missing one)."""
    if "aucun" not in span_text(sentence).lower():  # (Span.text builds a Token per word)
        return []  # (most sentences: one string search)
    doc = sentence.doc
    tokens = tokens_of(doc)
    found: list[Count] = []
    for token in span_tokens(sentence):
        if folded_text(token) not in _NONE:
            continue
        j = token.i + 1
        while (
            j < sentence.end
            and j <= token.i + 3
            and (folded_text(tokens[j]) in _NONE_OF or _is_numberish(tokens[j], lexicon))
        ):
            j += 1
        if j >= sentence.end:
            continue
        noun: Token | None = tokens[j]
        if noun is not None and _category(noun, projectile_tokens, lexicon) != "projectile":
            # "six missiles ont été tirés, dont aucun n'a été intercepté": the noun understood,
            # the last projectile named before in the sentence
            understood = j == token.i + 1 and folded_text(tokens[j]) in ("ne", "n'")
            noun = _last_projectile(sentence, token.i, projectile_tokens, lexicon) if understood else None
            j = token.i
        if noun is None:
            continue
        if not any(
            _intercepts(v, lexicon)
            for v in (nearest_head(token, _verb_tagged, 4), nearest_head(tokens[j], _verb_tagged, 4))
        ):
            continue
        found.append(
            Count(
                slot="intercepted",
                quantity=Quantity(value=0, qualifier="exact", text=doc[token.i : j + 1].text),
                relation="normal",
                noun=lemma_of(noun),
                start=token.i,
                end=j + 1,
                weapon_class=_projectile_class(noun, projectile_tokens, lexicon),
            )
        )
    return found


def _last_projectile(
    sentence: Span, before: int, projectile_tokens: dict[int, str], lexicon: QuantityLexicon
) -> Token | None:
    """The last noun of a projectile named in the sentence before a position."""
    tokens = tokens_of(sentence.doc)
    for k in range(before - 1, sentence.start - 1, -1):
        if (
            tokens[k].pos_ in ("NOUN", "PROPN")
            and _category(tokens[k], projectile_tokens, lexicon) == "projectile"
        ):
            return tokens[k]
    return None


def _intercepts(verb: Token | None, lexicon: QuantityLexicon) -> bool:
    """A verb of interception, or a modal whose infinitive is one ("n'a pu être abattu")."""
    if verb is None:
        return False
    if has_verb_form(verb, lexicon.intercepted_verbs):
        return True
    return any(c.dep_ == "xcomp" and has_verb_form(c, lexicon.intercepted_verbs) for c in children(verb))


def _active_casualty(verb: Token) -> bool:
    """ "tuant", "blessant" (a present participle), "a tué", "ont blessé" (active with avoir)."""
    folded = folded_text(verb)
    if folded.endswith("ant") or (
        "Part" in feature_of(verb, "VerbForm") and "Pres" in feature_of(verb, "Tense")
    ):
        return True
    if is_passive(verb):
        return False
    return any(c.dep_.startswith("aux") and lemma_of(c) == "avoir" for c in children(verb))


def _combine_qualifiers(qualifiers: Iterable[Qualifier]) -> Qualifier:
    return max(qualifiers, key=lambda q: _QUALIFIER_ORDER[q], default="exact")


def sentence_slots(counts: list[Count]) -> dict[Slot, Quantity]:
    """One quantity per slot for a sentence: subsets are dropped, disjoint counts ("36 autres")
    and counts of different things ("50 drones et 5 missiles") add up, repeats keep the max.
    The sum is a revision when one of its parts is; its group is the parts' common group."""
    slots: dict[Slot, Quantity] = {}
    toll_words = default_lexicon().toll_words
    for slot in SLOTS:
        parts = [c for c in counts if c.slot == slot and c.relation != "subset"]
        if not parts and slot in _PROJECTILE_SLOTS:
            # "cinq missiles tirés, dont deux ont été interceptés": the part is all this slot has
            parts = [c for c in counts if c.slot == slot]
        if not parts:
            continue
        if any(c.revised for c in parts):
            # "trois morts d'abord ; le bilan s'est alourdi à cinq morts": the revision is the
            # toll, the figures beside it are earlier reports or details.
            parts = [c for c in parts if c.revised]
        by_noun: dict[str, list[Count]] = {}
        for part in parts:
            # "seize morts ..., qui avait d'abord fait état de neuf victimes": the nouns of a toll
            # itself name no group of their own; two of them in a sentence are two reports
            noun = "#toll" if part.noun in toll_words else part.noun
            key = noun if part.relation == "normal" else f"{noun}#{part.start}"
            by_noun.setdefault(key, []).append(part)
        chosen = [max(group, key=lambda c: c.quantity.value) for group in by_noun.values()]
        groups = {c.group for c in chosen}
        slots[slot] = Quantity(
            value=sum(c.quantity.value for c in chosen),
            qualifier=_combine_qualifiers(c.quantity.qualifier for c in chosen),
            text=" + ".join(c.quantity.text for c in chosen),
            group=groups.pop() if len(groups) == 1 else None,
            revised=any(c.revised for c in chosen),
        )
    return slots


def larger(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    """The higher of two reports of one figure (tolls only rise: "le bilan s'alourdit")."""
    if a is None or b is None:
        return a or b
    if b.value != a.value:
        return b if b.value > a.value else a
    return a if _QUALIFIER_ORDER[a.qualifier] <= _QUALIFIER_ORDER[b.qualifier] else b
