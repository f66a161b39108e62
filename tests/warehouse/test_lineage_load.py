"""Issue #28 in the warehouse: agencies as bodies of a place, plan series and task lineage
computed by the load (incrementally), the lineage views, and the rekeying migration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.warehouse.factories import lineage_documents, revised, sample_document
from tests.warehouse.helpers import query, table_checksums
from warehouse.db import connect, transaction, writer
from warehouse.lineage_load import rebuild_lineage
from warehouse.load import load_documents

LINEAGE_SQL = """
    SELECT t.heading, l.relation, m.heading, l.score, l.method
    FROM fact_task_lineage AS l
    JOIN fact_task AS t USING (task_key)
    LEFT JOIN fact_task AS m ON m.task_key = l.match_task_key
    ORDER BY ALL"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lineage") / "warehouse.duckdb"
    load_documents(path, list(lineage_documents().values()), run_id="r1",
                   loaded_at=dt.datetime(2024, 1, 1))
    return path


def _doc_key(db: Path, url_part: str) -> int:
    rows = query(db, "SELECT document_key FROM dim_document WHERE is_current AND url LIKE ?",
                 [f"%{url_part}%"])
    assert len(rows) == 1
    return int(rows[0][0])  # type: ignore[call-overload]


# ---------------------------------------------------------------- agencies


def test_mentions_resolve_to_the_bodies_of_their_plans_place(db: Path) -> None:
    rows = query(db, """
        SELECT a.name, a.agency_name, a.canonical_name, r.path, a.level, a.unplaced
        FROM dim_agency AS a LEFT JOIN dim_region AS r USING (region_key) ORDER BY ALL""")
    assert rows == [
        ("区司法局", "湘潭市雨湖区司法局", "区司法局", "湖南省/湘潭市/雨湖区", "district", False),
        ("市司法局", "湘潭市司法局", "市司法局", "湖南省/湘潭市", "city", False),
        ("省司法厅", "湖南省司法厅", "省司法厅", "湖南省", "province", False),
    ]
    # 市司法局 written in the city plan and in the district plan is one body
    bridge = query(db, """
        SELECT d.region_name, a.agency_name FROM bridge_task_agency AS b
        JOIN dim_agency AS a USING (agency_key) JOIN fact_task AS t USING (task_key)
        JOIN dim_document AS d USING (document_key)
        WHERE b.written_name = '市司法局' ORDER BY ALL""")
    assert bridge == [("湘潭市", "湘潭市司法局"), ("湘潭市雨湖区", "湘潭市司法局")]


