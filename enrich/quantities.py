"""Counts read from a sentence and the event slot each one fills.

"plus de 390 drones" -> launched 390 at_least; "La Russie a abattu 337 drones, dont 91 ..." ->
intercepted 337 (91 is a subset); "34 drones ... tandis que 36 autres ont été abattus" ->
intercepted 70 (disjoint counts add up); "deux morts et des dizaines de blessés" -> killed 2,
injured 20 at_least; "blessures à une résidente" -> injured 1; "l'incendie de deux maisons" ->
destroyed 2. The words live in `enrich/data/quantities.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from spacy.tokens import Span, Token

from enrich.kb import DATA_DIR, load_yaml
from enrich.text import fold
from enrich.tokens import folded_words, lemma_of, lemmas_of, nearest_head
from vigie.core.models import Qualifier, Quantity

QUANTITIES_PATH = DATA_DIR / "quantities.yaml"
QUANTITIES_SCHEMA_PATH = DATA_DIR / "quantities.schema.json"
Slot = Literal["launched", "intercepted", "destroyed", "killed", "injured"]
Relation = Literal["normal", "subset", "disjoint"]
SLOTS: tuple[Slot, ...] = ("launched", "intercepted", "destroyed", "killed", "injured")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")
_THOUSANDS_GROUP = re.compile(r"^\d{3}$")
_QUALIFIER_ORDER: dict[Qualifier, int] = {"exact": 0, "approx": 1, "at_most": 2, "at_least": 3}


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
    )


def parse_number_word(word: str, lexicon: QuantityLexicon | None = None) -> int | None:
    """ "390" -> 390, "1 600" -> 1600, "deux" -> 2, "vingt-deux" -> 22, "deux-cents" -> 200."""
    lexicon = lexicon or default_lexicon()
    text = fold(word)
    compact = text.replace(" ", "")
    if compact.isdigit():
        return int(compact)
    if _DIGITS.match(compact):
        return int(float(compact.replace(",", ".")))
    total, current = 0, 0
    for part in re.split(r"[\s-]+|\bet\b", text):
        if not part:
            continue
        if part in ("cent", "cents", "mille"):
            current = max(current, 1) * lexicon.number_words[part]
            if part == "mille":
                total, current = total + current, 0
        elif part in lexicon.number_words:
            current += lexicon.number_words[part]
        else:
            return None
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
    if after is not None and fold(after.text) in lexicon.disjoint_markers:
        return "disjoint"
    return "normal"


def _verb_tagged(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and token.tag_ == "VERB")


def _modifier_lemmas(token: Token) -> set[str]:
    """Lemmas of participles and adjectives describing a noun ("34 drones neutralisés")."""
    lemmas: set[str] = set()
    for child in token.children:
        if child.dep_ in ("amod", "acl", "acl:relcl") or child.pos_ in ("VERB", "ADJ"):
            lemmas |= lemmas_of(child)
    return lemmas


def _linked_slot(left: list[Token], category: str, lexicon: QuantityLexicon) -> Slot | None:
    """A count right after a linking noun: "blessures à une résidente" (injured),
    "l'incendie de deux maisons" (destroyed). Read on the words, not the parse."""
    for token in reversed(left[-3:]):
        lemmas = lemmas_of(token)
        if category == "people":
            for lemma in lemmas:
                if lemma in lexicon.casualty_link_nouns:
                    return lexicon.casualty_link_nouns[lemma]
        if category == "target" and lemmas & lexicon.damage_link_nouns:
            return "destroyed"
    return None


def _slot_of(noun: Token, category: str, lexicon: QuantityLexicon) -> Slot | None:
    verb = nearest_head(noun, _verb_tagged, 4)
    verb_lemmas = lemmas_of(verb) if verb is not None else set()
    described = _modifier_lemmas(noun) | (
        lemmas_of(noun.head) if noun.dep_ in ("nsubj", "nsubj:pass") else set()
    )
    around = described | verb_lemmas
    if category == "killed":
        return "killed"
    if category == "injured":
        return "injured"
    if category == "people":
        head = lemma_of(noun.head)
        if head in lexicon.casualty_link_nouns:
            return lexicon.casualty_link_nouns[head]
        if around & lexicon.killed_verbs:
            return "killed"
        if around & lexicon.injured_verbs:
            return "injured"
        return None
    if category == "projectile":
        # The noun's own participle decides first: "Sur les 112 drones lancés, 87 ont été abattus".
        if described & lexicon.intercepted_verbs:
            return "intercepted"
        if described & lexicon.launched_verbs:
            return "launched"
        if verb_lemmas & lexicon.intercepted_verbs:
            return "intercepted"
        return "launched"
    if category == "target":
        if lemma_of(noun.head) in lexicon.damage_link_nouns or around & lexicon.destroyed_verbs:
            return "destroyed"
        return None
    return None


def _category(token: Token, projectile_tokens: dict[int, str], lexicon: QuantityLexicon) -> str | None:
    lemmas = lemmas_of(token)
    if token.i in projectile_tokens:
        return "projectile"
    if lemmas & lexicon.killed_nouns:
        return "killed"
    if lemmas & lexicon.injured_nouns:
        return "injured"
    if lemmas & lexicon.people_nouns:
        return "people"
    if lemmas & lexicon.target_nouns:
        return "target"
    return None


def is_background(sentence: Span, lexicon: QuantityLexicon | None = None) -> bool:
    """A sentence giving a cumulative toll ("depuis le début de la guerre")."""
    lexicon = lexicon or default_lexicon()
    folded = fold(sentence.text)
    return any(marker in folded for marker in lexicon.background_markers)


def find_counts(
    sentence: Span, projectile_tokens: dict[int, str], lexicon: QuantityLexicon | None = None
) -> list[Count]:
    """Counts of the sentence that fill an event slot. `projectile_tokens` maps the token
    indices of weapon mentions that can be launched or intercepted to their weapon class."""
    lexicon = lexicon or default_lexicon()
    doc = sentence.doc
    counts: list[Count] = []
    if is_background(sentence, lexicon):
        return counts
    previous_category: str | None = None
    previous_class: str | None = None
    i = sentence.start
    while i < sentence.end:
        token = doc[i]
        folded = fold(token.text)
        value: int | None = None
        qualifier: Qualifier | None = None
        start = end = i
        if token.like_num and _DIGITS.match(token.text) and not token.text.startswith("0"):
            value = parse_number_word(token.text, lexicon)
            end = i + 1
            while end < sentence.end and _THOUSANDS_GROUP.match(doc[end].text) and doc[end - 1].whitespace_:
                value = (value or 0) * 1000 + int(doc[end].text)
                end += 1
        elif folded in lexicon.approximate_nouns or folded.removesuffix("s") in lexicon.approximate_nouns:
            base = lexicon.approximate_nouns[folded if folded in lexicon.approximate_nouns else folded[:-1]]
            determiner = fold(doc[i - 1].text) if i > sentence.start else ""
            if determiner in lexicon.indefinite_plural_determiners and folded.endswith("s"):
                value, qualifier = base * lexicon.indefinite_plural_factor, "at_least"
                start = i - 1
            else:
                value, qualifier = base, "approx"
                start = i - 1 if determiner in ("une", "un") else i
            end = i + 1
        elif folded in lexicon.number_words or (
            "-" in folded and all(p in lexicon.number_words for p in folded.split("-"))
        ):
            value = parse_number_word(token.text, lexicon)
            end = i + 1
        if value is None:
            i += 1
            continue
        if end < sentence.end and fold(doc[end].text) in lexicon.multipliers and value < 1000:
            value *= lexicon.multipliers[fold(doc[end].text)]
            end += 1
        # The counted noun: right after the number, past "de" and a disjoint marker.
        cursor = end
        disjoint_marker: Token | None = None
        while cursor < sentence.end and fold(doc[cursor].text) in {"de", "d'"}:
            cursor += 1
        if cursor < sentence.end and fold(doc[cursor].text) in lexicon.disjoint_markers:
            disjoint_marker = doc[cursor]
            cursor += 1
        noun = doc[cursor] if cursor < sentence.end else None
        if noun is not None and fold(noun.text) in lexicon.measure_words:
            i = end
            continue
        is_article = folded in ("un", "une")
        category = _category(noun, projectile_tokens, lexicon) if noun is not None else None
        if category is None and disjoint_marker is not None and previous_category is not None:
            category, noun = previous_category, disjoint_marker
        elif (
            category is None
            and previous_category is not None
            and noun is not None
            and noun.pos_ in ("AUX", "VERB")
        ):
            # "Sur les 112 drones lancés, 87 ont été abattus": the noun is understood.
            category, noun = previous_category, doc[end - 1]
        if (
            category is None
            or noun is None
            or (is_article and category not in ("killed", "injured", "people"))
        ):
            i = end
            continue
        before = list(doc[max(sentence.start, start - 4) : start])
        slot = _linked_slot(before, category, lexicon) or _slot_of(noun, category, lexicon)
        if slot is None:
            i = end
            continue
        quantity = Quantity(
            value=value,
            qualifier=qualifier or _qualifier(before, lexicon),
            text=doc[start : cursor + 1].text,
        )
        weapon_class = projectile_tokens.get(noun.i) if category == "projectile" else None
        if category == "projectile" and weapon_class is None:
            weapon_class = previous_class
        elliptic = disjoint_marker is not None and noun.i == disjoint_marker.i or noun.i == end - 1
        counts.append(
            Count(
                slot=slot,
                quantity=quantity,
                relation=_relation(before, disjoint_marker, lexicon),
                noun=(previous_category or "") if elliptic else lemma_of(noun),
                start=start,
                end=max(cursor + 1, end),
                weapon_class=weapon_class,
            )
        )
        previous_category = category
        previous_class = weapon_class if category == "projectile" else previous_class
        i = max(cursor + 1, end)
    return counts


def _combine_qualifiers(qualifiers: Iterable[Qualifier]) -> Qualifier:
    return max(qualifiers, key=lambda q: _QUALIFIER_ORDER[q], default="exact")


def sentence_slots(counts: list[Count]) -> dict[Slot, Quantity]:
    """One quantity per slot for a sentence: subsets are dropped, disjoint counts ("36 autres")
    and counts of different things ("50 drones et 5 missiles") add up, repeats keep the max."""
    slots: dict[Slot, Quantity] = {}
    for slot in SLOTS:
        parts = [c for c in counts if c.slot == slot and c.relation != "subset"]
        if not parts:
            continue
        by_noun: dict[str, list[Count]] = {}
        for part in parts:
            key = part.noun if part.relation == "normal" else f"{part.noun}#{part.start}"
            by_noun.setdefault(key, []).append(part)
        chosen = [max(group, key=lambda c: c.quantity.value) for group in by_noun.values()]
        slots[slot] = Quantity(
            value=sum(c.quantity.value for c in chosen),
            qualifier=_combine_qualifiers(c.quantity.qualifier for c in chosen),
            text=" + ".join(c.quantity.text for c in chosen),
        )
    return slots


def larger(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    """The higher of two reports of one figure (tolls only rise: "le bilan s'alourdit")."""
    if a is None or b is None:
        return a or b
    if b.value != a.value:
        return b if b.value > a.value else a
    return a if _QUALIFIER_ORDER[a.qualifier] <= _QUALIFIER_ORDER[b.qualifier] else b
