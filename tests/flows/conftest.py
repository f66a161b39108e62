"""Flow tests run against a throwaway Prefect API and the offline demo site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def demo_site() -> Iterator[object]:
    from demo import DemoSite

    with DemoSite(host="127.0.0.1", port=0) as site:
        yield site
