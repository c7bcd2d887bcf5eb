"""Deduplication with its memory in Elasticsearch: the syndicated copy of 000 is linked to it,
the same-story article from another outlet is not; exact copies, batch copies, re-runs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch

from ingest.article import build_article
from ingest.dedup import (
    BANDS,
    NEAR_THRESHOLD,
    NUM_PERM,
    ROWS,
    Deduplicator,
    band_keys,
    body_text,
    content_hash,
    estimated_jaccard,
    fingerprint,
    min_shared_bands,
    minhash_signature,
    normalise_text,
)
from ingest.extract import decode_html, extract_article
from ingest.feeds import Feed
from ingest.fetch import Fetcher, FetchPolicy
from ingest.parse import FeedItem
from vigie.core.accounting import RunSummary
from vigie.core.models import Article
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer
from vigie.store.es import index_for, to_document

MANIFEST = {
    d["doc"]: d for d in json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text("utf-8"))
}
FIXTURES = json.loads((REPO_ROOT / "tests" / "fixtures" / "fixtures.json").read_text("utf-8"))["pages"]
PAGES = {
    "000": MANIFEST["000"]["page"],
    "001": MANIFEST["001"]["page"],
    "002": MANIFEST["002"]["page"],
    "003": MANIFEST["003"]["page"],
    "syndicated": FIXTURES["syndicated-copy-000.html"]["page"],
    "same-story": FIXTURES["same-story-other-outlet.html"]["page"],
}
FEED = Feed(
    name="test",
    title="test",
    url="http://127.0.0.1/feed.xml",
    language="fr",
    country="FR",
    poll_interval_minutes=15,
    category="international",
)


@pytest.fixture
def articles(settings: Settings, feed_server: FeedServer) -> Iterator[dict[str, Article]]:
    """The fixture pages fetched over HTTP and built into Articles, as the pipeline does."""
    built = {}
    with Fetcher(settings, FetchPolicy(host_delay=0.0)) as fetcher:
        for key, path in PAGES.items():
            url = feed_server.url(path)
            fetched = fetcher.fetch(url)
            assert fetched.content is not None, fetched.error
            extracted = extract_article(decode_html(fetched.content, fetched.content_type), url)
            assert extracted is not None
            item = FeedItem(guid=url, title=extracted.title or key, link=url, published=extracted.published)
            built[key] = build_article(item, FEED, fetched, extracted)
    yield built


def _store(es: Elasticsearch, settings: Settings, *articles: Article) -> None:
    for article in articles:
        es.index(index=index_for(settings, article), id=article.id, document=to_document(article))
    es.indices.refresh(index=settings.index("articles"))


def _copy(article: Article, **changes: object) -> Article:
    return article.model_copy(deep=True, update=changes)


# -- pure functions ---------------------------------------------------------------------------


def test_normalisation_ignores_typesetting() -> None:
    assert normalise_text("L’Ukraine  a «\xa0frappé\xa0» Moscou !") == normalise_text(
        'l\'ukraine a "frappe" moscou'
    )
    assert content_hash("Un texte.") == content_hash("  UN   texte ")
    assert content_hash("Un texte.") != content_hash("Un autre texte.")


def test_signatures_are_deterministic_and_estimate_jaccard(articles: dict[str, Article]) -> None:
    text = body_text(articles["000"])
    assert minhash_signature(text) == minhash_signature(text)
    assert all(0 <= v < 2**32 for v in minhash_signature(text))  # fits an Elasticsearch long
    copy = estimated_jaccard(minhash_signature(text), minhash_signature(body_text(articles["syndicated"])))
    other = estimated_jaccard(minhash_signature(text), minhash_signature(body_text(articles["same-story"])))
    print(f"estimated Jaccard: syndicated copy {copy:.3f}, same-story other outlet {other:.3f}")
    assert copy >= NEAR_THRESHOLD > 0.5 > other


def test_fingerprint_fills_the_fields(articles: dict[str, Article]) -> None:
    article = articles["000"]
    fingerprint(article)
    assert article.content_hash == content_hash(body_text(article))
    assert len(article.minhash) == 128 and len(article.minhash_bands) == BANDS
    assert all(key.startswith(f"b{i:02d}:") for i, key in enumerate(article.minhash_bands))


# -- against the index ------------------------------------------------------------------------


def test_the_syndicated_copy_is_linked_to_000_and_the_same_story_is_not(
    es: Elasticsearch, settings: Settings, articles: dict[str, Article]
) -> None:
    first = RunSummary()
    Deduplicator(es, settings).check([articles["000"], articles["002"]], first)
    assert articles["000"].duplicate_of is None and articles["002"].duplicate_of is None
    _store(es, settings, articles["000"], articles["002"])

    later = RunSummary()
    batch = [articles["syndicated"], articles["same-story"], articles["001"]]
    Deduplicator(es, settings).check(batch, later)
    assert articles["syndicated"].duplicate_of == articles["000"].id
    assert articles["syndicated"].duplicate_kind == "near"
    assert articles["same-story"].duplicate_of is None and articles["001"].duplicate_of is None
    assert later.get("dedup") == 2 and later.get("dedup", "skipped") == 1
    assert later.stages["dedup"].reasons == {"skipped:duplicate": 1}


def test_an_exact_copy_under_another_url_and_title(
    es: Elasticsearch, settings: Settings, articles: dict[str, Article]
) -> None:
    original = articles["003"]
    Deduplicator(es, settings).check([original], RunSummary())
    _store(es, settings, original)
    assert original.text.startswith(original.title)  # trafilatura kept the <h1>
    mirror = _copy(
        original,
        id="mirror-003",
        url="https://mirror.example/003",
        title="Un autre titre",
        text="Un autre titre\n" + body_text(original),  # retitled, same body
        published=original.published + timedelta(hours=2),  # type: ignore[operator]
    )
    Deduplicator(es, settings).check([mirror], RunSummary())
    assert (mirror.duplicate_of, mirror.duplicate_kind) == (original.id, "exact")


def test_an_indexed_article_is_not_a_duplicate_of_itself(
    es: Elasticsearch, settings: Settings, articles: dict[str, Article]
) -> None:
    article = articles["000"]
    Deduplicator(es, settings).check([article], RunSummary())
    _store(es, settings, article)
    again = _copy(article, content_hash=None, minhash=[], minhash_bands=[])
    Deduplicator(es, settings).check([again], RunSummary())
    assert again.duplicate_of is None and again.content_hash == article.content_hash


def test_copies_within_one_batch_pick_the_earliest_whatever_the_order(
    es: Elasticsearch, settings: Settings, articles: dict[str, Article]
) -> None:
    original, copy = articles["000"], articles["syndicated"]
    assert copy.published and original.published and copy.published > original.published
    exact = _copy(original, id="zz-exact", url="https://other.example/a", published=copy.published)
    outcomes = set()
    for order in itertools.permutations([original, copy, exact]):
        batch = [_copy(a) for a in order]
        Deduplicator(es, settings).check(batch, RunSummary())
        outcomes.add(tuple(sorted((a.id, a.duplicate_of, a.duplicate_kind) for a in batch)))
    assert outcomes == {
        tuple(
            sorted(
                [
                    (original.id, None, None),
                    (copy.id, original.id, "near"),
                    ("zz-exact", original.id, "exact"),
                ]
            )
        )
    }


def test_a_stored_later_copy_is_reported_as_superseded(
    es: Elasticsearch, settings: Settings, articles: dict[str, Article]
) -> None:
    """The copy's feed was polled first: the original, published earlier, arrives second."""
    original, copy = articles["000"], articles["syndicated"]
    Deduplicator(es, settings).check([copy], RunSummary())
    _store(es, settings, copy)
    superseded = Deduplicator(es, settings).check([original], RunSummary())
    assert original.duplicate_of is None
    assert [(s.stored_id, s.original_id, s.kind) for s in superseded] == [(copy.id, original.id, "near")]


