"""Language identification: deterministic, French vs English fixtures, short text refused."""

from __future__ import annotations

import json

from ingest.extract import decode_html, extract_article
from ingest.fetch import Fetcher, FetchPolicy
from ingest.language import SAMPLE_CHARS, detect_language
from vigie.core.accounting import RunSummary
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer

TEXTS = sorted((REPO_ROOT / "sample_corpus" / "texts").glob("*.txt"))
FIXTURES = json.loads((REPO_ROOT / "tests" / "fixtures" / "fixtures.json").read_text(encoding="utf-8"))[
    "pages"
]


def test_the_seed_articles_are_french() -> None:
    for path in TEXTS:
        language, probability = detect_language(path.read_text(encoding="utf-8"))
        assert language == "fr" and probability > 0.99, path.name


def test_the_english_article_fetched_over_http_is_tagged_en(
    settings: Settings, feed_server: FeedServer
) -> None:
    with Fetcher(settings, FetchPolicy(host_delay=0.0)) as fetcher:
        fetched = fetcher.fetch(feed_server.url("/articles/english-article.html"))
    assert fetched.content is not None
    extracted = extract_article(decode_html(fetched.content, fetched.content_type), fetched.url)
    assert extracted is not None
    summary = RunSummary()
    language, probability = detect_language(extracted.text, summary=summary, item=fetched.url)
    assert language == "en" and probability > 0.9
    assert summary.stages["language_detect"].reasons == {"accepted:lang": 1}


def test_detection_is_deterministic() -> None:
    # A mixed text is where langdetect's random sampling would wobble without a fixed seed.
    mixed = "Le président a dit que the war must end maintenant, selon les sources, despite the talks. " * 3
    answers = {detect_language(mixed) for _ in range(15)}
    assert len(answers) == 1


def test_only_the_beginning_is_read() -> None:
    french = TEXTS[0].read_text(encoding="utf-8")[:SAMPLE_CHARS]
    english = " ".join(FIXTURES["english-article.html"]["body_lines"]) * 3
    assert detect_language(french + english)[0] == "fr"  # the English tail is never looked at


def test_too_short_or_featureless_text_is_not_guessed() -> None:
    summary = RunSummary()
    assert detect_language("Frappe.", summary=summary, item="a") == (None, 0.0)
    assert detect_language("", summary=summary, item="b") == (None, 0.0)
    assert detect_language(
        "12 345 678 -- 2025 / 03 / 11 :: 90 000 $$ 42 % 17:30 !!", summary=summary, item="c"
    ) == (
        None,
        0.0,
    )
    assert summary.get("language_detect", "skipped") == 3
    assert summary.stages["language_detect"].reasons == {"skipped:language": 3}
