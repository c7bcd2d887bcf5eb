"""Alert delivery that neither blocks nor repeats (issue 15, item 6), against the real node and
real receivers on 127.0.0.1 (an HTTP server in a thread, aiosmtpd, a raw-socket SMTP server):

- a webhook that answers 200 just after the client timeout gets each alert once (the send is
  uncertain, never repeated), and a resend by hand carries the same Idempotency-Key;
- two runners at the same time send each alert once per channel;
- a runner killed between its claim and its mark never causes a second send;
- an SMTP server that drops the connection after the message data gets it once;
- a time budget bounds a pass; what it did not send is released for the next one;
- a channel that is down is tried once per pass, and does not hold up the other channels.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from elasticsearch import Elasticsearch
from helpers import LocalServer, QuietHandler, free_port

from vigie.alerting import delivery as delivery_module
from vigie.alerting.delivery import DeliveryState, deliver_pending, requeue_uncertain
from vigie.alerting.engine import AlertEngine
from vigie.alerting.rules import RuleSet, parse_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, stable_id
from vigie.core.settings import Settings
from vigie.store.es import client

T0 = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
TEXT = "Le Kremlin brandit à nouveau la menace d'une frappe nucléaire contre les capitales européennes."


# -- receivers ------------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on 127.0.0.1. Each request is recorded once read whole (its
    Idempotency-Key and JSON), `on_request(n)` runs, then the answer `status` goes out after
    `delay` seconds, or once `release` is set when `hang` is on."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.delay = 0.0
        self.status = 200
        self.hang = False
        self.release = threading.Event()
        self.holding = 0
        self.on_request: Callable[[int], None] | None = None
        self.first_request = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.keys.append(str(self.headers.get("Idempotency-Key")))
                    receiver.bodies.append(json.loads(body))
                    number = len(receiver.keys)
                receiver.first_request.set()
                if receiver.on_request is not None:
                    receiver.on_request(number)
                if receiver.hang:
                    with receiver._lock:
                        receiver.holding += 1
                    receiver.release.wait(60)
                    with receiver._lock:
                        receiver.holding -= 1
                time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up waiting
                    pass

        self._server = LocalServer(Handler)

    @property
    def url(self) -> str:
        return self._server.url("/hook")

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self.keys)

    def stop(self) -> None:
        self.release.set()
        self._server.stop()


class Mailbox:
    """aiosmtpd handler keeping each message's Message-ID."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.message_ids.append(str(message_from_bytes(content, policy=policy.default)["Message-ID"]))
        return "250 OK"


