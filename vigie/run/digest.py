"""The digest of new alerts and events, produced after each ingest run that indexed articles.

Input is the ingest run's record (the ids of the articles it stored), their articles and events
as stored, and the alerts index; output is
a Markdown digest and a JSON twin under `<state_dir>/digests/`, named after the ingest run
so that producing the same digest twice writes the same files.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from elasticsearch.helpers import scan
from pydantic import BaseModel, Field

from vigie.core.models import Alert, Article, Event
from vigie.core.settings import Settings


class Digest(BaseModel):
    ingest_run: str
    articles: int = 0
    events_by_subtype: dict[str, int] = Field(default_factory=dict)
    alerts: list[dict[str, object]] = Field(default_factory=list)
    top_events: list[dict[str, object]] = Field(default_factory=list)


def _alerts_for(es, settings: Settings, article_ids: list[str]) -> list[Alert]:  # type: ignore[no-untyped-def]
    if not article_ids:
        return []
    response = es.search(
        index=settings.index("alerts"),
        query={"terms": {"article_ids": article_ids}},
        size=100,
        sort=[{"triggered_at": "asc"}, {"id": "asc"}],
        ignore_unavailable=True,
    )
    return [Alert.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]


def _stored(es, settings: Settings, article_ids: list[str]) -> tuple[list[Article], list[Event]]:  # type: ignore[no-untyped-def]
    """The run's articles and their events, as stored (staging is gone once a run succeeds)."""
    if not article_ids:
        return [], []
    found = es.search(
        index=settings.index("articles"),
        query={"ids": {"values": article_ids}},
        size=len(article_ids),
        ignore_unavailable=True,
    )
    articles = [Article.model_validate(hit["_source"]) for hit in found["hits"]["hits"]]
    events: list[Event] = []
    for hit in scan(
        es,
        index=settings.index("events"),
        query={"query": {"terms": {"article_id": article_ids}}},
        ignore_unavailable=True,
    ):
        events.append(Event.model_validate(hit["_source"]))
    return articles, events


def build_digest(es, settings: Settings, ingest_run: str) -> Digest:  # type: ignore[no-untyped-def]
    from vigie.run.records import indexed_run

    articles, events = _stored(es, settings, indexed_run(settings, ingest_run).article_ids)
    articles = [a for a in articles if a.duplicate_of is None]
    digest = Digest(ingest_run=ingest_run, articles=len(articles))
    digest.events_by_subtype = dict(sorted(Counter(e.sub_event_type for e in events).items()))
    for alert in _alerts_for(es, settings, sorted(a.id for a in articles)):
        digest.alerts.append(
            {
                "rule": alert.rule,
                "severity": alert.severity,
                "title": alert.title,
                "url": alert.url,
                "sources": alert.sources,
            }
        )
    ranked = sorted(events, key=lambda e: (-e.confidence, e.id))[:10]
    digest.top_events = [
        {
            "subtype": e.sub_event_type,
            "title": e.article_title,
            "date": e.event_date.isoformat() if e.event_date else None,
            "sentence": e.sentence[:240],
        }
        for e in ranked
    ]
    return digest


def render_markdown(digest: Digest) -> str:
    lines = [f"# Vigie digest — ingest run {digest.ingest_run}", "", f"New articles: {digest.articles}", ""]
    lines.append("## Alerts")
    lines.extend(f"- **{a['severity']}** `{a['rule']}` — {a['title']} ({a['url']})" for a in digest.alerts)
    if not digest.alerts:
        lines.append("- none")
    lines += ["", "## Events by sub-type"]
    lines.extend(f"- {subtype}: {n}" for subtype, n in digest.events_by_subtype.items())
    lines += ["", "## Top events"]
    lines.extend(f"- {e['date']} · {e['subtype']} · {e['title']}: {e['sentence']}" for e in digest.top_events)
    return "\n".join(lines) + "\n"


def write_digest(digest: Digest, settings: Settings) -> Path:
    folder = settings.state_dir / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in digest.ingest_run)
    (folder / f"{stem}.json").write_text(
        json.dumps(digest.model_dump(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    path = folder / f"{stem}.md"
    path.write_text(render_markdown(digest), encoding="utf-8")
    return path


def digest_runs(runs: list[str], settings: Settings) -> list[str]:
    """Write one digest per ingest run; returns their paths."""
    from vigie.store.es import client

    es = client(settings)
    return [str(write_digest(build_digest(es, settings, run), settings)) for run in runs]
