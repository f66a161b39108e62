"""Settings: one set of defaults, layered default < family < profile < call argument."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extract.settings import USER_AGENT, HarvestSettings, resolve_settings


def test_defaults_are_polite() -> None:
    s = HarvestSettings()
    assert s.delay == 1.0
    assert s.concurrency_per_host == 1
    assert s.max_body_bytes == 10 * 1024 * 1024
    assert s.respect_robots
    assert s.user_agent == USER_AGENT
    assert "rule-of-law research" in USER_AGENT
    assert 429 in s.retry_statuses and 503 in s.retry_statuses


def test_later_layers_win_and_none_means_unset() -> None:
    family = {"delay": 3.0, "max_retries": 5}
    profile = {"delay": 2.0}
    call = {"delay": None, "max_pages": 7}
    s = resolve_settings(family, profile, call)
    assert s.delay == 2.0  # profile beats family; None in the call does not mask it
    assert s.max_retries == 5  # family survives where nobody overrides it
    assert s.max_pages == 7
    assert resolve_settings(family, profile, {"delay": 0}).delay == 0  # 0 is a real value


def test_unknown_or_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValidationError):
        resolve_settings({"delai": 1})
    with pytest.raises(ValidationError):
        resolve_settings({"delay": -1})
