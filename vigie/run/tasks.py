"""The pipeline cut into Airflow-sized steps over the staging area.

Each function takes small arguments (a feed name, staging paths, a run key), reads its input
from staging, runs one stage of `vigie.run.pipeline.Pipeline`, writes its output and its own
`RunSummary` to staging, and returns paths. DAG files only wire these; tests can call them
directly. Re-running a step with the same run key overwrites its own outputs only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Event
from vigie.core.settings import Settings, get_settings
from vigie.run.staging import read_records, run_dir, write_records


class PolledFeed(BaseModel):
    feed: dict[str, object]
    items: list[dict[str, object]]
    responses: list[dict[str, object]] = []  # feed responses whose validators await indexing


def _pipeline(settings: Settings):  # type: ignore[no-untyped-def]
    from vigie.run.pipeline import Pipeline

    return Pipeline(settings=settings)


def _save_summary(settings: Settings, run_key: str, step: str, summary: RunSummary) -> None:
    path = run_dir(settings, run_key) / f"summary-{step}.json"
    path.write_text(summary.model_dump_json(), encoding="utf-8")


def load_feed_registry(settings: Settings | None = None) -> list[dict[str, object]]:
    """The feeds to poll, as small dicts (they travel through XCom)."""
    import os

    from ingest.feeds import load_feeds

    settings = settings or get_settings()
    feeds = load_feeds(settings.feeds_file, base_url=os.environ.get("VIGIE_FEEDS_BASE_URL"))
    return [feed.model_dump(mode="json") for feed in feeds]


def prepare(run_key: str, settings: Settings | None = None) -> str:
    """Install templates (idempotent) and replay batches spooled by an earlier failed run."""
    from vigie.store.es import client, install_templates

    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    pipeline.check_configuration()
    install_templates(client(settings), settings)
    pipeline.replay_spool()
    _save_summary(settings, run_key, "prepare", pipeline.summary)
    return str(run_dir(settings, run_key))


def poll(feed: dict[str, object], run_key: str, settings: Settings | None = None) -> str:
    """Fetch and parse one feed; its items go to staging."""
    from ingest.feeds import Feed

    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    model = Feed.model_validate(feed)
    items = pipeline.poll_feed(model)
    out = run_dir(settings, run_key) / f"items-{model.name}.json"
    polled = PolledFeed(
        feed=feed,
        items=[item.model_dump(mode="json") for item in items],
        responses=[r.model_dump(mode="json", exclude={"content"}) for r in pipeline.pending_validators],
    )
    out.write_text(polled.model_dump_json(), encoding="utf-8")
    _save_summary(settings, run_key, f"poll-{model.name}", pipeline.summary)
    return str(out)


def fetch(item_paths: list[str], run_key: str, settings: Settings | None = None) -> str:
    """Select new items, fetch and extract their pages, detect their language."""
    from ingest.feeds import Feed
    from ingest.parse import FeedItem

    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    polled = []
    for path in item_paths:
        data = PolledFeed.model_validate_json(Path(path).read_text(encoding="utf-8"))
        feed = Feed.model_validate(data.feed)
        polled.append((feed, [FeedItem.model_validate(item) for item in data.items]))
    candidates = pipeline.select_new(polled)
    articles = pipeline.fetch_articles(candidates)
    pipeline.detect_languages(articles)
    _save_summary(settings, run_key, "fetch", pipeline.summary)
    return str(write_records(run_dir(settings, run_key) / "fetched.jsonl", articles))


def dedup(articles_path: str, run_key: str, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    articles = read_records(articles_path, Article)
    pipeline.deduplicate(articles)
    _save_summary(settings, run_key, "dedup", pipeline.summary)
    return str(write_records(run_dir(settings, run_key) / "deduped.jsonl", articles))


def enrich(articles_path: str, run_key: str, settings: Settings | None = None) -> dict[str, str]:
    """Entities, events and stories."""
    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    articles = read_records(articles_path, Article)
    events = pipeline.enrich(articles)
    pipeline.cluster_stories(articles, events)
    _save_summary(settings, run_key, "enrich", pipeline.summary)
    base = run_dir(settings, run_key)
    return {
        "articles": str(write_records(base / "enriched.jsonl", articles)),
        "events": str(write_records(base / "events.jsonl", events)),
    }


def evaluate_alerts(paths: dict[str, str], run_key: str, settings: Settings | None = None) -> dict[str, str]:
    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    articles = read_records(paths["articles"], Article)
    events = read_records(paths["events"], Event)
    alerts = pipeline.evaluate_alerts(articles, events)
    pipeline.summary.count("alerts", len(alerts))
    _save_summary(settings, run_key, "alerts", pipeline.summary)
    # Articles now carry `alert_rules`; index the updated copy.
    return {**paths, "articles": str(write_records(run_dir(settings, run_key) / "alerted.jsonl", articles))}


def index(paths: dict[str, str], run_key: str, settings: Settings | None = None) -> list[str]:
    """Index articles and events; returns the ids of articles written (for the asset event)."""
    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    articles = read_records(paths["articles"], Article)
    events = read_records(paths["events"], Event)
    pipeline.index(articles, events)
    pipeline.commit_validators(_polled_responses(settings, run_key))
    _save_summary(settings, run_key, "index", pipeline.summary)
    ids = sorted(a.id for a in articles if a.duplicate_of is None)
    if ids:  # what a digest started by hand (no triggering asset event) falls back to
        marker = settings.state_dir / "last_indexed_run.json"
        marker.write_text(json.dumps({"run_key": run_key, "articles": len(ids)}), encoding="utf-8")
    return ids


def _polled_responses(settings: Settings, run_key: str) -> list[Any]:
    from ingest.fetch import FetchResult

    responses: list[Any] = []
    for path in sorted(run_dir(settings, run_key).glob("items-*.json")):
        polled = PolledFeed.model_validate_json(path.read_text(encoding="utf-8"))
        responses.extend(FetchResult.model_validate(r) for r in polled.responses)
    return responses


def notify(run_key: str, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    pipeline = _pipeline(settings)
    pipeline.deliver()
    _save_summary(settings, run_key, "notify", pipeline.summary)


def summarize(run_key: str, settings: Settings | None = None) -> str:
    """Merge the steps' summaries into `summary.json` (what `vigie run` would print)."""
    settings = settings or get_settings()
    base = run_dir(settings, run_key)
    merged = RunSummary()
    for path in sorted(base.glob("summary-*.json")):
        merged.merge(RunSummary.model_validate_json(path.read_text(encoding="utf-8")))
    out = base / "summary.json"
    out.write_text(merged.model_dump_json(indent=2), encoding="utf-8")
    latest = settings.state_dir / "last_run.json"
    latest.write_text(json.dumps({"run_key": run_key, "summary": str(out)}), encoding="utf-8")
    return str(out)
