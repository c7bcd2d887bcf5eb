"""The shipped rules on the five fixture documents, three ways:

* hand-built enrichment (entities/events written here from the texts): runs today;
* the real `enrich.pipeline.Enricher` (xfail until that package exists);
* the Kibana export: the generated `.es-query` queries, run on the real node over the indexed
  fixture articles and events, return the same articles as the built-in evaluation.

Expected: `frappe_nucleaire` fires on 003 only; `attaque_massive_drones` on 000 (390 drones)
and 002 (337), not 001 (34 + 36); 000 and 002 (same event, same story) make ONE alert.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk

from vigie.alerting.dryrun import article_from_text, dry_run, dry_run_result, enrich_articles, render
from vigie.alerting.engine import AlertEngine
from vigie.alerting.kibana_export import export_kibana_rules, export_report, kibana_rule_id, rule_query
from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import RuleSet, load_rules, parse_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, EntityMention, Event, Quantity, stable_id
from vigie.core.settings import REPO_ROOT, Settings
from vigie.store.es import index_for, to_document

CORPUS = REPO_ROOT / "sample_corpus"
MANIFEST = {doc["doc"]: doc for doc in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))}
RULES_FILE = REPO_ROOT / "alerts" / "rules.yaml"
STORY_MOSCOW_DRONES = "story-moscou-drones-2025-03-11"

try:
    from enrich.pipeline import Enricher  # noqa: F401

    HAVE_ENRICHER = True
except ImportError:
    HAVE_ENRICHER = False

needs_enricher = pytest.mark.xfail(
    not HAVE_ENRICHER,
    reason="enrich.pipeline.Enricher does not exist yet",
    strict=False,
    raises=(ImportError, AssertionError),
)


def text_file(doc: str) -> Path:
    return CORPUS / MANIFEST[doc]["text_file"]


def fixture_articles() -> list[Article]:
    articles = []
    for doc, entry in sorted(MANIFEST.items()):
        url = f"https://{entry['site_name'].lower().replace(' ', '-')}.example{entry['page']}"
        articles.append(
            Article(
                id=stable_id(url),
                url=url,
                original_url=url,
                feed=entry["feed"],
                source=entry["site_name"],
                sources=[entry["site_name"]],
                title=entry["title"],
                text=text_file(doc).read_text(encoding="utf-8"),
                published=datetime.fromisoformat(entry["published"]),
                language="fr",
                # 000 and 002 report the same night of drones on Moscow: one story.
                story_id=STORY_MOSCOW_DRONES if doc in ("000", "002") else f"story-{doc}",
                enriched=True,
            )
        )
    return articles


def _event(article: Article, sentence_prefix: str, **fields: Any) -> Event:
    start = article.text.index(sentence_prefix)
    end = min(
        i
        for i in (article.text.find(". ", start), article.text.find("\n", start), len(article.text))
        if i >= 0
    )
    end = end + 1 if article.text[end : end + 1] == "." else end
    sentence = article.text[start:end]
    values: dict[str, Any] = {
        "id": stable_id(article.id, fields.get("sub_event_type", "Air/drone strike"), str(start)),
        "article_id": article.id,
        "article_title": article.title,
        "article_url": article.url,
        "source": article.source,
        "story_id": article.story_id,
        "published": article.published,
        "language": article.language,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "sentence": sentence,
        "sentence_start": start,
        "sentence_end": end,
        "weapons": ["drone"],
    }
    values.update(fields)
    return Event(**values)


def hand_enriched() -> tuple[list[Article], list[Event]]:
    """The fixture articles with entities and events written by hand from the texts."""
    a000, a001, a002, a003, a004 = fixture_articles()
    events = [
        _event(
            a000,
            "Le 11 mars 2025, l’Ukraine a mené",
            trigger="attaque",
            launched=Quantity(value=390, qualifier="at_least", text="plus de 390 drones"),
        ),
        _event(
            a001,
            "Le ministère russe de la Défense a déclaré",
            trigger="neutralisé",
            intercepted=Quantity(value=34, text="34 drones"),
        ),
        _event(
            a001,
            "Le gouverneur de la région de Moscou",
            trigger="dommages",
            injured=Quantity(value=1, text="une résidente"),
        ),
        _event(
            a002,
            "La Russie a abattu 337 drones",
            trigger="abattu",
            intercepted=Quantity(value=337, text="337 drones"),
        ),
        _event(
            a002,
            "10:04 - Le bilan",
            trigger="frappes",
            killed=Quantity(value=2, text="deux morts"),
            injured=Quantity(value=20, qualifier="at_least", text="des dizaines de blessés"),
        ),
        _event(
            a003,
            "- Face à la multiplication",
            event_type="Interaction",
            sub_event_type="THREATEN",
            interaction="THREATEN",
            trigger="menace",
            weapons=["arme-nucleaire"],
        ),
        _event(a004, "Ceci se traduit par une intensification", trigger="frappes", weapons=[]),
    ]
    for article, ids in (
        (a000, ["moscou", "ukraine", "russie", "etats-unis", "sergueï-lavrov"]),
        (a001, ["moscou", "vladimir-poutine", "donald-trump"]),
        (a002, ["moscou", "ukraine", "russie", "vladimir-poutine", "otan"]),
        (a003, ["moscou", "otan", "vladimir-poutine", "volodymyr-zelensky"]),
        (a004, ["vladimir-poutine", "otan", "ukraine"]),
    ):
        article.entities = [EntityMention(id=i, name=i, type="LOC", surface=i) for i in ids]
        mine = [e for e in events if e.article_id == article.id]
        article.event_types = sorted({e.event_type for e in mine} | {e.sub_event_type for e in mine})
        article.event_count = len(mine)
    return [a000, a001, a002, a003, a004], events


def really_enriched(settings: Settings) -> tuple[list[Article], list[Event]]:
    """The fixture articles through the real Enricher (raises ImportError until it exists)."""
    from enrich.pipeline import Enricher  # noqa: F401  (xfail marker: ImportError)

    articles = [a.model_copy(update={"enriched": False}) for a in fixture_articles()]
    events, ran = enrich_articles(articles, settings)
    assert ran
    return articles, events


def fired(articles: list[Article], events: list[Event], rules: RuleSet) -> dict[str, set[str]]:
    """rule -> fixture docs ("000".."004") it fires on, by the built-in matcher."""
    doc_of = {a.id: doc for doc, a in zip(sorted(MANIFEST), fixture_articles(), strict=True)}
    result: dict[str, set[str]] = {rule.name: set() for rule in rules.rules}
    for article in articles:
        view = ArticleView(article, [e for e in events if e.article_id == article.id])
        for rule in rules.enabled():
            if match(rule.condition, view) is not None:
                result[rule.name].add(doc_of[article.id])
    return result


def check_expected_firing(articles: list[Article], events: list[Event]) -> None:
    result = fired(articles, events, load_rules(RULES_FILE))
    assert result["frappe_nucleaire"] == {"003"}
    assert result["attaque_massive_drones"] == {"000", "002"}


def check_one_alert_for_the_story(
    es: Elasticsearch, settings: Settings, articles: list[Article], events: list[Event]
) -> None:
    summary = RunSummary()
    AlertEngine(settings, es, load_rules(RULES_FILE)).evaluate(articles, events, summary)
    es.indices.refresh(index=settings.index("alerts"))
    hits = es.search(
        index=settings.index("alerts"), query={"term": {"rule": "attaque_massive_drones"}}, size=10
    )
    alerts = [Alert.model_validate(h["_source"]) for h in hits["hits"]["hits"]]
    by_doc = {a.id: doc for doc, a in zip(sorted(MANIFEST), articles, strict=True)}
    assert len(alerts) == 1, [sorted(by_doc[i] for i in a.article_ids) for a in alerts]
    alert = alerts[0]
    assert sorted(by_doc[i] for i in alert.article_ids) == ["000", "002"]
    # 002 was published first (08:08, live blog), 000 at 15:30: the window opens on 002.
    assert alert.article_id == articles[2].id and alert.window_start == articles[2].published
    assert alert.story_id == STORY_MOSCOW_DRONES
    assert alert.sources == ["Direct Monde", "Le Veilleur International"]
    nuclear = es.search(index=settings.index("alerts"), query={"term": {"rule": "frappe_nucleaire"}})["hits"][
        "hits"
    ]
    assert [h["_source"]["article_id"] for h in nuclear] == [articles[3].id]
    assert "<mark>frappe</mark> <mark>nucléaire</mark>" in nuclear[0]["_source"]["matched_text"]
    assert (
        "attaque_massive_drones" in articles[0].alert_rules
        and "attaque_massive_drones" not in articles[1].alert_rules
    )


# -- built-in evaluation ----------------------------------------------------------------------


def test_shipped_rules_on_hand_enriched_fixtures() -> None:
    articles, events = hand_enriched()
    result = fired(articles, events, load_rules(RULES_FILE))
    assert result == {
        "frappe_nucleaire": {"003"},
        "attaque_massive_drones": {"000", "002"},
        # 001: the drone attack injured "une résidente" (a civilian); 002's two dead are not
        # said to be civilians.
        "victimes_civiles": {"001"},
        # 000 "négociations de paix", 001 "accords pour instaurer la paix", 002 "discussions …
        # sur un accord de cessez-le-feu".
        "negociations_cessez_le_feu": {"000", "001", "002"},
    }


def test_one_drone_alert_for_000_and_002_hand_enriched(es: Elasticsearch, settings: Settings) -> None:
    articles, events = hand_enriched()
    check_one_alert_for_the_story(es, settings, articles, events)


@pytest.mark.slow
@needs_enricher
def test_shipped_rules_on_really_enriched_fixtures(settings: Settings) -> None:
    articles, events = really_enriched(settings)
    check_expected_firing(articles, events)


@pytest.mark.slow
@needs_enricher
def test_one_drone_alert_for_000_and_002_really_enriched(es: Elasticsearch, settings: Settings) -> None:
    articles, events = really_enriched(settings)
    check_one_alert_for_the_story(es, settings, articles, events)


# -- Kibana export ------------------------------------------------------------------------------


def kibana_hits(
    es: Elasticsearch, settings: Settings, articles: list[Article], events: list[Event]
) -> dict[str, set[str]]:
    """rule -> fixture docs returned by the exported `.es-query` on the real node."""
    records: list[Article | Event] = [*articles, *events]
    actions = [{"_index": index_for(settings, r), "_id": r.id, "_source": to_document(r)} for r in records]
    bulk(es, actions, refresh=True)
    doc_of = {a.id: doc for doc, a in zip(sorted(MANIFEST), articles, strict=True)}
    rules = load_rules(RULES_FILE)
    bodies = export_kibana_rules(rules, settings)
    result: dict[str, set[str]] = {}
    by_name = {rule.name: rule for rule in rules.enabled()}
    for body in bodies:
        rule = by_name[body["tags"][2].split(":", 1)[1]]
        params = body["params"]
        query = json.loads(params["esQuery"])["query"]
        hits = es.search(index=params["index"], query=query, size=100)["hits"]["hits"]
        result[rule.name] = {doc_of[h["_source"].get("article_id", h["_id"])] for h in hits}
    return result


def test_kibana_export_shape() -> None:
    rules = load_rules(RULES_FILE)
    settings = Settings()
    bodies = export_kibana_rules(rules, settings)
    assert len(bodies) == len(rules.enabled())
    by_name = {b["tags"][2].split(":", 1)[1]: b for b in bodies}
    nuclear = by_name["frappe_nucleaire"]
    assert nuclear["rule_type_id"] == ".es-query" and nuclear["consumer"] == "alerts"
    assert nuclear["schedule"] == {"interval": "5m"}
    params = nuclear["params"]
    assert params["index"] == [settings.index("articles")] and params["timeField"] == "published"
    assert (params["threshold"], params["thresholdComparator"]) == ([0], ">")
    assert (params["timeWindowSize"], params["timeWindowUnit"]) == (1, "d")  # the 24h throttle
    # A sentence condition: its lexicon's phrases as intervals, sites inside the span filtered out.
    text_rule = json.loads(params["esQuery"])["query"]["bool"]["should"][0]["bool"]["should"][1]["intervals"][
        "text"
    ]
    assert {"match": {"query": "frappe nucléaire", "max_gaps": 1, "ordered": True}} in text_rule["any_of"][
        "intervals"
    ]
    assert "not_overlapping" in text_rule["any_of"]["filter"]
    drones = by_name["attaque_massive_drones"]
    assert drones["params"]["index"] == [settings.index("events")]
    assert '"launched.value": {"gte": 100}' in drones["params"]["esQuery"]
    assert '"drone-shahed"' in drones["params"]["esQuery"]  # counted per weapon class
    target, _ = rule_query(rules.get("negociations_cessez_le_feu"))
    assert target == "events"  # its consultation/agreement branches read incidents
    assert kibana_rule_id(rules.get("frappe_nucleaire")) == kibana_rule_id(rules.get("frappe_nucleaire"))
    # What Query DSL cannot say is reported: the drone count read in a sentence is left out.
    report = {note.rule: note for note in export_report(rules)}
    assert all(note.exported for note in report.values())
    assert any("count" in text for text in report["attaque_massive_drones"].approximations)


def test_a_rule_query_dsl_cannot_express_is_not_exported_with_its_reason() -> None:
    rules = parse_rules(
        {
            "version": 1,
            "lexicons": {"raid": ["lancé"]},
            "rules": [
                {
                    "name": "counted",
                    "severity": "low",
                    "condition": {
                        "sentence": {"all": ["raid"], "count": {"weapon_class": "drone", "min": 100}}
                    },
                },
                {"name": "plain", "severity": "low", "condition": {"phrase": {"words": "drones"}}},
            ],
        }
    )
    bodies = export_kibana_rules(rules, Settings())
    assert [b["name"] for b in bodies] == ["Vigie: plain"]
    (counted, plain) = export_report(rules)
    assert not counted.exported and "count" in counted.reason and plain.exported


def check_export_agrees(kibana: dict[str, set[str]], builtin: dict[str, set[str]]) -> None:
    """The export's contract on the fixtures: the same articles for the nuclear and drone
    rules; for the others never an article the built-in evaluation does not fire on (what the
    export cannot say, it leaves out: see `export_report`), and the fixture expectations."""
    for name, docs in builtin.items():
        assert kibana[name] <= docs, name
    for name in ("frappe_nucleaire", "attaque_massive_drones", "victimes_civiles"):
        assert kibana[name] == builtin[name], name


def test_kibana_queries_return_the_same_articles_hand_enriched(es: Elasticsearch, settings: Settings) -> None:
    articles, events = hand_enriched()
    expected = fired(articles, events, load_rules(RULES_FILE))
    check_export_agrees(kibana_hits(es, settings, articles, events), expected)
    assert expected["frappe_nucleaire"] == {"003"} and expected["attaque_massive_drones"] == {"000", "002"}


@pytest.mark.slow
@needs_enricher
def test_kibana_queries_return_the_same_articles_really_enriched(
    es: Elasticsearch, settings: Settings
) -> None:
    articles, events = really_enriched(settings)
    check_export_agrees(
        kibana_hits(es, settings, articles, events), fired(articles, events, load_rules(RULES_FILE))
    )


# -- dry run ------------------------------------------------------------------------------------


def test_dry_run_on_fixture_texts_phrase_rules() -> None:
    files = [text_file(doc) for doc in sorted(MANIFEST)]
    hits = dry_run(RULES_FILE, files)
    nuclear = [h for h in hits if h.rule == "frappe_nucleaire"]
    assert [Path(h.file).name for h in nuclear] == [text_file("003").name]
    assert "<mark>frappe</mark> <mark>nucléaire</mark>" in nuclear[0].passage
    assert nuclear[0].severity == "critical"
    ceasefire = {Path(h.file).name[:3] for h in hits if h.rule == "negociations_cessez_le_feu"}
    assert ceasefire == {"000", "001", "002"}  # 001: "privilégier les accords pour instaurer la paix"


def test_dry_run_reports_unreadable_files_and_renders(tmp_path: Path) -> None:
    from rich.console import Console

    written = tmp_path / "note.txt"
    written.write_text("Alerte\nLe Kremlin évoque des frappes nucléaires tactiques.\n", encoding="utf-8")
    missing = tmp_path / "absent.txt"
    result = dry_run_result(RULES_FILE, [written, missing])
    assert [h.rule for h in result.hits] == ["frappe_nucleaire"]
    assert list(result.errors) == [str(missing)]

    console = Console(record=True, width=200)
    render(result.hits, console, files=result.files)
    output = console.export_text()
    assert "frappe_nucleaire" in output and "note.txt" in output and "frappes nucléaires" in output
    assert "No rule fired on: " + str(missing) in output


def test_a_file_is_a_title_line_and_a_text() -> None:
    article = article_from_text(
        "\n  Frappe sur Izioum : six morts\n\nLe maire a décrété un deuil.\n", "a.txt"
    )
    assert article.title == "Frappe sur Izioum : six morts" and article.text == "Le maire a décrété un deuil."
    headline = article_from_text("Trêve : les émissaires à Doha", "b.txt")
    assert headline.title == headline.text == "Trêve : les émissaires à Doha"


@pytest.mark.slow
@needs_enricher
def test_dry_run_reads_the_title_as_the_pipeline_does_and_says_what_matched(tmp_path: Path) -> None:
    from rich.console import Console

    brief = tmp_path / "brief.txt"
    # The toll is in the headline only; the text is about the aftermath.
    brief.write_text(
        "Bombardement d'une école à Kramatorsk : deux écoliers tués\n"
        "Les cours ont été suspendus dans toute la ville jusqu'à nouvel ordre, a annoncé la mairie.\n",
        encoding="utf-8",
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    result = dry_run_result(RULES_FILE, [brief, empty])
    (hit,) = [h for h in result.hits if h.rule == "victimes_civiles"]
    assert hit.file == str(brief)
    assert any(
        passage.startswith("[titre] ") and "<mark>écoliers</mark>" in passage for _, passage in hit.evidence
    ), hit.evidence
    assert all(why.startswith("condition.") for why, _ in hit.evidence)
    assert result.skipped == {str(empty): "not enriched (language or empty text)"}
    console = Console(record=True, width=240)
    render(result.hits, console, files=result.files)
    output = console.export_text()
    assert "which condition matched what" in output and "sentence civilian_people + harm" in output


@pytest.mark.slow
@needs_enricher
def test_dry_run_with_the_real_enricher_fires_event_rules() -> None:
    files = [text_file(doc) for doc in sorted(MANIFEST)]
    result = dry_run_result(RULES_FILE, files)
    assert result.enriched
    drones = {Path(h.file).name[:3] for h in result.hits if h.rule == "attaque_massive_drones"}
    assert drones == {"000", "002"}


# -- held-out texts (tests/gold/extra) with their gold events -------------------------------------

EXTRA = REPO_ROOT / "tests" / "gold" / "extra"


def gold_enriched() -> tuple[list[Article], list[Event], dict[str, str]]:
    """The held-out articles with their gold events as Event records (sentence = evidence)."""
    gold = json.loads((EXTRA / "gold.json").read_text(encoding="utf-8"))
    articles: list[Article] = []
    events: list[Event] = []
    doc_of: dict[str, str] = {}
    for entry in gold["documents"]:
        path = next((EXTRA / "texts").glob(f"{entry['doc']}*.txt"))
        text = path.read_text(encoding="utf-8")
        url = f"https://extra.example/{path.stem}"
        article = Article(
            id=stable_id(url),
            url=url,
            original_url=url,
            feed="extra",
            source="extra.example",
            title=text.splitlines()[0],
            text=text,
            published=datetime.fromisoformat(entry["published"]),
            language="fr",
            enriched=True,
        )
        articles.append(article)
        doc_of[article.id] = entry["doc"]
        for raw in entry["events"]:
            start = text.index(raw["evidence"])
            quantities = {
                name: Quantity(value=raw[name]["value"], qualifier=raw[name]["qualifier"])
                for name in ("launched", "intercepted", "destroyed", "killed", "injured")
                if raw.get(name)
            }
            events.append(
                Event(
                    id=stable_id(article.id, raw["sub_event_type"], str(start)),
                    article_id=article.id,
                    article_title=article.title,
                    article_url=url,
                    source=article.source,
                    language="fr",
                    event_type=raw["event_type"],
                    sub_event_type=raw["sub_event_type"],
                    interaction=raw.get("interaction"),
                    trigger=raw["evidence"].split()[0],
                    sentence=raw["evidence"],
                    sentence_start=start,
                    sentence_end=start + len(raw["evidence"]),
                    weapons=raw.get("weapons") or [],
                    **quantities,
                )
            )
    return articles, events, doc_of


def test_shipped_rules_on_held_out_texts_with_gold_events() -> None:
    """Precision on texts the rules were not written from, including the two decoy articles
    (wine harvest, city budget) full of "frappé", "bataille", "attaque en règle"."""
    articles, events, doc_of = gold_enriched()
    rules = load_rules(RULES_FILE)
    result: dict[str, set[str]] = {rule.name: set() for rule in rules.rules}
    for article in articles:
        view = ArticleView(article, [e for e in events if e.article_id == article.id])
        for rule in rules.enabled():
            if match(rule.condition, view) is not None:
                result[rule.name].add(doc_of[article.id])
    assert result["frappe_nucleaire"] == set()
    assert result["attaque_massive_drones"] == {"e01"}  # 112 Shahed launched, 87 shot down
    # e05/e07: violence against civilians; e01/e02/e04: strikes whose victims are named
    # civilians (e01: employees of the power plant; e04: four Palestinians, two of them
    # children). The e03 strikes on Hezbollah do not.
    # e10: debris of a downed drone wounded four people in a block of flats. e06 (a reprisal
    # strike on JNIM fighters in an article that mentions abuses against civilians elsewhere)
    # no longer fires: the civilians must be named in the sentence of the toll.
    assert result["victimes_civiles"] == {"e01", "e02", "e04", "e05", "e07", "e10"}
    assert result["negociations_cessez_le_feu"] == {"e03", "e04"}
    assert not any(doc in fired_on for fired_on in result.values() for doc in ("e11", "e12"))


def test_kibana_queries_on_held_out_texts(es: Elasticsearch, settings: Settings) -> None:
    """The export's documented approximations, measured on texts the rules were not written
    from: it never fires where the built-in matcher does not, and agrees on the nuclear and
    drone rules. It misses (on this node's standard analyzer) elided forms ("l’accord de
    cessez-le-feu": no elision filter) and, on the events index, phrases that the built-in
    matcher finds elsewhere in the article than in the event's sentence."""
    articles, events, doc_of = gold_enriched()
    records: list[Article | Event] = [*articles, *events]
    actions = [{"_index": index_for(settings, r), "_id": r.id, "_source": to_document(r)} for r in records]
    bulk(es, actions, refresh=True)
    rules = load_rules(RULES_FILE)
    kibana: dict[str, set[str]] = {}
    builtin: dict[str, set[str]] = {}
    by_name = {rule.name: rule for rule in rules.enabled()}
    for body in export_kibana_rules(rules, settings):
        rule = by_name[body["tags"][2].split(":", 1)[1]]
        params = body["params"]
        query = json.loads(params["esQuery"])["query"]
        hits = es.search(index=params["index"], query=query, size=100)["hits"]["hits"]
        kibana[rule.name] = {doc_of[h["_source"].get("article_id", h["_id"])] for h in hits}
        builtin[rule.name] = {
            doc_of[a.id]
            for a in articles
            if match(rule.condition, ArticleView(a, [e for e in events if e.article_id == a.id])) is not None
        }
    for name in builtin:
        assert kibana[name] <= builtin[name], name
    assert kibana["frappe_nucleaire"] == builtin["frappe_nucleaire"] == set()
    assert kibana["attaque_massive_drones"] == builtin["attaque_massive_drones"] == {"e01"}
    assert kibana["victimes_civiles"] >= {"e05", "e07"}  # the violence-against-civilians events
