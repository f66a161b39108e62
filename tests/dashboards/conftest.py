"""Fixture warehouses for the dashboard tests (built by `dashboard_fixture`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_fixture import build_fixture_warehouse


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh-empty") / "warehouse.duckdb",
                                   empty=True)
