"""The documented views answer their questions on the annotated seeds and sample docs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.warehouse.factories import annotated_documents, revised, sample_document
from tests.warehouse.helpers import query
from warehouse.load import load_documents


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("views") / "warehouse.duckdb"
    docs = [*annotated_documents(),
            sample_document("https://t.test/2021.html", year=2021),
            sample_document("https://t.test/2023.html", year=2023, region="人和镇")]
    load_documents(path, docs, run_id="r1", loaded_at=dt.datetime(2024, 1, 1))
    load_documents(path, [revised(docs[-1])], run_id="r2", loaded_at=dt.datetime(2024, 6, 1))
    return path


def test_agency_tasks_by_year_counts_distinct_tasks_per_role(db: Path) -> None:
    rows = query(db, """
        SELECT region_name, role, task_count, mention_count FROM v_agency_tasks_by_year
        WHERE agency_name = '市司法局' AND year = 2021""")
    # In the 2021 sample document 市司法局 leads one item and is responsible for the same one.
    assert sorted(rows) == [("湘潭市", "lead", 1, 1), ("湘潭市", "responsible", 1, 1)]
    # 湘潭市 2021-2025 plan (published 2022): 122 lead mentions in 35 items.
    lead = query(db, """
        SELECT sum(mention_count) FROM v_agency_tasks_by_year
        WHERE region_name = '湘潭市' AND year = 2022 AND role = 'lead'""")
    assert lead == [(122,)]


def test_theme_trend_follows_themes_over_years(db: Path) -> None:
    rows = query(db, """
        SELECT year, task_count FROM v_theme_trend WHERE theme = '枫桥经验' ORDER BY year""")
    assert rows == [(2021, 2), (2023, 2)]


def test_targets_due_reports_deadlines_and_period_ends(db: Path) -> None:
    rows = query(db, """
        SELECT due_year, due_year_source, kind, target_text, lead_agencies FROM v_targets_due
        WHERE region_name = '湘潭市' ORDER BY kind""")
    assert rows == [
        (2021, "period", "count", "不少于60名", "区委政法委、各县市区政府"),
        (2021, "target", "deadline", "2021年底前", "市司法局"),
        (2021, "period", "percent", "100%", "市中级人民法院、市国家安全局"),
    ]


def test_document_changes_lists_each_version(db: Path) -> None:
    rows = query(db, """
        SELECT version, change_kind, task_count_delta, is_current FROM v_document_changes
        WHERE url = 'https://t.test/2023.html' ORDER BY version""")
    assert rows == [(1, "added", 6, False), (2, "revised", 1, True)]
    added = query(db, "SELECT count(*) FROM v_document_changes WHERE change_kind = 'added'")
    assert added == [(7,)]


def test_current_documents_count_tasks_and_targets_of_the_current_version(db: Path) -> None:
    rows = query(db, """
        SELECT year, region_name, task_count, target_count, version FROM v_current_documents
        WHERE url LIKE 'https://t.test/%' ORDER BY url""")
    # The revised 2023 document is its version 2 only: 7 tasks (v_document_changes: 6, +1).
    assert rows == [(2021, "湘潭市", 6, 3, 1), (2023, "人和镇", 7, 3, 2)]
    totals = query(db, "SELECT count(*), sum(task_count) FROM v_current_documents")
    assert totals == [(7, 28 + 22 + 30 + 8 + 46 + 6 + 7)]


def test_current_totals_sum_the_current_documents_and_count_each_agency_once(db: Path) -> None:
    assert query(db, "SELECT document_count, site_count, task_count, target_count "
                     "FROM v_current_totals") == [(7, 1, 147, 6)]
    agencies = query(db, "SELECT count(DISTINCT agency_key) FROM v_agency_tasks_by_year")
    assert query(db, "SELECT agency_count FROM v_current_totals") == agencies
    # One document a year names 市司法局 (the 2023 one in its current version only).
    per_year = query(db, """
        SELECT year, list(DISTINCT document_count) FROM v_agency_tasks_by_year
        WHERE agency_name = '市司法局' GROUP BY year ORDER BY year""")
    assert per_year == [(2021, [1]), (2022, [1]), (2023, [1])]
