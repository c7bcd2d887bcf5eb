"""Property-based fuzzing of article pages (issue 13): page bytes through `decode_html` ->
`extract_article` -> `build_article`. Generated pages mix real article structure (JSON-LD with
odd values, <meta> tags, paragraphs, clutter lines, paywall notices) with hostile pieces (BOMs,
charset labels standard or not, stray and control bytes, unclosed comments and scripts, deep
JSON-LD, many attributes, random bytes). Whatever the bytes: no exception escapes, every
refusal carries a reason code, and what is stored is clean (one-line title and author, a date
never in the future, a known date source, a reason for every partial article).

Bounded for CI: a few hundred small examples, each with a deadline.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ingest.article import FUTURE_TOLERANCE, build_article
from ingest.extract import decode_html, extract_article
from ingest.feeds import Feed
from ingest.fetch import FetchResult
from ingest.parse import FeedItem
from vigie.core.accounting import RunSummary

URL = "https://veille.example/2025/06/04/nuit-kharkiv.html"
FETCHED_AT = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
FEED = Feed(
    name="fuzz",
    title="Fuzz",
    url="https://veille.example/feed.xml",
    language="fr",
    country="FR",
    poll_interval_minutes=15,
    category="international",
)
REASON = re.compile(r"^[a-z_]+(?::[a-z_0-9]+)*$")
SOURCES = {"jsonld", "meta", "feed", "url", "text", "fetch"}
FLAGS = {"missing", "future", "unparseable"}
UNCLEAN = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
FUZZ = hypothesis_settings(
    max_examples=400,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SENTENCES = [
    "Les sirènes ont retenti peu après trois heures du matin à Kharkiv, où deux immeubles ont été touchés.",
    "Selon le gouverneur, onze personnes ont été dégagées des décombres et quatre hospitalisées.",
    "La défense antiaérienne affirme avoir abattu dix-neuf des vingt-six drones lancés dans la nuit.",
    "Des diplomates réunis à Varsovie ont dénoncé la menace d'une frappe nucléaire évoquée la veille.",
]
CLUTTER = [
    "Passer la publicité",
    "12 commentaires",
    "Partager",
    "À lire aussi : la carte du front",
    "© AFP 2025",
]
NOTICES = ["Il vous reste 64 % de cet article à lire.", "La suite est réservée aux abonnés."]
SPICE = st.sampled_from(
    [
        "é",
        "’",
        "\u202e",
        "\x00",
        "\x1b",
        "\x85",
        "\n",
        "\r\n",
        "&nbsp;",
        "&#0;",
        "&#x110000;",
        "&bogus;",
        "<",
        ">",
        '"',
        "\ufeff",
        "\ufffe",
        "\U0001f4a5",
    ]
)
TEXT = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=12), SPICE), max_size=6
).map("".join)
DATES = st.one_of(
    st.sampled_from(
        [
            "2025-06-04T08:02:00Z",
            "2033-01-01T00:00:00+02:00",
            "hier",
            "",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31",
        ]
    ),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda d: d.isoformat()),
    TEXT,
)
JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.lists(TEXT, max_size=3))
JSONLD = st.fixed_dictionaries(
    {"@type": st.sampled_from(["NewsArticle", ["Article"], "WebPage", 7])},
    optional={
        "headline": st.one_of(TEXT, JSON_VALUES),
        "datePublished": st.one_of(DATES, JSON_VALUES),
        "author": st.one_of(
            TEXT,
            st.lists(st.fixed_dictionaries({"name": st.one_of(TEXT, JSON_VALUES)}), max_size=3),
            JSON_VALUES,
        ),
        "publisher": st.one_of(st.fixed_dictionaries({"name": TEXT}), JSON_VALUES),
        "isAccessibleForFree": st.one_of(st.sampled_from([False, "False", "true"]), JSON_VALUES),
        "articleBody": st.one_of(
            st.lists(st.sampled_from(SENTENCES), max_size=8).map("\n".join), JSON_VALUES
        ),
        "inLanguage": JSON_VALUES,
    },
).map(lambda d: json.dumps(d, ensure_ascii=False))


def _attributes(n: int) -> str:
    return "<div " + " ".join(f"a{i}=x" for i in range(n)) + ">"


PIECES = st.one_of(
    st.sampled_from(
        [
            "<html>",
            '<html lang="fr">',
            "<head>",
            "</head>",
            "<body>",
            "<article>",
            "</article>",
            "<p>",
            "</p>",
            "<div style='display:none'>",
            "<div style='border:1px solid'>",
            "</div>",
            "<section>",
            "<nav>",
            "<aside>",
            "<ul><li><a href='/x'>",
            "<a href='/a'>",
            "</a>",
            "<br>",
            "<!--",
            "-->",
            "<![CDATA[",
            "<?xml version='1.0' encoding='utf-16'?>",
            "<script>",
            "</script>",
            '<meta charset="utf-8">',
            '<meta charset="x-user-defined">',
            '<meta charset="utf-16">',
            '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">',
            '<meta charset="bogus">',
            '<meta property="og:title" content="Titre\nsur deux lignes">',
            '<meta name="author" content="Bamako; Le">',
            '<meta property="article:published_time" content="2033-06-04T10:00:00Z">',
            '<meta property="article:published_time" content="demain">',
            "<time datetime='2024-02-30'>",
            "© 2023 Veille",
            _attributes(40),
            _attributes(1_500),
            '<script type="application/ld+json">' + "[" * 3_000 + "</script>",
        ]
    ),
    st.sampled_from(SENTENCES).map(lambda s: f"<p>{s}</p>"),
    st.sampled_from(CLUTTER + NOTICES).map(lambda s: f"<p>{s}</p>"),
    JSONLD.map(lambda ld: f'<script type="application/ld+json">{ld}</script>'),
    TEXT,
)
CODECS = ["utf-8", "utf-16-le", "cp1252", "latin-1", "koi8-r", "gb18030"]
CONTENT_TYPES = [
    None,
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=ISO-8859-1",
    "text/html; charset=utf-16",
    "text/html; charset=unicode_escape",
    "text/html; charset=replacement",
    "text/html; charset=x-user-defined",
    "text/html; charset=bogus",
]


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    pieces = draw(st.lists(PIECES, max_size=25))
    if draw(st.booleans()):  # an article page, hostile pieces slipped in
        skeleton = ["<html><head>", "</head><body><article><h1>Nuit à Kharkiv</h1>"]
        skeleton += [
            f"<p>{s}</p>" for s in draw(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=8))
        ]
        skeleton += ["</article></body></html>"]
        for piece in pieces:
            skeleton.insert(draw(st.integers(0, len(skeleton))), piece)
        pieces = skeleton
    text = "".join(pieces)
    data = text.encode(draw(st.sampled_from(CODECS)), errors="replace")
    mutation = draw(st.sampled_from(["none", "bom", "stray", "cut", "random"]))
    if mutation == "bom":
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data
    elif mutation == "stray" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    elif mutation == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif mutation == "random":
        data = draw(st.binary(max_size=300))
    return data


def check_summary(summary: RunSummary) -> None:
    for stage, stats in summary.stages.items():
        for outcome in ("refused", "skipped"):
            with_reason = sum(n for key, n in stats.reasons.items() if key.startswith(f"{outcome}:"))
            assert with_reason == getattr(stats, outcome), (stage, stats)
    for failure in summary.failures:
        assert failure.reason and REASON.match(failure.reason.removeprefix("no_text:")), failure


@FUZZ
@given(
    data=pages(),
    content_type=st.sampled_from(CONTENT_TYPES),
    feed_date=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
)
def test_any_page_bytes_give_a_clean_article_or_a_reason(
    data: bytes, content_type: str | None, feed_date: datetime | None
) -> None:
    summary = RunSummary()
    html = decode_html(data, content_type)
    assert isinstance(html, str)
    extracted = extract_article(html, URL, summary=summary)
    event(f"extraction: {extracted.refused or extracted.partial_reason or 'complete'}")
    if extracted.refused:
        assert extracted.text == "" and REASON.match(extracted.refused)
    else:
        assert extracted.text.strip()
    fetched = FetchResult(
        url=URL, final_url=URL, status=200, content=data, content_type=content_type, fetched_at=FETCHED_AT
    )
    item = FeedItem(guid="g", title="Titre du flux", link=URL, published=feed_date, summary="Résumé.")
    article = build_article(item, FEED, fetched, extracted, summary=summary)
    check_summary(summary)

    assert article.partial == (article.partial_reason is not None)
    assert article.partial_reason is None or REASON.match(article.partial_reason)
    assert article.text.strip()  # the page's text or the feed summary
    assert not UNCLEAN.search(article.title) and not UNCLEAN.search(article.author or "")
    assert article.published is not None and article.published <= FETCHED_AT + FUTURE_TOLERANCE
    assert article.published_source in SOURCES and set(article.published_flags) <= FLAGS
    assert ("missing" in article.published_flags) == (article.published_source == "fetch")
    json.dumps(article.model_dump(mode="json"))  # what the indexer sends
