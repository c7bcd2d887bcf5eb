"""`Indexer.index_batch`: a batch's articles and events in one stream of bulk requests, each
article followed by its events; the same documents and accounting as writing them apart."""

from __future__ import annotations

import json
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from test_index_search import seed_articles, seed_events, syndicated_copy

from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings
from vigie.store.indexer import Indexer


class Requests:
    """The bulk requests a client sends (they still go to the cluster): the index of each
    document action, per request."""

    def __init__(self, es: Elasticsearch, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[list[str]] = []
        original = type(es).bulk  # the helpers call it on copies of the client (`options`)

        def bulk(client: Elasticsearch, *args: Any, **kwargs: Any) -> Any:
            indices = []
            for line in kwargs.get("operations") or kwargs.get("body") or []:
                op = json.loads(line) if isinstance(line, str | bytes) else line
                header = op.get("create") or op.get("index") or op.get("update") or op.get("delete")
                if len(op) == 1 and isinstance(header, dict) and "_index" in header:
                    indices.append(header["_index"])
            self.sent.append(indices)
            return original(client, *args, **kwargs)

        monkeypatch.setattr(type(es), "bulk", bulk)


def test_one_request_feeds_both_families(
    es: Elasticsearch, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = seed_articles()
    events = seed_events(articles)
    copy = syndicated_copy(articles["000"])
    batch = [*articles.values(), copy]
    requests = Requests(es, monkeypatch)
    summary = RunSummary()
    report = Indexer(es, settings).index_batch(batch, events, summary)

    # One bulk request for the creations (articles and events together), one for the fold.
    families = [{name.split("-")[-2] for name in request} for request in requests.sent]
    assert families[0] == {"articles", "events"}
    assert len(requests.sent) == 2
    # The same accounting as index_articles then index_events.
    assert report.created == len(articles) + len(events) and report.folded == 1
    assert summary.get("index.articles") == len(articles) + 1
    assert summary.get("index.events") == len(events)
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    assert es.count(index=settings.index("articles"))["count"] == len(articles)
    assert es.count(index=settings.index("events"))["count"] == len(events)
    found = es.search(index=settings.index("articles"), query={"ids": {"values": [articles["000"].id]}})
    stored = found["hits"]["hits"][0]["_source"]
    assert copy.url in stored["duplicate_urls"]

    # Again: nothing changes, everything is already there.
    again = Indexer(es, settings).index_batch(batch, events, RunSummary())
    assert again.created == 0 and again.unchanged == len(articles) + len(events) + 1
