"""Reading a response body under caps: wire bytes (`max_body_bytes`), bytes after
Content-Encoding (`max_decompressed_bytes`, the gzip-bomb guard) and a total time budget
(`max_response_seconds`), so neither a huge, an explosive nor a dripping body can hold a
worker. What arrived stays readable (`CappedBody.wire`) for the archive when a cap stops it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import requests
import urllib3.exceptions

from extract.exchange import BudgetSpent, Refused, TooLarge

CHUNK = 64 * 1024


class Decompressor:
    """Incremental gzip/deflate decoding with an output cap (zip-bomb guard)."""

    def __init__(self, encoding: str | None, cap: int) -> None:
        enc = (encoding or "identity").strip().lower()
        if enc in ("gzip", "x-gzip"):
            self._obj: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._obj = zlib.decompressobj()
        elif enc in ("identity", ""):
            self._obj = None
        else:
            raise Refused(f"unsupported Content-Encoding {encoding!r}")
        self._deflate_raw_tried = enc != "deflate"
        self._cap = cap
        self.out = bytearray()

    def feed(self, data: bytes) -> None:
        if self._obj is None:
            self.out += data
        else:
            while data:
                try:
                    piece = self._obj.decompress(data, self._cap - len(self.out) + 1)
                except zlib.error:
                    if self._deflate_raw_tried or self.out:
                        raise
                    # Some servers send raw deflate without the zlib header.
                    self._deflate_raw_tried = True
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                self.out += piece
                if len(self.out) > self._cap:
                    break
                data = self._obj.unconsumed_tail
        if len(self.out) > self._cap:
            raise TooLarge(f"decompressed body exceeds {self._cap} bytes")


class CappedBody:
    """The wire bytes as they arrive and their decoded content, both capped."""

    def __init__(self, encoding: str | None, max_wire: int, max_content: int) -> None:
        self.wire = bytearray()
        self._cap = max_wire
        self._decoder = Decompressor(encoding, max_content)

    def feed(self, chunk: bytes) -> None:
        self.wire += chunk
        if len(self.wire) > self._cap:
            raise TooLarge(f"body exceeds {self._cap} bytes")
        self._decoder.feed(chunk)

    @property
    def content(self) -> bytes:
        return bytes(self._decoder.out)


def body_chunks(response: requests.Response, deadline: float, read_timeout: float,
                budget: float, clock: Callable[[], float]) -> Iterator[bytes]:
    """The wire body as it arrives, until `deadline`: each read takes what one receive
    brings (a full-size read would wait for all of it) and waits at most the read
    timeout or what is left of the budget, whichever is shorter."""
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    while True:
        left = deadline - clock()
        if left <= 0:
            raise BudgetSpent(f"response not complete within {budget:g} s")
        if sock is not None:
            sock.settimeout(min(read_timeout, left))
        try:
            chunk = raw.read1(CHUNK, decode_content=False)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
            if clock() >= deadline:
                raise BudgetSpent(f"response not complete within {budget:g} s") from exc
            raise
        if not chunk:
            return
        yield chunk