def test_feed_summaries_are_too_short_to_compare(es: Elasticsearch, settings: Settings) -> None:
    short = [
        Article(
            id=f"s{i}",
            url=f"https://e.example/{i}",
            original_url="x",
            feed="f",
            source="s",
            title="t",
            text="Frappe de drones sur Moscou cette nuit.",
        )  # fmt: skip
        for i in range(2)
    ]
    summary = RunSummary()
    Deduplicator(es, settings).check(short, summary)
    assert all(a.duplicate_of is None and a.content_hash for a in short)
    assert summary.stages["dedup"].reasons == {"accepted:too_short_to_compare": 2}


def test_one_search_per_batch(es: Elasticsearch, settings: Settings, articles: dict[str, Article]) -> None:
    calls = []
    original = es.msearch

    def counting(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(kwargs["searches"]) // 2)
        return original(**kwargs)

    es.msearch = counting  # type: ignore[method-assign]
    Deduplicator(es, settings).check(list(articles.values()), RunSummary())
    assert calls == [len(articles)]


def test_every_pair_verification_accepts_shares_enough_bands() -> None:
    """The candidate query asks for `min_shared_bands` bands: at 0.8, 103 equal values of 128
    leave at least 7 of the 32 bands intact however the 25 differences fall."""
    assert min_shared_bands(NEAR_THRESHOLD) == 7 == BANDS - (NUM_PERM - 103)
    assert 103 / NUM_PERM >= NEAR_THRESHOLD > 102 / NUM_PERM
    assert min_shared_bands(0.5) == 1 and min_shared_bands(1.0) == BANDS


def _spoiled(signature: list[int], bands: int) -> list[int]:
    """The signature with the first value of each of the first `bands` bands changed."""
    spoiled = list(signature)
    for band in range(bands):
        spoiled[band * ROWS] = (spoiled[band * ROWS] + 1) % 2**32
    return spoiled


@pytest.mark.parametrize(("broken", "duplicate"), [(25, True), (26, False)])
def test_a_copy_at_the_threshold_with_the_fewest_intact_bands_is_found(
    es: Elasticsearch, settings: Settings, articles: dict[str, Article], broken: int, duplicate: bool
) -> None:
    """Worst case for the candidate query: a stored signature with `broken` values changed, one
    per band. 25 changes: estimated Jaccard 103/128 >= 0.8 with only 7 bands in common, still a
    candidate and a near copy; 26: 102/128 < 0.8, not a copy."""
    article = articles["000"]
    fingerprint(article)
    signature = _spoiled(article.minhash, broken)
    stored = _copy(
        article,
        id="stored-variant",
        url="https://other.example/variant",
        content_hash="0" * 64,
        minhash=signature,
        minhash_bands=band_keys(signature),
        published=article.published - timedelta(hours=1),  # type: ignore[operator]
    )
    assert len(set(stored.minhash_bands) & set(article.minhash_bands)) == BANDS - broken
    _store(es, settings, stored)
    Deduplicator(es, settings).check([article], RunSummary())
    if duplicate:
        assert (article.duplicate_of, article.duplicate_kind) == ("stored-variant", "near")
    else:
        assert article.duplicate_of is None
