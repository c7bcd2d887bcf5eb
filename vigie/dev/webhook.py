"""A webhook receiver on 127.0.0.1 that records what it is sent and when.

Each POST is answered 200 once read whole and kept as a `Received` (arrival time on the wall
clock, the Idempotency-Key header, the JSON body). Used by the freshness soak
(`python -m bench.soak`) to time alert delivery, and by tests.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the body was read
    key: str
    body: dict[str, Any]


class _Handler(BaseHTTPRequestHandler):
    server: WebhookReceiver  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib API
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        at = time.time()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unparsed": raw.decode("utf-8", "replace")}
        self.server.record(Received(at, str(self.headers.get("Idempotency-Key", "")), body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class WebhookReceiver(ThreadingHTTPServer):
    """Use as a context manager (or start()/stop()); `url` is where to post."""

    daemon_threads = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        super().__init__((host, port), _Handler)
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def record(self, item: Received) -> None:
        with self._lock:
            self._received.append(item)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(target=self.serve_forever, name="vigie-webhook", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
