"""Alert evaluation at ingest: rules x (new, non-duplicate, enriched) articles -> Alert documents.

Throttling: one alert per rule per story per window. An article joins the alert of the same
rule and story (`story_id`, or the article itself when it has none) whose `window_start` lies
within the rule's throttle of the article's PUBLISHED time, on either side (late-arriving
copies of an earlier report still join); otherwise it opens a new alert whose window starts at
its published time. Windows are anchored on published times, never on the clock, and the id
is content-derived: `stable_id(rule, story key, first article id)`. Re-running a batch finds
every article already in its alert and writes nothing.

Writes are optimistic (`vigie.store.conditional`): a new alert is `create`d (409 when it
already exists), an existing one is rewritten with `if_seq_no`/`if_primary_term`, and on
conflict re-read and re-merged. An engine that does not refresh the alerts index itself (the
pipeline's, which refreshes once its batches are committed) remembers the alerts it wrote and
answers every later search with them too (`remembered`, the later version of each id), so the
next batch joins an alert the index does not show yet.
A batch costs three requests, whatever its size: the rules are matched on every article first
(pure), one `msearch` reads the candidate alerts of every (rule, article) that fired, the
articles are then assigned to alerts in memory in published order exactly as one-by-one
processing would, and one `bulk` writes each changed alert once (same create / conditional
index actions). An alert whose write fails (conflict, rejection) has its articles recorded
again one by one, each with its own read, write and retry on conflict (`_record`).
Notifications go out only for a new alert (its `deliveries`); articles joining it later add
their ids and outlets without paging anyone again. Follow-ups (issue 15, item 5): a new version
of an article the alert holds (`Article.version` > 1) whose toll (killed or injured, the highest
figure of its events) rises above the alert's updates the alert itself (same id: new title,
passage, toll) and queues ONE delivery of kind "follow-up" per channel, numbered
(`Alert.follow_ups`); re-evaluating the same version finds the toll reached and writes nothing. Delivery is a step of its own, apart from
ingestion (`vigie.alerting.delivery`).

Errors: an article the matcher chokes on, or an alert Elasticsearch rejects (400), is counted
as refused with its reason and the batch goes on. Connection errors propagate: the batch is
re-run as a whole, which is safe because evaluation is idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch

from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import Rule, RuleSet, load_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, Delivery, Event, stable_id
from vigie.core.settings import Settings
from vigie.store.conditional import Versioned, bulk_sender, read, write_many
from vigie.store.conditional import write as write_if_unchanged
from vigie.store.es import index_for

log = logging.getLogger(__name__)

STAGE = "alerts"
MAX_WRITE_ATTEMPTS = 8
SEARCHES_PER_REQUEST = 500  # msearch chunk
WRITES_PER_REQUEST = 500  # bulk chunk


class AlertWriteError(RuntimeError):
    """An alert could not be written after repeated concurrent-update conflicts."""


@dataclass
class StoredAlert:
    alert: Alert
    seq_no: int
    primary_term: int
    index: str

    @classmethod
    def of(cls, version: Versioned, alert: Alert | None = None) -> StoredAlert:
        """An alert as read or written (`alert`: the one written, else read from the source)."""
        if version.seq_no is None or version.primary_term is None:
            raise ValueError(f"alert {version.id} has no version")
        alert = alert if alert is not None else Alert.model_validate(version.source)
        return cls(alert, version.seq_no, version.primary_term, version.index)

    def version(self, *, create: bool = False) -> Versioned:
        """What a write of this alert is conditional on (`create`: it is not stored yet)."""
        if create:
            return Versioned.absent(self.index, self.alert.id)
        return Versioned(self.index, self.alert.id, self.seq_no, self.primary_term)


@dataclass
class _Hit:
    """A rule that fired on an article: where it lands (`outcome`, `alert`) once recorded."""

    rule: Rule
    article: Article
    matched_text: str
    outcome: str = ""  # created | merged | updated (a follow-up) | unchanged; "" when refused
    alert: Alert | None = None  # the alert holding the article (latest version written)
    refused: str = ""  # Elasticsearch's reason when the alert was rejected


@dataclass
class _Write:
    """One alert's write in the batch's bulk: a creation, or an update of the version read."""

    stored: StoredAlert  # the alert as it will be written; seq_no/primary_term as read (updates)
    create: bool
    hits: list[_Hit]  # the hits it records, in order
    failed: bool = False  # not written: its hits are recorded one by one (`_record`)


def published_anchor(article: Article) -> datetime:
    """The time an article's alert window is anchored on: published, else fetched_at.

    Only an article with neither (never produced by the pipeline) falls back to the clock;
    the alert id does not depend on it."""
    moment = article.published or article.fetched_at
    if moment is None:
        log.warning("article %s has no published or fetched time: alert window anchored on now", article.id)
        moment = datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def story_key(article: Article) -> str:
    return article.story_id or article.id


def _sources(article: Article) -> list[str]:
    return list(dict.fromkeys([article.source, *article.sources]))


def toll(events: Iterable[Event]) -> tuple[int, int]:
    """(killed, injured): the highest figure of each among an article's incidents."""
    killed = injured = 0
    for event in events:
        killed = max(killed, event.killed.value if event.killed else 0)
        injured = max(injured, event.injured.value if event.injured else 0)
    return killed, injured


