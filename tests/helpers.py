"""Small builders the tests share (tests/ is on sys.path under pytest: `from helpers import ...`)."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ingest.feeds import Feed
from vigie.core.models import Article, Event, stable_id

if TYPE_CHECKING:  # the model loads only where a test asks for the `enricher` fixture
    from enrich.pipeline import Enricher

# The reference date of the enrichment tests' articles (relative dates resolve against it).
PUBLISHED = datetime.fromisoformat("2025-03-11T08:08:00+01:00")


def registry_feed(name: str, url: str, *, poll_interval_minutes: int = 15) -> Feed:
    """A French international feed entry, as `feeds.yaml` would give it."""
    return Feed(
        name=name,
        title=name,
        url=url,
        language="fr",
        country="FR",
        poll_interval_minutes=poll_interval_minutes,
        category="international",
    )


def french_article(text: str, published: datetime = PUBLISHED) -> Article:
    """A French article holding `text`, its id derived from the text."""
    return Article(
        id=stable_id("test", text),
        url="https://example.org/a",
        original_url="https://example.org/a",
        feed="test",
        source="example.org",
        title="Titre",
        text=text,
        published=published,
        language="fr",
    )


def mentions(enricher: Enricher, text: str, published: datetime = PUBLISHED) -> list[Event]:
    """The event mentions of `text` read as one French article (before the incident merge)."""
    return enricher.mentions_of_text(text, french_article(text, published))


def incidents(enricher: Enricher, text: str, published: datetime = PUBLISHED) -> list[Event]:
    """The incidents of `text`: its mentions merged as `Enricher.enrich` merges them (the conflict
    gate aside)."""
    return enricher.merge(mentions(enricher, text, published))


def triggered(events: list[Event], word: str) -> Event:
    """The one mention triggered by `word` (the assertion lists every mention's trigger and
    sub-type when there is none or more than one)."""
    found = [e for e in events if e.trigger == word]
    assert len(found) == 1, [(e.trigger, e.sub_event_type) for e in events]
    return found[0]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for servers that must be told their port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers JSON with `reply_json`."""

    def reply_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server API)
        pass


class LocalServer:
    """`handler` served on 127.0.0.1 (port 0: a free one) by a thread; `stop()` closes it."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def incident_figures(enricher: Any, text: str, published: datetime) -> list[dict[str, tuple[int, str]]]:
    """The counts of each incident of `text` (its mentions folded by `enricher.merge`), as
    {slot: (value, qualifier)}, without the conflict gate; the title is empty, so only the body
    speaks."""
    from enrich.quantities import SLOTS

    item = Article(
        id=stable_id("counts-classes", text),
        url="https://example.org/counts",
        original_url="https://example.org/counts",
        feed="test",
        source="test",
        title="",
        text=text,
        published=published,
        language="fr",
    )
    incidents = enricher.merge(enricher.mentions_of_text(text, item))
    return [
        {slot: (q.value, q.qualifier) for slot in SLOTS if (q := getattr(incident, slot)) is not None}
        for incident in incidents
    ]


def mention_figures(enricher: Enricher, text: str) -> list[dict[str, tuple[int, str]]]:
    """The counts of each mention of `text` (before the incident merge), as
    {slot: (value, qualifier)}."""
    from enrich.quantities import SLOTS

    return [
        {slot: (q.value, q.qualifier) for slot in SLOTS if (q := getattr(event, slot)) is not None}
        for event in mentions(enricher, text)
    ]


def slot_values(found: list[dict[str, tuple[int, str]]], slot: str) -> list[tuple[int, str]]:
    """The (value, qualifier) of `slot` in each of `found` that has one."""
    return [f[slot] for f in found if slot in f]
