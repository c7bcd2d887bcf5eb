"""Alert evaluation writes a batch in one bulk: the writes that fail there (a concurrent run's
alert not yet searchable, a stale read, a rejection) are recorded again one by one and end as
one-by-one processing would have. Real Elasticsearch node; an index that never refreshes by
itself keeps another run's writes out of search, as they are until the next refresh."""

from __future__ import annotations

from datetime import timedelta

from elasticsearch import Elasticsearch
from test_alerts_engine import T0, article, rules, stored_alerts

from vigie.alerting.engine import AlertEngine
from vigie.core.accounting import RunSummary
from vigie.core.models import stable_id
from vigie.core.settings import Settings


def unrefreshed_month(es: Elasticsearch, settings: Settings) -> None:
    """March's alerts index (template applied), refreshed only on demand."""
    es.indices.create(index=f"{settings.index('alerts')}-2025.03", settings={"refresh_interval": "-1"})


def test_an_alert_created_meanwhile_and_not_yet_searchable_is_joined(
    es: Elasticsearch, settings: Settings
) -> None:
    unrefreshed_month(es, settings)
    ruleset = rules()
    first, second = article(1, T0, story="s2"), article(2, T0 + timedelta(hours=1), story="s2")
    # Another run opened the nuclear alert of `first` a moment ago: stored, not searchable yet.
    AlertEngine(settings, es, ruleset)._record(
        ruleset.get("frappe_nucleaire"), first, "passage", RunSummary()
    )

    summary = RunSummary()
    changed = AlertEngine(settings, es, ruleset).evaluate([first, second], [], summary)

    nuclear = stored_alerts(es, settings, "frappe_nucleaire")
    assert [a.article_ids for a in nuclear] == [[first.id, second.id]]
    assert nuclear[0].id == stable_id("frappe_nucleaire", "s2", first.id)
    assert nuclear[0].matched_text == "passage"  # the other run's creation stands
    assert [a.article_ids for a in stored_alerts(es, settings, "otan")] == [[first.id, second.id]]
    # Nuclear: `first` already in it, `second` joins; otan: opened and joined here.
    assert summary.metrics["alerts:unchanged"] == 1
    assert summary.metrics["alerts:merged"] == 2
    assert summary.metrics["alerts:created"] == 1
    assert {a.rule: a.article_ids for a in changed} == {
        "frappe_nucleaire": [first.id, second.id],
        "otan": [first.id, second.id],
    }
    assert first.alert_rules == second.alert_rules == ["frappe_nucleaire", "otan"]


def test_a_stale_search_hit_conflicts_and_the_article_is_merged_into_the_latest_version(
    es: Elasticsearch, settings: Settings
) -> None:
    unrefreshed_month(es, settings)
    ruleset = rules()
    first, second, third = (article(n, T0 + timedelta(hours=n)) for n in (1, 2, 3))
    AlertEngine(settings, es, ruleset).evaluate([first], [], RunSummary())  # refreshes: searchable
    # Another run adds `second` to the nuclear alert: search still returns the first version.
    AlertEngine(settings, es, ruleset)._record(
        ruleset.get("frappe_nucleaire"), second, "passage", RunSummary()
    )

    summary = RunSummary()
    AlertEngine(settings, es, ruleset).evaluate([third], [], summary)

    nuclear = stored_alerts(es, settings, "frappe_nucleaire")
    assert [a.article_ids for a in nuclear] == [[first.id, second.id, third.id]]
    assert [a.article_ids for a in stored_alerts(es, settings, "otan")] == [[first.id, third.id]]
    assert summary.metrics["alerts:merged"] == 2 and "alerts:created" not in summary.metrics


def test_every_article_of_a_rejected_alert_is_refused_and_the_batch_goes_on(
    es: Elasticsearch, settings: Settings
) -> None:
    # March's alerts index maps `title` as an integer: Elasticsearch rejects March alerts (400).
    es.indices.create(
        index=f"{settings.index('alerts')}-2025.03", mappings={"properties": {"title": {"type": "integer"}}}
    )
    march = [article(n, T0 + timedelta(hours=n), story="s-march") for n in (1, 2)]
    april = article(3, T0 + timedelta(days=30), story="s-april")
    summary = RunSummary()
    changed = AlertEngine(settings, es, rules()).evaluate([*march, april], [], summary)

    assert {a.article_ids[0] for a in changed} == {april.id}
    assert [a.alert_rules for a in march] == [[], []]
    assert april.alert_rules == ["frappe_nucleaire", "otan"]
    refused = sorted(f.item for f in summary.failures if f.stage == "alerts")
    assert refused == sorted(f"{rule}:{a.id}" for rule in ("frappe_nucleaire", "otan") for a in march)
    assert all(f.reason.startswith("es_rejected") for f in summary.failures)
    assert summary.metrics["alerts:created"] == 2 and "alerts:merged" not in summary.metrics
    assert summary.stages["alerts"].accepted == 3
