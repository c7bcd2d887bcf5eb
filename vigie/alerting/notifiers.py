"""Notifiers (log, webhook, e-mail): one send of one alert to one channel, and what came of it.

The delivery loop (claims, marks, time budget) is `vigie.alerting.delivery`. A send ends in
one of three ways, and the loop records which:

* it returns: the receiver took the alert (2xx, SMTP 250 to the message, a log line);
* it raises `DeliveryError` with `uncertain=False`: the receiver did not get it, for certain
  (connection refused or timed out before the request went out, an HTTP or SMTP error
  answer); transient ones (network, 5xx, 408/425/429, SMTP 4xx) are retried within the send,
  with exponential backoff, and every failure is retried by the next pass;
* it raises `DeliveryError` with `uncertain=True`: the request went out and no answer came
  (read timeout, connection dropped before the answer, SMTP disconnect after the message
  data). The receiver may have acted on it: it is never sent again automatically, not even
  within the send (a webhook answering 200 just after the client timeout got three copies a
  run that way). `vigie alerts deliver --resend-uncertain` requeues such deliveries by hand.

Every send carries a key the receiver can deduplicate on: webhooks `Idempotency-Key: <alert
id>`, e-mails a deterministic `Message-ID: <alert id>.<notifier>@<domain>`. A follow-up (`follow_up`
N > 0: the alert updated, a rising toll) is marked: "Mise à jour" before the title or subject,
`delivery_kind: "follow-up"` in a webhook's body, and keys of its own (`<alert id>:follow-up:N`,
`<alert id>.follow-up-N.<notifier>@<domain>`).

`deadline` (a `time.monotonic()` value): no retry starts after it. A send under way keeps its
own timeouts (cutting them short would turn a slow receiver's answer into an uncertain send);
`longest_send` bounds how long one send can take.

Titles, URLs and passages come from sites Vigie does not control. E-mail headers and log
lines are built from single-line text (`vigie.core.cleantext.single_line`), so a title cannot
add a header or forge a log line. A webhook URL is a secret (Slack/Teams-style hooks): it is
never logged nor put in a reason, only `scheme://host/…` (`redact_url`), including httpx's own
request log line.
"""

from __future__ import annotations

import html
import json
import logging
import re
import smtplib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from vigie.alerting.rules import NotifierConfig
from vigie.core.cleantext import single_line
from vigie.core.models import Alert
from vigie.core.settings import Settings

log = logging.getLogger(__name__)
alert_log = logging.getLogger("vigie.alerts")

MIN_SEND_SECONDS = 0.5  # no send or retry starts closer than this to its deadline
_TRANSIENT_HTTP = {408, 425, 429}
# Raised before any byte of the request reached the receiver: a failure, for certain.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)


