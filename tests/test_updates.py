"""Updates re-read (issue 15, item 5): a changed feed item or a re-polled recent page makes a
new version of the same document, its events replaced, its alert updated with one follow-up.

The drill runs the real `Pipeline` against a small site of its own on the local feed server
(127.0.0.1), the real Elasticsearch node, the real enricher and a webhook receiver counting
requests. Articles and feeds are written here, not taken from the gold sets.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan
from helpers import registry_feed
from test_alerts_delivery import Receiver

from ingest.parse import FeedItem, item_signature
from vigie.core.models import Alert, Delivery, delivery_key
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Pipeline

# A raid, first reported with three dead, then revised: a new title, the toll in a new
# sentence placed after a new lead paragraph (the incident moves: its old event id is stale).
FIRST = (
    "Bombardement sur Zaporijjia : trois civils tués",
    [
        "Trois civils ont été tués mardi matin dans un bombardement russe sur un quartier "
        "résidentiel de Zaporijjia, a annoncé le gouverneur de la région sur Telegram.",
        "Plusieurs immeubles ont été endommagés et les secours fouillent les décombres, "
        "selon les services d'urgence ukrainiens, qui ont publié des photos des dégâts.",
    ],
)
REVISED = (
    "Bombardement sur Zaporijjia : le bilan s'alourdit à douze morts",
    [
        "Les secouristes ont travaillé toute la nuit dans les ruines de deux immeubles de "
        "Zaporijjia, où de nouvelles victimes ont été retrouvées mercredi.",
        "Douze civils ont été tués mardi matin dans un bombardement russe sur un quartier "
        "résidentiel de Zaporijjia, a annoncé le gouverneur de la région sur Telegram.",
        "Plusieurs immeubles ont été endommagés, selon les services d'urgence ukrainiens.",
    ],
)
PATH = "/maj/zaporijjia.html"


def _page(title: str, paragraphs: list[str], published: datetime) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='article:published_time' content='{published.isoformat()}'>"
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def _feed(title: str, published: datetime, updated: datetime) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<title>Mises à jour</title><id>urn:maj</id><updated>2025-01-01T00:00:00Z</updated>"
        f"<entry><title>{title}</title><link href='{{BASE_URL}}{PATH}'/><id>urn:maj:1</id>"
        f"<published>{published.isoformat()}</published><updated>{updated.isoformat()}</updated>"
        "</entry></feed>"
    )


def _rules(tmp_path: Path, url: str) -> Path:
    data = {
        "version": 1,
        "notifiers": {"desk": {"type": "webhook", "url": url, "timeout_seconds": 10, "max_attempts": 1}},
        "rules": [
            {
                "name": "civils_tues",
                "severity": "high",
                "notifiers": ["desk"],
                "condition": {"phrase": {"words": "civils tués", "max_distance": 3}},
            }
        ],
    }
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _docs(es: Elasticsearch, settings: Settings, kind: str) -> list[dict[str, Any]]:
    es.indices.refresh(index=settings.index(kind), ignore_unavailable=True)
    return [hit["_source"] for hit in scan(es, index=settings.index(kind), ignore_unavailable=True)]


@pytest.mark.slow
def test_a_revised_article_becomes_version_2_with_its_events_replaced_and_one_follow_up(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, tmp_path: Path
) -> None:
    hook = Receiver()
    published = datetime(2025, 6, 3, 7, 0, tzinfo=UTC)
    feed_server.publish(PATH, _page(*FIRST, published))
    feed_server.publish("/maj/feed.xml", _feed(FIRST[0], published, published))
    settings = dataclasses.replace(
        settings, rules_file=_rules(tmp_path, hook.url), poll_due_only=False, update_window_hours=0
    )
    feeds = [registry_feed("maj", feed_server.url("/maj/feed.xml"))]
    try:
        first = Pipeline(settings=settings).run(feeds)
        (article,) = _docs(es, settings, "articles")
        old_events = {
            (e["sentence_start"], e["killed"]["value"] if e["killed"] else None)
            for e in _docs(es, settings, "events")
        }
        (alert,) = _docs(es, settings, "alerts")
        assert article["version"] == 1 and alert["killed"] == 3, (article, alert)
        assert hook.counts() == {alert["id"]: 1}
        assert first.metrics.get("updates", 0) == 0

        # The site revises the article: toll 3 -> 12, new title, new "updated" date in the feed.
        feed_server.publish(PATH, _page(*REVISED, published))
        feed_server.publish("/maj/feed.xml", _feed(REVISED[0], published, published + timedelta(hours=5)))
        second = Pipeline(settings=settings).run(feeds)
        third = Pipeline(settings=settings).run(feeds)  # the same again: nothing changes
    finally:
        hook.stop()

    (updated,) = _docs(es, settings, "articles")
    assert updated["id"] == article["id"]
    assert updated["version"] == 2 and updated["title"] == REVISED[0]
    assert set(updated["changes"]) == {"title", "text"} and updated["updated_at"]
    events = _docs(es, settings, "events")
    assert {e["article_id"] for e in events} == {article["id"]}
    tolls = [e["killed"]["value"] for e in events if e["killed"]]
    assert tolls and max(tolls) == 12 and 3 not in tolls, events  # no stale incident left
    assert {
        (e["sentence_start"], e["killed"]["value"] if e["killed"] else None) for e in events
    } != old_events

    # The story incident the dashboards count reads the revised toll too.
    story_tolls = [s["killed"]["value"] for s in _docs(es, settings, "stories") if s.get("killed")]
    assert story_tolls and max(story_tolls) == 12, story_tolls

    (final,) = _docs(es, settings, "alerts")  # the same alert, no second one
    assert final["id"] == alert["id"] and final["killed"] == 12 and final["follow_ups"] == 1
    assert final["title"] == REVISED[0] and final["status"] == "sent"
    assert Counter((d["kind"], d["status"]) for d in final["deliveries"]) == {
        ("alert", "sent"): 1,
        ("follow-up", "sent"): 1,
    }
    assert hook.counts() == {alert["id"]: 1, f"{alert['id']}:follow-up:1": 1}
    follow_up = hook.bodies[-1]
    assert follow_up["delivery_kind"] == "follow-up" and follow_up["title"].startswith("Mise à jour")
    assert follow_up["id"] == alert["id"]
    assert second.metrics.get("updates", 0) == 1 and second.metrics.get("alerts:updated") == 1
    assert third.metrics.get("updates", 0) == 0 and not third.metrics.get("alerts:updated")
    assert third.get("select") == 0


@pytest.mark.slow
def test_a_recent_page_changed_without_its_feed_is_read_again_and_an_unchanged_one_is_not_stored(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, tmp_path: Path
) -> None:
    """Within the update window the page is polled again (the feed item the same): an
    unchanged page is not stored again (and its validators make the next poll a 304), an
    edited page is version 2."""
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    feed_server.publish(PATH, _page(*FIRST, published))
    feed_server.publish("/maj/feed.xml", _feed(FIRST[0], published, published))
    settings = dataclasses.replace(
        settings, rules_file=_rules(tmp_path, "http://127.0.0.1:9/none"), poll_due_only=False
    )
    feeds = [registry_feed("maj", feed_server.url("/maj/feed.xml"))]
    Pipeline(settings=settings).run(feeds)
    # The feed changes elsewhere (a new item, here its channel), its item stays the same.
    feed_server.publish("/maj/feed.xml", _feed(FIRST[0], published, published).replace("Mises à jour", "Fil"))
    unchanged = Pipeline(settings=settings).run(feeds)
    assert unchanged.metrics.get("updates", 0) == 0, unchanged.stages.get("update")
    assert unchanged.stages["update"].reasons.get("skipped:unchanged") == 1
    (article,) = _docs(es, settings, "articles")
    assert article["version"] == 1

    feed_server.publish(PATH, _page(REVISED[0], REVISED[1], published))  # the feed says nothing
    feed_server.publish(
        "/maj/feed.xml", _feed(FIRST[0], published, published).replace("Mises à jour", "Fil 2")
    )
    changed = Pipeline(settings=settings).run(feeds)
    assert changed.metrics.get("updates", 0) == 1
    (article,) = _docs(es, settings, "articles")
    assert article["version"] == 2 and "text" in article["changes"]


def test_the_feed_signature_changes_with_title_updated_date_or_summary_only() -> None:
    base = FeedItem(guid="g", title="Frappe sur Odessa", link="https://example.org/a", summary="Deux morts.")
    same = base.model_copy(update={"guid": "other", "categories": ["Europe"]})
    assert item_signature(same) == item_signature(base)
    for change in (
        {"title": "Frappe sur Odessa : quatre morts"},
        {"summary": "Quatre morts."},
        {"updated": datetime(2025, 3, 2, tzinfo=UTC)},
    ):
        assert item_signature(base.model_copy(update=change)) != item_signature(base)


def test_a_follow_up_delivery_has_a_key_of_its_own() -> None:
    first = Delivery(notifier="webhook:desk")
    follow = Delivery(notifier="webhook:desk", kind="follow-up", follow_up=1)
    assert delivery_key(first) == "webhook:desk"
    assert delivery_key(follow) == "webhook:desk#follow-up-1"
    assert Alert.model_fields["follow_ups"].default == 0
