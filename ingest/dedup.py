"""Exact and near-duplicate detection whose memory is the Elasticsearch articles index.

Each article gets
- `content_hash`: sha256 of its normalised body (headline excluded: syndicated copies retitle);
- `minhash`: a 128-value MinHash signature (datasketch, affine32, seed 1) over word 3-shingles,
  stored unindexed to verify candidates;
- `minhash_bands`: 32 LSH band keys of 4 rows ("b07:<16 hex>"), indexed as keywords.

`Deduplicator.check` sends ONE msearch per batch (one sub-search per article: a term on the
content hash, or at least `min_shared_bands` (7) of its band keys; each a constant-score
clause, so hits rank by the number of shared bands), verifies each candidate (equal hash ->
"exact"; estimated Jaccard >= 0.8 -> "near"), and also compares the batch's articles with
each other. The original is
the earliest published (tie: smallest id): deterministic whatever the arrival order. State is
the index itself, so it holds across runs. Parallel workers are made to meet by the pipeline
(`vigie.run.pipeline`, issue 17): a pre-check before enrichment, then the authoritative check
(`fingerprinted=True`, same fingerprints) inside the commit section that one worker holds at a
time, after every earlier commit was refreshed into the index.

Tuning (measured on the fixtures, exact Jaccard of normalised word shingles):

    pair                                    1-shingle  2      3      4      5
    syndicated copy vs 000 (18 words edited) 0.946    0.918  0.899  0.877  0.857
    same-story other outlet vs 000          0.138    0.028  0.006  0.000  0.000
    any other pair of fixture articles (max) 0.194    0.058  0.018  0.007  0.004

    random word edits on 000 (20 trials):   1 %    2 %    3 %    5 %    8 %
    3-shingles                             0.942  0.891  0.839  0.754  0.638
    5-shingles                             0.909  0.826  0.755  0.633  0.489

3-shingles keep a lightly edited copy well above 0.8 (5-shingles fall below it at 3 % edits)
while unrelated articles stay under 0.02. Threshold 0.8 leaves ~4 % of words editable. Bands:
32 x 4 puts the S-curve at (1/32)^(1/4) = 0.42, so a pair at J = 0.8 becomes a candidate with
probability 1-(1-0.8^4)^32 > 0.9999 (16 x 8 would miss 5 % of them); the extra candidates
between 0.4 and 0.8 are rare and cost one signature comparison each.

Candidates must share at least 7 of the 32 bands, and this loses no duplicate: the bands cover
the 128 values, an estimated Jaccard >= 0.8 means >= 103 equal values, so <= 25 differ and
break <= 25 bands: every pair verification would accept shares >= 32 - 25 = 7 bands
(`min_shared_bands`, derived from the threshold). What the rule removes are the pairs that
share 1-6 bands by chance, which grow with the index when texts look alike (written from the
same templates: one band in common for 1 unrelated pair in 12 at J = 0.23). They were fetched
(signature and all, up to 20 per article) only to fail verification:

    P(candidate) at Jaccard J     0.1      0.23     0.3      0.5      0.7    0.8    0.9
    >= 1 of 32 bands (before)     3e-3     0.086    0.23     0.87     1.00   1.00   1.00
    >= 7 of 32 bands              3e-22    4e-12    6e-9     3e-3     0.68   0.993  1.00

(binomial over 32 bands, each equal with probability J^4). At J = 0.8 the 0.7 % of pairs
under 7 bands are pairs whose estimate fell under 0.8: rejected before as well. On the
synthetic 10k corpus: 18.3 -> 0.7 stored candidates per article at ~8,500 stored articles,
with the same duplicates found (bench/results.md).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from datasketch import MinHash
from elasticsearch import Elasticsearch

from ingest.extract import parse_datetime
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, DuplicateKind
from vigie.core.settings import Settings
from vigie.core.text import fold

STAGE = "dedup"
SHINGLE_WORDS = 3
NUM_PERM = 128
BANDS, ROWS = 32, 4
NEAR_THRESHOLD = 0.8
MIN_WORDS = 30  # below this (feed summaries), a "match" says little: not compared
CANDIDATES_PER_ARTICLE = 20
SEED = 1
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
_NOT_WORD = re.compile(r"[^\w]+|_+")
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
assert BANDS * ROWS <= NUM_PERM


def normalise_text(text: str) -> str:
    """The shared fold (case, accents, ligatures), then no punctuation, single spaces: what
    survives re-typesetting."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def body_text(article: Article) -> str:
    """The text without a leading headline line (copies are often retitled)."""
    text = article.text or ""
    first, _, rest = text.partition("\n")
    if rest and normalise_text(first) == normalise_text(article.title):
        return rest
    return text


