"""Story clustering: 000, 002 and the same-story article from another outlet (the drone attack
on Moscow, 11 March 2025) share a story; 001 (November 2024), 003 and 004 do not. Stories join
their anchor only (no chaining), name weights come from the recent index, and the outcome does
not depend on the batch order."""

from __future__ import annotations

import importlib.util
import itertools
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from enrich.kb import DataFileError, default_kb
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Event, Place
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer
from vigie.store.es import index_for, to_document
from vigie.stories.assign import StoryClusterer, _Profile, assign_stories, broad_places
from vigie.stories.policy import POLICY_PATH, load_policy

MANIFEST = {
    d["doc"]: d for d in json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text("utf-8"))
}
FIXTURES = json.loads((REPO_ROOT / "tests" / "fixtures" / "fixtures.json").read_text("utf-8"))["pages"]
DRONE = "Air/drone strike"

# Canonical entities as the enricher names them (enrich/data/kb.yaml), filled by hand from the texts.
HAND: dict[str, dict[str, list[str]]] = {
    "000": {
        "places": ["Moscou", "Ukraine", "Russie", "États-Unis", "Arabie saoudite", "Chine", "Iran", "Europe"],
        "persons": ["Donald Trump", "Volodymyr Zelensky", "Sergueï Lavrov"],
        "organisations": ["CIA", "Kremlin"],
        "weapons": [],
        "event_types": [DRONE],
    },
    "001": {
        "places": ["Moscou", "Russie", "Ukraine", "Oblast de Moscou", "Europe"],
        "persons": ["Vladimir Poutine", "Donald Trump", "Dmitri Peskov", "Andreï Vorobiov", "Josep Borrell"],
        "organisations": ["Kremlin", "Union européenne"],
        "weapons": [],
        "event_types": [DRONE],
    },
    "002": {
        "places": [
            "Moscou",
            "Oblast de Moscou",
            "Ukraine",
            "Russie",
            "Arabie saoudite",
            "Domodedovo",
            "France",
        ],
        "persons": [
            "Andreï Vorobiov",
            "Vladimir Poutine",
            "Marco Rubio",
            "Volodymyr Zelensky",
            "Emmanuel Macron",
        ],
        "organisations": ["BBC", "OTAN", "Kremlin"],
        "weapons": [],
        "event_types": [DRONE],
    },
    "003": {
        "places": ["Moscou", "Saint-Pétersbourg", "Russie", "Ukraine", "États-Unis"],
        "persons": ["Donald Trump", "Volodymyr Zelensky", "Vladimir Poutine"],
        "organisations": ["OTAN", "Kremlin"],
        "weapons": ["Tomahawk", "ATACMS"],
        "event_types": ["Threaten"],
    },
    "004": {
        "places": ["Russie", "Ukraine", "Alaska", "Gaza", "Donetsk", "Louhansk"],
        "persons": ["Vladimir Poutine", "Donald Trump", "Benjamin Netanyahou"],
        "organisations": ["OTAN", "Kremlin"],
        "weapons": [],
        "event_types": [DRONE],
    },
    "same-story": {
        "places": ["Moscou", "Vidnoïe", "Domodedovo", "Djeddah", "Arabie saoudite"],
        "persons": [],
        "organisations": ["Kremlin"],
        "weapons": [],
        "event_types": [DRONE],
    },
    # Same day, same war, different event: a strike on Kharkiv, and the talks in Jeddah.
    "kharkiv": {
        "places": ["Kharkiv", "Ukraine", "Russie"],
        "persons": ["Volodymyr Zelensky"],
        "organisations": [],
        "weapons": ["Shahed"],
        "event_types": [DRONE],
    },
    "talks": {
        "places": ["Arabie saoudite", "Djeddah", "États-Unis", "Ukraine"],
        "persons": ["Marco Rubio", "Volodymyr Zelensky"],
        "organisations": [],
        "weapons": [],
        "event_types": ["Consult"],
    },
}
HAND["talks-2"] = {
    "places": ["Djeddah", "Arabie saoudite", "États-Unis", "Ukraine"],
    "persons": ["Marco Rubio", "Volodymyr Zelensky", "Andriï Iermak", "Mike Waltz"],
    "organisations": [],
    "weapons": [],
    "event_types": ["CONSULT"],
}
HAND["talks"]["persons"] += ["Andriï Iermak", "Mike Waltz"]
PUBLISHED = {
    **{
        doc: datetime.fromisoformat(MANIFEST[doc]["published"]) for doc in ("000", "001", "002", "003", "004")
    },
    "same-story": datetime.fromisoformat(FIXTURES["same-story-other-outlet.html"]["published"]),
    "kharkiv": datetime.fromisoformat("2025-03-11T10:00:00+01:00"),
    "talks": datetime.fromisoformat("2025-03-11T16:00:00+01:00"),
    "talks-2": datetime.fromisoformat("2025-03-11T21:00:00+01:00"),
}
# Incidents as the enricher reports them: (event type, sub-type, place ids).
EVENTS: dict[str, list[tuple[str, str, list[str]]]] = {
    "000": [("Explosions/Remote violence", DRONE, ["moscou"])],
    "001": [("Explosions/Remote violence", DRONE, ["moscou"])],
    "002": [("Explosions/Remote violence", DRONE, ["oblast-de-moscou", "moscou"])],
    "003": [],
    "004": [("Battles", "Armed clash", ["ukraine"])],  # a country: never a story's place
    "same-story": [("Explosions/Remote violence", DRONE, ["moscou"])],
    "kharkiv": [("Explosions/Remote violence", DRONE, ["kharkiv"])],
    "talks": [("Interaction", "CONSULT", ["djeddah"])],  # a negotiation round at a venue
    "talks-2": [("Interaction", "CONSULT", ["djeddah"])],
}


