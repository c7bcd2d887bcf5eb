"""Conditional writes: read a document with its version, write it only if unchanged since,
and on a conflict read it again and apply the change again.

Elasticsearch guards a write with the `_seq_no`/`_primary_term` of the copy it was computed
from (`if_seq_no`/`if_primary_term`): when someone else wrote the document in between, the
write is refused with a 409 and nothing is lost. A document not there yet is guarded the same
way by `create`, refused when it appeared in between. No scripts (the minimal node lacks them).

* `Versioned`: a document as read (or written) with its version. `full` says whether `source`
  is the whole document (written back whole, `index`) or only the fields read (written as a
  partial `update` of the fields that changed).
* `write` (one document, one request) and `write_many` (one bulk for many) write new sources
  over the versions read, and report what conflicted instead of retrying it.
* `update_conditionally` (one document) and `update_many_conditionally` (a batch, one bulk and
  one multi-get per round) run the whole loop: apply a change to the source read, write it
  conditionally, re-read what conflicted and re-apply, up to `attempts` rounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ConflictError, Elasticsearch, NotFoundError
from elasticsearch.helpers import expand_action

__all__ = [
    "Apply",
    "ConditionalWriteError",
    "Sender",
    "UpdateOutcome",
    "Versioned",
    "WriteOutcome",
    "action",
    "bulk_sender",
    "read",
    "read_many",
    "update_conditionally",
    "update_many_conditionally",
    "write",
    "write_many",
]

ATTEMPTS = 8
CHUNK = 500  # writes per bulk request of the default sender

# A change: the new source computed from the source read, or None when there is nothing to write.
Apply = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
# Sends bulk actions (helpers format) keyed by `_id`: the answered items by id, as
# (op type, item), and the ids left unanswered (an unreachable cluster, for a sender that gives
# up rather than raise).
Sender = Callable[[dict[str, dict[str, Any]]], tuple[dict[str, tuple[str, dict[str, Any]]], list[str]]]


class ConditionalWriteError(RuntimeError):
    """A conditional write refused (other than by a conflict), or still conflicting after
    every attempt."""


@dataclass(frozen=True)
class Versioned:
    """A document and the version a write over it is conditional on; `seq_no` None: the
    document does not exist (yet), and writing it is a `create`."""

    index: str
    id: str
    seq_no: int | None
    primary_term: int | None
    source: Mapping[str, Any] = field(default_factory=dict)
    full: bool = True  # `source` is the whole document (else only some of its fields)

    @classmethod
    def absent(cls, index: str, doc_id: str) -> Versioned:
        return cls(index, doc_id, None, None)

    @classmethod
    def from_hit(cls, hit: Mapping[str, Any], *, full: bool = True) -> Versioned:
        """From a search hit (with `seq_no_primary_term`), a get or a multi-get document."""
        return cls(
            str(hit["_index"]),
            str(hit["_id"]),
            hit["_seq_no"],
            hit["_primary_term"],
            hit.get("_source", {}),
            full,
        )

    def written(self, source: Mapping[str, Any], answer: Mapping[str, Any]) -> Versioned:
        """This document once `source` was written over it, at the version the write answered."""
        stored = source if self.full else {**self.source, **source}
        return Versioned(
            str(answer.get("_index", self.index)),
            self.id,
            int(answer.get("_seq_no", self.seq_no if self.seq_no is not None else -1)),
            int(answer.get("_primary_term", self.primary_term if self.primary_term is not None else -1)),
            stored,
            self.full,
        )


def _changed(current: Versioned, source: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `source` a partial update writes: those that differ from what was read."""
    return {k: v for k, v in source.items() if k not in current.source or current.source[k] != v}


def action(current: Versioned, source: Mapping[str, Any]) -> dict[str, Any]:
    """The bulk action (helpers format) writing `source` over `current` only if unchanged:
    `create` for an absent document, `index` of the whole source, or `update` of the fields
    that changed when only some were read."""
    target = {"_index": current.index, "_id": current.id}
    if current.seq_no is None:
        return {"_op_type": "create", **target, "_source": source}
    guard = {**target, "if_seq_no": current.seq_no, "if_primary_term": current.primary_term}
    if current.full:
        return {"_op_type": "index", **guard, "_source": source}
    return {"_op_type": "update", **guard, "_source": {"doc": _changed(current, source)}}


