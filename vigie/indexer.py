"""Bulk indexing that loses nothing and doubles nothing.

* Idempotent: `_id` is the record's content-derived id and the target index is derived from the
  record's own date (`vigie.es.index_for`); writes use `op_type: create`, so re-indexing the
  same batch changes no document (the 409 is counted as "already-present").
* A syndicated copy (an Article with `duplicate_of`) is folded into its original: its outlet
  joins `sources` and its canonical URL joins `duplicate_urls` (read-modify-write guarded by
  `if_seq_no`/`if_primary_term`, retried on conflict; no scripts, which the minimal node lacks).
* Retries: the bulk helper retries 429/502/503/504 items with exponential backoff; connection errors
  and items still failing are retried here, whole, with the same backoff.
* A document the cluster rejects (mapping conflict, oversize) goes to the dead-letter index
  with the error, while the rest of its batch lands.
* When the cluster stays unreachable, what is left of the batch is spooled to disk
  (`vigie.spool`) and `replay_spool` replays it on the next run, deleting the file only once
  every entry landed or was dead-lettered; a crash in between replays idempotent writes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from elasticsearch import ConflictError, Elasticsearch
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout
from elasticsearch.helpers import streaming_bulk

from vigie import spool
from vigie.accounting import RunSummary
from vigie.config import Settings
from vigie.es import ensure_aliases, family_of, index_for, to_document
from vigie.models import Alert, Article, DeadLetter, Event, Record, stable_id

__all__ = [
    "IndexReport",
    "Indexer",
    "already_indexed",
    "create_action",
    "ensure_aliases",  # lives in vigie.es; re-exported for the maintenance DAG
    "purge_dead_letters",
    "upsert_action",
]

log = logging.getLogger(__name__)

# The cluster could not be reached at all: retry, then spool.
UNREACHABLE: tuple[type[Exception], ...] = (ESConnectionError, ESConnectionTimeout)
# Item statuses worth retrying (overload, restarts); any other 4xx/5xx is a rejection.
RETRY_STATUS: tuple[int, ...] = (429, 502, 503, 504)
STAGES: dict[str, str] = {
    "articles": "index.articles",
    "events": "index.events",
    "alerts": "index.alerts",
    "deadletters": "index.deadletters",
}
FOLD_ATTEMPTS = 5
MiB = 1024 * 1024

# A spool/process entry: {"stage": "index.articles", "bulk": <bulk action>} or
# {"stage": "index.articles", "fold": <syndicated copy, as a JSON document>}.
Entry = dict[str, Any]


@dataclass
class IndexReport:
    """What one call did; every item of the input is in exactly one counter."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already present (409 on create), no-op update, or repeated in the batch
    folded: int = 0  # syndicated copies merged into their original
    dead_lettered: int = 0
    spooled: int = 0
    spool_files: list[str] = field(default_factory=list)

    def merge(self, other: IndexReport) -> IndexReport:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.folded += other.folded
        self.dead_lettered += other.dead_lettered
        self.spooled += other.spooled
        self.spool_files.extend(other.spool_files)
        return self


@dataclass
class _Original:
    index: str
    id: str
    seq_no: int
    primary_term: int
    source: dict[str, Any]


def create_action(settings: Settings, record: Record) -> dict[str, Any]:
    """`create` a record under its own id, in the index its own date selects."""
    return {
        "_op_type": "create",
        "_index": index_for(settings, record),
        "_id": record.id,  # type: ignore[attr-defined]
        "_source": to_document(record),
    }


def upsert_action(settings: Settings, record: Record) -> dict[str, Any]:
    """Partial update or insert; an identical document is a `noop` (no new `_version`)."""
    return {
        "_op_type": "update",
        "_index": index_for(settings, record),
        "_id": record.id,  # type: ignore[attr-defined]
        "retry_on_conflict": 3,
        "_source": {"doc": to_document(record), "doc_as_upsert": True, "detect_noop": True},
    }


def _error_text(error: Any) -> tuple[str, str]:
    """(type, reason) of a bulk item error, including the nested cause when there is one."""
    if isinstance(error, Mapping):
        kind = str(error.get("type", "error"))
        reason = str(error.get("reason", ""))
        cause = error.get("caused_by")
        if isinstance(cause, Mapping) and cause.get("reason") and str(cause["reason"]) not in reason:
            reason = f"{reason} (caused by {cause.get('type')}: {cause['reason']})"
        return kind, reason
    return "error", str(error)


