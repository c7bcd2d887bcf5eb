"""Bulk indexing that loses nothing and doubles nothing.

* Idempotent: `_id` is the record's content-derived id and the target index is derived from the
  record's own date (`vigie.store.es.index_for`); writes use `op_type: create`, so re-indexing the
  same batch changes no document (the 409 is counted as "already-present").
* A syndicated copy (an Article with `duplicate_of`) is folded into its original: its outlet
  joins `sources` and its canonical URL joins `duplicate_urls` (read-modify-write guarded by
  `if_seq_no`/`if_primary_term`, retried on conflict; no scripts, which the minimal node lacks).
  A batch's folds cost at most one read (none for originals created by the same call: the bulk
  answer gives their sequence numbers) and one bulk of conditional writes, one per original.
* Retries: the bulk helper retries 429/502/503/504 items with exponential backoff; connection errors
  and items still failing are retried here, whole, with the same backoff.
* A document the cluster rejects (mapping conflict, oversize) goes to the dead-letter index
  with the error, while the rest of its batch lands.
* When the cluster stays unreachable, what is left of the batch is spooled to disk
  (`vigie.store.spool`) and `replay_spool` replays it on the next run, deleting the file only once
  every entry landed or was dead-lettered; a crash in between replays idempotent writes.
"""

from __future__ import annotations

import json
import logging
import time
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk
from pydantic import BaseModel

from vigie.core.accounting import RunSummary
from vigie.core.files import atomic_write_bytes
from vigie.core.models import Alert, Article, DeadLetter, Event, Record, stable_id
from vigie.core.settings import Settings
from vigie.store import spool
from vigie.store.es import _jsonable, ensure_aliases, family_of, index_for, to_document

