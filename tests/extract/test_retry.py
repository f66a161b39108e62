"""Retry policy: Retry-After parsing and the wait after a retryable status."""

from __future__ import annotations

import datetime as dt

import pytest

from extract.retry import parse_retry_after, status_retry
from extract.settings import HarvestSettings


def test_retry_after_parsing() -> None:
    now = dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now) == pytest.approx(30)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_retry_waits_for_the_longer_of_backoff_and_retry_after_and_gives_up_past_the_limit(
) -> None:
    settings = HarvestSettings(backoff_base=1, backoff_max=60, max_retries=2, retry_after_max=30)
    first = status_retry(settings, 1, None)
    assert first is not None and first.wait == 1 and first.asked is None
    asked = status_retry(settings, 2, "10")
    assert asked is not None and asked.wait == 10 and asked.asked == 10
    too_long = status_retry(settings, 1, "31")
    assert too_long is not None and too_long.wait is None and "exceeds limit" in too_long.note
    assert status_retry(settings, 3, None) is None  # attempts used up
