"""The pipeline cut into Airflow-sized steps over the staging area.

Each function takes small arguments (a feed, a staging path, a run key), reads its input from
staging, runs one step of `vigie.run.pipeline.Pipeline` — the same methods `vigie run` calls —
writes its output and its own `RunSummary` to staging, and returns paths. DAG files only wire
these; tests call them directly. Re-running a step with the same run key overwrites its own
outputs only, and a step's work is idempotent (ids come from canonical URLs and content).

    prepare -> poll (one per feed) -> plan (select new, cut into batches)
            -> process_batch (one per batch: Pipeline.process_batch) -> finish
            -> deliver (alert delivery, a step of its own) -> summarize -> clean_up

Staged payloads are small: feed items, and one file of candidates per batch. Articles are
never staged: a batch is fetched, enriched and stored inside one task, so a task's memory is
bounded by the batch size, as in `vigie run`.

Batch tasks run side by side (`settings.batch_tasks` per run, on any worker, beside other
runs): their commits take turns under the commit lease (`Pipeline.commit_section`). A task's
lease holder is its run and batch, so its retry after a dead worker takes the lease back at
once instead of waiting for the TTL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings, get_settings
from vigie.run import staging
from vigie.run.pipeline import Candidate, Pipeline


class PolledFeed(BaseModel):
    """One feed's poll, staged: its items and the responses whose validators await indexing."""

    feed: dict[str, Any]
    items: list[dict[str, Any]]
    responses: list[dict[str, Any]] = []


class PlannedBatch(BaseModel):
    number: int
    candidates: list[Candidate]


def _save_summary(settings: Settings, run_key: str, step: str, summary: RunSummary) -> None:
    staging.write_model(staging.run_dir(settings, run_key) / f"summary-{step}.json", summary)


def load_feed_registry(settings: Settings | None = None) -> list[dict[str, object]]:
    """The feeds to poll, as small dicts (they travel through XCom)."""
    from ingest.feeds import load_feeds

    settings = settings or get_settings()
    feeds = load_feeds(settings.feeds_file, base_url=settings.feeds_base_url)
    return [feed.model_dump(mode="json") for feed in feeds]


def due_feeds(settings: Settings | None = None, run_key: str | None = None) -> list[dict[str, object]]:
    """The feeds this run polls: those whose `poll_interval_minutes` has passed since their
    last poll (every feed with `VIGIE_POLL_DUE_ONLY=false`). No poll task is started for the
    others (the run's summary records them skipped, `not_due`, as `vigie run` does); an empty
    list skips the polls and the steps after them."""
    from vigie.run.feedhealth import is_due

    settings = settings or get_settings()
    feeds = load_feed_registry(settings)
    if not settings.poll_due_only:
        return feeds
    due, summary = [], RunSummary()
    for feed in feeds:
        name = str(feed["name"])
        if is_due(settings, name, float(feed["poll_interval_minutes"])):  # type: ignore[arg-type]
            due.append(feed)
        else:
            summary.record("feeds", "skipped", name, "not_due")
    if run_key is not None:
        _save_summary(settings, run_key, "list_feeds", summary)
    return due


def _configuration_fingerprint(settings: Settings) -> str:
    """What the configuration check reads: the rules file, the enrichment data (the rules'
    weapon classes come from the knowledge base), the spaCy model's name, this version."""
    import hashlib

    from enrich.model import MODEL
    from vigie import __version__
    from vigie.core.resources import files

    digest = hashlib.sha256(f"{__version__}\0{MODEL}".encode())
    data = sorted(p for p in files("enrich_data").rglob("*") if p.is_file())
    for path in (settings.rules_file, *data):
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check_configuration(pipeline: Pipeline, settings: Settings) -> bool:
    """`Pipeline.check_configuration`, unless the files it reads are those of the last check
    that passed (reading the rules takes seconds, and a run starts every few minutes). A check
    skipped on a stale verdict costs nothing: `process_batch` reads the rules again before it
    stores anything. Returns whether the check ran."""
    from vigie.core.files import atomic_write_text

    marker = settings.state_dir / "configuration-checked"
    fingerprint = _configuration_fingerprint(settings)
    if marker.is_file() and marker.read_text(encoding="utf-8") == fingerprint:
        return False
    pipeline.check_configuration()
    atomic_write_text(marker, fingerprint)
    return True


def prepare(run_key: str, settings: Settings | None = None) -> str:
    """Check configuration (when it changed), install templates (idempotent), replay batches
    spooled by an earlier failed run."""
    from vigie.store.es import install_templates

    settings = settings or get_settings()
    pipeline = Pipeline(settings=settings)
    check_configuration(pipeline, settings)
    install_templates(pipeline.es, settings)
    pipeline.replay_spool()
    _save_summary(settings, run_key, "prepare", pipeline.summary)
    return str(staging.run_dir(settings, run_key))


