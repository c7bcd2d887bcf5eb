"""The enrichment's output, dumped whole, and its CPU per text: the A/B check of performance
changes to `enrich/` (a change that only makes it faster must leave the dump byte-identical).

    python -m bench.enrich_identity dump OUT.json      # every field `enrich` sets + the events
    python -m bench.enrich_identity time               # CPU ms/text: Enricher.enrich vs nlp.pipe
    python -m bench.enrich_identity parts              # CPU ms/text of each step after the model
    python -m bench.enrich_identity profile            # cProfile of Enricher.enrich, top costs

Texts: the development gold sets' texts (tests/gold/<set>/texts, the held-out sets left out),
sample_corpus/texts, and `--bench N` articles of the cached 1,000-article bench corpus
(extracted once with `ingest.extract`, cached beside it). Gold texts are read with their
first line as title (as `vigie eval` does) and, a second time, under a title of their own
words the text does not repeat, so the headline path runs too.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pickle
import pstats
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bench.common import french_article
from vigie.core.models import Article
from vigie.core.settings import REPO_ROOT, Settings

# Never read here: sets written blind, scored only at the end (tests/gold/sets.yaml).
HELD_OUT = frozenset(
    yaml.safe_load((REPO_ROOT / "tests" / "gold" / "sets.yaml").read_text(encoding="utf-8"))["held_out"]
)
PUBLISHED = datetime.fromisoformat("2025-03-11T08:00:00+01:00")
BENCH_CORPUS = Path("/var/tmp/vigie/bench-corpus-1000-7")
CHUNK = 25  # as `enrich.pool.DEFAULT_CHUNK_SIZE`


def _article(key: str, title: str, text: str) -> Article:
    return french_article(f"https://identity.invalid/{key}", title, text, "identity", PUBLISHED)


def gold_texts() -> list[tuple[str, str]]:
    paths = sorted(REPO_ROOT.glob("sample_corpus/texts/*.txt"))
    for folder in sorted((REPO_ROOT / "tests" / "gold").iterdir()):
        if folder.name in HELD_OUT or not (folder / "texts").is_dir():
            continue
        paths += sorted((folder / "texts").glob("*.txt"))
    return [(str(p.relative_to(REPO_ROOT)), p.read_text(encoding="utf-8")) for p in paths]


def bench_texts(n: int) -> list[tuple[str, str, str]]:
    """(path, title, text) of the first `n` French originals of the bench corpus."""
    if n <= 0 or not BENCH_CORPUS.is_dir():
        return []
    cache = Path("/var/tmp/vigie/bench-work") / f"enrich-identity-{BENCH_CORPUS.name}-{n}.json"
    if cache.is_file():
        return [tuple(row) for row in json.loads(cache.read_text(encoding="utf-8"))]  # type: ignore[misc]
    from ingest.extract import extract_article

    rows: list[tuple[str, str, str]] = []
    for line in (BENCH_CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["kind"] != "original" or item["language"] != "fr":
            continue
        page = BENCH_CORPUS / "site" / item["path"].lstrip("/")
        html = page.read_bytes().decode(item.get("encoding") or "utf-8")
        extracted = extract_article(html, "http://127.0.0.1" + item["path"])
        if extracted.text:
            rows.append((item["path"], item["title"], extracted.text))
        if len(rows) >= n:
            break
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return rows


def corpus(bench: int) -> list[Article]:
    articles = []
    for key, text in gold_texts():
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        articles.append(_article(key, first, text))
        words = [w for w in text.split() if w.isalpha()][40:49]
        articles.append(_article(key + "#titled", " ".join(words).capitalize(), text))
    articles += [_article(path, title, text) for path, title, text in bench_texts(bench)]
    return articles


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return np.frombuffer(value, dtype=np.int32).tolist()
    return value


def dump(out: Path, bench: int) -> None:
    from enrich.pipeline import ENRICHED_FIELDS, Enricher
    from vigie.core.accounting import RunSummary

    articles = corpus(bench)
    enricher = Enricher(Settings())
    result: dict[str, Any] = {"articles": {}, "events": [], "summary": None}
    summary = RunSummary()
    for start in range(0, len(articles), CHUNK):
        chunk = articles[start : start + CHUNK]
        result["events"] += _jsonable(enricher.enrich(chunk, summary))
        for article in chunk:
            result["articles"][article.url] = {
                name: _jsonable(getattr(article, name)) for name in ENRICHED_FIELDS
            }
    result["summary"] = summary.model_dump(mode="json")
    out.write_text(
        json.dumps(result, ensure_ascii=False, sort_keys=True, indent=1, default=str), encoding="utf-8"
    )
    print(f"{len(articles)} articles, {len(result['events'])} events -> {out}")


def _fresh(articles: list[Article]) -> list[Article]:
    return [a.model_copy(deep=True) for a in articles]


def time_parts(bench: int, repeat: int) -> None:
    """CPU ms per text: the whole `Enricher.enrich` (in chunks, as a worker runs it), the same
    pipeline's `nlp.pipe` alone, each of its components, and the pickling of a chunk's result."""
    from enrich.pipeline import Enricher
    from enrich.pool import ChunkResult, _fields
    from vigie.core.accounting import RunSummary

    articles = [a for a in corpus(bench) if not a.url.endswith("#titled")] if bench else corpus(0)
    enricher = Enricher(Settings())
    nlp = enricher.nlp
    texts = [a.text for a in articles]
    enricher.enrich(_fresh(articles[:10]))
    n = len(articles)
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    for _ in range(repeat):
        batch = _fresh(articles)
        start = time.process_time()
        pickled = 0
        for i in range(0, n, CHUNK):
            chunk = batch[i : i + CHUNK]
            events = enricher.enrich(chunk, RunSummary())
            result = ChunkResult({a.id: _fields(a) for a in chunk}, events, RunSummary(), 0.0)
            pickled += len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        keep("Enricher.enrich + result pickled (as a worker)", time.process_time() - start)
        start = time.process_time()
        for i in range(0, n, CHUNK):
            list(nlp.pipe(texts[i : i + CHUNK], batch_size=enricher.batch_size))
        keep("its nlp.pipe alone (texts, all its components)", time.process_time() - start)
        docs = [nlp.make_doc(t) for t in texts]
        for name, proc in nlp.pipeline:
            start = time.process_time()
            docs = (
                list(proc.pipe(docs, batch_size=enricher.batch_size))
                if hasattr(proc, "pipe")
                else [proc(d) for d in docs]
            )
            keep(f"  component {name}", time.process_time() - start)
    print(f"{n} texts, best of {repeat}, CPU ms per text (time.process_time)")
    for name, seconds in best.items():
        print(f"{name:<52} {1000 * seconds / n:8.2f}")
    total = best["Enricher.enrich + result pickled (as a worker)"]
    model = best["its nlp.pipe alone (texts, all its components)"]
    print(f"{'beyond nlp.pipe of the texts':<52} {1000 * (total - model) / n:8.2f}")
    print(f"result pickle: {pickled / n / 1024:.1f} KiB per text")


def _timed(table: dict[str, float], name: str, function: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            table[name] = table.get(name, 0.0) + time.process_time() - start

    return wrapper


def parts(bench: int) -> None:
    """CPU ms per text of each step `Enricher.enrich` runs after the model (wrapped with
    timers: nested steps count inside their callers too)."""
    import enrich.events.extractor as extractor_module
    import enrich.pipeline as pipeline
    from enrich.pool import ChunkResult, _fields
    from vigie.core.accounting import RunSummary

    articles = [a for a in corpus(bench) if not a.url.endswith("#titled")] if bench else corpus(0)
    enricher = pipeline.Enricher(Settings())
    enricher.enrich(_fresh(articles[:10]))
    table: dict[str, float] = {}
    for name in ("doc_mentions", "aggregate", "merge_mentions", "token_offsets"):
        setattr(pipeline, name, _timed(table, name, getattr(pipeline, name)))
    for name in ("is_reportable", "reattach_objects_of_days", "promote_finite_verbs"):
        setattr(extractor_module, name, _timed(table, "extract: " + name, getattr(extractor_module, name)))
    dates = extractor_module.dates_module
    extractor = enricher.extractor
    for owner, name, label in (
        (enricher.gate, "decide", "gate.decide"),
        (extractor, "extract", "extract"),
        (extractor.triggers, "find", "extract: triggers.find"),
        (extractor.counts, "attach", "extract: counts.attach"),
        (extractor.parties, "remember_subjects", "extract: remember_subjects"),
        (extractor.places, "doc_weapon_classes", "extract: doc_weapon_classes"),
        (extractor, "_event", "extract: _event"),
        (extractor, "_resolve_pending", "extract: _resolve_pending"),
    ):
        setattr(owner, name, _timed(table, label, getattr(owner, name)))
    original_resolve = dates.resolve_date
    dates.resolve_date = _timed(table, "extract: dates.resolve_date", original_resolve)
    for name, label in (("_fill", "_fill"), ("_enrich_one", "_enrich_one (all after the model)")):
        setattr(enricher, name, _timed(table, label, getattr(enricher, name)))
    batch = _fresh(articles)
    start = time.process_time()
    for i in range(0, len(batch), CHUNK):
        chunk = batch[i : i + CHUNK]
        events = enricher.enrich(chunk, RunSummary())
        t = time.process_time()
        data = pickle.dumps(
            ChunkResult({a.id: _fields(a) for a in chunk}, events, RunSummary(), 0.0),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        pickle.loads(data)
        table["result pickled + unpickled"] = (
            table.get("result pickled + unpickled", 0.0) + time.process_time() - t
        )
    total = time.process_time() - start
    dates.resolve_date = original_resolve
    n = len(batch)
    print(f"{n} texts, CPU ms per text")
    print(f"{'enrich + pickle, whole':<44} {1000 * total / n:8.2f}")
    for name, seconds in sorted(table.items(), key=lambda kv: -kv[1]):
        print(f"{name:<44} {1000 * seconds / n:8.2f}")


def profile(bench: int, top: int) -> None:
    from enrich.pipeline import Enricher

    articles = [a for a in corpus(bench) if not a.url.endswith("#titled")] if bench else corpus(0)
    enricher = Enricher(Settings())
    enricher.enrich(_fresh(articles[:10]))
    batch = _fresh(articles)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(0, len(batch), CHUNK):
        enricher.enrich(batch[i : i + CHUNK])
    profiler.disable()
    profiler.dump_stats("/var/tmp/vigie/bench-work/enrich-identity.prof")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["dump", "time", "profile", "parts"])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--bench", type=int, default=300, help="bench corpus articles (default 300)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    if args.mode == "dump":
        if args.out is None:
            parser.error("dump needs an output path")
        dump(args.out, args.bench)
    elif args.mode == "time":
        time_parts(args.bench, args.repeat)
    elif args.mode == "parts":
        parts(args.bench)
    else:
        profile(args.bench, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
