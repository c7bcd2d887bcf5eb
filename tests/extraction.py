"""Readers the enrichment tests share: entities, event mentions and counts of a text, read
with the real model (tests/ is on sys.path under pytest: `from extraction import ...`)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from enrich.entities import aggregate, doc_mentions
from enrich.events.state import PROJECTILE_CLASSES
from enrich.kb import default_kb
from enrich.quantities import Count, find_counts, sentence_slots
from vigie.core.models import EntityMention, Event


def entities(nlp: Language, text: str) -> dict[str, EntityMention]:
    """The canonical entities of `text`, by id."""
    kb = default_kb()
    return {e.id: e for e in aggregate(doc_mentions(nlp(text), kb), kb)}


def types(events: list[Event]) -> set[tuple[str, str]]:
    return {(e.event_type, e.sub_event_type) for e in events}


def one(events: list[Event], sub_event_type: str) -> Event:
    """The only event of `sub_event_type` (the assertion lists what was found)."""
    found = [e for e in events if e.sub_event_type == sub_event_type]
    assert len(found) == 1, [(e.sub_event_type, e.trigger) for e in events]
    return found[0]


def ids(*refs: object) -> tuple[str | None, ...]:
    return tuple(getattr(r, "id", None) for r in refs)


def projectiles(doc: Doc) -> dict[int, str]:
    """Token index -> weapon class, for the tokens of the projectiles the KB names in `doc`."""
    return {
        i: m.entry.weapon_class
        for m in doc_mentions(doc, default_kb())
        if m.entry is not None and m.entry.weapon_class in PROJECTILE_CLASSES
        for i in range(m.start, m.end)
    }


def counts_of(nlp: Language, text: str) -> list[Count]:
    doc = nlp(text)
    found = projectiles(doc)
    return [c for sentence in doc.sents for c in find_counts(sentence, found)]


def slots(nlp: Language, text: str) -> dict[str, tuple[int, str]]:
    """Each count slot of `text`'s sentences as (value, qualifier)."""
    return {
        slot: (quantity.value, quantity.qualifier)
        for slot, quantity in sentence_slots(counts_of(nlp, text)).items()
    }
