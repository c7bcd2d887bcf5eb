"""What reaches analysts and operators when a site is hostile (issue 13): notifications, log
lines and the CLI's tables. Real parts only: pages from the feed server over HTTP, the real
node, the real spaCy model, a real SMTP server (aiosmtpd) and a real webhook receiver.

- a line break in a title never crashes delivery, never adds an e-mail header, never forges a
  log line; whatever a notifier raises is a failed delivery of that alert, with its reason;
- a webhook URL (a secret for Slack/Teams-style hooks) is never logged nor put in a reason;
- Rich markup in an item or a reason is shown literally, never as a colour or a hyperlink;
- titles, summaries and authors are stored on one line, without bidi overrides;
- a missing spaCy model stops the run before anything is fetched.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from elasticsearch import Elasticsearch
from helpers import LocalServer, QuietHandler, free_port, registry_feed
from rich.console import Console

from enrich.model import MissingModelError
from ingest.feeds import Feed
from vigie.alerting import notifiers
from vigie.alerting.delivery import deliver_pending
from vigie.alerting.dryrun import DryRunHit, render
from vigie.alerting.engine import AlertEngine
from vigie.alerting.notifiers import redact_url
from vigie.alerting.rules import RuleSet, parse_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Alert, Article, stable_id
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Pipeline
from vigie.run.report import print_summary

T0 = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
HOSTILE = "Frappe nucléaire\nsur Kharkiv\r\nBcc: x@y"
RLO = "\u202e"
SECRET = "T0000/B0000/XXXXsecretXXXX"
BODY = " ".join(
    [
        "Moscou menace d'une première frappe nucléaire contre les alliés de l'Ukraine, selon le "
        "ministère de la Défense, qui évoque une riposte massive en cas d'attaque sur son territoire."
    ]
    * 4
)


# -- receivers ----------------------------------------------------------------------------------


class Hook:
    """A webhook receiver on 127.0.0.1: answers the (status, body) pairs of `script` one request
    at a time (then 200), records each request; `{path}` in a body is the request's path (a
    server that echoes the URL it was posted to)."""

    def __init__(self, path: str = f"/hook/{SECRET}") -> None:
        self.path = path
        self.script: list[tuple[int, str]] = []
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, text = receiver.script.pop(0) if receiver.script else (200, "ok")
                if 200 <= status < 300:
                    receiver.requests.append({"path": self.path, "json": json.loads(body)})
                data = text.replace("{path}", self.path).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = LocalServer(Handler)

    @property
    def url(self) -> str:
        return self._server.url(f"{self.path}?token=tok3n")

    def stop(self) -> None:
        self._server.stop()


class Mailbox:
    """aiosmtpd handler keeping each message with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, mailbox
    controller.stop()


