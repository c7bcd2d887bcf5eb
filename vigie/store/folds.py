"""Syndication folds: a syndicated copy (an article with `duplicate_of`) is not stored as a
document of its own; its outlet joins its original's `sources` and its canonical URL joins the
original's `duplicate_urls`.

The new fields of each original are merged in memory (its copies in input order) and written
conditionally on the version read (`vigie.store.conditional`): a partial `update`, or an
`index` of the whole document when it is known (an article the same call created: unlike a
partial update of a document not yet refreshed, it does not make the shard refresh to read it
back). An original whose write conflicts is read again and merged again. Copies travel as
their JSON documents (as the spool keeps them), never turned back into records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from elasticsearch import Elasticsearch

from vigie.core.settings import Settings
from vigie.store.actions import UNREACHABLE
from vigie.store.conditional import Apply, Sender, Versioned, update_many_conditionally
from vigie.store.es import index_name

__all__ = [
    "FoldBatch",
    "FoldOutcome",
    "already_indexed",
    "copy_action",
    "find_originals",
    "fold",
    "stored_versions",
]

log = logging.getLogger(__name__)

FOLD_ATTEMPTS = 5
# The fields of an original a fold reads.
FOLD_FIELDS: tuple[str, ...] = ("url", "source", "sources", "duplicate_urls")

# What folding a copy did: done ("folded", "already-folded", "already-present"), or not:
# "missing" (no original: index the copy), "conflict"/"unreachable" (keep the fold for the
# next run), "refused" (dead-letter the copy).
FoldOutcome = Literal[
    "folded", "already-folded", "already-present", "missing", "conflict", "unreachable", "refused"
]
# A syndicated copy, as its JSON document (`Article` fields).
Copy = Mapping[str, Any]


@dataclass
class FoldBatch:
    outcomes: list[FoldOutcome]  # per copy, in input order
    errors: dict[str, Any] = field(default_factory=dict)  # original id -> refused write's error
    unreachable: bool = False


def copy_action(settings: Settings, copy: Copy) -> dict[str, Any]:
    """`create` a copy as an article of its own (its original is unknown, or refused it): its
    document as it is, in the index of its own publication month."""
    published = copy.get("published")
    when = datetime.fromisoformat(published) if published else None
    return {
        "_op_type": "create",
        "_index": index_name(settings, "articles", when),
        "_id": copy["id"],
        "_source": copy,
    }


def _union(base: Sequence[str], extra: Iterable[str]) -> list[str]:
    merged = list(dict.fromkeys(base))
    merged.extend(item for item in dict.fromkeys(extra) if item and item not in merged)
    return merged


def merge(
    source: Mapping[str, Any], copies: Sequence[Copy]
) -> tuple[list[FoldOutcome], dict[str, Any] | None]:
    """Each copy's outcome when folded, in order, into an original stored as `source`, and the
    fields that do them all (None when there is nothing to write)."""
    url = source.get("url")
    sources = list(source.get("sources") or [])
    urls = list(source.get("duplicate_urls") or [])
    own = [source["source"]] if source.get("source") else []
    outcomes: list[FoldOutcome] = []
    changed = False
    for copy in copies:
        if copy["url"] == url:
            outcomes.append("already-present")
            continue
        merged_sources = _union(sources or own, [copy["source"], *(copy.get("sources") or [])])
        copy_urls = [copy["url"], *(copy.get("duplicate_urls") or [])]
        merged_urls = _union(urls, [u for u in copy_urls if u != url])
        if merged_sources == sources and merged_urls == urls:
            outcomes.append("already-folded")
            continue
        sources, urls, changed = merged_sources, merged_urls, True
        outcomes.append("folded")
    return outcomes, ({"sources": sources, "duplicate_urls": urls} if changed else None)


def _search_originals(es: Elasticsearch, settings: Settings, ids: list[str]) -> dict[str, Versioned]:
    response = es.search(
        index=settings.index("articles"),
        query={"ids": {"values": ids}},
        size=len(ids),
        seq_no_primary_term=True,
        source_includes=list(FOLD_FIELDS),
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    return {hit["_id"]: Versioned.from_hit(hit, full=False) for hit in response["hits"]["hits"]}


def find_originals(es: Elasticsearch, settings: Settings, ids: list[str]) -> dict[str, Versioned]:
    """Originals by id through the alias; one refresh when some are missing (an original
    indexed a moment ago and not written by this call is not searchable before a refresh)."""
    if not ids:
        return {}
    found = _search_originals(es, settings, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        es.indices.refresh(index=settings.index("articles"), ignore_unavailable=True, allow_no_indices=True)
        found.update(_search_originals(es, settings, missing))
    return found


def fold(
    es: Elasticsearch, originals: dict[str, Versioned], copies: Sequence[Copy], send: Sender
) -> FoldBatch:
    """Fold copies into their originals (read, with their versions, in `originals`): one
    bulk of conditional writes (`send`), one per original, and for the originals that
    conflicted a re-read and a merge again, up to FOLD_ATTEMPTS rounds. `originals` is updated
    in place with the versions last read or written."""
    batch = FoldBatch(outcomes=["missing"] * len(copies))
    todo: dict[str, list[int]] = {}  # original id -> positions of its copies
    for position, copy in enumerate(copies):
        if copy.get("duplicate_of") in originals:
            todo.setdefault(copy["duplicate_of"], []).append(position)

    def merging(positions: list[int]) -> Apply:
        def apply(source: Mapping[str, Any]) -> Mapping[str, Any] | None:
            outcomes, change = merge(source, [copies[p] for p in positions])
            for position, outcome in zip(positions, outcomes, strict=True):
                batch.outcomes[position] = outcome
            return None if change is None else {**source, **change}

        return apply

    result = update_many_conditionally(
        es,
        [(originals[i], merging(positions)) for i, positions in todo.items()],
        attempts=FOLD_ATTEMPTS,
        send=send,
        source_includes=FOLD_FIELDS,
        unreachable=UNREACHABLE,
    )
    originals.update(result.unchanged)
    originals.update(result.written)
    for original_id in result.missing:  # the original vanished
        _mark(batch, todo[original_id], "missing")
    for original_id, error in result.refused.items():
        batch.errors[original_id] = error
        _mark(batch, todo[original_id], "refused")
    batch.unreachable = result.unreachable
    for original_id in result.left:
        positions = todo[original_id]
        if not batch.unreachable:
            log.error(
                "fold of %s into %s kept conflicting; left for the next run",
                ", ".join(str(copies[p]["id"]) for p in positions),
                original_id,
            )
        _mark(batch, positions, "unreachable" if batch.unreachable else "conflict")
    return batch


def _mark(batch: FoldBatch, positions: Iterable[int], outcome: FoldOutcome) -> None:
    for position in positions:
        batch.outcomes[position] = outcome


def already_indexed(
    es: Elasticsearch, settings: Settings, ids_and_urls: Iterable[str | tuple[str, ...]]
) -> set[str]:
    """The subset of the given article ids and canonical URLs (plain strings or `(id, url)`
    pairs) already known to the index: ids of stored articles, their URLs, and URLs of copies
    folded into them (`duplicate_urls`). One query per 1,000 values, so a pipeline batch costs
    one round trip."""
    flat = (v for item in ids_and_urls for v in ((item,) if isinstance(item, str) else item))
    wanted = list(dict.fromkeys(v for v in flat if v))
    found: set[str] = set()
    for start in range(0, len(wanted), 1000):
        values = wanted[start : start + 1000]
        response = es.search(
            index=settings.index("articles"),
            query={
                "bool": {
                    "should": [
                        {"ids": {"values": values}},
                        {"terms": {"url": values}},
                        {"terms": {"duplicate_urls": values}},
                    ]
                }
            },
            size=min(10_000, 2 * len(values)),
            source_includes=["url", "duplicate_urls"],
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        lookup = set(values)
        for hit in response["hits"]["hits"]:
            source = hit.get("_source", {})
            candidates = [hit["_id"], source.get("url"), *(source.get("duplicate_urls") or [])]
            found.update(c for c in candidates if c in lookup)
    return found


# What a new version of an article needs of the stored one (`stored_versions`).
VERSION_FIELDS: tuple[str, ...] = (
    "version",
    "title",
    "published",
    "fetched_at",
    "content_hash",
    "feed_signature",
    "sources",
    "duplicate_urls",
    "story_id",
    "story_anchor",
    "story_lead",
)


def stored_versions(es: Elasticsearch, settings: Settings, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored articles of these ids: the fields a new version of each compares with and
    keeps (`VERSION_FIELDS`), plus `_index`, the concrete index holding it. One query per
    1,000 ids."""
    found: dict[str, dict[str, Any]] = {}
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), 1000):
        values = wanted[start : start + 1000]
        response = es.search(
            index=settings.index("articles"),
            query={"ids": {"values": values}},
            size=len(values),
            source_includes=list(VERSION_FIELDS),
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        for hit in response["hits"]["hits"]:
            found[hit["_id"]] = {**hit.get("_source", {}), "_index": hit["_index"]}
    return found
