"""Repairs of the dependency parse that the event readers share.

- The parser often reads a day named right after a verb as the verb's object and hangs the
  real object on it: "ont adopté lundi des sanctions", "a appelé jeudi les parties à respecter
  la trêve", "a visé mercredi une voiture" (the noun under "lundi", "jeudi", "mercredi").
  Every reader asks the verb for its object, so the noun is put back under the verb as its
  object and the day becomes an adjunct. The day words are data (`triggers.yaml` `time_nouns`).
- It also reads a present participle describing the subject as the main verb: "Des insurgés
  se réclamant de l'EI ont tué cinq civils" has "réclamant" as its root, the subject on it and
  "ont tué" as its adverbial clause. The finite verb becomes the root with that subject, the
  participle the subject's modifier.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from enrich.events.lexicon import EventLexicon
from enrich.tokens import (
    case_of,
    children_of,
    feature_of,
    is_finite,
    is_verb,
    lemma_of,
    parse_changed,
    tokens_of,
)

# A plural indefinite article the parser reads as "de" + the article ("des sanctions").
_ARTICLE_CASES = (None, "des")


def reattach_objects_of_days(doc: Doc, lexicon: EventLexicon) -> int:
    """Put the objects the parser hung on a day ("annoncé mercredi des sanctions") back under
    their verb; the number of objects moved."""
    moved = 0
    for day in tokens_of(doc):
        if lemma_of(day) not in lexicon.time_nouns and day.lower_ not in lexicon.time_nouns:
            continue
        verb = day.head
        if verb.i == day.i or not is_verb(verb):
            continue  # also behind a preposition: "des combats opposent depuis dimanche l'Armée ... aux"
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
        parse_changed(doc)
        moved += 1
    return moved


# What sets a participle off before the finite verb: a comma, or the end of a quoted or
# bracketed apposition ("Les assaillants, « huit hommes armés » arrivés en hors-bord, ont pillé").
_SETTING_OFF = frozenset({",", "»", ")", "”", '"'})


def promote_finite_verbs(doc: Doc) -> int:
    """Make the finite verb the root of a sentence the parser rooted on a participle
    describing the subject: a present participle ("Des insurgés se réclamant de l'EI ont tué
    ...") or a past participle without auxiliary set off by a comma ("Les assaillants, arrivés à
    moto, ont pillé ..."); the number of sentences repaired."""
    repaired = 0
    for sentence in doc.sents:
        root = sentence.root
        if root.pos_ != "VERB" or "Part" not in feature_of(root, "VerbForm"):
            continue
        if "Pres" not in feature_of(root, "Tense") and not (
            "Past" in feature_of(root, "Tense")
            and root.i > sentence.start
            and doc[root.i - 1].text in _SETTING_OFF
            and not any(c.dep_.startswith("aux") for c in root.children)
        ):
            continue
        subjects = [s for s in children_of(root, "nsubj") if s.i < root.i]
        if len(subjects) > 1 and doc[root.i - 1].text != ",":
            # "Les assaillants, « huit hommes armés » arrivés en hors-bord, ont pillé": the
            # quoted or bracketed noun after the subject is its apposition
            for other in subjects[1:]:
                other.head = subjects[0]
                other.dep_ = "appos"
            parse_changed(doc)  # the cached children are stale now, even if no repair follows
            subjects = subjects[:1]
        finite = [
            c
            for c in root.children
            if c.dep_ in ("advcl", "conj", "parataxis", "ccomp")
            and c.i > root.i
            and is_finite(c)
            and not children_of(c, "nsubj", "nsubj:pass", "mark")
        ]
        if len(subjects) != 1 or not finite:
            continue
        subject, verb = subjects[0], finite[0]
        verb.head = verb
        verb.dep_ = "ROOT"
        subject.head = verb
        root.head = subject
        root.dep_ = "acl"
        parse_changed(doc)
        repaired += 1
    return repaired
