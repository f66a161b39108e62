"""The dashboard's aggregates, computed in DuckDB over the fixture marts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dashboards import queries


@pytest.fixture()
def con(fixture_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(fixture_db), read_only=True)
    yield c
    c.close()


def test_counts_cover_current_versions_only(con: duckdb.DuckDBPyConnection) -> None:
    totals = queries.totals(con)
    assert totals["documents"] == 6  # 7 versions, one superseded
    assert totals["tasks"] == 6 * 6
    assert totals["quarantined"] == 3 and totals["runs"] == 3
    by_year = {(r["site"], r["year"]): r["documents"]
               for r in queries.documents_by_site_year(con)}
    assert by_year[("xiangtan", 2024)] == 1
    assert sum(by_year.values()) == 6


def test_documents_by_region_busiest_first(con: duckdb.DuckDBPyConnection) -> None:
    regions = queries.documents_by_region(con)
    assert regions[0] == {"region": "湘潭市", "documents": 2}
    assert {r["region"] for r in regions} >= {"仁和镇", "长沙市岳麓区"}


def test_last_run_is_the_latest_started(con: duckdb.DuckDBPyConnection) -> None:
    last = queries.last_run(con)
    assert {r["run_id"] for r in last} == {"r-20250531"}
    assert [r["site"] for r in last] == ["xiangtan", "yuelu"]
    assert sum(r["quarantined"] for r in last) == 4
    timeline = queries.run_timeline(con)
    assert [r["run_id"] for r in timeline] == ["r-20250529", "r-20250530", "r-20250531"]
    assert timeline[0]["new_docs"] == 6 and timeline[0]["sites"] == 2


def test_theme_trend_counts_tasks_per_document_year(con: duckdb.DuckDBPyConnection) -> None:
    trend = {(r["year"], r["theme"]): r["tasks"] for r in queries.theme_trend(con)}
    # 2025 has two current documents (106, 107), each with three 依法行政 tasks.
    assert trend[(2025, "依法行政")] == 6
    assert trend[(2024, "营商环境")] == 1  # the superseded 2024 version is not counted


def test_themes_beyond_the_top_sum_as_other_so_a_years_stack_keeps_its_height(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Each stacked segment is a theme's task count from v_theme_trend, "other" their sum:
    a task tagged with two minor themes (n2.1: 法治宣传 and 基层治理) counts in both, so the
    height of a year's stack does not depend on how many themes are named."""
    def height(top: int) -> dict[int, int]:
        out: dict[int, int] = {}
        for r in queries.theme_trend(con, top=top):
            out[r["year"]] = out.get(r["year"], 0) + r["tasks"]
        return out

    assert height(1) == height(10)
    view = con.execute("SELECT sum(task_count) FROM v_theme_trend WHERE year = 2025").fetchall()
    assert height(1)[2025] == view[0][0] == 2 * 8  # two 2025 documents, eight theme tags each


def test_lead_agencies_exclude_generic_and_rank_busiest(con: duckdb.DuckDBPyConnection) -> None:
    by_year = queries.lead_agencies_by_year(con)
    agencies = list(dict.fromkeys(r["agency"] for r in by_year))
    assert agencies[0] == "市司法局"  # three lead tasks in every document
    assert "各有关部门" not in agencies
    assert sum(r["tasks"] for r in by_year if r["agency"] == "市司法局") == 18
    by_region = queries.lead_agencies_by_region(con, top=1)
    assert {r["agency"] for r in by_region} == {"市司法局"}
    assert sum(r["tasks"] for r in by_region) == 18


def test_targets_use_a_deadline_else_the_period_end(con: duckdb.DuckDBPyConnection) -> None:
    per_year = {(r["year"], r["kind"]): r["targets"] for r in queries.targets_by_year(con)}
    assert per_year[(2025, "deadline")] == 6  # "2025年底前" in every current document
    assert per_year[(2023, "percent")] == 1  # document 102's period ends in 2023
    due = queries.targets_due(con, 2025)
    assert {r["year"] for r in due} == {2025}
    assert len(due) == sum(v for (y, _), v in per_year.items() if y == 2025)
    assert all(r["lead_agencies"] == "市司法局" for r in due)
    assert queries.targets_due(con, 1999) == []


def test_targets_are_dated_as_v_targets_due_dates_them(con: duckdb.DuckDBPyConnection) -> None:
    """A target with no year of its own is due with its task's deadline (n3: 2024年6月底前),
    before the end of its plan period, in the chart and the due list as in the view."""
    per_year = {(r["year"], r["kind"]): r["targets"] for r in queries.targets_by_year(con)}
    assert per_year[(2024, "percent")] == 6  # n3's 90% in every current document
    view = con.execute("SELECT due_year, kind, count(*) FROM v_targets_due GROUP BY ALL")
    assert per_year == {(y, k): n for y, k, n in view.fetchall()}
    due = queries.targets_due(con, 2024)
    assert sorted(r["text"] for r in due) == ["2024年6月底前"] * 6 + ["覆盖率90%"] * 6
    # Lead and responsible agencies, as the view lists them.
    assert {r["lead_agencies"] for r in due} == {"区司法局、市公安局"}


def test_data_quality_pass_rates_and_top_failures(con: duckdb.DuckDBPyConnection) -> None:
    rates = {(r["run_id"], r["suite"]): r["pass_rate"] for r in queries.dq_pass_rate(con)}
    assert rates[("r-20250529", "documents")] == 100.0
    assert rates[("r-20250530", "documents")] == 75.0
    assert rates[("r-20250531", "fact_task")] == 50.0
    top = queries.dq_top_failures(con)
    assert [(r["expectation"], r["failures"]) for r in top] == [
        ("region_known", 2), ("heading_not_empty", 1)]
    assert top[0]["unexpected"] == 4


def test_document_index_joins_region_flags_and_task_counts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    docs = queries.document_index(con)
    assert [d["document_key"] for d in docs][:2] == [106, 107]  # newest first
    by_key = {d["document_key"]: d for d in docs}
    assert 104 not in by_key
    assert by_key[107]["flags"] == "traditional_script, redacted"
    assert by_key[105]["region"] == "湘潭市" and by_key[105]["tasks"] == 6


def test_missing_tables_are_reported(tmp_path: Path) -> None:
    c = duckdb.connect(str(tmp_path / "other.duckdb"))
    c.execute("CREATE TABLE dim_document (document_key BIGINT)")
    assert "fact_task" in queries.missing_tables(c)
    assert "dim_document" not in queries.missing_tables(c)
    c.close()
