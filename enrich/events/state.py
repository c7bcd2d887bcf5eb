"""What the event reader carries through one article: its candidates, its memory of the
article read so far, and the readings of a trigger every step shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Token

from enrich.entities import Mention
from enrich.kb import KBEntry
from enrich.quantities import Slot
from enrich.tokens import case_of, children, children_of, feature_of, is_verb
from vigie.core.models import EntityRef, Place, Quantity

PROJECTILE_CLASSES = frozenset({"drone", "missile", "artillery", "bomb"})
SUBJECTS = ("nsubj", "nsubj:pass")
PENDING = ""  # the type of a toll read before any event it could belong to


@dataclass
class Candidate:
    """One trigger occurrence in a sentence, with the slots read around it."""

    event_type: str
    sub_event_type: str
    interaction: str | None
    trigger: Token
    role: str
    actor: EntityRef | None = None
    target: EntityRef | None = None
    places: list[Place] = field(default_factory=list)
    weapons: list[str] = field(default_factory=list)
    slots: dict[Slot, Quantity] = field(default_factory=dict)
    confidence: float = 0.6
    refers_back: bool = False  # "l'attaque a été revendiquée mardi": a claim on the attack told
    claimed: bool = False  # "ont revendiqué samedi une attaque": the day stated is the claim's
    # a headline's type read only from the article's weapons, kept for when no event follows
    fallback: tuple[str, str] | None = None


@dataclass
class DocState:
    """What the extractor remembers while reading one article in order."""

    doc: Doc
    mentions_at: dict[int, Mention]
    weapon_classes: list[str]
    recent_subjects: list[Mention | KBEntry] = field(default_factory=list)
    last_violent: tuple[str, str] | None = None
    last_violent_date: date | None = None

    def is_weapon(self, token: Token) -> bool:
        mention = self.mentions_at.get(token.i)
        return mention is not None and mention.type == "WEAPON"

    def is_projectile(self, token: Token) -> bool:
        mention = self.mentions_at.get(token.i)
        return bool(mention and mention.entry and mention.entry.weapon_class in PROJECTILE_CLASSES)


def entry_of(participant: Mention | KBEntry | None) -> KBEntry | None:
    if participant is None:
        return None
    return participant if isinstance(participant, KBEntry) else participant.entry


def objects_of(token: Token) -> list[Token]:
    """What a trigger acts on: its objects, the noun a participle describes, their complements."""
    objects = children_of(token, "obj", "nsubj:pass")
    if token.dep_ in ("acl", "acl:relcl", "amod") and token.head.i != token.i:
        objects.append(token.head)
    for obj in list(objects):
        objects.extend(c for c in children(obj) if c.dep_ in ("nmod", "conj"))
    return objects


def verbal(token: Token) -> bool:
    """A verb, or a word the tagger missed as one but that has a verb's auxiliaries ("ont
    violé" tagged an adverb)."""
    return is_verb(token) or bool(children_of(token, "aux:tense", "aux:pass"))


def pronominal(verb: Token) -> bool:
    """A verb with a reflexive clitic ("se sont retirées", "s'est abattu"): its subject, which
    the parser often reads as a passive one, acts."""
    return any(
        c.dep_.startswith("expl") or c.dep_ in ("obj", "iobj")
        for c in children(verb)
        if c.pos_ == "PRON" and "Yes" in feature_of(c, "Reflex")
    )


def impact_weapon(token: Token, state: DocState, nouns: frozenset[str] = frozenset()) -> Token | None:
    """The weapon a verb of impact is about: its subject ("un obus s'est abattu"), its
    agent ("tués par un engin explosif") or its place ("a sauté sur un engin explosif", "a
    roulé sur une mine"): a weapon mention, or one of `nouns` the knowledge base does not tag."""
    for child in children(token):
        if child.dep_ in ("nsubj", "nsubj:pass", "obl:agent", "obl", "obl:arg", "obl:mod"):
            if child.dep_.startswith("obl") and case_of(child) not in ("par", "sur"):
                continue
            if state.is_weapon(child) or (child.pos_ == "NOUN" and child.lemma_.lower() in nouns):
                return child
    return None
