"""Article-page attacks and faults (issue 13: decoding, extraction, page metadata). Each `run()`
serves a page from `tests/hostile_server.py`, fetches it with the real `Fetcher`, then
`decode_html` -> `extract_article` -> `build_article`, and returns what it saw.

    python -m bench.attacks stray_byte_utf8 many_attributes_100k ...

The module also runs against the code before issue 13 (d27cdbb, where `Settings` lived in
`vigie.config` and `extract_article` answered None) to measure the "before" figures:

    cd <old worktree> && PYTHONPATH=<old worktree>:<this checkout>/tests:<this checkout> \\
        python -c 'from bench.attacks.page import ATTACKS; ...'
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from bench.attacks import Attack

TIMEOUT = 10.0  # what one page may cost, fetch and extraction together
HTML = "text/html; charset=utf-8"
BODY = [
    "Les sirènes ont retenti peu après trois heures du matin dans le quartier de Saltivka, au nord-est "
    "de Kharkiv, où deux immeubles d'habitation ont été touchés par des drones de fabrication iranienne.",
    "Selon le gouverneur de la région, les équipes de secours ont dégagé onze personnes des décombres ; "
    "quatre d'entre elles ont été transportées à l'hôpital régional dans un état jugé sérieux.",
    "L'état-major ukrainien affirme que la défense antiaérienne a abattu dix-neuf des vingt-six engins "
    "lancés pendant la nuit depuis la région de Koursk, un chiffre que Moscou n'a pas commenté.",
    "Des diplomates européens réunis à Varsovie ont dénoncé une frappe nucléaire évoquée la veille par "
    "un responsable russe à la télévision publique, y voyant une tentative d'intimidation assumée.",
]


def _page(body: str, *, jsonld: dict[str, Any] | None = None, head: str = "", after: str = "") -> str:
    ld = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Nuit</title>{ld}{head}</head>'
        f"<body><main><article><h1>Nuit d'attaques sur Kharkiv</h1>{body}{after}</article></main></body></html>"
    )


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def _settings() -> Any:
    try:
        from vigie.core.settings import Settings
    except ImportError:  # before issue 13
        from vigie.config import Settings  # type: ignore[import-not-found,no-redef]
    return Settings()


def _take(
    body: bytes, content_type: str = HTML, *, feed_title: str = "Titre du flux"
) -> tuple[Any, Any, Any]:
    """Serve `body`, then fetch -> decode -> extract -> build_article: (fetched, extracted, article)."""
    from hostile_server import HostileServer, respond

    from ingest.article import build_article
    from ingest.extract import decode_html, extract_article
    from ingest.feeds import Feed
    from ingest.fetch import Fetcher
    from ingest.parse import FeedItem

    os.environ.setdefault("VIGIE_STATE_DIR", tempfile.mkdtemp(prefix="vigie-attack-"))
    os.environ["VIGIE_FETCH_HOST_DELAY"] = "0"
    with HostileServer() as site:
        url = site.route("/page.html", respond(200, {"Content-Type": content_type}, body))
        os.environ["VIGIE_ALLOW_HOSTS"] = f"127.0.0.1:{site.port},127.0.0.1"  # host-only before
        fetched = Fetcher(_settings()).fetch(url)
    extracted = None
    if fetched.content is not None and not fetched.error:
        extracted = extract_article(decode_html(fetched.content, fetched.content_type), url)
    feed = Feed(
        name="f", title="f", url=url, language="fr", country="FR", poll_interval_minutes=5, category="live"
    )
    article = build_article(FeedItem(guid="1", title=feed_title, link=url), feed, fetched, extracted)
    return fetched, extracted, article


def _outcome(article: Any) -> str:
    reason = f"partial: {article.partial_reason}" if article.partial else "complete"
    return f"{reason}, {len(article.text)} chars"


# -- decoding ---------------------------------------------------------------------------------------


def stray_byte_utf8() -> str:
    """A UTF-8 page with one invalid byte: decoded as UTF-8, or all of it as another charset?"""
    raw = _page(_paragraphs(BODY)).encode().replace(b"Saltivka", b"Salt\xefvka")
    _, _, article = _take(raw)
    garbled = "Ã" in article.text
    found = "frappe nucléaire" in article.text
    return (
        f"garbled: {garbled}, 'frappe nucléaire' in text: {found}, U+FFFD: {article.text.count(chr(0xFFFD))}"
    )


# -- extraction -------------------------------------------------------------------------------------


def truncated_extraction() -> str:
    """Posts in bordered boxes: trafilatura's precision setting keeps the opening only."""
    boxes = "".join(
        f"<section><div style='border-left:2px solid'><p>{i:02d}:15 — {BODY[i % 4]} ({i})</p></div></section>"
        for i in range(12)
    )
    intro = f"<div class='article-body'>{_paragraphs(BODY[:2])}</div>"
    _, _, article = _take(_page(intro + boxes).encode())
    kept = sum(f"({i})" in article.text for i in range(12))
    return f"{kept}/12 posts kept, {_outcome(article)}"


def paywall_jsonld() -> str:
    ld = {"@type": "NewsArticle", "headline": "Nuit", "isAccessibleForFree": "False"}
    return _outcome(_take(_page(_paragraphs(BODY[:3]), jsonld=ld).encode())[2])


