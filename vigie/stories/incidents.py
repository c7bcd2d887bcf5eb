"""Lead incidents and story incidents.

Lead incident: the located incident an article is mainly about, the one stories compare
(`lead_of`): among the incidents that can define a story (policy: every ACLED event type,
negotiation rounds among interactions) and have a specific place, the first reported, a
headline mention first. Two leads are one happening when they are of the same incident class
(sub-types a rewrite may swap), share a specific place and name compatible weapons
(`same_incident`).

Story incident: one happening across the articles of a story, its figures counted once
(`vigie.core.models.StoryIncident`, the `stories` index). The incidents of a story's articles
fold by key: those that match the story's lead (its anchor's) are its "lead" incident, the
others fold by incident class and first specific place. Each document is rebuilt whole from
its reports (`build_incident`), sorted, so whatever order articles come in, and however they
are batched, the same reports give the same document; it is written conditionally (read with
its version, rewritten only if unchanged since, re-read on a conflict: `vigie.store.conditional`),
so two runs adding reports at once lose neither.

Storage choice: a document per story incident rather than flags on `Event`s, because the
figure a story shows can come from any of its articles and change when a later one reports a
higher toll: flags would mean rewriting earlier articles' events, here only the story's own
document changes, and a dashboard sums `killed.value` over it without double counting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from vigie.core.models import (
    Event,
    StoryFigure,
    StoryIncident,
    StoryLead,
    StoryReport,
    stable_id,
    to_utc,
)
from vigie.core.settings import Settings
from vigie.stories.policy import INTERACTION, StoryPolicy, Vocabulary

log = logging.getLogger(__name__)

LEAD = "lead"
NO_PLACE = "-"
SLOTS = ("launched", "intercepted", "destroyed", "killed", "injured")
_LATEST = datetime.max.replace(tzinfo=None)


def specific_places(event: Event, vocabulary: Vocabulary, *, capitals: bool = True) -> list[str]:
    """The ids of an incident's places that can tie a story: no country, continent or bloc
    (nearly every article of a war names them); capitals only when `capitals`."""
    places: list[str] = []
    for place in event.places:
        lowered = place.id.lower()
        if lowered in vocabulary.broad or (not capitals and lowered in vocabulary.capitals):
            continue
        if place.id not in places:
            places.append(place.id)
    return places


def _position(event: Event) -> tuple[int, int]:
    """Where an incident is first reported: a headline mention first, then text order."""
    if event.mentions:
        return min((0, m.sentence_start) if m.in_title else (1, m.sentence_start) for m in event.mentions)
    return (1, event.sentence_start)


def lead_places(event: Event, policy: StoryPolicy, vocabulary: Vocabulary) -> list[str]:
    capitals = event.event_type != INTERACTION or policy.interaction_capitals
    return specific_places(event, vocabulary, capitals=capitals)


def lead_of(
    events: Iterable[Event], policy: StoryPolicy, vocabulary: Vocabulary, weapons: Sequence[str] = ()
) -> StoryLead | None:
    """The lead incident of one article's incidents, or None.

    The first incident that can define a story (a headline mention first, then text order)
    gives the class the article is about; the lead is the first incident of that class with a
    specific place. None when that class is never located: an article opening on talks with no
    venue read is not about the strike it recalls further down. `weapons`: the classes the
    article names, for a lead whose own sentence names none."""
    ranked = sorted(
        (
            (_position(event), order, event)
            for order, event in enumerate(events)
            if policy.can_lead(event.event_type, event.sub_event_type)
        ),
        key=lambda item: item[:2],
    )
    if not ranked:
        return None
    kind = policy.kind(ranked[0][2].sub_event_type)
    for _rank, _order, event in ranked:
        if policy.kind(event.sub_event_type) != kind:
            continue
        places = lead_places(event, policy, vocabulary)
        if places:
            return StoryLead(
                kind=kind,
                sub_event_type=event.sub_event_type,
                places=places,
                weapons=vocabulary.weapon_classes_of(event.weapons) or list(weapons),
                keys=[f"{kind}|{place}" for place in places],
            )
    return None


def same_incident(a: StoryLead, b: StoryLead, policy: StoryPolicy) -> bool:
    """Two leads are one happening: same class, a shared specific place, compatible weapons."""
    return (
        a.kind == b.kind
        and bool(set(a.places) & set(b.places))
        and policy.weapons_compatible(a.weapons, b.weapons)
    )


def matches_lead(event: Event, lead: StoryLead, policy: StoryPolicy, vocabulary: Vocabulary) -> bool:
    """An incident of a story's article is the story's lead incident: same class, a shared
    specific place (or none given: "l'attaque a fait deux morts"), compatible weapons."""
    if policy.kind(event.sub_event_type) != lead.kind:
        return False
    places = lead_places(event, policy, vocabulary)
    if places and not set(places) & set(lead.places):
        return False
    return policy.weapons_compatible(vocabulary.weapon_classes_of(event.weapons), lead.weapons)


def incident_key(event: Event, lead: StoryLead | None, policy: StoryPolicy, vocabulary: Vocabulary) -> str:
    """The story incident an article's incident belongs to, within its story."""
    if lead is not None and matches_lead(event, lead, policy, vocabulary):
        return LEAD
    places = specific_places(event, vocabulary)
    return f"{policy.kind(event.sub_event_type)}|{places[0] if places else NO_PLACE}"


def incident_id(story_id: str, key: str) -> str:
    return stable_id("story-incident", story_id, key)


