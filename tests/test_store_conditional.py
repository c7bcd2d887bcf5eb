"""Conditional writes (`vigie.store.conditional`) against the real node: read with a version,
write only if unchanged, and on a conflict (a second writer in between) read again and apply
the change again, for one document and for a batch in bulk."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from vigie.core.settings import Settings
from vigie.store.conditional import (
    ConditionalWriteError,
    Versioned,
    read,
    update_conditionally,
    update_many_conditionally,
    write,
    write_many,
)
from vigie.store.es import client


@pytest.fixture
def index(es: Elasticsearch, settings: Settings) -> str:
    """A strict scratch index of this test's own (deleted with the prefix's indices)."""
    name = f"{settings.index_prefix}-conditional"
    es.indices.create(
        index=name,
        mappings={
            "dynamic": "strict",
            "properties": {
                "name": {"type": "keyword"},
                "tags": {"type": "keyword"},
                "count": {"type": "long"},
            },
        },
    )
    return name


def put(es: Elasticsearch, index: str, doc_id: str, **source: Any) -> Versioned:
    answer = es.index(index=index, id=doc_id, document=source)
    return Versioned(index, doc_id, answer["_seq_no"], answer["_primary_term"], source)


def stored(es: Elasticsearch, index: str, doc_id: str) -> dict[str, Any]:
    source: dict[str, Any] = es.get(index=index, id=doc_id)["_source"]
    return source


def tagging(tag: str, seen: list[list[str]] | None = None) -> Any:
    """A change adding `tag` to `tags`; records the tags it was applied to."""

    def apply(source: Mapping[str, Any]) -> dict[str, Any] | None:
        tags = list(source.get("tags") or [])
        if seen is not None:
            seen.append(tags)
        if tag in tags:
            return None
        return {**source, "tags": [*tags, tag]}

    return apply


def test_one_document_is_read_changed_and_written_at_the_next_version(es: Elasticsearch, index: str) -> None:
    first = put(es, index, "d", name="n", tags=["a"])
    written = update_conditionally(es, index, "d", tagging("b"))
    assert written is not None and written.seq_no == (first.seq_no or 0) + 1
    assert written.source == {"name": "n", "tags": ["a", "b"]} == stored(es, index, "d")
    # Nothing to write: no new version, the copy read comes back.
    again = update_conditionally(es, index, "d", tagging("b"))
    assert again is not None and again.seq_no == written.seq_no
    assert es.get(index=index, id="d")["_version"] == 2
    # Not there: None, and nothing created.
    assert update_conditionally(es, index, "absent", tagging("b")) is None
    assert not es.exists(index=index, id="absent")


def test_a_second_writer_in_between_makes_the_first_reread_and_reapply(
    es: Elasticsearch, settings: Settings, index: str
) -> None:
    """Writer A reads the document; before it writes, writer B (another client) writes it. A's
    write is refused (409), A reads again and applies its change to B's version: both kept."""
    put(es, index, "d", name="n", tags=["a"])
    other = client(settings)
    seen: list[list[str]] = []

    def a_change(source: Mapping[str, Any]) -> dict[str, Any] | None:
        if not seen:  # between A's read and A's write: B writes
            assert update_conditionally(other, index, "d", tagging("b")) is not None
        return tagging("c", seen)(source)

    written = update_conditionally(es, index, "d", a_change)
    other.close()
    assert seen == [["a"], ["a", "b"]]  # applied to the copy read, then again to B's version
    assert written is not None and written.source["tags"] == ["a", "b", "c"]
    assert stored(es, index, "d")["tags"] == ["a", "b", "c"]
    assert es.get(index=index, id="d")["_version"] == 3  # A's refused write left no version


def test_two_writers_racing_lose_no_update(es: Elasticsearch, settings: Settings, index: str) -> None:
    put(es, index, "counter", count=0)
    rounds, attempts_seen = 25, []

    def writer() -> None:
        own = client(settings)
        calls = 0

        def increment(source: Mapping[str, Any]) -> dict[str, Any]:
            nonlocal calls
            calls += 1
            return {**source, "count": int(source["count"]) + 1}

        for _ in range(rounds):
            assert update_conditionally(own, index, "counter", increment, attempts=200) is not None
        attempts_seen.append(calls)
        own.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored(es, index, "counter")["count"] == 2 * rounds
    assert len(attempts_seen) == 2 and sum(attempts_seen) >= 2 * rounds


def test_a_batch_rereads_and_reapplies_only_what_conflicted(es: Elasticsearch, index: str) -> None:
    stale = {i: put(es, index, i, name=i, tags=["a"]) for i in ("x", "y", "z")}
    # A second writer moves y and z on after the batch read them.
    for doc_id in ("y", "z"):
        update_conditionally(es, index, doc_id, tagging("b"))
    seen: dict[str, list[list[str]]] = {i: [] for i in stale}
    outcome = update_many_conditionally(es, [(v, tagging("c", seen[i])) for i, v in stale.items()])
    assert outcome.rounds == 2  # one bulk, then one for the re-read conflicts
    assert sorted(outcome.written) == ["x", "y", "z"]
    assert (outcome.left, outcome.missing, outcome.refused, outcome.unreachable) == ([], [], {}, False)
    assert seen == {"x": [["a"]], "y": [["a"], ["a", "b"]], "z": [["a"], ["a", "b"]]}
    assert [stored(es, index, i)["tags"] for i in ("x", "y", "z")] == [
        ["a", "c"],
        ["a", "b", "c"],
        ["a", "b", "c"],
    ]
    assert outcome.written["y"].source["tags"] == ["a", "b", "c"]


