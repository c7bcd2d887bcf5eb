"""Conflict events in a parsed French article: one `Event` per event mention.

A mention is anchored on a trigger from `enrich/data/triggers.yaml` (a lemma, a verb + object
compound such as "couper l'aide", or a fixed phrase such as "cible légitime"), kept only when
the sentence reports it (not hypothetical, asked for, negated, a question or a purpose), and
typed with `enrich/data/taxonomy.yaml` (ACLED types; PLOVER types as `Interaction`). Its slots
come from the dependency parse:
- actor: subject of the trigger verb, agent of a passive, subject of a light verb ("l'Ukraine
  a mené une attaque"), demonym ("frappes russes", "drones ukrainiens"), "de" + state;
- target: object, "contre/sur X", passive subject; for interceptions, the interceptor's state
  (the launcher is the actor: "La Russie a abattu 337 drones" -> target russie);
- counts, casualties (enrich/quantities.py), weapons and places (KB), date (enrich/dates.py).
A sentence that only reports a toll ("un mort et trois blessés") continues the last violent
event of the article. `merge_mentions` folds the mentions into document-level events.

Modules, in reading order: `lexicon` (data files), `state` (what is carried through an
article), `modality`, `parties`, `places` (and weapons), `slots`, `triggers`, `counts`,
`merge`, and `extractor` (the `EventExtractor` composing them).
"""

from __future__ import annotations

from enrich.events.extractor import EventExtractor
from enrich.events.lexicon import (
    INTERACTION,
    TAXONOMY_PATH,
    TAXONOMY_SCHEMA_PATH,
    TRIGGERS_PATH,
    TRIGGERS_SCHEMA_PATH,
    CompoundRule,
    EventLexicon,
    TriggerRule,
    default_lexicon,
)
from enrich.events.merge import merge_mentions
from enrich.events.places import specific_places

__all__ = [
    "INTERACTION",
    "TAXONOMY_PATH",
    "TAXONOMY_SCHEMA_PATH",
    "TRIGGERS_PATH",
    "TRIGGERS_SCHEMA_PATH",
    "CompoundRule",
    "EventExtractor",
    "EventLexicon",
    "TriggerRule",
    "default_lexicon",
    "merge_mentions",
    "specific_places",
]
