"""Bulk indexing that loses nothing and doubles nothing.

* Idempotent: `_id` is the record's content-derived id and the target index is derived from the
  record's own date (`vigie.store.es.index_for`); writes use `op_type: create`, so re-indexing the
  same batch changes no document (the 409 is counted as "already-present").
* A syndicated copy (an Article with `duplicate_of`) is folded into its original
  (`vigie.store.folds`): its outlet joins `sources` and its canonical URL joins `duplicate_urls`,
  by conditional writes retried on conflict (`vigie.store.conditional`). A batch's folds cost at
  most one read (none for originals created by the same call: the bulk answer gives their
  sequence numbers) and one bulk of conditional writes, one per original.
* Retries: the bulk helper retries 429/502/503/504 items with exponential backoff; connection errors
  and items still failing are retried here, whole, with the same backoff (tenacity).
* A document the cluster rejects (mapping conflict, oversize) goes to the dead-letter index
  (`vigie.store.deadletters`) with the error, while the rest of its batch lands.
* When the cluster stays unreachable, what is left of the batch is spooled to disk
  (`vigie.store.spool`) and `replay_spool` replays it on the next run, deleting the file only once
  every entry landed or was dead-lettered; a crash in between replays idempotent writes.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import tenacity
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import bulk, streaming_bulk

from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, Event, Record
from vigie.core.settings import Settings
from vigie.store import spool
from vigie.store.actions import (
    RETRY_STATUS,
    STAGES,
    UNREACHABLE,
    Entry,
    IndexReport,
    create_action,
    document,
    entry_id,
    legacy_size,
    replace_action,
    upsert_action,
)
from vigie.store.conditional import Versioned, read_many
from vigie.store.deadletters import dead_letter, purge_dead_letters
from vigie.store.es import ensure_aliases, family_of
from vigie.store.folds import FOLD_FIELDS, FoldOutcome, already_indexed, copy_action, find_originals, fold

__all__ = [
    "IndexReport",
    "Indexer",
    "ReplayReport",
    "already_indexed",  # lives in vigie.store.folds
    "create_action",  # lives in vigie.store.actions, as do `document` and `upsert_action`
    "document",
    "ensure_aliases",  # lives in vigie.store.es; re-exported for the maintenance DAG
    "purge_dead_letters",  # lives in vigie.store.deadletters
    "replay_spool",
    "upsert_action",
]

log = logging.getLogger(__name__)

MiB = 1024 * 1024
# An article a copy folds into, as read or written with its version (`full`: the whole document).
_Original = Versioned


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
        recent: Mapping[str, str] | None = None,
    ) -> None:
        self.es = es
        # Articles the caller stored a moment ago, id -> concrete index: an original among them
        # is read by id (real time) for a fold, not searched (which needs a refresh).
        self.recent: Mapping[str, str] = recent or {}
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
        return self._write(self._article_entries(articles), summary)

    def _article_entries(self, articles: Iterable[Article]) -> list[Entry]:
        stage = STAGES["articles"]
        entries: list[Entry] = []
        for article in articles:
            if article.duplicate_of and article.duplicate_of != article.id:
                entries.append({"stage": stage, "fold": document(article)})
            elif article.version > 1:  # a new version of a stored article replaces it
                entries.append({"stage": stage, "bulk": replace_action(self.settings, article)})
            else:
                entries.append({"stage": stage, "bulk": create_action(self.settings, article)})
        return entries

    def index_batch(
        self, articles: Iterable[Article], events: Iterable[Event], summary: RunSummary
    ) -> IndexReport:
        """`index_articles` and `index_events` in one pass: one stream of bulk requests in which
        each article is followed by its events, so a request feeds the articles' and the events'
        shards at once (Elasticsearch writes the shards of one request side by side) and a
        batch costs fewer round trips; then the folds of the copies, as `index_articles` does.
        Same documents, same accounting per stage; what the cluster cannot take is spooled in
        one file."""
        article_entries = self._article_entries(articles)
        stage = STAGES["events"]
        by_article: dict[str, list[Entry]] = {}
        for event in events:
            if family_of(event) != "events":
                raise TypeError(f"{type(event).__name__} is not an events record")
            entry: Entry = {"stage": stage, "bulk": create_action(self.settings, event)}
            by_article.setdefault(event.article_id, []).append(entry)
        entries: list[Entry] = []
        for entry in article_entries:
            entries.append(entry)
            action = entry.get("bulk") or entry.get("fold") or {}
            entries.extend(by_article.pop(str(action.get("_id", action.get("id", ""))), ()))
        for left in by_article.values():  # events of articles not in this call
            entries.extend(left)
        return self._write(entries, summary)

    def index_events(self, events: Iterable[Event], summary: RunSummary) -> IndexReport:
        return self.index("events", events, summary)

    def replace_events(
        self, article_ids: Iterable[str], events: Iterable[Event], summary: RunSummary
    ) -> IndexReport:
        """The events of new versions of articles (`article_ids`): written over the stored ones
        (same content-derived ids), then the articles' other stored events deleted (an incident
        the new text no longer reports, or reports at another offset). Idempotent."""
        events = list(events)
        ids = sorted(set(article_ids))
        report = self._write(
            [{"stage": STAGES["events"], "bulk": replace_action(self.settings, e)} for e in events], summary
        )
        if not ids or report.spooled:  # stale ones go once the new ones landed
            return report
        index = self.settings.index("events")
        keep = [e.id for e in events]
        try:  # search and delete (delete_by_query needs a module a minimal node lacks)
            self.es.indices.refresh(index=index, ignore_unavailable=True, allow_no_indices=True)
            response = self.es.search(
                index=index,
                query={
                    "bool": {
                        "filter": [{"terms": {"article_id": ids}}],
                        "must_not": [{"ids": {"values": keep}}],
                    }
                },
                size=10_000,
                source=False,
                ignore_unavailable=True,
                allow_no_indices=True,
            )
            stale = [
                {"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]}
                for h in response["hits"]["hits"]
            ]
            deleted, _errors = bulk(self.es, stale, raise_on_error=False, refresh=True) if stale else (0, [])
        except UNREACHABLE as error:
            log.warning("stale events of %d updated article(s) not deleted: %s", len(ids), error)
            summary.record(STAGES["events"], "skipped", ",".join(ids)[:200], "stale_events_kept: unreachable")
            return report
        if deleted:
            summary.count("index.events_stale_deleted", int(deleted))
        return report

    def retire(self, moved: Iterable[tuple[str, str]], summary: RunSummary) -> None:
        """Delete (concrete index, id) pairs: an article whose new version moved to another
        monthly index (its publication date changed) leaves no copy in the old one."""
        for index, doc_id in moved:
            try:
                self.es.delete(index=index, id=doc_id, refresh=True)
            except NotFoundError:
                continue
            except UNREACHABLE as error:
                log.warning("old version of %s left in %s: %s", doc_id, index, error)
                continue
            summary.record(STAGES["articles"], "accepted", doc_id, f"moved_from:{index}")

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
                    entry["stage"], "skipped", entry_id(entry), f"spooled: cluster unreachable ({path.name})"
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

    def _send(
        self, actions: dict[str, dict[str, Any]]
    ) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[str]]:
        """Bulk-send actions keyed by `_id`; returns final item results and the ids still
        pending (unreachable or failing with a retryable status) after every retry."""
        pending = dict(actions)
        results: dict[str, tuple[str, dict[str, Any]]] = {}
        alone: set[str] = set()  # 413 in a shared request: retried in a request of its own

        def attempt(number: int) -> bool:
            """One round over what is pending; True while something still is."""
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
                        number,
                        self.max_retries + 1,
                        error,
                    )
                    break
            return bool(pending)

        # Rounds with exponential backoff (tenacity): initial_backoff, doubled, capped at max_backoff.
        rounds = tenacity.Retrying(
            retry=tenacity.retry_if_result(bool),
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=tenacity.wait_exponential(multiplier=self.initial_backoff, max=self.max_backoff),
            sleep=lambda seconds: time.sleep(seconds),
            retry_error_callback=lambda state: True,  # retries spent: what is pending stays pending
        )
        numbers = itertools.count(1)
        rounds(lambda: attempt(next(numbers)))
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
            return {**action, "_source": body}, legacy_size(source)
        return action, legacy_size(source)

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

    def _fold_entries(
        self,
        entries: list[Entry],
        summary: RunSummary,
        report: IndexReport,
        written: Mapping[str, _Original] | None = None,
    ) -> list[Entry]:
        """Fold syndicated copies into their originals (see `vigie.store.folds`); a copy whose
        original is unknown is indexed as an article of its own, one refused dead-lettered."""
        copies = [entry["fold"] for entry in entries]  # documents, as `index_articles` made them
        wanted = sorted({c["duplicate_of"] for c in copies if c.get("duplicate_of")})
        known = {i: written[i] for i in wanted if written and i in written}
        try:
            originals = {**known, **self._find_originals([i for i in wanted if i not in known])}
        except UNREACHABLE:
            return list(entries)
        folding = fold(self.es, originals, copies, self._send)
        standalone: list[Entry] = []  # fold entries whose original is unknown (or vanished)
        left: list[Entry] = []
        rejected: list[tuple[Entry, Any]] = []
        for entry, copy, outcome in zip(entries, copies, folding.outcomes, strict=True):
            into = copy.get("duplicate_of") or ""
            if outcome == "missing":
                standalone.append(entry)
            elif outcome in ("conflict", "unreachable"):
                left.append(entry)  # the fold itself (not a standalone copy), for the next run
            elif outcome == "refused":
                bulk_entry = {"stage": entry["stage"], "bulk": copy_action(self.settings, copy)}
                rejected.append((bulk_entry, folding.errors.get(into)))
            elif outcome == "folded":
                report.folded += 1
                summary.record(entry["stage"], "accepted", copy["id"], f"folded: into {into}")
            else:
                report.unchanged += 1
                summary.record(entry["stage"], "skipped", copy["id"], outcome)
        if rejected:
            left.extend(self._dead_letter(rejected, summary, report))
        if not standalone:
            return left
        if folding.unreachable:  # the cluster just proved unreachable: keep them for the next run
            return left + standalone
        # Nothing lost: without its original, a copy is indexed as an article of its own.
        bulk: list[Entry] = []
        for entry in standalone:
            copy = entry["fold"]
            log.warning(
                "original %s of syndicated copy %s not found: indexing the copy",
                copy.get("duplicate_of"),
                copy["id"],
            )
            summary.count("index.articles.original_missing")
            bulk.append({"stage": entry["stage"], "bulk": copy_action(self.settings, copy)})
        return left + self._bulk_entries(bulk, summary, report)

    def _dead_letter(
        self, rejected: list[tuple[Entry, Any]], summary: RunSummary, report: IndexReport
    ) -> list[Entry]:
        """Record rejected documents in the dead-letter index; returns unreachable entries."""
        return dead_letter(
            rejected,
            summary,
            report,
            settings=self.settings,
            send=self._send,
            max_doc_bytes=self.max_doc_bytes,
        )

    def _find_originals(self, ids: list[str]) -> dict[str, _Original]:
        found: dict[str, _Original] = {}
        hinted = [Versioned.absent(self.recent[i], i) for i in ids if i in self.recent]
        if hinted:  # a real-time multi-get: stored a moment ago, maybe not searchable yet
            found = read_many(self.es, hinted, source_includes=FOLD_FIELDS)
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(find_originals(self.es, self.settings, missing))
        return found

    def _fold_one(self, original: _Original, copy: Article) -> tuple[FoldOutcome, _Original]:
        """Add the copy's outlet and URL to its original, guarded by the version read."""
        originals = {original.id: original}
        batch = fold(self.es, originals, [document(copy)], self._send)
        return batch.outcomes[0], originals.get(original.id, original)


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
    if not files:
        return report
    # Written without the commit lease: said in the commit sequence before and after; when
    # that cannot be said (the cluster is down), the files wait for the next replay.
    if not _mark_external_write(es, settings):
        report.files_left = len(files)
        summary.record("spool", "skipped", files[0].name, f"unreachable: {len(files)} files kept")
        return report
    try:
        return _replay_files(indexer, settings, summary, report, files)
    finally:
        _mark_external_write(es, settings, refresh=True)


def _mark_external_write(es: Elasticsearch, settings: Settings, *, refresh: bool = False) -> bool:
    """A spool replay stores articles without the commit lease: marked in the commit sequence
    (`vigie.store.lease.read_commit_sequence`), after a refresh of what it wrote, so that no
    worker trusts a dedup search made before it."""
    from vigie.store.lease import mark_external_write

    try:
        if refresh:
            es.indices.refresh(
                index=settings.index("articles"), ignore_unavailable=True, allow_no_indices=True
            )
        mark_external_write(es, settings)
    except (ApiError, TransportError) as error:
        log.warning("commit sequence not marked around a spool replay: %s", error)
        return False
    return True


def _replay_files(
    indexer: Indexer, settings: Settings, summary: RunSummary, report: ReplayReport, files: list[Any]
) -> ReplayReport:
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
