"""What an enrichment worker sends back: the enriched fields, not the articles' texts (the
caller has them), applied to the caller's articles exactly as enriching in process does."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import enrich.pool as pool
from enrich.pipeline import ENRICHED_FIELDS, Enricher
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, stable_id
from vigie.core.settings import Settings

# Composed for this test: a title the text does not repeat (read by the model too).
TEXT = (
    "Des frappes de drones ont touché dans la nuit de mardi à mercredi un dépôt de carburant près "
    "de Belgorod, a annoncé le gouverneur de la région, qui fait état de deux blessés.\n"
    "Selon l'armée russe, quatorze drones ont été abattus au-dessus de la région."
)
TITLE = "Nuit d'attaques près de la frontière"


def article(number: int) -> Article:
    url = f"https://gazette.invalid/{number}"
    return Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="gazette",
        source="La Gazette",
        title=f"{TITLE} ({number})",
        text=TEXT,
        published=datetime(2025, 6, 4, 7, 0, tzinfo=UTC),
        language="fr",
    )


def test_a_chunk_result_carries_no_text_and_applies_like_enriching_in_process() -> None:
    settings = Settings()
    pool._load_enricher(settings)  # this process plays the worker
    sent = [article(1), article(2)]
    result = pool._enrich_chunk([a.model_copy(deep=True) for a in sent])
    # The events quote their sentences and their article's title; nothing else holds a text.
    assert TEXT.encode("utf-8") not in pickle.dumps(result)
    fields = pickle.dumps(result.fields)
    assert TEXT[:80].encode("utf-8") not in fields and TITLE.encode("utf-8") not in fields

    mine = [a.model_copy(deep=True) for a in sent]
    for a in mine:
        pool._apply(a, result.fields[a.id])
    expected = [a.model_copy(deep=True) for a in sent]
    events = Enricher(settings).enrich(expected, RunSummary())
    assert [e.id for e in result.events] == [e.id for e in events]
    for got, want in zip(mine, expected, strict=True):
        for name in ENRICHED_FIELDS:
            assert getattr(got, name) == getattr(want, name), name
        assert got._tokens is not None and set(got._tokens) == {"text", "title"}
        # The token record holds the article's own strings, not copies.
        assert got._tokens["text"][0] is got.text and got._tokens["title"][0] is got.title