class DroppingSMTP:
    """A raw-socket SMTP server that takes the whole message, then closes the connection without
    answering it: the client cannot know whether the message was accepted."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.messages: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            conn.sendall(b"220 drop.example ESMTP\r\n")
            while line := reader.readline():
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    conn.sendall(b"250 drop.example\r\n")
                elif command.startswith((b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                    conn.sendall(b"250 OK\r\n")
                elif command == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    data = b""
                    while (chunk := reader.readline()) and chunk != b".\r\n":
                        data += chunk
                    self.messages.append(data)
                    return  # no "250": the connection just ends
                else:
                    conn.sendall(b"502 no\r\n")

    def stop(self) -> None:
        self._listener.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.stop()


@pytest.fixture
def mailbox() -> Iterator[tuple[int, Mailbox]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


# -- alerts ---------------------------------------------------------------------------------------


def rules(webhook: dict[str, Any] | None = None, mail_port: int | None = None) -> RuleSet:
    notifiers: dict[str, Any] = {"log": {"type": "log"}}
    names = []
    if webhook is not None:
        notifiers["desk"] = {"type": "webhook", "max_attempts": 3, "backoff_seconds": 0.05, **webhook}
        names.append("desk")
    if mail_port is not None:
        notifiers["mail"] = {
            "type": "email",
            "host": "127.0.0.1",
            "port": mail_port,
            "from": "vigie@example.org",
            "to": ["desk@example.org"],
            "max_attempts": 2,
            "backoff_seconds": 0.05,
            "timeout_seconds": 5,
        }
        names.append("mail")
    return parse_rules(
        {
            "version": 1,
            "notifiers": notifiers,
            "rules": [
                {
                    "name": "frappe_nucleaire",
                    "severity": "critical",
                    "notifiers": names,
                    "condition": {"phrase": {"words": "frappe nucléaire", "max_distance": 2}},
                }
            ],
        }
    )


def raise_alerts(es: Elasticsearch, settings: Settings, ruleset: RuleSet, n: int) -> list[Alert]:
    """`n` alerts, one per story, oldest first."""
    articles = []
    for i in range(n):
        url = f"https://veille{i}.example/menace-{i}"
        articles.append(
            Article(
                id=stable_id(url),
                url=url,
                original_url=url,
                feed="test",
                source=f"veille{i}.example",
                title=f"Menace {i}",
                text=TEXT,
                published=T0 + timedelta(minutes=i),
                language="fr",
                enriched=True,
                story_id=f"story-{i}",
            )
        )
    alerts = AlertEngine(settings, es, ruleset).evaluate(articles, [], RunSummary())
    assert len(alerts) == n
    return sorted(alerts, key=lambda a: a.window_start)


def stored(es: Elasticsearch, settings: Settings) -> dict[str, Alert]:
    es.indices.refresh(index=settings.index("alerts"))
    hits = es.search(index=settings.index("alerts"), size=200, query={"match_all": {}})["hits"]["hits"]
    return {hit["_id"]: Alert.model_validate(hit["_source"]) for hit in hits}


def deliveries(es: Elasticsearch, settings: Settings, notifier: str) -> dict[str, dict[str, Any]]:
    return {
        alert_id: next(d for d in alert.deliveries if d.notifier == notifier).model_dump()
        for alert_id, alert in stored(es, settings).items()
    }


# -- a webhook answering after its timeout --------------------------------------------------------


def test_a_webhook_answering_after_its_timeout_gets_each_alert_once(
    es: Elasticsearch, settings: Settings, receiver: Receiver
) -> None:
    """Each request arrives; the 200 comes 0.6 s after the client's 0.3 s timeout. The send is
    uncertain: not retried within the pass (that made 3 copies a run), not by later passes (that
    made 3 more every run), and the channel waits for the next pass instead of costing a
    timeout per alert. After as many passes as alerts, each alert reached it exactly once."""
    receiver.delay = 0.9
    ruleset = rules({"url": receiver.url, "timeout_seconds": 0.3})
    alerts = raise_alerts(es, settings, ruleset, 3)

    summaries = [RunSummary() for _ in range(5)]
    for summary in summaries:
        deliver_pending(es, settings, summary, rules=ruleset)

    assert receiver.counts() == {alert.id: 1 for alert in alerts}  # Idempotency-Key = alert id
    # Oldest first, one per pass (the channel is paused after its timeout), then nothing.
    assert [s.stages["alert_delivery"].reasons for s in summaries[:3]] == [
        {"refused:delivery_uncertain": 1}
    ] * 3
    assert all("alert_delivery" not in s.stages for s in summaries[3:])
    assert summaries[0].metrics["alerts:delivery_deferred"] == 2
    for state in deliveries(es, settings, "webhook:desk").values():
        assert state["status"] == "uncertain" and state["attempts"] == 1
        assert state["last_error"].startswith("no answer: ReadTimeout")
    assert {a.status for a in stored(es, settings).values()} == {"failed"}  # a person decides

    # By hand: requeued, sent again once, with the same key (a deduplicating receiver drops it).
    receiver.delay = 0.0
    assert requeue_uncertain(es, settings, [alerts[0].id]) == 1
    deliver_pending(es, settings, RunSummary(), rules=ruleset)
    assert receiver.counts()[alerts[0].id] == 2
    assert stored(es, settings)[alerts[0].id].status == "sent"
    assert sum(receiver.counts().values()) == 4


# -- two runners at once ---------------------------------------------------------------------------


def test_two_runners_at_once_send_each_alert_once_per_channel(
    es: Elasticsearch, settings: Settings, receiver: Receiver, mailbox: tuple[int, Mailbox]
) -> None:
    """The second runner starts while the first is sending (it scans alerts the first has
    claimed and not yet marked): a claim is a "sending" state with a lease, not a counter, so
    it leaves them alone. Each alert reaches the webhook and the mailbox exactly once."""
    port, box = mailbox
    receiver.delay = 0.1
    ruleset = rules({"url": receiver.url, "timeout_seconds": 5}, port)
    alerts = raise_alerts(es, settings, ruleset, 12)
    summaries = [RunSummary(), RunSummary()]
    errors: list[BaseException] = []

    def runner(number: int) -> None:
        if number == 1:
            assert receiver.first_request.wait(30)
        try:
            deliver_pending(client(settings), settings, summaries[number], rules=ruleset)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []

    assert receiver.counts() == {alert.id: 1 for alert in alerts}
    assert Counter(box.message_ids) == {f"<{alert.id}.mail@vigie.local>": 1 for alert in alerts}
    assert sum(s.get("alert_delivery") for s in summaries) == 2 * len(alerts)
    assert summaries[1].metrics["alerts:delivery_claimed_elsewhere"] >= 1  # it did meet the claims
    assert {a.status for a in stored(es, settings).values()} == {"sent"}
    for notifier in ("webhook:desk", "email:mail"):
        assert {d["attempts"] for d in deliveries(es, settings, notifier).values()} == {1}


# -- a runner killed between its claim and its mark ---------------------------------------------


class Killed(BaseException):
    """The runner's process dies (nothing after it runs, no journal written)."""


