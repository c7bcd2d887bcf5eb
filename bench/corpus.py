"""A synthetic French news corpus for benchmarks, served by `vigie.dev.feedserver.FeedServer`.

`generate(n, seed, out_dir)` writes N articles written from the templates and vocabulary of
`bench/vocab.yaml` (plus sentences of the fixture articles in `sample_corpus/texts`):

    out_dir/
      corpus.json        parameters, counts, feed list (written last: its presence = complete)
      manifest.jsonl     one line per article: path, feed, kind, duplicate_of, words, ...
      feeds.yaml         registry for `ingest.feeds.load_feeds(path, base_url=...)`
      site/              FeedServer document root
        _headers.json    Content-Type of feeds and of the windows-1252 pages
        feeds/<outlet>-<k>.xml   RSS 2.0, at most 200 items each, links under {BASE_URL}
        <outlet>/<yyyy>/<mm>/<dd>/<slug>-<nnnnnn>.html   pages with realistic clutter

Kinds: `original` (French), `exact_dup` (same title and text at another outlet's URL, feed link
with tracking parameters), `near_dup` (a few words edited and a new headline), `non_french`
(English wire copy). Everything is drawn from `random.Random` seeded by `seed` and the article
number, never from the clock: the same (n, seed) gives the same bytes.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import json
import math
import os
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from vigie.core.settings import REPO_ROOT

GENERATOR_VERSION = 2
VOCAB_FILE = Path(__file__).with_name("vocab.yaml")
SEED_TEXTS = REPO_ROOT / "sample_corpus" / "texts"
DEFAULT_ROOT = Path(os.environ.get("VIGIE_BENCH_DIR", "/var/tmp/vigie"))
MAX_FEED_ITEMS = 200
MIN_WORDS, MAX_WORDS = 400, 700
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 6, 12
EPOCH = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)  # first publication
# A constant publication rate, as from a fixed set of feeds: 10,000 articles span 7 weeks and
# 1,000 span 5 days, so time-windowed lookups (stories) see the same density at every size
# and only the index grows.
ARTICLES_PER_DAY = 200
MIN_SPAN = timedelta(days=2)
CP1252_RATE = 0.02  # pages served as windows-1252 (older CMSs)
TRACKED_ORIGINAL_RATE = 0.3  # original links carrying tracking parameters in the feed
MIDDLE_KINDS = (
    "bilan",
    "defense",
    "reaction",
    "international",
    "diplomatie",
    "contexte",
    "analyse",
    "temoignage",
    "humanitaire",
)
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_VOWELS = tuple("AEIOUYÂÀÉÈÊÎÏÔÛÜaeiouyâàéèêîïôûü")
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


@dataclass
class CorpusInfo:
    """What `generate` wrote; `corpus.json` holds the same fields."""

    root: Path
    n: int
    seed: int
    dup_rate: float
    near_dup_rate: float
    non_french_rate: float
    counts: dict[str, int]  # kind -> articles
    feeds: list[str]  # feed paths on the site, e.g. "/feeds/le-veilleur-00.xml"
    feed_items: dict[str, int]  # feed path -> items
    version: int = GENERATOR_VERSION
    digest: str = ""  # sha256 over every file written (paths and bytes), in sorted order
    sources: str = ""  # sha256 of what the corpus is written from: a change means regenerate

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def feeds_file(self) -> Path:
        return self.root / "feeds.yaml"

    @property
    def manifest_file(self) -> Path:
        return self.root / "manifest.jsonl"

    def manifest(self) -> Iterator[dict[str, Any]]:
        """The manifest records, one per article, streamed."""
        with self.manifest_file.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    def to_json(self) -> str:
        data = asdict(self)
        data["root"] = str(self.root)
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def load(cls, root: Path) -> CorpusInfo:
        data = json.loads((root / "corpus.json").read_text(encoding="utf-8"))
        data["root"] = root
        return cls(**data)


@dataclass
class _Story:
    """The facts one article (and its copies) is written about."""

    theatre: str
    slots: dict[str, str]
    section: str


@dataclass
class _Article:
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
        return sum(_count_words(p) for p in self.paragraphs)


def default_dir(n: int, seed: int) -> Path:
    return DEFAULT_ROOT / f"bench-corpus-{n}-{seed}"


def sources_digest() -> str:
    """sha256 of the generator, its vocabulary and the fixture texts."""
    digest = hashlib.sha256()
    for path in [Path(__file__), VOCAB_FILE, *sorted(SEED_TEXTS.glob("*.txt"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _vocab() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _seed_sentences() -> tuple[str, ...]:
    """Sentences of the fixture articles, 12-40 words, used as Ukraine background."""
    sentences: list[str] = []
    for path in sorted(SEED_TEXTS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
                words = _count_words(sentence)
                if 12 <= words <= 40 and sentence[:1].isupper() and sentence.endswith("."):
                    sentences.append(sentence)
    return tuple(sentences)


def _count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _de(name: str) -> str:
    """French "de" before a name: "de Kiev", "d’Odessa", "des pourparlers"."""
    if name.startswith("des "):
        return name
    if name.startswith("le "):
        return "du " + name[3:]
    if name.startswith("les "):
        return "des " + name[4:]
    return ("d’" if name.startswith(_VOWELS) else "de ") + name


def _a(name: str) -> str:
    if name.startswith("le "):
        return "au " + name[3:]
    if name.startswith("les "):
        return "aux " + name[4:]
    return "à " + name


def _capitalised(slots: dict[str, str]) -> dict[str, str]:
    out = dict(slots)
    for key, value in slots.items():
        out[key[:1].upper() + key[1:]] = value[:1].upper() + value[1:]
    return out


def _person(rng: random.Random) -> str:
    vocab = _vocab()
    return f"{rng.choice(vocab['first_names'])} {rng.choice(vocab['last_names'])}"


def _count_phrase(value: int, one: str, many: str, none: str) -> str:
    if value == 0:
        return none
    return one if value == 1 else f"{value} {many}"


def _story(rng: random.Random, published: datetime) -> _Story:
    vocab = _vocab()
    theatre_name = rng.choice(sorted(vocab["theatres"]))
    theatre = vocab["theatres"][theatre_name]
    attacker, target = rng.sample(theatre["sides"], 2)
    place, place2 = rng.sample(target["places"], 2)
    weapon, weapon2 = rng.sample(theatre["weapons"], 2)
    mediation = rng.choice(theatre["mediation"])
    launched = int(math.exp(rng.uniform(math.log(4), math.log(600))))
    intercepted = max(1, int(launched * rng.uniform(0.45, 0.95)))
    killed = min(int(rng.expovariate(1 / 6)), 80)
    injured = killed * rng.randint(1, 4) + rng.randint(0, 12)
    earlier = published - timedelta(days=rng.randint(9, 120))
    slots = {
        "lieu": place,
        "a_lieu": _a(place),
        "de_lieu": _de(place),
        "lieu2": place2,
        "de_lieu2": _de(place2),
        "arme": weapon,
        "arme2": weapon2,
        "mediation": mediation,
        "mediation_de": _de(mediation),
        "n": str(launched),
        "m": str(intercepted),
        "k": str(killed),
        "b": str(injured),
        "morts": _count_phrase(killed, "un mort", "morts", "aucun mort"),
        "blesses": _count_phrase(injured, "un blessé", "blessés", "aucun blessé"),
        "jour": rng.choice(vocab["days"]),
        "date": f"{earlier.day} {MONTHS[earlier.month - 1]} {earlier.year}",
        "mois": MONTHS[earlier.month - 1],
        "heures": str(rng.randint(2, 9)),
        "pourcent": str(rng.randint(8, 65)),
        "km": str(rng.randint(15, 900)),
        "etages": str(rng.randint(4, 16)),
        "maisons": str(rng.randint(2, 30)),
        "frequence": str(rng.randint(5, 60)),
        "explosions": str(rng.randint(3, 25)),
        "deplaces": f"{rng.randint(2, 300) * 1000:,}".replace(",", "\u202f"),
        "delai": str(rng.randint(2, 14)),
        "source": rng.choice(vocab["sources"]),
        "orga": rng.choice(vocab["orgas"]),
        "expert": f"{_person(rng)}, {rng.choice(vocab['institutes'])}",
        "temoin": f"{_person(rng).split()[0]}, {rng.choice(vocab['witness_roles'])}",
    }
    for prefix, side in (("att", attacker), ("cib", target)):
        slots[prefix] = side["name"]
        slots[f"{prefix}_de"] = side["de"]
        for key in ("army", "leader", "leader_title", "spokesman", "defence", "capital"):
            slots[f"{prefix}_{key}"] = side[key]
    return _Story(theatre=theatre_name, slots=_capitalised(slots), section=theatre["section"])


@cache
def _synonyms() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for group in _vocab()["synonyms"]:
        for form in group:
            groups[form] = group
    forms = sorted(groups, key=len, reverse=True)
    alternation = "|".join(f"[{re.escape(f[0])}{re.escape(f[0].upper())}]{re.escape(f[1:])}" for f in forms)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), groups


def _reword(rng: random.Random, text: str) -> str:
    """Each listed form rewritten to a random form of its group (capital kept)."""
    pattern, groups = _synonyms()

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        choice = rng.choice(groups[found[:1].lower() + found[1:]])
        return choice[:1].upper() + choice[1:] if found[:1].isupper() else choice

    return pattern.sub(swap, text)


def _fill(template: str, slots: dict[str, str]) -> str:
    text = _SLOT.sub(lambda m: slots[m.group(1)], template)
    return text[:1].upper() + text[1:]


def _pool(kind: str, story: _Story) -> list[str]:
    pool = list(_vocab()["paragraphs"][kind])
    if kind == "contexte" and story.theatre == "ukraine":
        pool.extend(_seed_sentences())
    return pool


def _body(rng: random.Random, story: _Story) -> tuple[list[str], dict[int, str]]:
    """6-12 paragraphs, 400-700 words; no sentence used twice in one article."""
    vocab = _vocab()
    count = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
    middle = [rng.choice(MIDDLE_KINDS) for _ in range(count - 2)]
    kinds = ["lede", *middle, "perspective"]
    pools = {kind: rng.sample(_pool(kind, story), len(_pool(kind, story))) for kind in set(kinds)}
    target = rng.randint(MIN_WORDS + 40, MAX_WORDS - 60)
    per_paragraph = max(1, round(target / 19 / count))
    for kind in MIDDLE_KINDS:
        pools.setdefault(kind, rng.sample(_pool(kind, story), len(_pool(kind, story))))
    paragraphs: list[list[str]] = []
    for kind in kinds:
        if not pools[kind]:  # that kind is used up: another one with sentences left
            kind = max(MIDDLE_KINDS, key=lambda k: len(pools[k]))
        take = max(1, per_paragraph + rng.randint(-1, 1))
        paragraphs.append([_fill(pools[kind].pop(), story.slots) for _ in range(min(take, len(pools[kind])))])
    # Top up or trim to land inside [MIN_WORDS, MAX_WORDS] (template lengths vary).
    words = sum(_count_words(" ".join(p)) for p in paragraphs)
    index = 0
    while words < MIN_WORDS + 10:
        kind = MIDDLE_KINDS[rng.randrange(len(MIDDLE_KINDS))]
        if pools[kind]:
            sentence = _fill(pools[kind].pop(), story.slots)
            paragraphs[1 + index % (count - 2)].append(sentence)
            words += _count_words(sentence)
            index += 1
    while words > MAX_WORDS - 10:
        longest = max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]))
        words -= _count_words(paragraphs[longest].pop())
    texts = [_reword(rng, " ".join(p)) for p in paragraphs]
    intertitles: dict[int, str] = {}
    titles = rng.sample(vocab["intertitles"], len(vocab["intertitles"]))
    for position in range(2, len(texts) - 1, 3):
        intertitles[position] = titles.pop()
    return texts, intertitles


def _headline(rng: random.Random, story: _Story, avoid: str = "") -> str:
    choices = [h for h in _vocab()["headlines"] if _fill(h, story.slots) != avoid]
    return _fill(rng.choice(choices), story.slots)


def _english(rng: random.Random) -> tuple[str, list[str]]:
    vocab = _vocab()["english"]
    slots = {
        "lieu_en": rng.choice(vocab["places"]),
        "att_en": rng.choice(vocab["actors"]),
        "arme_en": rng.choice(vocab["weapons"]),
        "n": str(rng.randint(5, 500)),
        "k": str(rng.randint(1, 40)),
    }
    slots["m"] = str(max(1, int(int(slots["n"]) * rng.uniform(0.5, 0.9))))
    sentences = rng.sample(vocab["sentences"], len(vocab["sentences"]))
    count = rng.randint(MIN_PARAGRAPHS, 8)
    paragraphs = [" ".join(_fill(s, slots) for s in sentences[i::count]) for i in range(count)]
    return _fill(rng.choice(vocab["headlines"]), slots), paragraphs


def _near_copy(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """The same text with 3-5 words edited, as a re-edited wire copy."""
    vocab = _vocab()
    edited = list(paragraphs)
    for _ in range(rng.randint(3, 5)):
        index = rng.randrange(len(edited))
        replacements = [(a, b) for a, b in vocab["near_dup_edits"] if a in edited[index]]
        if replacements:
            old, new = rng.choice(replacements)
            edited[index] = edited[index].replace(old, new, 1)
        else:
            words = edited[index].split(" ")
            at = rng.randrange(1, len(words))
            words.insert(at, rng.choice(vocab["near_dup_adverbs"]))
            edited[index] = " ".join(words)
    return edited


def _slugify(title: str) -> str:
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_title)
    return "-".join(words[:9]) or "article"


def _kinds(n: int, rates: dict[str, float], rng: random.Random) -> list[str]:
    counts = {kind: round(n * rate) for kind, rate in rates.items()}
    counts["original"] = n - sum(counts.values())
    if counts["original"] < 1:
        raise ValueError(f"rates {rates} leave no original article for n={n}")
    rest = [kind for kind, count in counts.items() for _ in range(count - (kind == "original"))]
    rng.shuffle(rest)
    return ["original", *rest]  # a copy needs an original before it


def _articles(n: int, seed: int, rates: dict[str, float]) -> list[_Article]:
    vocab = _vocab()
    rng = random.Random(f"vigie-bench:{seed}:plan")
    kinds = _kinds(n, rates, rng)
    span_minutes = int(max(MIN_SPAN, timedelta(days=n / ARTICLES_PER_DAY)).total_seconds() // 60)
    outlets = vocab["outlets"]
    articles: list[_Article] = []
    stories: dict[int, _Story] = {}
    originals: list[int] = []
    copied: set[int] = set()
    for number, kind in enumerate(kinds):
        art_rng = random.Random(f"vigie-bench:{seed}:article:{number}")
        published = EPOCH + timedelta(minutes=art_rng.randrange(span_minutes))
        outlet = art_rng.choice(outlets)
        if kind in ("exact_dup", "near_dup") and originals:
            fresh = [o for o in originals if o not in copied]
            source = art_rng.choice(fresh or originals)
            copied.add(source)
            original = articles[source]
            story = stories[source]
            published = original.published + timedelta(minutes=art_rng.randint(45, 720))
            outlet = art_rng.choice([o for o in outlets if o["slug"] != original.outlet["slug"]])
            if kind == "exact_dup":
                title, paragraphs, intertitles = (
                    original.title,
                    list(original.paragraphs),
                    dict(original.intertitles),
                )
            else:
                title = _headline(art_rng, story, avoid=original.title)
                paragraphs, intertitles = _near_copy(art_rng, original.paragraphs), dict(original.intertitles)
            article = _Article(
                number=number,
                kind=kind,
                outlet=outlet,
                published=published,
                title=title,
                paragraphs=paragraphs,
                intertitles=intertitles,
                author=_person(art_rng),
                section=original.section,
                slug=_slugify(title),
                duplicate_of=source,
                tracked=True,
            )
        elif kind == "non_french":
            title, paragraphs = _english(art_rng)
            article = _Article(
                number=number,
                kind=kind,
                outlet=outlet,
                published=published,
                title=title,
                paragraphs=paragraphs,
                intertitles={},
                author=_person(art_rng),
                section="World",
                slug=_slugify(title),
                tracked=art_rng.random() < TRACKED_ORIGINAL_RATE,
            )
        else:
            story = _story(art_rng, published)
            paragraphs, intertitles = _body(art_rng, story)
            title = _headline(art_rng, story)
            stories[number] = story
            originals.append(number)
            article = _Article(
                number=number,
                kind="original",
                outlet=outlet,
                published=published,
                title=title,
                paragraphs=paragraphs,
                intertitles=intertitles,
                author=_person(art_rng),
                section=story.section,
                slug=_slugify(title),
                tracked=art_rng.random() < TRACKED_ORIGINAL_RATE,
            )
        if art_rng.random() < CP1252_RATE:
            article.encoding = "windows-1252"
        day = article.published
        article.path = f"/{outlet['slug']}/{day:%Y/%m/%d}/{article.slug}-{number:06d}.html"
        articles.append(article)
    for article in articles:
        rng_related = random.Random(f"vigie-bench:{seed}:related:{article.number}")
        article.related = rng_related.sample(range(n), min(3, n))
    return articles


# -- rendering ---------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _page(article: _Article, articles: list[_Article]) -> str:
    vocab = _vocab()
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
        f'        <li><a href="/{slug}/{_slugify(item)}/">{_e(item)}</a></li>' for item in clutter["nav"]
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
        f'        <li class="comment"><span class="comment__author">{_e(_person(rng))}</span>'
        f'<p class="comment__text">{_e(text)}</p></li>'
        for text in rng.sample(clutter["comments"], rng.randint(2, 5))
    )
    most_read = "".join(f'<li><a href="{r.path}">{_e(r.title)}</a></li>' for r in related[:2])
    footer = " | ".join(f'<a href="/{slug}/{_slugify(item)}/">{_e(item)}</a>' for item in clutter["footer"])
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
    <nav class="breadcrumb"><a href="/{slug}/">Accueil</a> › <a href="/{slug}/{_slugify(article.section)}/">{_e(article.section)}</a></nav>
    <article class="article">
      <h1>{_e(article.title)}</h1>
      <div class="meta">Par <a rel="author" href="/auteurs/{_slugify(article.author)}/">{_e(article.author)}</a>
        <time datetime="{published}">{article.published:%d/%m/%Y %H:%M}</time></div>
      <div class="share"><a href="https://www.facebook.com/sharer/sharer.php?u={article.path}">Facebook</a> <a href="https://x.com/intent/post?url={article.path}">X</a> <button>Copier le lien</button></div>
      <div class="article-body">
{chr(10).join(body_parts)}
      </div>
      <div class="tags">Mots-clés : <a href="/sujets/{_slugify(article.section)}/">{_e(article.section)}</a></div>
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


def _link(article: _Article) -> str:
    link = "{BASE_URL}" + article.path
    if article.tracked:
        medium = "syndication" if article.kind == "exact_dup" else "feed"
        link += f"?utm_source=rss&utm_medium={medium}&utm_campaign={article.outlet['slug']}&xtor=RSS-{article.number % 9000 + 1000}"
    return link


def _feed(path: str, outlet: dict[str, str], items: list[_Article]) -> str:
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


def _assign_feeds(articles: list[_Article]) -> dict[str, tuple[dict[str, str], list[_Article]]]:
    """Per outlet, its articles in ceil(count / 200) feeds, round-robin by publication time."""
    feeds: dict[str, tuple[dict[str, str], list[_Article]]] = {}
    for outlet in _vocab()["outlets"]:
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


def _write(path: Path, data: bytes, digest: Any, root: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest.update(str(path.relative_to(root)).encode() + b"\0" + hashlib.sha256(data).digest())


def generate(
    n: int,
    seed: int,
    out_dir: Path | None = None,
    dup_rate: float = 0.05,
    near_dup_rate: float = 0.05,
    non_french_rate: float = 0.03,
) -> CorpusInfo:
    """Write (or reuse, if complete and same parameters) the corpus of `n` articles for `seed`."""
    out_dir = Path(out_dir) if out_dir is not None else default_dir(n, seed)
    params = {"n": n, "seed": seed, "dup_rate": dup_rate, "near_dup_rate": near_dup_rate}
    params["non_french_rate"] = non_french_rate
    if (out_dir / "corpus.json").is_file():
        existing = CorpusInfo.load(out_dir)
        same = all(getattr(existing, key) == value for key, value in params.items())
        if same and existing.sources == sources_digest():
            return existing
    rates = {"exact_dup": dup_rate, "near_dup": near_dup_rate, "non_french": non_french_rate}
    articles = _articles(n, seed, rates)
    feeds = _assign_feeds(articles)

    staging = out_dir.with_name(out_dir.name + f".partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    site = staging / "site"
    digest = hashlib.sha256()
    headers: dict[str, str] = {}
    for article in articles:
        page = _page(article, articles).encode(article.encoding, errors="xmlcharrefreplace")
        _write(site / article.path.lstrip("/"), page, digest, staging)
        if article.encoding != "utf-8":
            headers[article.path] = f"text/html; charset={article.encoding}"
    for path, (outlet, items) in feeds.items():
        _write(site / path.lstrip("/"), _feed(path, outlet, items).encode("utf-8"), digest, staging)
        headers[path] = "application/rss+xml; charset=utf-8"
    _write(
        site / "_headers.json", json.dumps(dict(sorted(headers.items())), indent=1).encode(), digest, staging
    )

    registry = {
        "feeds": [
            {
                "name": Path(path).stem,
                "title": f"{outlet['name']} – {Path(path).stem}",
                "url": "{BASE_URL}" + path,
                "language": "fr",
                "country": outlet["country"],
                "poll_interval_minutes": 15,
                "category": "international",
            }
            for path, (outlet, _items) in feeds.items()
        ]
    }
    header = "# Generated by bench/corpus.py: benchmark feeds, {BASE_URL} substituted at load time.\n"
    _write(
        staging / "feeds.yaml",
        (header + yaml.safe_dump(registry, allow_unicode=True, sort_keys=False)).encode(),
        digest,
        staging,
    )
    lines = []
    for article in articles:
        record = {
            "number": article.number,
            "path": article.path,
            "feed": article.feed,
            "outlet": article.outlet["slug"],
            "kind": article.kind,
            "duplicate_of": articles[article.duplicate_of].path if article.duplicate_of is not None else None,
            "language": "en" if article.kind == "non_french" else "fr",
            "title": article.title,
            "published": article.published.isoformat(),
            "encoding": article.encoding,
            "tracked_link": article.tracked,
            "paragraphs": len(article.paragraphs),
            "words": article.words,
            "first_paragraph": article.paragraphs[0],
            "last_paragraph": article.paragraphs[-1],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    _write(staging / "manifest.jsonl", ("\n".join(lines) + "\n").encode(), digest, staging)

    counts = {"original": 0, "exact_dup": 0, "near_dup": 0, "non_french": 0}
    for article in articles:
        counts[article.kind] += 1
    info = CorpusInfo(
        root=out_dir,
        n=n,
        seed=seed,
        dup_rate=dup_rate,
        near_dup_rate=near_dup_rate,
        non_french_rate=non_french_rate,
        counts=counts,
        feeds=list(feeds),
        feed_items={path: len(items) for path, (_outlet, items) in feeds.items()},
        digest=digest.hexdigest(),
        sources=sources_digest(),
    )
    (staging / "corpus.json").write_text(info.to_json(), encoding="utf-8")
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(out_dir)
    return info


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Generate the synthetic benchmark corpus.")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    info = generate(args.n, args.seed, args.out)
    print(info.to_json())


if __name__ == "__main__":
    main()
