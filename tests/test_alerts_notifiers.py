"""Delivery against REAL local receivers on 127.0.0.1: an HTTP server (stdlib http.server in a
thread) and an SMTP server (aiosmtpd). Receivers that fail first, receivers that are down, and
re-runs: every alert is delivered exactly once, and the state lives on the alert document."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from elasticsearch import Elasticsearch

from vigie.alerting.delivery import deliver_pending
from vigie.alerting.engine import AlertEngine, StoredAlert, stored_from_hit
from vigie.alerting.rules import RuleSet, parse_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, stable_id
from vigie.core.settings import Settings

T0 = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- receivers --------------------------------------------------------------------------------------


class WebhookReceiver:
    """Answers the statuses in `script` one request at a time (then 200); records every request
    and the deliveries it accepted."""

    def __init__(self, port: int, script: list[int] | None = None) -> None:
        self.port = port
        self.script = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                receiver.requests.append(request)
                status = receiver.script.pop(0) if receiver.script else 200
                if 200 <= status < 300:
                    receiver.accepted.append(request)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class MailHandler:
    """aiosmtpd handler: answers the codes in `script` to DATA (then 250) and keeps the mails."""

    def __init__(self, script: list[str] | None = None) -> None:
        self.script = list(script or [])
        self.data_commands = 0
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.data_commands += 1
        if self.script:
            return self.script.pop(0)
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.messages.append(message_from_bytes(content))
        return "250 OK"


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(free_port())
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


# -- alerts to deliver ----------------------------------------------------------------------------


def ruleset(webhook_url: str, smtp_port: int, notifiers: list[str]) -> RuleSet:
    return parse_rules(
        {
            "version": 1,
            "notifiers": {
                "log": {"type": "log"},
                "desk": {"type": "webhook", "url": webhook_url, "max_attempts": 3, "backoff_seconds": 0.05},
                "mail": {
                    "type": "email",
                    "host": "127.0.0.1",
                    "port": smtp_port,
                    "from": "vigie@example.org",
                    "to": ["desk@example.org"],
                    "max_attempts": 3,
                    "backoff_seconds": 0.05,
                    "timeout_seconds": 5,
                },
            },
            "rules": [
                {
                    "name": "frappe_nucleaire",
                    "severity": "critical",
                    "description": "Frappe nucléaire",
                    "notifiers": notifiers,
                    "condition": {"phrase": {"words": "frappe nucléaire", "max_distance": 2}},
                }
            ],
        }
    )


def raise_alert(es: Elasticsearch, settings: Settings, rules: RuleSet) -> Alert:
    url = "https://example.org/menace-nucleaire"
    article = Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="test",
        source="example.org",
        title="Moscou menace",
        text="Moscou menace d’une première frappe nucléaire contre l’OTAN & ses alliés.",
        published=T0,
        language="fr",
        enriched=True,
        story_id="story-nuclear",
    )
    alerts = AlertEngine(settings, es, rules).evaluate([article], [], RunSummary())
    assert len(alerts) == 1
    return alerts[0]


def stored(es: Elasticsearch, settings: Settings, alert_id: str) -> Alert:
    es.indices.refresh(index=settings.index("alerts"))
    hits = es.search(index=settings.index("alerts"), query={"ids": {"values": [alert_id]}})["hits"]["hits"]
    return Alert.model_validate(hits[0]["_source"])


def scanned(es: Elasticsearch, settings: Settings, alert_id: str) -> StoredAlert:
    """The alert as a delivery scan reads it: with its sequence number and primary term."""
    es.indices.refresh(index=settings.index("alerts"))
    hit = es.search(
        index=settings.index("alerts"), query={"ids": {"values": [alert_id]}}, seq_no_primary_term=True
    )["hits"]["hits"][0]
    return stored_from_hit(hit)


def decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def delivery(alert: Alert, notifier: str) -> dict[str, Any]:
    return next(d for d in alert.deliveries if d.notifier == notifier).model_dump()


# -- webhook ------------------------------------------------------------------------------------


def test_webhook_failing_first_is_retried_in_the_run_and_delivered_once(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver
) -> None:
    webhook.script = [500]
    webhook.start()
    rules = ruleset(webhook.url, free_port(), ["desk"])
    alert = raise_alert(es, settings, rules)

    summary = RunSummary()
    deliver_pending(es, settings, summary, rules=rules)

    assert len(webhook.requests) == 2  # the 500, then the retry
    assert len(webhook.accepted) == 1
    request = webhook.accepted[0]
    assert request["headers"]["Idempotency-Key"] == alert.id
    assert request["json"]["id"] == alert.id and request["json"]["rule"] == "frappe_nucleaire"
    assert "<mark>frappe</mark>" in request["json"]["matched_text"]
    assert "deliveries" not in request["json"]
    after = stored(es, settings, alert.id)
    assert after.status == "sent"
    assert delivery(after, "webhook:desk")["status"] == "sent"
    assert delivery(after, "webhook:desk")["attempts"] == 1
    assert delivery(after, "webhook:desk")["sent_at"] is not None
    assert summary.get("alert_delivery") == 1

    # Nothing is sent twice: the next run finds nothing pending.
    deliver_pending(es, settings, RunSummary(), rules=rules)
    assert len(webhook.requests) == 2 and len(webhook.accepted) == 1


def test_webhook_down_leaves_the_alert_pending_until_the_next_run(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver
) -> None:
    rules = ruleset(webhook.url, free_port(), ["desk"])  # receiver not started: connection refused
    alert = raise_alert(es, settings, rules)

    summary = RunSummary()
    deliver_pending(es, settings, summary, rules=rules)
    first = stored(es, settings, alert.id)
    assert first.status == "pending"
    assert delivery(first, "webhook:desk")["status"] == "failed"
    assert "ConnectError" in delivery(first, "webhook:desk")["last_error"]
    assert summary.get("alert_delivery", "refused") == 1
    assert summary.failures[0].reason.startswith("delivery_failed")

    webhook.start()
    deliver_pending(es, settings, RunSummary(), rules=rules)
    deliver_pending(es, settings, RunSummary(), rules=rules)  # and again: nothing left to send

    assert len(webhook.accepted) == 1 and len(webhook.requests) == 1
    final = stored(es, settings, alert.id)
    assert final.status == "sent"
    assert delivery(final, "webhook:desk")["attempts"] == 2
    assert delivery(final, "webhook:desk")["last_error"] is None


def test_webhook_client_error_is_not_retried_in_the_run_but_next_run(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver
) -> None:
    webhook.script = [400]
    webhook.start()
    rules = ruleset(webhook.url, free_port(), ["desk"])
    alert = raise_alert(es, settings, rules)

    deliver_pending(es, settings, RunSummary(), rules=rules)
    assert len(webhook.requests) == 1 and webhook.accepted == []
    assert "HTTP 400" in delivery(stored(es, settings, alert.id), "webhook:desk")["last_error"]

    deliver_pending(es, settings, RunSummary(), rules=rules)
    assert len(webhook.accepted) == 1
    assert stored(es, settings, alert.id).status == "sent"


# -- e-mail -------------------------------------------------------------------------------------


def test_email_451_first_is_retried_and_delivered_once(
    es: Elasticsearch, settings: Settings, smtp_port: int
) -> None:
    handler = MailHandler(script=["451 4.3.0 Try again later"])
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        rules = ruleset("http://127.0.0.1:9/unused", smtp_port, ["mail"])
        alert = raise_alert(es, settings, rules)
        deliver_pending(es, settings, RunSummary(), rules=rules)
        deliver_pending(es, settings, RunSummary(), rules=rules)
    finally:
        controller.stop()

    assert handler.data_commands == 2
    assert len(handler.messages) == 1
    mail = handler.messages[0]
    assert mail["Message-ID"] == f"<{alert.id}.mail@vigie.local>"
    assert mail["X-Vigie-Alert-Id"] == alert.id
    assert mail["Subject"].startswith("[Vigie CRITICAL] frappe_nucleaire")
    assert mail["To"] == "desk@example.org"
    plain = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
    html_part = next(part for part in mail.walk() if part.get_content_type() == "text/html")
    assert "«frappe» «nucléaire»" in decoded(plain)
    assert "<mark>frappe</mark>" in decoded(html_part)
    assert "&amp; ses alliés" in decoded(html_part)
    final = stored(es, settings, alert.id)
    assert final.status == "sent" and delivery(final, "email:mail")["attempts"] == 1


def test_email_server_down_then_up_delivers_once(
    es: Elasticsearch, settings: Settings, smtp_port: int
) -> None:
    rules = ruleset("http://127.0.0.1:9/unused", smtp_port, ["mail"])
    alert = raise_alert(es, settings, rules)

    deliver_pending(es, settings, RunSummary(), rules=rules)  # nothing listens on smtp_port
    pending = stored(es, settings, alert.id)
    assert pending.status == "pending" and delivery(pending, "email:mail")["status"] == "failed"

    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        deliver_pending(es, settings, RunSummary(), rules=rules)
        deliver_pending(es, settings, RunSummary(), rules=rules)
    finally:
        controller.stop()
    assert len(handler.messages) == 1
    assert stored(es, settings, alert.id).status == "sent"


def test_each_notifier_has_its_own_state(
    es: Elasticsearch,
    settings: Settings,
    webhook: WebhookReceiver,
    smtp_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Webhook up, mail down: the log and webhook deliveries are sent once, the mail stays
    pending and is the only thing the next run sends."""
    webhook.start()
    rules = ruleset(webhook.url, smtp_port, ["log", "desk", "mail"])
    alert = raise_alert(es, settings, rules)

    with caplog.at_level(logging.WARNING, logger="vigie.alerts"):
        deliver_pending(es, settings, RunSummary(), rules=rules)
    assert sum("ALERT [critical] frappe_nucleaire" in r.getMessage() for r in caplog.records) == 1
    first = stored(es, settings, alert.id)
    assert [d.status for d in first.deliveries] == ["sent", "sent", "failed"]
    assert first.status == "pending"

    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    caplog.clear()
    try:
        with caplog.at_level(logging.WARNING, logger="vigie.alerts"):
            deliver_pending(es, settings, RunSummary(), rules=rules)
    finally:
        controller.stop()
    assert not any("ALERT [critical]" in r.getMessage() for r in caplog.records)  # log not re-sent
    assert len(webhook.accepted) == 1 and len(handler.messages) == 1
    final = stored(es, settings, alert.id)
    assert [d.status for d in final.deliveries] == ["sent", "sent", "sent"] and final.status == "sent"


