"""Article pages a site does not write for us (issue 13), served over real HTTP (the feed
server's `publish`, or the raw-socket hostile server) and taken through fetch -> decode ->
extract -> build_article: charset labels and stray bytes, truncated extractions, paywalls,
clutter written as paragraphs, byline fragments, dates (future, missing, unparseable, where
they came from), whose title an article carried by several feeds gets, and markup that would
cost minutes or gigabytes to parse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile_server import HostileServer, respond

from ingest.article import build_article
from ingest.extract import Extracted, clean_author, decode_html, extract_article
from ingest.feeds import Feed
from ingest.fetch import Fetcher, FetchPolicy, FetchResult
from ingest.pagetext import load_rules
from ingest.parse import FeedItem
from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import parse_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Article
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer

FAST = FetchPolicy(
    connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, backoff_base=0.01, host_delay=0.0
)
HTML = "text/html; charset=utf-8"
FEED = Feed(
    name="veille-est",
    title="Veille Est",
    url="http://127.0.0.1/feeds/est.xml",
    language="fr",
    country="FR",
    poll_interval_minutes=15,
    category="international",
)
# Sentences of a story written for these tests.
BODY = [
    "Les sirènes ont retenti peu après trois heures du matin dans le quartier de Saltivka, au nord-est "
    "de Kharkiv, où deux immeubles d'habitation ont été touchés par des drones de fabrication iranienne.",
    "Selon le gouverneur de la région, les équipes de secours ont dégagé onze personnes des décombres ; "
    "quatre d'entre elles ont été transportées à l'hôpital régional dans un état jugé sérieux.",
    "L'état-major ukrainien affirme que la défense antiaérienne a abattu dix-neuf des vingt-six engins "
    "lancés pendant la nuit depuis la région de Koursk, un chiffre que Moscou n'a pas commenté.",
    "Dans la matinée, le maire a demandé aux habitants de limiter leur consommation d'électricité, la "
    "sous-station qui alimente la rive gauche de la ville ayant été endommagée pour la troisième fois.",
    "Des diplomates européens réunis à Varsovie ont dénoncé une frappe nucléaire évoquée la veille par "
    "un responsable russe à la télévision publique, y voyant une tentative d'intimidation assumée.",
    "Les écoles de la ville poursuivront l'enseignement à distance jusqu'à la fin de la semaine, a "
    "précisé l'administration militaire, qui évoque un risque élevé de nouvelles attaques nocturnes.",
]


def page(
    paragraphs: list[str] | str,
    *,
    jsonld: dict | None = None,
    head: str = "",
    before: str = "",
    after: str = "",
    title: str = "Nuit d'attaques sur Kharkiv",
) -> str:
    """An article page: JSON-LD and extra <head> markup, then <h1> and the paragraphs."""
    body = paragraphs if isinstance(paragraphs, str) else "".join(f"<p>{p}</p>" for p in paragraphs)
    ld = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title} - Veille Est</title>'
        f"{ld}{head}</head><body><nav><a href='/'>Accueil</a> <a href='/monde'>Monde</a></nav>"
        f"<main><article><h1>{title}</h1>{before}{body}{after}</article></main>"
        "<footer><p>Veille Est, 12 rue des Ormes, Lille.</p></footer></body></html>"
    )


def news(**fields: object) -> dict:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **fields}


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(settings, FAST) as f:
        yield f


@pytest.fixture
def site() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def take(
    fetcher: Fetcher,
    url: str,
    item: FeedItem | None = None,
    summary: RunSummary | None = None,
) -> tuple[FetchResult, Extracted | None, Article]:
    """fetch -> decode -> extract -> build_article, as the pipeline chains them."""
    fetched = fetcher.fetch(url)
    extracted = None
    if fetched.content is not None and not fetched.error:
        extracted = extract_article(decode_html(fetched.content, fetched.content_type), url, summary=summary)
    item = item or FeedItem(guid=url, title="Titre du flux", link=url)
    return fetched, extracted, build_article(item, FEED, fetched, extracted, summary=summary)


def publish(server: FeedServer, path: str, body: str | bytes, content_type: str = HTML) -> str:
    server.publish(path, body, content_type=content_type)
    return server.url(path)


def flat(text: str) -> str:
    return " ".join(text.split())


# -- 1. decoding: one stray byte garbles nothing ----------------------------------------------------


def phrase_rule(words: str):  # type: ignore[no-untyped-def]
    rules = parse_rules(
        {
            "version": 1,
            "notifiers": {"log": {"type": "log"}},
            "rules": [
                {
                    "name": "r",
                    "severity": "high",
                    "notifiers": ["log"],
                    "condition": {"phrase": {"words": words}},
                }
            ],
        }
    )
    return rules.rules[0]


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        (HTML, ""),
        ("text/html", '<meta charset="UTF-8">'),
        ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'),
    ],
    ids=["http-charset", "meta-charset", "meta-http-equiv"],
)
def test_a_stray_byte_in_a_utf8_page_replaces_that_byte_only(
    fetcher: Fetcher, feed_server: FeedServer, content_type: str, meta: str
) -> None:
    html = page(BODY).replace('<meta charset="utf-8">', meta)
    raw = html.encode().replace(b"Saltivka", b"Salt\xefvka")  # one byte that is no UTF-8
    url = publish(feed_server, "/a/stray.html", raw, content_type)
    fetched, extracted, article = take(fetcher, url)
    assert fetched.content is not None
    decoded = decode_html(fetched.content, fetched.content_type)
    assert decoded.count("\ufffd") == 1 and "Ã" not in decoded
    assert "Salt\ufffdvka" in article.text and "une frappe nucléaire évoquée" in article.text
    assert not article.partial
    assert match(phrase_rule("frappe nucléaire").condition, ArticleView(article)) is not None


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        # the standard's table: Latin-1 and ASCII labels mean windows-1252
        ("l’abri « sûr »".encode("cp1252"), "text/html; charset=US-ASCII", "l’abri « sûr »"),
        ("frappée".encode("cp1252"), "text/html; charset=latin1", "frappée"),
        # a label Python knows but the standard does not is ignored (here: detection, UTF-8)
        ("défense \\u00e9".encode(), "text/html; charset=unicode_escape", "défense \\u00e9"),
        # a <meta> inside a comment is no declaration; the real one follows
        (b'<!-- <meta charset="koi8-r"> --><meta charset="windows-1252"><p>\xe9t\xe9</p>', None, "été"),
        # a UTF-16 label in a <meta> means UTF-8 (the tag was read as ASCII)
        ('<meta charset="utf-16"><p>été</p>'.encode(), "text/html", "été"),
        # GBK is decoded as gb18030, whose superset it is
        ('<meta charset="gbk"><p>基辅</p>'.encode("gb18030"), "text/html", "基辅"),
        # a byte order mark wins over everything
        (b"\xff\xfe" + "<p>Odessa</p>".encode("utf-16-le"), "text/html; charset=iso-8859-1", "<p>Odessa</p>"),
    ],
    ids=["ascii-label", "latin1-label", "unknown-label", "commented-meta", "meta-utf16", "gbk", "bom"],
)
def test_charset_labels_as_the_encoding_standard_reads_them(
    fetcher: Fetcher, feed_server: FeedServer, content: bytes, content_type: str | None, expected: str
) -> None:
    url = publish(feed_server, "/a/label.html", content, content_type or "text/html")
    fetched = fetcher.fetch(url)
    assert fetched.content is not None
    assert expected in decode_html(fetched.content, content_type)


def test_an_undeclared_page_is_still_detected(fetcher: Fetcher, feed_server: FeedServer) -> None:
    html = page(BODY).replace('<meta charset="utf-8">', "")
    url = publish(feed_server, "/a/undeclared.html", html.encode("cp1252"), "text/html")
    _, _, article = take(fetcher, url)
    assert "défense antiaérienne" in article.text and "\ufffd" not in article.text


# -- 2. extraction: truncated, paywalled, cluttered -------------------------------------------------


def live_page(posts: int = 12) -> str:
    """A live blog whose posts each sit in a bordered box: trafilatura's precision setting
    drops the boxes and keeps the two opening paragraphs (~15 % of the text)."""
    intro = f"<div class='article-body'><p>{BODY[0]}</p><p>{BODY[1]}</p></div>"
    boxes = "".join(
        f"<section><div style='border-left:2px solid #c00'><p>{i:02d}:15 — {BODY[2 + i % 4]} (mise à jour {i})</p>"
        "</div></section>"
        for i in range(posts)
    )
    return page(intro + boxes)


def test_a_truncated_extraction_falls_back_to_the_fuller_one(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = publish(feed_server, "/direct/kharkiv.html", live_page())
    _, extracted, article = take(fetcher, url)
    assert [i for i in range(12) if f"(mise à jour {i})" not in article.text] == []
    assert extracted is not None and extracted.text_source in ("balanced", "recall")
    assert not article.partial
    # the rest of an article behind a "read more" expander (hidden until clicked): the same
    rest = "".join(f"<p>{p} (suite {i})</p>" for i, p in enumerate(BODY[2:] * 3))
    expander = page(BODY[:2], after=f"<div class='more' style='display: none'>{rest}</div>")
    _, extracted, article = take(fetcher, publish(feed_server, "/a/expander.html", expander))
    assert extracted is not None and "(suite 11)" in article.text and not article.partial


def linked_posts(jsonld: dict | None) -> str:
    """The opening paragraphs, then posts each in a section of its own, the whole paragraph a
    link (teasers that open the full post): every setting of trafilatura drops them as link lists; the publisher's JSON-LD
    articleBody may hold them all."""
    posts = "".join(
        f"<section><p><a href='/direct/post-{i}'>{p} (suite {i})</a></p></section>"
        for i, p in enumerate(BODY[2:] * 3)
    )
    return page(BODY[:2], jsonld=jsonld, after=posts)


def test_the_json_ld_article_body_replaces_a_fragment(fetcher: Fetcher, feed_server: FeedServer) -> None:
    full = "\n".join(BODY[:2] + [f"{p} (suite {i})" for i, p in enumerate(BODY[2:] * 3)])
    url = publish(
        feed_server, "/a/expander.html", linked_posts(news(headline="Nuit d'attaques", articleBody=full))
    )
    _, extracted, article = take(fetcher, url)
    assert extracted is not None and extracted.text_source == "jsonld"
    assert "(suite 11)" in article.text and not article.partial


def test_an_extraction_nothing_completes_is_kept_and_flagged(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = publish(feed_server, "/a/expander-bare.html", linked_posts(None))
    summary = RunSummary()
    _, _, article = take(fetcher, url, summary=summary)
    assert article.partial and article.partial_reason == "extract:truncated"
    assert BODY[1][:60] in article.text  # the text found is kept, not replaced by the feed summary
    assert summary.stages["article"].reasons == {"accepted:partial": 1}


@pytest.mark.parametrize(
    "notice",
    [
        "Il vous reste 81 % de cet article à lire.",
        "Cet article est réservé à nos abonnés. Déjà inscrit ? Identifiez-vous.",
        "Pour lire la suite de cet article, abonnez-vous dès 1 € le premier mois.",
        "Subscribe to continue reading this story.",
    ],
)
def test_a_paywall_notice_flags_the_page_and_leaves_the_text(
    fetcher: Fetcher, feed_server: FeedServer, notice: str
) -> None:
    url = publish(
        feed_server, "/a/abonnes.html", page(BODY[:3], after=f"<div class='wall'><p>{notice}</p></div>")
    )
    _, _, article = take(fetcher, url)
    assert article.partial and article.partial_reason == "paywall"
    assert BODY[2][:60] in article.text and flat(notice) not in flat(article.text)


def test_json_ld_not_free_flags_the_page(fetcher: Fetcher, feed_server: FeedServer) -> None:
    ld = news(headline="Nuit d'attaques", isAccessibleForFree="False")
    _, _, article = take(fetcher, publish(feed_server, "/a/ld-wall.html", page(BODY[:3], jsonld=ld)))
    assert article.partial and article.partial_reason == "paywall" and BODY[0][:50] in article.text
    # hasPart with a paywalled section: the same
    ld = news(headline="Nuit", hasPart={"@type": "WebPageElement", "isAccessibleForFree": False})
    _, _, article = take(fetcher, publish(feed_server, "/a/ld-part.html", page(BODY[:3], jsonld=ld)))
    assert article.partial_reason == "paywall"


def test_subscriber_labels_in_a_link_list_are_no_paywall(fetcher: Fetcher, feed_server: FeedServer) -> None:
    sidebar = (
        "<div class='block-4'><ul>"
        "<li><a href='/x'>Le front sud avant l'hiver <span>Article réservé aux abonnés</span></a></li>"
        "<li><a href='/y'>Pourquoi Odessa tient <span>Article réservé aux abonnés</span></a></li></ul></div>"
    )
    _, _, article = take(fetcher, publish(feed_server, "/a/free.html", page(BODY, after=sidebar)))
    assert not article.partial and article.partial_reason is None


def test_a_short_paywalled_teaser_falls_back_to_the_summary_as_paywall(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    teaser = page(
        ["Les sirènes ont retenti peu après trois heures à Kharkiv."], jsonld=news(isAccessibleForFree=False)
    )
    url = publish(feed_server, "/a/teaser.html", teaser)
    item = FeedItem(
        guid="t", title="Nuit d'attaques", link=url, summary="Résumé du flux sur la nuit d'attaques."
    )
    _, _, article = take(fetcher, url, item)
    assert article.partial_reason == "paywall" and article.text == item.summary


CLUTTER = [
    "PASSER LA PUBLICITÉ",
    "Ignorer la pub",
    "L’article continue sous la publicité",
    "Voir les 3 nouveaux posts",
    "Retour en haut de la page",
    "Épinglé",
    "Partager sur WhatsApp",
    "Réagir (14)",
    "27 commentaires",
    "Soyez le premier à réagir",
    "© Veille Est 2025 — tous droits réservés",
    "Crédit photo : Sergiy Kolesnikov",
    "Avec AFP et Reuters",
    "À lire également : les dix jours qui ont changé le front de Zaporijia",
    "LIRE AUSSI | Notre carte des frappes depuis janvier",
    "Sur le même sujet",
    "Inscrivez-vous à notre newsletter Défense",
    "Publié le 4 juin 2025 à 10h02, mis à jour le 4 juin 2025 à 12h40",
]
# Sentences that open like clutter and are the article.
LOOKALIKES = [
    "À lire les communiqués du ministère, la défense aérienne a tenu toute la nuit malgré la fatigue des équipes.",
    "Partager le renseignement avec Kiev reste une priorité, a répété le ministre devant les députés.",
    "Publié en mai, le rapport de l'ONU recensait déjà quarante frappes sur des hôpitaux.",
]


def test_clutter_written_as_paragraphs_is_removed(fetcher: Fetcher, feed_server: FeedServer) -> None:
    paragraphs = [
        "ODESSA (Ukraine), 4 juin (AFP) — " + BODY[0],
        CLUTTER[0],
        BODY[1],
        *CLUTTER[1:9],
        BODY[2],
        LOOKALIKES[0],
        *CLUTTER[9:],
        BODY[3],
        *LOOKALIKES[1:],
        BODY[4],
    ]
    url = publish(feed_server, "/a/clutter.html", page(paragraphs))
    _, _, article = take(fetcher, url)
    lines = [flat(line) for line in article.text.split("\n")]
    assert [c for c in CLUTTER if flat(c) in lines] == []
    assert [b for b in BODY[:5] + LOOKALIKES if flat(b) not in lines] == []  # the slug cut, the body kept


def test_the_clutter_file_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "clutter.yaml"
    bad.write_text(
        "version: 1\nmax_line_chars: 300\ndrop_lines: {ads: ['(unclosed']}\nstrip_prefixes: {slugs: ['x']}\npaywall: ['y']\n"
    )
    with pytest.raises(ValueError, match=r"drop_lines\.ads\[0\]"):
        load_rules(bad)
    bad.write_text(
        "version: 1\nmax_line_chars: 300\ndrop_lines: {}\nstrip_prefixes: {slugs: ['x']}\npaywall: ['y']\n"
    )
    with pytest.raises(ValueError, match="drop_lines"):
        load_rules(bad)


# -- 3. bylines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("Bamako; Le", None),
        ("Publié le", None),
        ("Mis à jour le 4 juin 2025 à 12h40", None),
        ("BAMAKO — Par Awa Traoré", "Awa Traoré"),
        ("Par Olena Kovalenko, envoyée spéciale à Kharkiv", "Olena Kovalenko"),
        ("Par Olena Kovalenko et Marc Petit · 4 juin 2025", "Olena Kovalenko et Marc Petit"),
        ("Ana Lopez; Marc Petit", "Ana Lopez, Marc Petit"),
        ("Reuters; Bamako", "Reuters"),
        ("Rédaction", "Rédaction"),
        ("le 4 juin à 10:02", None),
    ],
)
def test_byline_fragments_are_not_authors(byline: str, name: str | None) -> None:
    assert clean_author(byline) == name


def test_a_byline_fragment_in_the_page_is_not_stored(fetcher: Fetcher, feed_server: FeedServer) -> None:
    url = publish(feed_server, "/a/byline.html", page(BODY, head='<meta name="author" content="Bamako; Le">'))
    _, _, article = take(fetcher, url)
    assert article.author is None
    ld = news(headline="Nuit", author={"@type": "Person", "name": "Par Awa Traoré · Publié le 4 juin"})
    _, _, article = take(fetcher, publish(feed_server, "/a/byline-ld.html", page(BODY, jsonld=ld)))
    assert article.author == "Awa Traoré"


# -- 4. dates --------------------------------------------------------------------------------------


def test_a_future_date_is_clamped_to_the_fetch_and_flagged(fetcher: Fetcher, feed_server: FeedServer) -> None:
    ld = news(headline="Nuit", datePublished="2033-06-04T10:02:00+02:00")
    fetched, _, article = take(fetcher, publish(feed_server, "/a/2033.html", page(BODY, jsonld=ld)))
    assert fetched.fetched_at is not None
    assert article.published == fetched.fetched_at and article.published.year < 2033
    assert article.published_source == "jsonld" and article.published_flags == ["future"]
    # a future feed date when the page failed: the same
    url = feed_server.url("/a/missing-page.html")
    item = FeedItem(guid="f", title="Nuit", link=url, published=datetime(2033, 1, 1, tzinfo=UTC))
    fetched, _, article = take(fetcher, url, item)
    assert article.published == fetched.fetched_at and article.published_source == "feed"
    assert article.published_flags == ["future"] and article.partial_reason == "fetch:http_404"


def test_a_missing_date_is_the_fetch_time_and_flagged(fetcher: Fetcher, feed_server: FeedServer) -> None:
    # "© 2023" in the footer is what trafilatura would have dated the page with (1 January)
    html = page(BODY).replace("Veille Est, 12 rue", "© 2023 Veille Est, 12 rue")
    fetched, extracted, article = take(fetcher, publish(feed_server, "/a/undated.html", html))
    assert extracted is not None and extracted.published is None
    assert article.published == fetched.fetched_at
    assert article.published_source == "fetch" and article.published_flags == ["missing"]


@pytest.mark.parametrize(
    ("path", "jsonld", "head", "feed_date", "source", "published", "flags"),
    [
        (
            "/a/meta.html",
            None,
            '<meta property="article:published_time" content="2025-06-04T08:02:00Z">',
            None,
            "meta",
            datetime(2025, 6, 4, 8, 2, tzinfo=UTC),
            [],
        ),
        (
            "/a/unparseable.html",
            news(headline="N", datePublished="hier soir"),
            '<meta property="article:published_time" content="2025-06-04T08:02:00+00:00">',
            None,
            "meta",
            datetime(2025, 6, 4, 8, 2, tzinfo=UTC),
            ["unparseable"],
        ),
        (
            "/a/feed-dated.html",
            None,
            "",
            datetime(2025, 6, 3, 22, 0, tzinfo=UTC),
            "feed",
            datetime(2025, 6, 3, 22, 0, tzinfo=UTC),
            [],
        ),
        ("/2025/06/04/nuit-kharkiv.html", None, "", None, "url", datetime(2025, 6, 4, tzinfo=UTC), []),
        (
            "/a/rfc2822.html",
            news(headline="N", datePublished="Wed, 04 Jun 2025 10:02:00 +0200"),
            "",
            datetime(2025, 6, 3, tzinfo=UTC),
            "jsonld",
            datetime(2025, 6, 4, 8, 2, tzinfo=UTC),
            [],
        ),
    ],
    ids=["meta", "unparseable-jsonld", "feed", "url", "rfc2822"],
)
def test_where_each_date_came_from(
    fetcher: Fetcher,
    feed_server: FeedServer,
    path: str,
    jsonld: dict | None,
    head: str,
    feed_date: datetime | None,
    source: str,
    published: datetime,
    flags: list[str],
) -> None:
    url = publish(feed_server, path, page(BODY, jsonld=jsonld, head=head))
    _, _, article = take(fetcher, url, FeedItem(guid=path, title="Nuit", link=url, published=feed_date))
    assert (article.published, article.published_source, article.published_flags) == (
        published,
        source,
        flags,
    )


# -- 5. one title whichever feed came first --------------------------------------------------------


def test_the_page_title_wins_over_each_feed_title(fetcher: Fetcher, feed_server: FeedServer) -> None:
    ld = news(headline="Kharkiv&nbsp;: une nuit\nd'attaques de drones", datePublished="2025-06-04T08:02:00Z")
    url = publish(feed_server, "/a/two-feeds.html", page(BODY, jsonld=ld))
    first = FeedItem(
        guid="1", title="URGENT - Kharkiv", link=url, published=datetime(2025, 6, 4, 9, tzinfo=UTC)
    )
    second = FeedItem(guid="2", title="Kharkiv, nuit d'attaques (direct)", link=url + "?xtor=RSS-3")
    titles = {take(fetcher, url, item)[2].title for item in (first, second)}
    dates = {take(fetcher, url, item)[2].published for item in (first, second)}
    assert titles == {"Kharkiv : une nuit d'attaques de drones"}
    assert dates == {datetime(2025, 6, 4, 8, 2, tzinfo=UTC)}
    # og:title when there is no JSON-LD; the feed's title when the page failed
    og = page(BODY, head='<meta property="og:title" content="Une nuit d’attaques sur Kharkiv">')
    _, _, article = take(fetcher, publish(feed_server, "/a/og.html", og), first)
    assert article.title == "Une nuit d’attaques sur Kharkiv"
    gone = feed_server.url("/a/gone.html")
    _, _, article = take(fetcher, gone, FeedItem(guid="3", title="URGENT - Kharkiv", link=gone))
    assert article.title == "URGENT - Kharkiv"


# -- markup that costs more than a page is worth ---------------------------------------------------


def test_hostile_markup_is_refused_with_a_reason_and_good_pages_flow(
    fetcher: Fetcher, site: HostileServer
) -> None:
    attributes = b"<div " + b" ".join(b"a%d=x" % i for i in range(100_000)) + b">x</div>"
    nested = b'<script type="application/ld+json">' + b"[" * 100_000 + b"</script>"
    routes = {
        "/attributes.html": page(BODY).encode().replace(b"<main>", b"<main>" + attributes),
        "/elements.html": b"<html><body>" + b"<b>x</b>" * 600_000 + b"</body></html>",
        "/nested-jsonld.html": page(BODY).encode().replace(b"</head>", nested + b"</head>"),
        "/controls.html": page(BODY).encode().replace(b"<h1>", b"<h1>\x00\x01\x1b\xef\xbf\xbe"),
        "/good.html": page(BODY).encode(),
    }
    for path, body in routes.items():
        site.route(path, respond(200, {"Content-Type": HTML}, body))
    summary = RunSummary()
    articles = {path: take(fetcher, site.url(path), summary=summary)[2] for path in routes}
    assert articles["/attributes.html"].partial_reason == "extract:too_many_attributes"
    assert articles["/elements.html"].partial_reason == "extract:too_many_elements"
    for path in ("/nested-jsonld.html", "/controls.html", "/good.html"):
        assert not articles[path].partial and BODY[4][:60] in articles[path].text, path
    extraction = summary.stages["extraction"]
    assert extraction.reasons == {"refused:extract": 2} and extraction.accepted == 3
    refused = {(f.stage, f.reason) for f in summary.failures if f.stage == "extraction"}
    assert refused == {
        ("extraction", "extract:too_many_attributes"),
        ("extraction", "extract:too_many_elements"),
    }