def bulk_sender(es: Elasticsearch, chunk_size: int = CHUNK) -> Sender:
    """Plain `bulk` requests of `chunk_size` actions; transport errors raise."""

    def send(actions: dict[str, dict[str, Any]]) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[str]]:
        results: dict[str, tuple[str, dict[str, Any]]] = {}
        pending = list(actions.values())
        for first in range(0, len(pending), chunk_size):
            operations: list[Any] = []
            for item in pending[first : first + chunk_size]:
                header, body = expand_action(item)
                operations += [header] if body is None else [header, body]
            response = es.bulk(operations=operations)
            for answer in response["items"]:
                op_type, item = next(iter(answer.items()))
                results[str(item.get("_id"))] = (op_type, item)
        return results, []

    return send


@dataclass
class WriteOutcome:
    """What a batch of conditional writes did, by document id."""

    written: dict[str, Versioned] = field(default_factory=dict)  # at the version written
    conflicts: list[str] = field(default_factory=list)  # 409: changed (or created) since read
    missing: list[str] = field(default_factory=list)  # 404: gone (a partial update)
    refused: dict[str, Any] = field(default_factory=dict)  # any other error, as the bulk item gave it
    pending: list[str] = field(default_factory=list)  # no answer: the cluster is unreachable


def write_many(
    es: Elasticsearch,
    writes: Iterable[tuple[Versioned, Mapping[str, Any]]],
    *,
    send: Sender | None = None,
) -> WriteOutcome:
    """Write each new source over the version it was computed from, in bulk (`send`, by
    default `bulk_sender(es)`); conflicts are reported, not retried. One write per id."""
    currents: dict[str, Versioned] = {}
    sources: dict[str, Mapping[str, Any]] = {}
    actions: dict[str, dict[str, Any]] = {}
    for current, source in writes:
        if current.id in actions:
            raise ValueError(f"two conditional writes of {current.id} in one batch")
        currents[current.id], sources[current.id] = current, source
        actions[current.id] = action(current, source)
    outcome = WriteOutcome()
    if not actions:
        return outcome
    results, outcome.pending = (send or bulk_sender(es))(actions)
    for doc_id in actions:
        if doc_id not in results:
            continue
        _op, item = results[doc_id]
        status = int(item.get("status", 500))
        if 200 <= status < 300 and "error" not in item:
            current = currents[doc_id]
            written = sources[doc_id] if current.full else _changed(current, sources[doc_id])
            outcome.written[doc_id] = current.written(written, item)
        elif status == 409:
            outcome.conflicts.append(doc_id)
        elif status == 404:
            outcome.missing.append(doc_id)
        else:
            outcome.refused[doc_id] = item.get("error")
    return outcome


def write(es: Elasticsearch, current: Versioned, source: Mapping[str, Any]) -> Versioned | None:
    """One conditional write, in a request of its own: the version written, or None when the
    document changed (or appeared) since `current` was read. Other errors raise."""
    target: dict[str, Any] = {"index": current.index, "id": current.id}
    try:
        if current.seq_no is None:
            answer = es.create(**target, document=source)
        else:
            target.update(if_seq_no=current.seq_no, if_primary_term=current.primary_term)
            if current.full:
                answer = es.index(**target, document=source)
            else:
                source = _changed(current, source)
                answer = es.update(**target, doc=source)
    except ConflictError:
        return None
    return current.written(source, answer.body)


def read(
    es: Elasticsearch, index: str, doc_id: str, *, source_includes: Sequence[str] | None = None
) -> Versioned | None:
    """A real-time read of one document from a concrete index; None when it is not there."""
    options: dict[str, Any] = {} if source_includes is None else {"source_includes": list(source_includes)}
    try:
        hit = es.get(index=index, id=doc_id, **options)
    except NotFoundError:
        return None
    return Versioned.from_hit(hit.body, full=source_includes is None)


def read_many(
    es: Elasticsearch, documents: Iterable[Versioned], *, source_includes: Sequence[str] | None = None
) -> dict[str, Versioned]:
    """Fresh copies of documents, by id: one real-time multi-get from their concrete indices
    (no alias, no refresh). Those gone are left out."""
    docs = [{"_index": d.index, "_id": d.id} for d in documents]
    if not docs:
        return {}
    options: dict[str, Any] = {} if source_includes is None else {"source_includes": list(source_includes)}
    response = es.mget(docs=docs, **options)
    return {
        str(doc["_id"]): Versioned.from_hit(doc, full=source_includes is None)
        for doc in response["docs"]
        if doc.get("found")
    }


