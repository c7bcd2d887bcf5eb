"""Alert delivery: a step of its own, apart from ingestion, each alert sent once per channel.

Ingestion only writes alerts (`vigie.alerting.engine`); this module sends them: `vigie alerts
deliver`, the news_ingest DAG's `deliver` task, and in `vigie run` a thread beside ingestion
(`DeliveryWorker`), so a receiver that hangs never holds up fetching, enrichment or indexing.

State lives on the alert document, one `Delivery` per channel (notifier) and per follow-up
(kind "follow-up", numbered: a rising toll, `vigie.alerting.engine`; told apart by
`delivery_key`, claimed, sent and marked like the alert's own, each once): `status`, `attempts`,
`last_error`, `sent_at`, `updated_at`, and the current claim (`claim`, `claimed_at`,
`claim_expires`). A pass:

1. replays this machine's delivery journal (outcomes a runner could not record, below);
2. scans the alerts whose `status` is "pending", oldest first, and in chunks of `CLAIM_CHUNK`:
3. CLAIMS each delivery it is about to send: status "sending", its runner's token, a lease
   (`claim_expires`) and `attempts + 1`, written only if the alert is unchanged since it was
   read (`if_seq_no`/`if_primary_term`, one bulk per chunk; on a conflict the alert is read again
   and the claim decided again on the fresh copy). A delivery already "sending" under a live
   lease, or "sent", is not claimed: two runners at the same time never send the same one;
4. sends (`vigie.alerting.notifiers`), each send bounded by the pass's deadline;
5. MARKS the outcome: "sent", "failed" (the receiver did not get it: retried by the next pass)
   or "uncertain" (the request went out and no answer came: it may have been acted on, so it is
   NEVER sent again automatically; `requeue_uncertain` / `vigie alerts deliver
   --resend-uncertain` requeue it by hand, with the same Idempotency-Key / Message-ID). A mark
   is written only over this runner's own claim, re-read and re-applied on conflict, so an
   article joining the alert meanwhile never erases it.

Failures, and what each costs:

* Elasticsearch unreachable at the claim: nothing is sent. Unreachable at the mark (a node
  stopped mid-delivery): the sends of the chunk already claimed go on (the claims hold), and
  their outcomes go to the journal (`<state_dir>/delivery_journal/`), replayed by the next
  pass on this machine. Without the journal (another machine, a lost disk) a claim whose
  lease ran out is turned "uncertain" by the next pass: never a second send.
* A runner killed between its claim and its mark: the same (lease, then "uncertain").
* A channel that fails transiently (connection refused, 5xx after the retries) or leaves a
  send uncertain (timeout) is paused for the rest of the run: its other deliveries stay
  pending for the next pass instead of each costing a timeout.
* A time budget (`Settings.delivery_budget_seconds`) bounds a pass: no send or retry starts
  after it (one under way ends by its own timeouts: cutting it short would make a slow
  receiver's answer uncertain); claimed deliveries not sent are released (back as they were).
  A claim's lease is the budget, plus the longest its send can take, plus `LEASE_MARGIN`.

`Alert.status`: "sent" when every delivery is sent; "pending" while one is pending, failed or
being sent; "failed" when nothing is left to do automatically but some delivery is uncertain
(a person decides).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, helpers
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout

from vigie.alerting.engine import StoredAlert, stored_from_hit
from vigie.alerting.notifiers import MIN_SEND_SECONDS, DeliveryError, longest_send, make_notifier
from vigie.alerting.rules import NotifierConfig, RuleSet, load_notifiers
from vigie.core.accounting import RunSummary
from vigie.core.cleantext import single_line
from vigie.core.files import atomic_write_text
from vigie.core.models import Alert, AlertStatus, Delivery, delivery_key
from vigie.core.settings import Settings
from vigie.store.conditional import (
    Apply,
    UpdateOutcome,
    Versioned,
    bulk_sender,
    read_many,
    update_many_conditionally,
)

log = logging.getLogger(__name__)

STAGE = "alert_delivery"
CLAIM_CHUNK = 50  # alerts claimed in one bulk, then sent, then marked
BULK_WRITES = 500
WRITE_ROUNDS = 8  # conflicting claims/marks: read again and re-applied up to this many times
MAX_REASON_CHARS = 500
# A lease outlives its send (none starts after `claimed_at + budget`, and one takes at most
# `longest_send`) by this much: a mark delayed by a slow cluster still lands on its own claim.
LEASE_MARGIN = timedelta(minutes=1)
JOURNAL_DIR = "delivery_journal"
UNREACHABLE = (ESConnectionError, ESConnectionTimeout)
CLAIMABLE = frozenset({"pending", "failed"})


class ClusterUnreachable(RuntimeError):
    """Elasticsearch did not answer: the pass stopped; what it could not record is journaled."""


def overall_status(alert: Alert) -> AlertStatus:
    """An alert's status from its deliveries: sent (all sent), failed (nothing left to do
    automatically, some uncertain: a person decides), else pending."""
    statuses = {d.status for d in alert.deliveries}
    if statuses <= {"sent"}:
        return "sent"
    if statuses <= {"sent", "uncertain"}:
        return "failed"
    return "pending"


def failure_reason(error: Exception) -> str:
    """One line for `last_error`, the run summary and the log: a DeliveryError's message, any
    other exception's type and message (a notifier bug or a hostile alert is a failed
    delivery of that alert, not a crashed run)."""
    text = str(error) if isinstance(error, DeliveryError) else f"{type(error).__name__}: {error}"
    return single_line(text)[:MAX_REASON_CHARS]


def _now() -> datetime:
    return datetime.now(UTC)


def _with_deliveries(alert: Alert, deliveries: list[Delivery]) -> Alert:
    updated = alert.model_copy(update={"deliveries": deliveries})
    return updated.model_copy(update={"status": overall_status(updated)})


@dataclass
class DeliveryState:
    """What the passes of one runner share: its claim token, its deadline (a `time.monotonic()`
    value; None: none yet), the channels paused for the rest of the run, and the deliveries it
    has tried (not tried again by the same run: a failure has had its retries)."""

    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    deadline: float | None = None
    budget: float = 120.0  # seconds: how long a claim may be held before its sends stop
    paused: dict[str, str] = field(default_factory=dict)  # notifier key -> why
    tried: set[tuple[str, str]] = field(default_factory=set)  # (alert id, notifier key)
    # Left for a later pass (budget spent, channel paused), and not tried since.
    deferred: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_pass(cls, budget: float) -> DeliveryState:
        """A state whose deadline is `budget` seconds from now."""
        return cls(deadline=time.monotonic() + budget, budget=budget)

    def set_deadline(self, seconds: float) -> None:
        with self._lock:
            deadline = time.monotonic() + seconds
            self.deadline = deadline if self.deadline is None else min(self.deadline, deadline)

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def lease(self, config: NotifierConfig) -> timedelta:
        """How long a claim of a delivery to `config` holds (see the module's doc)."""
        return timedelta(seconds=self.budget + longest_send(config)) + LEASE_MARGIN


@dataclass
class _Claim:
    """A delivery this runner claimed: as it was before (to release it), as claimed."""

    before: Delivery
    claimed: Delivery
    config: NotifierConfig
    until: float  # monotonic: no send of it starts after this (claimed + budget)


@dataclass
class _Outcome:
    """The delivery to write over this runner's claim of it (sent, failed, uncertain, released)."""

    index: str
    alert_id: str
    notifier: str  # the delivery's key (`delivery_key`): its channel, "#follow-up-N" for a follow-up
    claim: str
    delivery: Delivery

    def to_json(self) -> str:
        return json.dumps(
            {
                "index": self.index,
                "alert_id": self.alert_id,
                "notifier": self.notifier,
                "claim": self.claim,
                "delivery": self.delivery.model_dump(mode="json"),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str) -> _Outcome:
        data = json.loads(line)
        return cls(
            data["index"],
            data["alert_id"],
            data["notifier"],
            data["claim"],
            Delivery.model_validate(data["delivery"]),
        )


def _apply_outcomes(outcomes: Sequence[_Outcome]) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    """The change writing `outcomes` (one alert's) over the claims they answer: only a delivery
    still claimed by the same runner ("sending", or turned "uncertain" by another runner after
    the lease) is overwritten; anything else means the outcome is known already."""
    by_notifier = {o.notifier: o for o in outcomes}

    def apply(source: Mapping[str, Any]) -> dict[str, Any] | None:
        alert = Alert.model_validate(source)
        changed = False
        deliveries: list[Delivery] = []
        for delivery in alert.deliveries:
            outcome = by_notifier.get(delivery_key(delivery))
            if (
                outcome is not None
                and delivery.claim == outcome.claim
                and delivery.status in ("sending", "uncertain")
                and delivery != outcome.delivery
            ):
                delivery = outcome.delivery
                changed = True
            deliveries.append(delivery)
        return _with_deliveries(alert, deliveries).model_dump(mode="json") if changed else None

    return apply


class Journal:
    """Outcomes a runner could not write (the cluster unreachable), kept on this machine until a
    pass writes them: one file per runner token, replayed (and removed) by the next pass."""

    def __init__(self, settings: Settings) -> None:
        self.directory = settings.state_dir / JOURNAL_DIR

    def add(self, token: str, outcomes: Sequence[_Outcome]) -> None:
        if not outcomes:
            return
        path = self.directory / f"{token}.jsonl"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        atomic_write_text(path, old + "".join(o.to_json() + "\n" for o in outcomes))
        log.warning("%d delivery outcome(s) journaled in %s until the cluster answers", len(outcomes), path)

    def take(self, token: str) -> list[tuple[Path, list[_Outcome]]]:
        """Every journal file, each renamed first so that two passes never replay one file."""
        if not self.directory.is_dir():
            return []
        taken: list[tuple[Path, list[_Outcome]]] = []
        for path in sorted(self.directory.glob("*.jsonl")):
            mine = path.with_name(f".{path.stem}.{token}.replay")
            try:
                os.replace(path, mine)
            except FileNotFoundError:  # another pass took it
                continue
            outcomes: list[_Outcome] = []
            for line in mine.read_text(encoding="utf-8").splitlines():
                try:
                    outcomes.append(_Outcome.from_json(line))
                except (ValueError, KeyError, TypeError):  # a torn line: its claim ends uncertain
                    if line.strip():
                        log.warning("delivery journal %s: unreadable line skipped", path.name)
            taken.append((mine, outcomes))
        return taken

    def give_back(self, path: Path, outcomes: Sequence[_Outcome]) -> None:
        atomic_write_text(
            self.directory / f"{uuid.uuid4().hex}.jsonl", "".join(o.to_json() + "\n" for o in outcomes)
        )
        path.unlink(missing_ok=True)


@dataclass
class Deliverer:
    """One delivery pass over some alerts (see the module's doc)."""

    es: Elasticsearch
    settings: Settings
    rules: RuleSet | None  # None: the notifiers of settings.rules_file, once an alert needs them
    summary: RunSummary
    state: DeliveryState

    def ruleset(self) -> RuleSet:
        """The rules' notifiers, read when the first alert is planned: a pass with nothing to
        deliver never reads the file, and one that delivers reads only its notifiers
        (`load_notifiers`: building the rules' lexicons takes seconds)."""
        if self.rules is None:
            self.rules = load_notifiers(self.settings.rules_file)
        return self.rules

    # -- public -----------------------------------------------------------------------------

    def replay_journal(self) -> None:
        """Write the outcomes this machine's runners journaled; raises ClusterUnreachable."""
        journal = Journal(self.settings)
        for path, outcomes in journal.take(self.state.token):
            try:
                left = self._write_outcomes(outcomes)
            except ClusterUnreachable:
                journal.give_back(path, outcomes)
                raise
            if left:
                journal.give_back(path, left)
            else:
                path.unlink(missing_ok=True)
            self.summary.count("alerts:delivery_journal_replayed", len(outcomes) - len(left))

    def deliver(self, pending: Sequence[StoredAlert]) -> dict[str, Alert]:
        """Claim, send and mark the deliveries of these alerts (as scanned, with their sequence
        numbers), chunk by chunk; returns the alerts as last written (or read), by id."""
        left = {stored.alert.id: stored.alert for stored in pending}
        for first in range(0, len(pending), CLAIM_CHUNK):
            chunk = pending[first : first + CLAIM_CHUNK]
            remaining = self.state.left()
            if remaining is not None and remaining < MIN_SEND_SECONDS:
                later = [
                    (s.alert.id, delivery_key(d))
                    for s in pending[first:]
                    for d, _ in self._plan(s.alert, record=False)
                ]
                self.state.deferred.update(later)
                log.warning("delivery budget spent: %d delivery(ies) left for the next pass", len(later))
                break
            claimed = self._claim(chunk)
            for version, _claims in claimed:
                left[version.id] = Alert.model_validate(version.source)
            outcomes = self._send(claimed)
            left.update(self._mark(outcomes, claimed))
        return left

    # -- planning and claims ---------------------------------------------------------------

    def _plan(self, alert: Alert, *, record: bool = True) -> list[tuple[Delivery, NotifierConfig]]:
        """The deliveries of `alert` this runner would claim now, by what the copy shows."""
        todo: list[tuple[Delivery, NotifierConfig]] = []
        for delivery in alert.deliveries:
            if record and delivery.status == "sending" and delivery.claim != self.state.token:
                self.summary.count("alerts:delivery_claimed_elsewhere")  # left alone (or stale: below)
            if delivery.status not in CLAIMABLE or (alert.id, delivery_key(delivery)) in self.state.tried:
                continue
            config = self.ruleset().notifier_by_key(delivery.notifier)
            if config is None or not config.configured:
                if record:
                    reason = "notifier_unknown" if config is None else "notifier_unconfigured"
                    item = f"{alert.id}:{delivery.notifier}"
                    self.summary.record(STAGE, "skipped", item, f"{reason}: {delivery.notifier}")
                    log.warning(
                        "alert %s: cannot deliver to %s (%s); left pending",
                        alert.id,
                        delivery.notifier,
                        reason,
                    )
                continue
            if delivery.notifier in self.state.paused:
                if record:
                    self.state.deferred.add((alert.id, delivery_key(delivery)))
                continue
            todo.append((delivery, config))
        return todo

    def _claim(self, chunk: Sequence[StoredAlert]) -> list[tuple[Versioned, list[_Claim]]]:
        """Claim what each alert of the chunk has to send, conditionally on the copy read (one
        bulk; conflicts read again and decided again). Stale claims (lease past) of other runners
        become "uncertain" in the same write. Returns the alerts claimed, as written."""
        token = self.state.token
        planned = {stored.alert.id: self._plan(stored.alert) for stored in chunk}
        decided: dict[str, list[_Claim]] = {}
        stale: dict[str, list[str]] = {}

        def claim(source: Mapping[str, Any]) -> dict[str, Any] | None:
            alert = Alert.model_validate(source)
            now, until = _now(), time.monotonic() + self.state.budget
            configs = {delivery_key(d): c for d, c in self._plan(alert, record=False)}
            claims: list[_Claim] = []
            expired: list[str] = []
            deliveries: list[Delivery] = []
            for delivery in alert.deliveries:
                if (
                    delivery.status == "sending"
                    and delivery.claim_expires is not None
                    and delivery.claim_expires <= now
                ):
                    expired.append(delivery_key(delivery))
                    delivery = delivery.model_copy(
                        update={
                            "status": "uncertain",
                            "last_error": "uncertain: claimed at "
                            f"{delivery.claimed_at.isoformat() if delivery.claimed_at else '?'} by a runner "
                            "that recorded no outcome",
                            "updated_at": now,
                        }
                    )
                elif delivery_key(delivery) in configs:
                    claimed = delivery.model_copy(
                        update={
                            "status": "sending",
                            "claim": token,
                            "claimed_at": now,
                            "claim_expires": now + self.state.lease(configs[delivery_key(delivery)]),
                            "attempts": delivery.attempts + 1,
                            "updated_at": now,
                        }
                    )
                    claims.append(_Claim(delivery, claimed, configs[delivery_key(delivery)], until))
                    delivery = claimed
                deliveries.append(delivery)
            decided[alert.id], stale[alert.id] = claims, expired
            if not claims and not expired:
                return None
            return _with_deliveries(alert, deliveries).model_dump(mode="json")

        items = [
            (_version(stored), claim)
            for stored in chunk
            if planned[stored.alert.id] or _has_sending(stored.alert)
        ]
        try:
            outcome = self._update(items)
        except ClusterUnreachable:
            # Some claims may have been written before the cluster went: none will be sent, so
            # the next pass releases them (they would otherwise end uncertain at their lease).
            by_id = {stored.alert.id: stored.index for stored in chunk}
            releases = [
                _Outcome(by_id[alert_id], alert_id, delivery_key(c.claimed), token, c.before)
                for alert_id, claims in decided.items()
                for c in claims
            ]
            Journal(self.settings).add(token, releases)
            raise
        claimed: list[tuple[Versioned, list[_Claim]]] = []
        for stored in chunk:
            alert_id = stored.alert.id
            if alert_id in outcome.written:
                written = outcome.written[alert_id]
                for notifier in stale.get(alert_id, []):
                    item = f"{alert_id}:{notifier}"
                    self.summary.record(
                        STAGE, "refused", item, "delivery_uncertain: claim expired without outcome"
                    )
                    log.warning(
                        "alert %s: %s was claimed and never marked: uncertain, not sent again",
                        alert_id,
                        notifier,
                    )
                claims = decided.get(alert_id, [])
                for delivery, _config in planned[alert_id]:
                    if not any(delivery_key(c.claimed) == delivery_key(delivery) for c in claims):
                        self._taken_elsewhere(alert_id, delivery_key(delivery))
                if claims:
                    claimed.append((written, claims))
                continue
            for delivery, _config in planned[alert_id]:
                if alert_id in outcome.refused:
                    self.summary.record(
                        STAGE,
                        "refused",
                        f"{alert_id}:{delivery_key(delivery)}",
                        f"claim_refused: {outcome.refused[alert_id]}",
                    )
                elif alert_id in outcome.left:
                    self.summary.record(
                        STAGE, "skipped", f"{alert_id}:{delivery_key(delivery)}", "claim_conflict: next pass"
                    )
                else:  # nothing to claim on the fresh copy (another runner has it), or gone
                    self._taken_elsewhere(alert_id, delivery_key(delivery))
        return claimed

    def _taken_elsewhere(self, alert_id: str, notifier: str) -> None:
        self.summary.record(
            STAGE, "skipped", f"{alert_id}:{notifier}", "concurrent_runner: claimed or sent elsewhere"
        )

    def _update(self, items: Sequence[tuple[Versioned, Apply]]) -> UpdateOutcome:
        if not items:
            return UpdateOutcome()
        try:
            return update_many_conditionally(
                self.es, items, attempts=WRITE_ROUNDS, send=bulk_sender(self.es, BULK_WRITES)
            )
        except UNREACHABLE as error:
            raise ClusterUnreachable(str(error)) from error

    # -- sends ------------------------------------------------------------------------------

    def _send(self, claimed: Sequence[tuple[Versioned, list[_Claim]]]) -> list[_Outcome]:
        outcomes: list[_Outcome] = []
        for version, claims in claimed:
            alert = Alert.model_validate(version.source)
            for claim in claims:
                notifier = claim.claimed.notifier  # the channel (paused as a whole)
                key = delivery_key(claim.claimed)  # the delivery: the alert's, or one follow-up
                item = f"{alert.id}:{key}"
                deadline = (
                    claim.until if self.state.deadline is None else min(claim.until, self.state.deadline)
                )
                if notifier in self.state.paused or deadline - time.monotonic() < MIN_SEND_SECONDS:
                    # Released: back as it was, for the next pass.
                    outcomes.append(_Outcome(version.index, alert.id, key, self.state.token, claim.before))
                    self.state.deferred.add((alert.id, key))
                    continue
                self.state.tried.add((alert.id, key))
                self.state.deferred.discard((alert.id, key))
                try:
                    make_notifier(claim.config, self.settings).send(
                        alert, deadline=deadline, follow_up=claim.claimed.follow_up
                    )
                except Exception as error:  # noqa: BLE001 - one delivery's failure, never the run's
                    message = failure_reason(error)
                    uncertain = isinstance(error, DeliveryError) and error.uncertain
                    status = "uncertain" if uncertain else "failed"
                    delivery = claim.claimed.model_copy(
                        update={"status": status, "last_error": message, "updated_at": _now()}
                    )
                    if uncertain or (isinstance(error, DeliveryError) and error.transient):
                        self.state.paused.setdefault(notifier, message)
                    if uncertain:
                        self.summary.record(STAGE, "refused", item, f"delivery_uncertain: {message}")
                        log.warning(
                            "alert %s: delivery to %s uncertain (sent, no answer), not sent again: %s",
                            alert.id,
                            notifier,
                            message,
                        )
                    else:
                        self.summary.record(STAGE, "refused", item, f"delivery_failed: {message}")
                        log.warning(
                            "alert %s: delivery to %s failed, will retry next run: %s",
                            alert.id,
                            notifier,
                            message,
                        )
                else:
                    sent_at = _now()
                    delivery = claim.claimed.model_copy(
                        update={
                            "status": "sent",
                            "sent_at": sent_at,
                            "last_error": None,
                            "updated_at": sent_at,
                        }
                    )
                    self.summary.record(STAGE, "accepted", item, "sent")
                outcomes.append(_Outcome(version.index, alert.id, key, self.state.token, delivery))
        return outcomes

    # -- marks ------------------------------------------------------------------------------

    def _mark(
        self, outcomes: Sequence[_Outcome], claimed: Sequence[tuple[Versioned, list[_Claim]]]
    ) -> dict[str, Alert]:
        """Write the outcomes over the claims; journal them when the cluster does not answer."""
        if not outcomes:
            return {}
        written_as = {version.id: version for version, _ in claimed}
        by_alert: dict[str, list[_Outcome]] = {}
        for outcome in outcomes:
            by_alert.setdefault(outcome.alert_id, []).append(outcome)
        items = [(written_as[alert_id], _apply_outcomes(group)) for alert_id, group in by_alert.items()]
        try:
            result = self._update(items)
        except ClusterUnreachable:
            Journal(self.settings).add(self.state.token, outcomes)
            raise
        unwritten = [o for o in outcomes if o.alert_id in result.left or o.alert_id in result.refused]
        if unwritten:
            Journal(self.settings).add(self.state.token, unwritten)
        marked = {
            alert_id: Alert.model_validate(version.source) for alert_id, version in result.written.items()
        }
        for alert_id, version in result.unchanged.items():
            marked[alert_id] = Alert.model_validate(version.source)
        if result.unreachable:
            raise ClusterUnreachable("marks not written")
        return marked

    def _write_outcomes(self, outcomes: Sequence[_Outcome]) -> list[_Outcome]:
        """Journaled outcomes written over their claims (a fresh read each); returns those left."""
        by_alert: dict[str, list[_Outcome]] = {}
        for outcome in outcomes:
            by_alert.setdefault(outcome.alert_id, []).append(outcome)
        first = {alert_id: group[0] for alert_id, group in by_alert.items()}
        try:
            current = read_many(self.es, [Versioned.absent(o.index, o.alert_id) for o in first.values()])
        except UNREACHABLE as error:
            raise ClusterUnreachable(str(error)) from error
        items = [
            (current[alert_id], _apply_outcomes(group))
            for alert_id, group in by_alert.items()
            if alert_id in current
        ]
        result = self._update(items)
        return [o for o in outcomes if o.alert_id in result.left]


def _version(stored: StoredAlert) -> Versioned:
    """The alert as scanned, what a conditional write over it needs (its whole source)."""
    return Versioned(
        stored.index,
        stored.alert.id,
        stored.seq_no,
        stored.primary_term,
        stored.alert.model_dump(mode="json"),
    )


def _has_sending(alert: Alert) -> bool:
    return any(d.status == "sending" for d in alert.deliveries)


def deliver_alerts(
    es: Elasticsearch,
    pending: Sequence[StoredAlert],
    rules: RuleSet,
    settings: Settings,
    summary: RunSummary,
    state: DeliveryState | None = None,
) -> list[Alert]:
    """Send every unsent delivery of these alerts (as read, with their sequence numbers);
    returns the alerts as last written. See the module's doc."""
    state = state or DeliveryState.for_pass(settings.delivery_budget_seconds)
    deliverer = Deliverer(es, settings, rules, summary, state)
    try:
        return list(deliverer.deliver(pending).values())
    except ClusterUnreachable as error:
        raise ESConnectionError(str(error)) from None


def scan_pending(
    es: Elasticsearch, settings: Settings, *, only: Collection[str] | None = None, skip: Collection[str] = ()
) -> list[StoredAlert]:
    """The alerts with something to deliver, oldest first, with their sequence numbers."""
    index = settings.index("alerts")
    query: dict[str, Any] = {"bool": {"filter": [{"term": {"status": "pending"}}]}}
    if only is not None:
        query["bool"]["filter"].append({"ids": {"values": sorted(only)}})
    if skip:
        query["bool"]["must_not"] = [{"ids": {"values": sorted(skip)}}]
    return [
        stored_from_hit(hit)
        for hit in helpers.scan(
            es,
            index=index,
            query={
                "query": query,
                "sort": [{"triggered_at": "asc"}, {"id": "asc"}],
                "seq_no_primary_term": True,
            },
            preserve_order=True,
        )
    ]


def deliver_pending(
    es: Elasticsearch,
    settings: Settings,
    summary: RunSummary,
    rules: RuleSet | None = None,
    *,
    only: Collection[str] | None = None,
    skip: Collection[str] = (),
    state: DeliveryState | None = None,
    budget: float | None = None,
) -> list[Alert]:
    """One delivery pass: the journal replayed, then every alert with a pending or failed
    delivery (`only`: just these ids; `skip`: not these); returns the alerts as left.

    `rules`: None reads the notifiers of `settings.rules_file`, and only once an alert has
    something to deliver. `state`: the runner's (a run's passes share it); else a new one whose deadline
    is `budget` seconds away (default `settings.delivery_budget_seconds`). The cluster
    unreachable raises `elasticsearch.ConnectionError` (what could not be recorded is
    journaled)."""
    if only is not None and not only:
        return []
    own_state = state is None  # a pass of its own: it accounts for what it deferred
    state = state or DeliveryState.for_pass(
        budget if budget is not None else settings.delivery_budget_seconds
    )
    index = settings.index("alerts")
    started = time.perf_counter()
    try:
        if not es.indices.exists(index=index):
            return []
        deliverer = Deliverer(es, settings, rules, summary, state)
        try:
            deliverer.replay_journal()
            es.indices.refresh(index=index)
            pending = scan_pending(es, settings, only=only, skip=skip)
            results = list(deliverer.deliver(pending).values())
        except ClusterUnreachable as error:
            raise ESConnectionError(str(error)) from None
        if pending:
            es.indices.refresh(index=index)
        if only is None:  # the sweep: what is left for the next run
            summary.count("alerts:pending_after_delivery", sum(1 for a in results if a.status == "pending"))
            summary.count(
                "alerts:uncertain", sum(1 for a in results for d in a.deliveries if d.status == "uncertain")
            )
        return results
    finally:
        summary.add_seconds("deliver", time.perf_counter() - started)
        if own_state and state.deferred:
            summary.count("alerts:delivery_deferred", len(state.deferred))


def requeue_uncertain(es: Elasticsearch, settings: Settings, alert_ids: Collection[str] | None = None) -> int:
    """Put the uncertain deliveries (of these alerts, or all) back in the queue, by hand: the
    next pass sends them again, with the same Idempotency-Key / Message-ID so that a receiver
    that got them once can drop the copy. Returns how many were requeued."""
    index = settings.index("alerts")
    if not es.indices.exists(index=index):
        return 0
    es.indices.refresh(index=index)
    query: dict[str, Any] = {"bool": {"filter": [{"term": {"deliveries.status": "uncertain"}}]}}
    if alert_ids is not None:
        query["bool"]["filter"].append({"ids": {"values": sorted(alert_ids)}})
    found = [
        stored_from_hit(hit)
        for hit in helpers.scan(es, index=index, query={"query": query, "seq_no_primary_term": True})
    ]
    count: dict[str, int] = {}

    def requeue(source: Mapping[str, Any]) -> dict[str, Any] | None:
        alert = Alert.model_validate(source)
        now = _now()
        deliveries = [
            d.model_copy(
                update={
                    "status": "failed",
                    "last_error": f"requeued by hand: {d.last_error or ''}"[:MAX_REASON_CHARS],
                    "updated_at": now,
                }
            )
            if d.status == "uncertain"
            else d
            for d in alert.deliveries
        ]
        count[alert.id] = sum(1 for d in alert.deliveries if d.status == "uncertain")
        if not count[alert.id]:
            return None
        return _with_deliveries(alert, deliveries).model_dump(mode="json")

    outcome = update_many_conditionally(es, [(_version(s), requeue) for s in found], attempts=WRITE_ROUNDS)
    es.indices.refresh(index=index)
    return sum(count.get(alert_id, 0) for alert_id in outcome.written)


class DeliveryWorker:
    """Delivery beside ingestion, in a thread of its own (`vigie run`): `submit` the ids of a
    batch's alerts once they are stored (the desk hears within a batch), `finish` when ingestion
    is done: what is still pending is swept within the budget, then the thread ends. Its own
    client and summary: ingestion never waits on a receiver."""

    def __init__(self, settings: Settings, rules: RuleSet, es: Elasticsearch | None = None) -> None:
        from vigie.store.es import client

        self.settings = settings
        self.rules = rules
        self._own_client = es is None
        self.es = es if es is not None else client(settings)
        self.summary = RunSummary()
        self.state = DeliveryState(budget=settings.delivery_budget_seconds)
        self._queue: queue.Queue[list[str] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="vigie-delivery", daemon=True)
        self._sweep = True
        self.busy = threading.Event()  # set while a pass runs

    def start(self) -> DeliveryWorker:
        self._thread.start()
        return self

    def submit(self, alert_ids: Collection[str]) -> None:
        if alert_ids:
            self._queue.put(sorted(alert_ids))

    def drain(self, timeout: float) -> bool:
        """Wait until what was submitted so far has been through a pass (a test's or a
        caller's barrier, never ingestion's); False if `timeout` seconds were not enough."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)
        return True

    def finish(self, *, sweep: bool = True, budget: float | None = None) -> RunSummary:
        """Deliver what was submitted and (`sweep`) everything else pending, within `budget`
        seconds from now (default the settings'); returns the worker's summary."""
        budget = self.settings.delivery_budget_seconds if budget is None else budget
        self.state.set_deadline(budget)
        self._sweep = sweep
        self._queue.put(None)
        # One send may be under way when the budget ends: it ends by its own timeouts.
        longest = max((longest_send(config) for config in self.rules.notifiers.values()), default=0.0)
        grace = longest + LEASE_MARGIN.total_seconds()
        self._thread.join(timeout=budget + grace)
        if self.state.deferred:
            self.summary.count("alerts:delivery_deferred", len(self.state.deferred))
        if self._own_client and not self._thread.is_alive():
            self.es.close()
        if self._thread.is_alive():  # its claims end as uncertain at worst, never sent twice
            log.error("alert delivery still busy %.0f s after its budget; left running", grace)
            self.summary.record(STAGE, "skipped", "delivery worker", "worker_overran_budget")
        return self.summary

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            taken, ids = 1, set(item or ())
            stop = item is None
            while not stop:  # what else is queued goes in the same pass
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                taken += 1
                if more is None:
                    stop = True
                else:
                    ids.update(more)
            try:
                if ids:
                    self._pass(only=ids)
                if stop and self._sweep:
                    self._pass(only=None)
            finally:
                for _ in range(taken):
                    self._queue.task_done()
            if stop:
                return

    def _pass(self, only: Collection[str] | None) -> None:
        self.busy.set()
        try:
            deliver_pending(self.es, self.settings, self.summary, self.rules, only=only, state=self.state)
        except UNREACHABLE as error:
            log.warning("alert delivery postponed, cluster unreachable: %s", error)
            self.summary.record(STAGE, "skipped", "pending alerts", "cluster_unreachable")
        except ApiError as error:
            log.error("alert delivery pass failed: %s", error)
            self.summary.record(STAGE, "refused", "delivery pass", f"es_error: {error}")
        except Exception as error:  # noqa: BLE001 - the thread must say why, never die silently
            log.exception("alert delivery pass failed")
            self.summary.record(STAGE, "refused", "delivery pass", f"error: {type(error).__name__}: {error}")
        finally:
            self.busy.clear()