__all__ = [
    "IndexReport",
    "Indexer",
    "already_indexed",
    "create_action",
    "document",
    "ensure_aliases",  # lives in vigie.store.es; re-exported for the maintenance DAG
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
    source: Mapping[str, Any]
    # `source` is the whole document (an article this call created), not only _FOLD_FIELDS: the
    # fold can then rewrite it with a conditional `index`, which, unlike a partial `update` of
    # a document not yet refreshed, does not make the shard refresh to read it back.
    full: bool = False


# What folding a copy did: done ("folded", "already-folded", "already-present"), or not:
# "missing" (no original: index the copy), "conflict"/"unreachable" (keep the fold for the
# next run), "refused" (dead-letter the copy).
FoldOutcome = Literal[
    "folded", "already-folded", "already-present", "missing", "conflict", "unreachable", "refused"
]
# The fields of an original a fold reads.
_FOLD_FIELDS: tuple[str, ...] = ("url", "source", "sources", "duplicate_urls")


@dataclass
class _FoldBatch:
    outcomes: list[FoldOutcome]  # per copy, in input order
    errors: dict[str, Any] = field(default_factory=dict)  # original id -> refused write's error
    unreachable: bool = False


# --- documents -------------------------------------------------------------------------------
#
# `vigie.store.es.to_document` walks `model_dump(mode="python")` in Python to write datetimes in UTC;
# pydantic's own JSON mode builds the same document ~5x faster, except for datetimes that are
# naive or not in UTC (it keeps their offset). So: `model_dump(mode="json")`, then only the
# fields that can hold a date are rewritten as `to_document` writes them. Which fields those are
# is read once per model class from its annotations; a class with a field of a type not known
# here (Any, dict, ...) falls back to `to_document`.

_LEAVES: tuple[type, ...] = (str, int, float, bool, type(None))
# Per model class: the fields to rewrite after `model_dump(mode="json")`, or None (fall back).
_DATE_FIELDS: dict[type[BaseModel], tuple[str, ...] | None] = {}


def _annotation_dates(annotation: Any, seen: set[type[BaseModel]]) -> bool | None:
    """Whether values of this annotation can hold a date (directly, in a list or in a nested
    model); None when the annotation has a type this module does not know."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return False
    if origin is not None:  # list[X], tuple[X, ...], X | None, Optional[X]
        if origin not in (list, tuple, typing.Union, types.UnionType):
            return None
        found = False
        for arg in typing.get_args(annotation):
            if arg is Ellipsis:
                continue
            inner = _annotation_dates(arg, seen)
            if inner is None:
                return None
            found = found or inner
        return found
    if isinstance(annotation, type):
        if issubclass(annotation, date):  # datetime too
            return True
        if issubclass(annotation, BaseModel):
            if annotation in seen:  # recursive model: let `to_document` handle it
                return None
            fields = _date_fields(annotation, seen | {annotation})
            return None if fields is None else bool(fields)
        if issubclass(annotation, _LEAVES):
            return False
    return None


def _date_fields(cls: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> tuple[str, ...] | None:
    if cls in _DATE_FIELDS:
        return _DATE_FIELDS[cls]
    decorators = cls.__pydantic_decorators__
    result: tuple[str, ...] | None = None
    if not (cls.model_computed_fields or decorators.field_serializers or decorators.model_serializers):
        names: list[str] = []
        for name, info in cls.model_fields.items():
            dated = _annotation_dates(info.annotation, seen or {cls})
            if dated is None or info.serialization_alias not in (None, name):
                break
            if dated:
                names.append(name)
        else:
            result = tuple(names)
    _DATE_FIELDS[cls] = result
    return result


class _Unplanned(Exception):
    """A value whose class has no known date fields: build the document with `to_document`."""


def _redate(value: Any, dumped: Any) -> Any:
    """`dumped` (JSON mode) with every date written as `to_document` writes it."""
    if isinstance(value, datetime):
        # pydantic writes a datetime in `datetime.UTC` exactly as `to_document` does ("...Z").
        return dumped if value.tzinfo is UTC else _jsonable(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        fields = _date_fields(type(value))
        if fields is None or not isinstance(dumped, dict):
            raise _Unplanned(type(value).__name__)
        for name in fields:
            dumped[name] = _redate(getattr(value, name), dumped[name])
        return dumped
    if isinstance(value, list | tuple):
        if not isinstance(dumped, list) or len(dumped) != len(value):
            raise _Unplanned(type(value).__name__)
        return [_redate(v, d) for v, d in zip(value, dumped, strict=True)]
    return dumped


def document(record: Record) -> dict[str, Any]:
    """The `_source` of a record: the same document as `vigie.store.es.to_document`, built faster."""
    if _date_fields(type(record)) is None:
        return to_document(record)
    dumped: dict[str, Any] = record.model_dump(mode="json")
    try:
        return _redate(record, dumped)  # type: ignore[no-any-return]
    except _Unplanned:
        return to_document(record)


def create_action(settings: Settings, record: Record) -> dict[str, Any]:
    """`create` a record under its own id, in the index its own date selects."""
    return {
        "_op_type": "create",
        "_index": index_for(settings, record),
        "_id": record.id,  # type: ignore[attr-defined]
        "_source": document(record),
    }


def upsert_action(settings: Settings, record: Record) -> dict[str, Any]:
    """Partial update or insert; an identical document is a `noop` (no new `_version`)."""
    return {
        "_op_type": "update",
        "_index": index_for(settings, record),
        "_id": record.id,  # type: ignore[attr-defined]
        "retry_on_conflict": 3,
        "_source": {"doc": document(record), "doc_as_upsert": True, "detect_noop": True},
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


def _legacy_size(source: Any) -> int:
    """A document's size as the `max_doc_bytes` check has always counted it."""
    return len(json.dumps(source, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def _merge(
    source: Mapping[str, Any], copies: Sequence[Article]
) -> tuple[list[FoldOutcome], dict[str, Any] | None]:
    """Each copy's outcome when folded, in order, into an original stored as `source`, and the
    partial update that does them all (None when there is nothing to write)."""
    url = source.get("url")
    sources = list(source.get("sources") or [])
    urls = list(source.get("duplicate_urls") or [])
    own = [source["source"]] if source.get("source") else []
    outcomes: list[FoldOutcome] = []
    changed = False
    for copy in copies:
        if copy.url == url:
            outcomes.append("already-present")
            continue
        merged_sources = _union(sources or own, [copy.source, *copy.sources])
        merged_urls = _union(urls, [u for u in [copy.url, *copy.duplicate_urls] if u != url])
        if merged_sources == sources and merged_urls == urls:
            outcomes.append("already-folded")
            continue
        sources, urls, changed = merged_sources, merged_urls, True
        outcomes.append("folded")
    return outcomes, ({"sources": sources, "duplicate_urls": urls} if changed else None)


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
        # What the bulk helper serializes documents with: `_wire` serializes each document once,
        # with it, and the helper sends those bytes as they are.
        self._serializer = es.transport.serializers.get_serializer("application/json")

    # --- public surface ----------------------------------------------------------------------

    def index_articles(self, articles: Iterable[Article], summary: RunSummary) -> IndexReport:
        stage = STAGES["articles"]
        entries: list[Entry] = []
        for article in articles:
            if article.duplicate_of and article.duplicate_of != article.id:
                entries.append({"stage": stage, "fold": document(article)})
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
        written: dict[str, _Original] = {}  # articles this call created: originals to fold into
        if bulk_entries:
            leftovers.extend(
                self._bulk_entries(bulk_entries, summary, report, written if fold_entries else None)
            )
        if fold_entries:
            if leftovers:  # the cluster just proved unreachable: do not hammer it
                leftovers.extend(fold_entries)
            else:
                leftovers.extend(self._fold_entries(fold_entries, summary, report, written))
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

    def _wire(self, action: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The action as sent (a `create`/`index` document serialized once, here, by the client's
        serializer: the helper passes bytes through) and the document's size in bytes as
        `max_doc_bytes` counts it (`json.dumps` with its default separators)."""
        source = action.get("_source")
        if action.get("_op_type", "index") in ("create", "index") and isinstance(source, Mapping):
            body = self._serializer.dumps(source)
            # The default separators add one byte per separator, so at most double the compact
            # size: only a document past half the limit needs the exact count.
            if 2 * len(body) <= self.max_doc_bytes:
                return {**action, "_source": body}, len(body)
            return {**action, "_source": body}, _legacy_size(source)
        return action, _legacy_size(source)

    def _bulk_entries(
        self,
        entries: list[Entry],
        summary: RunSummary,
        report: IndexReport,
        written: dict[str, _Original] | None = None,
    ) -> list[Entry]:
        """Bulk-write entries; articles created are added to `written` (index, sequence number
        and the fields a fold reads), so folding a copy into them needs no read."""
        by_id: dict[str, Entry] = {}
        wire: dict[str, dict[str, Any]] = {}
        rejected: list[tuple[Entry, Any]] = []
        for entry in entries:
            action = entry["bulk"]
            doc_id = str(action["_id"])
            if doc_id in by_id:
                report.unchanged += 1
                summary.record(entry["stage"], "skipped", doc_id, "duplicate-in-batch")
                continue
            sent, size = self._wire(action)
            if size > self.max_doc_bytes:
                reason = f"document of {size} bytes exceeds the {self.max_doc_bytes}-byte limit of one bulk request"
                rejected.append((entry, {"type": "document_too_large", "reason": reason}))
                continue
            by_id[doc_id] = entry
            wire[doc_id] = sent
        results, unreachable = self._send(wire)
        articles = self.settings.index("articles") + "-"
        for doc_id, (op_type, item) in results.items():
            entry = by_id[doc_id]
            stage = entry["stage"]
            status = int(item.get("status", 500))
            if 200 <= status < 300:
                result = item.get("result")
                if result == "created":
                    report.created += 1
                    summary.record(stage, "accepted", doc_id, "created")
                    if written is not None and op_type == "create":
                        self._remember(written, entry["bulk"], item, articles)
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

    @staticmethod
    def _remember(
        written: dict[str, _Original], action: Mapping[str, Any], item: Mapping[str, Any], prefix: str
    ) -> None:
        index, source = str(item.get("_index", "")), action.get("_source")
        seq_no, primary_term = item.get("_seq_no"), item.get("_primary_term")
        if not index.startswith(prefix) or not isinstance(source, Mapping):
            return
        if not isinstance(seq_no, int) or not isinstance(primary_term, int):
            return
        doc_id = str(item.get("_id"))
        written[doc_id] = _Original(index, doc_id, seq_no, primary_term, source, full=True)

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
        atomic_write_bytes(path, json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        return path

    def _fold_entries(
        self,
        entries: list[Entry],
        summary: RunSummary,
        report: IndexReport,
        written: Mapping[str, _Original] | None = None,
    ) -> list[Entry]:
        copies = [(entry, Article.model_validate(entry["fold"])) for entry in entries]
        wanted = sorted({c.duplicate_of for _, c in copies if c.duplicate_of})
        known = {i: written[i] for i in wanted if written and i in written}
        try:
            originals = {**known, **self._find_originals([i for i in wanted if i not in known])}
        except UNREACHABLE:
            return list(entries)
        fold = self._fold(originals, [copy for _, copy in copies])
        standalone: list[Entry] = []  # fold entries whose original is unknown (or vanished)
        left: list[Entry] = []
        rejected: list[tuple[Entry, Any]] = []
        for (entry, copy), outcome in zip(copies, fold.outcomes, strict=True):
            into = copy.duplicate_of or ""
            if outcome == "missing":
                standalone.append(entry)
            elif outcome in ("conflict", "unreachable"):
                left.append(entry)  # the fold itself (not a standalone copy), for the next run
            elif outcome == "refused":
                bulk_entry = {"stage": entry["stage"], "bulk": create_action(self.settings, copy)}
                rejected.append((bulk_entry, fold.errors.get(into)))
            elif outcome == "folded":
                report.folded += 1
                summary.record(entry["stage"], "accepted", copy.id, f"folded: into {into}")
            else:
                report.unchanged += 1
                summary.record(entry["stage"], "skipped", copy.id, outcome)
        if rejected:
            left.extend(self._dead_letter(rejected, summary, report))
        if not standalone:
            return left
        if fold.unreachable:  # the cluster just proved unreachable: keep them for the next run
            return left + standalone
        # Nothing lost: without its original, a copy is indexed as an article of its own.
        bulk: list[Entry] = []
        for entry in standalone:
            copy = Article.model_validate(entry["fold"])
            log.warning(
                "original %s of syndicated copy %s not found: indexing the copy", copy.duplicate_of, copy.id
            )
            summary.count("index.articles.original_missing")
            bulk.append({"stage": entry["stage"], "bulk": create_action(self.settings, copy)})
        return left + self._bulk_entries(bulk, summary, report)

    def _search_originals(self, ids: list[str]) -> dict[str, _Original]:
        response = self.es.search(
            index=self.settings.index("articles"),
            query={"ids": {"values": ids}},
            size=len(ids),
            seq_no_primary_term=True,
            source_includes=list(_FOLD_FIELDS),
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
        indexed a moment ago and not written by this call is not searchable before a refresh)."""
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

    def _reread(self, originals: Sequence[_Original]) -> dict[str, _Original]:
        """Fresh copies of originals whose write conflicted: a real-time multi-get from their
        concrete indices (known, so no alias and no refresh). Vanished ones are left out."""
        response = self.es.mget(
            docs=[{"_index": o.index, "_id": o.id} for o in originals], source_includes=list(_FOLD_FIELDS)
        )
        fresh: dict[str, _Original] = {}
        for doc in response["docs"]:
            if doc.get("found"):
                fresh[doc["_id"]] = _Original(
                    doc["_index"], doc["_id"], doc["_seq_no"], doc["_primary_term"], doc.get("_source", {})
                )
        return fresh

    def _fold(self, originals: dict[str, _Original], copies: Sequence[Article]) -> _FoldBatch:
        """Fold copies into their originals: the new `sources`/`duplicate_urls` of each original
        are merged in memory (copies in input order), then written by one bulk guarded by the
        sequence numbers read (a partial `update`, or an `index` of the whole document when it
        is known); an original whose write conflicts is read again and merged again, up to
        FOLD_ATTEMPTS times. `originals` is updated in place."""
        batch = _FoldBatch(outcomes=["missing"] * len(copies))
        todo: dict[str, list[int]] = {}  # original id -> positions of its copies
        for position, copy in enumerate(copies):
            if copy.duplicate_of in originals:
                todo.setdefault(copy.duplicate_of, []).append(position)
        for attempt in range(FOLD_ATTEMPTS):
            if attempt:  # re-read what conflicted, then merge again
                try:
                    fresh = self._reread([originals[i] for i in todo])
                except UNREACHABLE:
                    batch.unreachable = True
                    break
                for original_id in [i for i in todo if i not in fresh]:
                    self._mark(batch, todo.pop(original_id), "missing")  # deleted in between
                originals.update(fresh)
            actions: dict[str, dict[str, Any]] = {}
            changes: dict[str, dict[str, Any]] = {}
            for original_id, positions in todo.items():
                original = originals[original_id]
                outcomes, change = _merge(original.source, [copies[p] for p in positions])
                for position, outcome in zip(positions, outcomes, strict=True):
                    batch.outcomes[position] = outcome
                if change is not None:
                    actions[original_id] = {
                        "_op_type": "index" if original.full else "update",
                        "_index": original.index,
                        "_id": original.id,
                        "if_seq_no": original.seq_no,
                        "if_primary_term": original.primary_term,
                        "_source": {**original.source, **change} if original.full else {"doc": change},
                    }
                    changes[original_id] = change
            if not actions:
                todo = {}
                break
            results, pending = self._send(actions)
            conflicts: dict[str, list[int]] = {}
            for original_id, (_op, item) in results.items():
                status = int(item.get("status", 500))
                original = originals[original_id]
                if 200 <= status < 300:
                    originals[original_id] = _Original(
                        original.index,
                        original.id,
                        int(item.get("_seq_no", original.seq_no)),
                        int(item.get("_primary_term", original.primary_term)),
                        {**original.source, **changes[original_id]},
                        full=original.full,
                    )
                elif status == 409:  # someone else folded a copy in between
                    conflicts[original_id] = todo[original_id]
                    continue
                elif status == 404:  # the original vanished
                    self._mark(batch, todo[original_id], "missing")
                else:
                    batch.errors[original_id] = item.get("error")
                    self._mark(batch, todo[original_id], "refused")
            if pending:
                batch.unreachable = True
                for original_id in pending:
                    self._mark(batch, todo[original_id], "unreachable")
            todo = conflicts
            if not todo or batch.unreachable:
                break
        for original_id, positions in todo.items():
            outcome = "unreachable" if batch.unreachable else "conflict"
            if outcome == "conflict":
                log.error(
                    "fold of %s into %s kept conflicting; left for the next run",
                    ", ".join(copies[p].id for p in positions),
                    original_id,
                )
            self._mark(batch, positions, outcome)
        return batch

    @staticmethod
    def _mark(batch: _FoldBatch, positions: Iterable[int], outcome: FoldOutcome) -> None:
        for position in positions:
            batch.outcomes[position] = outcome

    def _fold_one(self, original: _Original, copy: Article) -> tuple[FoldOutcome, _Original]:
        """Add the copy's outlet and URL to its original, guarded by the sequence number read."""
        originals = {original.id: original}
        batch = self._fold(originals, [copy])
        return batch.outcomes[0], originals.get(original.id, original)


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


@dataclass
class ReplayReport:
    files_replayed: int = 0
    files_left: int = 0
    quarantined: list[str] = field(default_factory=list)
    index: IndexReport = field(default_factory=lambda: IndexReport())


def replay_spool(
    es: Elasticsearch, settings: Settings, summary: RunSummary, **indexer_options: Any
) -> ReplayReport:
    """Replay spooled batches, oldest first, through the indexer (same dead-lettering, same
    idempotent writes). A file is deleted only when every entry landed or was dead-lettered;
    when the cluster is still unreachable, what is left waits for the next run. Files are
    counted under the stage "spool"; their entries under their own stages."""
    indexer = Indexer(es, settings, spool_enabled=False, **indexer_options)
    report = ReplayReport()
    files = spool.pending(settings)
    for position, path in enumerate(files):
        try:
            entries = spool.read_batch(path)
        except spool.SpoolError as error:
            moved = spool.quarantine(settings, path)
            report.quarantined.append(str(moved))
            summary.record("spool", "refused", path.name, f"corrupt: {error}; moved to {moved}")
            continue
        batch_report, leftovers = indexer.process(entries, summary)
        report.index.merge(batch_report)
        if leftovers:
            if len(leftovers) < len(entries):
                kept = spool.write_batch(settings, leftovers)  # written before the old file goes
                if kept != path:
                    spool.remove(path)
            report.files_left = len(files) - position
            summary.record("spool", "skipped", path.name, f"unreachable: {len(leftovers)} entries kept")
            log.warning("replay stopped: cluster unreachable, %d spool files left", report.files_left)
            break
        spool.remove(path)
        report.files_replayed += 1
        summary.record("spool", "accepted", path.name, f"replayed: {len(entries)} entries")
    return report
