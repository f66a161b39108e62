"""Fixtures for extract tests: a live demo site on a random loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from extract.demosite import DemoSite


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    """One shared server; tests that change its revision start their own."""
    with DemoSite(slow_seconds=0.3) as site:
        yield site
