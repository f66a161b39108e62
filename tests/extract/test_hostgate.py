"""The per-host politeness gate: spacing between starts, Retry-After push-backs, and one gate
per host shared by every fetcher in the process (the strictest policy wins)."""

from __future__ import annotations

import itertools

import pytest

from extract.hostgate import HostGate
from extract.http import Fetcher
from extract.settings import HarvestSettings, resolve_settings


def fast(**overrides: float) -> HarvestSettings:
    return resolve_settings({"delay": 0, "backoff_base": 0, "read_timeout": 5}, overrides)


def test_per_host_spacing_uses_the_delay() -> None:
    ticks = itertools.count()
    now = [0.0]
    sleeps: list[float] = []

    def clock() -> float:
        next(ticks)
        return now[0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    gate = HostGate()
    gate.join(1, 1, 1.5)
    for _ in range(3):
        with gate.slot(clock, sleep):
            pass
    assert sleeps == [1.5, 1.5]  # first request at once, then one delay apart
    gate.push_back(10, clock)
    with gate.slot(clock, sleep):
        pass
    assert sleeps[-1] == pytest.approx(10)  # Retry-After holds back the whole host
    gate.join(2, 4, 3.0)  # a second site on the same host: the strictest policy wins
    assert (gate.limit, gate.delay) == (1, 3.0)
    assert not gate.leave(1) and (gate.limit, gate.delay) == (4, 3.0)
    assert gate.leave(2)


def test_fetchers_for_the_same_host_share_one_gate() -> None:
    a = Fetcher(fast(delay=2.0), ["h.example.gov.cn"])
    b = Fetcher(fast(delay=0.5), ["h.example.gov.cn"])
    gate = a._gate("http://h.example.gov.cn")
    assert b._gate("http://h.example.gov.cn") is gate and gate.delay == 2.0
    a.close()
    assert gate.delay == 0.5
    b.close()
    assert a._gate("http://h.example.gov.cn") is not gate  # released, then made afresh
    a.close()
