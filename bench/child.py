"""The measured run of one size, in a process of its own (`python -m bench.run --child CORPUS
--out RESULT`, started by `bench.run.measure`), so that its peak RSS is its own: `Pipeline.run`
over the corpus's feeds, then the checks and bounds of `bench.measure`, written as JSON."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import logging
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.common import COMPONENT_SAMPLE, WORK_DIR, MiB
from bench.corpus import CorpusInfo
from bench.measure import (
    band_matches,
    bound_enrich,
    bound_extract,
    bound_index,
    components,
    dump_stored,
    index_alone,
    story_groups,
)
from vigie.run.report import TIMED_STAGES

STAGES = TIMED_STAGES  # the pipeline's own stage clocks, in pipeline order


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class TreeRss:
    """Peak RSS of this process plus its children (the enrichment workers), sampled."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def now_mib(self) -> float:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / MiB

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mib = max(self.peak_mib, self.now_mib())

    def __enter__(self) -> TreeRss:
        self.peak_mib = self.now_mib()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mib = max(self.peak_mib, self.now_mib())


class OverBudget(Exception):
    """The time budget of `make bench` ran out: report what ran."""


@dataclass(frozen=True)
class RunOptions:
    batch_size: int = 200
    workers: int = 2  # enrichment processes
    sample: int = 500  # texts/pages for the spaCy and trafilatura bounds
    profile: bool = False
    stop_at: float = 0.0  # epoch seconds: no new batch after this (0: no limit)


