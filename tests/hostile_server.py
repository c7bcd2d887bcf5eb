"""A hostile web server on 127.0.0.1 for the attack tests: raw sockets, so a response can be
anything a real hostile site can send (headers dripped one byte at a time, stacked
compression, lying lengths, bytes that are not the declared charset).

    with HostileServer() as site:
        site.route("/feed.xml", respond(200, {"Content-Type": "application/rss+xml"}, body))
        site.route("/slow", drip(b"HTTP/1.1 200 OK\\r\\n...", interval=1.0))
        url = site.url("/feed.xml")

A route is a function of the connected socket; it writes what it likes and returns. Each
connection is served on its own daemon thread; `stop` closes the listener and every socket
still open (a dripping route then ends on its next write).
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterable

Route = Callable[[socket.socket], None]

__all__ = ["HostileServer", "LateServer", "Route", "drip", "gzip_layers", "respond"]


def respond(status: int, headers: dict[str, str], body: bytes, *, content_length: bool = True) -> Route:
    """A complete response, sent at once."""

    def route(conn: socket.socket) -> None:
        lines = [f"HTTP/1.1 {status} X"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        if content_length:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    return route


def drip(data: bytes, interval: float, chunk: int = 1) -> Route:
    """`data` sent `chunk` bytes every `interval` seconds (slowloris in reverse)."""

    def route(conn: socket.socket) -> None:
        for start in range(0, len(data), chunk):
            conn.sendall(data[start : start + chunk])
            time.sleep(interval)

    return route


def gzip_layers(payload: bytes, layers: int) -> bytes:
    """`payload` gzipped `layers` times (each layer shrinks a run of zeros ~1000x)."""
    for _ in range(layers):
        payload = gzip.compress(payload, compresslevel=9)
    return payload


class HostileServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._routes: dict[str, Route] = {}
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.requests: list[str] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Route) -> str:
        self._routes[path] = handler
        return self.url(path)

    def routes(self, pairs: Iterable[tuple[str, Route]]) -> None:
        for path, handler in pairs:
            self.route(path, handler)

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.add(conn)
        try:
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            line = request.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(line)
            parts = line.split(" ")
            path = parts[1] if len(parts) > 1 else "/"
            handler = self._routes.get(path.split("?", 1)[0]) or respond(404, {}, b"not found")
            handler(conn)
        except OSError:
            pass  # the client gave up (timeouts are what the tests are about) or we stopped
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def start(self) -> HostileServer:
        threading.Thread(target=self._accept, daemon=True, name=f"hostile-{self.port}").start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for conn in list(self._open):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LateServer:
    """A port held bound but not listening (every connection refused) for `delay` seconds, then
    answering each request with `response` (raw bytes): a service that restarts or comes up late.
    `answered` counts the requests served."""

    def __init__(self, delay: float, response: bytes):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.answered = 0
        self._delay, self._response = delay, response
        threading.Thread(target=self._serve, daemon=True, name=f"late-{self.port}").start()

    def _serve(self) -> None:
        time.sleep(self._delay)
        try:
            self._sock.listen()
        except OSError:
            return  # closed before it came up
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        break
                    request += data
                # Counted before sending: the client may read the answer before this thread
                # runs again (seen on a loaded machine).
                self.answered += 1
                with contextlib.suppress(OSError):
                    conn.sendall(self._response)

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> LateServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
