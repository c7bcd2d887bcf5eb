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
(English wire copy). A copy appears 45 to 720 minutes after its original, or within
`copy_delay_minutes` of it (the scale test's syndication, near-simultaneous: (0, 2)).
Everything is drawn from `random.Random` seeded by `seed` and the article number, never from
the clock: the same (n, seed) gives the same bytes.

This module plans the corpus (kinds, dates, outlets, which original a copy copies) and writes
it; `bench.corpus_templates` writes the articles' text, `bench.corpus_site` their pages and feeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench import corpus_site, corpus_templates
from bench.corpus_site import MAX_FEED_ITEMS, GeneratedArticle, assign_feeds, render_feed, render_page
from bench.corpus_templates import (
    SEED_TEXTS,
    VOCAB_FILE,
    Story,
    body,
    english,
    headline,
    load_vocab,
    near_copy,
    new_story,
    person,
    slugify,
)

__all__ = ["GENERATOR_VERSION", "MAX_FEED_ITEMS", "CorpusInfo", "default_dir", "generate", "sources_digest"]

GENERATOR_VERSION = 2
DEFAULT_ROOT = Path(os.environ.get("VIGIE_BENCH_DIR", "/var/tmp/vigie"))
EPOCH = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)  # first publication
# A constant publication rate, as from a fixed set of feeds: 10,000 articles span 7 weeks and
# 1,000 span 5 days, so time-windowed lookups (stories) see the same density at every size
# and only the index grows.
ARTICLES_PER_DAY = 200
MIN_SPAN = timedelta(days=2)
CP1252_RATE = 0.02  # pages served as windows-1252 (older CMSs)
TRACKED_ORIGINAL_RATE = 0.3  # original links carrying tracking parameters in the feed
COPY_DELAY_MINUTES = (45, 720)  # a copy's publication after its original's, bounds included


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
    copy_delay_minutes: list[int] = field(default_factory=lambda: list(COPY_DELAY_MINUTES))
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


def default_dir(n: int, seed: int) -> Path:
    return DEFAULT_ROOT / f"bench-corpus-{n}-{seed}"


def sources_digest() -> str:
    """sha256 of the generator (its three modules), its vocabulary and the fixture texts."""
    digest = hashlib.sha256()
    generator = [Path(module.__file__ or "") for module in (corpus_templates, corpus_site)]
    for path in [Path(__file__), *generator, VOCAB_FILE, *sorted(SEED_TEXTS.glob("*.txt"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _kinds(n: int, rates: dict[str, float], rng: random.Random) -> list[str]:
    counts = {kind: round(n * rate) for kind, rate in rates.items()}
    counts["original"] = n - sum(counts.values())
    if counts["original"] < 1:
        raise ValueError(f"rates {rates} leave no original article for n={n}")
    rest = [kind for kind, count in counts.items() for _ in range(count - (kind == "original"))]
    rng.shuffle(rest)
    return ["original", *rest]  # a copy needs an original before it


def _articles(
    n: int, seed: int, rates: dict[str, float], copy_delay: tuple[int, int] = COPY_DELAY_MINUTES
) -> list[GeneratedArticle]:
    vocab = load_vocab()
    rng = random.Random(f"vigie-bench:{seed}:plan")
    kinds = _kinds(n, rates, rng)
    span_minutes = int(max(MIN_SPAN, timedelta(days=n / ARTICLES_PER_DAY)).total_seconds() // 60)
    outlets = vocab["outlets"]
    articles: list[GeneratedArticle] = []
    stories: dict[int, Story] = {}
    originals: list[int] = []
    copied: set[int] = set()
    for number, kind in enumerate(kinds):
        art_rng = random.Random(f"vigie-bench:{seed}:article:{number}")
        published = EPOCH + timedelta(minutes=art_rng.randrange(span_minutes))
        outlet = art_rng.choice(outlets)
        duplicate_of: int | None = None
        if kind in ("exact_dup", "near_dup") and originals:
            fresh = [o for o in originals if o not in copied]
            duplicate_of = art_rng.choice(fresh or originals)
            copied.add(duplicate_of)
            original = articles[duplicate_of]
            published = original.published + timedelta(minutes=art_rng.randint(*copy_delay))
            outlet = art_rng.choice([o for o in outlets if o["slug"] != original.outlet["slug"]])
            if kind == "exact_dup":
                title, paragraphs = original.title, list(original.paragraphs)
            else:
                title = headline(art_rng, stories[duplicate_of], avoid=original.title)
                paragraphs = near_copy(art_rng, original.paragraphs)
            intertitles, section = dict(original.intertitles), original.section
        elif kind == "non_french":
            title, paragraphs = english(art_rng)
            intertitles, section = {}, "World"
        else:
            kind = "original"
            story = new_story(art_rng, published)
            paragraphs, intertitles = body(art_rng, story)
            title, section = headline(art_rng, story), story.section
            stories[number] = story
            originals.append(number)
        # The draws below come after the text's, in this order, for every kind (same bytes).
        author = person(art_rng)
        tracked = duplicate_of is not None or art_rng.random() < TRACKED_ORIGINAL_RATE
        article = GeneratedArticle(
            number=number,
            kind=kind,
            outlet=outlet,
            published=published,
            title=title,
            paragraphs=paragraphs,
            intertitles=intertitles,
            author=author,
            section=section,
            slug=slugify(title),
            duplicate_of=duplicate_of,
            tracked=tracked,
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
    copy_delay_minutes: tuple[int, int] = COPY_DELAY_MINUTES,
) -> CorpusInfo:
    """Write (or reuse, if complete and same parameters) the corpus of `n` articles for `seed`."""
    out_dir = Path(out_dir) if out_dir is not None else default_dir(n, seed)
    params: dict[str, Any] = {"n": n, "seed": seed, "dup_rate": dup_rate, "near_dup_rate": near_dup_rate}
    params["non_french_rate"] = non_french_rate
    params["copy_delay_minutes"] = list(copy_delay_minutes)
    if (out_dir / "corpus.json").is_file():
        existing = CorpusInfo.load(out_dir)
        same = all(getattr(existing, key) == value for key, value in params.items())
        if same and existing.sources == sources_digest():
            return existing
    rates = {"exact_dup": dup_rate, "near_dup": near_dup_rate, "non_french": non_french_rate}
    articles = _articles(n, seed, rates, copy_delay_minutes)
    feeds = assign_feeds(articles)

    staging = out_dir.with_name(out_dir.name + f".partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    site = staging / "site"
    digest = hashlib.sha256()
    headers: dict[str, str] = {}
    for article in articles:
        page = render_page(article, articles).encode(article.encoding, errors="xmlcharrefreplace")
        _write(site / article.path.lstrip("/"), page, digest, staging)
        if article.encoding != "utf-8":
            headers[article.path] = f"text/html; charset={article.encoding}"
    for path, (outlet, items) in feeds.items():
        _write(site / path.lstrip("/"), render_feed(path, outlet, items).encode("utf-8"), digest, staging)
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
        copy_delay_minutes=list(copy_delay_minutes),
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