def _union(base: Sequence[str], extra: Iterable[str]) -> list[str]:
    merged = list(dict.fromkeys(base))
    merged.extend(item for item in dict.fromkeys(extra) if item and item not in merged)
    return merged


def _entry_id(entry: Entry) -> str:
    if "bulk" in entry:
        return str(entry["bulk"].get("_id"))
    return str(entry["fold"].get("id"))


class Indexer:
    """Writes records to Elasticsearch; see the module docstring for the guarantees."""

    def __init__(
        self,
        es: Elasticsearch,
        settings: Settings,
        *,
        chunk_size: int = 500,
        max_chunk_bytes: int = 10 * MiB,
        max_doc_bytes: int | None = None,
        max_retries: int = 3,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
        spool_enabled: bool = True,
    ) -> None:
        self.es = es
        self.settings = settings
        self.chunk_size = chunk_size
        self.max_chunk_bytes = max_chunk_bytes
        # A document must fit in one bulk request; bigger ones are dead-lettered up front.
        self.max_doc_bytes = max_doc_bytes if max_doc_bytes is not None else max_chunk_bytes
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.spool_enabled = spool_enabled

    # --- public surface ----------------------------------------------------------------------

    def index_articles(self, articles: Iterable[Article], summary: RunSummary) -> IndexReport:
        stage = STAGES["articles"]
        entries: list[Entry] = []
        for article in articles:
            if article.duplicate_of and article.duplicate_of != article.id:
                entries.append({"stage": stage, "fold": to_document(article)})
            else:
                entries.append({"stage": stage, "bulk": create_action(self.settings, article)})
        return self._write(entries, summary)

    def index_events(self, events: Iterable[Event], summary: RunSummary) -> IndexReport:
        return self.index("events", events, summary)

    def index_alerts(
        self, alerts: Iterable[Alert], summary: RunSummary, *, update_existing: bool = False
    ) -> IndexReport:
        """`update_existing=True` records changed alerts (delivery status) as partial updates."""
        if not update_existing:
            return self.index("alerts", alerts, summary)
        stage = STAGES["alerts"]
        return self._write(
            [{"stage": stage, "bulk": upsert_action(self.settings, a)} for a in alerts], summary
        )

    def index(self, kind: str, records: Iterable[Record], summary: RunSummary) -> IndexReport:
        """Generic entry point: kind is an index family (articles, events, alerts, deadletters)."""
        if kind == "articles":
            return self.index_articles(records, summary)  # type: ignore[arg-type]
        stage = STAGES[kind]
        entries: list[Entry] = []
        for record in records:
            if family_of(record) != kind:
                raise TypeError(f"{type(record).__name__} is not a {kind} record")
            entries.append({"stage": stage, "bulk": create_action(self.settings, record)})
        return self._write(entries, summary)

    def bulk(self, actions: Iterable[Mapping[str, Any]], summary: RunSummary, *, stage: str) -> IndexReport:
        """Raw bulk actions (`_op_type`, `_index`, `_id`, `_source`), with the same guarantees."""
        return self._write([{"stage": stage, "bulk": dict(action)} for action in actions], summary)

    def process(self, entries: Sequence[Entry], summary: RunSummary) -> tuple[IndexReport, list[Entry]]:
        """Write entries; returns the report and the entries the cluster could not be reached
        for (the caller spools or keeps them)."""
        report = IndexReport()
        bulk_entries = [e for e in entries if "bulk" in e]
        fold_entries = [e for e in entries if "fold" in e]
        leftovers: list[Entry] = []
        if bulk_entries:
            leftovers.extend(self._bulk_entries(bulk_entries, summary, report))
        if fold_entries:
            if leftovers:  # the cluster just proved unreachable: do not hammer it
                leftovers.extend(fold_entries)
            else:
                leftovers.extend(self._fold_entries(fold_entries, summary, report))
        return report, leftovers

    # --- internals ---------------------------------------------------------------------------

    def _write(self, entries: list[Entry], summary: RunSummary) -> IndexReport:
        report, leftovers = self.process(entries, summary)
        if leftovers:
            if not self.spool_enabled:
                raise RuntimeError(f"{len(leftovers)} entries could not be written and spooling is off")
            path = spool.write_batch(self.settings, leftovers)
            report.spooled += len(leftovers)
            report.spool_files.append(str(path))
            for entry in leftovers:
                summary.record(
                    entry["stage"], "skipped", _entry_id(entry), f"spooled: cluster unreachable ({path.name})"
                )
            summary.count("index.spooled", len(leftovers))
            log.warning("cluster unreachable: spooled %d entries to %s", len(leftovers), path)
        log.info(
            "indexed: %d created, %d updated, %d unchanged, %d folded, %d dead-lettered, %d spooled",
            report.created,
            report.updated,
            report.unchanged,
            report.folded,
            report.dead_lettered,
            report.spooled,
        )
        return report

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1)))

    def _send(
        self, actions: dict[str, dict[str, Any]]
    ) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[str]]:
        """Bulk-send actions keyed by `_id`; returns final item results and the ids still
        pending (unreachable or failing with a retryable status) after every retry."""
        pending = dict(actions)
        results: dict[str, tuple[str, dict[str, Any]]] = {}
        alone: set[str] = set()  # 413 in a shared request: retried in a request of its own
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self._backoff(attempt))
            groups = [
                ([a for i, a in pending.items() if i not in alone], self.chunk_size),
                ([a for i, a in pending.items() if i in alone], 1),
            ]
            for group, chunk_size in groups:
                if not group:
                    continue
                try:
                    for _ok, info in streaming_bulk(
                        self.es,
                        group,
                        chunk_size=chunk_size,
                        max_chunk_bytes=self.max_chunk_bytes,
                        raise_on_error=False,
                        raise_on_exception=False,
                        max_retries=self.max_retries,
                        initial_backoff=self.initial_backoff,
                        max_backoff=self.max_backoff,
                        retry_on_status=RETRY_STATUS,
                    ):
                        op_type, item = next(iter(info.items()))
                        doc_id = str(item.get("_id"))
                        status = int(item.get("status", 500))
                        if doc_id not in pending or status in RETRY_STATUS:
                            continue
                        if status == 413 and doc_id not in alone and chunk_size > 1:
                            alone.add(doc_id)
                            continue
                        results[doc_id] = (op_type, item)
                        del pending[doc_id]
                except UNREACHABLE as error:
                    log.warning(
                        "bulk attempt %d/%d: cluster unreachable: %s",
                        attempt + 1,
                        self.max_retries + 1,
                        error,
                    )
                    break
            if not pending:
                break
        return results, list(pending)

    def _bulk_entries(self, entries: list[Entry], summary: RunSummary, report: IndexReport) -> list[Entry]:
        by_id: dict[str, Entry] = {}
        rejected: list[tuple[Entry, Any]] = []
        for entry in entries:
            action = entry["bulk"]
            doc_id = str(action["_id"])
            if doc_id in by_id:
                report.unchanged += 1
                summary.record(entry["stage"], "skipped", doc_id, "duplicate-in-batch")
                continue
            size = len(json.dumps(action.get("_source"), ensure_ascii=False).encode("utf-8"))
            if size > self.max_doc_bytes:
                reason = f"document of {size} bytes exceeds the {self.max_doc_bytes}-byte limit of one bulk request"
                rejected.append((entry, {"type": "document_too_large", "reason": reason}))
                continue
            by_id[doc_id] = entry
        results, unreachable = self._send({i: e["bulk"] for i, e in by_id.items()})
        for doc_id, (op_type, item) in results.items():
            entry = by_id[doc_id]
            stage = entry["stage"]
            status = int(item.get("status", 500))
            if 200 <= status < 300:
                result = item.get("result")
                if result == "created":
                    report.created += 1
                    summary.record(stage, "accepted", doc_id, "created")
                elif result == "updated":
                    report.updated += 1
                    summary.record(stage, "accepted", doc_id, "updated")
                else:
                    report.unchanged += 1
                    summary.record(stage, "skipped", doc_id, "unchanged: identical document")
            elif status == 409 and op_type == "create":
                report.unchanged += 1
                summary.record(stage, "skipped", doc_id, "already-present")
            else:
                rejected.append((entry, item.get("error")))
        left = [by_id[i] for i in unreachable]
        if rejected:
            left.extend(self._dead_letter(rejected, summary, report))
        return left

    def _dead_letter(
        self, rejected: list[tuple[Entry, Any]], summary: RunSummary, report: IndexReport
    ) -> list[Entry]:
        """Record rejected documents in the dead-letter index; returns unreachable entries."""
        dead_index = self.settings.index("deadletters")
        now = datetime.now(UTC)
        letters: dict[str, Entry] = {}
        for entry, error in rejected:
            action = entry["bulk"]
            kind, reason = _error_text(error)
            doc_id = str(action.get("_id"))
            report.dead_lettered += 1
            summary.record(entry["stage"], "refused", doc_id, f"{kind}: {reason}")
            if action.get("_index") == dead_index:
                # A dead letter refused by its own index: keep it on disk rather than loop.
                self._keep_on_disk(f"deadletter-{doc_id}", action.get("_source"))
                continue
            document = json.dumps(action.get("_source"), ensure_ascii=False, sort_keys=True)
            letter_id = stable_id(str(action.get("_index")), doc_id, reason)
            if len(document.encode("utf-8")) > self.max_doc_bytes // 2:
                path = self._keep_on_disk(letter_id, action.get("_source"))
                document = document[: self.max_doc_bytes // 8]
                reason = f"{reason} (document truncated here; full copy in {path})"
            letter = DeadLetter(
                id=letter_id,
                index=str(action.get("_index")),
                doc_id=doc_id,
                stage=entry["stage"],
                reason=reason,
                error_type=kind,
                document=document,
                created_at=now,
            )
            letters[letter_id] = {
                "stage": STAGES["deadletters"],
                "bulk": create_action(self.settings, letter),
            }
            log.error("dead-lettered %s/%s: %s: %s", action.get("_index"), doc_id, kind, reason)
        if not letters:
            return []
        summary.count("deadletters", len(letters))
        results, unreachable = self._send({i: e["bulk"] for i, e in letters.items()})
        for letter_id, (_op, item) in results.items():
            status = int(item.get("status", 500))
            if not (200 <= status < 300 or status == 409):
                kind, reason = _error_text(item.get("error"))
                path = self._keep_on_disk(f"deadletter-{letter_id}", letters[letter_id]["bulk"]["_source"])
                log.error("dead letter %s refused (%s: %s); kept in %s", letter_id, kind, reason, path)
        return [letters[i] for i in unreachable]

    def _keep_on_disk(self, name: str, document: Any) -> Path:
        path = Path(self.settings.state_dir) / "deadletters" / f"{name}.json"
        spool.atomic_write_bytes(
            path, json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
        )
        return path

    def _fold_entries(self, entries: list[Entry], summary: RunSummary, report: IndexReport) -> list[Entry]:
        copies = [(entry, Article.model_validate(entry["fold"])) for entry in entries]
        try:
            originals = self._find_originals(sorted({c.duplicate_of for _, c in copies if c.duplicate_of}))
        except UNREACHABLE:
            return list(entries)
        standalone: list[Entry] = []  # fold entries whose original is unknown
        for position, (entry, copy) in enumerate(copies):
            original = originals.get(copy.duplicate_of or "")
            if original is None:
                standalone.append(entry)
                continue
            try:
                outcome, original = self._fold_one(original, copy)
            except UNREACHABLE:
                outcome = "conflict"
            if outcome == "conflict":
                # Keep the fold itself (not a standalone copy) for the next run.
                return [e for e, _ in copies[position:]] + standalone
            originals[original.id] = original
            if outcome == "folded":
                report.folded += 1
                summary.record(entry["stage"], "accepted", copy.id, f"folded: into {original.id}")
            else:
                report.unchanged += 1
                summary.record(entry["stage"], "skipped", copy.id, outcome)
        if not standalone:
            return []
        # Nothing lost: without its original, a copy is indexed as an article of its own.
        bulk: list[Entry] = []
        for entry in standalone:
            copy = Article.model_validate(entry["fold"])
            log.warning(
                "original %s of syndicated copy %s not found: indexing the copy", copy.duplicate_of, copy.id
            )
            summary.count("index.articles.original_missing")
            bulk.append({"stage": entry["stage"], "bulk": create_action(self.settings, copy)})
        return self._bulk_entries(bulk, summary, report)

    def _search_originals(self, ids: list[str]) -> dict[str, _Original]:
        response = self.es.search(
            index=self.settings.index("articles"),
            query={"ids": {"values": ids}},
            size=len(ids),
            seq_no_primary_term=True,
            source_includes=["url", "source", "sources", "duplicate_urls"],
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        found: dict[str, _Original] = {}
        for hit in response["hits"]["hits"]:
            found[hit["_id"]] = _Original(
                index=hit["_index"],
                id=hit["_id"],
                seq_no=hit["_seq_no"],
                primary_term=hit["_primary_term"],
                source=hit.get("_source", {}),
            )
        return found

    def _find_originals(self, ids: list[str]) -> dict[str, _Original]:
        """Originals by id through the alias; one refresh when some are missing (an original
        indexed a moment ago, in this very batch, is not searchable before a refresh)."""
        if not ids:
            return {}
        found = self._search_originals(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            self.es.indices.refresh(
                index=self.settings.index("articles"), ignore_unavailable=True, allow_no_indices=True
            )
            found.update(self._search_originals(missing))
        return found

    def _fold_one(
        self, original: _Original, copy: Article
    ) -> tuple[Literal["folded", "already-folded", "already-present", "conflict"], _Original]:
        """Add the copy's outlet and URL to its original, guarded by the sequence number read."""
        for _attempt in range(FOLD_ATTEMPTS):
            source = original.source
            if copy.url == source.get("url"):
                return "already-present", original
            stored_sources = list(source.get("sources") or [])
            stored_urls = list(source.get("duplicate_urls") or [])
            own = [source["source"]] if source.get("source") else []
            sources = _union(stored_sources or own, [copy.source, *copy.sources])
            urls = _union(
                stored_urls, [u for u in [copy.url, *copy.duplicate_urls] if u != source.get("url")]
            )
            if sources == stored_sources and urls == stored_urls:
                return "already-folded", original
            try:
                response = self.es.update(
                    index=original.index,
                    id=original.id,
                    doc={"sources": sources, "duplicate_urls": urls},
                    if_seq_no=original.seq_no,
                    if_primary_term=original.primary_term,
                )
                updated = dict(source, sources=sources, duplicate_urls=urls)
                return "folded", _Original(
                    original.index, original.id, response["_seq_no"], response["_primary_term"], updated
                )
            except ConflictError:
                # Someone else folded a copy in between: read again, merge again.
                fresh = self.es.get(
                    index=original.index,
                    id=original.id,
                    source_includes=["url", "source", "sources", "duplicate_urls"],
                )
                original = _Original(
                    original.index,
                    original.id,
                    fresh["_seq_no"],
                    fresh["_primary_term"],
                    fresh.get("_source", {}),
                )
        log.error("fold of %s into %s kept conflicting; left for the next run", copy.id, original.id)
        return "conflict", original


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


def purge_dead_letters(
    es: Elasticsearch, settings: Settings, older_than: timedelta, *, now: datetime | None = None
) -> int:
    """Delete dead letters created more than `older_than` ago; returns how many. Search then
    bulk-delete by id (the minimal node has no `_delete_by_query`)."""
    index = settings.index("deadletters")
    cutoff = (now or datetime.now(UTC)) - older_than
    cutoff_text = cutoff.astimezone(UTC).isoformat().replace("+00:00", "Z")
    deleted = 0
    while True:
        response = es.search(
            index=index,
            query={"range": {"created_at": {"lt": cutoff_text}}},
            size=1000,
            source=False,
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        hits = response["hits"]["hits"]
        if not hits:
            break
        actions = [{"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits]
        round_deleted = sum(1 for ok, _ in streaming_bulk(es, actions, raise_on_error=False) if ok)
        deleted += round_deleted
        es.indices.refresh(index=index)
        if round_deleted == 0:
            break
    log.info("purged %d dead letters older than %s", deleted, cutoff_text)
    return deleted