def paywall_notice() -> str:
    notice = "<div class='wall'><p>Il vous reste 81 % de cet article à lire.</p></div>"
    article = _take(_page(_paragraphs(BODY[:3]), after=notice).encode())[2]
    return f"{_outcome(article)}, notice in text: {'81 %' in article.text}"


CLUTTER = [
    "PASSER LA PUBLICITÉ",
    "L’article continue sous la publicité",
    "Voir les 3 nouveaux posts",
    "Partager sur WhatsApp",
    "Réagir (14)",
    "27 commentaires",
    "© Veille Est 2025 — tous droits réservés",
    "À lire également : les dix jours qui ont changé le front",
    "Publié le 4 juin 2025 à 10h02",
    "ODESSA, 4 juin (AFP) —",
]


def clutter_paragraphs() -> str:
    lines = [line for pair in zip(BODY * 3, CLUTTER, strict=False) for line in pair]
    lines[-1] = "ODESSA, 4 juin (AFP) — " + BODY[0]
    article = _take(_page(_paragraphs(lines)).encode())[2]
    leaked = sum(line in article.text for line in CLUTTER)
    return f"{leaked}/{len(CLUTTER)} clutter lines leaked"


# -- page metadata ----------------------------------------------------------------------------------


def byline_fragment() -> str:
    article = _take(_page(_paragraphs(BODY), head='<meta name="author" content="Bamako; Le">').encode())[2]
    return f"author: {article.author!r}"


def future_date() -> str:
    ld = {"@type": "NewsArticle", "headline": "Nuit", "datePublished": "2033-06-04T10:02:00+02:00"}
    fetched, _, article = _take(_page(_paragraphs(BODY), jsonld=ld).encode())
    clamped = article.published == fetched.fetched_at
    flags = getattr(article, "published_flags", None)
    return f"published {article.published:%Y-%m-%d}, clamped to fetch: {clamped}, flags: {flags}"


def missing_date() -> str:
    page = _page(_paragraphs(BODY), after="<footer>© 2023 Veille Est</footer>")
    fetched, _, article = _take(page.encode())
    when = f"{article.published:%Y-%m-%d %H:%M}" if article.published else None
    source = getattr(article, "published_source", None)
    return f"published {when}, source {source}, flags {getattr(article, 'published_flags', None)}"


def title_first_feed() -> str:
    """One page in two feeds: does the first feed decide the title?"""
    ld = {"@type": "NewsArticle", "headline": "Une nuit d'attaques de drones sur Kharkiv"}
    page = _page(_paragraphs(BODY), jsonld=ld).encode()
    titles = {_take(page, feed_title=title)[2].title for title in ("URGENT - Kharkiv", "Kharkiv (direct)")}
    return f"{len(titles)} title(s): {sorted(titles)}"


# -- markup that costs more than a page is worth ----------------------------------------------------


def _costly(body: bytes) -> str:
    _, extracted, article = _take(body)
    refused = getattr(extracted, "refused", None) if extracted is not None else "None (no text)"
    return f"refused: {refused}, article {_outcome(article)}"


def many_attributes_100k() -> str:
    tag = b"<div " + b" ".join(b"a%d=x" % i for i in range(100_000)) + b">x</div>"
    return _costly(_page(_paragraphs(BODY)).encode().replace(b"<main>", b"<main>" + tag))


def many_elements_5mb() -> str:
    return _costly(b"<html><body><article>" + b"<b>x</b>" * 600_000 + b"</article></body></html>")


def many_meta_150k() -> str:
    metas = b"<meta name='x' content='y'>" * 150_000
    return _costly(_page(_paragraphs(BODY)).encode().replace(b"</head>", metas + b"</head>"))


def paragraphs_5mb() -> str:
    p = "<p>Le paragraphe décrit longuement la situation militaire autour de Kharkiv.</p>".encode()
    return _costly(b"<html><body><article>" + p * (4_800_000 // len(p)) + b"</article></body></html>")


def deep_jsonld() -> str:
    nested = b'<script type="application/ld+json">' + b"[" * 100_000 + b"</script>"
    try:
        return _costly(_page(_paragraphs(BODY)).encode().replace(b"</head>", nested + b"</head>"))
    except RecursionError:
        return "CRASH RecursionError out of extract_article"


ATTACKS = [
    Attack("stray_byte_utf8", stray_byte_utf8, timeout=TIMEOUT),
    Attack("truncated_extraction", truncated_extraction, timeout=TIMEOUT),
    Attack("paywall_jsonld", paywall_jsonld, timeout=TIMEOUT),
    Attack("paywall_notice", paywall_notice, timeout=TIMEOUT),
    Attack("clutter_paragraphs", clutter_paragraphs, timeout=TIMEOUT),
    Attack("byline_fragment", byline_fragment, timeout=TIMEOUT),
    Attack("future_date", future_date, timeout=TIMEOUT),
    Attack("missing_date", missing_date, timeout=TIMEOUT),
    Attack("title_first_feed", title_first_feed, timeout=TIMEOUT),
    Attack("many_attributes_100k", many_attributes_100k, timeout=TIMEOUT),
    Attack("many_elements_5mb", many_elements_5mb, timeout=TIMEOUT),
    Attack("many_meta_150k", many_meta_150k, timeout=TIMEOUT),
    Attack("paragraphs_5mb", paragraphs_5mb, timeout=TIMEOUT),
    Attack("deep_jsonld", deep_jsonld, timeout=TIMEOUT),
]