def hand_article(key: str) -> Article:
    return Article(
        id=f"id-{key}",
        url=f"https://example.org/{key}",
        original_url=f"https://example.org/{key}",
        feed="test",
        source="test",
        title=key,
        text=key,
        published=PUBLISHED[key],
        **HAND[key],
    )


def hand_events(key: str) -> list[Event]:
    return [
        Event(
            id=f"ev-{key}-{n}",
            article_id=f"id-{key}",
            article_title=key,
            article_url=f"https://example.org/{key}",
            source="test",
            published=PUBLISHED[key],
            event_type=event_type,
            sub_event_type=sub_type,
            trigger="frappe",
            sentence="...",
            sentence_start=n,
            sentence_end=n + 1,
            places=[Place(id=place, name=place) for place in places],
        )
        for n, (event_type, sub_type, places) in enumerate(EVENTS[key])
    ]


def _store(
    es: Elasticsearch, settings: Settings, articles: Sequence[Article], events: Sequence[Event] = ()
) -> None:
    story = {a.id: a.story_id for a in articles}
    records: list[Article | Event] = [*articles]
    records += [e.model_copy(update={"story_id": story[e.article_id]}) for e in events]
    for record in records:
        es.index(index=index_for(settings, record), id=record.id, document=to_document(record))
    es.indices.refresh(index=[settings.index("articles"), settings.index("events")])


def test_the_knowledge_base_marks_country_level_places_broad() -> None:
    broad = broad_places()
    assert {"ukraine", "russie", "états-unis", "europe", "drone"} <= broad
    assert not {"moscou", "domodedovo", "kharkiv", "djeddah", "oblast de moscou"} & broad


def test_stories_in_one_batch(es: Elasticsearch, settings: Settings) -> None:
    batch = [hand_article(k) for k in HAND]
    summary = RunSummary()
    assign_stories(es, settings, batch, summary, [e for k in HAND for e in hand_events(k)])
    story = {a.title: a.story_id for a in batch}
    # 002 is the earliest (08:08) of the three on the attack: its id is the story id.
    assert story["000"] == story["002"] == story["same-story"] == "id-002"
    assert story["talks"] == story["talks-2"] == "id-talks"  # one negotiation round, one venue
    for other in ("001", "003", "004", "kharkiv"):
        assert story[other] == f"id-{other}", other
    anchors = {a.title for a in batch if a.story_anchor}
    assert anchors == {"002", "talks", "001", "003", "004", "kharkiv"}
    assert summary.get("story") == len(batch)
    assert summary.stages["story"].reasons == {"accepted:joined_story": 3, "accepted:new_story": 6}
    assert summary.metrics["story:joined_by_lead"] == 3


def test_without_events_the_names_rule_alone_is_cautious(es: Elasticsearch, settings: Settings) -> None:
    batch = [hand_article(k) for k in ("000", "002", "same-story", "kharkiv")]
    assign_stories(es, settings, batch, RunSummary())
    # They share only countries, a capital, Zelensky, the Kremlin and Domodedovo.
    assert len({a.story_id for a in batch}) == 4