def test_two_cities_bodies_are_two_rows_and_a_plan_without_region_is_unplaced(
        tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    nowhere = sample_document("https://t.test/none.html", year=2023)
    nowhere.region = None
    load_documents(db, [sample_document("https://t.test/xt.html", region="湘潭市"),
                        sample_document("https://t.test/zz.html", region="株洲市"), nowhere],
                   run_id="r1")
    rows = query(db, """
        SELECT agency_name, unplaced, region_key IS NULL FROM dim_agency
        WHERE canonical_name = '市司法局' ORDER BY ALL""")
    assert rows == [("市司法局", True, True), ("株洲市司法局", False, False),
                    ("湘潭市司法局", False, False)]
    by_body = query(db, """
        SELECT body_name, sum(task_count) FROM v_agency_tasks_by_year
        WHERE agency_name = '市司法局' AND role = 'lead' GROUP BY ALL ORDER BY ALL""")
    assert by_body == [("市司法局", 1), ("株洲市司法局", 1), ("湘潭市司法局", 1)]


# ---------------------------------------------------------------- series


def test_documents_of_one_issuer_form_a_series_with_predecessors(db: Path) -> None:
    series = query(db, """
        SELECT name, issuer, first_year, last_year, document_count FROM dim_plan_series
        ORDER BY name""")
    assert series == [("湘潭市司法局 work_points", "湘潭市司法局", 2022, 2022, 1),
                      ("雨湖区委依法治区办 work_points", "雨湖区委依法治区办", 2022, 2023, 2)]
    y2022, y2023 = _doc_key(db, "yuhu-2022"), _doc_key(db, "yuhu-2023")
    rows = dict(query(db, "SELECT document_key, predecessor_document_key FROM dim_document"))
    assert rows[y2023] == y2022 and rows[y2022] is None
    assert len({r[0] for r in query(db, "SELECT series_key FROM dim_document")}) == 2


def test_unplaced_plans_of_one_issuer_form_a_series_per_title(tmp_path: Path) -> None:
    # A site republishing towns' plans the gazetteer does not know: one series per town,
    # each following its own title from year to year, not one series of the whole site.
    db = tmp_path / "w.duckdb"
    docs = []
    for town, year in (("竹料镇", 2023), ("竹料镇", 2024), ("钟落镇", 2024)):
        doc = sample_document(f"https://t.test/{town}-{year}.html", year=year)
        doc.region, doc.issuer = None, "某区司法局"
        doc.title = f"{town}{year}年法治建设工作要点"
        docs.append(doc)
    load_documents(db, docs, run_id="r1")
    series = query(db, "SELECT name, document_count FROM dim_plan_series ORDER BY name")
    assert series == [("某区司法局 竹料镇YYYY年法治建设工作要点", 2),
                      ("某区司法局 钟落镇YYYY年法治建设工作要点", 1)]
    titles = dict(query(db, """
        SELECT d.title, p.title FROM dim_document AS d
        LEFT JOIN dim_document AS p ON p.document_key = d.predecessor_document_key"""))
    assert titles == {"竹料镇2023年法治建设工作要点": None,
                      "竹料镇2024年法治建设工作要点": "竹料镇2023年法治建设工作要点",
                      "钟落镇2024年法治建设工作要点": None}


def test_a_series_is_named_by_its_place_when_the_issuer_does_not_say_it(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    town = sample_document("https://t.test/renhe.html", region="广州市白云区人和镇")
    city = sample_document("https://t.test/xt.html", region="湘潭市")
    town.issuer = city.issuer = "湘潭市司法局"
    load_documents(db, [town, city], run_id="r1")
    names = [n for (n,) in query(db, "SELECT name FROM dim_plan_series ORDER BY name")]
    assert names == ["湘潭市司法局 work_points", "湘潭市司法局 人和镇 work_points"]


# ---------------------------------------------------------------- lineage


def test_load_computes_series_and_parent_lineage(db: Path) -> None:
    counts = query(db, "SELECT relation, method, count(*) FROM fact_task_lineage GROUP BY ALL "
                       "ORDER BY ALL")
    assert counts == [
        ("carried_over", "minhash+ratio", 4),
        ("copied_from_parent", "minhash+ratio:localized", 2),
        ("copied_from_parent", "minhash+ratio:verbatim", 4),
        ("new", "no_candidate", 1),
        ("new", "no_previous_plan", 35 + 8),  # the city's and the district's first plans
        ("revised", "minhash+ratio", 1),
    ]
    revised_rows = [r for r in query(db, LINEAGE_SQL) if r[1] == "revised"]
    assert revised_rows == [("健全法治雨湖建设推进机制", "revised", "健全法治雨湖建设推进机制",
                             pytest.approx(0.95, abs=0.03), "minhash+ratio")]


def test_plan_diff_lists_carried_revised_new_and_dropped(db: Path) -> None:
    rows = query(db, """
        SELECT relation, task_count, headings FROM v_plan_diff
        WHERE series_name LIKE '雨湖区%' AND year = 2023 AND prev_year = 2022 ORDER BY relation""")
    assert [(r[0], r[1]) for r in rows] == [("carried_over", 4), ("dropped", 3), ("new", 1),
                                            ("revised", 1)]
    assert rows[1][2] == ["严格规范公正文明执法", "构建一流法治化营商环境",
                          "开展雨湖区法律明白人培养工程试点,每个村社区培养三名以上"]
    assert rows[3][2] == ["健全法治雨湖建设推进机制"]
    first = query(db, "SELECT prev_year, relation, task_count FROM v_plan_diff "
                      "WHERE series_name LIKE '雨湖区%' AND year = 2022")
    assert first == [(None, "new", 8)]


def test_task_lineage_walks_back_through_the_series(db: Path) -> None:
    (task_key,) = query(db, """
        SELECT t.task_key FROM fact_task AS t JOIN dim_document AS d USING (document_key)
        WHERE d.url LIKE '%yuhu-2023%' AND t.heading = '健全法治雨湖建设推进机制'""")[0]
    rows = query(db, "SELECT step, year, relation, heading FROM v_task_lineage "
                     "WHERE task_key = ? ORDER BY step", [task_key])
    assert rows == [(0, 2023, "revised", "健全法治雨湖建设推进机制"),
                    (1, 2022, "new", "健全法治雨湖建设推进机制")]


def test_localization_measures_copies_from_the_parent_plan(db: Path) -> None:
    rows = query(db, """
        SELECT region_name, year, parent_title, task_count, copied_count, copied_share,
               localized_headings
        FROM v_localization ORDER BY title""")
    assert rows == [
        ("湘潭市", 2022, None, 35, 0, 0.0, []),
        ("雨湖区", 2022, "湘潭市2022年法治建设实施方案", 8, 6, 0.75,
         ["加强党对法治雨湖建设的集中统一领导", "健全法治雨湖建设推进机制"]),
        ("雨湖区", 2023, None, 6, 0, 0.0, []),  # no 2023 city plan to copy
    ]


def test_incremental_loads_equal_one_batch_and_a_rerun_writes_nothing(
        db: Path, tmp_path: Path) -> None:
    docs = lineage_documents()
    night = tmp_path / "night.duckdb"
    # the later district plan first, the city plan last: stored tasks must be updated
    for i, name in enumerate(("county_2023", "county_2022", "city_2022")):
        load_documents(night, [docs[name]], run_id=f"n{i}", loaded_at=dt.datetime(2024, 1, 1))
    assert query(night, LINEAGE_SQL) == query(db, LINEAGE_SQL)
    before = table_checksums(night)
    load_documents(night, list(docs.values()), run_id="again",
                   loaded_at=dt.datetime(2024, 2, 1))
    assert table_checksums(night) == before


def test_a_changed_document_replaces_its_old_versions_lineage(tmp_path: Path) -> None:
    docs = lineage_documents()
    path = tmp_path / "w.duckdb"
    load_documents(path, list(docs.values()), run_id="r1")
    load_documents(path, [revised(docs["county_2023"], "加强法治督察考核工作")], run_id="r2")
    stale = query(path, """
        SELECT count(*) FROM fact_task_lineage AS l JOIN fact_task AS t USING (task_key)
        JOIN dim_document AS d USING (document_key) WHERE NOT d.is_current""")
    assert stale == [(0,)]
    assert query(path, "SELECT relation, task_count FROM v_plan_diff WHERE year = 2023 "
                       "ORDER BY relation") == [("carried_over", 4), ("dropped", 3),
                                                ("new", 2), ("revised", 1)]


def test_rebuild_recomputes_the_table(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    load_documents(copy, list(lineage_documents().values()), run_id="r1")
    with writer(copy) as con, transaction(con):
        con.execute("DELETE FROM fact_task_lineage WHERE relation <> 'new'")
        con.execute("INSERT INTO fact_task_lineage VALUES (1, 2, 'revised', 0.5, 'stale')")
    with writer(copy) as con, transaction(con):
        rebuild_lineage(con)
    assert query(copy, LINEAGE_SQL) == query(db, LINEAGE_SQL)


# ---------------------------------------------------------------- migration

_V2_AGENCY_DDL = """
CREATE TABLE dim_agency (
    agency_key      BIGINT PRIMARY KEY,
    name            VARCHAR NOT NULL,
    canonical_name  VARCHAR NOT NULL UNIQUE,
    is_generic      BOOLEAN NOT NULL,
    level           VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL
)"""


def test_a_version_2_warehouse_is_rekeyed_in_place(tmp_path: Path) -> None:
    """Schema 2 keyed dim_agency by canonical_name alone (two cities' 市司法局 one row);
    opening it rekeys agencies to bodies and points the bridge at them: the same tables as
    a fresh load."""
    docs = [*lineage_documents().values(),
            sample_document("https://t.test/zz.html", region="株洲市")]
    fresh, old = tmp_path / "fresh.duckdb", tmp_path / "old.duckdb"
    load_documents(fresh, docs, run_id="r1", loaded_at=dt.datetime(2024, 1, 1))
    load_documents(old, docs, run_id="r1", loaded_at=dt.datetime(2024, 1, 1))
    con = connect(old)  # rewrite dim_agency and the bridge as schema 2 had them
    con.execute("CREATE TABLE _v2 AS SELECT gh_key(canonical_name) AS agency_key, "
                "min(name) AS name, canonical_name, bool_or(is_generic) AS is_generic, "
                "min(level) AS level, min(kind) AS kind FROM dim_agency GROUP BY canonical_name")
    con.execute("UPDATE bridge_task_agency SET agency_key = gh_key(a.canonical_name) "
                "FROM dim_agency AS a WHERE a.agency_key = bridge_task_agency.agency_key")
    con.execute("DROP TABLE dim_agency")
    con.execute(_V2_AGENCY_DDL)
    con.execute("INSERT INTO dim_agency SELECT * FROM _v2")
    con.execute("DROP TABLE _v2")
    con.execute("DELETE FROM warehouse_schema_version")
    con.execute("INSERT INTO warehouse_schema_version VALUES (2, 'v2', now()::timestamp)")
    assert con.execute("SELECT count(*) FROM dim_agency WHERE canonical_name = '市司法局'"
                       ).fetchall() == [(1,)]
    con.close()

    connect(old).close()  # migrates
    got, want = table_checksums(old), table_checksums(fresh)
    for table in ("dim_agency", "bridge_task_agency"):
        assert got[table] == want[table], table
    assert query(old, "SELECT agency_name FROM dim_agency WHERE canonical_name = '市司法局' "
                      "ORDER BY 1") == [("株洲市司法局",), ("湘潭市司法局",)]
    load_documents(old, [sample_document("https://t.test/xt2.html", year=2024)], run_id="r2")
    assert query(old, "SELECT count(*) FROM dim_agency WHERE agency_name = '湘潭市司法局'"
                 ) == [(1,)]


def test_the_loaded_lineage_tables_pass_the_warehouse_checks(db: Path, tmp_path: Path) -> None:
    from expectations.tables import validate_warehouse

    results = validate_warehouse(db, run_id="r1", gx_dir=tmp_path / "gx")
    checked = set(results.get_column("suite"))
    assert {"dim_plan_series", "fact_task_lineage", "dim_agency"} <= checked
    assert results.filter(~results.get_column("success")).is_empty()
