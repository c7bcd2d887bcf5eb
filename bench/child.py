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
from collections.abc import Iterator, Sequence
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
        self.also: list[Any] = []  # called every 4th sample (the CPU clocks of the threads)
        self._children: list[psutil.Process] = []
        self._listed = float("-inf")
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def now_mib(self) -> float:
        me = psutil.Process()
        total = me.memory_info().rss
        # Listing the children scans every process of the machine (~1 ms): every 2 s only,
        # reading the known children's memory in between (the sampler's own CPU is the run's).
        now = time.monotonic()
        if now - self._listed >= 2.0:
            with contextlib.suppress(psutil.Error):
                self._children = me.children(recursive=True)
            self._listed = now
        for child in self._children:
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / MiB

    def _sample(self) -> None:
        ticks = 0
        while not self._stop.wait(self.interval):
            self.peak_mib = max(self.peak_mib, self.now_mib())
            ticks += 1
            if ticks % 4 == 0:  # every second: the sampler's own CPU is the run's
                for call in self.also:
                    call()

    def __enter__(self) -> TreeRss:
        self.peak_mib = self.now_mib()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mib = max(self.peak_mib, self.now_mib())


def _cpu_of(process: psutil.Process) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def _feed_server() -> psutil.Process | None:
    """The corpus's feed server: a sibling process (`bench.run --serve`) started by the parent."""
    with contextlib.suppress(psutil.Error):
        parent = psutil.Process().parent()
        if parent is not None:
            for sibling in parent.children():
                with contextlib.suppress(psutil.Error):
                    if "--serve" in sibling.cmdline():
                        return sibling
    return None


# What the Elasticsearch node(s) spent their time on (node stats, thread-seconds: a proxy for
# where its CPU went): path in the node stats -> label.
ES_OPERATIONS = {
    ("indices", "indexing", "index_time_in_millis"): "indexing",
    ("indices", "search", "query_time_in_millis"): "search (query)",
    ("indices", "search", "fetch_time_in_millis"): "search (fetch)",
    ("indices", "get", "time_in_millis"): "get",
    ("indices", "refresh", "total_time_in_millis"): "refresh (requested and periodic)",
    ("indices", "merges", "total_time_in_millis"): "merges",
    ("indices", "flush", "total_time_in_millis"): "flush",
    ("ingest", "total", "time_in_millis"): "ingest pipelines",
}
# Counts beside the times: documents indexed, refreshes (all, requested), searches.
ES_COUNTS = {
    ("indices", "indexing", "index_total"): "documents indexed",
    ("indices", "refresh", "total"): "refreshes",
    ("indices", "search", "query_total"): "shard searches",
}


def _elasticsearch_clocks(es: Any) -> dict[str, float]:
    """CPU seconds of the Elasticsearch node(s) so far, and the time of each kind of operation
    (nodes stats; empty when not reported)."""
    try:
        nodes = list(es.nodes.stats(metric="process,indices,jvm,ingest")["nodes"].values())
    except Exception:  # a measurement, not the run: a node that does not say costs nothing here
        return {}
    clocks = {"cpu": sum(n.get("process", {}).get("cpu", {}).get("total_in_millis", 0) for n in nodes) / 1000}
    for path, label in {**ES_OPERATIONS, **ES_COUNTS}.items():
        total = 0
        for node in nodes:
            value: Any = node
            for key in path:
                value = value.get(key, {}) if isinstance(value, dict) else {}
            total += value if isinstance(value, int) else 0
        clocks[label] = total / 1000 if label in ES_OPERATIONS.values() else total
    clocks["gc"] = (
        sum(
            collector.get("collection_time_in_millis", 0)
            for node in nodes
            for collector in node.get("jvm", {}).get("gc", {}).get("collectors", {}).values()
        )
        / 1000
    )
    return clocks


# Per index family (articles, events, alerts, stories, leases...): what the run's requests
# cost Elasticsearch, from the index statistics (thread-seconds; the indices are the run's own).
FAMILY_OPERATIONS = {
    ("search", "query_time_in_millis"): "search",
    ("search", "fetch_time_in_millis"): "search",
    ("indexing", "index_time_in_millis"): "indexing",
    ("refresh", "total_time_in_millis"): "refresh",
    ("get", "time_in_millis"): "get",
}


def elasticsearch_by_family(es: Any, prefix: str) -> dict[str, dict[str, float]]:
    """family -> operation -> seconds, over the indices of `prefix` (0 when not reported)."""
    try:
        indices = es.indices.stats(index=f"{prefix}-*", metric="search,indexing,refresh,get")["indices"]
    except Exception:  # a measurement, not the run
        return {}
    families: dict[str, dict[str, float]] = {}
    for name, stats in indices.items():
        rest = name[len(prefix) + 1 :] if name.startswith(prefix + "-") else name
        family = rest.split("-")[0] or rest
        totals = families.setdefault(family, {})
        for (group, key), label in FAMILY_OPERATIONS.items():
            value = stats.get("total", {}).get(group, {}).get(key, 0)
            totals[label] = totals.get(label, 0.0) + value / 1000
    return families


