"""Response bodies: at most a cap, on the wire and after decoding.

Body. At most `Settings.max_body_bytes` (`too_large`), counted both on the wire and after
Content-Encoding decoding, which is done here, bounded as it streams (zlib `max_length`): one
coding (gzip or deflate) at most. Stacked codings (`gzip, gzip`) are refused `encoding:stacked`
and codings Vigie cannot decode (`br`, `zstd`, `compress`) `encoding:unsupported`; unknown
tokens count as identity, as httpx and browsers treat them.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

import httpx

# Content codings decoded here (one at most), and codings known but not decodable here.
CONTENT_CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
UNDECODABLE_CODINGS = frozenset(
    {"br", "zstd", "compress", "x-compress", "pack200-gzip", "exi", "aes128gcm", "dcb", "dcz"}
)


class AttemptFailed(Exception):
    """A failed attempt at a request: `reason`, and whether trying again may help."""

    def __init__(self, reason: str, retryable: bool, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.wait = wait


def content_coding(headers: httpx.Headers) -> str | None:
    """The one content coding to undo ("gzip", "deflate") or None; raises AttemptFailed for
    stacked or undecodable codings. `identity`, empty and unknown tokens are no coding (httpx and
    browsers ignore them too)."""
    codings: list[str] = []
    for value in headers.get_list("content-encoding"):
        for token in value.split(","):
            token = token.strip().lower()
            if token in CONTENT_CODINGS:
                codings.append(CONTENT_CODINGS[token])
            elif token in UNDECODABLE_CODINGS:
                raise AttemptFailed("encoding:unsupported", retryable=False)
    if len(codings) > 1:  # each layer multiplies: 18 KB of gzip, gzip reaches 20 GB
        raise AttemptFailed("encoding:stacked", retryable=False)
    return codings[0] if codings else None


class BoundedDecoder:
    """Undo one content coding as the body streams, never producing more than asked for: zlib's
    `max_length` stops inflating at the limit, so a bomb costs the cap, not its expansion."""

    def __init__(self, coding: str | None):
        self.coding = coding
        # gzip: wbits 16+15; deflate: the zlib wrapper first, raw deflate if that fails at once
        # (servers send both under "deflate", as httpx accepts).
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS)
        self._first = True
        self._ended = False

    def decode(self, data: bytes, limit: int) -> bytes:
        """The decoded bytes of `data`, at most `limit` (> 0): reaching it means over the cap."""
        if self.coding is None:
            return data
        out = bytearray()
        while data and not self._ended and len(out) < limit:
            first, self._first = self._first, False
            try:
                out += self._inflate.decompress(data, limit - len(out))  # max_length > 0: bounded
            except zlib.error:
                if first and self.coding == "deflate":
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            if self._inflate.eof:
                self._ended = True  # bytes after the end of the stream are ignored, as httpx does
            data = self._inflate.unconsumed_tail
        return bytes(out)

    def flush(self, limit: int) -> bytes:
        if self.coding is None or self._ended:
            return b""
        return self._inflate.flush(limit)


@dataclass(frozen=True)
class BodyReader:
    """How a response body is read: at most `cap` bytes on the wire and after decoding."""

    cap: int
    truncate: bool = False  # keep the first `cap` bytes of a longer body instead of refusing it

    def _over(self, body: bytearray) -> bool:
        if not self.truncate:
            raise AttemptFailed("too_large", retryable=False)  # stop reading at the cap
        del body[self.cap :]
        return True

    def read(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.cap and not self.truncate:
            raise AttemptFailed("too_large", retryable=False)
        decoder = BoundedDecoder(content_coding(response.headers))
        body = bytearray()
        wire = 0
        # Raw bytes, decoded here: httpx's decoders inflate a whole network read at once, and
        # every layer of a stacked coding in turn (a 1.8 KB response grew to 2 GB).
        for raw in response.iter_raw():
            wire += len(raw)
            body += decoder.decode(raw, self.cap - len(body) + 1)
            if (len(body) > self.cap or wire > self.cap) and self._over(body):
                return bytes(body)
            if time.monotonic() > deadline:
                raise AttemptFailed("timeout", retryable=False)
        body += decoder.flush(self.cap - len(body) + 1)
        if len(body) > self.cap:
            self._over(body)
        return bytes(body)
