"""Retry policy: which answers are worth another attempt and how long to wait first.

Connection errors and the statuses in `retry_statuses` (429 and 5xx by default) are
retried up to `max_retries` times, waiting `backoff_base` doubled per attempt (at most
`backoff_max`), or longer when the server says so in Retry-After; a server asking for more
than `retry_after_max` is not retried this run.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass

from extract.settings import HarvestSettings


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def backoff(settings: HarvestSettings, attempt: int) -> float:
    """The wait after failed attempt number `attempt` (1-based)."""
    return min(settings.backoff_max, settings.backoff_base * 2 ** (attempt - 1))


def may_retry(settings: HarvestSettings, attempt: int) -> bool:
    return attempt <= settings.max_retries


@dataclass(frozen=True, slots=True)
class StatusRetry:
    """What to do after a retryable status: wait `wait` seconds (None: give up, `note`
    says why); `asked` is the server's Retry-After, which holds the whole host back."""

    wait: float | None
    asked: float | None = None
    note: str = ""


def retryable(settings: HarvestSettings, status: int) -> bool:
    return status in settings.retry_statuses


def status_retry(settings: HarvestSettings, attempt: int,
                 retry_after: str | None) -> StatusRetry | None:
    """The retry after a retryable status, or None when the attempts are used up."""
    if not may_retry(settings, attempt):
        return None
    wait = backoff(settings, attempt)
    asked = parse_retry_after(retry_after)
    if asked is None:
        return StatusRetry(wait)
    if asked > settings.retry_after_max:
        return StatusRetry(None, None, f"; Retry-After {asked:.0f}s exceeds limit, giving up")
    return StatusRetry(max(wait, asked), asked)
