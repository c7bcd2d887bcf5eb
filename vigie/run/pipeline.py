"""One pass of the pipeline, stage by stage: the same methods back `vigie run` and the DAG.

Every stage is a plain method over a batch that records what it accepted, skipped and
refused in a `RunSummary`. Stages are idempotent over their input: ids come from canonical
URLs and content, so running a pass twice over the same feeds changes nothing.

    poll_and_select (check configuration, replay spool, poll_feed each, select_new)
      -> plan_batches -> for each batch, the batch step:
           start_batch  (fetch_pages, extract, detect_languages, dedup pre-check, start enrichment)
           finish_batch (enrichment, then the commit section: commit_duplicates,
                         cluster_stories, evaluate_alerts, index + refresh)
      -> commit_validators
    deliver: a step of its own (`vigie.alerting.delivery`); in `run`, a thread beside the
    batches that sends each batch's alerts once it is stored, then what is still pending.

Batches are cut from the selected items in publication order (`select_new`): stories, alert
windows and the original among copies are decided oldest first, so the same items give the
same stories and alerts whatever the batch size, and a run resumed after a crash continues
the same order.

`process_batch` is the batch step start to finish: each mapped task of the news_ingest DAG
runs it on one staged batch (`vigie.run.tasks`). `run` runs the same two halves overlapped:
while batch N is enriched (in worker processes when `settings.enrich_workers` > 0), batch N+1
is fetched, extracted and deduplicated, then batch N is finished. Deduplication of N+1 then
also compares against batch N, not indexed yet (`pending`); stories and alerts run strictly
in batch order. Each stage's time is added to `summary.seconds`.

Many workers at once (issue 17): batches of one DAG run in parallel tasks, overlapping runs,
two `vigie run` processes. Everything up to enrichment runs in parallel; the COMMIT (the
authoritative dedup against the index and `pending`, story assignment, alert evaluation,
index and refresh) runs under a lease held in Elasticsearch (`commit_section`,
`vigie.store.lease`), one worker at a time cluster-wide, so all candidates meet in one
critical section: two copies of one article, or two reports of one incident, committed by two
workers, are one stored article (the second folded into the first) and one story, with one
alert per rule. The pre-check before enrichment only spares enriching obvious copies; its index
search stands for the commit's when the commit sequence (`vigie.store.lease`) shows that
nobody else stored anything since (`commit_duplicates`). Commits
then come in the order the lease is taken, not always in publication order: nothing is doubled
or split, but which copy stays the original (the first stored) or which report anchors a story
may differ from a one-worker pass.

Refreshes (issue 17, item 4): `run` commits batch after batch; a commit followed by another
of the same pass (`more_batches`) does not refresh what it stored. The next batches' lookups
answer for it from memory besides the index: dedup (`pending`), story anchors and name counts
(`assign_stories(recent=...)`), alert windows (`AlertEngine.remembered`), fold originals (read
by id, real time). The commit sequence then carries this pipeline's token as its `unrefreshed`
mark: any other worker refreshes before it searches (its pre-check; its commit, which refreshes
whenever someone else committed). The pass's last commit refreshes, as does `process_batch`'s
(the DAG), so a pass or a task still ends with its writes searchable.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from ingest.feeds import Feed
from ingest.parse import FeedItem
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, Event
from vigie.core.settings import Settings, get_settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from enrich.pipeline import Enricher
    from enrich.pool import EnricherPool, EnrichmentJob
    from ingest.fetch import Fetcher, FetchResult
    from vigie.alerting.delivery import DeliveryWorker
    from vigie.alerting.engine import AlertEngine
    from vigie.store.lease import CommitSequence

log = logging.getLogger(__name__)

ProgressHook = Callable[[str, int], None]  # (stage name, items done)
BatchHook = Callable[[Sequence[Article], Sequence[Event]], None]  # after a batch is indexed
# Longest canonical URL accepted from a feed: browsers and CDNs cap around 2-8 KB; a longer
# "link" is garbage or an attack, and would make the already-indexed lookup fail as a term.
MAX_URL_LENGTH = 4096
# How many batches' worth of stored, unrefreshed articles a pass answers its lookups for from
# memory (`Pipeline.more_batches`) before it refreshes instead: bounds that memory (slim copies:
# fingerprints, names, story fields) to a few MB whatever the length of the pass.
REMEMBERED_BATCHES = 5


class PreviousVersion(BaseModel):
    """The stored article a candidate may be a new version of (issue 15, item 5): why it is
    read again (`reason`: its feed item changed, or it is recent and its page is re-polled),
    what a change is measured against, and what the new version keeps of it."""

    reason: Literal["feed_item", "page"]
    index: str  # the concrete index holding it
    version: int = 1
    title: str = ""
    published: datetime | None = None
    content_hash: str | None = None
    # Kept by the new version: outlets and URLs of the copies folded into it, its story.
    keep: dict[str, Any] = {}


# The fields a new version of an article takes over from the stored one (`PreviousVersion.keep`).
KEPT_FIELDS = ("sources", "duplicate_urls", "story_id", "story_anchor", "story_lead")


class Candidate(BaseModel):
    """A feed item selected for fetching, with the feed it came from; its canonical URL and
    article id are computed once, at selection, and travel with it (staged between DAG tasks).
    `previous`: the stored article it may update (None: a new article)."""

    feed: Feed
    item: FeedItem
    article_id: str
    canonical_url: str
    previous: PreviousVersion | None = None


def batch_sizes(total: int, size: int) -> list[int]:
    """How a pass cuts its `total` articles into batches of at most `size` (bounded memory).

    When more than a batch is selected, the first batch is an eighth of `size`: the enrichment
    workers have nothing to do until the first batch is fetched, extracted and deduplicated,
    and a small one hands them work sooner. Full batches follow, the remainder last. (A ramp
    of several small batches at both ends was tried: each extra batch is one more bulk, lease
    and refresh, and the 1k bench's index step fell from 0.79 to 0.63 of raw bulk.)"""
    size = max(1, size)
    if total <= size:
        return [total] if total else []
    head = [size // 8] if size // 8 >= 1 else []
    middle = total - sum(head)
    return head + [size] * (middle // size) + ([middle % size] if middle % size else [])


def publication_order(candidate: Candidate) -> tuple[bool, float, str]:
    """Oldest first by the feed's date (undated items last), then by article id: the order
    batches are cut in. Stories, alert windows and which copy stays the original are decided
    in arrival order; arriving in publication order, the same items give the same results
    whatever the batch size or a crash and resume in between."""
    published = candidate.item.published
    return (published is None, published.timestamp() if published else 0.0, candidate.article_id)


@dataclass
class BatchResult:
    """What one batch step stored: its articles (copies included), events and alerts."""

    articles: list[Article]
    events: list[Event]
    alerts: list[Alert]


@dataclass
class _Batch:
    """A batch between deduplication and indexing: its articles, their enrichment, and what
    its pre-check compared them with besides the index (`pending`)."""

    articles: list[Article]
    enrichment: EnrichmentJob
    pending: Sequence[Article] = ()
    # The commit sequence read just before the pre-check searched the index, and what that
    # search found: the commit reuses it when nobody else stored anything since.
    precheck_seq: CommitSequence | None = None
    searched: dict[str, list[Any]] | None = None
    # What the pre-check took from memory (`Pipeline._unrefreshed` then): stored, maybe not in
    # what its search saw; the commit compares with it again when it reuses that search.
    remembered: Sequence[Article] = ()


@dataclass
class Pipeline:
    """Holds the long-lived parts (client, fetcher, model) of a pass; stages are methods."""

    settings: Settings = field(default_factory=get_settings)
    summary: RunSummary = field(default_factory=RunSummary)
    progress: ProgressHook | None = None
    # Feed responses whose validators are stored only once their items are indexed (or
    # spooled): a run that dies half-way must not turn the next poll into a 304 that hides them.
    pending_validators: list[FetchResult] = field(default_factory=list)
    after_batch: BatchHook | None = None
    # `run`'s delivery thread: each batch's alerts go to it once stored (the DAG delivers in a
    # task of its own instead).
    deliverer: DeliveryWorker | None = None
    # The commit lease's holder name (`vigie.store.lease`): a DAG task gives its run and batch,
    # so a retry after its worker died takes the lease back at once; None: unique to the pass.
    lease_holder: str | None = None
    # Updates: page responses whose validators are stored once the batch is (a re-polled page
    # then answers 304), and feed signatures of items whose article did not change.
    _page_validators: list[FetchResult] = field(default_factory=list)
    _signatures: list[tuple[str, str, str]] = field(default_factory=list)  # (index, id, signature)
    _moved: dict[str, str] = field(default_factory=dict)  # updated article id -> index it was in
    # The commit sequence (`vigie.store.lease.read_commit_sequence`): this pipeline's own
    # commits that ended clean (stored and refreshed), seq before -> seq after; the sequence as
    # the current commit found it; and as the last clean commit of ours left it.
    _own_commits: dict[int, int] = field(default_factory=dict)
    _commit_start: CommitSequence | None = None
    _clean_seq: CommitSequence | None = None
    _refreshed: bool = True  # the last refresh went through
    # Set by `run` while more batches of the pass follow the one being committed: its index
    # step then skips the refresh of articles and alerts, and the next batches' lookups (dedup,
    # story candidates and name counts, alert windows, fold originals) are answered for what it
    # stored from memory (`_unrefreshed`, the alert engine's `remembered`) besides the index.
    # The commit says so in the commit sequence (`unrefreshed`: our token), so that any other
    # worker refreshes before it searches; the last batch's commit refreshes as before.
    more_batches: bool = False
    _unrefreshed: dict[str, Article] = field(default_factory=dict)  # stored, not refreshed: slim
    _token: str = field(default_factory=lambda: uuid.uuid4().hex)  # this pipeline, in the mark

    @cached_property
    def es(self) -> Elasticsearch:
        from vigie.store.es import client

        return client(self.settings)

    @cached_property
    def fetcher(self) -> Fetcher:
        from ingest.fetch import Fetcher

        return Fetcher(self.settings)

    @cached_property
    def enricher(self) -> Enricher:
        from enrich.pipeline import Enricher

        return Enricher(self.settings)

    @cached_property
    def alert_engine(self) -> AlertEngine:
        """One per pass: rules are read once, and a missing notifier is reported once."""
        from vigie.alerting.engine import AlertEngine

        # The index step refreshes the alerts with the articles (`refresh`) before the next
        # batch searches them or delivery reads them: the engine's own refresh is not needed.
        return AlertEngine(self.settings, self.es, refresh=False)

    @cached_property
    def enricher_pool(self) -> EnricherPool:
        from enrich.pool import EnricherPool

        return EnricherPool(self.settings, self.settings.enrich_workers)

    def close(self) -> None:
        """Stop the enrichment workers, if any were started."""
        if "enricher_pool" in self.__dict__:
            self.enricher_pool.close()
            del self.__dict__["enricher_pool"]

    def _tick(self, stage: str, n: int = 1) -> None:
        if self.progress:
            self.progress(stage, n)

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.summary.add_seconds(stage, time.perf_counter() - start)

    # -- stages -------------------------------------------------------------------------

    def poll_feed(self, feed: Feed) -> list[FeedItem]:
        """Fetch one feed (conditional GET) and parse it; a broken feed yields what it can."""

        with self._timed("poll"):
            return self._poll_feed(feed)

    def _poll_feed(self, feed: Feed) -> list[FeedItem]:
        from ingest.parse import parse_feed
        from vigie.run.feedhealth import is_due, record_poll

        if self.settings.poll_due_only and not is_due(self.settings, feed.name, feed.poll_interval_minutes):
            self.summary.record("feeds", "skipped", feed.name, "not_due")
            return []
        result = self.fetcher.fetch(feed.url, conditional=True, remember=False)
        self._tick("feeds")
        if result.not_modified:  # same bytes as the last poll: same health as the last poll
            record_poll(self.settings, feed.name, None, unchanged=True)
            self.summary.record("feeds", "skipped", feed.name, "not_modified")
            return []
        if result.error or result.content is None:
            record_poll(self.settings, feed.name, result.error or "empty_body")
            self.summary.record("feeds", "refused", feed.name, result.error or "empty_body")
            return []
        parsed = parse_feed(
            result.content, result.final_url or feed.url, feed.name, content_type=result.content_type
        )
        for reference, reason in parsed.skipped:  # an ftp:// link, a repeated item, ...
            self.summary.record("parse", "skipped", reference, reason)
        for reference, reason in parsed.refused:  # what a truncation or a structure limit cost
            self.summary.record("parse", "refused", reference, reason)
        if parsed.error and not parsed.items:
            # No validators kept: the next poll fetches and parses it again (a 304 would hide
            # that it is still broken).
            record_poll(self.settings, feed.name, parsed.error)
            self.summary.record("feeds", "refused", feed.name, parsed.error)
            log.warning("feed %s refused: %s", feed.name, parsed.error)
            return []
        self.pending_validators.append(result)
        record_poll(self.settings, feed.name, None, warning=parsed.error)
        if parsed.error:  # kept the items before the break; say so
            self.summary.record("feeds", "accepted", feed.name, f"partial:{parsed.error}")
            log.warning("feed %s partly read (%d items kept): %s", feed.name, len(parsed.items), parsed.error)
        else:
            self.summary.record("feeds", "accepted", feed.name)
        self.summary.count("items", len(parsed.items))
        return list(parsed.items)

    def select_new(self, polled: Iterable[tuple[Feed, Sequence[FeedItem]]]) -> list[Candidate]:
        """Canonicalise links, collapse repeats, and skip what is already indexed."""
        with self._timed("select"):
            return self._select_new(polled)

    def _select_new(self, polled: Iterable[tuple[Feed, Sequence[FeedItem]]]) -> list[Candidate]:
        from ingest.urls import canonical_id, canonicalize_url
        from vigie.store.folds import stored_versions
        from vigie.store.indexer import already_indexed

        by_id: dict[str, Candidate] = {}
        for feed, items in polled:
            for item in items:
                try:
                    url = canonicalize_url(item.link)
                except ValueError as error:  # not http(s), no host, ...
                    self.summary.record("select", "refused", item.link[:200], f"link:invalid:{error}")
                    continue
                if len(url) > MAX_URL_LENGTH:  # a hostile feed: such a term would fail the whole lookup
                    self.summary.record("select", "refused", url[:200], f"link:too_long:{len(url)}")
                    continue
                key = canonical_id(url)
                if key in by_id:
                    self.summary.record("select", "skipped", item.link, "same_canonical_url")
                    continue
                by_id[key] = Candidate(feed=feed, item=item, article_id=key, canonical_url=url)
        if not by_id:
            return []
        seen = already_indexed(
            self.es, self.settings, [(c.article_id, c.canonical_url) for c in by_id.values()]
        )
        stored = stored_versions(self.es, self.settings, [i for i in by_id if i in seen]) if seen else {}
        fresh = []
        for candidate in by_id.values():
            if candidate.article_id in seen or candidate.canonical_url in seen:
                candidate.previous = self._previous(candidate, stored.get(candidate.article_id))
                if candidate.previous is not None and candidate.previous.reason == "feed_item":
                    self.summary.record("select", "accepted", candidate.canonical_url, "update:feed_item")
                    fresh.append(candidate)
                    continue
                self.summary.record("select", "skipped", candidate.canonical_url, "already_indexed")
                if candidate.previous is not None:  # recent: its page is polled again
                    self.summary.record("update", "accepted", candidate.canonical_url, "recheck:page")
                    fresh.append(candidate)
            else:
                self.summary.record("select", "accepted", candidate.canonical_url)
                fresh.append(candidate)
        return sorted(fresh, key=publication_order)

    def _previous(self, candidate: Candidate, stored: dict[str, Any] | None) -> PreviousVersion | None:
        """The stored article `candidate` would update, when it is to be read again: its feed
        item changed (title, updated date, summary), or it is recent (published, else first
        fetched, within `update_window_hours`) and its page is polled again. None: neither,
        or it is known only as a copy folded into another article."""
        from ingest.parse import item_signature

        if stored is None:
            return None
        signature = stored.get("feed_signature")
        reason: Literal["feed_item", "page"]
        if signature and signature != item_signature(candidate.item):
            reason = "feed_item"
        else:
            window = self.settings.update_window_hours
            moment = stored.get("published") or stored.get("fetched_at")
            if window <= 0 or not moment:
                return None
            when = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            if when < datetime.now(UTC) - timedelta(hours=window):
                return None
            reason = "page"
        return PreviousVersion(
            reason=reason,
            index=stored["_index"],
            version=int(stored.get("version") or 1),
            title=stored.get("title") or "",
            published=stored.get("published"),
            content_hash=stored.get("content_hash"),
            keep={name: stored[name] for name in KEPT_FIELDS if stored.get(name) is not None},
        )

    def fetch_articles(self, candidates: Sequence[Candidate]) -> list[Article]:
        """Fetch and extract each page; fall back to the feed summary (partial) when that fails."""
        return self.extract_articles(candidates, self.fetch_pages(candidates))

    def fetch_pages(self, candidates: Sequence[Candidate]) -> list[FetchResult]:
        """The pages of the candidates, in order (network-bound: `run` does it in a thread)."""
        start = time.perf_counter()
        # The canonical URL, not the feed's link: no tracking parameters sent back to the site.
        # Article pages follow the site's robots.txt (feeds, which the site registered, do not).
        # A re-polled page (an update check) is fetched conditionally: a 304 means unchanged.
        recheck = [
            n for n, c in enumerate(candidates) if c.previous is not None and c.previous.reason == "page"
        ]
        others = [n for n in range(len(candidates)) if n not in set(recheck)]
        results: list[FetchResult] = [None] * len(candidates)  # type: ignore[list-item]
        for positions, conditional in ((others, False), (recheck, True)):
            if not positions:
                continue
            fetched = self.fetcher.fetch_many(
                [candidates[n].canonical_url for n in positions],
                robots=True,
                conditional=conditional,
                remember=False,
            )
            for n, result in zip(positions, fetched, strict=True):
                results[n] = result
        self.summary.add_seconds("fetch", time.perf_counter() - start)
        return results

    def extract_articles(
        self, candidates: Sequence[Candidate], results: Sequence[FetchResult]
    ) -> list[Article]:
        with self._timed("extract"):
            return self._extract_articles(candidates, results)

    def _extract_articles(
        self, candidates: Sequence[Candidate], results: Sequence[FetchResult]
    ) -> list[Article]:
        from ingest.article import build_article
        from ingest.extract import decode_html, extract_article
        from ingest.parse import item_signature

        articles: list[Article] = []
        now = datetime.now(UTC).replace(microsecond=0)
        for candidate, fetched in zip(candidates, results, strict=True):
            previous = candidate.previous
            if previous is not None and (fetched.not_modified or fetched.error or fetched.content is None):
                # Not modified, or not readable now: the stored version stays as it is.
                reason = (
                    "not_modified"
                    if fetched.not_modified
                    else f"fetch_failed:{fetched.error or 'empty_body'}"
                )
                self.summary.record("update", "skipped", candidate.canonical_url, reason)
                continue
            extracted = None
            if fetched.content is not None and not fetched.error:
                html = decode_html(fetched.content, fetched.content_type)
                extracted = extract_article(html, candidate.canonical_url)
            article = build_article(
                candidate.item,
                candidate.feed,
                fetched,
                extracted,
                url=candidate.canonical_url,
                article_id=candidate.article_id,
            )
            article.fetched_at = article.fetched_at or now
            article.feed_signature = item_signature(candidate.item)
            if previous is not None and not self._new_version(article, previous, fetched, now):
                continue
            if article.partial:
                self.summary.record("extract", "accepted", article.url, f"partial:{article.partial_reason}")
                self.summary.count("partial")
            elif not article.text:
                self.summary.record("extract", "refused", article.url, article.partial_reason or "no_text")
                continue
            else:
                self.summary.record("extract", "accepted", article.url)
            articles.append(article)
            self._tick("articles")
        return articles

    def _new_version(
        self, article: Article, previous: PreviousVersion, fetched: FetchResult, now: datetime
    ) -> bool:
        """Make `article` the next version of the stored one when its title, text or date
        changed (what changed in `changes`); False when nothing did (not stored again; a new
        feed signature or page validators are recorded so the next poll does not read it again)."""
        from ingest.dedup import fingerprint

        fingerprint(article)  # content hash and signature (a new version is not deduplicated)
        if article.published_source == "fetch" and previous.published is not None:
            article.published = previous.published  # undated page: the first version's time stays
        changes = []
        if article.title != previous.title:
            changes.append("title")
        if article.content_hash != previous.content_hash:
            changes.append("text")
        if previous.published is not None and article.published != previous.published:
            changes.append("published")
        if previous.reason == "page":
            self._page_validators.append(fetched)
        if article.partial:  # the page could not be read: a summary never replaces a text
            self.summary.record("update", "skipped", article.url, f"partial:{article.partial_reason}")
            return False
        if not changes:
            self.summary.record("update", "skipped", article.url, "unchanged")
            if previous.reason == "feed_item" and article.feed_signature:
                self._signatures.append((previous.index, article.id, article.feed_signature))
            return False
        kept = Article.model_validate({**article.model_dump(), **previous.keep})
        for name in previous.keep:
            setattr(article, name, getattr(kept, name))
        article.version = previous.version + 1
        article.updated_at = now
        article.changes = changes
        self._moved[article.id] = previous.index
        self.summary.record(
            "update", "accepted", article.url, f"version:{article.version}:{','.join(changes)}"
        )
        self.summary.count("updates")
        return True

    def detect_languages(self, articles: Sequence[Article]) -> None:
        from ingest.language import detect_language

        with self._timed("language"):
            for article in articles:
                language, probability = detect_language(article.text or article.summary or article.title)
                article.language, article.language_prob = language, round(probability, 4)
                if self.settings.enriches(language):
                    self.summary.record("language", "accepted", article.url)
                else:  # kept and tagged; configuration decides whether it is indexed
                    self.summary.record("language", "skipped", article.url, f"lang:{language}")
                    self.summary.count("non_french")

    def deduplicate(self, articles: Sequence[Article], pending: Sequence[Article] = ()) -> None:
        """Mark copies; `pending`: articles deduplicated earlier in this run, not indexed yet."""
        with self._timed("dedup"):
            self._deduplicate(articles, pending, self.summary)

    def _deduplicate(
        self,
        articles: Sequence[Article],
        pending: Sequence[Article],
        summary: RunSummary,
        *,
        fingerprinted: bool = False,
        searched: dict[str, list[Any]] | None = None,
    ) -> dict[str, list[Any]]:
        """Returns what the index search found per article (`Deduplicator.searched`);
        `searched`: reuse that of an earlier check instead of searching again."""
        from ingest.dedup import Deduplicator, Supersession

        # A new version is the stored original itself: never a copy of it, nor of another.
        articles = [a for a in articles if a.version == 1]
        deduplicator = Deduplicator(self.es, self.settings)
        superseded = deduplicator.check(
            list(articles), summary, pending=pending, fingerprinted=fingerprinted, searched=searched
        )
        # A stored article that copies an earlier-published article of this batch (its feed
        # was polled first): once a document is stored and maybe alerted on, it stays the
        # original, and the newcomer is folded into it. Swapping would double nothing either,
        # but would have to move events and alerts; within a batch, earliest published wins.
        by_new: dict[str, list[Supersession]] = {}
        for link in superseded:
            by_new.setdefault(link.original_id, []).append(link)
        for article in articles:
            links = sorted(by_new.get(article.id, []), key=lambda link: link.stored_id)
            if links and article.duplicate_of is None:
                article.duplicate_of, article.duplicate_kind = links[0].stored_id, links[0].kind
                summary.record("dedup", "skipped", article.id, f"duplicate:{links[0].kind}:of_stored")
                summary.count("duplicates:of_stored")
        # A copy of an article that has just been folded into a stored one follows it there:
        # folds go to stored originals only (a copy of a copy would be stored on its own).
        by_id = {a.id: a for a in articles}
        for article in articles:
            target = by_id.get(article.duplicate_of or "")
            if target is not None and target.duplicate_of is not None:
                if target.duplicate_of == article.id:  # it is the stored one: stays the original
                    article.duplicate_of, article.duplicate_kind = None, None
                else:
                    article.duplicate_of = target.duplicate_of
        return deduplicator.searched

    def to_enrich(self, articles: Sequence[Article]) -> list[Article]:
        return [
            a for a in articles if a.duplicate_of is None and self.settings.enriches(a.language) and a.text
        ]

    def enrich(self, articles: Sequence[Article]) -> list[Event]:
        """Entities and events for new, non-duplicate articles in an enriched language."""
        return self.finish_enrichment(self.start_enrichment(articles))

    def start_enrichment(self, articles: Sequence[Article]) -> EnrichmentJob:
        """Hand the batch to the enrichment workers (or enrich it now, in process)."""
        from enrich.pool import EnrichmentJob

        targets = self.to_enrich(articles)
        if targets and self.settings.enrich_workers > 0:
            return self.enricher_pool.submit(targets)
        start = time.perf_counter()
        events = self.enricher.enrich(targets, self.summary) if targets else []
        return EnrichmentJob(events=events, seconds=time.perf_counter() - start)

    def finish_enrichment(self, job: EnrichmentJob) -> list[Event]:
        """Wait for a batch's enrichment; its articles are enriched in place."""
        events = job.result(self.summary)
        self.summary.add_seconds("enrich", job.seconds)
        self._tick("enrich", sum(1 for _ in {event.article_id for event in events}))
        return events

    def cluster_stories(self, articles: Sequence[Article], events: Sequence[Event]) -> None:
        with self._timed("story"):
            self._cluster_stories(articles, events)

    def _cluster_stories(self, articles: Sequence[Article], events: Sequence[Event]) -> None:
        from vigie.stories.assign import assign_stories, refresh_story_incidents

        originals = [a for a in articles if a.duplicate_of is None]
        # A new version keeps the story of the stored one (`PreviousVersion.keep`); its
        # incidents' figures still reach the story incidents (a revised toll).
        assign_stories(
            self.es,
            self.settings,
            [a for a in originals if a.version == 1],
            self.summary,
            events,
            recent=list(self._unrefreshed.values()),
        )
        updated = [a for a in originals if a.version > 1]
        if updated:
            ids = {a.id for a in updated}
            refresh_story_incidents(
                self.es, self.settings, updated, self.summary, [e for e in events if e.article_id in ids]
            )
        story_of = {a.id: a.story_id for a in originals}
        for event in events:
            event.story_id = story_of.get(event.article_id)
        self.summary.count("stories", len({a.story_id for a in originals if a.story_id}))

    def index(self, articles: Sequence[Article], events: Sequence[Event]) -> None:
        """Store the batch (or spool it) and make it searchable, or, when `more_batches` follow
        and all of it was stored as it is, remember it for their lookups (`_remember_stored`);
        feed validators are committed by the caller once every batch of their items is stored
        (`commit_validators`)."""
        with self._timed("index"):
            self._index(articles, events)

    def _index(self, articles: Sequence[Article], events: Sequence[Event]) -> None:
        from vigie.store.es import index_for
        from vigie.store.indexer import Indexer

        # An original stored by an unrefreshed batch of ours is read by id for a fold.
        recent = {a.id: index_for(self.settings, a) for a in self._unrefreshed.values()}
        indexer = Indexer(self.es, self.settings, recent=recent)
        # Articles in other languages are kept and tagged unless configuration says otherwise.
        storable = [a for a in articles if self.settings.stores(a.language)]
        if len(storable) < len(articles):
            self.summary.count("not_indexed_language", len(articles) - len(storable))
        updated = {a.id for a in storable if a.version > 1}
        missing_before = self.summary.get("index.articles.original_missing")
        # Articles and their events in one stream of bulk requests (`Indexer.index_batch`).
        report = indexer.index_batch(
            storable, [e for e in events if e.article_id not in updated], self.summary
        )
        if updated:  # their events replace the stored ones; stale incidents are deleted
            indexer.replace_events(updated, [e for e in events if e.article_id in updated], self.summary)
            moved = [
                (self._moved[a.id], index_for(self.settings, a), a.id) for a in storable if a.id in updated
            ]
            indexer.retire([(old, i) for old, new, i in moved if old != new], self.summary)
        if self._signatures:  # unchanged articles: the feed's new signature, so no re-read next poll
            indexer.bulk(
                [
                    {
                        "_op_type": "update",
                        "_index": index,
                        "_id": doc_id,
                        "_source": {"doc": {"feed_signature": sig}},
                    }
                    for index, doc_id, sig in self._signatures
                ],
                self.summary,
                stage="index.articles",
            )
            self._signatures.clear()
        for result in self._page_validators:  # stored: the next re-poll of these pages may be a 304
            self.fetcher.remember(result)
        self._page_validators.clear()
        clean = not (report.unchanged or report.dead_lettered or report.spooled) and (
            self.summary.get("index.articles.original_missing") == missing_before
        )
        if not (self.more_batches and clean and self._remember_stored(storable)):
            self.refresh()

    def _remember_stored(self, stored: Sequence[Article]) -> bool:
        """Keep what this batch stored (every document written as it is here: no copy folded
        elsewhere, nothing already there, refused or spooled) for the next batches' lookups
        instead of refreshing now; False when the memory is full (`REMEMBERED_BATCHES`): then
        the caller refreshes, which empties it."""
        documents = [a for a in stored if a.duplicate_of is None or a.duplicate_of == a.id]
        if len(self._unrefreshed) + len(documents) > REMEMBERED_BATCHES * max(1, self.settings.batch_size):
            return False
        for article in documents:
            # What dedup, stories and the fold lookups read; not the text nor the mentions.
            slim = article.model_copy(update={"text": "", "summary": None, "entities": []})
            slim._tokens = None
            self._unrefreshed[article.id] = slim
        return True

    def refresh(self, *, everything: bool = False) -> bool:
        """Make what this run wrote searchable now, rather than at the next refresh tick. After
        a batch no other of the pass follows, or whose writes are not all remembered (see
        `index`), as a commit starts after someone else's, and before a pre-check that follows
        another worker's unrefreshed commit: what the lookups of the batches read, articles
        (seen, dedup, stories) and alerts (alert windows); then nothing is left to remember. `everything`: the events too, which
        no lookup of a pass reads, once the pass or the DAG's batch task is done (the freshness
        promise; meanwhile the cluster's own refresh tick makes them searchable, or, when no
        search reads their index, the first search does). Per batch, an events refresh cost a
        segment of ~1,000 small documents and the merges after it."""
        from elasticsearch import ApiError, TransportError

        kinds = ("articles", "events", "alerts") if everything else ("articles", "alerts")
        families = ",".join(self.settings.index(kind) for kind in kinds)
        try:
            self.es.indices.refresh(index=families, ignore_unavailable=True, allow_no_indices=True)
        except (ApiError, TransportError) as error:  # cluster down: the batch is spooled already
            log.warning("refresh after indexing failed: %s", error)
            self._refreshed = False
            return False
        self._refreshed = True
        # Everything stored is searchable now: nothing to answer from memory any more.
        self._unrefreshed.clear()
        if "alert_engine" in self.__dict__:
            self.alert_engine.forget_remembered()
        return True

    def commit_validators(self, results: Sequence[FetchResult] | None = None) -> None:
        """Store feed validators now that their items are indexed or spooled."""
        for result in self.pending_validators if results is None else results:
            self.fetcher.remember(result)
        if results is None:
            self.pending_validators.clear()

    def check_configuration(self, model: str | None = None) -> None:
        """Fail before fetching anything when a configuration file is broken or the spaCy
        model (`model`, default `enrich.model.MODEL`) is not installed: a run that stops early
        loses nothing, one that stops between fetch and index might. The model is looked up,
        not loaded (`MissingModelError`, one line)."""
        from enrich import model as spacy_model
        from vigie.alerting.rules import load_rules

        load_rules(self.settings.rules_file)
        spacy_model.require_model(model)

    def evaluate_alerts(self, articles: Sequence[Article], events: Sequence[Event]) -> list[Alert]:
        with self._timed("alerts"):
            return self.alert_engine.evaluate(list(articles), list(events), self.summary)

    def deliver(self) -> None:
        """One delivery pass over every alert still pending, within the delivery budget: the
        DAG's deliver task and `vigie alerts deliver` (`run` delivers in a thread beside the
        batches, `start_delivery`). With the cluster unreachable the alerts stay pending in the
        alerts index (their state lives there) for the next pass."""
        from elasticsearch import ConnectionError as ESConnectionError
        from elasticsearch import ConnectionTimeout

        from vigie.alerting.delivery import deliver_pending

        # The rules this pipeline already read, else none: the pass reads them only when an
        # alert is pending (the DAG's deliver task, most runs, has nothing to send).
        rules = self.alert_engine.rules if "alert_engine" in self.__dict__ else None
        try:
            deliver_pending(self.es, self.settings, self.summary, rules)
        except (ESConnectionError, ConnectionTimeout) as error:
            log.warning("alert delivery postponed, cluster unreachable: %s", error)
            self.summary.record("alert_delivery", "skipped", "pending alerts", "cluster_unreachable")

    def start_delivery(self) -> DeliveryWorker:
        """Start delivering beside ingestion (a thread of its own, with its own client): each
        batch's alerts are handed over once stored, and ingestion never waits on a receiver."""
        from vigie.alerting.delivery import DeliveryWorker

        self.deliverer = DeliveryWorker(self.settings, self.alert_engine.rules).start()
        return self.deliverer

    def finish_delivery(self, *, sweep: bool = True) -> None:
        """Ingestion is done: the delivery thread sends what is still pending (`sweep`) within
        the delivery budget, then stops; its accounting joins the run's."""
        if self.deliverer is None:
            return
        deliverer, self.deliverer = self.deliverer, None
        with self._timed("deliver_wait"):
            delivered = deliverer.finish(sweep=sweep)
        self.summary.merge(delivered)
        for name, value in delivered.metrics.items():  # merge drops zero counters: 0 pending is news
            if not value:
                self.summary.count(name, 0)

    def replay_spool(self) -> None:
        from vigie.store.indexer import replay_spool

        replayed = self.summary.get("spool")
        replay_spool(self.es, self.settings, self.summary)
        if self.summary.get("spool") > replayed:
            # Searchable before this pass selects its items: a replayed article must count as
            # already indexed (the refresh tick may come after the selection).
            self.refresh()

    # -- one batch, and a whole pass -----------------------------------------------------

    def plan_batches(self, candidates: Sequence[Candidate]) -> list[list[Candidate]]:
        """The selected items cut into batches (`batch_sizes`): the unit of memory and work
        for `run` and for the DAG's mapped `process_batch` task alike."""
        batches: list[list[Candidate]] = []
        start = 0
        for size in batch_sizes(len(candidates), self.settings.batch_size):
            batches.append(list(candidates[start : start + size]))
            start += size
        return batches

    def start_batch(
        self, candidates: Sequence[Candidate], pages: Sequence[FetchResult], pending: Sequence[Article] = ()
    ) -> _Batch:
        """First half of the batch step: extract, language, dedup, and hand the batch to the
        enrichment (worker processes, or in process). `pending`: the previous batch, when it
        is not stored yet (`run` overlaps batches)."""
        articles = self.extract_articles(candidates, pages)
        self.detect_languages(articles)
        # The dedup pre-check: copies of what is stored (or pending) are not enriched. Its
        # verdict is provisional (not recorded): the commit decides (`commit_duplicates`).
        with self._timed("dedup"):
            seq = self._read_commit_sequence()  # before the search: a commit after it is seen
            remembered = list(self._unrefreshed.values())  # ours, stored, maybe not searchable
            searched = self._deduplicate(articles, [*pending, *remembered], RunSummary())
        return _Batch(articles, self.start_enrichment(articles), pending, seq, searched, remembered)

    def finish_batch(self, batch: _Batch) -> BatchResult:
        """Second half: wait for enrichment, then the commit, one worker at a time cluster-wide
        (`commit_section`): authoritative dedup, stories, alerts, index; then delivery."""
        events = self.finish_enrichment(batch.enrichment)
        with self.commit_section() as fence:
            events = self.commit_duplicates(batch, events)
            fence()
            self.cluster_stories(batch.articles, events)
            alerts = self.evaluate_alerts(batch.articles, events)
            self.summary.count("alerts", len(alerts))
            fence()
            self.index(batch.articles, events)
        if self.deliverer is not None:  # stored: the delivery thread may send them now
            self.deliverer.submit([alert.id for alert in alerts])
        if self.after_batch is not None:
            self.after_batch(batch.articles, events)
        return BatchResult(articles=batch.articles, events=events, alerts=alerts)

    @contextmanager
    def commit_section(self) -> Iterator[Callable[[], None]]:
        """The batch commit's critical section: held under the commit lease
        (`vigie.store.lease.commit_lease`), so the commits of every worker (batches of one
        run, overlapping runs, two `vigie run`) take turns cluster-wide and each sees what the
        previous ones stored (they refresh before releasing it). Yields the fencing check:
        called before writes, it extends the lease when due or raises `LeaseLost` when another
        worker took it over. `seconds["commit.wait"]`: waiting for the lease; `seconds["commit"]`:
        holding it. `VIGIE_COMMIT_LEASE=false`: no lease (a single worker)."""
        if not self.settings.commit_lease:
            start = time.perf_counter()
            try:
                yield lambda: None
            finally:
                self.summary.add_seconds("commit", time.perf_counter() - start)
            return
        from elasticsearch import ApiError, TransportError

        from vigie.store.lease import LeaseError, commit_lease, read_commit_sequence, write_commit_sequence

        lease = commit_lease(self.es, self.settings, self.lease_holder)
        with self._timed("commit.wait"):
            lease.acquire()
        start = time.perf_counter()
        self._commit_start = None
        try:
            if lease.taken_over_from is not None or lease.reentered:
                self.summary.count("commit:lease_taken_over")
            current = read_commit_sequence(self.es, self.settings)
            if current is None:  # nobody could tell our writes: none
                raise LeaseError("the commit sequence cannot be read: nothing is committed")
            # What the previous holders stored is searchable (each refreshes before releasing),
            # unless one died inside or its refresh failed; nothing to do when nobody but us
            # committed since our last clean commit.
            if current != self._clean_seq:
                self.refresh()
            self._commit_start = current
            seq, external = current
            begun = seq + 1 if seq % 2 == 0 else seq + 2  # odd: a commit is writing
            write_commit_sequence(self.es, self.settings, begun, lease.holder)
            spooled = self.summary.metrics.get("index.spooled", 0)
            yield lease.fence
            # Stored and refreshed (the index step refreshes last): the commit ends clean.
            ended = begun + 1
            self._clean_seq = None
            # Stored but not refreshed (`more_batches`): our token, so anyone else refreshes first.
            unrefreshed = self._token if self._unrefreshed else ""
            try:
                write_commit_sequence(self.es, self.settings, ended, lease.holder, unrefreshed=unrefreshed)
            except (ApiError, TransportError) as error:  # left odd: every reader searches again
                log.warning("commit sequence not closed after a commit: %s", error)
            else:
                clean = self._refreshed and self.summary.metrics.get("index.spooled", 0) == spooled
                if seq % 2 == 0 and clean:
                    self._own_commits[seq] = ended
                    self._clean_seq = (ended, external)
        finally:
            self._commit_start = None
            lease.release()
            self.summary.add_seconds("commit", time.perf_counter() - start)

    def _read_commit_sequence(self) -> CommitSequence | None:
        """The commit sequence now, None without the lease (no sequence is kept then). When the
        last commit was another worker's that ended stored but not refreshed (its mark), its
        writes are refreshed first: what is searched next sees them."""
        if not self.settings.commit_lease:
            return None
        from vigie.store.lease import read_unrefreshed_mark

        state = read_unrefreshed_mark(self.es, self.settings)
        if state is None:
            return None
        seq, mark = state
        if mark and mark != self._token and not self.refresh():
            return None  # not searchable: nothing to reuse
        return seq

    def _nobody_else_committed_since(self, seen: CommitSequence | None) -> bool:
        """Inside a commit: since the sequence read `seen`, only this pipeline's own clean
        commits were made (none of another worker, no write without the lease, no commit that
        died or failed to refresh), so the index holds what it held then plus our own batches."""
        now = self._commit_start
        if seen is None or now is None or seen[1] != now[1] or seen[0] % 2:
            return False
        seq = seen[0]
        while seq != now[0]:
            following = self._own_commits.get(seq)
            if following is None:
                return False
            seq = following
        return True

    def commit_duplicates(self, batch: _Batch, events: Sequence[Event]) -> list[Event]:
        """The authoritative dedup, inside the commit section: the batch against the index as
        it is now (other workers may have stored copies since the pre-check) and `pending`.
        An article found a copy only now loses its events (`dedup:late_copies`); one found an
        original only now is enriched now (`dedup:late_originals`). Returns the events to
        store. Its time counts in `seconds["dedup"]` and, apart, in `seconds["commit.dedup"]`."""
        start = time.perf_counter()
        with self._timed("dedup"):
            before = {a.id: a.duplicate_of for a in batch.articles}
            # Nobody else stored anything since the pre-check (the commit sequence): what its
            # search found, with `pending` (our own batch committed since), is the index now.
            reuse = batch.searched if self._nobody_else_committed_since(batch.precheck_seq) else None
            if reuse is not None:
                self.summary.count("dedup:commit_search_reused")
            # Besides the index: the pending batch, and what our own commits stored that the
            # pre-check's search or a search now may not show (not refreshed).
            pending = [*batch.pending, *batch.remembered, *self._unrefreshed.values()]
            self._deduplicate(batch.articles, pending, self.summary, fingerprinted=True, searched=reuse)
        self.summary.add_seconds("commit.dedup", time.perf_counter() - start)
        late = {a.id for a in batch.articles if a.duplicate_of is not None and before[a.id] is None}
        revived = [a for a in batch.articles if a.duplicate_of is None and before[a.id] is not None]
        kept_events = [e for e in events if e.article_id not in late]
        if late:
            self.summary.count("dedup:late_copies", len(late))
        if revived:
            self.summary.count("dedup:late_originals", len(revived))
            kept_events += self.finish_enrichment(self.start_enrichment(revived))
        return kept_events

    def process_batch(self, candidates: Sequence[Candidate]) -> BatchResult:
        """The batch step, start to finish: what each mapped task of the DAG runs; `run`
        runs the same two halves, overlapped."""
        try:
            result = self.finish_batch(self.start_batch(candidates, self.fetch_pages(candidates)))
            with self._timed("index"):
                self.refresh(everything=True)  # the task is done: its events searchable too
            return result
        finally:
            self.close()

    def poll_and_select(self, feeds: Sequence[Feed]) -> list[Candidate]:
        """Configuration check, spool replay, every feed polled, new items selected."""
        self.check_configuration()
        self.replay_spool()
        return self.select_new([(feed, self.poll_feed(feed)) for feed in feeds])

    def run(self, feeds: Sequence[Feed]) -> RunSummary:
        """One pass over `feeds`: what the news_ingest DAG does, in one process. Delivery runs
        beside it (`start_delivery`); `seconds["ingestion"]` is the wall time up to the last
        batch stored, `seconds["deliver_wait"]` what the run then waited for delivery."""
        started = time.perf_counter()
        batches = self.plan_batches(self.poll_and_select(feeds))
        in_flight: _Batch | None = None
        self.start_delivery()
        # The next batch's pages are fetched in a thread while this one is processed: fetching
        # waits on the network (per-host limits), which releases the GIL.
        prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-prefetch")
        done = False
        try:
            pages = prefetch.submit(self.fetch_pages, batches[0]) if batches else None
            for number, candidates_batch in enumerate(batches):
                assert pages is not None
                results = pages.result()
                if number + 1 < len(batches):
                    pages = prefetch.submit(self.fetch_pages, batches[number + 1])
                batch = self.start_batch(
                    candidates_batch, results, pending=in_flight.articles if in_flight else ()
                )
                if in_flight is not None:
                    self.more_batches = True  # `batch` commits next: no refresh in between
                    self.finish_batch(in_flight)
                in_flight = batch
            self.more_batches = False  # the last commit refreshes: the pass ends searchable
            if in_flight is not None:
                self.finish_batch(in_flight)
            with self._timed("index"):
                self.refresh(everything=True)  # the pass is done: its events searchable too
            done = True
        finally:
            self.more_batches = False
            prefetch.shutdown(wait=True, cancel_futures=True)
            self.close()
            if not done:  # what was handed over still goes out; the sweep waits for the next run
                self.finish_delivery(sweep=False)
        # Every batch is stored or spooled: the next poll may now answer 304.
        self.commit_validators()
        self.summary.add_seconds("ingestion", time.perf_counter() - started)
        self.finish_delivery()
        return self.summary