class DeliveryError(Exception):
    """A send failed: `transient` ones are retried within the send, every certain failure by
    the next pass. `uncertain`: the request went out and no answer came back; the receiver may
    have it, so it is never sent again automatically."""

    def __init__(self, message: str, transient: bool, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.transient = transient and not uncertain
        self.uncertain = uncertain


class Notifier(Protocol):
    config: NotifierConfig

    def send(self, alert: Alert, *, deadline: float | None = None, follow_up: int = 0) -> None:
        """Deliver `alert` once (`follow_up` N: its N-th follow-up), or raise DeliveryError."""


FOLLOW_UP_PREFIX = "Mise à jour : "


def alert_payload(alert: Alert, follow_up: int = 0) -> dict[str, Any]:
    """What a webhook receives: the alert without its delivery bookkeeping (a follow-up: marked)."""
    payload = alert.model_dump(mode="json", exclude={"deliveries", "status"})
    if follow_up:
        payload.update(delivery_kind="follow-up", follow_up=follow_up, title=FOLLOW_UP_PREFIX + alert.title)
    return payload


def plain_passage(matched_text: str) -> str:
    """`matched_text` for plain text: <mark>x</mark> -> «x», entities unescaped."""
    return html.unescape(re.sub(r"</?mark>", lambda m: "«" if m.group(0) == "<mark>" else "»", matched_text))


def longest_send(config: NotifierConfig) -> float:
    """How long one send to this notifier can take at most, retries included (seconds; a
    connection's phases each get the timeout, so this is an estimate for leases, not a limit)."""
    options = config.options
    if config.type not in ("webhook", "email"):
        return 1.0
    attempts = max(1, int(options.get("max_attempts", 3)))
    backoff = float(options.get("backoff_seconds", 1.0))
    timeout = float(options.get("timeout_seconds", 10))
    return attempts * 2 * timeout + sum(backoff * 2**n for n in range(attempts - 1))


def _retrying(
    attempts: int,
    backoff: float,
    action: Callable[[], None],
    sleep: Callable[[float], None] = time.sleep,
    deadline: float | None = None,
) -> None:
    """Run `action`, retrying transient DeliveryErrors with exponential backoff; an uncertain
    one is never retried, nor is any once the next attempt would start after `deadline`."""
    for attempt in range(1, attempts + 1):
        try:
            action()
            return
        except DeliveryError as error:
            if not error.transient or attempt == attempts:
                raise
            delay = backoff * 2 ** (attempt - 1)
            if deadline is not None and time.monotonic() + delay + MIN_SEND_SECONDS > deadline:
                raise
            log.info("delivery attempt %d/%d failed (%s), retrying in %.2fs", attempt, attempts, error, delay)
            sleep(delay)


@dataclass
class LogNotifier:
    config: NotifierConfig

    def send(self, alert: Alert, *, deadline: float | None = None, follow_up: int = 0) -> None:
        level = logging.getLevelName(str(self.config.options.get("level", "WARNING")))
        alert_log.log(
            level if isinstance(level, int) else logging.WARNING,
            ("ALERT UPDATE " if follow_up else "ALERT ") + "[%s] %s: %s <%s> sources=%s | %s",
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
    """JSON POST with `Idempotency-Key: <alert id>`; 2xx is success. Connection failures (nothing
    sent), 5xx and 408/425/429 are retried; a 4xx is a failure; a request sent without an answer
    (read timeout, connection dropped) is uncertain and never sent again. The URL is a secret:
    errors and log lines show it redacted (`redact_url`)."""

    config: NotifierConfig
    user_agent: str = "Vigie"

    def send(self, alert: Alert, *, deadline: float | None = None, follow_up: int = 0) -> None:
        url = str(self.config.options.get("url", ""))
        with _secret_url(url):
            try:
                self._send(alert, url, deadline, follow_up)
            except DeliveryError as error:
                raise DeliveryError(
                    scrub_url(str(error), url), transient=error.transient, uncertain=error.uncertain
                ) from None
            except Exception as error:  # a bad URL or header, an encoding error: not retried
                message = scrub_url(f"{type(error).__name__}: {error}", url)
                raise DeliveryError(message, transient=False) from None

    def _send(self, alert: Alert, url: str, deadline: float | None, follow_up: int = 0) -> None:
        options = self.config.options
        timeout = float(options.get("timeout_seconds", 10))
        headers = {
            **{str(k): str(v) for k, v in (options.get("headers") or {}).items()},
            "Idempotency-Key": f"{alert.id}:follow-up:{follow_up}" if follow_up else alert.id,
            "User-Agent": self.user_agent,
        }
        body = json.dumps(alert_payload(alert, follow_up), ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"

        with httpx.Client(timeout=timeout, follow_redirects=False) as client:

            def post() -> None:
                try:
                    response = client.post(url, content=body, headers=headers, timeout=timeout)
                except _NOT_SENT as error:
                    reason = scrub_url(f"{type(error).__name__}: {error}", url)
                    raise DeliveryError(single_line(reason), transient=True) from error
                except httpx.TransportError as error:  # sent, no answer: it may have been acted on
                    reason = scrub_url(f"no answer: {type(error).__name__}: {error}", url)
                    raise DeliveryError(single_line(reason), transient=False, uncertain=True) from error
                if 200 <= response.status_code < 300:
                    return
                transient = response.status_code >= 500 or response.status_code in _TRANSIENT_HTTP
                reason = scrub_url(f"HTTP {response.status_code}: {response.text[:200]}", url)
                raise DeliveryError(single_line(reason), transient=transient)

            _retrying(
                int(options.get("max_attempts", 3)),
                float(options.get("backoff_seconds", 1.0)),
                post,
                deadline=deadline,
            )


def message_id(alert: Alert, config: NotifierConfig, follow_up: int = 0) -> str:
    """Deterministic, so a receiver can drop the copy sent again after a crash."""
    domain = str(config.options.get("message_id_domain", "vigie.local"))
    part = f".follow-up-{follow_up}" if follow_up else ""
    return f"<{alert.id}{part}.{config.name}@{domain}>"


def build_email(alert: Alert, config: NotifierConfig, follow_up: int = 0) -> EmailMessage:
    """Every header is single-line text (`single_line`): a title holding a line break cannot
    add a header (and the standard library's injection guard never raises)."""
    options = config.options
    message = EmailMessage()
    subject = f"[Vigie {alert.severity.upper()}] {alert.rule}: {alert.title}"
    message["Subject"] = single_line(FOLLOW_UP_PREFIX + subject if follow_up else subject)
    message["From"] = single_line(str(options["from"]))
    message["To"] = single_line(", ".join(str(to) for to in options["to"]))
    message["Message-ID"] = single_line(message_id(alert, config, follow_up))
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


def _smtp_error(error: Exception, *, message_sent: bool = False) -> DeliveryError:
    """What an SMTP exception means; `message_sent`: the message data had gone out when it
    came (a reply is still certain, a disconnect or timeout is not)."""
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
    if message_sent:
        return DeliveryError(
            f"no answer to the message: {type(error).__name__}: {error}", False, uncertain=True
        )
    return DeliveryError(f"{type(error).__name__}: {error}", transient=True)  # disconnects, refused, timeouts


class _SMTP(smtplib.SMTP):
    """smtplib's client, noting when the server asked for the message data (354): from then
    on, a lost connection leaves the outcome unknown."""

    data_started = False

    def getreply(self) -> tuple[int, bytes]:
        code, message = super().getreply()
        if code == 354:
            self.data_started = True
        return code, message


@dataclass
class EmailNotifier:
    """SMTP with the standard library; 4xx replies and connection errors before the message
    data are retried; a connection lost after the data is uncertain (never sent again)."""

    config: NotifierConfig

    def send(self, alert: Alert, *, deadline: float | None = None, follow_up: int = 0) -> None:
        options = self.config.options
        message = build_email(alert, self.config, follow_up)
        timeout = float(options.get("timeout_seconds", 10))

        def submit() -> None:
            smtp: _SMTP | None = None
            try:
                smtp = _SMTP(str(options["host"]), int(options.get("port", 25)), timeout=timeout)
                if options.get("starttls"):
                    smtp.starttls()
                if options.get("username"):
                    smtp.login(str(options["username"]), str(options.get("password", "")))
                refused = smtp.send_message(message)
            except (smtplib.SMTPException, OSError) as error:
                raise _smtp_error(error, message_sent=smtp is not None and smtp.data_started) from error
            finally:
                if smtp is not None:
                    _close(smtp)
            if refused:
                # Accepted for some recipients: sending again would duplicate for those.
                log.warning("alert %s: some recipients refused: %s", alert.id, refused)

        _retrying(
            int(options.get("max_attempts", 3)),
            float(options.get("backoff_seconds", 1.0)),
            submit,
            deadline=deadline,
        )


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT, then close: the message is accepted (or not) already, whatever QUIT answers."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def make_notifier(config: NotifierConfig, settings: Settings) -> Notifier:
    if config.type == "webhook":
        return WebhookNotifier(config, user_agent=settings.user_agent)
    if config.type == "email":
        return EmailNotifier(config)
    return LogNotifier(config)