def test_the_outcome_does_not_depend_on_the_batch_order(es: Elasticsearch, settings: Settings) -> None:
    keys = ["000", "002", "same-story", "kharkiv"]
    events = [e for k in keys for e in hand_events(k)]
    outcomes = set()
    for order in itertools.permutations(keys):
        batch = [hand_article(k) for k in order]
        assign_stories(es, settings, batch, RunSummary(), events)
        outcomes.add(tuple(sorted((a.id, a.story_id) for a in batch)))
    assert len(outcomes) == 1


def test_a_later_run_joins_the_stored_story(es: Elasticsearch, settings: Settings) -> None:
    first = [hand_article("002"), hand_article("000"), hand_article("001"), hand_article("talks")]
    first_events = [e for k in ("002", "000", "001", "talks") for e in hand_events(k)]
    assign_stories(es, settings, first, RunSummary(), first_events)
    _store(es, settings, first, first_events)

    later = [hand_article("same-story"), hand_article("kharkiv"), hand_article("talks-2")]
    searches = []
    original = es.msearch

    def counting(**kwargs):  # type: ignore[no-untyped-def]
        searches.append(len(kwargs["searches"]) // 2)
        return original(**kwargs)

    es.msearch = counting  # type: ignore[method-assign]
    assign_stories(
        es,
        settings,
        later,
        RunSummary(),
        [e for k in ("same-story", "kharkiv", "talks-2") for e in hand_events(k)],
    )
    story = {a.title: a.story_id for a in later}
    assert story == {"same-story": "id-002", "kharkiv": "id-kharkiv", "talks-2": "id-talks"}
    # One msearch for the batch: a lead and a names search per article, one count for its day.
    assert searches == [7]


def _profile_of(key: str, clusterer: StoryClusterer) -> _Profile:
    return clusterer.profile(hand_article(key), hand_events(key))


def test_the_time_window_is_what_separates_001(es: Elasticsearch, settings: Settings) -> None:
    clusterer = StoryClusterer(es, settings)
    old, new = _profile_of("001", clusterer), _profile_of("000", clusterer)
    assert old.lead == new.lead and clusterer.same_story(new, old) is None
    new.published = old.published + timedelta(hours=12)
    assert clusterer.same_story(new, old) == "lead"


def test_no_chaining_a_new_article_must_match_the_anchor(es: Elasticsearch, settings: Settings) -> None:
    """A~B and B~C but not A~C: C does not join A's story through B, by either rule."""
    clusterer = StoryClusterer(es, settings)
    day = datetime.fromisoformat("2025-04-02T08:00:00+02:00")
    # The lead rule: B's strike is reported at Kharkiv and in its oblast, A's at Kharkiv, C's in
    # the oblast only.
    places = {"a": ["kharkiv"], "b": ["kharkiv", "oblast-de-kharkiv"], "c": ["oblast-de-kharkiv"]}
    # The names rule (no incident): A and B share three rare names, B and C three others.
    names = {
        "a": ["Ihor Klymenko", "Sviatoslav Vakartchouk", "Marta Hrytsenko"],
        "b": ["Ihor Klymenko", "Sviatoslav Vakartchouk", "Marta Hrytsenko", "Iryna Vereshtchouk",
              "Olena Kondratiouk", "Bohdan Levtchenko"],
        "c": ["Iryna Vereshtchouk", "Olena Kondratiouk", "Bohdan Levtchenko"],
    }  # fmt: skip
    for rule, located in (("lead", True), ("names", False)):
        batch, events = [], []
        for hour, key in enumerate("abc"):
            article = Article(
                id=f"{rule}-{key}", url=f"https://e.org/{rule}/{key}", original_url=f"https://e.org/{rule}/{key}",
                feed="t", source=f"outlet-{key}", title=key, text=key,
                published=day + timedelta(hours=hour), persons=names[key],
            )  # fmt: skip
            batch.append(article)
            if located:
                events.append(
                    Event(
                        id=f"ev-{rule}-{key}",
                        article_id=article.id,
                        article_title=key,
                        article_url=article.url,
                        source=article.source,
                        published=article.published,
                        event_type="Explosions/Remote violence",
                        sub_event_type=DRONE,
                        trigger="frappe",
                        sentence="...",
                        sentence_start=0,
                        sentence_end=1,
                        places=[Place(id=p, name=p) for p in places[key]],
                    )  # fmt: skip
                )
        profiles = {a.title: clusterer.profile(a, [e for e in events if e.article_id == a.id]) for a in batch}
        assert clusterer.same_story(profiles["b"], profiles["a"]) == rule
        assert clusterer.same_story(profiles["c"], profiles["b"]) == rule
        assert clusterer.same_story(profiles["c"], profiles["a"]) is None
        assign_stories(es, settings, batch, RunSummary(), events)
        story = {a.title: a.story_id for a in batch}
        assert story == {"a": f"{rule}-a", "b": f"{rule}-a", "c": f"{rule}-c"}, rule
        assert [a.title for a in batch if a.story_anchor] == ["a", "c"]


ENRICHER_READY = importlib.util.find_spec("enrich.pipeline") is not None


@pytest.mark.xfail(
    not ENRICHER_READY, reason="enrich.pipeline.Enricher is being written in parallel", strict=False
)
def test_stories_with_the_real_enricher(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer
) -> None:
    """The fixture pages through fetch, extract and the real enrichment, then clustering."""
    from enrich.pipeline import Enricher
    from ingest.article import build_article
    from ingest.extract import decode_html, extract_article
    from ingest.feeds import Feed
    from ingest.fetch import Fetcher, FetchPolicy
    from ingest.parse import FeedItem

    feed = Feed(name="t", title="t", url=feed_server.url("/f.xml"), language="fr", country="FR",
                poll_interval_minutes=5, category="international")  # fmt: skip
    pages = {doc: MANIFEST[doc]["page"] for doc in ("000", "001", "002", "003", "004")}
    pages["same-story"] = FIXTURES["same-story-other-outlet.html"]["page"]
    articles = {}
    with Fetcher(settings, FetchPolicy(host_delay=0.0)) as fetcher:
        for key, path in pages.items():
            fetched = fetcher.fetch(feed_server.url(path))
            assert fetched.content is not None
            extracted = extract_article(decode_html(fetched.content, fetched.content_type), fetched.url)
            assert extracted is not None
            item = FeedItem(
                guid=key, title=extracted.title or key, link=fetched.url, published=extracted.published
            )
            articles[key] = build_article(item, feed, fetched, extracted)
            articles[key].language = "fr"
    summary = RunSummary()
    events = Enricher(settings).enrich(list(articles.values()), summary)
    for key, article in articles.items():
        print(key, article.places, article.persons, article.weapons, article.event_types)
    assign_stories(es, settings, list(articles.values()), summary, events)
    story = {key: a.story_id for key, a in articles.items()}
    assert story["000"] == story["002"] == story["same-story"]
    assert len({story["000"], story["001"], story["003"], story["004"]}) == 4


def test_the_shipped_policy_loads_and_names_known_entities(tmp_path: Path) -> None:
    policy = load_policy()
    assert (
        policy.kind("Air/drone strike")
        == policy.kind("Shelling/artillery/missile attack")
        == "remote_violence"
    )
    assert policy.kind("Peaceful protest") == "Peaceful protest"  # a sub-type no class lists
    assert policy.can_lead("Battles", "Armed clash") and policy.can_lead("Interaction", "CONSULT")
    assert not policy.can_lead("Interaction", "THREATEN")
    assert policy.weapons_compatible(["drone", "missile"], ["drone"]) and policy.weapons_compatible(
        [], ["bomb"]
    )
    assert not policy.weapons_compatible(["drone"], ["missile"])
    assert policy.entities.common <= set(default_kb().entries)

    data = yaml.safe_load(POLICY_PATH.read_text("utf-8"))
    broken = tmp_path / "policy.yaml"
    for change, message in (
        (lambda d: d["incident_classes"]["battle"].append("Air/drone strike"), "is in"),
        (lambda d: d["lead_interaction_classes"].append("threats"), "no incident class"),
        (lambda d: d["entities"].update(rare_frequency=0.5), "rare_frequency"),
        (lambda d: d.update(figures="average"), "average"),
    ):
        copy = json.loads(json.dumps(data))
        change(copy)
        broken.write_text(yaml.safe_dump(copy, allow_unicode=True), "utf-8")
        with pytest.raises(DataFileError, match=message):
            load_policy(broken)
