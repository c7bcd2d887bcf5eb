"""Repairs of the dependency parse that the event readers share.

The parser often reads a day named right after a verb as the verb's object and hangs the real
object on it: "ont adopté lundi des sanctions", "a appelé jeudi les parties à respecter la
trêve", "a visé mercredi une voiture" (the noun under "lundi", "jeudi", "mercredi"). Every
reader asks the verb for its object, so the noun is put back under the verb as its object
and the day becomes an adjunct. The day words are data (`triggers.yaml` `time_nouns`).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from enrich.events.lexicon import EventLexicon
from enrich.tokens import case_of, children_of, is_verb, lemma_of

# A plural indefinite article the parser reads as "de" + the article ("des sanctions").
_ARTICLE_CASES = (None, "des")


def reattach_objects_of_days(doc: Doc, lexicon: EventLexicon) -> int:
    """Put the objects the parser hung on a day ("annoncé mercredi des sanctions") back under
    their verb; the number of objects moved."""
    moved = 0
    for day in doc:
        if lemma_of(day) not in lexicon.time_nouns and day.lower_ not in lexicon.time_nouns:
            continue
        verb = day.head
        if verb.i == day.i or not is_verb(verb) or case_of(day) is not None:
            continue
        if any(o.i != day.i for o in children_of(verb, "obj")):
            continue  # the verb has its object already
        holders = [day] + [
            c
            for c in day.children
            if c.i > day.i and (lemma_of(c) in lexicon.time_nouns or c.lower_ in lexicon.time_nouns)
        ]
        objects = [
            c
            for holder in holders
            for c in holder.children
            if c.i > day.i
            and c.dep_ in ("obj", "nmod", "appos")
            and c.pos_ in ("NOUN", "PROPN")
            and lemma_of(c) not in lexicon.time_nouns
            and c.lower_ not in lexicon.time_nouns
            and case_of(c) in _ARTICLE_CASES
        ]
        if not objects:
            continue
        first: Token = min(objects, key=lambda t: t.i)
        first.head = verb
        first.dep_ = "obj"
        if day.dep_ == "obj":
            day.dep_ = "obl:mod"
        moved += 1
    return moved
