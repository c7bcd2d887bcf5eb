"""Delivery and display attacks (issue 13, items 2 and 8-9): what reaches analysts and
operators when a page is hostile. Each `run()` drives the real code and returns what it saw.

- newline_headline_email: a page (over HTTP, from the hostile server) whose JSON-LD headline
  holds "\\n" and "\\r\\nBcc: x@y" -> fetch, extract, build_article, the alert, then the
  e-mail notifier against a real SMTP server (aiosmtpd) and the log notifier;
- notifier_exception: a notifier raising something else than a DeliveryError (the loop's
  reason for that delivery);
- webhook_url_logged: a webhook post with INFO logging on: is the hook's path logged;
- markup_failures_table: `[link=file:///etc/passwd]` and `[red]` in a failed item;
- rtl_override_title: a feed item title, summary and author carrying U+202E;
- missing_spacy_model: the configuration check with a model that is not installed.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import tempfile
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.attacks import Attack

HOSTILE = "Frappe nucléaire\nsur Kharkiv\r\nBcc: x@y\nERROR vigie: forged"
SECRET = "T0000/B0000/XXXXsecretXXXX"
BODY = " ".join(["Moscou menace d'une première frappe nucléaire contre les alliés de l'Ukraine."] * 8)


def _environment() -> None:
    os.environ.setdefault("VIGIE_STATE_DIR", tempfile.mkdtemp(prefix="vigie-attack-"))
    os.environ["VIGIE_FETCH_HOST_DELAY"] = "0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _notifier(kind: str, **options: Any) -> Any:
    from vigie.alerting.rules import parse_rules

    rules = parse_rules(
        {
            "version": 1,
            "notifiers": {"n": {"type": kind, **options}},
            "rules": [
                {
                    "name": "r",
                    "severity": "critical",
                    "notifiers": ["n"],
                    "condition": {"phrase": {"words": "frappe nucléaire"}},
                }
            ],
        }
    )
    return rules.notifiers["n"]


def _alert(title: str) -> Any:
    from vigie.core.models import Alert, Delivery

    now = datetime.now(UTC)
    return Alert(
        id="a1",
        rule="frappe_nucleaire",
        severity="critical",
        description="Frappe nucléaire",
        article_id="x",
        article_ids=["x"],
        title=title,
        url="https://example.org/a",
        sources=["example.org"],
        matched_text="<mark>frappe</mark> <mark>nucléaire</mark>",
        triggered_at=now,
        window_start=now,
        deliveries=[Delivery(notifier="email:n")],
        status="pending",
    )


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def newline_headline_email() -> str:
    """The page's headline becomes the alert title; the alert is e-mailed and logged."""
    from aiosmtpd.controller import Controller
    from hostile_server import HostileServer, respond

    from ingest.article import build_article
    from ingest.extract import decode_html, extract_article
    from ingest.feeds import Feed
    from ingest.fetch import Fetcher
    from ingest.parse import FeedItem
    from vigie.alerting.notifiers import EmailNotifier, LogNotifier
    from vigie.core.settings import Settings

    _environment()
    ld = json.dumps({"@type": "NewsArticle", "headline": HOSTILE, "datePublished": "2025-03-12T07:00:00Z"})
    page = (
        f"<html lang='fr'><head><script type='application/ld+json'>{ld}</script></head>"
        f"<body><article><h1>x</h1><p>{BODY}</p></article></body></html>"
    ).encode()
    with HostileServer() as site:
        url = site.route("/page.html", respond(200, {"Content-Type": "text/html; charset=utf-8"}, page))
        os.environ["VIGIE_ALLOW_HOSTS"] = f"127.0.0.1:{site.port},127.0.0.1"  # (host-only before)
        fetched = Fetcher(Settings()).fetch(url)
    assert fetched.content is not None, fetched.error
    extracted = extract_article(decode_html(fetched.content, fetched.content_type), url)
    feed = Feed(
        name="f", title="f", url=url, language="fr", country="FR", poll_interval_minutes=5, category="live"
    )
    article = build_article(FeedItem(guid="1", title="", link=url), feed, fetched, extracted)
    alert = _alert(article.title)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("vigie.alerts").addHandler(handler)
    LogNotifier(_notifier("log")).send(alert)
    log_lines = len(stream.getvalue().splitlines())

    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        EmailNotifier(
            _notifier(
                "email",
                host="127.0.0.1",
                port=port,
                to=["desk@example.org"],
                max_attempts=1,
                **{"from": "v@example.org"},
            )
        ).send(alert)
    except Exception as error:  # noqa: BLE001 - the outcome
        return f"e-mail raised {type(error).__name__}; log lines {log_lines}"
    finally:
        controller.stop()
    [(recipients, message)] = mailbox.messages
    one_line = "\n" not in str(message["Subject"])
    return f"sent to {len(recipients)} recipient(s), subject one line: {one_line}; log lines {log_lines}"


