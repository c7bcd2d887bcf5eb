"""Nothing lost, nothing doubled: rejected documents, an unreachable cluster, a killed node.

The kill drill runs its own node (on free ports), never the shared test node."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from elasticsearch import BadRequestError, Elasticsearch
from test_index_search import seed_articles

from vigie.core.accounting import RunSummary
from vigie.core.models import Article, DeadLetter, stable_id
from vigie.core.settings import Settings
from vigie.store import node as esnode
from vigie.store import spool
from vigie.store.es import client, install_templates, to_document
from vigie.store.indexer import Indexer, already_indexed, create_action, purge_dead_letters, replay_spool

if TYPE_CHECKING:
    from conftest import PrivateNodes

FAST = {"max_retries": 1, "initial_backoff": 0.05, "max_backoff": 0.2}


def many_articles(n: int) -> list[Article]:
    """The five seeds plus variants under other URLs: n distinct articles."""
    seeds = list(seed_articles().values())
    out: list[Article] = []
    for i in range(n):
        base = seeds[i % len(seeds)]
        url = f"{base.url}?edition={i}"
        out.append(base.model_copy(update={"id": stable_id(url), "url": url}))
    return out


def dead_letters(es: Elasticsearch, settings: Settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.index("deadletters"))
    hits = es.search(index=settings.index("deadletters"), size=100)["hits"]["hits"]
    return {h["_source"]["doc_id"]: h["_source"] for h in hits}


# --- rejected documents ----------------------------------------------------------------------


def test_rejected_documents_go_to_dead_letters_while_the_rest_lands(
    es: Elasticsearch, settings: Settings
) -> None:
    good, lots, not_a_date, unknown_field = many_articles(4)
    actions = [create_action(settings, a) for a in (good, lots, not_a_date, unknown_field)]
    # Raw actions a model would refuse: the cluster's own mapping must catch them.
    actions[1]["_source"]["word_count"] = "lots"
    actions[2]["_source"]["published"] = "not a date"
    actions[3]["_source"]["colour"] = "red"
    summary = RunSummary()
    indexer = Indexer(es, settings)
    report = indexer.bulk(actions, summary, stage="index.articles")
    assert (report.created, report.dead_lettered, report.spooled) == (1, 3, 0)

    letters = dead_letters(es, settings)
    assert set(letters) == {lots.id, not_a_date.id, unknown_field.id}
    assert "word_count" in letters[lots.id]["reason"] and "lots" in letters[lots.id]["reason"]
    assert "published" in letters[not_a_date.id]["reason"]
    assert letters[unknown_field.id]["error_type"] == "strict_dynamic_mapping_exception"
    assert json.loads(letters[lots.id]["document"]) == actions[1]["_source"]
    assert letters[lots.id]["stage"] == "index.articles"
    # The rejected document is stored, not indexed: the cluster refuses to search inside it.
    with pytest.raises(BadRequestError, match="not indexed"):
        es.count(index=settings.index("deadletters"), query={"match": {"document": "lots"}})
    es.indices.refresh(index=settings.index("articles"))
    assert already_indexed(es, settings, [a.id for a in (good, lots, not_a_date, unknown_field)]) == {good.id}
    assert len(summary.failures) == 3
    assert summary.stages["index.articles"].reasons["refused:strict_dynamic_mapping_exception"] == 1

    # Same batch again: the good one is already there, each dead letter has the same id.
    again = indexer.bulk(actions, RunSummary(), stage="index.articles")
    assert (again.created, again.unchanged, again.dead_lettered) == (0, 1, 3)
    assert len(dead_letters(es, settings)) == 3


def test_an_oversize_document_is_dead_lettered_and_kept_whole_on_disk(
    es: Elasticsearch, settings: Settings
) -> None:
    small, big = many_articles(2)
    big = big.model_copy(update={"text": big.text * 40})
    report = Indexer(es, settings, max_doc_bytes=64_000).index_articles([small, big], RunSummary())
    assert (report.created, report.dead_lettered) == (1, 1)
    letter = dead_letters(es, settings)[big.id]
    assert letter["error_type"] == "document_too_large"
    full_copy = Path(letter["reason"].rsplit("full copy in ", 1)[1].rstrip(")"))
    assert json.loads(full_copy.read_text(encoding="utf-8")) == to_document(big)
    assert len(letter["document"]) < 64_000


def test_purge_removes_only_old_dead_letters(es: Elasticsearch, settings: Settings) -> None:
    def letter(day: int) -> DeadLetter:
        return DeadLetter(
            id=stable_id("x", str(day)),
            index="x",
            doc_id=str(day),
            stage="index.articles",
            reason="test",
            document="{}",
            created_at=datetime(2025, 6, day, tzinfo=UTC),
        )

    Indexer(es, settings).index("deadletters", [letter(d) for d in (1, 2, 3, 20, 21)], RunSummary())
    es.indices.refresh(index=settings.index("deadletters"))
    now = datetime(2025, 6, 30, tzinfo=UTC)
    assert purge_dead_letters(es, settings, timedelta(days=15), now=now) == 3
    assert sorted(dead_letters(es, settings)) == ["20", "21"]
    assert purge_dead_letters(es, settings, timedelta(days=15), now=now) == 0


# --- an unreachable cluster -----------------------------------------------------------------


def test_an_unreachable_cluster_spools_the_batch_and_replay_waits(
    settings: Settings, es_down_url: str
) -> None:
    down = replace(settings, es_url=es_down_url)  # nothing listens there
    es = client(down)
    articles = many_articles(3)
    summary = RunSummary()
    report = Indexer(es, down, **FAST).index_articles(articles, summary)  # type: ignore[arg-type]
    assert report.spooled == 3 and len(report.spool_files) == 1
    assert summary.stages["index.articles"].reasons == {"skipped:spooled": 3}
    # The same batch spooled again is the same file.
    again = Indexer(es, down, **FAST).index_articles(articles, RunSummary())  # type: ignore[arg-type]
    assert again.spool_files == report.spool_files
    assert spool.pending(down) == [Path(report.spool_files[0])]

    replay = replay_spool(es, down, RunSummary(), **FAST)
    assert (replay.files_replayed, replay.files_left) == (0, 1)
    assert spool.pending(down) == [Path(report.spool_files[0])]


def test_a_corrupt_spool_file_is_quarantined_not_replayed(es: Elasticsearch, settings: Settings) -> None:
    directory = spool.spool_dir(settings)
    directory.mkdir(parents=True)
    (directory / "broken.ndjson").write_text('{"stage": "index.articles", "bulk": {"_id"\n')
    summary = RunSummary()
    report = replay_spool(es, settings, summary)
    assert len(report.quarantined) == 1 and spool.pending(settings) == []
    assert summary.get("spool", "refused") == 1


# --- the kill drill ---------------------------------------------------------------------------


def _fast_start_config(node: esnode.Node) -> None:
    """The node's own config dir (esnode keeps an existing one), with C1-only JIT: a node that
    lives for seconds starts noticeably faster when the JVM skips the optimising compiler."""
    conf = node.home / "config"
    shutil.rmtree(conf, ignore_errors=True)
    shutil.copytree(esnode.install_distribution() / "config", conf)
    (conf / "jvm.options.d").mkdir(exist_ok=True)
    (conf / "jvm.options.d" / "drill.options").write_text("-XX:TieredStopAtLevel=1\n")


@pytest.fixture(scope="module")
def drill_node(private_nodes: PrivateNodes) -> Iterator[esnode.Node]:
    """A node of this module's own, on free ports and in a fresh home; discarded (SIGKILL, home
    removed) afterwards."""
    try:
        node = private_nodes.start("drill-index", heap="256m", prepare=_fast_start_config)
    except esnode.NodeError as error:
        pytest.fail(f"drill node could not start:\n{error}", pytrace=False)
    yield node
    private_nodes.discard(node)


def test_killing_the_node_mid_run_loses_and_doubles_nothing(
    drill_node: esnode.Node, settings: Settings
) -> None:
    drill = replace(settings, es_url=drill_node.url)
    es = client(drill)
    install_templates(es, drill)
    articles = many_articles(10)
    first, second = articles[:5], articles[5:]
    alias = drill.index("articles")

    assert Indexer(es, drill, **FAST).index_articles(first, RunSummary()).created == 5  # type: ignore[arg-type]
    esnode.kill(drill_node)
    down = Indexer(es, drill, **FAST).index_articles(second, RunSummary())  # type: ignore[arg-type]
    assert (down.created, down.spooled) == (0, 5)
    assert len(spool.pending(drill)) == 1

    esnode.start(drill_node)
    summary = RunSummary()
    replay = replay_spool(es, drill, summary)
    assert (replay.files_replayed, replay.files_left, replay.index.created) == (1, 0, 5)
    assert spool.pending(drill) == []
    assert summary.get("index.articles") == 5 and summary.get("spool") == 1

    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, version=True)["hits"]["hits"]
    assert sorted(h["_id"] for h in hits) == sorted(a.id for a in articles)  # each exactly once
    assert {h["_version"] for h in hits} == {1}

    # A crash between the replayed writes and the file's deletion replays the file again:
    # the writes are idempotent, so nothing doubles.
    spool.write_batch(drill, [{"stage": "index.articles", "bulk": create_action(drill, a)} for a in second])
    replay_again = replay_spool(es, drill, RunSummary())
    assert (replay_again.index.created, replay_again.index.unchanged) == (0, 5)
    # And re-indexing the whole batch changes no document.
    rerun = Indexer(es, drill).index_articles(articles, RunSummary())
    assert (rerun.created, rerun.unchanged) == (0, 10)
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 10
    assert {h["_version"] for h in es.search(index=alias, size=100, version=True)["hits"]["hits"]} == {1}
