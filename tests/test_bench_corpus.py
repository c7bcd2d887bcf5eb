"""The benchmark corpus generator: deterministic, rates honoured, pages and feeds usable."""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from vigie.core.settings import REPO_ROOT

if str(REPO_ROOT) not in sys.path:  # `bench` is a repository folder, not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from bench.corpus import MAX_FEED_ITEMS, CorpusInfo, generate
from ingest.dedup import normalise_text, shingles
from ingest.extract import decode_html, extract_article
from ingest.feeds import load_feeds
from ingest.parse import parse_feed
from vigie.dev.feedserver import FeedServer

N = 120


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusInfo:
    return generate(N, 11, tmp_path_factory.mktemp("corpus") / "c")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _jaccard(a: str, b: str) -> float:
    sa, sb = shingles(normalise_text(a)), shingles(normalise_text(b))
    return len(sa & sb) / len(sa | sb)


def test_same_seed_same_bytes_other_seed_other_bytes(corpus: CorpusInfo, tmp_path: Path) -> None:
    again = generate(N, 11, tmp_path / "again")
    assert again.digest == corpus.digest
    first, second = _files(corpus.root), _files(again.root)
    second["corpus.json"] = second["corpus.json"].replace(str(again.root).encode(), str(corpus.root).encode())
    assert first == second
    other = generate(N, 12, tmp_path / "other")
    assert other.digest != corpus.digest
    assert _files(other.root / "site").keys() != _files(corpus.root / "site").keys()


def test_complete_corpus_is_reused_and_partial_one_rewritten(tmp_path: Path) -> None:
    info = generate(30, 1, tmp_path / "c")
    marker = info.root / "site" / "marker.txt"
    marker.write_text("still here")
    assert generate(30, 1, tmp_path / "c").digest == info.digest
    assert marker.is_file()  # reused, not regenerated
    (info.root / "corpus.json").unlink()  # as if a generation had been interrupted
    assert generate(30, 1, tmp_path / "c").digest == info.digest
    assert not marker.exists()
    assert generate(31, 1, tmp_path / "c").n == 31  # other parameters: regenerated


def test_rates_are_honoured(corpus: CorpusInfo) -> None:
    records = list(corpus.manifest())
    kinds = Counter(r["kind"] for r in records)
    expected = {"exact_dup": round(N * 0.05), "near_dup": round(N * 0.05), "non_french": round(N * 0.03)}
    expected["original"] = N - sum(expected.values())
    assert kinds == expected == {"exact_dup": 6, "near_dup": 6, "non_french": 4, "original": 104}
    assert corpus.counts == dict(kinds)
    by_path = {r["path"]: r for r in records}
    assert len(by_path) == N  # every article at its own URL
    for record in records:
        if record["kind"] in ("exact_dup", "near_dup"):
            original = by_path[record["duplicate_of"]]
            assert original["kind"] == "original"
            assert original["outlet"] != record["outlet"]
            assert original["published"] < record["published"]
        if record["kind"] == "exact_dup":
            assert record["title"] == original["title"]
            assert record["first_paragraph"] == original["first_paragraph"]
            assert record["tracked_link"]
        if record["kind"] == "non_french":
            assert record["language"] == "en"
        else:
            assert 400 <= record["words"] <= 700, record
            assert 6 <= record["paragraphs"] <= 12, record


def _page_text(corpus: CorpusInfo, record: dict[str, object]) -> str:
    raw = (corpus.site / str(record["path"]).lstrip("/")).read_bytes()
    headers = json.loads((corpus.site / "_headers.json").read_text(encoding="utf-8"))
    content_type = headers.get(record["path"], "text/html; charset=utf-8")
    extracted = extract_article(decode_html(raw, content_type), f"http://127.0.0.1{record['path']}")
    assert extracted is not None, record["path"]
    return extracted.text


def test_pages_parse_to_their_text_without_clutter(corpus: CorpusInfo) -> None:
    for record in corpus.manifest():
        text = _page_text(corpus, record)
        assert record["first_paragraph"][:80] in text
        assert record["last_paragraph"][-80:] in text
        for clutter in ("newsletter", "À lire aussi", "Commentaires", "Tous droits réservés", "cookies"):
            assert clutter not in text, (record["path"], clutter)


def test_copies_are_similar_and_originals_are_not(corpus: CorpusInfo) -> None:
    records = list(corpus.manifest())
    by_path = {r["path"]: r for r in records}
    texts = {r["path"]: _page_text(corpus, r) for r in records}
    for record in records:
        if record["kind"] == "near_dup":
            original = texts[str(record["duplicate_of"])]
            assert texts[record["path"]] != original
            assert record["title"] != by_path[record["duplicate_of"]]["title"]
            assert _jaccard(texts[record["path"]], original) >= 0.85
    originals = [r["path"] for r in records if r["kind"] == "original"][:40]
    assert max(_jaccard(texts[a], texts[b]) for a, b in itertools.combinations(originals, 2)) < 0.6


def test_feeds_are_valid_and_served(corpus: CorpusInfo) -> None:
    records = {r["path"]: r for r in corpus.manifest()}
    with FeedServer([corpus.site]) as server:
        feeds = load_feeds(corpus.feeds_file, base_url=server.base_url)
        assert len(feeds) == len(corpus.feeds) >= 3
        seen: list[str] = []
        with httpx.Client() as http:
            for feed in feeds:
                response = http.get(feed.url)
                assert response.status_code == 200
                parsed = parse_feed(response.content, feed.url, feed.name)
                assert parsed.error is None and not parsed.skipped
                assert 0 < len(parsed.items) <= MAX_FEED_ITEMS
                for item in parsed.items:
                    parts = urlsplit(item.link)
                    assert item.link.startswith(server.base_url)
                    assert item.published is not None and item.summary
                    seen.append(parts.path)
                    if records[parts.path]["kind"] == "exact_dup":
                        assert "utm_source" in parse_qs(parts.query)
            sample = [p for p in seen if records[p]["encoding"] != "utf-8"][:2] + seen[:3]
            for path in sample:
                page = http.get(server.url(path))
                assert page.status_code == 200
                assert records[path]["encoding"] in page.headers["content-type"]
    assert sorted(seen) == sorted(records)  # every article in exactly one feed


def test_large_corpus_splits_feeds_at_200_items(tmp_path: Path) -> None:
    info = generate(1300, 5, tmp_path / "big")
    assert sum(info.feed_items.values()) == 1300
    assert max(info.feed_items.values()) <= MAX_FEED_ITEMS
    assert len(info.feeds) > 5  # more than one feed for some outlets
    assert any(r["encoding"] == "windows-1252" for r in info.manifest())
