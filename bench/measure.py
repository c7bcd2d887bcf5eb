"""What a benchmark run measures once the pipeline is done, in the run's own process: checks of
what it stored (nothing lost or doubled, dedup candidates) and the limits on the same inputs
(spaCy alone, trafilatura alone, a raw bulk and the index step alone of the stored documents)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import MODEL, MiB
from bench.corpus import CorpusInfo


def band_matches(es: Any, index: str, bands: Sequence[tuple[str, Sequence[str]]]) -> dict[str, float]:
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


def story_groups(es: Any, index: str, info: CorpusInfo) -> dict[str, Any]:
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


def bound_enrich(texts_file: Path, workers: int) -> dict[str, float]:
    """`nlp.pipe` of the spaCy model the enrichment uses, alone, in as many processes as the
    pipeline has enrichment workers: the enrichment's bound on this machine."""
    from bench.spacy_bound import measure

    return measure(_texts(texts_file), workers, model=MODEL)


def dump_stored(es: Any, settings: Any, dump: Path) -> int:
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


def _stored(dump: Path) -> Iterator[dict[str, Any]]:
    """The lines `dump_stored` wrote, read back one at a time."""
    with dump.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def bound_index(es: Any, settings: Any, raw_settings: Any, dump: Path, articles: int) -> dict[str, float]:
    """A raw `helpers.bulk` (create, 500 per request) of the very documents the pipeline stored
    into empty same-mapped indices: the indexing bound."""
    from elasticsearch.helpers import bulk

    documents = 0

    def actions() -> Iterator[dict[str, Any]]:
        nonlocal documents
        for stored in _stored(dump):
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


def index_alone(alone_settings: Any, dump: Path, batch_size: int) -> dict[str, float]:
    """The pipeline's index step (`Pipeline.index`) alone, on the same documents: the stored
    articles and events read back into `Article`/`Event` records (not timed), then indexed per
    batch of `batch_size` articles with their events into empty same-mapped indices, its refreshes
    timed apart (as `Pipeline.run`: after the last batch only, and one of every family at the end, as a pass ends). Inside the pipeline the step shares the 2 cores with the enrichment workers;
    this is its cost with the machine to itself, the same conditions as the raw bulk it is
    compared with."""
    from vigie.core.models import Article, Event
    from vigie.run.pipeline import Pipeline, batch_sizes

    class RefreshTimed(Pipeline):
        refresh_seconds = 0.0
        refreshes = 0

        def refresh(self, *, everything: bool = False) -> bool:
            start = time.perf_counter()
            done = super().refresh(everything=everything)
            self.refresh_seconds += time.perf_counter() - start
            self.refreshes += 1
            return done

    sources: dict[str, list[dict[str, Any]]] = {"articles": [], "events": []}
    for stored in _stored(dump):
        sources[stored["kind"]].append(stored["_source"])
    events_of: dict[str, list[Event]] = {}
    for source in sources["events"]:
        event = Event.model_validate(source)
        events_of.setdefault(event.article_id, []).append(event)
    articles = [Article.model_validate(source) for source in sources["articles"]]
    pipeline = RefreshTimed(settings=alone_settings)
    first = 0
    sizes = batch_sizes(len(articles), batch_size)
    for number, size in enumerate(sizes):  # the pipeline's batches (`plan_batches`)
        batch = articles[first : first + size]
        first += size
        # As `Pipeline.run` commits them: a batch followed by another is not refreshed.
        pipeline.more_batches = number + 1 < len(sizes)
        pipeline.index(batch, [event for article in batch for event in events_of.get(article.id, [])])
    with pipeline._timed("index"):  # as a pass ends (`Pipeline.run`): everything searchable
        pipeline.refresh(everything=True)
    summary = pipeline.summary
    seconds = summary.seconds["index"]
    return {
        "items": len(articles),
        "documents": summary.get("index.articles") + summary.get("index.events"),
        "seconds": seconds,
        "refresh_seconds": pipeline.refresh_seconds,
        "refreshes": pipeline.refreshes,
        "batches": -(-len(articles) // batch_size),
        "rate": len(articles) / seconds,
    }


def components(texts_file: Path, limit: int) -> dict[str, float]:
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


def bound_extract(site: Path, paths: Sequence[str]) -> dict[str, float]:
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
