"""The enrichment's bound: `nlp.pipe` of the spaCy model alone, in as many processes as the
pipeline has enrichment workers, fed the same chunks of texts (see `enrich.pool`)."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench.common import MODEL

_nlp: Any = None


def _start(model: str) -> None:
    global _nlp
    import spacy

    _nlp = spacy.load(model)


def _ready() -> int:
    time.sleep(0.2)
    return os.getpid()


def _pipe(texts: list[str]) -> int:
    for _doc in _nlp.pipe(texts, batch_size=16):
        pass
    return len(texts)


def measure(
    texts: Sequence[str], processes: int, chunk_size: int = 25, model: str = MODEL
) -> dict[str, float]:
    """Texts per second of the model alone; the model loads are not timed."""
    if processes < 1:
        _start(model)
        start = time.perf_counter()
        _pipe(list(texts))
        seconds = time.perf_counter() - start
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            processes, mp_context=context, initializer=_start, initargs=(model,)
        ) as pool:
            pids: set[int] = set()
            while len(pids) < processes:
                pids.update(f.result() for f in [pool.submit(_ready) for _ in range(processes)])
            start = time.perf_counter()
            chunks = [list(texts[i : i + chunk_size]) for i in range(0, len(texts), chunk_size)]
            done = sum(pool.map(_pipe, chunks))
            seconds = time.perf_counter() - start
            assert done == len(texts)
    return {
        "items": len(texts),
        "seconds": seconds,
        "rate": len(texts) / seconds,
        "processes": max(1, processes),
    }
