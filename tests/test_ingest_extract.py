"""Page decoding and article extraction over HTTP, on the sample site and the fixture pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ingest.article import build_article
from ingest.extract import Extracted, clean_author, decode_html, extract_article, page_metadata
from ingest.feeds import Feed
from ingest.fetch import Fetcher, FetchPolicy, FetchResult
from ingest.parse import FeedItem, parse_feed
from ingest.urls import article_id
from vigie.core.accounting import RunSummary
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer

MANIFEST = json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text(encoding="utf-8"))
FIXTURES = json.loads((REPO_ROOT / "tests" / "fixtures" / "fixtures.json").read_text(encoding="utf-8"))[
    "pages"
]
FAST = FetchPolicy(
    connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, backoff_base=0.01, host_delay=0.0
)
FEED = Feed(
    name="international",
    title="Le Veilleur International",
    url="http://127.0.0.1/feeds/international.xml",
    language="fr",
    country="FR",
    poll_interval_minutes=15,
    category="international",
)


def flat(text: str) -> str:
    """Whitespace-insensitive form: pages use no-break spaces before « » : ? that extraction
    turns into plain spaces."""
    return " ".join(text.split())


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(settings, FAST) as f:
        yield f


def _extract(fetcher: Fetcher, server: FeedServer, path: str) -> tuple[FetchResult, str, Extracted]:
    fetched = fetcher.fetch(server.url(path))
    assert fetched.content is not None, fetched.error
    html = decode_html(fetched.content, fetched.content_type)
    extracted = extract_article(html, server.url(path))
    assert extracted is not None
    return fetched, html, extracted


@pytest.mark.parametrize("doc", MANIFEST, ids=[d["doc"] for d in MANIFEST])
def test_extraction_keeps_the_body_and_drops_the_clutter(
    fetcher: Fetcher, feed_server: FeedServer, doc: dict
) -> None:
    _, _, extracted = _extract(fetcher, feed_server, doc["page"])
    text = flat(extracted.text)
    missing = [line for line in doc["body_lines"] if flat(line) not in text]
    clutter = [line for line in doc["clutter_lines"] if flat(line) in text]
    assert not missing, missing
    assert not clutter, clutter
    assert extracted.title == doc["title"]
    assert extracted.author == doc["author"]
    assert extracted.site_name == doc["site_name"]
    assert extracted.published == datetime.fromisoformat(doc["published"])
    assert extracted.language == "fr"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_extraction_of_the_fixture_variants(fetcher: Fetcher, feed_server: FeedServer, name: str) -> None:
    page = FIXTURES[name]
    _, _, extracted = _extract(fetcher, feed_server, page["page"])
    text = flat(extracted.text)
    assert [
        line for line in page["body_lines"] if flat(line) not in flat(extracted.title or "") + " " + text
    ] == []
    assert extracted.author == page["author"] and extracted.site_name == page["site_name"]
    assert extracted.language == page["lang"]


def test_the_iso_8859_1_page_keeps_its_accents(fetcher: Fetcher, feed_server: FeedServer) -> None:
    doc = next(d for d in MANIFEST if d["encoding"] == "iso-8859-1")
    fetched, html, extracted = _extract(fetcher, feed_server, doc["page"])
    assert fetched.encoding and fetched.encoding.lower() == "iso-8859-1"
    assert "Moscou frappée par une série de drones" in extracted.text
    assert "l’efficacité des mesures de sécurité" in extracted.text  # ’ from &#8217;
    assert "Ã" not in html and "\ufffd" not in html


def test_the_windows_1252_page(fetcher: Fetcher, feed_server: FeedServer) -> None:
    expected = (
        REPO_ROOT / "tests" / "fixtures" / "site" / "articles" / "windows-1252.expected.txt"
    ).read_text(encoding="utf-8")
    _, html, extracted = _extract(fetcher, feed_server, "/articles/windows-1252.html")
    for line in filter(None, (line.strip() for line in expected.splitlines())):
        assert flat(line) in flat(extracted.title or "") + " " + flat(extracted.text), line
    assert not any("\x80" <= ch <= "\x9f" for ch in html)  # no C1 controls


def test_a_page_mislabelled_iso_8859_1_decodes_as_windows_1252(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    raw = (REPO_ROOT / "tests" / "fixtures" / "site" / "articles" / "windows-1252.html").read_bytes()
    feed_server.publish(
        "/articles/mislabelled.html",
        raw.replace(b'charset="windows-1252"', b'charset="iso-8859-1"'),
        content_type="text/html; charset=ISO-8859-1",
    )
    fetched = fetcher.fetch(feed_server.url("/articles/mislabelled.html"))
    assert fetched.content is not None
    html = decode_html(fetched.content, fetched.content_type)
    assert "“Nous réparons, ils frappent, puis nous réparons encore…”" in html
    assert "\x92" not in html and "\x93" not in html


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        ("é – ’".encode(), None, "é – ’"),  # undeclared UTF-8
        ('<meta charset="windows-1252"><p>Ça – œ</p>'.encode("cp1252"), "text/html", "Ça – œ"),
        ("<p>Ça va</p>".encode("latin-1"), "text/html; charset=iso-8859-1", "Ça va"),
        ("\ufeff<p>bom ’</p>".encode(), "text/html; charset=iso-8859-1", "bom ’"),  # BOM beats header
        # header lies (says UTF-8, bytes are cp1252): detection takes over instead of U+FFFD
        (
            "<p>À l’arrière, l’armée a tiré « à vue » sur les positions’</p>".encode("cp1252"),
            "text/html; charset=utf-8",
            "l’armée",
        ),
    ],
)
def test_decode_html_charset_rules(content: bytes, content_type: str | None, expected: str) -> None:
    assert expected in decode_html(content, content_type)


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("Par Julien Marchetti · Publié le 11 mars 2025 à 15h30", "Julien Marchetti"),
        ("Par Jean Dupont, publié le 3 mai 2025", "Jean Dupont"),
        ("By Jane Doe | Updated 2 hours ago", "Jane Doe"),
        ("Jean-Pierre Martin - Publié le 12/03/2025", "Jean-Pierre Martin"),
        ("https://www.example.org/auteurs/x", None),
    ],
)
def test_bylines_are_cleaned(byline: str, name: str | None) -> None:
    assert clean_author(byline) == name


def test_structured_metadata_beats_a_misleading_byline() -> None:
    html = """<html lang="fr-FR"><head>
      <meta property="article:published_time" content="2025-03-11T15:30:00+01:00">
      <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"WebSite","name":"Site"},
        {"@type":["NewsArticle"],"headline":"Titre","author":[{"@type":"Person","name":"Par Ana Lopez"}],
         "publisher":{"@type":"Organization","name":"La Gazette"}}]}</script>
      </head><body><article><p class="byline">Par Rédaction · Publié le 12 mars</p><p>x</p></article></body></html>"""
    meta = page_metadata(html)
    assert meta.author == "Ana Lopez" and meta.title == "Titre" and meta.site_name == "La Gazette"
    assert meta.published == datetime(2025, 3, 11, 14, 30, tzinfo=UTC) and meta.published_source == "meta"
    assert meta.language == "fr"


def test_build_article_from_a_page_and_from_the_feed_summary(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    feed = fetcher.fetch(feed_server.url("/feeds/international.xml"))
    assert feed.content is not None
    items = parse_feed(feed.content, feed_server.url("/feeds/international.xml"), "international").items
    tracked = next(i for i in items if "utm_source" in i.link)
    fetched = fetcher.fetch(tracked.link)
    assert fetched.content is not None
    extracted = extract_article(decode_html(fetched.content, fetched.content_type), tracked.link)
    summary = RunSummary()
    article = build_article(tracked, FEED, fetched, extracted, summary=summary)
    assert article.id == article_id(tracked.link) and "utm_" not in article.url and "xtor" not in article.url
    assert article.original_url == tracked.link
    assert not article.partial and article.word_count > 500
    assert article.source == "Le Veilleur International" and article.sources == [article.source]
    assert article.published == datetime(2025, 7, 15, 9, 0, tzinfo=UTC)
    assert summary.get("article") == 1

    # The page is gone: the article still flows, with the feed summary, flagged partial.
    gone = fetcher.fetch(feed_server.url("/articles/removed.html"))
    item = FeedItem(
        guid="g1",
        title="Un titre",
        link=feed_server.url("/articles/removed.html?utm_source=rss"),
        published=datetime(2025, 3, 11, 8, 0, tzinfo=UTC),
        summary="Le résumé du flux, seul texte disponible.",
    )
    partial = build_article(item, FEED, gone, None, summary=summary)
    assert partial.partial and partial.partial_reason == "fetch:http_404"
    assert partial.text == item.summary and partial.word_count == 7
    assert partial.source == "127.0.0.1" and partial.published == item.published
    assert partial.id == article_id(feed_server.url("/articles/removed.html"))
    assert summary.stages["article"].reasons == {"accepted:partial": 1}


def test_a_too_short_extraction_falls_back_to_the_summary() -> None:
    item = FeedItem(guid="g", title="T", link="https://example.org/a", summary="Résumé du flux.")
    fetched = FetchResult(url=item.link, final_url=item.link, status=200, content=b"<html></html>")
    tiny = Extracted(text="Abonnez-vous pour lire la suite.", site_name="Exemple", author="A. B.")
    article = build_article(item, FEED, fetched, tiny)
    assert (
        article.partial
        and article.partial_reason == "extract:too_short"
        and article.text == "Résumé du flux."
    )
    assert article.source == "Exemple" and article.author == "A. B."  # page metadata still used
    assert build_article(item, FEED, None, None).partial_reason == "not_fetched"
