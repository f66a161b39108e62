"""Acceptance: the five seeds, parsed by transform.parse_document and loaded, give the
row counts their annotations (tests/fixtures/expected) state."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SEED_NAMES, SEEDS_DIR, expected
from tests.warehouse.helpers import query, scalar
from transform import parse_document
from warehouse.load import LoadStats, load_documents


def _url(name: str) -> str:
    return f"https://seeds.test/{name}.html"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeds") / "warehouse.duckdb"
    docs = [parse_document(SEEDS_DIR / f"{name}.txt", url=_url(name)) for name in SEED_NAMES]
    assert load_documents(path, docs, run_id="seeds") == LoadStats(new=5)
    return path


@pytest.mark.parametrize("name", SEED_NAMES)
def test_sections_and_items_match_the_annotations(db: Path, name: str) -> None:
    exp = expected(name)
    counts = dict(query(db, """
        SELECT t.level, count(*) FROM fact_task t JOIN dim_document d USING (document_key)
        WHERE d.url = ? AND t.level IN (1, 2) GROUP BY t.level""", [_url(name)]))
    assert counts.get(1, 0) == exp["counts"]["level1"]
    assert counts.get(2, 0) == exp["counts"]["level2"]
    headings = [r[0] for r in query(db, """
        SELECT t.heading FROM fact_task t JOIN dim_document d USING (document_key)
        WHERE d.url = ? AND t.level = 1 ORDER BY t.node_ordinal""", [_url(name)])]
    assert headings == [s["heading"] for s in exp["level1"]]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_unit_mentions_per_role_match_the_annotations(db: Path, name: str) -> None:
    exp = expected(name)
    want: Counter[str] = Counter()
    for clause in exp["unit_clauses"]:
        want[clause["role"]] += len(clause["units"])
    got = dict(query(db, """
        SELECT b.role, count(*) FROM bridge_task_agency b
        JOIN fact_task t USING (task_key) JOIN dim_document d USING (document_key)
        WHERE d.url = ? GROUP BY b.role""", [_url(name)]))
    assert got == dict(want)
    assert sum(got.values()) == exp["counts"]["unit_mentions"]


def test_annotated_aliases_are_one_agency(db: Path) -> None:
    for name in SEED_NAMES:
        for alias, canonical in (expected(name).get("unit_aliases") or {}).items():
            keys = query(db, """
                SELECT DISTINCT agency_key FROM bridge_task_agency
                WHERE written_name IN (?, ?)""", [alias, canonical])
            assert len(keys) <= 1, (alias, canonical)
            assert scalar(db, "SELECT count(*) FROM dim_agency WHERE canonical_name = ?",
                          [alias]) == 0, alias
    assert scalar(db, "SELECT count(*) FROM dim_agency WHERE canonical_name = '市国家安全局'") == 1
    assert scalar(db, "SELECT count(*) FROM dim_agency WHERE canonical_name = '综合治理办'") == 1
    assert scalar(db, "SELECT count(*) FROM dim_agency WHERE canonical_name = '综和治理办'") == 0


def test_documents_resolve_their_regions(db: Path) -> None:
    rows = dict(query(db, """
        SELECT d.url, r.path FROM dim_document d JOIN dim_region r USING (region_key)"""))
    assert rows[_url("002-renhe-town-2022-points")] == "广东省/广州市/白云区/人和镇"
    assert rows[_url("004-xiangtan-2021-2025-plan")] == "湖南省/湘潭市"
    assert rows[_url("003-xigang-summary-traditional")] == "辽宁省/大连市/西岗区"
    assert rows[_url("001-yancheng-edz-2023-plan")] == "江苏省/盐城市/盐城经济技术开发区"


def test_each_view_returns_sensible_rows(db: Path) -> None:
    top = query(db, """
        SELECT agency_name, sum(task_count) AS lead_tasks FROM v_agency_tasks_by_year
        WHERE region_name = '湘潭市' AND role = 'lead' GROUP BY agency_name
        ORDER BY lead_tasks DESC, agency_name LIMIT 1""")
    assert top and top[0][1] > 1
    lead_mentions = scalar(db, """
        SELECT sum(mention_count) FROM v_agency_tasks_by_year
        WHERE region_name = '湘潭市' AND role = 'lead'""")
    assert lead_mentions == 122
    themes = query(db, "SELECT theme, year, task_count FROM v_theme_trend")
    assert themes and all(count >= 1 for _, _, count in themes)
    due = query(db, "SELECT due_year, kind FROM v_targets_due")
    assert all(2000 <= year <= 2035 for year, _ in due)
    changes = query(db, "SELECT change_kind, count(*) FROM v_document_changes GROUP BY 1")
    assert changes == [("added", 5)]
