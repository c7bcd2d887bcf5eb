"""Reading the indices for analysts and operators: `vigie search` and `vigie alerts list`.

`search_articles` finds articles by phrase (in the title, summary or text, through the
`vigie_text` analyzer), entity (knowledge-base id, canonical name or surface form), alert rule,
event type (the ACLED event type or sub-event type of one of their incidents), story and
publication time; each hit comes with its matched passage (`<mark>`-wrapped words).
`list_alerts` lists the alerts with their state and one delivery per channel.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from vigie.core.models import Alert, utc_text
from vigie.core.settings import Settings

_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Articles per search at most, and ids an alert-rule or event-type filter gathers at most.
MAX_SIZE = 500
MAX_IDS = 10_000


class SearchError(ValueError):
    """A search option Vigie cannot use; the message names it."""


def parse_when(text: str, *, end: bool = False, now: datetime | None = None) -> datetime:
    """`2025-03-11`, `2025-03-11T08:00`, `2025-03-11T08:00+01:00` or a span back from now
    (`90m`, `24h`, `7d`, `2w`); a plain date is its day's start (its end with `end`), UTC."""
    match = _RELATIVE.match(text)
    if match:
        span = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        return (now or datetime.now(UTC)) - span
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SearchError(
            f"{text!r} is not a date (2025-03-11, 2025-03-11T08:00) nor a span (24h, 7d)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class SearchRequest:
    phrase: str | None = None
    entities: tuple[str, ...] = ()
    rule: str | None = None
    event_type: str | None = None
    story: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    size: int = 20


@dataclass
class SearchHit:
    id: str
    title: str
    source: str
    published: str | None
    url: str
    passage: str  # the matched words wrapped in <mark>, or the start of the summary/text
    story_id: str | None = None
    event_types: list[str] = field(default_factory=list)
    alert_rules: list[str] = field(default_factory=list)
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ids_of(es: Elasticsearch, index: str, query: dict[str, Any], field_name: str) -> list[str]:
    """The distinct values of `field_name` over the documents matching `query`."""
    response = es.search(
        index=index,
        query=query,
        size=0,
        aggs={"ids": {"terms": {"field": field_name, "size": MAX_IDS}}},
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    buckets = (response.body.get("aggregations") or {}).get("ids", {}).get("buckets", [])
    return [str(b["key"]) for b in buckets]


def _phrase_clause(phrase: str) -> dict[str, Any]:
    return {
        "bool": {
            "should": [
                {"match_phrase": {"title": {"query": phrase, "boost": 2}}},
                {"match_phrase": {"summary": phrase}},
                {"match_phrase": {"text": phrase}},
            ],
            "minimum_should_match": 1,
        }
    }


def _entity_clause(entity: str) -> dict[str, Any]:
    key = entity.strip()
    return {
        "bool": {
            "should": [
                {"term": {"entities.id": {"value": key, "case_insensitive": True}}},
                {"term": {"entities.name": {"value": key, "case_insensitive": True}}},
                {"match_phrase": {"entities.name.text": key}},
                {"match_phrase": {"entities.surface.text": key}},
            ],
            "minimum_should_match": 1,
        }
    }


def search_query(es: Elasticsearch, settings: Settings, request: SearchRequest) -> dict[str, Any]:
    """The Query DSL `search_articles` runs (rules and event types resolved to article ids)."""
    must: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    if request.phrase:
        must.append(_phrase_clause(request.phrase))
    filters.extend(_entity_clause(entity) for entity in request.entities)
    if request.rule:
        fired = _ids_of(es, settings.index("alerts"), {"term": {"rule": request.rule}}, "article_ids")
        filters.append(
            {
                "bool": {
                    "should": [{"term": {"alert_rules": request.rule}}, {"ids": {"values": fired}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if request.event_type:
        kind = request.event_type
        with_events = _ids_of(
            es,
            settings.index("events"),
            {
                "bool": {
                    "should": [
                        {"term": {"event_type": {"value": kind, "case_insensitive": True}}},
                        {"term": {"sub_event_type": {"value": kind, "case_insensitive": True}}},
                    ],
                    "minimum_should_match": 1,
                }
            },
            "article_id",
        )
        filters.append(
            {
                "bool": {
                    "should": [
                        {"term": {"event_types": {"value": kind, "case_insensitive": True}}},
                        {"ids": {"values": with_events}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if request.story:
        filters.append({"term": {"story_id": request.story}})
    if request.since or request.until:
        bounds = {}
        if request.since:
            bounds["gte"] = utc_text(request.since)
        if request.until:
            bounds["lte"] = utc_text(request.until)
        filters.append({"range": {"published": bounds}})
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}


def _passage(source: dict[str, Any], highlight: dict[str, list[str]]) -> str:
    for name in ("text", "summary", "title"):
        if highlight.get(name):
            return " … ".join(highlight[name])
    start = source.get("summary") or source.get("text") or ""
    return start[:200] + ("…" if len(start) > 200 else "")


def search_articles(es: Elasticsearch, settings: Settings, request: SearchRequest) -> list[SearchHit]:
    """The articles matching every criterion of `request`: by relevance for a phrase, newest
    first otherwise."""
    if not 1 <= request.size <= MAX_SIZE:
        raise SearchError(f"--limit {request.size}: expected 1 to {MAX_SIZE}")
    query = search_query(es, settings, request)
    sort: list[Any] = (
        ["_score", {"published": {"order": "desc", "missing": "_last"}}]
        if request.phrase
        else [{"published": {"order": "desc", "missing": "_last"}}]
    )
    response = es.search(
        index=settings.index("articles"),
        query=query,
        size=request.size,
        sort=sort,
        track_scores=True,
        source_excludes=["minhash", "minhash_bands", "entities", "text"],
        highlight={
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                "text": {"fragment_size": 220, "number_of_fragments": 2},
                "summary": {"fragment_size": 220, "number_of_fragments": 1},
                "title": {"number_of_fragments": 0},
            },
        },
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    hits: list[SearchHit] = []
    for hit in response.body["hits"]["hits"]:
        source = hit["_source"]
        hits.append(
            SearchHit(
                id=hit["_id"],
                title=str(source.get("title", "")),
                source=str(source.get("source", "")),
                published=source.get("published"),
                url=str(source.get("url", "")),
                passage=_passage(source, hit.get("highlight") or {}),
                story_id=source.get("story_id"),
                event_types=list(source.get("event_types") or []),
                alert_rules=list(source.get("alert_rules") or []),
                score=hit.get("_score"),
            )
        )
    return hits


def list_alerts(
    es: Elasticsearch,
    settings: Settings,
    *,
    rule: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    size: int = 50,
) -> list[Alert]:
    """Alerts, newest first; `status` matches the alert's or one of its deliveries'."""
    if not 1 <= size <= MAX_SIZE:
        raise SearchError(f"--limit {size}: expected 1 to {MAX_SIZE}")
    filters: list[dict[str, Any]] = []
    if rule:
        filters.append({"term": {"rule": rule}})
    if status:
        filters.append(
            {
                "bool": {
                    "should": [{"term": {"status": status}}, {"term": {"deliveries.status": status}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if since:
        filters.append({"range": {"triggered_at": {"gte": utc_text(since)}}})
    response = es.search(
        index=settings.index("alerts"),
        query={"bool": {"filter": filters}},
        size=size,
        sort=[{"triggered_at": {"order": "desc"}}, {"rule": "asc"}],
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    return [Alert.model_validate(hit["_source"]) for hit in response.body["hits"]["hits"]]
