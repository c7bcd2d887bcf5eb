"""A local news site on 127.0.0.1: serves feed and article files over real HTTP.

Used by the tests, the demo and the benchmarks so the pipeline always fetches over HTTP.
It behaves like a well-configured web server: `ETag` and `Last-Modified` on every file,
`304 Not Modified` on conditional requests, a Content-Type per path from `_headers.json`,
and `{BASE_URL}` in feed files replaced by the server's own address (links are absolute).

Several document roots can be stacked (the first that has a path wins), and files can be
published at run time (`publish`) to simulate a feed that gains an item.
It also has a few misbehaving endpoints under `/_drill/` for failure drills.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from vigie.core.resources import resource_path

SAMPLE_SITE = resource_path("sample_corpus", "site")
GUESSED_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        self.server.requests.append(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}")

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        if parts.path.startswith("/_drill/"):
            self._drill(parts.path[len("/_drill/") :], parse_qs(parts.query))
            return
        found = self.server.lookup(parts.path)
        if found is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"}, head)
            return
        body, content_type, mtime = found
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified}
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        not_modified = False
        if if_none_match is not None:
            not_modified = etag in [tag.strip() for tag in if_none_match.split(",")]
        elif if_modified_since:
            parsed = email.utils.parsedate_to_datetime(if_modified_since)
            not_modified = parsed is not None and int(mtime) <= parsed.timestamp()
        if not_modified:
            self.send_response(304)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            return
        self._send(200, body, headers, head)

    def _drill(self, name: str, query: dict[str, list[str]]) -> None:
        """Misbehaving endpoints: each one what a hostile or broken web server does."""
        arg = query.get("n", ["1"])[0]
        if name == "status":  # /_drill/status?n=500 (with optional retry_after)
            headers = {"Content-Type": "text/plain"}
            if "retry_after" in query:
                headers["Retry-After"] = query["retry_after"][0]
            self._send(int(arg), b"error", headers, head=False)
        elif name == "flaky":  # fails n times per key, then serves the path
            key = query.get("key", ["default"])[0]
            count = self.server.flaky_counts.get(key, 0)
            self.server.flaky_counts[key] = count + 1
            if count < int(arg):
                self._send(503, b"try later", {"Content-Type": "text/plain", "Retry-After": "0"}, False)
            else:
                self.path = query.get("path", ["/"])[0]
                self._serve(head=False)
        elif name == "hang":  # sleeps n seconds before answering
            time.sleep(float(arg))
            self._send(200, b"late", {"Content-Type": "text/plain"}, head=False)
        elif name == "reset":  # closes the socket abruptly (TCP RST)
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.close()
            self.close_connection = True
        elif name == "garbage":  # random bytes with a feed content type
            body = hashlib.sha512(arg.encode()).digest() * 64
            self._send(200, body, {"Content-Type": "application/rss+xml"}, head=False)
        elif name == "big":  # a page of n megabytes, streamed, without Content-Length
            megabytes = int(arg)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>" + b"remplissage " * 87 + b"</p>\n"  # ~1 KiB
            try:
                self.wfile.write(b"<html><body>")
                for _ in range(megabytes * 1024):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif name == "redirect":  # 302 to ?to=...
            target = query.get("to", ["/"])[0]
            self._send(302, b"", {"Location": target}, head=False)
        else:
            self._send(404, b"unknown drill", {"Content-Type": "text/plain"}, head=False)


class FeedServer(ThreadingHTTPServer):
    """Serve document roots on 127.0.0.1; use as a context manager or call start()/stop()."""

    daemon_threads = True

    def __init__(self, roots: Iterable[Path] = (SAMPLE_SITE,), port: int = 0, host: str = "127.0.0.1"):
        super().__init__((host, port), _Handler)
        self.roots = [Path(r) for r in roots]
        self.published: dict[str, tuple[bytes, str, float]] = {}
        self.requests: list[str] = []
        self.flaky_counts: dict[str, int] = {}
        self._thread: threading.Thread | None = None
        self._headers = self._load_headers()

    def _load_headers(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for root in reversed(self.roots):
            path = root / "_headers.json"
            if path.is_file():
                merged.update(json.loads(path.read_text(encoding="utf-8")))
        return merged

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def publish(self, path: str, body: str | bytes, content_type: str | None = None) -> None:
        """Serve `body` at `path` from now on (overrides files); `{BASE_URL}` is substituted."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        kind = content_type or GUESSED_TYPES.get(Path(path).suffix, "application/octet-stream")
        self.published[path] = (data, kind, time.time())

    def lookup(self, path: str) -> tuple[bytes, str, float] | None:
        if path in self.published:
            data, kind, mtime = self.published[path]
            return data.replace(b"{BASE_URL}", self.base_url.encode()), kind, mtime
        for root in self.roots:
            candidate = (root / path.lstrip("/")).resolve()
            if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
                continue
            data = candidate.read_bytes()
            kind = self._headers.get(path) or GUESSED_TYPES.get(candidate.suffix, "application/octet-stream")
            if candidate.suffix == ".xml":
                data = data.replace(b"{BASE_URL}", self.base_url.encode())
            return data, kind, candidate.stat().st_mtime
        return None

    def start(self) -> FeedServer:
        self._thread = threading.Thread(target=self.serve_forever, name="vigie-feedserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
