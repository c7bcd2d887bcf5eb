"""`make bench`: stage throughput, end-to-end rate, memory and the limits, on 1k and 10k articles.

    python -m bench.run                   # 1,000 and 10,000 articles (make bench), 20-minute budget
    python -m bench.run --sizes 200       # quick smoke run
    python -m bench.run --profile         # + a pyinstrument profile of the main process
    python -m bench.run --max-minutes 0 --section full   # no time budget

For each size, in a process of its own (so peak RSS is per run):
  * the corpus (`bench.corpus`) is served by `vigie.dev.feedserver.FeedServer` in another process;
  * before the clock, one pass over a 100-article corpus of another seed, into indices of its
    own (dropped after), warms the Elasticsearch node's JIT as a running cluster has it
    (`--no-warm`: cold); the workers' model load is not timed either;
  * `Pipeline.run` (what `vigie run` does) runs over it with batches of `--batch` articles and
    `--workers` enrichment processes; the stage times are the pipeline's own
    (`RunSummary.seconds`), per-batch figures come from its `after_batch` hook;
  * the limits on the same inputs, after the run: `nlp.pipe` of the spaCy model alone (in as many
    processes as there are enrichment workers) on the first `--bound-sample` texts the pipeline
    enriched, trafilatura alone on the first pages, and a raw `elasticsearch.helpers.bulk` of
    the very documents the pipeline stored, into empty same-mapped indices.

Elasticsearch: `ES_URL` if set, else a dedicated node (`bench`, on free ports,
1 GB heap) started here and stopped and wiped at the end. The report goes to stdout and to
`bench/results.md` between the markers of its section (the hand-written analysis around them
is kept).

Modules: `bench.child` (the measured run), `bench.measure` (checks and bounds after it),
`bench.nodes` (Elasticsearch node, feed server, machine), `bench.report` (ratios, results.md).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.child import RunOptions, run_child
from bench.common import BENCH_DIR, RESULTS_MD, WORK_DIR
from bench.corpus import generate
from bench.nodes import drop_indices, elasticsearch_url, feed_server, load_average, machine, serve
from bench.report import render, write_results

BOUNDS_RESERVE = 180.0  # seconds kept for a size's bounds when a time budget applies
# Before each size's clock, one pass over a small corpus of another seed warms the Elasticsearch
# node (its JIT compiles the request paths, as on a cluster that has been running): see
# `bench.child.warm_cluster`.
WARM_ARTICLES = 100
WARM_SEED_OFFSET = 1000


def measure(size: int, seed: int, es_url: str, options: RunOptions) -> dict[str, Any]:
    """One size, in a child process of its own (so its peak RSS is its own)."""
    info = generate(size, seed)
    warm = generate(WARM_ARTICLES, seed + WARM_SEED_OFFSET) if options.warm else None
    out = WORK_DIR / f"result-{size}-{seed}.json"
    out.unlink(missing_ok=True)
    prefix = f"bench{size}"
    with (
        tempfile.TemporaryDirectory(prefix="vigie-bench-state-", dir=WORK_DIR) as state,
        feed_server(info.site) as base,
        feed_server(warm.site) if warm is not None else contextlib.nullcontext("") as warm_base,
    ):
        env = {
            **os.environ,
            "ES_URL": es_url,
            "VIGIE_INDEX_PREFIX": prefix,
            "VIGIE_STATE_DIR": state,
            "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
            "VIGIE_FEEDS_BASE_URL": base,
            # Politeness (1 s between requests to one host) is for real outlets, not a local server.
            "VIGIE_FETCH_HOST_DELAY": "0",
            "VIGIE_BENCH_WARM_FEEDS_BASE_URL": warm_base,
        }
        drop_indices(es_url, prefix)
        command = [sys.executable, "-m", "bench.run", "--child", str(info.root), "--out", str(out)]
        command += ["--batch", str(options.batch_size), "--bound-sample", str(options.sample)]
        command += ["--workers", str(options.workers), "--stop-at", str(options.stop_at)]
        if options.profile:
            command += ["--profile"]
        if warm is not None:
            command += ["--warm-corpus", str(warm.root)]
        subprocess.run(command, env=env, check=True, cwd=BENCH_DIR.parent)
        drop_indices(es_url, prefix)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


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
    parser.add_argument(
        "--no-warm",
        action="store_true",
        help="no warm-up pass over a small corpus before each size's clock (cold Elasticsearch JIT)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    parser.add_argument(
        "--section", default="generated", help="name of the bench/results.md section this run replaces"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stop-at", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--warm-corpus", type=Path, help=argparse.SUPPRESS)
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
        warm=not args.no_warm,
        warm_corpus=args.warm_corpus,
    )
    if args.child:
        run_child(args.child, args.out, options)
        return 0

    started = time.time()
    for size in args.sizes:  # corpora first: generation is not part of any measurement
        generate(size, args.seed)
    if options.warm:
        generate(WARM_ARTICLES, args.seed + WARM_SEED_OFFSET)
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
        host["load average (end)"] = load_average()
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    rendered = render(results, host, time.time() - started, args.bound_sample, command.strip(), args.section)
    print(rendered)
    if not args.no_write:
        write_results(rendered, args.section)
        print(f"\nwritten to {RESULTS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