@dataclass
class UpdateOutcome:
    """What a batch of conditional updates came to, by document id: each id in one of
    `written`, `unchanged`, `missing`, `refused` or `left`."""

    written: dict[str, Versioned] = field(default_factory=dict)  # the last version written
    unchanged: dict[str, Versioned] = field(default_factory=dict)  # nothing to write (as last read)
    missing: list[str] = field(default_factory=list)  # gone (before or while updating)
    refused: dict[str, Any] = field(default_factory=dict)  # id -> the error
    left: list[str] = field(default_factory=list)  # not written: conflicting still, or unreachable
    unreachable: bool = False  # the cluster stopped answering (what is `left` is for the next run)
    rounds: int = 0  # write rounds sent; more than one: some conflicts were re-read and re-applied


def update_many_conditionally(
    es: Elasticsearch,
    items: Iterable[tuple[Versioned, Apply]],
    *,
    attempts: int = ATTEMPTS,
    send: Sender | None = None,
    source_includes: Sequence[str] | None = None,
    unreachable: tuple[type[Exception], ...] = (),
) -> UpdateOutcome:
    """Apply each change to the source read and write it conditionally, all in one bulk; the
    documents that conflicted are read again (one multi-get, `source_includes` only) and their
    changes applied again to the fresh copies, up to `attempts` rounds.

    `send`: how bulks go (default `bulk_sender(es)`); ids it leaves unanswered end the loop,
    `left` and `unreachable`, as does a re-read raising one of `unreachable` (by default it
    propagates, like any transport error of the default sender)."""
    current: dict[str, Versioned] = {}
    changes: dict[str, Apply] = {}
    for version, apply in items:
        current[version.id], changes[version.id] = version, apply
    outcome = UpdateOutcome()
    todo = list(current)
    for attempt in range(attempts):
        if attempt:  # re-read what conflicted, then apply again
            try:
                fresh = read_many(es, [current[i] for i in todo], source_includes=source_includes)
            except unreachable:
                outcome.unreachable = True
                break
            outcome.missing.extend(i for i in todo if i not in fresh)
            current.update(fresh)
            todo = [i for i in todo if i in fresh]
        writes: list[tuple[Versioned, Mapping[str, Any]]] = []
        for doc_id in todo:
            source = changes[doc_id](current[doc_id].source)
            if source is None:
                outcome.unchanged[doc_id] = current[doc_id]
            else:
                writes.append((current[doc_id], source))
        todo = []
        if not writes:
            break
        outcome.rounds += 1
        result = write_many(es, writes, send=send)
        outcome.written.update(result.written)
        outcome.missing.extend(result.missing)
        outcome.refused.update(result.refused)
        todo = result.conflicts
        if result.pending:
            outcome.unreachable = True
            outcome.left.extend(result.pending)
            break
        if not todo:
            break
    outcome.left.extend(todo)
    return outcome


def update_conditionally(
    es: Elasticsearch,
    index: str,
    doc_id: str,
    apply: Apply,
    *,
    current: Versioned | None = None,
    attempts: int = ATTEMPTS,
    source_includes: Sequence[str] | None = None,
) -> Versioned | None:
    """Read the document (unless `current` is the copy read), apply the change, write it if the
    document is unchanged since, and on a conflict read again and apply again. Returns the
    version written (the one read when the change has nothing to write), or None when the
    document is not there. Raises ConditionalWriteError when the write is refused or still
    conflicts after `attempts` rounds."""
    if current is None:
        current = read(es, index, doc_id, source_includes=source_includes)
        if current is None:
            return None
    outcome = update_many_conditionally(
        es, [(current, apply)], attempts=attempts, source_includes=source_includes
    )
    if outcome.refused:
        raise ConditionalWriteError(f"{index}/{doc_id}: write refused: {outcome.refused[doc_id]}")
    if outcome.left:
        raise ConditionalWriteError(f"{index}/{doc_id}: still conflicting after {attempts} attempts")
    if outcome.missing:
        return None
    return outcome.written.get(doc_id) or outcome.unchanged[doc_id]
