"""What one fetch hands on: the response as received (`Exchange`, what the archive keeps),
each attempt (`Attempt`, a fetch-log row) and the result the caller sees (`FetchResult`),
with the outcome names they use and the reasons a fetch stops early."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from transform.records import header_value

Outcome = Literal["ok", "not_modified", "retried", "failed", "blocked", "out_of_scope",
                  "too_large", "timeout"]
OUTCOMES: tuple[str, ...] = (
    "ok", "not_modified", "retried", "failed", "blocked", "out_of_scope", "too_large", "timeout",
)
# Why an archived body is incomplete: the size cap or the time budget (WARC-Truncated values).
Truncation = Literal["length", "time"]
RecordKind = Literal["list", "article", "attachment", "robots", "other"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Hop-by-hop framing that no longer describes a body once Content-Encoding is undone.
FRAMING_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP response as received on the wire (body still content-encoded)."""

    url: str
    method: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # wire bytes (still content-encoded), what the archive keeps
    fetched_at: dt.datetime
    kind: RecordKind
    truncated: Truncation | None = None
    request_headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""  # body after Content-Encoding; what digests describe
    referer: str | None = None

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)


@dataclass(frozen=True, slots=True)
class Attempt:
    url: str
    attempted_at: dt.datetime
    outcome: Outcome
    status: int | None
    attempt: int
    elapsed_ms: int
    detail: str


@dataclass(slots=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after same-host redirects
    outcome: Outcome
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""  # decompressed
    attempts: int = 0
    elapsed_ms: int = 0
    detail: str = ""
    fetched_at: dt.datetime | None = None
    redirects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)


class TooLarge(Exception):
    """The body passed the wire or the decompressed cap."""


class Refused(Exception):
    """A rule forbids the request: scope, robots.txt, redirects, an unknown encoding."""


class Unreachable(Exception):
    """The host's robots.txt is unreachable this run: nothing is requested from it."""


class BudgetSpent(Exception):
    """The response's time budget is spent."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
