"""The enrichment stage as the pipeline uses it: `Enricher(settings).enrich(articles, summary)`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from enrich.pipeline import Enricher
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, stable_id
from vigie.core.settings import REPO_ROOT, Settings

TEXTS = REPO_ROOT / "sample_corpus" / "texts"
PUBLISHED = {
    "000": "2025-03-11T15:30:00+01:00",
    "001": "2024-11-10T18:30:00+01:00",
    "002": "2025-03-11T08:08:00+01:00",
    "003": "2025-07-15T11:00:00+02:00",
    "004": "2025-09-18T09:00:00+02:00",
}


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(Settings())


def fixture_article(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
    url = f"https://example.org/{path.stem}"
    return Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="fixtures",
        source="example.org",
        title=text.splitlines()[0],
        text=text,
        published=datetime.fromisoformat(PUBLISHED[path.name[:3]]),
        language="fr",
    )


def fixtures() -> list[Article]:
    return [fixture_article(p) for p in sorted(TEXTS.glob("*.txt"))]


def test_enrich_fills_articles_and_returns_denormalised_events(enricher: Enricher) -> None:
    articles = fixtures()
    summary = RunSummary()
    events = enricher.enrich(articles, summary)
    assert summary.get("enrich") == 5
    by_id = {a.id: a for a in articles}
    for article in articles:
        assert article.enriched
        own = [e for e in events if e.article_id == article.id]
        assert article.event_count == len(own) > 0
        assert article.event_types == sorted({e.sub_event_type for e in own})
        assert len({e.id for e in article.entities}) == len(article.entities)
    moscow_attack = by_id[stable_id("https://example.org/002_931f09f1fa76af3a")]
    assert "Vladimir Poutine" in moscow_attack.persons
    assert "Moscou" in moscow_attack.places and "Oblast de Moscou" in moscow_attack.places
    assert "ministère russe de la Défense" in moscow_attack.organisations
    assert "drone" in moscow_attack.weapons
    spiderweb = by_id[stable_id("https://example.org/003_49f69a7d4a642e90")]
    assert {"Tomahawk", "ATACMS"} <= set(spiderweb.weapons)
    for event in events:
        article = by_id[event.article_id]
        assert (event.article_title, event.article_url, event.source) == (
            article.title,
            article.url,
            article.source,
        )
        assert (event.published, event.language, event.story_id) == (article.published, "fr", None)
    assert summary.metrics["events:Air/drone strike"] >= 5
    assert summary.metrics["enrich:events"] == len(events)


def test_enrichment_is_deterministic_and_batching_does_not_matter(enricher: Enricher) -> None:
    together = enricher.enrich(fixtures())
    one_by_one = [e for article in fixtures() for e in enricher.enrich([article])]
    assert [e.model_dump() for e in together] == [e.model_dump() for e in one_by_one]
    assert len({e.id for e in together}) == len(together)


def test_other_languages_and_empty_texts_are_skipped_with_a_reason(enricher: Enricher) -> None:
    good, english, empty = fixtures()[0], fixtures()[1], fixtures()[2]
    english = english.model_copy(update={"language": "en"})
    empty = empty.model_copy(update={"text": "  \n"})
    summary = RunSummary()
    events = enricher.enrich([english, good, empty], summary)
    assert events and {e.article_id for e in events} == {good.id}
    assert good.enriched and not english.enriched and not empty.enriched
    assert summary.get("enrich", "skipped") == 2
    assert summary.stages["enrich"].reasons == {"skipped:language": 1, "skipped:empty_text": 1}


def test_title_counts_for_entities_when_the_text_lacks_it(enricher: Enricher) -> None:
    article = fixture_article(sorted(TEXTS.glob("001*.txt"))[0])
    article = article.model_copy(
        update={"title": "Volodymyr Zelensky à Bruxelles", "text": "Une journée calme."}
    )
    enricher.enrich([article])
    assert {"volodymyr-zelensky", "bruxelles"} <= {e.id for e in article.entities}


def test_entities_for_text_is_a_dry_run(enricher: Enricher) -> None:
    entities = enricher.entities_for_text("Kyïv réclame des Patriot ; Vorobyov parle de la région de Moscou.")
    assert {e.id for e in entities} == {"kiev", "patriot", "andrei-vorobiov", "oblast-de-moscou"}
