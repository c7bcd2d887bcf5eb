"""Story incidents (the `stories` index): one document per happening of a story, its figures
counted once, rebuilt from its reports whatever order they came in, written idempotently and
without losing a concurrent writer's report. And the names weights of the recent index."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Event, Place, Quantity
from vigie.core.settings import Settings
from vigie.store.es import index_for, index_name, to_document
from vigie.stories.assign import StoryClusterer, assign_stories
from vigie.stories.incidents import build_incident, incident_id, report_of
from vigie.stories.policy import default_policy, vocabulary

DAY = datetime.fromisoformat("2025-08-20T06:00:00+03:00")
STRIKE = ("Explosions/Remote violence", "Air/drone strike")


def article(key: str, hours: float, source: str, **fields: Any) -> Article:
    return Article(
        id=key, url=f"https://{source}.example/{key}", original_url=f"https://{source}.example/{key}",
        feed="t", source=source, title=f"title {key}", text=key, published=DAY + timedelta(hours=hours), **fields,
    )  # fmt: skip


def event(of: Article, n: int = 0, places: tuple[str, ...] = ("odessa",), **slots: Any) -> Event:
    return Event(
        id=f"ev-{of.id}-{n}", article_id=of.id, article_title=of.title, article_url=of.url, source=of.source,
        published=of.published, event_type=STRIKE[0], sub_event_type=STRIKE[1], trigger="frappe",
        sentence="...", sentence_start=n, sentence_end=n + 1, weapons=["drone"],
        places=[Place(id=p, name=p.capitalize()) for p in places], **slots,
    )  # fmt: skip


def q(value: int, **more: Any) -> Quantity:
    return Quantity(value=value, text=str(value), **more)


# -- figures, from reports alone -----------------------------------------------------------------


def test_an_incident_is_built_from_its_reports_in_any_order() -> None:
    a = article("a", 0, "ouest-matin")
    b = article("b", 2, "radio-sud")
    c = article("c", 5, "le-quotidien")
    reports = [
        report_of(event(a, launched=q(300, qualifier="at_least"), killed=q(2))),
        report_of(event(b, launched=q(390), killed=q(3, revised=True))),
        report_of(event(c, launched=q(390), killed=q(3))),
    ]
    built = {
        build_incident("a", "lead", a.published, order, "highest").model_dump_json()
        for order in itertools.permutations(reports)
    }
    assert len(built) == 1
    incident = build_incident("a", "lead", a.published, reports, "highest")
    assert incident.id == incident_id("a", "lead") and incident.lead and incident.report_count == 3
    assert incident.launched is not None and incident.launched.value == 390  # never 300 + 390 + 390
    assert incident.launched.sources == ["le-quotidien", "radio-sud"]
    assert incident.launched.article_ids == ["b", "c"]
    assert (
        incident.killed is not None and incident.killed.value == 3 and incident.killed.revised
    )  # revised first
    assert incident.title == "title a" and incident.first_published == a.published
    assert incident.last_published == c.published and incident.sources == [
        "le-quotidien",
        "ouest-matin",
        "radio-sud",
    ]
    assert [p.id for p in incident.places] == ["odessa"]

    # The other rule: the latest report's figure, even when lower.
    later = report_of(event(article("d", 9, "gazette"), killed=q(2)))
    latest = build_incident("a", "lead", a.published, [*reports, later], "latest")
    assert latest.killed is not None and latest.killed.value == 2 and latest.killed.sources == ["gazette"]
    assert build_incident("a", "lead", a.published, [*reports, later], "highest").killed.value == 3  # type: ignore[union-attr]


# -- the stories index ---------------------------------------------------------------------------


def _store(es: Elasticsearch, settings: Settings, articles: list[Article]) -> None:
    for record in articles:
        es.index(index=index_for(settings, record), id=record.id, document=to_document(record))
    es.indices.refresh(index=settings.index("articles"))


def _incidents(es: Elasticsearch, settings: Settings) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=settings.index("stories"))
    hits = es.search(index=settings.index("stories"), size=100, query={"match_all": {}})["hits"]["hits"]
    return {hit["_source"]["key"]: hit["_source"] for hit in hits}


def test_a_later_outlet_raises_the_figure_once_and_a_rerun_changes_nothing(
    es: Elasticsearch, settings: Settings
) -> None:
    first = article("first", 0, "ouest-matin", persons=["Oleh Kiper"])
    first_events = [event(first, launched=q(300, qualifier="at_least"), killed=q(2))]
    assign_stories(es, settings, [first], RunSummary(), first_events)
    _store(es, settings, [first])
    assert _incidents(es, settings)["lead"]["launched"]["value"] == 300

    second = article("second", 3, "radio-sud")
    # The same raid (drones, Odessa), and a separate shelling of Kherson the same outlet reports.
    second_events = [
        event(second, launched=q(390), killed=q(4, revised=True)),
        event(second, 1, ("kherson",), killed=q(1)).model_copy(
            update={"sub_event_type": "Shelling/artillery/missile attack", "weapons": ["artillerie"]}
        ),
    ]
    summary = RunSummary()
    assign_stories(es, settings, [second], summary, second_events)
    assert second.story_id == "first" and summary.metrics["story_incidents"] == 2
    incidents = _incidents(es, settings)
    assert set(incidents) == {"lead", "remote_violence|kherson"}
    lead = incidents["lead"]
    assert lead["launched"]["value"] == 390 and lead["launched"]["sources"] == ["radio-sud"]
    assert lead["killed"]["value"] == 4 and lead["report_count"] == 2
    assert (
        lead["sources"] == ["ouest-matin", "radio-sud"] and lead["story_published"] == "2025-08-20T03:00:00Z"
    )
    total = es.search(
        index=settings.index("stories"), size=0, aggs={"launched": {"sum": {"field": "launched.value"}}}
    )["aggregations"]["launched"]["value"]
    assert total == 390  # per article the dashboard read 690

    # The same batch again (a retried task): nothing to write.
    again = RunSummary()
    assign_stories(es, settings, [second.model_copy(update={"story_id": None})], again, second_events)
    assert again.metrics.get("story_incidents", 0) == 0
    assert _incidents(es, settings) == incidents

    # An article read again with a revised toll replaces its own report, never adds one.
    revised = [second_events[0].model_copy(update={"killed": q(12, revised=True)}), second_events[1]]
    assign_stories(es, settings, [second.model_copy(update={"story_id": None})], RunSummary(), revised)
    lead = _incidents(es, settings)["lead"]
    assert lead["killed"]["value"] == 12 and lead["report_count"] == 2


def test_a_report_written_by_another_run_meanwhile_is_kept(es: Elasticsearch, settings: Settings) -> None:
    """Between this batch's read of a story incident and its write, another run adds a report:
    the write is refused (version changed), the document read again and merged again."""
    anchor = article("anchor", 0, "ouest-matin")
    assign_stories(es, settings, [anchor], RunSummary(), [event(anchor, killed=q(2))])
    _store(es, settings, [anchor])
    index = index_name(settings, "stories", anchor.published)
    doc_id = incident_id("anchor", "lead")

    other = article("other", 1, "gazette")
    mine = article("mine", 2, "radio-sud")
    original_bulk = es.bulk
    interfered: list[bool] = []

    def bulk_after_another_run(**kwargs: Any) -> Any:
        if not interfered:  # the other run's write lands first
            interfered.append(True)
            stored = es.get(index=index, id=doc_id)["_source"]
            stored["reports"].append(report_of(event(other, killed=q(5))).model_dump(mode="json"))
            es.index(index=index, id=doc_id, document=stored)
        return original_bulk(**kwargs)

    es.bulk = bulk_after_another_run  # type: ignore[method-assign]
    assign_stories(es, settings, [mine], RunSummary(), [event(mine, killed=q(3))])
    es.bulk = original_bulk  # type: ignore[method-assign]
    incident = es.get(index=index, id=doc_id)["_source"]
    assert interfered and sorted(r["article_id"] for r in incident["reports"]) == ["anchor", "mine", "other"]
    assert incident["killed"]["value"] == 5 and incident["killed"]["sources"] == ["gazette"]


# -- names weighed by the recent index ------------------------------------------------------------


def _background(
    es: Elasticsearch, settings: Settings, count: int, every: dict[str, int], day_offset: int
) -> None:
    """`count` articles spread over the days before DAY (`day_offset` days back at most); name
    N of `every` in one article of every[N] (as a person: a name counts whatever its field)."""
    operations: list[dict[str, Any]] = []
    for n in range(count):
        published = DAY - timedelta(days=1 + n % day_offset, hours=n % 3)
        persons = [name for name, step in every.items() if n % step == 0]
        record = article(f"bg-{n}", 0, "fond", persons=persons).model_copy(update={"published": published})
        operations += [
            {"index": {"_index": index_for(settings, record), "_id": record.id}},
            to_document(record),
        ]
    es.bulk(operations=operations, refresh=True)


def test_names_common_in_the_recent_index_weigh_almost_nothing(es: Elasticsearch, settings: Settings) -> None:
    """Three names two same-day articles share, unknown to the knowledge base: rare, they make
    one story. Once the week before names one of them in every other article, they do not.
    Articles of the same day do not count (the weight does not depend on what was stored
    before in the day)."""
    names = ["Ihor Klymenko", "Marta Hrytsenko", "Bohdan Levtchenko"]

    def pair() -> list[Article]:
        return [
            article("talks-1", 0, "ouest-matin", persons=[*names, "Vladimir Poutine"]),
            article("talks-2", 4, "radio-sud", persons=names),
        ]

    fresh = pair()
    assign_stories(es, settings, fresh, RunSummary())
    assert fresh[1].story_id == "talks-1"

    # The same day, however many articles name Klymenko: same weights, same story.
    same_day = [
        article(f"today-{n}", 0.5 + n / 100, "fond", persons=["Ihor Klymenko"]) for n in range(60)
    ]  # fmt: skip
    for record in same_day:
        record.story_id, record.story_anchor = record.id, True
    _store(es, settings, same_day)
    again = pair()
    assign_stories(es, settings, again, RunSummary())
    assert again[1].story_id == "talks-1"

    _background(es, settings, 300, {"Ihor Klymenko": 2, "Vladimir Poutine": 1, "Marta Hrytsenko": 150}, 7)
    clusterer = StoryClusterer(es, settings)
    later = pair()
    clusterer.assign(later, RunSummary())
    day = DAY.date()
    assert clusterer.rarity.days[day].total == 300
    assert clusterer.rarity.weight("Ihor Klymenko", day) < 0.1
    assert clusterer.rarity.weight("Marta Hrytsenko", day) > 0.5  # 2 in 300
    assert clusterer.rarity.weight("Bohdan Levtchenko", day) == 1.0
    assert later[1].story_id == "talks-2"


def test_heads_of_state_weigh_nothing_from_the_index_alone(es: Elasticsearch, settings: Settings) -> None:
    """The issue's pair without incidents: a strike on Soumy and talks in Istanbul, both naming
    Poutine, Zelensky, Trump and the Kremlin. With the policy's list of common names emptied,
    the index alone (a week in which they are named everywhere) weighs them down."""
    shared = {
        "persons": ["Vladimir Poutine", "Volodymyr Zelensky", "Donald Trump"],
        "organisations": ["Kremlin"],
    }
    strike = article("soumy", 0, "ouest-matin", places=["Soumy", "Ukraine", "Russie"], **shared)
    talks = article("istanbul", 3, "radio-sud", places=["Istanbul", "Turquie", "Ukraine"], **shared)
    policy = default_policy()
    bare = replace(policy, entities=replace(policy.entities, common=frozenset()))
    plain = vocabulary(common=())
    cold = StoryClusterer(es, settings, bare, plain)
    assert cold.rarity.weight("Vladimir Poutine", DAY.date()) > 0.5  # known to the KB, nothing counted yet
    _background(
        es, settings, 200,
        {"Vladimir Poutine": 2, "Volodymyr Zelensky": 2, "Donald Trump": 3, "Kremlin": 3}, 7,
    )  # fmt: skip
    warm = StoryClusterer(es, settings, bare, plain)
    batch = [strike.model_copy(deep=True), talks.model_copy(deep=True)]
    warm.assign(batch, RunSummary())
    for name in ("Vladimir Poutine", "Volodymyr Zelensky", "Donald Trump", "Kremlin"):
        assert warm.rarity.weight(name, DAY.date()) < 0.05, name
    assert batch[0].story_id != batch[1].story_id
    # With the shipped policy (its list of common names), the same even on an empty index.
    fresh = [strike.model_copy(deep=True), talks.model_copy(deep=True)]
    StoryClusterer(es, replace(settings, index_prefix=f"{settings.index_prefix}-none")).assign(
        fresh, RunSummary()
    )
    assert fresh[0].story_id != fresh[1].story_id
