"""Fixture warehouses for the dashboard tests (built by `dashboard_fixture`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEEDS_DIR
from tests.dashboards.dashboard_fixture import build_fixture_warehouse


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh-empty") / "warehouse.duckdb",
                                   empty=True)


@pytest.fixture(scope="session")
def pipeline_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse loaded by the real pipeline: the five seeds parsed and loaded."""
    from transform import parse_document
    from warehouse.load import load_documents

    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    docs = [parse_document(p.read_bytes(), url=f"http://demo.example/{p.stem}.html",
                           source_site="demo") for p in seeds]
    db = tmp_path_factory.mktemp("wh-pipeline") / "warehouse.duckdb"
    load_documents(db, docs, run_id="r-seeds")
    return db
