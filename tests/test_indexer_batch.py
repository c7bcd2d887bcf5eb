"""The indexer's batched paths: documents built from pydantic's JSON mode, the exact size check
on pre-serialized documents, and syndicated copies folded with one bulk per batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from elasticsearch import Elasticsearch
from test_index_search import seed_articles, seed_events, syndicated_copy

from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, DeadLetter, Delivery, stable_id
from vigie.core.settings import Settings
from vigie.store.es import to_document
from vigie.store.indexer import Indexer, _Original, document

MOMENTS = [
    datetime(2025, 3, 11, 15, 30, tzinfo=UTC),
    datetime(2025, 3, 11, 15, 30, 0, 1234, tzinfo=UTC),
    datetime(2025, 3, 11, 15, 30, tzinfo=timezone(timedelta(hours=1))),  # a feed's "+0100"
    datetime(2025, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris")),  # the day before, in UTC
    datetime(2025, 3, 11, 15, 30),  # naive: taken as UTC
    None,
]


def copy_from(original: Article, outlet: str, host: str) -> Article:
    url = f"https://{host}/articles/copy.html"
    return syndicated_copy(original, outlet=outlet).model_copy(
        update={"id": stable_id(url), "url": url, "original_url": url}
    )


@pytest.mark.parametrize("moment", MOMENTS)
def test_documents_are_those_of_to_document_whatever_the_time_zone(moment: datetime | None) -> None:
    article = seed_articles()["000"]
    [event, *_] = seed_events(seed_articles())
    records = [
        article.model_copy(update={"published": moment, "fetched_at": moment}),
        event.model_copy(update={"published": moment, "event_date": moment.date() if moment else None}),
        DeadLetter(
            id="d",
            index="i",
            doc_id="x",
            stage="index.articles",
            reason="r",
            document="{}",
            created_at=moment or datetime(2025, 1, 1, tzinfo=UTC),
        ),
    ]
    if moment is not None:
        deliveries = [Delivery(notifier="log", status="sent", sent_at=moment), Delivery(notifier="webhook:x")]
        records.append(
            Alert(
                id="a",
                rule="r",
                severity="high",
                article_id=article.id,
                title="t",
                url=article.url,
                triggered_at=moment,
                window_start=moment,
                deliveries=deliveries,
            )
        )
    for record in records:
        assert document(record) == to_document(record), type(record).__name__
    if moment is not None:
        # Written in UTC, not with the offset the record carries.
        published = document(records[0])["published"]
        assert published.endswith("Z") and datetime.fromisoformat(published) == moment.replace(
            tzinfo=moment.tzinfo or UTC
        )
        assert document(records[1])["event_date"] == moment.date().isoformat()


def test_the_size_limit_counts_bytes_as_it_always_did(es: Elasticsearch, settings: Settings) -> None:
    """A document is measured as `json.dumps` writes it (", " and ": " separators), although it
    is sent compact: one between the two sizes is still refused up front."""
    small, big = list(seed_articles().values())[:2]
    big = big.model_copy(update={"minhash": list(range(1000, 3000))})
    legacy = len(json.dumps(to_document(big), ensure_ascii=False).encode("utf-8"))
    compact = len(json.dumps(to_document(big), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    assert compact < legacy - 2000
    limit = (compact + legacy) // 2
    summary = RunSummary()
    report = Indexer(es, settings, max_doc_bytes=limit).index_articles([small, big], summary)
    assert (report.created, report.dead_lettered) == (1, 1)
    [failure] = summary.failures
    assert failure.item == big.id and f"document of {legacy} bytes exceeds the {limit}-byte" in failure.reason
    # Under the limit, the same document lands.
    assert Indexer(es, settings, max_doc_bytes=legacy).index_articles([big], RunSummary()).created == 1


def test_several_copies_of_one_original_in_one_batch_fold_in_one_write(
    es: Elasticsearch, settings: Settings
) -> None:
    articles = seed_articles()
    original = articles["000"]
    first = copy_from(original, "Le Relais de l’Info", "relais.example")
    second = copy_from(original, "La Gazette", "gazette.example")
    other = copy_from(articles["002"], "La Gazette", "gazette.example/other")
    indexer = Indexer(es, settings)
    summary = RunSummary()
    # Copies before their originals in the input: the originals are still written first.
    report = indexer.index_articles([first, other, second, first, *articles.values()], summary)
    assert (report.created, report.folded, report.unchanged) == (5, 3, 1)
    assert summary.stages["index.articles"].reasons == {
        "accepted:created": 5,
        "accepted:folded": 3,
        "skipped:already-folded": 1,
    }
    alias = settings.index("articles")
    stored = es.get(index=f"{alias}-2025.03", id=original.id)
    # One write for both copies: the original is at its second version, not its third.
    assert stored["_version"] == 2
    assert stored["_source"]["sources"] == ["Le Veilleur International", "Le Relais de l’Info", "La Gazette"]
    assert stored["_source"]["duplicate_urls"] == [first.url, second.url]
    # The rewrite kept the rest of the document as it was created.
    assert {k: v for k, v in stored["_source"].items() if k not in ("sources", "duplicate_urls")} == {
        k: v for k, v in to_document(original).items() if k not in ("sources", "duplicate_urls")
    }
    assert es.get(index=f"{alias}-2025.03", id=articles["002"].id)["_source"]["duplicate_urls"] == [other.url]
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 5

    # Again, in another call (the originals are read back, not written by this call): no write.
    again = indexer.index_articles([first, second, other, original], RunSummary())
    assert (again.created, again.folded, again.unchanged) == (0, 0, 4)
    assert es.get(index=f"{alias}-2025.03", id=original.id)["_version"] == 2


def test_a_copy_folded_into_an_original_that_vanished_is_not_written_into_it(
    es: Elasticsearch, settings: Settings
) -> None:
    articles = seed_articles()
    indexer = Indexer(es, settings)
    indexer.index_articles([articles["000"]], RunSummary())
    stale = indexer._find_originals([articles["000"].id])[articles["000"].id]
    es.delete(index=stale.index, id=stale.id, refresh=True)
    outcome, _ = indexer._fold_one(stale, syndicated_copy(articles["000"]))
    assert outcome == "missing"  # the caller indexes the copy as an article of its own
    assert not es.exists(index=stale.index, id=stale.id)


def test_a_whole_document_rewrite_with_a_stale_sequence_number_loses_no_fold(
    es: Elasticsearch, settings: Settings
) -> None:
    """The fold rewrites an original this call created as a whole (`index`), guarded by the
    sequence number the create answered: when another fold got in between, the write is refused
    (409), the original read again, and both outlets kept."""
    articles = seed_articles()
    original = articles["000"]
    first = copy_from(original, "Le Relais de l’Info", "relais.example")
    second = copy_from(original, "La Gazette", "gazette.example")
    indexer = Indexer(es, settings)
    assert indexer.index_articles([original], RunSummary()).created == 1
    created = indexer._find_originals([original.id])[original.id]
    stale = _Original(
        created.index, created.id, created.seq_no, created.primary_term, to_document(original), full=True
    )
    assert indexer.index_articles([first], RunSummary()).folded == 1  # moves the sequence number on
    outcome, after = indexer._fold_one(stale, second)
    assert outcome == "folded" and after.seq_no > created.seq_no + 1
    stored = es.get(index=created.index, id=original.id)
    assert stored["_version"] == 3
    assert stored["_source"]["sources"] == ["Le Veilleur International", "Le Relais de l’Info", "La Gazette"]
    assert stored["_source"]["duplicate_urls"] == [first.url, second.url]
    assert stored["_source"]["text"] == original.text