def test_an_article_joining_the_alert_does_not_page_again(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver
) -> None:
    webhook.start()
    rules = ruleset(webhook.url, free_port(), ["desk"])
    alert = raise_alert(es, settings, rules)
    deliver_pending(es, settings, RunSummary(), rules=rules)

    url = "https://other.example/menace"
    copy = Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="test",
        source="other.example",
        title="Menace nucléaire",
        text="Le Kremlin évoque une frappe nucléaire.",
        published=T0.replace(hour=12),
        language="fr",
        enriched=True,
        story_id="story-nuclear",
    )
    AlertEngine(settings, es, rules).evaluate([copy], [], RunSummary())
    deliver_pending(es, settings, RunSummary(), rules=rules)

    assert len(webhook.accepted) == 1
    final = stored(es, settings, alert.id)
    assert final.article_ids == [alert.article_id, copy.id] and final.status == "sent"


def test_unknown_notifier_leaves_the_delivery_pending(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver
) -> None:
    rules = ruleset(webhook.url, free_port(), ["desk"])
    alert = raise_alert(es, settings, rules)
    # The rules file changed since: the notifier is gone. The alert is kept, not dropped.
    renamed = parse_rules({"version": 1, "notifiers": {"log": {"type": "log"}}, "rules": []})
    summary = RunSummary()
    deliver_pending(es, settings, summary, rules=renamed)
    assert stored(es, settings, alert.id).status == "pending"
    assert summary.stages["alert_delivery"].reasons == {"skipped:notifier_unknown": 1}


