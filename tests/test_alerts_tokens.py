"""Alert matching reuses the tokens the enrichment model found (`Article._tokens`), with the
same sentences and words as its own tokenisation, and never sends them to Elasticsearch."""

from __future__ import annotations

import pickle

import pytest

from enrich.pipeline import Enricher
from vigie.alerting.matcher import ArticleView
from vigie.alerting.text import Sentence, analyse, recorded_tokens
from vigie.core.models import Article, stable_id
from vigie.core.settings import REPO_ROOT, Settings
from vigie.store.es import to_document
from vigie.store.indexer import document

TEXTS = sorted((REPO_ROOT / "sample_corpus" / "texts").glob("*.txt"))
ODD_TEXT = (
    "  Titre sans point\n"
    "Première phrase.  Deuxième\u00a0phrase !\tTroisième, l’état-major et le cessez-le-feu ...\n"
    "\n"
    "« Citation. » Fin  \r\n"
    "Dernière ligne sans fin de ligne "
)


@pytest.fixture(scope="module")
def enriched() -> list[Article]:
    articles = []
    for number, text in enumerate([*(path.read_text(encoding="utf-8") for path in TEXTS), ODD_TEXT]):
        url = f"https://example.org/{number}"
        title = f"  Frappes de drones sur Moscou : l’œuvre de Kyïv ? {number}  "  # not in the text: read
        articles.append(
            Article(
                id=stable_id(url), url=url, original_url=url, feed="f", source="s", title=title, text=text
            )
        )
    Enricher(Settings()).enrich(articles)
    return articles


def _words(sentences: tuple[Sentence, ...]) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    """Sentences without `Word.joined` (the model keeps a few hyphenated words whole)."""
    return [(s.start, s.end, [(w.key, w.start, w.end) for w in s.words]) for s in sentences]


def test_enrichment_records_the_tokens_of_text_and_title(enriched: list[Article]) -> None:
    for article in enriched:
        assert article.enriched
        for field in ("title", "text"):
            tokens = recorded_tokens(article, field)
            assert tokens is not None and tokens == sorted(tokens)
            source = getattr(article, field)
            assert all(not source[s:e].isspace() for s, e in zip(tokens[::2], tokens[1::2], strict=True))


def test_recorded_tokens_give_the_same_sentences_and_words(enriched: list[Article]) -> None:
    for article in enriched:
        for field in ("title", "text"):
            source = getattr(article, field)
            assert _words(analyse(source, recorded_tokens(article, field))) == _words(analyse(source))


def test_the_view_uses_them_and_a_changed_text_falls_back(enriched: list[Article]) -> None:
    article = enriched[0]
    view = ArticleView(article)
    assert _words(view.text_sentences) == _words(analyse(article.text))
    changed = article.model_copy(update={"text": article.text + " Ajout."})
    assert recorded_tokens(changed, "text") is None
    assert ArticleView(changed).text_sentences == analyse(changed.text)
    assert recorded_tokens(article.model_copy(update={"title": "Autre"}), "title") is None


def test_the_tokens_are_no_document_field_but_survive_pickling(enriched: list[Article]) -> None:
    article = enriched[0]
    assert "_tokens" not in Article.model_fields
    assert "_tokens" not in article.model_dump() and "_tokens" not in to_document(article)
    assert "_tokens" not in document(article) and "_tokens" not in article.model_dump_json()
    assert Article.model_validate(article.model_dump())._tokens is None
    copy = pickle.loads(pickle.dumps(article))  # how the enrichment workers send articles back
    assert recorded_tokens(copy, "text") == recorded_tokens(article, "text")