def report_of(event: Event) -> StoryReport:
    return StoryReport(
        event_id=event.id,
        article_id=event.article_id,
        source=event.source,
        published=event.published,
        article_title=event.article_title,
        article_url=event.article_url,
        event_type=event.event_type,
        sub_event_type=event.sub_event_type,
        interaction=event.interaction,
        places=list(event.places),
        event_date=event.event_date,
        **{slot: getattr(event, slot) for slot in SLOTS},
    )


def _when(report: StoryReport) -> datetime:
    return to_utc(report.published).replace(tzinfo=None) if report.published else _LATEST


def _report_order(report: StoryReport) -> tuple[datetime, str, str]:
    return (_when(report), report.article_id, report.event_id)


def choose_figure(reports: Sequence[StoryReport], slot: str, rule: str) -> StoryFigure | None:
    """The figure a story incident shows for `slot`: the highest value reported (a revised
    toll first on a tie, then the earliest report), or with rule "latest" the latest report's
    (the highest of its values); with every outlet and article that gave that value."""
    given = [(report, quantity) for report in reports if (quantity := getattr(report, slot)) is not None]
    if not given:
        return None
    given.sort(key=lambda item: _report_order(item[0]))  # earliest first: ties keep the earliest
    if rule == "latest":
        latest = max(_when(report) for report, _ in given)
        given = [item for item in given if _when(item[0]) == latest]
    top = max(quantity.value for _, quantity in given)
    at_top = [quantity for _, quantity in given if quantity.value == top]
    best = next((q for q in at_top if q.revised), at_top[0])
    same = [report for report, quantity in given if quantity.value == top]
    return StoryFigure(
        **best.model_dump(),
        sources=sorted({r.source for r in same}),
        article_ids=sorted({r.article_id for r in same}),
    )


def build_incident(
    story_id: str, key: str, story_published: datetime | None, reports: Iterable[StoryReport], rule: str
) -> StoryIncident:
    """A story incident from its reports alone: the same reports give the same document."""
    ordered = sorted({r.event_id: r for r in reports}.values(), key=_report_order)
    if not ordered:
        raise ValueError("a story incident needs at least one report")
    first = ordered[0]
    places = []
    seen: set[str] = set()
    for report in ordered:
        for place in report.places:
            if place.id not in seen:
                seen.add(place.id)
                places.append(place)
    dated = [r.published for r in ordered if r.published is not None]
    event_date = first.event_date or next((r.event_date for r in ordered if r.event_date), None)
    return StoryIncident(
        id=incident_id(story_id, key),
        story_id=story_id,
        key=key,
        lead=key == LEAD,
        story_published=story_published,
        title=first.article_title,
        event_type=first.event_type,
        sub_event_type=first.sub_event_type,
        interaction=first.interaction,
        places=places,
        location=next((p.location for p in places if p.location is not None), None),
        event_date=event_date,
        first_published=min(dated, key=to_utc) if dated else None,
        last_published=max(dated, key=to_utc) if dated else None,
        article_ids=sorted({r.article_id for r in ordered}),
        sources=sorted({r.source for r in ordered}),
        report_count=len({r.article_id for r in ordered}),  # articles, not incidents
        reports=ordered,
        **{slot: choose_figure(ordered, slot, rule) for slot in SLOTS},
    )


@dataclass
class PendingIncident:
    """The reports a batch adds to one story incident; they replace those its articles gave
    before (an article read again)."""

    story_id: str
    key: str
    story_published: datetime | None
    reports: list[StoryReport] = field(default_factory=list)

    @property
    def id(self) -> str:
        return incident_id(self.story_id, self.key)

    def merged(self, stored: Mapping[str, Any], rule: str) -> StoryIncident:
        articles = {r.article_id for r in self.reports}
        kept = [
            StoryReport.model_validate(r)
            for r in stored.get("reports", [])
            if r.get("article_id") not in articles
        ]
        return build_incident(self.story_id, self.key, self.story_published, [*kept, *self.reports], rule)


@dataclass
class IncidentWrites:
    """What writing a batch's story incidents came to."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _merge_into(
    incident: PendingIncident, rule: str
) -> Callable[[Mapping[str, Any]], Mapping[str, Any] | None]:
    """The change a conditional write applies to the stored document: merge, or nothing to do."""

    def apply(source: Mapping[str, Any]) -> Mapping[str, Any] | None:
        document = incident.merged(source, rule).model_dump(mode="json")
        return None if document == source else document

    return apply


def write_incidents(
    es: Elasticsearch, settings: Settings, pending: Sequence[PendingIncident], rule: str
) -> IncidentWrites:
    """Merge each pending incident into its stored document (one multi-get, one bulk, conflicts
    re-read and merged again) and write it whole."""
    from vigie.store.conditional import Versioned, read_many, update_many_conditionally
    from vigie.store.es import index_name

    result = IncidentWrites()
    if not pending:
        return result
    by_id = {p.id: p for p in pending}
    if len(by_id) != len(pending):
        raise ValueError("one pending story incident per id")
    targets = {
        p.id: Versioned.absent(index_name(settings, "stories", p.story_published), p.id) for p in pending
    }
    stored = read_many(es, targets.values())

    outcome = update_many_conditionally(
        es, [(stored.get(doc_id, targets[doc_id]), _merge_into(by_id[doc_id], rule)) for doc_id in by_id]
    )
    result.written = sorted(outcome.written)
    result.unchanged = sorted(outcome.unchanged)
    result.failed = {doc_id: str(error) for doc_id, error in outcome.refused.items()}
    result.failed.update({doc_id: "conflict" for doc_id in outcome.left})
    result.failed.update({doc_id: "missing" for doc_id in outcome.missing})
    for doc_id, error in sorted(result.failed.items()):
        log.warning("story incident %s not written: %s", doc_id, error)
    return result
