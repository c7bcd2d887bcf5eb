"""Dead letters: documents the cluster rejected (mapping conflict, oversize), recorded in the
dead-letter index with the error while the rest of their batch lands, and purged once old."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from vigie.core.accounting import RunSummary
from vigie.core.files import atomic_write_bytes
from vigie.core.models import DeadLetter, stable_id
from vigie.core.settings import Settings
from vigie.store.actions import STAGES, Entry, IndexReport, create_action, error_text
from vigie.store.conditional import Sender

__all__ = ["dead_letter", "purge_dead_letters"]

log = logging.getLogger(__name__)


def keep_on_disk(settings: Settings, name: str, document: Any) -> Path:
    path = Path(settings.state_dir) / "deadletters" / f"{name}.json"
    atomic_write_bytes(path, json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return path


def dead_letter(
    rejected: list[tuple[Entry, Any]],
    summary: RunSummary,
    report: IndexReport,
    *,
    settings: Settings,
    send: Sender,
    max_doc_bytes: int,
) -> list[Entry]:
    """Record rejected entries (with their errors) in the dead-letter index, sent by `send`;
    returns the dead letters the cluster could not be reached for."""
    dead_index = settings.index("deadletters")
    now = datetime.now(UTC)
    letters: dict[str, Entry] = {}
    for entry, error in rejected:
        action = entry["bulk"]
        kind, reason = error_text(error)
        doc_id = str(action.get("_id"))
        report.dead_lettered += 1
        summary.record(entry["stage"], "refused", doc_id, f"{kind}: {reason}")
        if action.get("_index") == dead_index:
            # A dead letter refused by its own index: keep it on disk rather than loop.
            keep_on_disk(settings, f"deadletter-{doc_id}", action.get("_source"))
            continue
        document = json.dumps(action.get("_source"), ensure_ascii=False, sort_keys=True)
        letter_id = stable_id(str(action.get("_index")), doc_id, reason)
        if len(document.encode("utf-8")) > max_doc_bytes // 2:
            path = keep_on_disk(settings, letter_id, action.get("_source"))
            document = document[: max_doc_bytes // 8]
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
        letters[letter_id] = {"stage": STAGES["deadletters"], "bulk": create_action(settings, letter)}
        log.error("dead-lettered %s/%s: %s: %s", action.get("_index"), doc_id, kind, reason)
    if not letters:
        return []
    summary.count("deadletters", len(letters))
    results, unreachable = send({i: e["bulk"] for i, e in letters.items()})
    for letter_id, (_op, item) in results.items():
        status = int(item.get("status", 500))
        if not (200 <= status < 300 or status == 409):
            kind, reason = error_text(item.get("error"))
            path = keep_on_disk(settings, f"deadletter-{letter_id}", letters[letter_id]["bulk"]["_source"])
            log.error("dead letter %s refused (%s: %s); kept in %s", letter_id, kind, reason, path)
    return [letters[i] for i in unreachable]


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