@dataclass
class BatchRecorder:
    """`Pipeline.after_batch`: per-batch figures for the growth checks, and the samples the
    bounds replay after the run (the same texts the pipeline enriched)."""

    pipeline: Any
    texts: Any  # open file
    sample: int
    stop_at: float
    tree: TreeRss
    processed: int = 0
    texts_kept: int = 0
    last_bands: list[tuple[str, list[str]]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    _seconds: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    n: int = 0

    def __call__(self, articles: Sequence[Any], events: Sequence[Any]) -> None:
        seconds = dict(self.pipeline.summary.seconds)
        delta = {k: v - self._seconds.get(k, 0.0) for k, v in seconds.items()}
        self._seconds = seconds
        self.processed += len(articles)
        enriched = [a for a in articles if a.enriched]
        self.batches.append(
            {
                "articles": len(articles),
                "dedup_ms_per_article": 1000 * delta.get("dedup", 0.0) / max(1, len(articles)),
                "story_ms_per_article": 1000 * delta.get("story", 0.0) / max(1, len(articles)),
                "enriched": len(enriched),
                "rss_mib": self.tree.now_mib(),
            }
        )
        self.last_bands = [(a.id, list(a.minhash_bands)) for a in articles if a.minhash_bands]
        for article in enriched:
            if self.texts_kept < self.sample:
                self.texts.write(json.dumps(article.text, ensure_ascii=False) + "\n")
                self.texts_kept += 1
        elapsed = time.perf_counter() - self.started
        print(
            f"[{self.n}] {self.processed}/{self.n} articles, {self.processed / elapsed:.1f} art/s, "
            f"rss (main + workers) {self.tree.now_mib():.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
        if self.stop_at and time.time() > self.stop_at:
            raise OverBudget


def _warm_up() -> None:
    """Imports and one-time loads (language profiles, rules) happen before the clock runs."""
    import importlib

    from ingest.language import detect_language

    for module in (
        "ingest.dedup",
        "vigie.stories.assign",
        "vigie.alerting.engine",
        "vigie.store.indexer",
        "vigie.store.spool",
    ):
        importlib.import_module(module)

    detect_language("Les autorités ont annoncé une nouvelle attaque de drones contre la ville cette nuit.")


def run_child(corpus_dir: Path, out: Path, options: RunOptions) -> None:
    with tempfile.TemporaryDirectory(prefix="vigie-bench-", dir=WORK_DIR) as scratch:
        _run_child(corpus_dir, out, options, Path(scratch))


def _run_child(corpus_dir: Path, out: Path, options: RunOptions, scratch: Path) -> None:
    # Per-alert warnings (unconfigured notifiers) would flood the terminal: errors only.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    from ingest.feeds import load_feeds
    from vigie.core.settings import Settings
    from vigie.run.pipeline import Pipeline
    from vigie.store.es import client, install_templates

    info = CorpusInfo.load(corpus_dir)
    settings = dataclasses.replace(Settings(), batch_size=options.batch_size, enrich_workers=options.workers)
    raw_settings = dataclasses.replace(settings, index_prefix=settings.index_prefix + "-raw")
    alone_settings = dataclasses.replace(settings, index_prefix=settings.index_prefix + "-alone")
    es = client(settings, request_timeout=120)
    install_templates(es, settings)
    install_templates(es, raw_settings)
    install_templates(es, alone_settings)
    feeds = load_feeds(info.feeds_file, base_url=os.environ["VIGIE_FEEDS_BASE_URL"])
    pipeline = Pipeline(settings=settings)

    # Model loads (the workers', or the main process's) and one-time imports are not part of
    # any stage's time.
    start = time.perf_counter()
    if options.workers > 0:
        pipeline.enricher_pool.warm_up()
    else:
        _ = pipeline.enricher
    model_load = time.perf_counter() - start
    _warm_up()

    texts_file = scratch / "texts.jsonl"
    stopped_early = False
    with texts_file.open("w", encoding="utf-8") as texts, TreeRss() as tree:
        rss_before = tree.now_mib()
        recorder = BatchRecorder(pipeline, texts, options.sample, options.stop_at, tree, n=info.n)
        pipeline.after_batch = recorder
        profiler = None
        if options.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
            profiler.start()
        wall_start = recorder.started = time.perf_counter()
        try:
            pipeline.run(feeds)
        except OverBudget:
            stopped_early = True  # the time budget of `make bench`: report what ran
        wall = time.perf_counter() - wall_start
        if profiler is not None:
            profiler.stop()
    peak_main = _peak_rss_mib()

    es.indices.refresh(index=f"{settings.index_prefix}-*")
    stored = es.count(index=settings.index("articles"))["count"]
    matches = band_matches(es, settings.index("articles"), recorder.last_bands)
    summary = pipeline.summary
    seconds = summary.seconds
    processed = recorder.processed
    items = {
        "poll": summary.get("feeds") + summary.get("feeds", "skipped") + summary.get("feeds", "refused"),
        "select": summary.metrics.get("items", 0),
        "enrich": summary.get("enrich"),
    }
    stages = {
        name: {"items": items.get(name, processed), "seconds": seconds.get(name, 0.0)}
        for name in STAGES
        if name in seconds
    }
    if "enrich" in stages:  # busy time of the workers, which run side by side
        stages["enrich"]["seconds"] /= max(1, options.workers)
    result: dict[str, Any] = {
        "n": info.n,
        "corpus": info.counts,
        "batch_size": options.batch_size,
        "workers": options.workers,
        "articles": processed,
        "stopped_early": stopped_early,
        "wall_seconds": wall,
        "end_to_end_rate": processed / wall if wall else 0.0,
        "model_load_seconds": model_load,
        "rss_before_mib": rss_before,
        "peak_rss_mib": tree.peak_mib,
        "peak_rss_main_mib": peak_main,
        "stages": stages,
        "enrich_busy_seconds": seconds.get("enrich", 0.0),
        "batches": recorder.batches,
        "stored_articles": stored,
        "groups": story_groups(es, settings.index("articles"), info),
        "band_matches": matches,
        "metrics": summary.metrics,
        "refused": {stage: stats.refused for stage, stats in summary.stages.items() if stats.refused},
        "reasons": {stage: stats.reasons for stage, stats in summary.stages.items() if stats.reasons},
    }
    print(f"[{info.n}] pipeline done in {wall:.0f}s; measuring the bounds", file=sys.stderr, flush=True)
    pages = [entry["path"] for entry in itertools.islice(info.manifest(), options.sample)]
    result["bounds"] = {
        "enrich": bound_enrich(texts_file, options.workers),
        "extract": bound_extract(info.site, pages),
    }
    dump = scratch / "documents.jsonl"
    dump_stored(es, settings, dump)
    result["bounds"]["index"] = bound_index(es, settings, raw_settings, dump, processed)
    result["index_alone"] = index_alone(alone_settings, dump, options.batch_size)
    result["components"] = components(texts_file, COMPONENT_SAMPLE)
    if profiler is not None:
        path = WORK_DIR / f"profile-run-{info.n}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
        result["profile"] = str(path)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
