"""Alert evaluation at ingest on the real Elasticsearch node: one alert per rule per story per
window, anchored on published times, idempotent, and safe against concurrent updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from vigie.alerting.engine import AlertEngine
from vigie.alerting.rules import RuleSet, parse_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, stable_id
from vigie.core.settings import Settings

T0 = datetime(2025, 3, 11, 8, 8, tzinfo=UTC)
NUCLEAR_TEXT = "Moscou menace d'une première frappe nucléaire contre l'OTAN."


def rules(notifiers: dict[str, Any] | None = None, rule_notifiers: list[str] | None = None) -> RuleSet:
    return parse_rules(
        {
            "version": 1,
            "defaults": {"throttle": "24h"},
            "notifiers": notifiers or {"log": {"type": "log"}},
            "rules": [
                {
                    "name": "frappe_nucleaire",
                    "severity": "critical",
                    "description": "Frappe nucléaire",
                    "notifiers": rule_notifiers or ["log"],
                    "condition": {"phrase": {"words": "frappe nucléaire", "max_distance": 2}},
                },
                {"name": "otan", "severity": "low", "condition": {"phrase": {"words": "OTAN"}}},
            ],
        }
    )


def article(
    n: int, published: datetime | None, story: str | None = "story-1", text: str = NUCLEAR_TEXT, **kw: Any
) -> Article:
    url = f"https://outlet{n}.example/article-{n}"
    fields: dict[str, Any] = {
        "id": stable_id(url),
        "url": url,
        "original_url": url,
        "feed": "test",
        "source": f"outlet{n}.example",
        "sources": [f"outlet{n}.example"],
        "title": f"Article {n}",
        "text": text,
        "published": published,
        "language": "fr",
        "enriched": True,
        "story_id": story,
    }
    fields.update(kw)
    return Article(**fields)


def stored_alerts(es: Elasticsearch, settings: Settings, rule: str | None = None) -> list[Alert]:
    es.indices.refresh(index=settings.index("alerts"), ignore_unavailable=True, allow_no_indices=True)
    query: dict[str, Any] = {"term": {"rule": rule}} if rule else {"match_all": {}}
    response = es.search(
        index=settings.index("alerts"),
        query=query,
        size=100,
        sort=[{"window_start": "asc"}],
        ignore_unavailable=True,
    )
    return [Alert.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]


def seq_nos(es: Elasticsearch, settings: Settings) -> dict[str, int]:
    es.indices.refresh(index=settings.index("alerts"))
    hits = es.search(index=settings.index("alerts"), size=100, seq_no_primary_term=True)["hits"]["hits"]
    return {hit["_id"]: hit["_seq_no"] for hit in hits}


def test_one_alert_per_story_in_the_window_with_every_source(es: Elasticsearch, settings: Settings) -> None:
    batch = [article(i, T0 + timedelta(hours=i)) for i in range(10)]  # ten outlets, same story
    summary = RunSummary()
    created = AlertEngine(settings, es, rules()).evaluate(batch, [], summary)

    nuclear = stored_alerts(es, settings, "frappe_nucleaire")
    assert len(nuclear) == 1, [a.article_ids for a in nuclear]
    alert = nuclear[0]
    assert alert.article_ids == [a.id for a in batch]
    assert alert.sources == [f"outlet{i}.example" for i in range(10)]
    assert alert.id == stable_id("frappe_nucleaire", "story-1", batch[0].id)
    assert alert.window_start == T0
    assert alert.severity == "critical" and alert.story_id == "story-1"
    assert (
        alert.matched_text
        == "Moscou menace d'une première <mark>frappe</mark> <mark>nucléaire</mark> contre l'OTAN."
    )
    assert [d.notifier for d in alert.deliveries] == ["log"] and alert.status == "pending"
    # Written in the monthly index of its window start.
    assert es.exists(index=f"{settings.index('alerts')}-2025.03", id=alert.id)
    assert all(a.alert_rules == ["frappe_nucleaire", "otan"] for a in batch)
    assert {a.id for a in created} == {alert.id, stable_id("otan", "story-1", batch[0].id)}
    assert summary.get("alerts") == 10 and summary.metrics["alerts:created"] == 2


def test_rerunning_the_same_batch_changes_nothing(es: Elasticsearch, settings: Settings) -> None:
    batch = [
        article(1, T0),
        article(2, T0 + timedelta(hours=7)),
        article(3, T0 + timedelta(hours=2), story=None),
    ]
    AlertEngine(settings, es, rules()).evaluate(batch, [], RunSummary())
    before = seq_nos(es, settings)
    docs_before = {a.id: a for a in stored_alerts(es, settings)}

    # Fresh records, in another order, through a fresh engine: a re-delivered batch.
    again = [
        article(3, T0 + timedelta(hours=2), story=None),
        article(2, T0 + timedelta(hours=7)),
        article(1, T0),
    ]
    summary = RunSummary()
    changed = AlertEngine(settings, es, rules()).evaluate(again, [], summary)

    assert changed == []
    assert seq_nos(es, settings) == before
    assert {a.id: a for a in stored_alerts(es, settings)} == docs_before
    assert summary.metrics["alerts:unchanged"] == 6
    assert all(a.alert_rules == ["frappe_nucleaire", "otan"] for a in again)


def test_window_is_anchored_on_published_time_not_arrival(es: Elasticsearch, settings: Settings) -> None:
    engine_rules = rules()
    later = article(1, T0 + timedelta(hours=10))
    AlertEngine(settings, es, engine_rules).evaluate([later], [], RunSummary())
    # An earlier report of the same story arrives in the next batch: it joins, no second page.
    earlier = article(2, T0)
    AlertEngine(settings, es, engine_rules).evaluate([earlier], [], RunSummary())
    # Three days later the story is still running: that is a new window, hence a new alert.
    much_later = article(3, T0 + timedelta(days=3))
    AlertEngine(settings, es, engine_rules).evaluate([much_later], [], RunSummary())

    nuclear = stored_alerts(es, settings, "frappe_nucleaire")
    assert [a.article_ids for a in nuclear] == [[later.id, earlier.id], [much_later.id]]
    assert nuclear[0].window_start == later.published and nuclear[1].window_start == much_later.published
    assert nuclear[1].id == stable_id("frappe_nucleaire", "story-1", much_later.id)


def test_articles_without_story_each_get_their_alert(es: Elasticsearch, settings: Settings) -> None:
    batch = [article(1, T0, story=None), article(2, T0, story=None)]
    AlertEngine(settings, es, rules()).evaluate(batch, [], RunSummary())
    assert sorted(a.article_ids for a in stored_alerts(es, settings, "frappe_nucleaire")) == sorted(
        [[batch[0].id], [batch[1].id]]
    )


def test_duplicates_unenriched_and_non_matching_articles(es: Elasticsearch, settings: Settings) -> None:
    duplicate = article(1, T0, duplicate_of="other-article")
    raw = article(2, T0, enriched=False)
    unrelated = article(3, T0, text="La centrale de Zaporijjia est à l'arrêt.")
    summary = RunSummary()
    changed = AlertEngine(settings, es, rules()).evaluate([duplicate, raw, unrelated], [], summary)
    assert changed == []
    assert stored_alerts(es, settings) == []
    assert summary.stages["alerts"].reasons == {
        "skipped:duplicate": 1,
        "skipped:not_enriched": 1,
        "accepted:no_match": 1,
    }
    assert duplicate.alert_rules == [] and unrelated.alert_rules == []


def test_deliveries_are_queued_only_for_configured_notifiers(
    es: Elasticsearch, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIGIE_TEST_HOOK", raising=False)
    ruleset = rules(
        notifiers={"log": {"type": "log"}, "desk": {"type": "webhook", "url": "${VIGIE_TEST_HOOK}"}},
        rule_notifiers=["log", "desk"],
    )
    summary = RunSummary()
    AlertEngine(settings, es, ruleset).evaluate([article(1, T0)], [], summary)
    alert = stored_alerts(es, settings, "frappe_nucleaire")[0]
    assert [d.notifier for d in alert.deliveries] == ["log"]
    assert summary.metrics["alerts:notifier_unconfigured:desk"] == 1


def test_a_stale_read_never_loses_an_update(es: Elasticsearch, settings: Settings) -> None:
    """Two engines update the same alert; the one holding a stale copy gets a 409 from
    Elasticsearch, re-reads and re-merges: every article ends up in the alert."""
    ruleset = rules()
    first, second, third = (
        article(1, T0),
        article(2, T0 + timedelta(hours=1)),
        article(3, T0 + timedelta(hours=2)),
    )
    engine_a = AlertEngine(settings, es, ruleset)
    engine_a.evaluate([first], [], RunSummary())  # engine_a now caches the alert at its first version
    AlertEngine(settings, es, ruleset).evaluate([second], [], RunSummary())  # another process updates it
    stale = engine_a._batch[stable_id("frappe_nucleaire", "story-1", first.id)]
    assert stale.alert.article_ids == [first.id]

    alert, outcome = engine_a._record(ruleset.get("frappe_nucleaire"), third, "passage", RunSummary())

    assert outcome == "merged"
    assert alert.article_ids == [first.id, second.id, third.id]
    assert stored_alerts(es, settings, "frappe_nucleaire")[0].article_ids == [first.id, second.id, third.id]


def test_article_without_published_time_uses_fetched_at(es: Elasticsearch, settings: Settings) -> None:
    fetched = article(1, None, fetched_at=T0 + timedelta(minutes=5))
    AlertEngine(settings, es, rules()).evaluate([fetched], [], RunSummary())
    assert stored_alerts(es, settings, "frappe_nucleaire")[0].window_start == T0 + timedelta(minutes=5)


def test_a_rejected_alert_is_counted_and_the_batch_goes_on(es: Elasticsearch, settings: Settings) -> None:
    # March's alerts index maps `title` as an integer: Elasticsearch rejects March alerts (400).
    es.indices.create(
        index=f"{settings.index('alerts')}-2025.03", mappings={"properties": {"title": {"type": "integer"}}}
    )
    march, april = article(1, T0, story="s-march"), article(2, T0 + timedelta(days=30), story="s-april")
    summary = RunSummary()
    changed = AlertEngine(settings, es, rules()).evaluate([march, april], [], summary)

    assert {a.article_id for a in changed} == {april.id}
    assert march.alert_rules == [] and april.alert_rules == ["frappe_nucleaire", "otan"]
    refused = [f for f in summary.failures if f.stage == "alerts"]
    assert sorted(f.item for f in refused) == sorted([f"frappe_nucleaire:{march.id}", f"otan:{march.id}"])
    assert all(f.reason.startswith("es_rejected") for f in refused)
