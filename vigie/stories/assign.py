"""Story clustering: articles from different outlets about the same event share a `story_id`.

Runs after enrichment: it reads the events the enricher found (sub-type and place) and the
canonical entities it put on each article (`places`, `persons`, `organisations`, `weapons`).
Articles stay distinct documents; only `story_id` ties them.

Signal. Two articles are the same story when published within `window_hours` (36 h) of each
other AND
  (a) they report an event of the same ACLED sub-type at the same place ("Air/drone strike"
      at `moscou`): ACLED's own notion of one event (type, place, date); or
  (b) their canonical entities overlap strongly: weighted score >= `min_entity_score` with at
      least `min_specific_shared` specific entities in common (for stories without a located
      event: talks, statements).
Country-, continent- and bloc-level places ("Ukraine", "Russie", "Europe") and generic weapon
classes ("drone") are shared by nearly every article of a war: they never make an event place
in (a) and count little in (b). Capitals count half in (b): "Moscou" and "Kiev" mostly stand
for the states. Which names are broad is read from the enrichment knowledge base
(`enrich/data/kb.yaml`: `kind`, `generic`). Shared PLOVER interactions (CONSULT, THREATEN...)
are not a signal: almost every article has one.

Why: with the real enricher, 000, 002 and the same-story article share (Air/drone strike,
moscou) on 11 March 2025, while their entity overlap is thin (hand-built lists in the tests,
000 vs the same-story article: Moscou, Arabie saoudite, Kremlin = 1.25). A same-day strike on Kharkiv shares "Ukraine",
"Russie" and "Zelensky" with 000: 1.5 < 4, and its event place differs (tests/test_ingest_story.py).

Candidates: ONE msearch per batch with, per article, a search on the events index (same
sub-type and place within the window) and one on the articles index (entities within the
window); plus the articles of the batch itself. The batch is processed by published time,
then id, so the outcome does not depend on input order. An article takes the story of its
earliest-published match (stored or earlier in the batch), else its own id.
"""

from __future__ import annotations

import heapq
import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from elasticsearch import Elasticsearch

from enrich.kb import KnowledgeBase, default_kb
from ingest.extract import parse_datetime
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Event
from vigie.core.settings import Settings

log = logging.getLogger(__name__)

STAGE = "story"
BROAD_KINDS = frozenset({"country", "continent", "bloc"})
INTERACTION = "Interaction"  # Event.event_type of PLOVER-only events
ENTITY_FIELDS = ("places", "persons", "organisations", "weapons")
EventKey = tuple[str, str]  # (sub_event_type, place id)
ARTICLE_FIELDS = ("id", "story_id", "published", *ENTITY_FIELDS)
EVENT_FIELDS = ("article_id", "story_id", "published", "event_type", "sub_event_type", "places.id")


def _doc_values(names: Sequence[str]) -> dict[str, Any]:
    """Read the hits' fields from doc values, not from `_source`: every field the rule needs is
    a keyword or a date, and loading a stored `_source` (the whole article, in compressed
    blocks) for each of up to 50 candidates per article was most of the candidate search
    (about 3 of 4.3 ms per article at 8,500 stored articles). Multi-valued keywords come back
    sorted and deduplicated: the rule reads them as sets."""
    return {"_source": False, "stored_fields": "_none_", "docvalue_fields": list(names)}


def _first(fields: dict[str, list[Any]], name: str) -> Any:
    values = fields.get(name)
    return values[0] if values else None


@dataclass(frozen=True)
class Vocabulary:
    """How specific a canonical name is, from the knowledge base (lower-cased names, aliases, ids)."""

    broad: frozenset[str] = frozenset()
    capitals: frozenset[str] = frozenset()


def vocabulary(kb: KnowledgeBase | None = None) -> Vocabulary:
    """Broad and capital names of the knowledge base `enrich` reads (the default one, parsed
    and validated once per process by `enrich.kb.default_kb`)."""
    kb = kb or default_kb()
    broad: set[str] = set()
    capitals: set[str] = set()
    for entry in kb.entries.values():
        names = {entry.id.lower(), *(name.lower() for name in (entry.name, *entry.aliases) if name)}
        if entry.kind in BROAD_KINDS or (entry.kind == "region" and not entry.country) or entry.generic:
            broad |= names
        elif entry.kind == "capital":
            capitals |= names
    return Vocabulary(frozenset(broad), frozenset(capitals))


@cache
def default_vocabulary() -> Vocabulary:
    return vocabulary()