def test_a_runner_killed_between_claim_and_mark_never_causes_a_second_send(
    es: Elasticsearch, settings: Settings, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claims are written, the webhook gets every alert, the runner dies before recording.
    The next runner leaves live claims alone; once their lease is over it marks them uncertain,
    and nothing is ever sent twice."""
    ruleset = rules({"url": receiver.url, "timeout_seconds": 0.5, "max_attempts": 1})
    alerts = raise_alerts(es, settings, ruleset, 3)

    def die(self: delivery_module.Deliverer, *args: Any) -> None:
        raise Killed

    monkeypatch.setattr(delivery_module.Deliverer, "_mark", die)
    monkeypatch.setattr(delivery_module, "LEASE_MARGIN", timedelta(seconds=0))
    with pytest.raises(Killed):
        deliver_pending(es, settings, RunSummary(), rules=ruleset, state=DeliveryState.for_pass(2.0))
    monkeypatch.undo()
    assert receiver.counts() == {alert.id: 1 for alert in alerts}
    claimed = deliveries(es, settings, "webhook:desk")
    assert {d["status"] for d in claimed.values()} == {"sending"}

    during = RunSummary()
    deliver_pending(es, settings, during, rules=ruleset)  # the lease (about 3 s) runs: left alone
    assert "alert_delivery" not in during.stages or during.get("alert_delivery") == 0
    assert {d["status"] for d in deliveries(es, settings, "webhook:desk").values()} == {"sending"}

    expires = max(d["claim_expires"] for d in claimed.values())
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.2)
    after = RunSummary()
    deliver_pending(es, settings, after, rules=ruleset)
    assert after.stages["alert_delivery"].reasons == {"refused:delivery_uncertain": 3}
    final = deliveries(es, settings, "webhook:desk")
    assert {d["status"] for d in final.values()} == {"uncertain"}
    assert all("recorded no outcome" in d["last_error"] for d in final.values())
    deliver_pending(es, settings, RunSummary(), rules=ruleset)
    assert receiver.counts() == {alert.id: 1 for alert in alerts}


# -- an SMTP server that drops the connection after the message ----------------------------------


def test_an_smtp_server_dropping_the_connection_after_the_message_gets_it_once(
    es: Elasticsearch, settings: Settings
) -> None:
    server = DroppingSMTP()
    try:
        ruleset = rules(mail_port=server.port)
        [alert] = raise_alerts(es, settings, ruleset, 1)
        summary = RunSummary()
        deliver_pending(es, settings, summary, rules=ruleset)
        deliver_pending(es, settings, RunSummary(), rules=ruleset)
    finally:
        server.stop()
    assert len(server.messages) == 1 and alert.id.encode() in server.messages[0]
    state = deliveries(es, settings, "email:mail")[alert.id]
    assert state["status"] == "uncertain" and state["attempts"] == 1
    assert state["last_error"].startswith("no answer to the message: SMTPServerDisconnected")
    assert summary.stages["alert_delivery"].reasons == {"refused:delivery_uncertain": 1}


# -- a time budget -----------------------------------------------------------------------------------


def test_a_time_budget_bounds_a_pass_and_releases_what_it_did_not_send(
    es: Elasticsearch, settings: Settings, receiver: Receiver
) -> None:
    """A receiver taking 0.5 s per alert and a 1.2 s budget: the pass sends two or three and
    stops; the deliveries it had claimed and not sent go back as they were (pending, attempts
    0, no claim) and the next passes send them, each once."""
    receiver.delay = 0.5
    ruleset = rules({"url": receiver.url, "timeout_seconds": 5})
    alerts = raise_alerts(es, settings, ruleset, 6)

    first = RunSummary()
    deliver_pending(es, settings, first, rules=ruleset, budget=1.2)
    sent = first.get("alert_delivery")
    assert 1 <= sent < len(alerts)
    assert first.metrics["alerts:delivery_deferred"] == len(alerts) - sent
    states = deliveries(es, settings, "webhook:desk")
    released = [d for d in states.values() if d["status"] != "sent"]
    assert len(released) == len(alerts) - sent
    assert all(d["status"] == "pending" and d["attempts"] == 0 and d["claim"] is None for d in released)

    for _ in range(len(alerts)):
        deliver_pending(es, settings, RunSummary(), rules=ruleset, budget=1.2)
    assert receiver.counts() == {alert.id: 1 for alert in alerts}
    assert {d["status"] for d in deliveries(es, settings, "webhook:desk").values()} == {"sent"}


# -- a channel that is down ----------------------------------------------------------------------------


def test_a_channel_that_is_down_is_tried_once_per_pass_and_the_others_go_out(
    es: Elasticsearch, settings: Settings, mailbox: tuple[int, Mailbox]
) -> None:
    port, box = mailbox
    ruleset = rules({"url": f"http://127.0.0.1:{free_port()}/hook", "timeout_seconds": 2}, port)
    raise_alerts(es, settings, ruleset, 4)
    summary = RunSummary()
    deliver_pending(es, settings, summary, rules=ruleset)

    assert len(box.message_ids) == 4  # the e-mail channel is not held up
    hooks = deliveries(es, settings, "webhook:desk")
    assert sorted(d["status"] for d in hooks.values()) == ["failed", "pending", "pending", "pending"]
    [failed] = [d for d in hooks.values() if d["status"] == "failed"]
    assert "ConnectError" in failed["last_error"] and failed["attempts"] == 1
    assert all(d["attempts"] == 0 and d["claim"] is None for d in hooks.values() if d["status"] == "pending")
    assert summary.stages["alert_delivery"].reasons == {"accepted:sent": 4, "refused:delivery_failed": 1}
    assert summary.metrics["alerts:delivery_deferred"] == 3
    assert {a.status for a in stored(es, settings).values()} == {"pending"}


# -- the command ------------------------------------------------------------------------------------


def test_vigie_alerts_deliver_sends_what_is_pending_and_requeues_uncertain_by_hand(
    es: Elasticsearch,
    settings: Settings,
    receiver: Receiver,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import yaml
    from typer.testing import CliRunner

    from vigie.cli import app

    data = {
        "version": 1,
        "notifiers": {
            "desk": {"type": "webhook", "url": receiver.url, "timeout_seconds": 0.3, "max_attempts": 1}
        },
        "rules": [
            {
                "name": "frappe_nucleaire",
                "severity": "critical",
                "notifiers": ["desk"],
                "condition": {"phrase": {"words": "frappe nucléaire", "max_distance": 2}},
            }
        ],
    }
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("VIGIE_RULES", str(path))
    [alert] = raise_alerts(es, settings, rules({"url": receiver.url}), 1)
    runner = CliRunner()

    receiver.delay = 0.8  # answers after the timeout: uncertain, exit status 1
    first = runner.invoke(app, ["alerts", "deliver", "--budget", "30"])
    assert first.exit_code == 1, first.output
    assert "delivery_uncertain" in first.output
    again = runner.invoke(app, ["alerts", "deliver"])
    assert again.exit_code == 0, again.output
    assert receiver.counts() == {alert.id: 1}  # not sent again

    receiver.delay = 0.0
    resent = runner.invoke(app, ["alerts", "deliver", "--resend-uncertain"])
    assert resent.exit_code == 0, resent.output
    assert "requeued 1 uncertain" in resent.output
    assert receiver.counts() == {alert.id: 2}  # by hand, with the same Idempotency-Key
    assert stored(es, settings)[alert.id].status == "sent"
