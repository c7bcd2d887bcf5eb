"""Notifiers (log, webhook, e-mail) and `deliver_pending`, the at-least-once delivery loop.

Delivery state lives on the Alert document (`deliveries[]`), never in memory, so nothing is
lost across runs or crashes:

1. `deliver_pending` scans alerts whose `status` is "pending" (some delivery not yet sent).
2. For each unsent delivery it CLAIMS the delivery by writing `attempts + 1` with optimistic
   concurrency (`if_seq_no`/`if_primary_term` of the copy the scan read; one bulk request for
   the batch's claims). Two runners racing on the same alert: one claim fails with a conflict
   and that runner leaves the alert alone.
3. It sends (the webhook/SMTP notifiers retry transient failures inside the run, with
   exponential backoff), then marks the deliveries "sent" (or "failed" with
   `last_error`); this write re-reads and re-applies on conflict, so a concurrent alert update
   (an article joining it) never erases the mark.
4. A "failed" delivery keeps the alert "pending": the next run retries it.

The one window left is a crash between a successful send and its mark: the next run sends
again. Receivers can dedupe: webhooks carry `Idempotency-Key: <alert id>`, e-mails a
deterministic `Message-ID: <alert id>.<notifier>@<domain>`.

Titles, URLs and passages come from sites Vigie does not control. Whatever a notifier raises
for one alert is that delivery failing, with its reason (never an exception out of the loop:
the other alerts and channels go on); e-mail headers and log lines are built from single-line
text (`vigie.core.cleantext.single_line`), so a title cannot add a header or forge a log line.
A webhook URL is a secret (Slack/Teams-style hooks): it is never logged nor put in a reason,
only `scheme://host/…` (`redact_url`), including httpx's own request log line.
"""

from __future__ import annotations

import html
import json
import logging
import re
import smtplib
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import partial
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from elasticsearch import Elasticsearch, helpers

from vigie.alerting.engine import StoredAlert, stored_from_hit
from vigie.alerting.rules import NotifierConfig, RuleSet, load_rules
from vigie.core.accounting import RunSummary
from vigie.core.cleantext import single_line
from vigie.core.models import Alert, AlertStatus, Delivery
from vigie.core.settings import Settings
from vigie.store.conditional import ConditionalWriteError, bulk_sender, update_conditionally, write_many

log = logging.getLogger(__name__)
alert_log = logging.getLogger("vigie.alerts")

STAGE = "alert_delivery"
MAX_MARK_ATTEMPTS = 8
BULK_WRITES = 500  # alerts per bulk request of claims or marks
MAX_REASON_CHARS = 500
_TRANSIENT_HTTP = {408, 425, 429}


class DeliveryError(Exception):
    """A send failed; `transient` errors are retried within the run, all are retried next run."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Notifier(Protocol):
    config: NotifierConfig

    def send(self, alert: Alert) -> None:
        """Deliver `alert` once, or raise DeliveryError."""


def alert_payload(alert: Alert) -> dict[str, Any]:
    """What a webhook receives: the alert without its delivery bookkeeping."""
    return alert.model_dump(mode="json", exclude={"deliveries", "status"})


def plain_passage(matched_text: str) -> str:
    """`matched_text` for plain text: <mark>x</mark> -> «x», entities unescaped."""
    return html.unescape(re.sub(r"</?mark>", lambda m: "«" if m.group(0) == "<mark>" else "»", matched_text))


def _retrying(
    attempts: int, backoff: float, action: Callable[[], None], sleep: Callable[[float], None] = time.sleep
) -> None:
    """Run `action`, retrying transient DeliveryErrors with exponential backoff."""
    for attempt in range(1, attempts + 1):
        try:
            action()
            return
        except DeliveryError as error:
            if not error.transient or attempt == attempts:
                raise
            delay = backoff * 2 ** (attempt - 1)
            log.info("delivery attempt %d/%d failed (%s), retrying in %.2fs", attempt, attempts, error, delay)
            sleep(delay)


@dataclass
class LogNotifier:
    config: NotifierConfig

    def send(self, alert: Alert) -> None:
        level = logging.getLevelName(str(self.config.options.get("level", "WARNING")))
        alert_log.log(
            level if isinstance(level, int) else logging.WARNING,
            "ALERT [%s] %s: %s <%s> sources=%s | %s",
            single_line(alert.severity),
            single_line(alert.rule),
            single_line(alert.title),
            single_line(alert.url),
            single_line(",".join(alert.sources)),
            single_line(plain_passage(alert.matched_text)),
        )


def redact_url(url: str) -> str:
    """`scheme://host[:port]/…`: what may be shown of a secret URL (path, query, user info and
    fragment hidden)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "<url>/…"
    if not parts.scheme or not host:
        return "<url>/…"
    return single_line(f"{parts.scheme}://{host}{port}/…")