def broad_places() -> frozenset[str]:
    """Lower-cased names, aliases and ids the knowledge base marks as broad."""
    return default_vocabulary().broad


@dataclass(frozen=True)
class StoryPolicy:
    window_hours: float = 36.0
    weights: dict[str, float] = field(
        default_factory=lambda: {"places": 1.0, "persons": 1.0, "weapons": 1.0, "organisations": 0.5}
    )
    broad_weight: float = 0.25
    capital_weight: float = 0.5
    min_entity_score: float = 4.0
    min_specific_shared: int = 3
    candidates_per_article: int = 50


@dataclass
class _Profile:
    """What the rule compares, for a stored or a batch article."""

    id: str
    story_id: str
    published: datetime
    entities: dict[str, frozenset[str]] = field(default_factory=dict)
    event_keys: set[EventKey] = field(default_factory=set)

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.published, self.id)


def _key(profile: _Profile) -> tuple[datetime, str]:
    return profile.key


def event_keys(events: Iterable[Event], broad: frozenset[str]) -> dict[str, set[EventKey]]:
    """(sub-type, specific place id) of each article's located, non-interaction events."""
    keys: dict[str, set[EventKey]] = defaultdict(set)
    for event in events:
        if event.event_type == INTERACTION:
            continue
        for place in event.places:
            if place.id.lower() not in broad:
                keys[event.article_id].add((event.sub_event_type, place.id))
    return keys


