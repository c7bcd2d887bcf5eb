"""The benchmark corpus as a news site: article pages with realistic clutter and RSS 2.0 feeds
of at most `MAX_FEED_ITEMS` items, links under `{BASE_URL}`."""

from __future__ import annotations

import email.utils
import html
import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.corpus_templates import count_words, load_vocab, person, slugify

MAX_FEED_ITEMS = 200


@dataclass
class GeneratedArticle:
    """One article of the plan (`bench.corpus`): its text, and where it is served once placed."""

    number: int
    kind: str
    outlet: dict[str, str]
    published: datetime
    title: str
    paragraphs: list[str]
    intertitles: dict[int, str]  # paragraph index -> heading before it
    author: str
    section: str
    slug: str
    encoding: str = "utf-8"
    duplicate_of: int | None = None
    tracked: bool = False
    path: str = ""
    feed: str = ""
    related: list[int] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(count_words(p) for p in self.paragraphs)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def render_page(article: GeneratedArticle, articles: list[GeneratedArticle]) -> str:
    vocab = load_vocab()
    clutter = vocab["clutter"]
    rng = random.Random(f"page:{article.path}")
    outlet = article.outlet
    slug = outlet["slug"]
    lang = "en" if article.kind == "non_french" else "fr"
    published = article.published.isoformat()
    description = article.paragraphs[0].split(". ")[0]
    related = [articles[i] for i in article.related if i != article.number]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": description,
        "datePublished": published,
        "dateModified": published,
        "inLanguage": lang,
        "articleSection": article.section,
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": outlet["name"]},
    }
    nav = "\n".join(
        f'        <li><a href="/{slug}/{slugify(item)}/">{_e(item)}</a></li>' for item in clutter["nav"]
    )
    body_parts: list[str] = []
    middle = max(2, len(article.paragraphs) // 2)
    for index, paragraph in enumerate(article.paragraphs):
        if index in article.intertitles:
            body_parts.append(f"        <h2>{_e(article.intertitles[index])}</h2>")
        body_parts.append(f"        <p>{_e(paragraph)}</p>")
        if index == middle and related:
            links = "".join(f'<li><a href="{r.path}">{_e(r.title)}</a></li>' for r in related)
            body_parts.append(
                f'        <aside class="{slug}-lire-aussi"><strong>À lire aussi</strong><ul>{links}</ul></aside>'
            )
        if index == 1 and rng.random() < 0.5:
            promo = rng.choice(clutter["promo"])
            body_parts.append(
                f'        <div class="promo-native"><a href="/partenaires/">{_e(promo)}</a></div>'
            )
    comments = "\n".join(
        f'        <li class="comment"><span class="comment__author">{_e(person(rng))}</span>'
        f'<p class="comment__text">{_e(text)}</p></li>'
        for text in rng.sample(clutter["comments"], rng.randint(2, 5))
    )
    most_read = "".join(f'<li><a href="{r.path}">{_e(r.title)}</a></li>' for r in related[:2])
    footer = " | ".join(f'<a href="/{slug}/{slugify(item)}/">{_e(item)}</a>' for item in clutter["footer"])
    newsletter = rng.choice(clutter["newsletter"])
    charset = article.encoding
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="{charset}">
  <title>{_e(article.title)} | {_e(outlet["name"])}</title>
  <meta name="description" content="{_e(description)}">
  <meta name="author" content="{_e(article.author)}">
  <link rel="canonical" href="{article.path}">
  <meta property="og:type" content="article">
  <meta property="og:site_name" content="{_e(outlet["name"])}">
  <meta property="og:title" content="{_e(article.title)}">
  <meta property="article:published_time" content="{published}">
  <meta property="article:section" content="{_e(article.section)}">
  <script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
  <link rel="stylesheet" href="/static/{slug}.css">
  <script async src="/static/analytics.js"></script>
</head>
<body class="{slug} page-article">
  <div id="cookie-banner" role="dialog"><p>{_e(clutter["cookie"])}</p><button>Accepter</button><button>Refuser</button></div>
  <header class="site-header">
    <a class="logo" href="/{slug}/">{_e(outlet["name"])}</a>
    <a href="/abonnement/">S’abonner</a> <a href="/connexion/">Se connecter</a>
    <nav class="main-nav" aria-label="Menu principal">
      <ul>
{nav}
      </ul>
    </nav>
  </header>
  <main>
    <nav class="breadcrumb"><a href="/{slug}/">Accueil</a> › <a href="/{slug}/{slugify(article.section)}/">{_e(article.section)}</a></nav>
    <article class="article">
      <h1>{_e(article.title)}</h1>
      <div class="meta">Par <a rel="author" href="/auteurs/{slugify(article.author)}/">{_e(article.author)}</a>
        <time datetime="{published}">{article.published:%d/%m/%Y %H:%M}</time></div>
      <div class="share"><a href="https://www.facebook.com/sharer/sharer.php?u={article.path}">Facebook</a> <a href="https://x.com/intent/post?url={article.path}">X</a> <button>Copier le lien</button></div>
      <div class="article-body">
{chr(10).join(body_parts)}
      </div>
      <div class="tags">Mots-clés : <a href="/sujets/{slugify(article.section)}/">{_e(article.section)}</a></div>
    </article>
    <section class="newsletter-box">
      <h3>Newsletter</h3>
      <p>{_e(newsletter)}</p>
      <form action="/newsletter/"><input type="email" name="email" placeholder="Votre adresse e-mail"><button>S’inscrire</button></form>
    </section>
    <section class="comments">
      <h2>Commentaires</h2>
      <ul>
{comments}
      </ul>
    </section>
    <aside class="sidebar"><h3>Les plus lus</h3><ol>{most_read}</ol></aside>
  </main>
  <footer class="site-footer">
    <p>{footer}</p>
    <p>© {article.published.year} {_e(outlet["name"])}. Tous droits réservés.</p>
  </footer>
</body>
</html>
"""


def _link(article: GeneratedArticle) -> str:
    link = "{BASE_URL}" + article.path
    if article.tracked:
        medium = "syndication" if article.kind == "exact_dup" else "feed"
        link += f"?utm_source=rss&utm_medium={medium}&utm_campaign={article.outlet['slug']}&xtor=RSS-{article.number % 9000 + 1000}"
    return link


def render_feed(path: str, outlet: dict[str, str], items: list[GeneratedArticle]) -> str:
    entries = []
    for article in items:
        entries.append(f"""    <item>
      <title>{_e(article.title)}</title>
      <link>{_e(_link(article))}</link>
      <guid isPermaLink="false">{outlet["slug"]}:article:{article.number:06d}</guid>
      <pubDate>{email.utils.format_datetime(article.published)}</pubDate>
      <dc:creator>{_e(article.author)}</dc:creator>
      <category>{_e(article.section)}</category>
      <description>{_e(article.paragraphs[0].split(". ")[0])}</description>
    </item>""")
    newest = max(a.published for a in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>{_e(outlet["name"])} – {_e(Path(path).stem)}</title>
    <link>{{BASE_URL}}/{outlet["slug"]}/</link>
    <description>Les derniers articles de {_e(outlet["name"])}.</description>
    <language>fr-FR</language>
    <lastBuildDate>{email.utils.format_datetime(newest)}</lastBuildDate>
    <atom:link href="{{BASE_URL}}{path}" rel="self" type="application/rss+xml"/>
{chr(10).join(entries)}
  </channel>
</rss>
"""


def assign_feeds(
    articles: list[GeneratedArticle],
) -> dict[str, tuple[dict[str, str], list[GeneratedArticle]]]:
    """Per outlet, its articles in ceil(count / 200) feeds, round-robin by publication time."""
    feeds: dict[str, tuple[dict[str, str], list[GeneratedArticle]]] = {}
    for outlet in load_vocab()["outlets"]:
        own = sorted(
            (a for a in articles if a.outlet["slug"] == outlet["slug"]), key=lambda a: (a.published, a.number)
        )
        if not own:
            continue
        count = math.ceil(len(own) / MAX_FEED_ITEMS)
        for k in range(count):
            path = f"/feeds/{outlet['slug']}-{k:02d}.xml"
            items = own[k::count]
            for article in items:
                article.feed = path
            feeds[path] = (outlet, sorted(items, key=lambda a: (a.published, a.number), reverse=True))
    return dict(sorted(feeds.items()))
