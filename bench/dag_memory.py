"""The DAG's memory on a catch-up run: each news_ingest step in a process of its own, as
Airflow runs them, over a generated corpus; the peak RSS of every step.

    python -m bench.dag_memory [--n 1000] [--batch-sizes 50,200]

What must hold (issue: one orchestration): the largest step is a `process_batch`, and its
peak grows with the batch size, not with the number of articles caught up; the `plan` step
holds only feed items. Results are appended to `bench/results.md` by hand from the table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

import httpx

from bench import corpus
from bench.nodes import drop_indices, elasticsearch_url, feed_server

STEP = """
import json, resource, sys
from vigie.run import tasks
step, args = sys.argv[1], json.loads(sys.argv[2])
result = getattr(tasks, step)(*args)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"result": result, "peak_mib": peak}))
"""


def run_step(step: str, *args: object, env: dict[str, str]) -> tuple[object, float]:
    done = subprocess.run(
        [sys.executable, "-c", STEP, step, json.dumps(args)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["result"], float(out["peak_mib"])


def catch_up(es_url: str, site_url: str, info: corpus.CorpusInfo, batch_size: int) -> dict[str, object]:
    prefix = f"benchdag{batch_size}"
    drop_indices(es_url, prefix)
    with tempfile.TemporaryDirectory(prefix="vigie-dagmem-") as state:
        env = {
            **os.environ,
            "ES_URL": es_url,
            "VIGIE_INDEX_PREFIX": prefix,
            "VIGIE_STATE_DIR": state,
            "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
            "VIGIE_FETCH_HOST_DELAY": "0",
            "VIGIE_FEEDS": str(info.feeds_file),
            "VIGIE_FEEDS_BASE_URL": site_url,
            "VIGIE_BATCH_SIZE": str(batch_size),
        }
        run_key = f"catch-up-{batch_size}"
        start = time.perf_counter()
        peaks: dict[str, float] = {}
        _, peaks["prepare"] = run_step("prepare", run_key, env=env)
        feeds, _ = run_step("load_feed_registry", env=env)
        item_paths = []
        poll_peak = 0.0
        for feed in cast(list[dict[str, object]], feeds):
            path, peak = run_step("poll", feed, run_key, env=env)
            item_paths.append(path)
            poll_peak = max(poll_peak, peak)
        peaks["poll (max)"] = poll_peak
        batches, peaks["plan"] = run_step("plan", item_paths, run_key, env=env)
        stored: list[list[str]] = []
        batch_peaks = []
        for path in cast(list[str], batches):
            ids, peak = run_step("process_batch", path, run_key, env=env)
            stored.append(cast(list[str], ids))
            batch_peaks.append(peak)
        peaks["process_batch (max)"] = max(batch_peaks, default=0.0)
        total, peaks["finish"] = run_step("finish", stored, run_key, env=env)
        run_step("clean_up", run_key, env=env)
        seconds = time.perf_counter() - start
        staging_left = any((Path(state) / "staging").glob("*/*"))
    drop_indices(es_url, prefix)
    return {
        "batch_size": batch_size,
        "batches": len(cast(list[str], batches)),
        "stored": total,
        "seconds": round(seconds, 1),
        "peaks_mib": {k: round(v) for k, v in peaks.items()},
        "staging_left": staging_left,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch-sizes", default="50,200")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    info = corpus.generate(args.n, args.seed)
    rows = []
    with elasticsearch_url() as es_url, feed_server(info.site) as site_url:
        httpx.get(f"{es_url}/_cluster/health", timeout=30).raise_for_status()
        for size in (int(s) for s in args.batch_sizes.split(",")):
            rows.append(catch_up(es_url, site_url, info, size))
            print(json.dumps(rows[-1]), flush=True)
    print("\n| articles | batch size | batches | stored | plan MiB | largest process_batch MiB | wall s |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        peaks = row["peaks_mib"]
        assert isinstance(peaks, dict)
        print(
            f"| {args.n} | {row['batch_size']} | {row['batches']} | {row['stored']} | {peaks['plan']} "
            f"| {peaks['process_batch (max)']} | {row['seconds']} |"
        )


if __name__ == "__main__":
    main()