def merge_article(alert: Alert, article: Article) -> Alert | None:
    """The alert with `article` added, or None when it already holds it (nothing to write)."""
    if article.id in alert.article_ids:
        return None
    return alert.model_copy(
        update={
            "article_ids": [*alert.article_ids, article.id],
            "sources": list(dict.fromkeys([*alert.sources, *_sources(article)])),
        }
    )


class AlertEngine:
    def __init__(
        self, settings: Settings, es: Elasticsearch, rules: RuleSet | None = None, *, refresh: bool = True
    ) -> None:
        self.settings = settings
        self.es = es
        # Refresh the alerts index after a batch that changed alerts; False when the caller
        # refreshes it itself before anything searches it again (the pipeline's index step).
        self.refresh = refresh
        self.rules = rules if rules is not None else load_rules(settings.rules_file)
        self.index = settings.index("alerts")
        # Alerts read or written in this batch: search is near-real-time, the batch must not be.
        self._batch: dict[str, StoredAlert] = {}
        # Without its own refresh: the alerts this engine wrote (or re-read) since its caller
        # last made them searchable (`forget_remembered`), latest version by id. Every search
        # is answered with them too, so the next batch needs no refresh of the alerts index to
        # see this one's (the pipeline refreshes once its commits are done, `vigie.run.pipeline`).
        self.remembered: dict[str, StoredAlert] = {}
        self._warned: set[tuple[str, str]] = set()  # (rule, notifier): say it once per run, count each
        self._tolls: dict[str, tuple[int, int]] = {}  # article id -> (killed, injured), this batch

    # -- public -----------------------------------------------------------------------------

    def evaluate(self, articles: list[Article], events: list[Event], summary: RunSummary) -> list[Alert]:
        """Check every new, non-duplicate, enriched article against the enabled rules.

        Writes/updates alerts in `settings.index("alerts")`, sets `Article.alert_rules`, and
        returns the alerts created or changed by this call (none when the batch was seen)."""
        events_by_article: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            events_by_article[event.article_id].append(event)
        self._batch = {}
        self._tolls = {article_id: toll(found) for article_id, found in events_by_article.items()}
        rules = self.rules.enabled()
        # Earliest first, so the first article of a story opens its alert whatever the input order.
        ordered = sorted(articles, key=lambda a: (published_anchor(a), a.id))
        # 1. Match (pure): per article, per rule in order, a hit or the matcher's error.
        results: list[list[_Hit | tuple[Rule, str]]] = []  # one per article of `ordered`
        hits: list[_Hit] = []
        for article in ordered:
            found_here: list[_Hit | tuple[Rule, str]] = []
            results.append(found_here)
            if article.duplicate_of is not None or not article.enriched:
                continue
            view = ArticleView(article, events_by_article.get(article.id, []))
            for rule in rules:
                try:
                    found = match(rule.condition, view)
                except Exception as error:  # one odd article must not stop the batch
                    log.exception("rule %s on article %s: matching failed", rule.name, article.id)
                    found_here.append((rule, f"match_error: {type(error).__name__}: {error}"))
                    continue
                if found is not None:
                    hit = _Hit(rule, article, view.render(found))
                    found_here.append(hit)
                    hits.append(hit)
        # 2. Record: one read, the assignment in memory, one write; failed writes one by one.
        latest = self._record_all(hits, summary)
        # 3. Account, in the articles' order.
        changed: dict[str, Alert] = {}
        for article, found_here in zip(ordered, results, strict=True):
            if article.duplicate_of is not None:
                summary.record(STAGE, "skipped", article.id, f"duplicate: of {article.duplicate_of}")
                continue
            if not article.enriched:
                summary.record(STAGE, "skipped", article.id, "not_enriched")
                continue
            fired: list[str] = []
            for entry in found_here:
                if isinstance(entry, tuple):
                    rule, reason = entry
                    summary.record(STAGE, "refused", f"{rule.name}:{article.id}", reason)
                    continue
                if entry.refused:
                    summary.record(
                        STAGE, "refused", f"{entry.rule.name}:{article.id}", f"es_rejected: {entry.refused}"
                    )
                    continue
                fired.append(entry.rule.name)
                summary.count(f"alerts:{entry.outcome}")
                summary.count(f"alerts:rule:{entry.rule.name}")
                if entry.outcome != "unchanged" and entry.alert is not None:
                    changed[entry.alert.id] = latest[entry.alert.id]
            article.alert_rules = sorted(set(article.alert_rules) | set(fired))
            summary.record(STAGE, "accepted", article.id, "fired" if fired else "no_match")
        if changed and self.refresh:
            # Make this batch's alerts visible to the next batch's searches and to delivery.
            self.es.indices.refresh(index=self.index, ignore_unavailable=True, allow_no_indices=True)
        if self.refresh:
            self.remembered.clear()
        return list(changed.values())

    def forget_remembered(self) -> None:
        """The alerts index was refreshed: searches see every alert this engine wrote."""
        self.remembered.clear()

    def _with_remembered(self, rule: Rule, found: list[StoredAlert]) -> list[StoredAlert]:
        """`found` (a search's answer) with the remembered alerts of `rule`, the later version
        of each id (the delivery thread updates alerts too: the search may hold the newer)."""
        if not self.remembered:
            return found
        by_id = {stored.alert.id: stored for stored in found}
        for stored in self.remembered.values():
            if stored.alert.rule != rule.name:
                continue
            seen = by_id.get(stored.alert.id)
            if seen is None or (stored.primary_term, stored.seq_no) > (seen.primary_term, seen.seq_no):
                by_id[stored.alert.id] = stored
        return list(by_id.values())

    # -- internals --------------------------------------------------------------------------

    def _record(
        self, rule: Rule, article: Article, matched_text: str, summary: RunSummary
    ) -> tuple[Alert, str]:
        """Create the alert or add the article to the one covering it: (alert, outcome). A write
        refused because the alert changed (or appeared) meanwhile reads it again and chooses again."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            outcome = "merged"
            existing = self._find(rule, article)
            if existing is None:
                alert = self._new_alert(rule, article, matched_text, summary)
                # The monthly index follows window_start, fixed at creation: one home per id.
                current = Versioned.absent(index_for(self.settings, alert), alert.id)
            else:
                merged = merge_article(existing.alert, article)
                if merged is None:
                    merged = self._follow_up(rule, existing.alert, article, matched_text)
                    if merged is None:
                        return existing.alert, "unchanged"
                    outcome = "updated"
                alert, current = merged, existing.version()
            written = write_if_unchanged(self.es, current, alert.model_dump(mode="json"))
            if written is None:
                # Same id already stored (a concurrent run, or not yet searchable), or changed.
                self._refetch(current.index, alert.id)
                continue
            self._remember(alert, written)
            if existing is not None:
                return alert, outcome
            log.info("alert %s opened: rule %s, article %s", alert.id, rule.name, article.id)
            return alert, "created"
        raise AlertWriteError(
            f"alert for rule {rule.name}, article {article.id}: too many concurrent updates"
        )

    def _follow_up(self, rule: Rule, alert: Alert, article: Article, matched_text: str) -> Alert | None:
        """The alert updated by a new version of one of its articles whose toll rose above the
        alert's, with one follow-up delivery queued per configured channel; None otherwise."""
        if article.version <= 1 or article.id not in alert.article_ids:
            return None
        killed, injured = self._tolls.get(article.id, (0, 0))
        if killed <= alert.killed and injured <= alert.injured:
            return None
        number = alert.follow_ups + 1
        follow_ups = [
            Delivery(notifier=d.notifier, kind="follow-up", follow_up=number)
            for d in self._deliveries(rule, None)
        ]
        log.info(
            "alert %s: toll rose (%d killed, %d injured): follow-up %d", alert.id, killed, injured, number
        )
        return alert.model_copy(
            update={
                "title": article.title,
                "matched_text": matched_text,
                "killed": max(killed, alert.killed),
                "injured": max(injured, alert.injured),
                "follow_ups": number,
                "updated_at": datetime.now(UTC),
                "deliveries": [*alert.deliveries, *follow_ups],
                "status": "pending" if follow_ups else alert.status,
            }
        )

    def _new_alert(
        self, rule: Rule, article: Article, matched_text: str, summary: RunSummary | None
    ) -> Alert:
        """The alert `article` opens. `summary`: where unconfigured notifiers are counted (None:
        the caller counts them once the alert is written, see `_count_unconfigured`)."""
        deliveries = self._deliveries(rule, summary)
        killed, injured = self._tolls.get(article.id, (0, 0))
        return Alert(
            id=stable_id(rule.name, story_key(article), article.id),
            rule=rule.name,
            severity=rule.severity,
            description=rule.description,
            article_id=article.id,
            article_ids=[article.id],
            story_id=article.story_id,
            title=article.title,
            url=article.url,
            sources=_sources(article),
            matched_text=matched_text,
            triggered_at=datetime.now(UTC),
            window_start=published_anchor(article),
            deliveries=deliveries,
            # Nothing to deliver is nothing pending.
            status="pending" if deliveries else "sent",
            killed=killed,
            injured=injured,
        )

    def _deliveries(self, rule: Rule, summary: RunSummary | None) -> list[Delivery]:
        """One pending delivery per configured channel of `rule`; unconfigured ones are counted
        in `summary` (when given) and said once per run."""
        deliveries: list[Delivery] = []
        for notifier in self.rules.notifiers_of(rule):
            if notifier.configured:
                deliveries.append(Delivery(notifier=notifier.key))
                continue
            # Not queued: an unset ${VAR} would otherwise keep the alert failing forever.
            if summary is not None:
                summary.count(f"alerts:notifier_unconfigured:{notifier.name}")
            if (rule.name, notifier.name) in self._warned:
                continue
            self._warned.add((rule.name, notifier.name))
            log.warning(
                "rule %s: notifier %s not configured (unset: %s), not queued",
                rule.name,
                notifier.name,
                ", ".join(notifier.missing_env),
            )
        return deliveries

    def _count_unconfigured(self, rule: Rule, summary: RunSummary) -> None:
        for notifier in self.rules.notifiers_of(rule):
            if not notifier.configured:
                summary.count(f"alerts:notifier_unconfigured:{notifier.name}")

    def _record_all(self, hits: list[_Hit], summary: RunSummary) -> dict[str, Alert]:
        """Record every hit (in order) as `_record` would one by one: the latest version of each
        alert written, by id. Sets each hit's outcome and alert, or `refused`."""
        if not hits:
            return {}
        writes = self._assign(hits, self._search_all(hits))
        self._write_all(writes)
        latest: dict[str, Alert] = {}
        again: list[_Hit] = []  # the hits of the writes that failed
        for write in writes:
            if write.failed:
                again.extend(write.hits)
            else:
                alert = write.stored.alert
                latest[alert.id] = alert
                for hit in write.hits:
                    hit.alert = alert
                if write.create:
                    self._count_unconfigured(write.hits[0].rule, summary)
                    log.info(
                        "alert %s opened: rule %s, article %s",
                        alert.id,
                        alert.rule,
                        write.hits[0].article.id,
                    )
        position = {id(hit): n for n, hit in enumerate(hits)}
        for hit in sorted(again, key=lambda h: position[id(h)]):
            try:
                alert, hit.outcome = self._record(hit.rule, hit.article, hit.matched_text, summary)
            except BadRequestError as error:
                hit.outcome, hit.refused = "", str(error.message)
                log.error(
                    "alert %s for article %s rejected by Elasticsearch: %s",
                    hit.rule.name,
                    hit.article.id,
                    error,
                )
                continue
            hit.alert = alert
            if hit.outcome != "unchanged":
                latest[alert.id] = alert
        return latest

    def _assign(self, hits: list[_Hit], searched: list[list[StoredAlert]]) -> list[_Write]:
        """Each hit's alert, chosen as `_record` would choose it if every earlier hit's write
        had succeeded: from the alerts stored before the batch (`searched`, one list per hit)
        and the batch's own writes so far, fresher. Returns the writes, one per alert."""
        writes: dict[str, _Write] = {}
        fresher: dict[str, dict[str, StoredAlert]] = defaultdict(dict)  # by rule: others never match
        for hit, stored_before in zip(hits, searched, strict=True):
            rule, article = hit.rule, hit.article
            pending = fresher[rule.name]
            existing = _choose(rule, article, published_anchor(article), stored_before, pending.values())
            if existing is None:
                alert = self._new_alert(rule, article, hit.matched_text, None)
                write = writes.get(alert.id)
                if write is not None:  # its id is taken in this batch: left to `_record`
                    write.failed = True
                    write.hits.append(hit)
                    continue
                stored = StoredAlert(alert, -1, -1, index_for(self.settings, alert))
                writes[alert.id] = _Write(stored, create=True, hits=[hit])
                pending[alert.id] = stored
                hit.outcome = "created"
                continue
            merged = merge_article(existing.alert, article)
            outcome = "merged"
            if merged is None:
                merged = self._follow_up(rule, existing.alert, article, hit.matched_text)
                outcome = "updated"
            if merged is None:
                hit.outcome, hit.alert = "unchanged", existing.alert
                continue
            write = writes.get(merged.id)
            if write is None:
                stored = StoredAlert(merged, existing.seq_no, existing.primary_term, existing.index)
                write = writes[merged.id] = _Write(stored, create=False, hits=[])
                pending[merged.id] = stored
            else:
                write.stored.alert = merged
            write.hits.append(hit)
            hit.outcome = outcome
        return list(writes.values())

    def _write_all(self, writes: list[_Write]) -> None:
        """Write the alerts in `bulk` requests, each action as `_record` sends it alone (create,
        or index if_seq_no/if_primary_term); remember the written ones, mark the others failed
        (re-read first on conflict)."""
        todo = [write for write in writes if not write.failed]
        result = write_many(
            self.es,
            [(w.stored.version(create=w.create), w.stored.alert.model_dump(mode="json")) for w in todo],
            send=bulk_sender(self.es, WRITES_PER_REQUEST),
        )
        conflicts = set(result.conflicts)
        for write in todo:
            alert = write.stored.alert
            if alert.id in result.written:
                self._remember(alert, result.written[alert.id])
                continue
            write.failed = True
            if alert.id in conflicts:  # stored meanwhile: `_record` merges into it
                self._refetch(write.stored.index, alert.id)

    def _find(self, rule: Rule, article: Article) -> StoredAlert | None:
        """The alert this article belongs to (see `_choose`), searched now."""
        anchor = published_anchor(article)
        return _choose(rule, article, anchor, self._search(rule, article, anchor), self._batch.values())

    def _search_body(self, rule: Rule, article: Article, anchor: datetime) -> dict[str, Any]:
        """The alerts of `rule` holding the article or of its story within the throttle."""
        should: list[dict[str, Any]] = [{"term": {"article_ids": article.id}}]
        if article.story_id:
            should.append(
                {
                    "bool": {
                        "filter": [
                            {"term": {"story_id": article.story_id}},
                            {
                                "range": {
                                    "window_start": {
                                        "gt": (anchor - rule.throttle).isoformat(),
                                        "lt": (anchor + rule.throttle).isoformat(),
                                    }
                                }
                            },
                        ]
                    }
                }
            )
        # Filters only (cached, no scoring): `_choose` does not depend on the hits' order.
        return {
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"rule": rule.name}},
                        {"bool": {"should": should, "minimum_should_match": 1}},
                    ]
                }
            },
            "size": 50,
            "seq_no_primary_term": True,
        }

    def _search(self, rule: Rule, article: Article, anchor: datetime) -> list[StoredAlert]:
        response = self.es.search(
            index=self.index,
            **self._search_body(rule, article, anchor),
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        return self._with_remembered(rule, [stored_from_hit(hit) for hit in response["hits"]["hits"]])

    def _search_all(self, hits: list[_Hit]) -> list[list[StoredAlert]]:
        """`_search` for every hit, in `msearch` requests: the alerts stored before this batch."""
        found: list[list[StoredAlert]] = []
        for first in range(0, len(hits), SEARCHES_PER_REQUEST):
            chunk = hits[first : first + SEARCHES_PER_REQUEST]
            searches: list[dict[str, Any]] = []
            for hit in chunk:
                searches.append({})
                searches.append(self._search_body(hit.rule, hit.article, published_anchor(hit.article)))
            response = self.es.msearch(
                index=self.index, searches=searches, ignore_unavailable=True, allow_no_indices=True
            )
            for hit, answer in zip(chunk, response["responses"], strict=True):
                if "error" in answer:  # searched alone, it fails (or succeeds) as it would have
                    found.append(self._search(hit.rule, hit.article, published_anchor(hit.article)))
                else:
                    stored = [stored_from_hit(item) for item in answer["hits"]["hits"]]
                    found.append(self._with_remembered(hit.rule, stored))
        return found

    def _refetch(self, index: str, alert_id: str) -> None:
        """Realtime read of one alert from its concrete index (the alias spans months)."""
        current = read(self.es, index, alert_id)
        if current is None:
            self._batch.pop(alert_id, None)
            self.remembered.pop(alert_id, None)
            return
        self._batch[alert_id] = StoredAlert.of(current)
        if alert_id in self.remembered:
            self.remembered[alert_id] = self._batch[alert_id]

    def _remember(self, alert: Alert, written: Versioned) -> None:
        self._batch[alert.id] = StoredAlert.of(written, alert)
        self.remembered[alert.id] = self._batch[alert.id]


def _choose(
    rule: Rule,
    article: Article,
    anchor: datetime,
    searched: Iterable[StoredAlert],
    fresher: Iterable[StoredAlert],
) -> StoredAlert | None:
    """The alert this article belongs to: one already holding it, else the one of the same
    rule and story whose window start is nearest the article's published time, within the
    throttle on either side. `fresher` (this batch's writes) replaces `searched` by id."""
    candidates: dict[str, StoredAlert] = {}
    for stored in searched:
        candidates[stored.alert.id] = stored
    for stored in fresher:  # fresher than search for this batch's writes
        candidates[stored.alert.id] = stored
    best: tuple[float, str, str] | None = None
    chosen: StoredAlert | None = None
    for stored in candidates.values():
        alert = stored.alert
        if alert.rule != rule.name:
            continue
        if article.id in alert.article_ids:
            return stored
        same_story = alert.story_id == article.story_id if article.story_id else False
        distance = abs((alert.window_start - anchor).total_seconds())
        if not same_story or distance >= rule.throttle.total_seconds():
            continue
        key = (distance, alert.window_start.isoformat(), alert.id)
        if best is None or key < best:
            best, chosen = key, stored
    return chosen


def stored_from_hit(hit: Any) -> StoredAlert:
    """An alert as a search or get returned it, with what its conditional writes need."""
    return StoredAlert.of(Versioned.from_hit(hit))