def rules_data(hook_url: str, smtp_port: int, notifiers: list[str]) -> dict[str, Any]:
    return {
        "version": 1,
        "notifiers": {
            "log": {"type": "log"},
            "desk": {"type": "webhook", "url": hook_url, "max_attempts": 2, "backoff_seconds": 0.01},
            "mail": {
                "type": "email",
                "host": "127.0.0.1",
                "port": smtp_port,
                "from": "vigie@example.org",
                "to": ["desk@example.org"],
                "max_attempts": 2,
                "backoff_seconds": 0.01,
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


def with_rules(settings: Settings, tmp_path: Path, data: dict[str, Any]) -> Settings:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dataclasses.replace(settings, rules_file=path)


def raise_alert(es: Elasticsearch, settings: Settings, rules: RuleSet, title: str, story: str) -> Alert:
    """An alert stored with `title` as is: what an older version (or another path) may have
    stored, which delivery must survive."""
    url = f"https://example.org/{story}"
    article = Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="test",
        source="example.org",
        title=title,
        text=BODY,
        published=T0,
        language="fr",
        enriched=True,
        story_id=story,
    )
    alerts = AlertEngine(settings, es, rules).evaluate([article], [], RunSummary())
    assert len(alerts) == 1
    return alerts[0]


def stored_alerts(es: Elasticsearch, settings: Settings) -> list[Alert]:
    es.indices.refresh(index=settings.index("alerts"))
    hits = es.search(index=settings.index("alerts"), query={"match_all": {}}, size=50)["hits"]["hits"]
    return [Alert.model_validate(hit["_source"]) for hit in hits]


def delivery(alert: Alert, notifier: str) -> dict[str, Any]:
    return next(d for d in alert.deliveries if d.notifier == notifier).model_dump()


def assert_clean_mail(recipients: list[str], message: Message) -> None:
    assert recipients == ["desk@example.org"]  # no Bcc smuggled in
    assert message["Bcc"] is None
    subject = str(message["Subject"])  # decoded (RFC 2047) and unfolded
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("[Vigie CRITICAL] frappe_nucleaire: Frappe nucléaire sur Kharkiv")


# -- 1. a line break in a title -----------------------------------------------------------------


def _hostile_page(headline: str, author: str) -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline,
        "datePublished": "2025-03-12T07:00:00+01:00",
        "author": {"@type": "Person", "name": author},
    }
    return (
        "<html lang='fr'><head><meta charset='utf-8'><title>x</title>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script></head>"
        f"<body><article><h1>Kharkiv</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )


def _feed(server: FeedServer, path: str, items: list[str]) -> Feed:
    server.publish(
        path,
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Hostile</title>"
        f"<link>{{BASE_URL}}/</link><description>d</description>{''.join(items)}</channel></rss>",
    )
    return registry_feed("hostile", server.url(path))


def test_a_headline_with_line_breaks_is_mailed_once_with_a_clean_subject(
    es: Elasticsearch,
    settings: Settings,
    feed_server: FeedServer,
    hook: Hook,
    smtp: tuple[int, Mailbox],
    tmp_path: Path,
) -> None:
    """The page's JSON-LD headline holds "\\n" and "\\r\\nBcc: x@y"; the feed item has no title,
    so the headline is the title. The run ends normally, the alert is e-mailed once (one
    recipient, one-line subject) and posted once; the next run sends nothing again."""
    port, mailbox = smtp
    settings = with_rules(settings, tmp_path, rules_data(hook.url, port, ["log", "desk", "mail"]))
    feed_server.publish("/hostile/page.html", _hostile_page(HOSTILE, "Jean Dupont"))
    feed = _feed(
        feed_server,
        "/hostile/feed.xml",
        [
            "<item><link>{BASE_URL}/hostile/page.html</link><guid>hostile-1</guid>"
            "<pubDate>Wed, 12 Mar 2025 07:00:00 +0100</pubDate></item>"
        ],
    )

    summary = Pipeline(settings=settings).run([feed])

    assert summary.get("alert_delivery", "refused") == 0, summary.failures
    assert len(mailbox.messages) == 1 and len(hook.requests) == 1
    assert_clean_mail(*mailbox.messages[0])
    [alert] = stored_alerts(es, settings)
    assert alert.status == "sent" and "\n" not in alert.title
    assert hook.requests[0]["json"]["title"] == alert.title

    again = Pipeline(settings=settings).run([feed])
    assert again.get("alert_delivery", "refused") == 0
    assert len(mailbox.messages) == 1 and len(hook.requests) == 1


def test_a_stored_alert_with_a_line_break_in_its_title_is_delivered_clean(
    es: Elasticsearch,
    settings: Settings,
    hook: Hook,
    smtp: tuple[int, Mailbox],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An alert already stored with "\\r\\nBcc:" in its title (an older version stored titles as
    found): one e-mail to the one recipient with a one-line subject, and a log line that stays
    one line (the title cannot forge a second one)."""
    port, mailbox = smtp
    rules = parse_rules(rules_data(hook.url, port, ["log", "desk", "mail"]))
    alert = raise_alert(es, settings, rules, HOSTILE + "\nERROR vigie: forged", "story-a")
    summary = RunSummary()

    with caplog.at_level(logging.INFO):
        deliver_pending(es, settings, summary, rules=rules)

    assert summary.get("alert_delivery") == 3 and summary.failures == []
    assert len(mailbox.messages) == 1
    assert_clean_mail(*mailbox.messages[0])
    alert_lines = [r.getMessage() for r in caplog.records if r.name == "vigie.alerts"]
    assert len(alert_lines) == 1
    assert "\n" not in alert_lines[0] and "\r" not in alert_lines[0]
    assert "Frappe nucléaire sur Kharkiv Bcc: x@y ERROR vigie: forged" in alert_lines[0]
    [after] = stored_alerts(es, settings)
    assert after.id == alert.id and after.status == "sent"


def test_whatever_a_notifier_raises_is_a_failed_delivery_of_that_alert(
    es: Elasticsearch,
    settings: Settings,
    hook: Hook,
    smtp: tuple[int, Mailbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A notifier that raises something else than a DeliveryError for one alert (a bug, a
    hostile value): that delivery is failed with the reason, the run goes on, the other
    channels and the other alerts are delivered, and only it is retried next run."""
    port, mailbox = smtp
    rules = parse_rules(rules_data(hook.url, port, ["log", "desk", "mail"]))
    bad = raise_alert(es, settings, rules, "Frappe nucléaire: première", "story-bad")
    good = raise_alert(es, settings, rules, "Frappe nucléaire: seconde", "story-good")
    send = notifiers.LogNotifier.send

    def broken(
        self: notifiers.LogNotifier, alert: Alert, *, deadline: float | None = None, follow_up: int = 0
    ) -> None:
        if alert.id == bad.id:
            raise RuntimeError("boom\nERROR forged line")
        send(self, alert, deadline=deadline, follow_up=follow_up)

    monkeypatch.setattr(notifiers.LogNotifier, "send", broken)
    summary = RunSummary()
    deliver_pending(es, settings, summary, rules=rules)  # does not raise

    by_id = {a.id: a for a in stored_alerts(es, settings)}
    failed = delivery(by_id[bad.id], "log")
    assert failed["status"] == "failed" and failed["last_error"] == "RuntimeError: boom ERROR forged line"
    assert by_id[bad.id].status == "pending"
    assert delivery(by_id[bad.id], "webhook:desk")["status"] == "sent"
    assert delivery(by_id[bad.id], "email:mail")["status"] == "sent"
    assert by_id[good.id].status == "sent"
    assert [(f.item, f.reason) for f in summary.failures] == [
        (f"{bad.id}:log", "delivery_failed: RuntimeError: boom ERROR forged line")
    ]
    assert len(mailbox.messages) == 2 and len(hook.requests) == 2

    monkeypatch.setattr(notifiers.LogNotifier, "send", send)
    deliver_pending(es, settings, RunSummary(), rules=rules)
    assert all(a.status == "sent" for a in stored_alerts(es, settings))
    assert len(mailbox.messages) == 2 and len(hook.requests) == 2  # only the log was retried


# -- 2. the webhook URL is a secret ---------------------------------------------------------------


def test_a_webhook_url_is_never_logged_nor_put_in_a_reason(
    es: Elasticsearch, settings: Settings, hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    """Delivered (httpx logs each request at INFO), refused by a receiver that echoes the URL
    it was posted to, and unreachable: the path and query of the hook appear nowhere, its
    scheme://host/… does."""
    rules = parse_rules(rules_data(hook.url, free_port(), ["desk"]))
    raise_alert(es, settings, rules, "Frappe nucléaire", "story-1")
    hook.script = [(404, "no hook at {path}")]
    summary = RunSummary()
    # httpx's own level too: Airflow's logging config (loaded by the DAG tests) sets it to WARN.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.INFO, logger="httpx"):
        deliver_pending(es, settings, summary, rules=rules)  # 404: failed, reason echoes the path
        [failed] = stored_alerts(es, settings)
        deliver_pending(es, settings, summary, rules=rules)  # delivered
        down = parse_rules(rules_data(f"http://127.0.0.1:{free_port()}/hook/{SECRET}", 25, ["desk"]))
        raise_alert(es, settings, down, "Frappe nucléaire", "story-2")
        deliver_pending(es, settings, summary, rules=down)  # connection refused

    shown = redact_url(hook.url)
    assert shown == f"http://127.0.0.1:{hook.url.split(':')[2].split('/')[0]}/…"
    reason = delivery(failed, "webhook:desk")["last_error"]
    assert reason == f"HTTP 404: no hook at {shown}"
    assert len(hook.requests) == 1
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert any("HTTP Request: POST" in r.getMessage() for r in caplog.records)  # httpx's line, redacted
    assert shown in caplog.text
    for text in (
        logged,
        json.dumps(summary.model_dump()),
        json.dumps([a.model_dump(mode="json") for a in stored_alerts(es, settings)]),
    ):
        assert SECRET not in text and "tok3n" not in text


# -- 3. markup in the console -------------------------------------------------------------------


def test_markup_in_items_and_reasons_is_shown_literally() -> None:
    """The failures table of `vigie run`, the dry-run table: `[link=file://…]` and `[red]` from
    a page are printed as written, never as a hyperlink or a colour."""
    link = "[link=file:///etc/passwd]x[/link]"
    summary = RunSummary()
    summary.record("fetch", "refused", f"http://127.0.0.1/{link}[red]", f"http:404 [red]boom[/red] {link}")
    summary.record(f"stage{link}", "accepted", "item", f"reason[red]{link}")
    summary.count(f"feed:[red]x[/red]{link}")
    terminal = io.StringIO()
    console = Console(record=True, width=400, file=terminal, force_terminal=True, color_system="truecolor")
    print_summary(summary, console)
    text = console.export_text()
    assert f"http://127.0.0.1/{link}[red]" in text
    assert f"http:404 [red]boom[/red] {link}" in text
    assert f"stage{link}" in text and f"feed:[red]x[/red]{link}" in text
    assert "\x1b]8;" not in terminal.getvalue()  # no terminal hyperlink (OSC 8)
    assert "\x1b[31m" not in terminal.getvalue()  # no red

    hits = [
        DryRunHit(
            file=f"a{link}.txt", rule="[red]r[/red]", severity="critical", passage="x <mark>[red]y</mark>"
        )
    ]
    console = Console(record=True, width=400)
    render(hits, console, files=[f"a{link}.txt", f"b{link}.txt"])
    text = console.export_text()
    assert f"a{link}.txt" in text and "[red]r[/red]" in text and "x [red]y" in text
    assert f"No rule fired on: b{link}.txt" in text


def test_the_cli_shows_external_text_literally() -> None:
    from vigie.cli import shown

    console = Console(record=True, width=200)
    hostile = "[link=file:///etc/passwd]x[/link] \x1b]8;;file:///etc\x1b\\ok"
    console.print(f"error: {shown(hostile)}")
    text = console.export_text()
    assert "[link=file:///etc/passwd]x[/link]" in text and "\x1b" not in text


# -- 4. bidi overrides and line breaks are not stored ---------------------------------------------


def test_titles_summaries_and_authors_are_stored_on_one_line_without_bidi_overrides(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, tmp_path: Path
) -> None:
    """A feed item whose title, summary and author carry U+202E (right-to-left override) and
    line breaks, and a page whose JSON-LD headline and author do."""
    settings = with_rules(settings, tmp_path, rules_data("http://127.0.0.1:9/x", 25, ["log"]))
    feed_server.publish("/rtl/page.html", _hostile_page(f"Kharkiv{RLO} :\nfrappe", f"Jean{RLO}\nDupont"))
    feed_server.publish("/rtl/gone.html", "not found", content_type="text/plain")  # too short: summary kept
    feed = _feed(
        feed_server,
        "/rtl/feed.xml",
        [
            "<item><link>{BASE_URL}/rtl/page.html</link><guid>rtl-1</guid>"
            "<pubDate>Wed, 12 Mar 2025 07:00:00 +0100</pubDate></item>",
            f"<item><title>Titre {RLO}fdp.exe\u2066 x</title><link>{{BASE_URL}}/rtl/gone.html</link>"
            f"<guid>rtl-2</guid><author>a@b.fr (Marie{RLO} Curie)</author>"
            f"<description>Résumé{RLO} de la frappe\u2069 nucléaire.</description>"
            "<pubDate>Wed, 12 Mar 2025 07:00:00 +0100</pubDate></item>",
        ],
    )
    Pipeline(settings=settings).run([feed])
    es.indices.refresh(index=settings.index("articles"))
    hits = es.search(index=settings.index("articles"), query={"match_all": {}}, size=10)["hits"]["hits"]
    docs = {hit["_source"]["url"].rsplit("/", 1)[-1]: hit["_source"] for hit in hits}
    assert set(docs) == {"page.html", "gone.html"}
    page, item = docs["page.html"], docs["gone.html"]
    assert page["title"] == "Kharkiv : frappe" and page["author"] == "Jean Dupont"
    assert item["title"] == "Titre fdp.exe x"
    assert item["summary"] == "Résumé de la frappe nucléaire."
    for doc in docs.values():
        for field in ("title", "summary", "author", "text"):
            value = doc.get(field) or ""
            assert not any(
                ch in value for ch in ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
            ), field
            if field != "text" and field != "summary":
                assert "\n" not in value, field


# -- 5. a missing spaCy model ---------------------------------------------------------------------


def test_a_missing_spacy_model_stops_the_run_before_any_fetch(
    settings: Settings, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enrich import model

    Pipeline(settings=settings).check_configuration()  # the installed model passes
    with pytest.raises(MissingModelError, match="'fr_core_news_absent' is not installed"):
        Pipeline(settings=settings).check_configuration(model="fr_core_news_absent")

    monkeypatch.setattr(model, "MODEL", "fr_core_news_absent")
    feed = _feed(feed_server, "/nomodel/feed.xml", [])
    with pytest.raises(MissingModelError) as raised:
        Pipeline(settings=settings).run([feed])
    assert "\n" not in str(raised.value)
    assert feed_server.requests == []  # nothing was fetched


def test_vigie_run_says_in_one_line_that_the_model_is_missing(es: Elasticsearch, settings: Settings) -> None:
    code = (
        "import sys; from enrich import model; model.MODEL = 'fr_core_news_absent'; "
        "from vigie.cli import main; sys.argv = ['vigie', 'run']; main()"
    )
    env = {**os.environ, "VIGIE_FEEDS_BASE_URL": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("vigie:")]
    assert lines == [
        "vigie: spaCy model 'fr_core_news_absent' is not installed "
        "(install the package 'fr_core_news_absent'); nothing was fetched"
    ]