def scrub_url(text: str, url: str) -> str:
    """`text` with `url` (whole, or its path and query alone, as a server may echo them)
    replaced by its redacted form."""
    shown = redact_url(url)
    secrets = {url, url.rstrip("/")}
    try:
        parts = urlsplit(url)
        if parts.path not in ("", "/"):
            secrets.add(parts.path + (f"?{parts.query}" if parts.query else ""))
            secrets.add(parts.path)
        if parts.query:
            secrets.add(parts.query)
        if parts.password:
            secrets.add(parts.password)
    except ValueError:
        pass
    for secret in sorted((s for s in secrets if len(s) > 1), key=len, reverse=True):
        text = text.replace(secret, shown)
    return text


# Set while a webhook is posted: httpx's "HTTP Request: POST <url> ..." INFO line (logger
# "httpx") then shows the URL redacted. A context variable: fetches in other threads keep theirs.
_SECRET_URL: ContextVar[str | None] = ContextVar("vigie_secret_url", default=None)


class _RedactSecretUrl(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        secret = _SECRET_URL.get()
        if secret:
            if isinstance(record.args, tuple):
                record.args = tuple(
                    scrub_url(str(arg), secret) if secret in str(arg) else arg for arg in record.args
                )
            if isinstance(record.msg, str) and secret in record.msg:
                record.msg = scrub_url(record.msg, secret)
        return True


_HTTPX_LOG = logging.getLogger("httpx")


@contextmanager
def _secret_url(url: str) -> Iterator[None]:
    if not any(isinstance(f, _RedactSecretUrl) for f in _HTTPX_LOG.filters):
        _HTTPX_LOG.addFilter(_RedactSecretUrl())
    token = _SECRET_URL.set(url)
    try:
        yield
    finally:
        _SECRET_URL.reset(token)


@dataclass
class WebhookNotifier:
    """JSON POST; 2xx is success, 5xx/408/425/429 and network errors are retried. The URL is a
    secret: errors and log lines show it redacted (`redact_url`)."""

    config: NotifierConfig
    user_agent: str = "Vigie"

    def send(self, alert: Alert) -> None:
        url = str(self.config.options.get("url", ""))
        with _secret_url(url):
            try:
                self._send(alert, url)
            except DeliveryError as error:
                raise DeliveryError(scrub_url(str(error), url), transient=error.transient) from None
            except Exception as error:  # a bad URL or header, an encoding error: not retried
                message = scrub_url(f"{type(error).__name__}: {error}", url)
                raise DeliveryError(message, transient=False) from None

    def _send(self, alert: Alert, url: str) -> None:
        options = self.config.options
        timeout = float(options.get("timeout_seconds", 10))
        headers = {
            **{str(k): str(v) for k, v in (options.get("headers") or {}).items()},
            "Idempotency-Key": alert.id,
            "User-Agent": self.user_agent,
        }
        body = json.dumps(alert_payload(alert), ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"

        with httpx.Client(timeout=timeout, follow_redirects=False) as client:

            def post() -> None:
                try:
                    response = client.post(url, content=body, headers=headers)
                except httpx.TransportError as error:
                    reason = scrub_url(f"{type(error).__name__}: {error}", url)
                    raise DeliveryError(single_line(reason), transient=True) from error
                if 200 <= response.status_code < 300:
                    return
                transient = response.status_code >= 500 or response.status_code in _TRANSIENT_HTTP
                reason = scrub_url(f"HTTP {response.status_code}: {response.text[:200]}", url)
                raise DeliveryError(single_line(reason), transient=transient)

            _retrying(int(options.get("max_attempts", 3)), float(options.get("backoff_seconds", 1.0)), post)


def message_id(alert: Alert, config: NotifierConfig) -> str:
    """Deterministic, so a receiver can drop the copy sent again after a crash."""
    domain = str(config.options.get("message_id_domain", "vigie.local"))
    return f"<{alert.id}.{config.name}@{domain}>"


def build_email(alert: Alert, config: NotifierConfig) -> EmailMessage:
    """Every header is single-line text (`single_line`): a title holding a line break cannot
    add a header (and the standard library's injection guard never raises)."""
    options = config.options
    message = EmailMessage()
    message["Subject"] = single_line(f"[Vigie {alert.severity.upper()}] {alert.rule}: {alert.title}")
    message["From"] = single_line(str(options["from"]))
    message["To"] = single_line(", ".join(str(to) for to in options["to"]))
    message["Message-ID"] = single_line(message_id(alert, config))
    message["Date"] = format_datetime(alert.triggered_at)
    message["X-Vigie-Alert-Id"] = single_line(alert.id)
    lines = [
        f"Règle : {alert.rule} ({alert.severity})",
        alert.description,
        "",
        single_line(alert.title),
        single_line(alert.url),
        "",
        plain_passage(alert.matched_text),
        "",
        f"Sources : {', '.join(alert.sources)}",
        f"Publié (début de fenêtre) : {alert.window_start.isoformat()}",
        f"Alerte : {alert.id}",
    ]
    message.set_content("\n".join(lines))
    message.add_alternative(
        "<html><body>"
        f"<p><b>{html.escape(alert.rule)}</b> ({alert.severity})</p>"
        f'<p><a href="{html.escape(alert.url)}">{html.escape(alert.title)}</a></p>'
        f"<blockquote>{alert.matched_text}</blockquote>"  # already escaped, <mark> kept
        f"<p>Sources : {html.escape(', '.join(alert.sources))}</p>"
        "</body></html>",
        subtype="html",
    )
    return message


def _smtp_error(error: Exception) -> DeliveryError:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        transient = all(400 <= code < 500 for code in codes)
        return DeliveryError(f"recipients refused: {error.recipients}", transient=transient)
    if isinstance(error, smtplib.SMTPResponseException):
        detail = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        return DeliveryError(f"SMTP {error.smtp_code}: {detail}", transient=400 <= error.smtp_code < 500)
    return DeliveryError(f"{type(error).__name__}: {error}", transient=True)  # disconnects, refused, timeouts


@dataclass
class EmailNotifier:
    """SMTP with the standard library; 4xx replies and connection errors are retried."""

    config: NotifierConfig

    def send(self, alert: Alert) -> None:
        options = self.config.options
        message = build_email(alert, self.config)

        def submit() -> None:
            try:
                with smtplib.SMTP(
                    str(options["host"]),
                    int(options.get("port", 25)),
                    timeout=float(options.get("timeout_seconds", 10)),
                ) as smtp:
                    if options.get("starttls"):
                        smtp.starttls()
                    if options.get("username"):
                        smtp.login(str(options["username"]), str(options.get("password", "")))
                    refused = smtp.send_message(message)
            except (smtplib.SMTPException, OSError) as error:
                raise _smtp_error(error) from error
            if refused:
                # Accepted for some recipients: sending again would duplicate for those.
                log.warning("alert %s: some recipients refused: %s", alert.id, refused)

        _retrying(int(options.get("max_attempts", 3)), float(options.get("backoff_seconds", 1.0)), submit)


def make_notifier(config: NotifierConfig, settings: Settings) -> Notifier:
    if config.type == "webhook":
        return WebhookNotifier(config, user_agent=settings.user_agent)
    if config.type == "email":
        return EmailNotifier(config)
    return LogNotifier(config)


# -- delivery loop ------------------------------------------------------------------------------


def overall_status(alert: Alert) -> AlertStatus:
    return "sent" if all(d.status == "sent" for d in alert.deliveries) else "pending"


def _with_delivery(alert: Alert, key: str, **changes: Any) -> Alert:
    deliveries = [d.model_copy(update=changes) if d.notifier == key else d for d in alert.deliveries]
    updated = alert.model_copy(update={"deliveries": deliveries})
    return updated.model_copy(update={"status": overall_status(updated)})


def _write_retrying(
    es: Elasticsearch, stored: StoredAlert, change: Callable[[Alert], Alert]
) -> StoredAlert | None:
    """Read the alert again, apply `change` and write it if unchanged since; on conflict again
    (`update_conditionally`), so a mark is never lost. None when the alert is gone."""

    def apply(source: Mapping[str, Any]) -> dict[str, Any]:
        return change(Alert.model_validate(source)).model_dump(mode="json")

    try:
        written = update_conditionally(es, stored.index, stored.alert.id, apply, attempts=MAX_MARK_ATTEMPTS)
    except ConditionalWriteError as error:
        raise RuntimeError(f"alert {stored.alert.id}: could not record delivery state: {error}") from error
    return None if written is None else StoredAlert.of(written)


def _apply(alert: Alert, changes: Sequence[Callable[[Alert], Alert]]) -> Alert:
    for change in changes:
        alert = change(alert)
    return alert


def _bulk_write(es: Elasticsearch, writes: Sequence[tuple[StoredAlert, Alert]]) -> list[StoredAlert | None]:
    """Each alert written only if unchanged since it was read (its sequence number), in bulk
    requests of `BULK_WRITES`: one request per batch instead of one per alert (each single write
    is a round trip and a translog sync). None where the alert changed meanwhile (a conflict)."""
    result = write_many(
        es,
        [(stored.version(), alert.model_dump(mode="json")) for stored, alert in writes],
        send=bulk_sender(es, BULK_WRITES),
    )
    failed = {**dict.fromkeys(result.missing, "not found"), **result.refused}
    if failed:
        alert_id, error = next(iter(failed.items()))
        raise RuntimeError(f"alert {alert_id}: delivery state not written: {error}")
    return [
        StoredAlert.of(result.written[alert.id], alert) if alert.id in result.written else None
        for _, alert in writes
    ]


def failure_reason(error: Exception) -> str:
    """One line for `last_error`, the run summary and the log: a DeliveryError's message, any
    other exception's type and message (a notifier bug or a hostile alert is a failed
    delivery of that alert, not a crashed run)."""
    text = str(error) if isinstance(error, DeliveryError) else f"{type(error).__name__}: {error}"
    return single_line(text)[:MAX_REASON_CHARS]


def deliver_alerts(
    es: Elasticsearch, pending: Sequence[StoredAlert], rules: RuleSet, settings: Settings, summary: RunSummary
) -> list[Alert]:
    """Send every unsent delivery of these alerts (as read, with their sequence numbers);
    returns the alerts as last written.

    1. claim: attempts+1 on each delivery about to be sent, one write per alert conditional on
       the sequence number it was read with, all in one bulk request. A conflict means another
       runner (or an article joining the alert) wrote it since: that alert is left to the next
       run, so no two runners send the same delivery;
    2. send;
    3. mark "sent" or "failed", again in one bulk request; an alert changed since its claim is
       re-read and the marks re-applied (`_write_retrying`), so a mark is never lost."""
    left: dict[str, Alert] = {}
    plans: list[tuple[StoredAlert, list[tuple[Delivery, NotifierConfig]]]] = []
    for stored in pending:
        left[stored.alert.id] = stored.alert
        todo: list[tuple[Delivery, NotifierConfig]] = []
        for delivery in stored.alert.deliveries:
            if delivery.status == "sent":
                continue
            config = rules.notifier_by_key(delivery.notifier)
            if config is None or not config.configured:
                reason = "notifier_unknown" if config is None else "notifier_unconfigured"
                item = f"{stored.alert.id}:{delivery.notifier}"
                summary.record(STAGE, "skipped", item, f"{reason}: {delivery.notifier}")
                log.warning(
                    "alert %s: cannot deliver to %s (%s); left pending",
                    stored.alert.id,
                    delivery.notifier,
                    reason,
                )
                continue
            todo.append((delivery, config))
        if todo:
            plans.append((stored, todo))

    claims = [
        (
            stored,
            _apply(
                stored.alert,
                [partial(_with_delivery, key=d.notifier, attempts=d.attempts + 1) for d, _ in todo],
            ),
        )
        for stored, todo in plans
    ]
    marks: list[tuple[StoredAlert, list[Callable[[Alert], Alert]]]] = []
    for (stored, todo), claimed in zip(plans, _bulk_write(es, claims), strict=True):
        if claimed is None:
            for delivery, _ in todo:
                item = f"{stored.alert.id}:{delivery.notifier}"
                summary.record(STAGE, "skipped", item, "concurrent_update: retried next run")
            continue
        left[stored.alert.id] = claimed.alert
        changes: list[Callable[[Alert], Alert]] = []
        for delivery, config in todo:
            item = f"{stored.alert.id}:{delivery.notifier}"
            try:
                make_notifier(config, settings).send(claimed.alert)
            except Exception as error:  # noqa: BLE001 - one alert's failure, never the run's
                message = failure_reason(error)
                changes.append(
                    partial(_with_delivery, key=delivery.notifier, status="failed", last_error=message)
                )
                summary.record(STAGE, "refused", item, f"delivery_failed: {message}")
                log.warning(
                    "alert %s: delivery to %s failed, will retry next run: %s",
                    stored.alert.id,
                    delivery.notifier,
                    message,
                )
            else:
                sent_at = datetime.now(UTC)
                changes.append(
                    partial(
                        _with_delivery, key=delivery.notifier, status="sent", sent_at=sent_at, last_error=None
                    )
                )
                summary.record(STAGE, "accepted", item, "sent")
        marks.append((claimed, changes))

    written = _bulk_write(es, [(claimed, _apply(claimed.alert, changes)) for claimed, changes in marks])
    for (claimed, changes), result in zip(marks, written, strict=True):
        if result is None:  # changed since the claim: re-read, re-apply
            result = _write_retrying(es, claimed, partial(_apply, changes=changes))
        if result is None:  # deleted meanwhile
            left.pop(claimed.alert.id, None)
        else:
            left[claimed.alert.id] = result.alert
    return list(left.values())


def deliver_pending(
    es: Elasticsearch,
    settings: Settings,
    summary: RunSummary,
    rules: RuleSet | None = None,
    *,
    only: Collection[str] | None = None,
    skip: Collection[str] = (),
) -> list[Alert]:
    """Retry every alert with a pending or failed delivery; returns the alerts as left.

    `only`: just these alert ids (a pass delivers each batch's alerts once it is stored);
    `skip`: not these (tried earlier in the same pass)."""
    if only is not None and not only:
        return []
    rules = rules if rules is not None else load_rules(settings.rules_file)
    index = settings.index("alerts")
    if not es.indices.exists(index=index):
        return []
    es.indices.refresh(index=index)
    query: dict[str, Any] = {"bool": {"filter": [{"term": {"status": "pending"}}]}}
    if only is not None:
        query["bool"]["filter"].append({"ids": {"values": sorted(only)}})
    if skip:
        query["bool"]["must_not"] = [{"ids": {"values": sorted(skip)}}]
    # The alerts with their sequence numbers: the claims are conditional on them (no re-read).
    pending = [
        stored_from_hit(hit)
        for hit in helpers.scan(
            es,
            index=index,
            query={"query": query, "sort": [{"triggered_at": "asc"}], "seq_no_primary_term": True},
            preserve_order=True,
        )
    ]
    results = deliver_alerts(es, pending, rules, settings, summary)
    if pending:
        es.indices.refresh(index=index)
    if only is None:  # the sweep: what is left for the next run
        summary.count("alerts:pending_after_delivery", sum(1 for a in results if a.status != "sent"))
    return results
