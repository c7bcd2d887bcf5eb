"""Alert evaluation at ingest: rules x (new, non-duplicate, enriched) articles -> Alert documents.

Throttling: one alert per rule per story per window. An article joins the alert of the same
rule and story (`story_id`, or the article itself when it has none) whose `window_start` lies
within the rule's throttle of the article's PUBLISHED time, on either side (late-arriving
copies of an earlier report still join); otherwise it opens a new alert whose window starts at
its published time. Windows are anchored on published times, never on the clock, and the id
is content-derived: `stable_id(rule, story key, first article id)`. Re-running a batch finds
every article already in its alert and writes nothing.

Writes are optimistic: a new alert is `create`d (409 when it already exists), an existing one
is rewritten with `if_seq_no`/`if_primary_term`, and on conflict re-read and re-merged.
Notifications go out only for a new alert (its `deliveries`); articles joining it later add
their ids and outlets without paging anyone again. `deliver_pending` (notifiers.py) sends.

Errors: an article the matcher chokes on, or an alert Elasticsearch rejects (400), is counted
as refused with its reason and the batch goes on. Connection errors propagate: the batch is
re-run as a whole, which is safe because evaluation is idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import BadRequestError, ConflictError, Elasticsearch, NotFoundError

from vigie.accounting import RunSummary
from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import Rule, RuleSet, load_rules
from vigie.config import Settings
from vigie.es import index_for, to_document
from vigie.models import Alert, Article, Delivery, Event, stable_id

log = logging.getLogger(__name__)

STAGE = "alerts"
MAX_WRITE_ATTEMPTS = 8


class AlertWriteError(RuntimeError):
    """An alert could not be written after repeated concurrent-update conflicts."""


@dataclass
class StoredAlert:
    alert: Alert
    seq_no: int
    primary_term: int
    index: str


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
    def __init__(self, settings: Settings, es: Elasticsearch, rules: RuleSet | None = None) -> None:
        self.settings = settings
        self.es = es
        self.rules = rules if rules is not None else load_rules(settings.rules_file)
        self.index = settings.index("alerts")
        # Alerts read or written in this batch: search is near-real-time, the batch must not be.
        self._batch: dict[str, StoredAlert] = {}
        self._warned: set[tuple[str, str]] = set()  # (rule, notifier): say it once per run, count each

    # -- public -----------------------------------------------------------------------------

    def evaluate(self, articles: list[Article], events: list[Event], summary: RunSummary) -> list[Alert]:
        """Check every new, non-duplicate, enriched article against the enabled rules.

        Writes/updates alerts in `settings.index("alerts")`, sets `Article.alert_rules`, and
        returns the alerts created or changed by this call (none when the batch was seen)."""
        events_by_article: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            events_by_article[event.article_id].append(event)
        changed: dict[str, Alert] = {}
        self._batch = {}
        # Earliest first, so the first article of a story opens its alert whatever the input order.
        for article in sorted(articles, key=lambda a: (published_anchor(a), a.id)):
            if article.duplicate_of is not None:
                summary.record(STAGE, "skipped", article.id, f"duplicate: of {article.duplicate_of}")
                continue
            if not article.enriched:
                summary.record(STAGE, "skipped", article.id, "not_enriched")
                continue
            view = ArticleView(article, events_by_article.get(article.id, []))
            fired: list[str] = []
            for rule in self.rules.enabled():
                try:
                    found = match(rule.condition, view)
                except Exception as error:  # one odd article must not stop the batch
                    log.exception("rule %s on article %s: matching failed", rule.name, article.id)
                    summary.record(
                        STAGE,
                        "refused",
                        f"{rule.name}:{article.id}",
                        f"match_error: {type(error).__name__}: {error}",
                    )
                    continue
                if found is None:
                    continue
                try:
                    alert, outcome = self._record(rule, article, view.render(found), summary)
                except BadRequestError as error:
                    summary.record(
                        STAGE, "refused", f"{rule.name}:{article.id}", f"es_rejected: {error.message}"
                    )
                    log.error(
                        "alert %s for article %s rejected by Elasticsearch: %s", rule.name, article.id, error
                    )
                    continue
                fired.append(rule.name)
                summary.count(f"alerts:{outcome}")
                summary.count(f"alerts:rule:{rule.name}")
                if outcome != "unchanged":
                    changed[alert.id] = alert
            article.alert_rules = sorted(set(article.alert_rules) | set(fired))
            summary.record(STAGE, "accepted", article.id, "fired" if fired else "no_match")
        if changed:
            # Make this batch's alerts visible to the next batch's searches and to deliver_pending.
            self.es.indices.refresh(index=self.index, ignore_unavailable=True, allow_no_indices=True)
        return list(changed.values())

    # -- internals --------------------------------------------------------------------------

    def _record(
        self, rule: Rule, article: Article, matched_text: str, summary: RunSummary
    ) -> tuple[Alert, str]:
        """Create the alert or add the article to the one covering it: (alert, outcome)."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            existing = self._find(rule, article)
            if existing is None:
                alert = self._new_alert(rule, article, matched_text, summary)
                # The monthly index follows window_start, fixed at creation: one home per id.
                target = index_for(self.settings, alert)
                try:
                    response = self.es.create(index=target, id=alert.id, document=to_document(alert))
                except ConflictError:
                    # Same id already stored (a concurrent run, or not yet searchable): merge into it.
                    self._refetch(target, alert.id)
                    continue
                self._remember(alert, response)
                log.info("alert %s opened: rule %s, article %s", alert.id, rule.name, article.id)
                return alert, "created"
            merged = merge_article(existing.alert, article)
            if merged is None:
                return existing.alert, "unchanged"
            try:
                response = self.es.index(
                    index=existing.index,
                    id=merged.id,
                    document=to_document(merged),
                    if_seq_no=existing.seq_no,
                    if_primary_term=existing.primary_term,
                )
            except ConflictError:
                self._refetch(existing.index, merged.id)
                continue
            self._remember(merged, response)
            return merged, "merged"
        raise AlertWriteError(
            f"alert for rule {rule.name}, article {article.id}: too many concurrent updates"
        )

    def _new_alert(self, rule: Rule, article: Article, matched_text: str, summary: RunSummary) -> Alert:
        deliveries: list[Delivery] = []
        for notifier in self.rules.notifiers_of(rule):
            if notifier.configured:
                deliveries.append(Delivery(notifier=notifier.key))
            else:
                # Not queued: an unset ${VAR} would otherwise keep the alert failing forever.
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
        )

    def _find(self, rule: Rule, article: Article) -> StoredAlert | None:
        """The alert this article belongs to: one already holding it, else the one of the same
        rule and story whose window start is nearest the article's published time, within the
        throttle on either side."""
        anchor = published_anchor(article)
        candidates: dict[str, StoredAlert] = {}
        for stored in self._search(rule, article, anchor):
            candidates[stored.alert.id] = stored
        for stored in self._batch.values():  # fresher than search for this batch's writes
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

    def _search(self, rule: Rule, article: Article, anchor: datetime) -> list[StoredAlert]:
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
        response = self.es.search(
            index=self.index,
            query={
                "bool": {
                    "filter": [{"term": {"rule": rule.name}}],
                    "should": should,
                    "minimum_should_match": 1,
                }
            },
            size=50,
            seq_no_primary_term=True,
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        return [_stored_from_hit(hit) for hit in response["hits"]["hits"]]

    def _refetch(self, index: str, alert_id: str) -> None:
        """Realtime read of one alert from its concrete index (the alias spans months)."""
        try:
            response = self.es.get(index=index, id=alert_id)
        except NotFoundError:
            self._batch.pop(alert_id, None)
            return
        self._batch[alert_id] = _stored_from_hit(response)

    def _remember(self, alert: Alert, response: Any) -> None:
        self._batch[alert.id] = StoredAlert(
            alert, response["_seq_no"], response["_primary_term"], response["_index"]
        )


def _stored_from_hit(hit: Any) -> StoredAlert:
    return StoredAlert(
        alert=Alert.model_validate(hit["_source"]),
        seq_no=hit["_seq_no"],
        primary_term=hit["_primary_term"],
        index=hit["_index"],
    )
