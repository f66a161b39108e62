"""Warehouse table suites: keys, relationships, versions and the row-count band."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from expectations.context import get_context
from expectations.suites.tables import SUITE_NAME, TABLE_NAMES, TABLES, checks
from expectations.tables import blocking_failures, validate_warehouse
from tests.expectations.warehouse_fixture import build_warehouse


def _checks(gx_dir: Path) -> int:
    """Stored validation results of the table checks."""
    store = get_context(gx_dir).validation_results_store
    return sum(key.expectation_suite_identifier.name == SUITE_NAME for key in store.list_keys())


def failures(results: pl.DataFrame) -> set[tuple[str, str, str | None, int]]:
    return {(r["suite"], r["expectation"], r["observed"], r["unexpected_count"])
            for r in results.filter(~pl.col("success")).to_dicts()}


def test_a_consistent_warehouse_passes_every_table_suite(tmp_path: Path, gx_dir: Path) -> None:
    db = build_warehouse(tmp_path / "w.duckdb")
    results = validate_warehouse(db, run_id="r1", gx_dir=gx_dir)
    assert failures(results) == set()
    assert set(results["suite"]) == set(TABLE_NAMES)
    doc = results.filter((pl.col("suite") == "dim_document")
                         & (pl.col("expectation") == "row_count_within_band"))
    assert doc.select("observed", "element_count").row(0) == ("2", 3)  # 2 current of 3 rows
    assert set(results.columns) == {"run_id", "run_at", "suite", "expectation",
                                    "table_or_batch", "success", "observed", "element_count",
                                    "unexpected_count"}


def test_every_table_is_checked_in_one_validation(tmp_path: Path) -> None:
    gx_dir = tmp_path / "gx"
    db = build_warehouse(tmp_path / "w.duckdb")
    results = validate_warehouse(db, run_id="r1", gx_dir=gx_dir)
    assert _checks(gx_dir) == 1
    assert results.height == sum(1 + len(checks(spec)) for spec in TABLES)  # + table_exists
    assert [s.name for s in get_context(gx_dir).suites.all()] == [SUITE_NAME]


def test_per_table_suites_of_earlier_versions_are_retired(tmp_path: Path) -> None:
    import great_expectations as gx

    from expectations.context import PANDAS_SOURCE
    from expectations.validate import run_suite

    gx_dir = tmp_path / "gx"
    ctx = get_context(gx_dir)
    for name in ("fact_task", "dim_document"):  # as registered before 2026-12-06
        run_suite(ctx, gx.ExpectationSuite(name=name, expectations=[
            gx.expectations.ExpectColumnMaxToBeBetween(column="n", min_value=0, max_value=0)]),
            pd.DataFrame({"n": [0]}), run_id="r0")
    validate_warehouse(build_warehouse(tmp_path / "w.duckdb"), run_id="r1", gx_dir=gx_dir)
    assert [s.name for s in ctx.suites.all()] == [SUITE_NAME]
    assert [v.name for v in ctx.validation_definitions.all()] == [SUITE_NAME]
    assert [a.name for a in ctx.data_sources.get(PANDAS_SOURCE).assets] == [SUITE_NAME]


def test_checking_some_tables_keeps_the_one_suite(tmp_path: Path) -> None:
    gx_dir = tmp_path / "gx"
    db = build_warehouse(tmp_path / "w.duckdb")
    validate_warehouse(db, run_id="r1", gx_dir=gx_dir)
    some = validate_warehouse(db, run_id="r2", gx_dir=gx_dir, tables=("fact_task",))
    assert set(some["suite"]) == {"fact_task"}
    assert failures(some) == set()
    assert _checks(gx_dir) == 2


@pytest.mark.parametrize(("breakage", "expected"), [
    pytest.param("INSERT INTO fact_task (task_key, document_key) VALUES (NULL, 101)",
                 {("fact_task", "primary_key_not_null", "1", 1)}, id="missing-key"),
    pytest.param("INSERT INTO bridge_task_agency VALUES (1001, 1, 10, 'lead', 'x', 1)",
                 {("bridge_task_agency", "primary_key_unique", "2", 2)}, id="duplicate-key"),
    pytest.param("INSERT INTO bridge_task_agency VALUES (1001, 1, 99, 'lead', 'x', 3)",
                 {("bridge_task_agency", "foreign_keys_resolve(agency_key)", "1", 1)},
                 id="unknown-agency"),
    pytest.param("UPDATE fact_task SET publish_date_key = 20990101 WHERE task_key = 1002",
                 {("fact_task", "foreign_keys_resolve(publish_date_key)", "1", 1)},
                 id="date-key-missing"),
    pytest.param("DELETE FROM dim_document WHERE document_key = 102",
                 {("fact_task", "foreign_keys_resolve(document_key)", "1", 1)},
                 id="orphan-task"),
    pytest.param("UPDATE dim_document SET is_current = true WHERE document_key = 100",
                 {("dim_document", "one_current_version", "1", 1)},
                 id="duplicate-current-version"),
    pytest.param("UPDATE dim_document SET valid_to = valid_from WHERE document_key = 100",
                 {("dim_document", "valid_from_before_valid_to", "1", 1)}, id="empty-validity"),
    pytest.param("UPDATE fact_task_lineage SET relation = 'dropped' WHERE task_key = 1002",
                 {("fact_task_lineage", "accepted_values(relation)", "1", 1)},
                 id="unknown-lineage-relation"),
    pytest.param("INSERT INTO fact_task_lineage VALUES (1001, NULL, 'new', NULL, 'x')",
                 {("fact_task_lineage", "primary_key_unique", "2", 2)},
                 id="duplicate-new-lineage-row"),
    pytest.param("UPDATE fact_task_lineage SET match_task_key = 9 WHERE task_key = 1002",
                 {("fact_task_lineage", "foreign_keys_resolve(match_task_key)", "1", 1)},
                 id="lineage-to-unknown-task"),
    pytest.param("UPDATE dim_document SET series_key = 51 WHERE document_key = 102",
                 {("dim_document", "foreign_keys_resolve(series_key)", "1", 1)},
                 id="unknown-series"),
    pytest.param("DROP TABLE fact_target",
                 {("fact_target", "table_exists", "table missing", 1)}, id="missing-table"),
])
def test_each_breakage_fails_exactly_its_expectation(
    tmp_path: Path, gx_dir: Path, breakage: str, expected: set[tuple[str, str, str, int]]
) -> None:
    db = build_warehouse(tmp_path / "w.duckdb", breakage=breakage)
    results = validate_warehouse(db, run_id="broken", gx_dir=gx_dir)
    assert failures(results) == expected
    assert len(blocking_failures(results)) == len(expected)  # all of these block


def _record(db: Path, results: pl.DataFrame) -> None:
    with duckdb.connect(str(db)) as con:
        con.register("r", results.to_arrow())
        con.execute("INSERT INTO dq_result SELECT * FROM r")


def test_row_count_band_follows_the_previous_run_and_only_warns(
    tmp_path: Path, gx_dir: Path
) -> None:
    db = build_warehouse(tmp_path / "w.duckdb")
    _record(db, validate_warehouse(db, run_id="night-1", gx_dir=gx_dir))
    with duckdb.connect(str(db)) as con:
        # A broken site profile: most unit mentions vanish overnight (3 -> 1, below 0.5 x 3) ...
        con.execute("DELETE FROM bridge_task_agency WHERE task_key = 1001")
        # ... and a runaway theme list (2 -> 7, above 3 x 2); 2 -> 1 targets stays in band.
        con.execute("INSERT INTO dim_theme SELECT 40 + i, 'theme' || i FROM range(5) t(i)")
        con.execute("DELETE FROM fact_target WHERE task_key = 1001")
    results = validate_warehouse(db, run_id="night-2", gx_dir=gx_dir)
    assert failures(results) == {
        ("bridge_task_agency", "row_count_within_band", "1", 1),
        ("dim_theme", "row_count_within_band", "7", 1),
    }
    assert blocking_failures(results).is_empty()


def test_data_docs_name_the_table_and_check_that_failed(tmp_path: Path) -> None:
    from expectations.report import build_data_docs

    gx_dir = tmp_path / "gx"
    duplicate = "INSERT INTO bridge_task_agency VALUES (1001, 1, 10, 'lead', 'x', 1)"
    db = build_warehouse(tmp_path / "w.duckdb", breakage=duplicate)
    validate_warehouse(db, run_id="broken", gx_dir=gx_dir)
    docs = build_data_docs(gx_dir, tmp_path / "docs").parent
    [page] = (docs / "validations" / SUITE_NAME / "broken").rglob("*.html")
    html = page.read_text("utf-8")
    failing = html[html.index("Unexpected Value"):]  # the table of failing checks
    assert "bridge_task_agency" in failing and "primary_key_unique" in failing
    assert "fact_task" not in failing  # only the check that failed is listed