@dataclass
class CpuClocks:
    """Where the CPU of a run goes, in CPU seconds: each main-thread stage of the pipeline
    (`time.thread_time` around its own clock), the whole main process (every thread: the page
    prefetch and the delivery thread too), the enrichment workers, the Elasticsearch node and
    the feed server. On 2 cores every CPU second outside the workers is taken from them."""

    stages: dict[str, float] = field(default_factory=dict)
    workers: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds, last sample
    start: dict[str, float] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)
    elasticsearch: dict[str, float] = field(default_factory=dict)  # operation -> seconds
    _es_start: dict[str, float] = field(default_factory=dict)
    # The main process's threads other than the main one: (name, native id) -> CPU seconds
    # (last sample; a thread's CPU stays in the process total once it ends).
    threads: dict[tuple[str, int], float] = field(default_factory=dict)
    _threads_start: dict[int, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.thread_time()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.thread_time() - start

    def sample_threads(self) -> None:
        """CPU so far of each thread of this process, by name."""
        names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
        main = threading.main_thread().native_id
        with contextlib.suppress(psutil.Error):
            for thread in psutil.Process().threads():
                cpu = thread.user_time + thread.system_time - self._threads_start.get(thread.id, 0.0)
                name = "(main thread)" if thread.id == main else names.get(thread.id, "(not a Python thread)")
                self.threads[(name, thread.id)] = max(cpu, self.threads.get((name, thread.id), 0.0))

    def threads_by_name(self) -> dict[str, float]:
        """CPU of the sampled threads, by name with pool numbers dropped (`vigie-prefetch_0`
        and `vigie-prefetch_1` are one line)."""
        totals: dict[str, float] = {}
        for (name, _), cpu in self.threads.items():
            base = name.rstrip("0123456789").rstrip("_-") or name
            totals[base] = totals.get(base, 0.0) + cpu
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def sample_workers(self) -> None:
        """The workers' CPU so far (they exit with the pool: sampled after each batch)."""
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process().children(recursive=True):
                cpu = _cpu_of(child)
                if cpu:
                    self.workers[child.pid] = max(cpu, self.workers.get(child.pid, 0.0))

    def begin(self, es: Any, server: psutil.Process | None) -> None:
        self.sample_workers()
        with contextlib.suppress(psutil.Error):
            self._threads_start = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()}
        self._es_start = _elasticsearch_clocks(es)
        self.start = {
            "main": _cpu_of(psutil.Process()),
            "workers": sum(self.workers.values()),
            "elasticsearch": self._es_start.get("cpu", 0.0),
            "feed_server": _cpu_of(server) if server is not None else 0.0,
        }

    def end(self, es: Any, server: psutil.Process | None) -> None:
        es_end = _elasticsearch_clocks(es)
        ends = {
            "main": _cpu_of(psutil.Process()),
            "workers": sum(self.workers.values()),
            "elasticsearch": es_end.get("cpu", 0.0),
            "feed_server": _cpu_of(server) if server is not None else 0.0,
        }
        self.totals = {name: ends[name] - self.start[name] for name in ends}
        self.elasticsearch = {
            name: value - self._es_start.get(name, 0.0) for name, value in es_end.items() if name != "cpu"
        }


class OverBudget(Exception):
    """The time budget of `make bench` ran out: report what ran."""


@dataclass(frozen=True)
class RunOptions:
    batch_size: int = 200
    workers: int = 2  # enrichment processes
    sample: int = 500  # texts/pages for the spaCy and trafilatura bounds
    profile: bool = False
    stop_at: float = 0.0  # epoch seconds: no new batch after this (0: no limit)
    warm: bool = True  # a warm-up pass before the clock (`warm_cluster`)
    warm_corpus: Path | None = None  # its corpus (the child's argument)


@dataclass
class BatchRecorder:
    """`Pipeline.after_batch`: per-batch figures for the growth checks, and the samples the
    bounds replay after the run (the same texts the pipeline enriched)."""

    pipeline: Any
    texts: Any  # open file
    sample: int
    stop_at: float
    tree: TreeRss
    cpu: CpuClocks = field(default_factory=CpuClocks)
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
        self.cpu.sample_workers()
        self.cpu.sample_threads()
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


def _warm_up(settings: Any) -> None:
    """Imports and one-time loads (language profiles, rules) happen before the clock runs.
    The rules: their lexicons are analysed with a blank spaCy tokenizer and the KB (both
    loaded once per process, ~2-4 s of CPU), which `Pipeline.check_configuration` would
    otherwise load inside the first seconds of the run."""
    import importlib

    from ingest.language import detect_language
    from vigie.alerting.rules import load_rules

    for module in (
        "ingest.dedup",
        "vigie.stories.assign",
        "vigie.alerting.engine",
        "vigie.store.indexer",
        "vigie.store.spool",
    ):
        importlib.import_module(module)

    detect_language("Les autorités ont annoncé une nouvelle attaque de drones contre la ville cette nuit.")
    load_rules(settings.rules_file)


