"""What the indexer writes and counts: bulk actions built from records, the entries it
processes (and spools), and its report. Shared by `vigie.store.indexer` and its parts
(`vigie.store.folds`, `vigie.store.deadletters`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout

from vigie.core.models import Record
from vigie.core.settings import Settings
from vigie.store.es import index_for, to_document

__all__ = ["Entry", "IndexReport", "create_action", "document", "replace_action", "upsert_action"]

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

# A spool/process entry: {"stage": "index.articles", "bulk": <bulk action>} or
# {"stage": "index.articles", "fold": <syndicated copy, as a JSON document>}.
Entry = dict[str, Any]

# The `_source` of a record: its JSON dump (kept under this name, the indexer's own).
document = to_document


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


def create_action(settings: Settings, record: Record) -> dict[str, Any]:
    """`create` a record under its own id, in the index its own date selects."""
    return {
        "_op_type": "create",
        "_index": index_for(settings, record),
        "_id": record.id,  # type: ignore[attr-defined]
        "_source": document(record),
    }


def replace_action(settings: Settings, record: Record) -> dict[str, Any]:
    """`index` a record under its own id, replacing what is stored there: a new version of an
    article, and the events re-read from it (same content-derived ids, new content)."""
    return {
        "_op_type": "index",
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


def entry_id(entry: Entry) -> str:
    if "bulk" in entry:
        return str(entry["bulk"].get("_id"))
    return str(entry["fold"].get("id"))


def error_text(error: Any) -> tuple[str, str]:
    """(type, reason) of a bulk item error, including the nested cause when there is one."""
    if isinstance(error, Mapping):
        kind = str(error.get("type", "error"))
        reason = str(error.get("reason", ""))
        cause = error.get("caused_by")
        if isinstance(cause, Mapping) and cause.get("reason") and str(cause["reason"]) not in reason:
            reason = f"{reason} (caused by {cause.get('type')}: {cause['reason']})"
        return kind, reason
    return "error", str(error)


def legacy_size(source: Any) -> int:
    """A document's size as the `max_doc_bytes` check has always counted it."""
    return len(json.dumps(source, ensure_ascii=False).encode("utf-8", "surrogatepass"))
