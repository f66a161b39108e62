"""`govharvest validate` over a warehouse loaded by the real load path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.expectations.conftest import SEEDS, seed_document
from warehouse.load import load_documents

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, gx_dir: Path) -> Path:
    """Five seed documents loaded; the session's GX directory linked in as data/gx."""
    (tmp_path / "gx").symlink_to(gx_dir, target_is_directory=True)
    load_documents(tmp_path / "warehouse.duckdb",
                   [seed_document(n, site=f"site-{i % 2}") for i, n in enumerate(SEEDS)],
                   run_id="load-1")
    return tmp_path


def _dq(data_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_clean_warehouse_validates_and_records_history(data_dir: Path) -> None:
    result = runner.invoke(app, ["validate", "--data-dir", str(data_dir), "--no-reports"])
    assert result.exit_code == 0, result.output
    assert "no blocking check failed" in result.output
    suites = {s for (s,) in _dq(data_dir, "SELECT DISTINCT suite FROM dq_result")}
    assert {"documents", "dim_document", "fact_task", "bridge_task_agency"} <= suites
    # The documents suite re-ran over the 5 current documents, reported per site.
    rows = _dq(data_dir, "SELECT table_or_batch, element_count FROM dq_result "
                         "WHERE suite = 'documents' AND expectation = 'body_not_empty' "
                         "ORDER BY 1")
    assert rows == [("documents:site-0", 3), ("documents:site-1", 2)]


def test_a_duplicate_current_version_fails_the_run(data_dir: Path) -> None:
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute("INSERT INTO dim_document SELECT * REPLACE (document_key + 1 AS "
                    "document_key) FROM dim_document WHERE url LIKE '%001-yancheng%'")
    result = runner.invoke(app, ["validate", "--data-dir", str(data_dir), "--suite",
                                 "dim_document", "--no-reports"])
    assert result.exit_code == 1, result.output
    assert "one_current_version" in result.output
    assert "1 blocking check(s) failed" in result.output
    failed = _dq(data_dir, "SELECT suite, expectation, observed FROM dq_result "
                           "WHERE NOT success")
    assert failed == [("dim_document", "one_current_version", "1")]


def test_an_unknown_suite_is_a_usage_error(data_dir: Path) -> None:
    result = runner.invoke(app, ["validate", "--data-dir", str(data_dir), "--suite", "nope"])
    assert result.exit_code == 2
    assert "unknown suite(s) nope" in result.output
