"""Story assignment: the articles of different outlets about one happening share a `story_id`,
and the incidents they report about it become story incidents, their figures counted once.

Runs after enrichment, on the incidents (`Event`s) the enricher found and the canonical names
it put on each article (`places`, `persons`, `organisations`, `weapons`). Articles stay
distinct documents; `story_id` ties them. The policy is data: `vigie/stories/policy.yaml`.

A story is one happening (or one negotiation round) across outlets. Each story has an ANCHOR,
its first article (`story_anchor`, `story_id` = its id); a new article joins a story only when
it matches the anchor, never merely another member, so stories do not chain (A~B and B~C do
not put C with A). A new article matches an anchor published within `window_hours` when:

  (a) both have a lead incident (`story_lead`: the located incident an article is mainly
      about, see `vigie.stories.incidents`) and the two are one happening: same incident
      class (sub-types a rewrite may swap), a shared specific place, compatible weapons. Two
      articles whose leads differ are never one story: a strike on Soumy and talks in Istanbul
      stay apart whatever names they share;
  (b) one of them has no lead (talks without a venue read, sanctions, statements, an article
      whose incident the enricher missed) and they share RARE names: each shared name weighs
      by how common it is in the recent articles index (`vigie.stories.rarity`: heads of state,
      countries, capitals, the Kremlin weigh almost nothing), and the shared names must weigh
      `min_score` in all with at least `min_rare` of them weighing `rare_weight` or more when
      the two report incidents of a common class, `min_rare_alone` when not (a city and its
      governor are named by every report from there, whatever happened); and the weapons the
      two articles name must not be of different groups only (a missile strike, a mine).

An article takes the story of its best match (a lead match before a names match, then the
earliest anchor), else opens a story of its own and becomes its anchor.

Measured on tests/fixtures/stories_same_day.yaml (41 articles of one day: 27 incidents, 14
rewrites by other outlets) with the real enricher: no false merge, 14 of 14 rewrites joined
(13 with an enricher that does not read "a largué des bombes planantes": that original then
shares only its city and governor with the rewrite, too little without a common incident).

Determinism and batches. The batch is processed in (published, id) order, each article
compared with the stored anchors and the anchors opened earlier in the batch, and name weights
come from the days before the article's own day (stored articles plus the batch's, never the
article's own day): the same articles give the same stories whatever the batch size, as long
as batches come in publication order (the pipeline's). The batch's articles are never their
own candidates from the store (a batch run again after a crash decides as the first time).
Articles stored by the caller's earlier batches and not refreshed yet (`recent`) are anchors
and counted names as if searched: left out of the day searches by id and counted from memory.

Requests: ONE msearch per batch: per article a lead search and a names search on the articles
index (anchors only, within the window; each only when the article has lead keys or names to
look for), plus one count per UTC day the batch covers. Then the
story incidents are merged into the `stories` index (one multi-get and one bulk; see
`vigie.stories.incidents.write_incidents`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from elasticsearch import Elasticsearch

from ingest.extract import parse_datetime
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Event, StoryLead, to_utc
from vigie.core.settings import Settings
from vigie.stories.incidents import (
    PendingIncident,
    incident_key,
    lead_of,
    report_of,
    same_incident,
    write_incidents,
)
from vigie.stories.policy import StoryPolicy, Vocabulary, default_policy, default_vocabulary
from vigie.stories.rarity import ENTITY_FIELDS, Named, Rarity, add_batch, day_search, read_day, utc_day

log = logging.getLogger(__name__)

STAGE = "story"
Tier = Literal["lead", "names"]
TIER_ORDER = {"lead": 0, "names": 1}
LEAD_FIELDS = ("kind", "sub_event_type", "places", "weapons")
ANCHOR_FIELDS = (
    "id",
    "story_id",
    "published",
    "event_types",
    *ENTITY_FIELDS,
    *(f"story_lead.{name}" for name in LEAD_FIELDS),
)


def _doc_values(names: Sequence[str]) -> dict[str, Any]:
    """Read the hits' fields from doc values, not from `_source`: every field the rule needs is
    a keyword or a date, and loading a stored `_source` (the whole article) for each of up to
    50 candidates per article was most of the candidate search. Multi-valued keywords come
    back sorted and deduplicated: the rule reads them as sets."""
    return {"_source": False, "stored_fields": "_none_", "docvalue_fields": list(names)}


def _first(fields: dict[str, list[Any]], name: str) -> Any:
    values = fields.get(name)
    return values[0] if values else None


def broad_places() -> frozenset[str]:
    """Lower-cased names, aliases and ids the knowledge base marks as broad."""
    return default_vocabulary().broad


def names_of(entities: dict[str, Iterable[str]]) -> dict[str, str]:
    """An article's names, whatever field the enricher filed them under (a person in one
    article can be an organisation in another): lower-cased -> as written."""
    names: dict[str, str] = {}
    for field_name in ENTITY_FIELDS:
        for value in entities.get(field_name, ()):
            names.setdefault(value.lower(), value)
    return names


@dataclass
class _Profile:
    """What the rule compares, for a batch article or a stored anchor."""

    id: str
    published: datetime
    names: dict[str, str] = field(default_factory=dict)
    lead: StoryLead | None = None
    story_id: str = ""
    weapons: list[str] = field(default_factory=list)  # classes of the weapons the article names
    kinds: frozenset[str] = frozenset()  # incident classes of the article's incidents

    def __post_init__(self) -> None:
        self.story_id = self.story_id or self.id

    @property
    def key(self) -> tuple[datetime, str]:
        return (to_utc(self.published), self.id)

    def named(self) -> Named:
        return Named(self.id, self.published, self.names)


@dataclass
class Match:
    anchor: _Profile
    tier: Tier

    @property
    def rank(self) -> tuple[int, datetime, str]:
        return (TIER_ORDER[self.tier], *self.anchor.key)


def _lead_from_fields(fields: dict[str, list[Any]]) -> StoryLead | None:
    kind = _first(fields, "story_lead.kind")
    if kind is None:
        return None
    places = [str(p) for p in fields.get("story_lead.places") or []]
    return StoryLead(
        kind=kind,
        sub_event_type=_first(fields, "story_lead.sub_event_type") or kind,
        places=places,
        weapons=[str(w) for w in fields.get("story_lead.weapons") or []],
        keys=[f"{kind}|{place}" for place in places],
    )


class StoryClusterer:
    def __init__(
        self,
        es: Elasticsearch,
        settings: Settings,
        policy: StoryPolicy | None = None,
        vocabulary: Vocabulary | None = None,
    ):
        self.es = es
        self.settings = settings
        self.articles_index = settings.index("articles")
        self.policy = policy or default_policy()
        self.window = timedelta(hours=self.policy.window_hours)
        self.vocabulary = vocabulary or default_vocabulary()
        self.rarity = Rarity(self.policy.entities, self.vocabulary)

    # the rule ----------------------------------------------------------------------------------

    def entity_overlap(self, a: _Profile, b: _Profile, day: date | None = None) -> tuple[float, int]:
        """(summed weight, number of rare names) of the names two articles share, weighed on
        the recent index of `day` (by default `a`'s day)."""
        day = day or utc_day(a.published)
        score, rare = 0.0, 0
        for lowered in a.names.keys() & b.names.keys():
            weight = self.rarity.weight(lowered, day)
            score += weight
            rare += weight >= self.policy.entities.rare_weight
        return score, rare

    def same_story(self, new: _Profile, anchor: _Profile) -> Tier | None:
        """How `new` matches the story `anchor` opened (None: it does not)."""
        if abs(to_utc(new.published) - to_utc(anchor.published)) > self.window:
            return None
        if new.lead is not None and anchor.lead is not None:
            return "lead" if same_incident(new.lead, anchor.lead, self.policy) else None
        if not self.policy.weapons_compatible(new.weapons, anchor.weapons):
            return None  # a missile strike and a mine in one city, told by the same governor
        score, rare = self.entity_overlap(new, anchor)
        entities = self.policy.entities
        needed = entities.min_rare if new.kinds & anchor.kinds else entities.min_rare_alone
        return "names" if score >= entities.min_score and rare >= needed else None

    # candidates --------------------------------------------------------------------------------

    def _anchor_filter(self, profile: _Profile, exclude: Sequence[str]) -> dict[str, Any]:
        published = to_utc(profile.published)
        return {
            "filter": [
                {"term": {"story_anchor": True}},
                {
                    "range": {
                        "published": {
                            "gte": (published - self.window).isoformat(),
                            "lte": (published + self.window).isoformat(),
                        }
                    }
                },
            ],
            "must_not": [{"ids": {"values": list(exclude)}}, {"exists": {"field": "duplicate_of"}}],
        }

    def _lead_search(self, profile: _Profile, exclude: Sequence[str]) -> dict[str, Any]:
        keys = sorted(profile.lead.keys) if profile.lead else []
        return {
            "size": self.policy.candidates_per_article if keys else 0,
            **_doc_values(ANCHOR_FIELDS),
            "query": {
                "bool": {
                    **self._anchor_filter(profile, exclude),
                    "should": [{"terms": {"story_lead.keys": keys}}] if keys else [{"match_none": {}}],
                    "minimum_should_match": 1,
                }
            },
            "sort": [
                {"published": {"order": "asc", "unmapped_type": "date"}},
                {"id": {"order": "asc", "unmapped_type": "keyword"}},
            ],
        }

    def _names_search(self, profile: _Profile, exclude: Sequence[str]) -> dict[str, Any]:
        # Broad names weigh nothing whatever the counts: they only crowd the candidates.
        names = sorted(v for k, v in profile.names.items() if k not in self.vocabulary.broad)
        should = [{"term": {field_name: name}} for name in names for field_name in ENTITY_FIELDS]
        return {
            "size": self.policy.candidates_per_article if should else 0,
            **_doc_values(ANCHOR_FIELDS),
            "query": {
                "bool": {
                    **self._anchor_filter(profile, exclude),
                    "should": should or [{"match_none": {}}],
                    "minimum_should_match": 1,
                }
            },
            "sort": [
                "_score",
                {"published": {"order": "asc", "unmapped_type": "date"}},
                {"id": {"order": "asc", "unmapped_type": "keyword"}},
            ],
        }

    def _search(
        self, profiles: Sequence[_Profile], recent: Sequence[Named] = ()
    ) -> dict[str, list[_Profile]]:
        """Stored anchors per article id, and the name counts of the batch's days, from one
        msearch. `recent`: stored articles the index may not show yet (not refreshed), counted
        from memory and left out of the day searches (they may show, by the refresh tick)."""
        if not profiles:
            return {}
        header = {"index": self.articles_index, "ignore_unavailable": True, "allow_no_indices": True}
        exclude = sorted(p.id for p in profiles)
        searches: list[dict[str, Any]] = []
        # Per profile, the positions of its lead and names searches among the responses; a
        # search that can find nothing (no lead keys, no names: size 0) is not sent.
        positions: list[list[int]] = []
        for profile in profiles:
            mine: list[int] = []
            for body in (self._lead_search(profile, exclude), self._names_search(profile, exclude)):
                if body["size"]:
                    mine.append(len(searches) // 2)
                    searches += [header, body]
            positions.append(mine)
        asked = len(searches) // 2
        named = [p.named() for p in profiles]
        days = self.rarity.searches(named)
        if recent:
            # The same day searches (the batch's days and names), the recent articles left out
            # by id as the batch's are: both are counted from memory (`add_batch`).
            by_day: dict[date, dict[str, str]] = defaultdict(dict)
            for article in named:
                by_day[utc_day(article.published)].update(article.names)
            left_out = sorted({*(a.id for a in named), *(a.id for a in recent)})
            days = [
                (day, day_search(day, sorted(set(by_day[day].values())), self.policy.entities, left_out))
                for day in sorted(by_day)
            ]
        for _day, body in days:
            searches += [header, body]
        responses = self.es.msearch(searches=searches)["responses"] if searches else []
        for result in responses:
            if "error" in result:
                raise RuntimeError(f"story candidate search failed: {result['error']}")
        self.rarity.days.clear()
        for (day, _body), response in zip(days, responses[asked:], strict=True):
            self.rarity.days[day] = read_day(response)
        add_batch(self.rarity.days, [*named, *recent], self.policy.entities)

        dates: dict[str, datetime | None] = {}  # the same anchors come back for many articles

        def published_of(fields: dict[str, list[Any]]) -> datetime | None:
            value = _first(fields, "published")
            if value not in dates:
                dates[value] = parse_datetime(value)
            return dates[value]

        found: dict[str, list[_Profile]] = {}
        for number, profile in enumerate(profiles):
            anchors: dict[str, _Profile] = {}
            for response in (responses[position] for position in positions[number]):
                for hit in response["hits"]["hits"]:
                    fields = hit.get("fields") or {}
                    identifier = _first(fields, "id")
                    published = published_of(fields)
                    if identifier is None or published is None or identifier in anchors:
                        continue
                    anchors[identifier] = _Profile(
                        id=identifier,
                        story_id=_first(fields, "story_id") or identifier,
                        published=published,
                        names=names_of({f: fields.get(f) or [] for f in ENTITY_FIELDS}),
                        lead=_lead_from_fields(fields),
                        weapons=self.vocabulary.weapon_classes_of(fields.get("weapons") or []),
                        kinds=self.kinds(fields.get("event_types") or []),
                    )
            found[profile.id] = list(anchors.values())
        return found

    # assignment --------------------------------------------------------------------------------

    def profile(self, article: Article, events: Sequence[Event]) -> _Profile:
        assert article.published is not None
        weapons = self.vocabulary.weapon_classes_of(article.weapons)
        return _Profile(
            id=article.id,
            published=article.published,
            names=names_of({f: getattr(article, f) for f in ENTITY_FIELDS}),
            lead=lead_of(events, self.policy, self.vocabulary, weapons),
            weapons=weapons,
            kinds=self.kinds([*article.event_types, *(e.sub_event_type for e in events)]),
        )

    def kinds(self, sub_event_types: Iterable[str]) -> frozenset[str]:
        return frozenset(self.policy.kind(sub_type) for sub_type in sub_event_types)

    def remembered_anchor(self, article: Article) -> _Profile:
        """A stored anchor known from memory (`assign`'s `recent`), as `_search` reads one
        from the index (doc values of the stored article)."""
        assert article.published is not None
        return _Profile(
            id=article.id,
            story_id=article.story_id or article.id,
            published=article.published,
            names=names_of({f: getattr(article, f) for f in ENTITY_FIELDS}),
            lead=article.story_lead,
            weapons=self.vocabulary.weapon_classes_of(article.weapons),
            kinds=self.kinds(article.event_types),
        )

    def assign(
        self,
        articles: Iterable[Article],
        summary: RunSummary,
        events: Iterable[Event] = (),
        recent: Sequence[Article] = (),
    ) -> None:
        """Set `story_id`, `story_anchor` and `story_lead` on every article (in place), and
        merge the story incidents of `events` (the batch's incidents) into the stories index.

        `recent`: articles stored earlier (by the caller) that searches may not show yet (not
        refreshed): their anchors are candidates and their names count, as if searched."""
        events = list(events)
        by_article: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            by_article[event.article_id].append(event)
        batch = sorted(
            articles,
            key=lambda a: (a.published is None, to_utc(a.published) if a.published else datetime.min, a.id),
        )
        profiles: list[_Profile] = []
        story_of: dict[str, _Profile] = {}  # article id -> the anchor of its story
        for article in batch:
            if article.published is None:
                article.story_id, article.story_anchor = article.id, True
                weapons = self.vocabulary.weapon_classes_of(article.weapons)
                article.story_lead = lead_of(
                    by_article.get(article.id, []), self.policy, self.vocabulary, weapons
                )
                summary.record(STAGE, "accepted", article.id, "undated:own_story")
                continue
            profiles.append(self.profile(article, by_article.get(article.id, [])))
        by_id = {a.id: a for a in batch}
        # What the index holds but may not show yet: counted as stored (left out of the day
        # searches by id, counted from memory); their anchors added to every article's candidates.
        known = [
            a for a in recent if a.id not in by_id and a.published is not None and a.duplicate_of is None
        ]
        stored = self._search(
            profiles,
            [
                Named(a.id, a.published, names_of({f: getattr(a, f) for f in ENTITY_FIELDS}))
                for a in known
                if a.published is not None
            ],
        )
        remembered = [self.remembered_anchor(a) for a in known if a.story_anchor]
        if remembered:
            for profile in profiles:
                have = {candidate.id for candidate in stored[profile.id]}
                stored[profile.id].extend(a for a in remembered if a.id not in have)
        opened: list[_Profile] = []  # anchors opened by this batch, in (published, id) order
        for profile in profiles:
            start = to_utc(profile.published) - self.window
            candidates = [a for a in stored[profile.id]] + [a for a in opened if to_utc(a.published) >= start]
            matches = [Match(c, tier) for c in candidates if (tier := self.same_story(profile, c))]
            match = min(matches, key=lambda m: m.rank) if matches else None
            article = by_id[profile.id]
            article.story_lead = profile.lead
            if match is None:
                article.story_id, article.story_anchor = profile.id, True
                opened.append(profile)
                story_of[profile.id] = profile
                summary.record(STAGE, "accepted", profile.id, "new_story")
            else:
                article.story_id, article.story_anchor = match.anchor.story_id, False
                story_of[profile.id] = match.anchor
                summary.record(STAGE, "accepted", profile.id, "joined_story")
                summary.count(f"story:joined_by_{match.tier}")
        if events:
            self._write_incidents(batch, story_of, by_article, summary)

    def refresh(self, articles: Iterable[Article], summary: RunSummary, events: Iterable[Event]) -> None:
        """New versions of stored articles keep their story (`story_id`, `story_lead`); their
        incidents' reports replace the earlier version's in the story incidents (reports are
        keyed by event id), so a revised toll reaches the figures the dashboards count."""
        by_article: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            by_article[event.article_id].append(event)
        kept = [a for a in articles if a.story_id]
        if kept and by_article:
            self._write_incidents(kept, {}, by_article, summary)

    def _write_incidents(
        self,
        batch: Sequence[Article],
        story_of: dict[str, _Profile],
        by_article: dict[str, list[Event]],
        summary: RunSummary,
    ) -> None:
        pending: dict[tuple[str, str], PendingIncident] = {}
        for article in batch:
            anchor = story_of.get(article.id)
            story_id = article.story_id or article.id
            lead = anchor.lead if anchor is not None else article.story_lead
            story_published = anchor.published if anchor is not None else article.published
            for event in by_article.get(article.id, []):
                key = incident_key(event, lead, self.policy, self.vocabulary)
                incident = pending.setdefault(
                    (story_id, key), PendingIncident(story_id, key, story_published)
                )
                incident.reports.append(report_of(event))
        written = write_incidents(self.es, self.settings, list(pending.values()), self.policy.figures)
        summary.count("story_incidents", len(written.written))
        if written.failed:
            summary.count("story_incidents:failed", len(written.failed))


def assign_stories(
    es: Elasticsearch,
    settings: Settings,
    articles: Sequence[Article],
    summary: RunSummary,
    events: Sequence[Event] = (),
    policy: StoryPolicy | None = None,
    recent: Sequence[Article] = (),
) -> None:
    """Set `story_id` on each article (its best-matching story's anchor, else its own id) and
    store the story incidents of `events` (from the enricher; without them only the names rule
    applies and no story incident is written). `recent`: stored articles searches may not show
    yet (see `StoryClusterer.assign`)."""
    StoryClusterer(es, settings, policy).assign(articles, summary, events, recent)


def refresh_story_incidents(
    es: Elasticsearch,
    settings: Settings,
    articles: Sequence[Article],
    summary: RunSummary,
    events: Sequence[Event],
) -> None:
    """Merge the incidents of new versions of stored articles into their stories' incidents
    (see `StoryClusterer.refresh`)."""
    StoryClusterer(es, settings).refresh(articles, summary, events)