def test_write_many_reports_conflicts_missing_and_refusals_without_retrying(
    es: Elasticsearch, index: str
) -> None:
    fresh = put(es, index, "fresh", name="f", tags=["a"])
    stale = put(es, index, "stale", name="s", tags=["a"])
    put(es, index, "stale", name="s", tags=["moved"])
    put(es, index, "taken", name="t")
    gone = put(es, index, "gone", name="g", tags=["a"])
    es.delete(index=index, id="gone")
    gone = Versioned(index, "gone", gone.seq_no, gone.primary_term, {"tags": ["a"]}, full=False)
    outcome = write_many(
        es,
        [
            (fresh, {"name": "f", "tags": ["a", "b"]}),
            (stale, {"name": "s", "tags": ["a", "b"]}),
            (Versioned.absent(index, "taken"), {"name": "t2"}),  # a creation: already there
            (Versioned.absent(index, "new"), {"name": "n"}),
            (gone, {"tags": ["a", "b"]}),
            (Versioned(index, "odd", None, None), {"unmapped": 1}),  # strict mapping: refused
        ],
    )
    assert sorted(outcome.written) == ["fresh", "new"]
    assert sorted(outcome.conflicts) == ["stale", "taken"]
    assert outcome.missing == ["gone"] and list(outcome.refused) == ["odd"]
    assert outcome.refused["odd"]["type"] == "strict_dynamic_mapping_exception"
    assert stored(es, index, "stale")["tags"] == ["moved"] and stored(es, index, "taken") == {"name": "t"}


def test_a_partial_copy_is_written_as_an_update_of_the_fields_that_changed(
    es: Elasticsearch, index: str
) -> None:
    full = put(es, index, "d", name="n", tags=["a"])
    partial = read(es, index, "d", source_includes=["tags"])
    assert partial is not None and not partial.full and partial.source == {"tags": ["a"]}
    written = write(es, partial, {"tags": ["a", "b"]})
    assert written is not None and written.source == {"tags": ["a", "b"]} and not written.full
    assert stored(es, index, "d") == {"name": "n", "tags": ["a", "b"]}  # the rest kept
    # The whole-document copy read before is stale now.
    assert write(es, full, {"name": "n", "tags": ["x"]}) is None
    # The loop re-reads only the fields it reads.
    again = update_conditionally(es, index, "d", tagging("c"), current=partial, source_includes=["tags"])
    assert again is not None and again.source == {"tags": ["a", "b", "c"]}
    assert stored(es, index, "d") == {"name": "n", "tags": ["a", "b", "c"]}


def test_a_document_that_keeps_changing_is_left_after_the_attempts(es: Elasticsearch, index: str) -> None:
    put(es, index, "busy", count=0)
    calls = 0

    def interfered(source: Mapping[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        es.index(index=index, id="busy", document={"count": -calls})  # another writer, every time
        return {"count": 100}

    with pytest.raises(ConditionalWriteError, match="still conflicting after 3 attempts"):
        update_conditionally(es, index, "busy", interfered, attempts=3)
    assert calls == 3 and stored(es, index, "busy") == {"count": -3}
    current = read(es, index, "busy")
    assert current is not None
    outcome = update_many_conditionally(es, [(current, interfered)], attempts=2)
    assert (outcome.left, outcome.rounds, outcome.written) == (["busy"], 2, {})
    # Gone while being retried: missing, not left.
    es.delete(index=index, id="busy")
    vanished = update_many_conditionally(es, [(current, lambda source: {"count": 1})], attempts=2)
    assert (vanished.missing, vanished.left, vanished.rounds) == (["busy"], [], 1)
    assert not es.exists(index=index, id="busy")


def test_what_a_sender_leaves_unanswered_ends_the_loop_as_unreachable(es: Elasticsearch, index: str) -> None:
    """The indexer's sender gives up (rather than raise) when the cluster stays unreachable."""
    current = put(es, index, "d", name="n", tags=["a"])
    outcome = update_many_conditionally(
        es, [(current, tagging("b"))], send=lambda actions: ({}, list(actions))
    )
    assert outcome.unreachable and outcome.left == ["d"] and outcome.written == {}
    assert stored(es, index, "d")["tags"] == ["a"]


def test_two_writes_of_one_document_in_one_batch_are_refused_up_front(es: Elasticsearch, index: str) -> None:
    current = put(es, index, "d", name="n")
    with pytest.raises(ValueError, match="two conditional writes of d"):
        write_many(es, [(current, {"name": "a"}), (current, {"name": "b"})])
