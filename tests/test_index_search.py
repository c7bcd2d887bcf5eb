"""Indexing the five seed articles and their events, then searching them as analysts do.

The records are built by hand from the seed texts (sample_corpus/texts, identical to the
project's seeds) with the figures the texts state: 001 -> 34 + 36 = 70 drones intercepted on
2024-11-10; 002 -> 337 intercepted on 2025-03-11. `seed_articles`/`seed_events` are reused by
the other index tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from elasticsearch import Elasticsearch

from vigie.core.accounting import RunSummary
from vigie.core.models import (
    Alert,
    Article,
    EntityMention,
    EntityRef,
    Event,
    GeoPoint,
    Place,
    Quantity,
    stable_id,
)
from vigie.core.settings import REPO_ROOT, Settings
from vigie.store.indexer import Indexer, already_indexed

TEXTS = REPO_ROOT / "sample_corpus" / "texts"
MOSCOU = GeoPoint(lat=55.7558, lon=37.6173)
KYIV = GeoPoint(lat=50.4501, lon=30.5234)

SEEDS: dict[str, dict[str, object]] = {
    "000": {
        "file": "000_476115e5f1166d9a.txt",
        "published": "2025-03-11T15:30:00+01:00",
        "source": "Le Veilleur International",
        "persons": ["Donald Trump", "Volodymyr Zelensky", "Sergueï Lavrov"],
        "places": ["Moscou", "Ukraine", "Russie", "Arabie saoudite"],
        "weapons": ["drone"],
    },
    "001": {
        "file": "001_d014bb2451082162.txt",
        "published": "2024-11-10T18:30:00+01:00",
        "source": "Le Veilleur International",
        "persons": [
            "Vladimir Poutine",
            "Donald Trump",
            "Dmitri Peskov",
            "Olaf Scholz",
            "Andreï Vorobiov",
            "Josep Borrell",
        ],
        "places": ["Moscou", "Ukraine", "Russie"],
        "weapons": ["drone"],
    },
    "002": {
        "file": "002_931f09f1fa76af3a.txt",
        "published": "2025-03-11T10:05:00+01:00",
        "source": "Le Direct",
        "persons": [
            "Andreï Vorobiov",
            "Vladimir Poutine",
            "Marco Rubio",
            "Volodymyr Zelensky",
            "Emmanuel Macron",
        ],
        "places": ["Moscou", "Leninski", "Domodedovo", "Arabie saoudite"],
        "weapons": ["drone"],
    },
    "003": {
        "file": "003_49f69a7d4a642e90.txt",
        "published": "2025-07-15T09:00:00+02:00",
        "source": "Le Veilleur International",
        "persons": ["Donald Trump", "Volodymyr Zelensky", "Vladimir Poutine"],
        "places": ["Moscou", "Saint-Pétersbourg", "Rome"],
        "weapons": ["Tomahawk", "ATACMS", "drone"],
    },
    "004": {
        "file": "004_9c63251bd914a9ad.txt",
        "published": "2025-09-18T12:00:00+02:00",
        "source": "Le Veilleur International",
        "persons": ["Donald Trump", "Vladimir Poutine", "Benjamin Netanyahu"],
        "places": ["Alaska", "Donetsk", "Luhansk", "Gaza"],
        "weapons": ["drone", "missile"],
    },
}


def seed_url(doc: str) -> str:
    return f"https://veilleur.example/articles/{doc}.html"


def seed_articles() -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for doc, seed in SEEDS.items():
        text = (TEXTS / str(seed["file"])).read_text(encoding="utf-8")
        title = text.splitlines()[0].strip()
        url = seed_url(doc)
        persons = list(seed["persons"])  # type: ignore[call-overload]
        places = list(seed["places"])  # type: ignore[call-overload]
        entities = [EntityMention(id=p.lower(), name=p, type="PER", surface=p) for p in persons] + [
            EntityMention(
                id=p.lower(), name=p, type="LOC", surface=p, location=MOSCOU if p == "Moscou" else None
            )
            for p in places
        ]
        articles[doc] = Article(
            id=stable_id(url),
            url=url,
            original_url=url + "?utm_source=rss",
            feed="veilleur-international",
            source=str(seed["source"]),
            sources=[str(seed["source"])],
            title=title,
            text=text,
            published=datetime.fromisoformat(str(seed["published"])),
            fetched_at=datetime(2025, 9, 20, 8, 0, tzinfo=UTC),
            word_count=len(text.split()),
            language="fr",
            language_prob=0.99,
            content_hash=stable_id(text),
            minhash=[(hash(doc) + i) % (2**31) for i in range(4)],
            entities=entities,
            persons=persons,
            places=places,
            weapons=list(seed["weapons"]),  # type: ignore[call-overload]
            enriched=True,
        )
    return articles


def _event(
    article: Article,
    sub: str,
    sentence: str,
    event_type: str = "Explosions/Remote violence",
    **fields: object,
) -> Event:
    start = article.text.index(sentence)
    return Event(
        id=stable_id(article.id, sub, str(start)),
        article_id=article.id,
        article_title=article.title,
        article_url=article.url,
        source=article.source,
        published=article.published,
        language="fr",
        event_type=event_type,
        sub_event_type=sub,
        trigger=str(fields.pop("trigger", "attaque")),
        sentence=sentence,
        sentence_start=start,
        sentence_end=start + len(sentence),
        **fields,  # type: ignore[arg-type]
    )


def seed_events(articles: dict[str, Article]) -> list[Event]:
    moscou = Place(id="moscou", name="Moscou", country="RU", location=MOSCOU)
    a = articles
    return [
        _event(
            a["000"], "Air/drone strike", "avec plus de 390 drones ciblant la capitale russe",
            actor=EntityRef(id="ukraine", name="Ukraine", type="LOC"), target=EntityRef(id="moscou", name="Moscou", type="LOC"),
            weapons=["drone"], launched=Quantity(value=390, qualifier="at_least", text="plus de 390"),
            places=[moscou], location=MOSCOU, event_date=date(2025, 3, 11), trigger="attaque",
        ),
        _event(
            a["001"], "Air/drone strike", "neutralisé un nombre record de 34 drones au-dessus de Moscou",
            weapons=["drone"], intercepted=Quantity(value=34, text="34"), places=[moscou], location=MOSCOU,
            event_date=date(2024, 11, 10), trigger="neutralisé",
        ),
        _event(
            a["001"], "Air/drone strike", "36 autres ont été abattus dans des régions avoisinantes",
            weapons=["drone"], intercepted=Quantity(value=36, text="36 autres"), event_date=date(2024, 11, 10),
            trigger="abattus", injured=Quantity(value=1, text="une résidente"),
        ),
        _event(
            a["002"], "Air/drone strike", "La Russie a abattu 337 drones, dont 91 uniquement dans la région de Moscou",
            weapons=["drone"], intercepted=Quantity(value=337, text="337"), places=[moscou], location=MOSCOU,
            event_date=date(2025, 3, 11), trigger="abattu", killed=Quantity(value=1, text="un mort"),
            injured=Quantity(value=3, text="trois blessés"),
        ),
        _event(
            a["002"], "Attack", "Les frappes ont fait deux morts et des dizaines de blessés.",
            event_type="Violence against civilians", killed=Quantity(value=2, text="deux morts"),
            injured=Quantity(value=20, qualifier="at_least", text="des dizaines"), event_date=date(2025, 3, 11),
            trigger="frappes", location=MOSCOU,
        ),
        _event(
            a["003"], "Threaten", "Moscou se réserve le droit de lancer une première frappe nucléaire",
            event_type="Interaction", interaction="THREATEN", actor=EntityRef(id="russie", name="Russie", type="LOC"),
            target=EntityRef(id="otan", name="OTAN", type="ORG"), event_date=date(2025, 7, 15), trigger="menace",
        ),
        _event(
            a["004"], "Shelling/artillery/missile attack",
            "Ceci se traduit par une intensification des frappes sur l’infrastructure énergétique ukrainienne",
            weapons=["drone", "missile"], places=[Place(id="kyiv", name="Kiev", country="UA", location=KYIV)],
            location=KYIV, event_date=date(2025, 9, 18), trigger="frappes",
        ),
    ]  # fmt: skip


def syndicated_copy(original: Article, outlet: str = "Le Relais de l’Info") -> Article:
    url = "https://relais.example/articles/syndicated-copy-000.html"
    return original.model_copy(
        update={
            "id": stable_id(url),
            "url": url,
            "original_url": url,
            "feed": "relais-info",
            "source": outlet,
            "sources": [outlet],
            "duplicate_of": original.id,
            "duplicate_kind": "near",
        }
    )


def index_seeds(es: Elasticsearch, settings: Settings) -> tuple[dict[str, Article], list[Event]]:
    articles = seed_articles()
    events = seed_events(articles)
    indexer = Indexer(es, settings)
    summary = RunSummary()
    assert indexer.index_articles(articles.values(), summary).created == 5
    assert indexer.index_events(events, summary).created == len(events)
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    return articles, events


def versions(es: Elasticsearch, alias: str) -> dict[str, int]:
    hits = es.search(index=alias, query={"match_all": {}}, size=100, version=True)["hits"]["hits"]
    return {h["_id"]: h["_version"] for h in hits}


def ids_of(es: Elasticsearch, index: str, query: dict[str, object]) -> set[str]:
    return {h["_id"] for h in es.search(index=index, query=query, size=100)["hits"]["hits"]}


# --- placement and idempotency -------------------------------------------------------------


def test_articles_land_in_the_month_of_their_publication_behind_the_alias(
    es: Elasticsearch, settings: Settings
) -> None:
    articles, _ = index_seeds(es, settings)
    alias = settings.index("articles")
    hits = es.search(index=alias, query={"match_all": {}}, size=10)["hits"]["hits"]
    placed = {h["_id"]: h["_index"] for h in hits}
    assert placed == {
        articles["000"].id: f"{alias}-2025.03",
        articles["001"].id: f"{alias}-2024.11",
        articles["002"].id: f"{alias}-2025.03",
        articles["003"].id: f"{alias}-2025.07",
        articles["004"].id: f"{alias}-2025.09",
    }
    # Dates are stored in UTC, whatever offset the feed gave.
    stored = es.get(index=f"{alias}-2024.11", id=articles["001"].id)["_source"]
    assert stored["published"] == "2024-11-10T17:30:00Z"
    assert stored["minhash"] == articles["001"].minhash


def test_reindexing_the_same_batch_changes_no_document(es: Elasticsearch, settings: Settings) -> None:
    articles, events = index_seeds(es, settings)
    before_articles = versions(es, settings.index("articles"))
    before_events = versions(es, settings.index("events"))
    assert set(before_articles.values()) == {1} and len(before_articles) == 5

    summary = RunSummary()
    indexer = Indexer(es, settings)
    again = indexer.index_articles(articles.values(), summary)
    again_events = indexer.index_events(events, summary)
    es.indices.refresh(index=f"{settings.index_prefix}-*")

    assert (again.created, again.unchanged) == (0, 5)
    assert (again_events.created, again_events.unchanged) == (0, len(events))
    assert summary.stages["index.articles"].reasons == {"skipped:already-present": 5}
    assert versions(es, settings.index("articles")) == before_articles
    assert versions(es, settings.index("events")) == before_events


def test_alert_upserts_are_noops_when_nothing_changed(es: Elasticsearch, settings: Settings) -> None:
    window = datetime(2025, 7, 15, 0, 0, tzinfo=UTC)
    alert = Alert(
        id=stable_id("nuclear-strike", "story-1", window.isoformat()),
        rule="nuclear-strike",
        severity="critical",
        article_id="a1",
        title="Menace de frappe nucléaire",
        url=seed_url("003"),
        matched_text="une première <mark>frappe nucléaire</mark>",
        triggered_at=window,
        window_start=window,
    )
    indexer = Indexer(es, settings)
    assert indexer.index_alerts([alert], RunSummary(), update_existing=True).created == 1
    assert indexer.index_alerts([alert], RunSummary(), update_existing=True).unchanged == 1
    sent = alert.model_copy(update={"status": "sent"})
    assert indexer.index_alerts([sent], RunSummary(), update_existing=True).updated == 1
    stored = es.get(index=f"{settings.index('alerts')}-2025.07", id=alert.id)
    assert (stored["_version"], stored["_source"]["status"]) == (2, "sent")


# --- syndicated copies -----------------------------------------------------------------------


def test_a_syndicated_copy_updates_its_original_instead_of_adding_a_document(
    es: Elasticsearch, settings: Settings
) -> None:
    articles = seed_articles()
    copy = syndicated_copy(articles["000"])
    indexer = Indexer(es, settings)
    summary = RunSummary()
    # The original and its copy arrive in the same batch: the fold must still find it.
    report = indexer.index_articles([*articles.values(), copy], summary)
    assert (report.created, report.folded) == (5, 1)
    alias = settings.index("articles")
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 5
    original = es.get(index=f"{alias}-2025.03", id=articles["000"].id)
    assert original["_source"]["sources"] == ["Le Veilleur International", "Le Relais de l’Info"]
    assert original["_source"]["duplicate_urls"] == [copy.url]
    assert original["_version"] == 2

    # Folding the same copy again is a no-op: no new version.
    again = indexer.index_articles([copy], summary)
    assert (again.folded, again.unchanged) == (0, 1)
    assert es.get(index=f"{alias}-2025.03", id=articles["000"].id)["_version"] == 2
    assert summary.stages["index.articles"].reasons["skipped:already-folded"] == 1

    # The pipeline's "seen" check: one query answers for ids, URLs and folded copies' URLs.
    unknown = "https://elsewhere.example/new.html"
    seen = already_indexed(
        es, settings, [(copy.id, copy.url), (articles["001"].id, articles["001"].url), unknown]
    )
    assert seen == {copy.url, articles["001"].id, articles["001"].url}


def test_a_second_outlet_folded_concurrently_is_merged_not_lost(
    es: Elasticsearch, settings: Settings
) -> None:
    articles = seed_articles()
    indexer = Indexer(es, settings)
    indexer.index_articles([articles["000"]], RunSummary())
    stale = indexer._find_originals([articles["000"].id])[articles["000"].id]
    first = syndicated_copy(articles["000"])
    indexer.index_articles([first], RunSummary())  # moves the sequence number on
    second = syndicated_copy(articles["000"], outlet="La Gazette").model_copy(
        update={"url": "https://gazette.example/a.html", "id": stable_id("https://gazette.example/a.html")}
    )
    outcome, _ = indexer._fold_one(stale, second)  # writes with the stale seq_no: 409, re-read, merge
    assert outcome == "folded"
    stored = es.get(index=f"{settings.index('articles')}-2025.03", id=articles["000"].id)["_source"]
    assert stored["sources"] == ["Le Veilleur International", "Le Relais de l’Info", "La Gazette"]
    assert stored["duplicate_urls"] == [first.url, second.url]


def test_a_copy_whose_original_is_unknown_is_kept_as_an_article(
    es: Elasticsearch, settings: Settings
) -> None:
    articles = seed_articles()
    copy = syndicated_copy(articles["000"])
    summary = RunSummary()
    report = Indexer(es, settings).index_articles([copy], summary)
    assert (report.created, report.folded) == (1, 0)
    assert summary.metrics["index.articles.original_missing"] == 1
    es.indices.refresh(index=settings.index("articles"))
    assert already_indexed(es, settings, [copy.id]) == {copy.id}


# --- searches and aggregations analysts run ------------------------------------------------


def test_phrase_entity_subtype_and_date_searches(es: Elasticsearch, settings: Settings) -> None:
    articles, events = index_seeds(es, settings)
    arts, evts = settings.index("articles"), settings.index("events")
    ids = {doc: a.id for doc, a in articles.items()}

    assert ids_of(es, arts, {"match_phrase": {"text": "frappe nucléaire"}}) == {ids["003"]}
    assert ids_of(es, arts, {"term": {"persons": "Andreï Vorobiov"}}) == {ids["001"], ids["002"]}
    assert ids_of(es, arts, {"term": {"places": "Domodedovo"}}) == {ids["002"]}
    assert ids_of(es, arts, {"term": {"entities.name": "Josep Borrell"}}) == {ids["001"]}
    # Names are searchable as words too (the .text multi-field).
    assert ids_of(es, arts, {"match": {"persons.text": "vorobiov"}}) == {ids["001"], ids["002"]}
    assert ids_of(es, arts, {"range": {"published": {"gte": "2025-03-01", "lt": "2025-04-01"}}}) == {
        ids["000"],
        ids["002"],
    }

    drone_strikes = {e.id for e in events if e.sub_event_type == "Air/drone strike"}
    assert len(drone_strikes) == 4
    assert ids_of(es, evts, {"term": {"sub_event_type": "Air/drone strike"}}) == drone_strikes
    near_moscow = ids_of(
        es, evts, {"geo_distance": {"distance": "50km", "location": {"lat": 55.75, "lon": 37.6}}}
    )
    assert near_moscow == {e.id for e in events if e.location == MOSCOU}


def test_drones_intercepted_per_day(es: Elasticsearch, settings: Settings) -> None:
    index_seeds(es, settings)
    response = es.search(
        index=settings.index("events"),
        size=0,
        aggs={
            "per_day": {
                "date_histogram": {"field": "event_date", "calendar_interval": "day", "min_doc_count": 1},
                "aggs": {"intercepted": {"sum": {"field": "intercepted.value"}}},
            }
        },
    )
    per_day = {
        b["key_as_string"][:10]: b["intercepted"]["value"]
        for b in response["aggregations"]["per_day"]["buckets"]
    }
    assert per_day["2024-11-10"] == 70
    assert per_day["2025-03-11"] == 337
    assert sum(per_day.values()) == 407