def warm_cluster(pipeline: Any, settings: Any, es: Any, corpus_dir: Path, scratch: Path) -> dict[str, float]:
    """One pass of the pipeline over a small corpus of another seed (`bench.run.WARM_ARTICLES`)
    into indices of its own, before the clock: a freshly started Elasticsearch node spends
    seconds of CPU compiling its request paths (bulk, the dedup and story searches, refresh)
    the first time they run, a cost a running cluster has paid long ago, like the model load
    (not timed either). The pass uses the measured run's enrichment workers, which it stops;
    they are started again, model loaded, before the clock. Returns its wall time and the
    node's CPU during it; its indices are deleted."""
    from ingest.feeds import load_feeds
    from vigie.run.pipeline import Pipeline
    from vigie.store.es import install_templates, uninstall_templates

    info = CorpusInfo.load(corpus_dir)
    state = scratch / "warm-state"
    state.mkdir(exist_ok=True)
    warm_settings = dataclasses.replace(
        settings, index_prefix=settings.index_prefix + "-warm", state_dir=state
    )
    install_templates(es, warm_settings)
    warm = Pipeline(settings=warm_settings)
    if settings.enrich_workers > 0:
        warm.__dict__["enricher_pool"] = pipeline.enricher_pool  # no second pair of workers
    feeds = load_feeds(info.feeds_file, base_url=os.environ["VIGIE_BENCH_WARM_FEEDS_BASE_URL"])
    cpu_before = _elasticsearch_clocks(es).get("cpu", 0.0)
    start = time.perf_counter()
    warm.run(feeds)
    seconds = time.perf_counter() - start
    cpu = _elasticsearch_clocks(es).get("cpu", 0.0) - cpu_before
    es.indices.delete(index=f"{warm_settings.index_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
    uninstall_templates(es, warm_settings)
    if settings.enrich_workers > 0:
        pipeline.enricher_pool.warm_up()  # the run stopped them: started again, not timed
    return {"articles": float(info.n), "seconds": seconds, "elasticsearch_cpu": cpu}


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
    clocks = CpuClocks()

    class CpuTimed(Pipeline):
        """The pipeline with each main-thread stage's CPU clocked beside its wall clock."""

        @contextlib.contextmanager
        def _timed(self, stage: str) -> Iterator[None]:
            with clocks.stage(stage), super()._timed(stage):
                yield

        def finish_enrichment(self, job: Any) -> Any:
            with clocks.stage("enrich (results applied)"):
                return super().finish_enrichment(job)

    pipeline = CpuTimed(settings=settings)

    # Model loads (the workers', or the main process's) and one-time imports are not part of
    # any stage's time.
    start = time.perf_counter()
    if options.workers > 0:
        pipeline.enricher_pool.warm_up()
    else:
        _ = pipeline.enricher
    model_load = time.perf_counter() - start
    _warm_up(settings)
    warm = (
        warm_cluster(pipeline, settings, es, options.warm_corpus, scratch)
        if options.warm_corpus is not None
        else None
    )

    texts_file = scratch / "texts.jsonl"
    stopped_early = False
    with texts_file.open("w", encoding="utf-8") as texts, TreeRss() as tree:
        rss_before = tree.now_mib()
        recorder = BatchRecorder(pipeline, texts, options.sample, options.stop_at, tree, clocks, n=info.n)
        server = _feed_server()
        tree.also.append(clocks.sample_threads)
        pipeline.after_batch = recorder
        profiler = None
        if options.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
            profiler.start()
        clocks.begin(es, server)
        wall_start = recorder.started = time.perf_counter()
        try:
            pipeline.run(feeds)
        except OverBudget:
            stopped_early = True  # the time budget of `make bench`: report what ran
        wall = time.perf_counter() - wall_start
        clocks.end(es, server)
        if profiler is not None:
            profiler.stop()
    peak_main = _peak_rss_mib()

    by_family = elasticsearch_by_family(es, settings.index_prefix)  # before the checks' own reads
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
        "warm_up": warm,
        "rss_before_mib": rss_before,
        "peak_rss_mib": tree.peak_mib,
        "peak_rss_main_mib": peak_main,
        "stages": stages,
        "enrich_busy_seconds": seconds.get("enrich", 0.0),
        "cpu": {
            "stages": clocks.stages,
            **clocks.totals,
            "cores": os.cpu_count() or 1,
            "elasticsearch_operations": clocks.elasticsearch,
            "threads": clocks.threads_by_name(),
            "elasticsearch_by_family": by_family,
        },
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