def content_hash(text: str) -> str:
    return _hash(normalise_text(text))


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def shingles(normalised: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = normalised.split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def minhash_signature(text: str) -> list[int]:
    return _signature(normalise_text(text))


def _signature(normalised: str) -> list[int]:
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", permutations=_PERMUTATIONS)
    sketch.update_batch(sorted(shingles(normalised)))
    return [int(v) for v in sketch.hashvalues]


def band_keys(signature: Sequence[int]) -> list[str]:
    rows = np.asarray(signature[: BANDS * ROWS], dtype=np.uint64).reshape(BANDS, ROWS)
    return [f"b{band:02d}:{hashlib.sha1(rows[band].tobytes()).hexdigest()[:16]}" for band in range(BANDS)]


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    if not a or len(a) != len(b):
        return 0.0
    return float(np.count_nonzero(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64))) / len(a)


def min_shared_bands(threshold: float = NEAR_THRESHOLD) -> int:
    """The fewest band keys two signatures whose estimated Jaccard reaches `threshold` share.

    At least `equal` of the NUM_PERM values agree, so at most NUM_PERM - equal differ, each
    breaking at most one band: BANDS - (NUM_PERM - equal) bands are intact (0.8: 32 - 25 = 7).
    A stored article sharing fewer bands can never verify as "near"."""
    equal = next((m for m in range(NUM_PERM + 1) if m / NUM_PERM >= threshold), NUM_PERM + 1)
    return max(1, min(BANDS, BANDS - (NUM_PERM - equal)))


def fingerprint(article: Article) -> None:
    """Fill content_hash, minhash and minhash_bands from the article's body."""
    normalised = normalise_text(body_text(article))  # once: the hash and the shingles share it
    article.content_hash = _hash(normalised)
    article.minhash = _signature(normalised)
    article.minhash_bands = band_keys(article.minhash)


@dataclass(frozen=True)
class _Known:
    """An article to compare against: stored in the index or earlier in the batch."""

    id: str
    original: str  # its own id, or what it duplicates
    published: datetime
    content_hash: str | None
    minhash: Sequence[int]
    bands: frozenset[str]

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.published, self.id)


@dataclass(frozen=True)
class Supersession:
    """A stored article found to copy an earlier-published article of this batch: the caller
    may re-point it (`duplicate_of=original_id`) or fold it."""

    stored_id: str
    original_id: str
    kind: DuplicateKind


def _order(article: Article) -> tuple[datetime, str]:
    return (article.published or _FAR_FUTURE, article.id)