def test_a_runner_holding_a_stale_copy_does_not_send_again(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver
) -> None:
    """Two runners scanned the same pending alert; the first claims, sends and marks it. The
    second's claim is conditional on the sequence number it scanned: it conflicts, and the
    second runner leaves the alert alone instead of paging the desk twice."""
    from vigie.alerting.delivery import deliver_alerts

    webhook.start()
    rules = ruleset(webhook.url, free_port(), ["desk"])
    alert = raise_alert(es, settings, rules)
    first, second = scanned(es, settings, alert.id), scanned(es, settings, alert.id)  # each runner's scan

    deliver_alerts(es, [first], rules, settings, RunSummary())
    late = RunSummary()
    deliver_alerts(es, [second], rules, settings, late)

    assert len(webhook.accepted) == 1 and len(webhook.requests) == 1
    assert late.failures == [] and late.get("alert_delivery", "skipped") == 1
    assert delivery(stored(es, settings, alert.id), "webhook:desk")["attempts"] == 1


def test_a_mark_on_an_alert_changed_since_its_claim_is_reapplied_not_lost(
    es: Elasticsearch, settings: Settings, webhook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims and marks are written conditionally on the copy they were computed from. An
    article joining the alert between the claim and the mark makes the mark conflict: it is
    read again and re-applied over the runner's own claim, and the other write is kept."""
    from vigie.alerting.delivery import Deliverer
    from vigie.store.conditional import write

    webhook.start()
    rules = ruleset(webhook.url, free_port(), ["desk"])
    alert = raise_alert(es, settings, rules)
    send = Deliverer._send

    def join_then_send(self: Deliverer, claimed: Any) -> Any:
        for version, _claims in claimed:  # someone else's write, after the claim
            current = Alert.model_validate(version.source)
            joined = current.model_copy(update={"article_ids": [*current.article_ids, "another-article"]})
            assert write(es, version, joined.model_dump(mode="json")) is not None
        return send(self, claimed)

    monkeypatch.setattr(Deliverer, "_send", join_then_send)
    summary = RunSummary()
    deliver_pending(es, settings, summary, rules=rules)

    after = stored(es, settings, alert.id)
    assert delivery(after, "webhook:desk")["status"] == "sent" and after.status == "sent"
    assert "another-article" in after.article_ids  # the other write kept
    assert len(webhook.accepted) == 1 and summary.get("alert_delivery") == 1
