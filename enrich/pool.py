"""Enrichment in worker processes, so that more than one core runs the spaCy model.

    with EnricherPool(settings, workers=2) as pool:
        job = pool.submit(articles)     # returns at once; the workers enrich in the background
        ...                             # the caller fetches and deduplicates the next batch
        events = job.result(summary)    # waits, then fills the caller's articles in place

spaCy holds the GIL for most of its work, so threads would not help: each worker is a process
of its own (started with `spawn`, never `fork`: the parent holds sockets, threads and an
Elasticsearch client) that loads the model once (~600 MB, ~6 s). A batch is cut into chunks of
`chunk_size` articles so every worker stays busy and no worker holds a whole batch's `Doc`s.

A job's result is applied to the caller's own `Article` objects (the fields listed in
`enrich.pipeline.ENRICHED_FIELDS`), so the pool is a drop-in for `Enricher.enrich`: same input,
same mutations, same events, same accounting. Only those fields travel back (not the articles,
nor the texts their token record was read from): the caller has them.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Event
from vigie.core.settings import Settings

if TYPE_CHECKING:
    from enrich.pipeline import Enricher

DEFAULT_CHUNK_SIZE = 25

_worker_enricher: Enricher | None = None  # one per worker process, loaded by `_load_enricher`


def _load_enricher(settings: Settings) -> None:
    global _worker_enricher
    from enrich.pipeline import Enricher

    _worker_enricher = Enricher(settings)


def _start_worker(settings: Settings) -> None:
    """A worker process's initializer: its model, and a quick exit. Tearing the interpreter
    down frees the model object by object (2-4 s for two workers, which `close` waits for at
    the end of every run); the first exit hook (they run last-registered first, after
    multiprocessing has flushed the worker's queues and threads have stopped) ends the process
    without it."""
    _load_enricher(settings)
    # The model's ~530,000 Python objects live as long as the worker: kept out of the
    # collector's full passes, which otherwise walk them all again now and then (measured
    # over gold texts in chunks: 0.47 -> 0.16 ms of collection per article).
    gc.freeze()
    atexit.register(os._exit, 0)


def _ready() -> int:
    time.sleep(0.2)  # long enough for each worker to take one of the probes
    return os.getpid()


@dataclass
class ChunkResult:
    """What a worker sends back: per article id, the values of `ENRICHED_FIELDS` (the token
    record without the texts it was read from, which the caller has: `_fields`), the events,
    the accounting."""

    fields: dict[str, dict[str, Any]]
    events: list[Event]
    summary: RunSummary
    seconds: float  # the worker's busy time for this chunk


def _fields(article: Article) -> dict[str, Any]:
    """The article's `ENRICHED_FIELDS`; in its token record, a text equal to the article's
    field is sent as None (the caller puts its own string back: `_apply`)."""
    from enrich.pipeline import ENRICHED_FIELDS

    values = {name: getattr(article, name) for name in ENRICHED_FIELDS}
    tokens = values.get("_tokens")
    if tokens:
        values["_tokens"] = {
            name: (None if text == getattr(article, name) else text, offsets)
            for name, (text, offsets) in tokens.items()
        }
    return values


def _apply(article: Article, values: dict[str, Any]) -> None:
    """Set the enriched fields on the caller's article; the token record points at the
    article's own strings (`Article._tokens` holds the texts the model read)."""
    for name, value in values.items():
        if name == "_tokens" and value:
            value = {
                field: (getattr(article, field) if text is None else text, offsets)
                for field, (text, offsets) in value.items()
            }
        setattr(article, name, value)


def _enrich_chunk(articles: list[Article]) -> ChunkResult:
    if _worker_enricher is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("enrichment worker started without its model")
    summary = RunSummary()
    start = time.perf_counter()
    events = _worker_enricher.enrich(articles, summary)
    fields = {article.id: _fields(article) for article in articles}
    return ChunkResult(fields, events, summary, time.perf_counter() - start)


@dataclass
class EnrichmentJob:
    """One batch being enriched by the pool (or already enriched, in process)."""

    chunks: list[tuple[list[Article], Future[ChunkResult]]] = field(default_factory=list)
    events: list[Event] | None = None  # set when the work was done in process
    seconds: float = 0.0

    def result(self, summary: RunSummary) -> list[Event]:
        """Wait for the workers, copy their enrichment onto the caller's articles, merge the
        accounting; the events come in the order of the articles."""
        if self.events is not None:
            return self.events
        events: list[Event] = []
        for originals, future in self.chunks:
            chunk = future.result()
            for article in originals:
                values = chunk.fields.get(article.id)
                if values is not None:
                    _apply(article, values)
            events.extend(chunk.events)
            summary.merge(chunk.summary)
            self.seconds += chunk.seconds
        self.events, self.chunks = events, []
        return events


class EnricherPool:
    """`workers` processes, each with its own `Enricher`; started on first use."""

    def __init__(self, settings: Settings, workers: int, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if workers < 1:
            raise ValueError(f"an enrichment pool needs at least one worker, not {workers}")
        self.settings = settings
        self.workers = workers
        self.chunk_size = chunk_size
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.settings,),
            )
        return self._executor

    def warm_up(self, timeout: float = 300.0) -> set[int]:
        """Start every worker and wait until each has loaded the model; returns their pids."""
        deadline = time.monotonic() + timeout
        pids: set[int] = set()
        while len(pids) < self.workers:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{len(pids)} of {self.workers} enrichment workers ready after {timeout:.0f}s"
                )
            probes = [self.executor.submit(_ready) for _ in range(self.workers)]
            pids.update(probe.result(timeout=remaining) for probe in probes)
        return pids

    def submit(self, articles: Sequence[Article]) -> EnrichmentJob:
        job = EnrichmentJob()
        for start in range(0, len(articles), self.chunk_size):
            chunk = list(articles[start : start + self.chunk_size])
            job.chunks.append((chunk, self.executor.submit(_enrich_chunk, chunk)))
        return job

    def enrich(self, articles: Sequence[Article], summary: RunSummary | None = None) -> list[Event]:
        return self.submit(articles).result(summary if summary is not None else RunSummary())

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> EnricherPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