def notifier_exception() -> str:
    """What the delivery loop records for a notifier raising a plain exception."""
    from vigie.alerting import notifiers

    try:
        raise RuntimeError("boom\nERROR forged")
    except Exception as error:  # noqa: BLE001
        reason = getattr(notifiers, "failure_reason", None)
        return f"failed delivery: {reason(error)}" if reason else "not handled: exception out of delivery"


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = f"no hook at {self.path}".encode()
        self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def webhook_url_logged() -> str:
    from vigie.alerting.notifiers import DeliveryError, WebhookNotifier

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook/{SECRET}"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        WebhookNotifier(_notifier("webhook", url=url, max_attempts=1)).send(_alert("x"))
        reason = ""
    except DeliveryError as error:
        reason = str(error)
    finally:
        server.shutdown()
        server.server_close()
    logged = sum(SECRET in line for line in stream.getvalue().splitlines())
    return f"secret in {logged} log line(s), in reason: {SECRET in reason}"


def markup_failures_table() -> str:
    from rich.console import Console

    from vigie.core.accounting import RunSummary
    from vigie.run.report import print_summary

    link = "[link=file:///etc/passwd]x[/link]"
    summary = RunSummary()
    summary.record("fetch", "refused", f"http://127.0.0.1/{link}", "http:404 [red]boom[/red]")
    terminal = io.StringIO()
    console = Console(record=True, width=300, file=terminal, force_terminal=True, color_system="truecolor")
    print_summary(summary, console)
    text = console.export_text()
    literal = link in text and "[red]boom[/red]" in text
    hyperlink = "\x1b]8;" in terminal.getvalue()  # OSC 8: a terminal hyperlink
    return f"shown literally: {literal}, terminal hyperlink: {hyperlink}"


def rtl_override_title() -> str:
    from ingest.article import build_article
    from ingest.feeds import Feed
    from ingest.parse import FeedItem

    url = "https://example.org/a"
    feed = Feed(
        name="f", title="f", url=url, language="fr", country="FR", poll_interval_minutes=5, category="live"
    )
    item = FeedItem(
        guid="1", title="Titre \u202efdp.exe", link=url, summary="R\u202esumé\nici", author="A\u202eB"
    )
    article = build_article(item, feed, None, None)
    kept = sum("\u202e" in (value or "") for value in (article.title, article.summary, article.author))
    return f"U+202E kept in {kept} of title/summary/author"


def missing_spacy_model() -> str:
    from vigie.core.settings import Settings
    from vigie.run.pipeline import Pipeline

    _environment()
    try:
        Pipeline(settings=Settings()).check_configuration(model="fr_core_news_absent")
    except TypeError:
        return "not checked: detected after every page is fetched"
    except Exception as error:  # noqa: BLE001 - the outcome
        return f"refused before any fetch: {type(error).__name__}"
    return "not detected"


ATTACKS = [
    Attack("newline_headline_email", newline_headline_email, timeout=10.0),
    Attack("notifier_exception", notifier_exception, timeout=10.0),
    Attack("webhook_url_logged", webhook_url_logged, timeout=10.0),
    Attack("markup_failures_table", markup_failures_table, timeout=10.0),
    Attack("rtl_override_title", rtl_override_title, timeout=10.0),
    Attack("missing_spacy_model", missing_spacy_model, timeout=10.0),
]