class Deduplicator:
    def __init__(self, es: Elasticsearch, settings: Settings, *, threshold: float = NEAR_THRESHOLD):
        self.es = es
        self.settings = settings
        self.index = settings.index("articles")
        self.threshold = threshold
        self.min_shared_bands = min_shared_bands(threshold)
        # After `check`: each compared article's stored candidates as the index answered
        # (before `pending` was added), for a later check that may reuse them (`searched`).
        self.searched: dict[str, list[_Known]] = {}

    def _match(self, article: Article, known: _Known) -> DuplicateKind | None:
        if known.id == article.id:
            return None  # re-processing an indexed article: not a copy of itself
        if article.content_hash and article.content_hash == known.content_hash:
            return "exact"
        if estimated_jaccard(article.minhash, known.minhash) >= self.threshold:
            return "near"
        return None

    def _search(self, articles: Sequence[Article]) -> list[list[_Known]]:
        """Stored candidates for each article: one msearch for the whole batch."""
        if not articles:
            return []
        searches: list[dict[str, Any]] = []
        for article in articles:
            bands: dict[str, Any] = {
                "bool": {
                    "should": [
                        {"constant_score": {"filter": {"term": {"minhash_bands": key}}, "boost": 1}}
                        for key in article.minhash_bands
                    ],
                    "minimum_should_match": self.min_shared_bands,
                }
            }
            exact = {"term": {"content_hash": article.content_hash}}
            should: list[dict[str, Any]] = [{"constant_score": {"filter": exact, "boost": 100}}, bands]
            searches.append({"index": self.index, "ignore_unavailable": True, "allow_no_indices": True})
            searches.append(
                {
                    "size": CANDIDATES_PER_ARTICLE,
                    "_source": [
                        "id",
                        "content_hash",
                        "minhash",
                        "minhash_bands",
                        "published",
                        "duplicate_of",
                    ],
                    "query": {
                        "bool": {
                            "should": should,
                            "minimum_should_match": 1,
                            "must_not": [{"ids": {"values": [article.id]}}],
                        }
                    },
                    "sort": [
                        "_score",
                        {"published": {"order": "asc", "unmapped_type": "date"}},
                        {"id": {"order": "asc", "unmapped_type": "keyword"}},
                    ],
                }
            )
        response = self.es.msearch(searches=searches)
        found: list[list[_Known]] = []
        for result in response["responses"]:
            if "error" in result:
                raise RuntimeError(f"dedup candidate search failed: {result['error']}")
            found.append([self._known(hit["_source"], hit["_id"]) for hit in result["hits"]["hits"]])
        return found

    @staticmethod
    def _known(source: dict[str, Any], doc_id: str) -> _Known:
        identifier = source.get("id") or doc_id
        return _Known(
            id=identifier,
            original=source.get("duplicate_of") or identifier,
            published=parse_datetime(source.get("published")) or _FAR_FUTURE,
            content_hash=source.get("content_hash"),
            minhash=source.get("minhash") or [],
            bands=frozenset(source.get("minhash_bands") or []),
        )

    def check(
        self,
        articles: Iterable[Article],
        summary: RunSummary,
        *,
        pending: Sequence[Article] = (),
        fingerprinted: bool = False,
        searched: dict[str, list[_Known]] | None = None,
    ) -> list[Supersession]:
        """Fill fingerprints and set duplicate_of/duplicate_kind on copies, in place.

        `pending`: articles checked earlier (fingerprinted) but not indexed yet, e.g. the batch
        still being enriched while this one is deduplicated; they count as stored.
        `fingerprinted`: the articles were checked before (the pipeline's pre-check) and their
        text has not changed since: their fingerprints are kept, only the verdict is redone
        (the commit's authoritative check, against what other workers stored meanwhile).
        `searched`: the stored candidates an earlier check found (its `self.searched`), still
        what the index holds besides `pending` (the commit knows nobody stored anything since:
        `vigie.store.lease.read_commit_sequence`); articles it lacks are searched.

        Returns the stored articles that turned out to be later copies of an article of this
        batch (rare: the copy's feed was polled first)."""
        batch = sorted(articles, key=_order)
        comparable = []
        for article in batch:
            if not (fingerprinted and article.content_hash and article.minhash and article.minhash_bands):
                fingerprint(article)
            if len(body_text(article).split()) >= MIN_WORDS:
                comparable.append(article)
            else:
                summary.record(STAGE, "accepted", article.id, "too_short_to_compare")
        known = searched or {}
        missing = [a for a in comparable if a.id not in known]
        found = dict(zip((a.id for a in missing), self._search(missing), strict=True))
        stored = {a.id: list(known[a.id]) if a.id in known else found[a.id] for a in comparable}
        self.searched = {article_id: list(candidates) for article_id, candidates in stored.items()}
        if pending:
            _add_pending(stored, comparable, pending)

        superseded: list[Supersession] = []
        seen: list[_Known] = []  # earlier articles of this batch
        by_band: dict[str, list[_Known]] = defaultdict(list)
        for article in comparable:
            article.duplicate_of, article.duplicate_kind = None, None
            peers = {k.id: k for key in article.minhash_bands for k in by_band[key]}
            peers.update({k.id: k for k in seen if k.content_hash == article.content_hash})
            matches = [
                (known, kind)
                for known in [*stored[article.id], *peers.values()]
                if (kind := self._match(article, known)) is not None
            ]
            if matches:
                first, kind = min(matches, key=lambda m: m[0].key)
                if first.key < _order(article):
                    article.duplicate_of, article.duplicate_kind = first.original, kind
                else:
                    superseded.extend(
                        Supersession(stored_id=known.id, original_id=article.id, kind=k)
                        for known, k in matches
                        if known.key > _order(article) and known.id not in peers
                    )
            me = _Known(
                id=article.id,
                original=article.duplicate_of or article.id,
                published=article.published or _FAR_FUTURE,
                content_hash=article.content_hash,
                minhash=article.minhash,
                bands=frozenset(article.minhash_bands),
            )
            seen.append(me)
            for key in article.minhash_bands:
                by_band[key].append(me)
            if article.duplicate_of:
                summary.record(STAGE, "skipped", article.id, f"duplicate:{article.duplicate_kind}")
                summary.count(f"duplicates:{article.duplicate_kind}")
            else:
                summary.record(STAGE, "accepted", article.id)
        return superseded


def _add_pending(
    stored: dict[str, list[_Known]], articles: Sequence[Article], pending: Sequence[Article]
) -> None:
    """Add to each article's stored candidates the pending articles sharing a band or its hash."""
    by_key: dict[str, list[_Known]] = defaultdict(list)
    for other in pending:
        if not other.minhash:
            continue
        known = _Known(
            id=other.id,
            original=other.duplicate_of or other.id,
            published=other.published or _FAR_FUTURE,
            content_hash=other.content_hash,
            minhash=other.minhash,
            bands=frozenset(other.minhash_bands),
        )
        for key in [*other.minhash_bands, f"hash:{other.content_hash}"]:
            by_key[key].append(known)
    for article in articles:
        have = {known.id for known in stored[article.id]}
        for key in [*article.minhash_bands, f"hash:{article.content_hash}"]:
            for known in by_key.get(key, ()):
                if known.id not in have:
                    have.add(known.id)
                    stored[article.id].append(known)