class StoryClusterer:
    def __init__(self, es: Elasticsearch, settings: Settings, policy: StoryPolicy | None = None):
        self.es = es
        self.articles_index = settings.index("articles")
        self.events_index = settings.index("events")
        self.policy = policy or StoryPolicy()
        self.window = timedelta(hours=self.policy.window_hours)
        self.vocabulary = default_vocabulary()

    # the rule ----------------------------------------------------------------------------------

    def entity_overlap(self, a: _Profile, b: _Profile) -> tuple[float, int]:
        """(weighted score, number of specific entities) shared by two articles."""
        score, specific = 0.0, 0
        for name in ENTITY_FIELDS:
            for value in a.entities.get(name, frozenset()) & b.entities.get(name, frozenset()):
                lowered = value.lower()
                if lowered in self.vocabulary.broad:
                    score += self.policy.broad_weight
                elif name == "places" and lowered in self.vocabulary.capitals:
                    score += self.policy.capital_weight
                else:
                    score += self.policy.weights[name]
                    specific += 1
        return score, specific

    def same_story(self, a: _Profile, b: _Profile) -> bool:
        if abs(a.published - b.published) > self.window:
            return False
        if a.event_keys & b.event_keys:
            return True
        score, specific = self.entity_overlap(a, b)
        return score >= self.policy.min_entity_score and specific >= self.policy.min_specific_shared

    # candidates --------------------------------------------------------------------------------

    def _window(self, profile: _Profile) -> dict[str, Any]:
        window = timedelta(hours=self.policy.window_hours)
        return {
            "range": {
                "published": {
                    "gte": (profile.published - window).isoformat(),
                    "lte": (profile.published + window).isoformat(),
                }
            }
        }

    def _article_search(self, profile: _Profile) -> dict[str, Any]:
        should = [{"terms": {name: sorted(values)}} for name, values in profile.entities.items() if values]
        return {
            "size": self.policy.candidates_per_article if should else 0,
            **_doc_values(ARTICLE_FIELDS),
            "query": {
                "bool": {
                    "filter": [self._window(profile)],
                    "should": should or [{"match_none": {}}],
                    "minimum_should_match": 1,
                    "must_not": [{"ids": {"values": [profile.id]}}, {"exists": {"field": "duplicate_of"}}],
                }
            },
            "sort": [
                "_score",
                {"published": {"order": "asc", "unmapped_type": "date"}},
                {"id": {"order": "asc", "unmapped_type": "keyword"}},
            ],
        }

    def _event_search(self, profile: _Profile) -> dict[str, Any]:
        should = [
            {"bool": {"filter": [{"term": {"sub_event_type": sub_type}}, {"term": {"places.id": place}}]}}
            for sub_type, place in sorted(profile.event_keys)
        ]
        return {
            "size": self.policy.candidates_per_article if should else 0,
            **_doc_values(EVENT_FIELDS),
            "query": {
                "bool": {
                    "filter": [self._window(profile)],
                    "should": should or [{"match_none": {}}],
                    "minimum_should_match": 1,
                    "must_not": [{"term": {"article_id": profile.id}}],
                }
            },
            "sort": [{"published": {"order": "asc", "unmapped_type": "date"}}],
        }

    def _search(self, profiles: Sequence[_Profile]) -> dict[str, list[_Profile]]:
        """Stored candidates per article id, from one msearch over both indices."""
        if not profiles:
            return {}
        header = {"ignore_unavailable": True, "allow_no_indices": True}
        searches: list[dict[str, Any]] = []
        for profile in profiles:
            searches += [{"index": self.articles_index, **header}, self._article_search(profile)]
            searches += [{"index": self.events_index, **header}, self._event_search(profile)]
        responses = self.es.msearch(searches=searches)["responses"]
        for result in responses:
            if "error" in result:
                raise RuntimeError(f"story candidate search failed: {result['error']}")
        found: dict[str, list[_Profile]] = {}
        dates: dict[str, datetime | None] = {}  # the same candidates come back for many articles

        def published_of(fields: dict[str, list[Any]]) -> datetime | None:
            value = _first(fields, "published")
            if value not in dates:
                dates[value] = parse_datetime(value)
            return dates[value]

        for profile, articles, events in zip(profiles, responses[0::2], responses[1::2], strict=True):
            candidates: dict[str, _Profile] = {}
            for hit in articles["hits"]["hits"]:
                fields = hit.get("fields") or {}
                identifier = _first(fields, "id")
                published = published_of(fields)
                if identifier is None or published is None:
                    continue
                candidates[identifier] = _Profile(
                    id=identifier,
                    story_id=_first(fields, "story_id") or identifier,
                    published=published,
                    entities={f: frozenset(fields.get(f) or []) for f in ENTITY_FIELDS},
                )
            for hit in events["hits"]["hits"]:
                fields = hit.get("fields") or {}
                article, sub_type = _first(fields, "article_id"), _first(fields, "sub_event_type")
                published = published_of(fields)
                if (
                    published is None
                    or None in (article, sub_type)
                    or _first(fields, "event_type") == INTERACTION
                ):
                    continue
                candidate = candidates.setdefault(
                    article,
                    _Profile(id=article, story_id=_first(fields, "story_id") or article, published=published),
                )
                candidate.event_keys |= {
                    (sub_type, place)
                    for place in fields.get("places.id") or []
                    if place.lower() not in self.vocabulary.broad
                }
            found[profile.id] = list(candidates.values())
        return found

    # assignment --------------------------------------------------------------------------------

    def assign(self, articles: Iterable[Article], summary: RunSummary, events: Iterable[Event] = ()) -> None:
        """Set `story_id` on every article (in place); `events` are the batch's event mentions."""
        keys = event_keys(events, self.vocabulary.broad)
        batch = sorted(articles, key=lambda a: (a.published is None, a.published or datetime.min, a.id))
        profiles: list[_Profile] = []
        for article in batch:
            if article.published is None:
                article.story_id = article.id
                summary.record(STAGE, "accepted", article.id, "undated:own_story")
                continue
            profiles.append(
                _Profile(
                    id=article.id,
                    story_id=article.id,
                    published=article.published,
                    entities={f: frozenset(getattr(article, f)) for f in ENTITY_FIELDS},
                    event_keys=set(keys.get(article.id, set())),
                )
            )
        stored = self._search(profiles)
        by_id = {a.id: a for a in batch}
        earlier: list[_Profile] = []  # the batch is in (published, id) order
        times: list[datetime] = []  # their publication times, for the window's start
        for profile in profiles:
            # The story of the earliest-published match: candidates in (published, id) order,
            # the stored one first on a tie, the first match wins (no need to test the rest).
            # Earlier batch articles before the window can never match: skipped.
            recent = earlier[bisect_left(times, profile.published - self.window) :]
            ordered = heapq.merge(sorted(stored[profile.id], key=_key), recent, key=_key)
            match = next((c for c in ordered if self.same_story(profile, c)), None)
            if match is not None:
                profile.story_id = match.story_id
            by_id[profile.id].story_id = profile.story_id
            earlier.append(profile)
            times.append(profile.published)
            summary.record(STAGE, "accepted", profile.id, "joined_story" if match else "new_story")


def assign_stories(
    es: Elasticsearch,
    settings: Settings,
    articles: Sequence[Article],
    summary: RunSummary,
    events: Sequence[Event] = (),
    policy: StoryPolicy | None = None,
) -> None:
    """Set `story_id` on each article: the story of its earliest-published match, else its id.
    Pass the batch's `events` (from the enricher): without them only the entity rule applies."""
    StoryClusterer(es, settings, policy).assign(articles, summary, events)