def poll(feed: dict[str, object], run_key: str, settings: Settings | None = None) -> str:
    """Fetch and parse one feed; its items go to staging."""
    from ingest.feeds import Feed

    settings = settings or get_settings()
    pipeline = Pipeline(settings=settings)
    model = Feed.model_validate(feed)
    items = pipeline.poll_feed(model)
    polled = PolledFeed(
        feed=model.model_dump(mode="json"),
        items=[item.model_dump(mode="json") for item in items],
        responses=[r.model_dump(mode="json", exclude={"content"}) for r in pipeline.pending_validators],
    )
    out = staging.write_model(staging.run_dir(settings, run_key) / f"items-{model.name}.json", polled)
    _save_summary(settings, run_key, f"poll-{model.name}", pipeline.summary)
    return str(out)


def _read_polled(path: str | Path) -> PolledFeed:
    return PolledFeed.model_validate_json(Path(path).read_text(encoding="utf-8"))


def plan(item_paths: list[str], run_key: str, settings: Settings | None = None) -> list[str]:
    """Select the new items of every polled feed and cut them into batches, one staged file
    each (the same cut as `vigie run`); returns the batch files, in order."""
    from ingest.feeds import Feed
    from ingest.parse import FeedItem

    settings = settings or get_settings()
    pipeline = Pipeline(settings=settings)
    polled = []
    for path in item_paths:
        data = _read_polled(path)
        feed = Feed.model_validate(data.feed)
        polled.append((feed, [FeedItem.model_validate(item) for item in data.items]))
    batches = pipeline.plan_batches(pipeline.select_new(polled))
    base = staging.run_dir(settings, run_key)
    paths = [
        str(staging.write_model(base / f"batch-{n:04d}.json", PlannedBatch(number=n, candidates=batch)))
        for n, batch in enumerate(batches)
    ]
    _save_summary(settings, run_key, "plan", pipeline.summary)
    return paths


def process_batch(batch_path: str, run_key: str, settings: Settings | None = None) -> list[str]:
    """One batch, fetch to delivery (`Pipeline.process_batch`); returns the ids of the
    original articles it stored."""
    settings = settings or get_settings()
    batch = PlannedBatch.model_validate_json(Path(batch_path).read_text(encoding="utf-8"))
    pipeline = Pipeline(settings=settings, lease_holder=f"{run_key}/batch-{batch.number:04d}")
    result = pipeline.process_batch(batch.candidates)
    _save_summary(settings, run_key, f"batch-{batch.number:04d}", pipeline.summary)
    return sorted(a.id for a in result.articles if a.duplicate_of is None and settings.stores(a.language))


def finish(batch_ids: list[list[str]], run_key: str, settings: Settings | None = None) -> int:
    """Every batch is stored: commit the feeds' validators (the next poll may answer 304) and
    record the run's articles for the digest (alerts go out in `deliver`)."""
    from ingest.fetch import FetchResult
    from vigie.run.records import record_indexed_run

    settings = settings or get_settings()
    pipeline = Pipeline(settings=settings)
    base = staging.run_dir(settings, run_key)
    responses = [
        FetchResult.model_validate(response)
        for path in sorted(base.glob("items-*.json"))
        for response in _read_polled(path).responses
    ]
    pipeline.commit_validators(responses)
    _save_summary(settings, run_key, "finish", pipeline.summary)
    ids = sorted({article_id for ids in batch_ids for article_id in ids})
    if ids:
        record_indexed_run(settings, run_key, ids)
    return len(ids)


def deliver(run_key: str, settings: Settings | None = None) -> int:
    """Alert delivery, apart from ingestion: one pass over every alert still pending, within
    `settings.delivery_budget_seconds` (a receiver that hangs costs this task its budget at
    most, never a batch). Returns the deliveries sent."""
    settings = settings or get_settings()
    pipeline = Pipeline(settings=settings)
    pipeline.deliver()
    _save_summary(settings, run_key, "deliver", pipeline.summary)
    return pipeline.summary.get("alert_delivery")


def summarize(run_key: str, settings: Settings | None = None) -> str:
    """Merge the steps' summaries (what `vigie run` would print) into the run's record,
    outside staging; runs whether or not the steps succeeded."""
    from vigie.run.records import record_summary

    settings = settings or get_settings()
    base = staging.run_dir(settings, run_key)
    merged = RunSummary()
    for path in sorted(base.glob("summary-*.json")):
        merged.merge(RunSummary.model_validate_json(path.read_text(encoding="utf-8")))
    return str(record_summary(settings, run_key, merged))


def clean_up(run_key: str, settings: Settings | None = None) -> None:
    """The run succeeded: its staging folder goes (a failed run's stays for its retry and
    for inspection; maintenance purges it after `staging_max_age_days`)."""
    staging.purge(settings or get_settings(), run_key)
