"""A small, realistic warehouse for the dashboard tests, with the issue-5 mart contract.

Five regions' plans over 2021-2026, an amended document (two versions), three harvest runs
over two sites, validation results with failures, quarantined pages, and a hostile document
whose title carries `<script>` and whose task text tries to close the inline JSON script.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import SQL_DIR

# The marts exactly as the warehouse contract (issue 5) names them, typed as warehouse/schema.py
# types them; kept here so the dashboard is tested against the contract, not the loader's DDL.
DDL: dict[str, str] = {
    "dim_document": """document_key BIGINT, url VARCHAR, source_site VARCHAR, title VARCHAR,
        doc_type VARCHAR, issuer VARCHAR, region_key BIGINT, publish_date DATE,
        document_date DATE, period_start_year INTEGER, period_end_year INTEGER,
        original_script VARCHAR, quality_flags VARCHAR[], content_hash VARCHAR,
        version INTEGER, valid_from TIMESTAMP, valid_to TIMESTAMP, is_current BOOLEAN""",
    "dim_region": "region_key BIGINT, name VARCHAR, admin_level VARCHAR, parent_region_key BIGINT",
    "dim_agency": """agency_key BIGINT, name VARCHAR, canonical_name VARCHAR, is_generic BOOLEAN,
        level VARCHAR, kind VARCHAR, region_key BIGINT, agency_name VARCHAR, unplaced BOOLEAN""",
    "dim_date": "date_key INTEGER, date DATE, year INTEGER, quarter INTEGER, month INTEGER",
    "dim_theme": "theme_key BIGINT, name VARCHAR",
    "fact_task": """task_key BIGINT, document_key BIGINT, node_id VARCHAR, parent_node_id VARCHAR,
        level INTEGER, label VARCHAR, number INTEGER, heading VARCHAR, text VARCHAR,
        char_count INTEGER, region_key BIGINT, publish_date_key INTEGER,
        period_start_year INTEGER, period_end_year INTEGER""",
    "bridge_task_agency": """task_key BIGINT, clause_no INTEGER, agency_key BIGINT, role VARCHAR,
        written_name VARCHAR""",
    "bridge_task_theme": "task_key BIGINT, theme_key BIGINT",
    "fact_target": """task_key BIGINT, kind VARCHAR, value DOUBLE, unit VARCHAR,
        deadline_year INTEGER, text VARCHAR""",
    "quarantine": """source VARCHAR, url VARCHAR, reason VARCHAR, detail VARCHAR,
        first_seen TIMESTAMP, last_seen TIMESTAMP""",
    "run_log": """run_id VARCHAR, site VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
        pages_fetched BIGINT, new_docs BIGINT, changed_docs BIGINT, not_modified BIGINT,
        failed BIGINT, blocked BIGINT, out_of_scope BIGINT, quarantined BIGINT, status VARCHAR""",
    "dq_result": """run_id VARCHAR, run_at TIMESTAMP, suite VARCHAR, expectation VARCHAR,
        table_or_batch VARCHAR, success BOOLEAN, observed VARCHAR, element_count BIGINT,
        unexpected_count BIGINT""",
}

HOSTILE_TITLE = "关于<script>alert(1)</script>的法治建设工作方案"
HOSTILE_TASK_TEXT = '推进依法行政</script><script>alert("task")</script>'
TODAY = dt.date(2025, 6, 1)  # "this year" for the tests: 2025

REGIONS = [
    (1, "湖南省", "province", None),
    (2, "湘潭市", "city", 1),
    (3, "长沙市岳麓区", "district", 1),
    (4, "盐城经济技术开发区", "district", None),
    (5, "仁和镇", "town", None),
]
AGENCIES = [
    (1, "市司法局", "市司法局", False, "city", "government_department"),
    (2, "市委依法治市办", "市委全面依法治市委员会办公室", False, "city", "party_committee"),
    (3, "市法院", "市中级人民法院", False, "city", "court"),
    (4, "市公安局", "市公安局", False, "city", "government_department"),
    (5, "各有关部门", "各有关部门", True, "unknown", "other"),
    (6, "区司法局", "区司法局", False, "district", "government_department"),
]
THEMES = [(1, "依法行政"), (2, "法治宣传"), (3, "基层治理"), (4, "营商环境")]

# (key, url, site, title, type, issuer, region, published, period, flags, version, current)
DOCUMENTS: list[tuple[Any, ...]] = [
    (101, "http://www.xiangtan.gov.cn/plan-2021.html", "xiangtan",
     "湘潭市法治政府建设实施方案（2021—2025年）",
     "implementation_plan", "湘潭市人民政府", 2, dt.date(2021, 9, 3), (2021, 2025), [], 1, True),
    (102, "http://www.yancheng.gov.cn/edz-2023.html", "yancheng",
     "盐城经济技术开发区2023年法治建设工作计划",
     "work_plan", "盐城经开区管委会", 4, dt.date(2023, 3, 15), (2023, 2023),
     ["pinyin_mixed"], 1, True),
    (103, "http://www.renhe.gov.cn/points-2022.html", "renhe",
     "仁和镇2022年法治建设工作要点",
     "work_points", "仁和镇人民政府", 5, dt.date(2022, 2, 20), (2022, 2022), [], 1, True),
    (104, "http://www.xiangtan.gov.cn/plan-2024.html", "xiangtan",
     "湘潭市2024年法治建设工作要点（修订前）",
     "work_points", "湘潭市人民政府", 2, dt.date(2024, 1, 10), (2024, 2025), [], 1, False),
    (105, "http://www.xiangtan.gov.cn/plan-2024.html", "xiangtan",
     "湘潭市2024年法治建设工作要点",
     "work_points", "湘潭市人民政府", 2, dt.date(2024, 1, 10), (2024, 2025), ["redacted"], 2, True),
    (106, "javascript:alert(2)", "yuelu",
     HOSTILE_TITLE,
     "work_plan", "岳麓区司法局", 3, dt.date(2025, 4, 2), (2025, 2025), ["title_markup"], 1, True),
    (107, "http://www.yuelu.gov.cn/summary-2024.html", "yuelu",
     "岳麓区2024年法治建设工作總結",
     "summary", "岳麓区人民政府", 3, dt.date(2025, 1, 8), None,
     ["traditional_script", "redacted"], 1, True),
]

# Per document: (node_id, parent, level, label, number, heading, agencies[(key, role)],
#   themes[theme_key], targets[(kind, value, unit, deadline_year, text)])
_TASKS: list[tuple[Any, ...]] = [
    ("n1", None, 1, "一", 1, "深入推进依法行政", [(2, "lead")], [1], []),
    ("n1.1", "n1", 2, "1", 1, "健全重大行政决策程序制度", [(1, "lead"), (4, "participant")], [1],
     [("percent", 100.0, "%", None, "100%")]),
    ("n1.2", "n1", 2, "2", 2, "全面推行行政执法公示制度", [(1, "lead"), (5, "participant")], [1, 4],
     [("deadline", None, None, 2025, "2025年底前")]),
    ("n2", None, 1, "二", 2, "加强法治宣传教育", [(2, "lead")], [2], []),
    ("n2.1", "n2", 2, "1", 1, "落实“谁执法谁普法”责任制", [(1, "lead"), (3, "participant")],
     [2, 3], [("count", 60.0, "学时", None, "不少于60学时")]),
    # A target without a year of its own beside its task's deadline: due with that deadline.
    ("n3", None, 1, "三", 3, "推进基层依法治理", [(6, "lead"), (4, "responsible")], [3],
     [("deadline", None, None, 2024, "2024年6月底前"), ("percent", 90.0, "%", None, "覆盖率90%")]),
]


def _tasks_for(doc_index: int, doc: tuple[Any, ...]) -> list[dict[str, Any]]:
    key, region = doc[0], doc[6]
    out = []
    for i, (node_id, parent, level, label, number, heading, _a, _t, _g) in enumerate(_TASKS):
        text = heading + "。各单位要按照职责分工抓好落实。"
        if doc[3] == HOSTILE_TITLE and node_id == "n1.1":
            text = HOSTILE_TASK_TEXT
        out.append({
            "task_key": key * 100 + i, "document_key": key, "node_id": node_id,
            "parent_node_id": parent, "level": level, "label": label, "number": number,
            "heading": heading, "text": text, "char_count": len(text), "region_key": region,
            "publish_date_key": int(doc[7].strftime("%Y%m%d")),
            "period_start_year": doc[8][0] if doc[8] else None,
            "period_end_year": doc[8][1] if doc[8] else None,
        })
    return out


def warehouse_rows(*, empty: bool = False) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {name: [] for name in DDL}
    if empty:
        return data
    data["dim_region"] = [dict(zip(("region_key", "name", "admin_level", "parent_region_key"), r,
                                   strict=True)) for r in REGIONS]
    data["dim_agency"] = [dict(zip(("agency_key", "name", "canonical_name", "is_generic", "level",
                                    "kind"), a, strict=True)) for a in AGENCIES]
    data["dim_theme"] = [{"theme_key": k, "name": n} for k, n in THEMES]
    dates = sorted({d[7] for d in DOCUMENTS})
    data["dim_date"] = [{"date_key": int(d.strftime("%Y%m%d")), "date": d, "year": d.year,
                         "quarter": (d.month - 1) // 3 + 1, "month": d.month} for d in dates]
    for i, d in enumerate(DOCUMENTS):
        key, url, site, title, dtype, issuer, region, pub, period, flags, version, current = d
        data["dim_document"].append({
            "document_key": key, "url": url, "source_site": site, "title": title,
            "doc_type": dtype, "issuer": issuer, "region_key": region, "publish_date": pub,
            "document_date": pub - dt.timedelta(days=3),
            "period_start_year": period[0] if period else None,
            "period_end_year": period[1] if period else None,
            "original_script": "traditional" if "traditional_script" in flags else "simplified",
            "quality_flags": flags, "content_hash": f"sha256:{key:064x}", "version": version,
            "valid_from": dt.datetime(pub.year, pub.month, pub.day, 2),
            "valid_to": None if current else dt.datetime(2024, 3, 1, 2), "is_current": current,
        })
        tasks = _tasks_for(i, d)
        data["fact_task"].extend(tasks)
        for task, spec in zip(tasks, _TASKS, strict=True):
            for clause, (agency, role) in enumerate(spec[6], start=1):
                name = next(a[1] for a in AGENCIES if a[0] == agency)
                data["bridge_task_agency"].append({
                    "task_key": task["task_key"], "clause_no": clause, "agency_key": agency,
                    "role": role, "written_name": name})
            for theme in spec[7]:
                data["bridge_task_theme"].append({"task_key": task["task_key"], "theme_key": theme})
            for kind, value, unit, year, text in spec[8]:
                data["fact_target"].append({
                    "task_key": task["task_key"], "kind": kind, "value": value, "unit": unit,
                    "deadline_year": year, "text": text})
    runs = [(f"r-202505{day}", dt.datetime(2025, 5, day, 2)) for day in (29, 30, 31)]
    for n, (run_id, started) in enumerate(runs):
        for site in ("xiangtan", "yuelu"):
            data["run_log"].append({
                "run_id": run_id, "site": site, "started_at": started,
                "finished_at": started + dt.timedelta(minutes=7), "pages_fetched": 40 + n,
                "new_docs": 3 - n, "changed_docs": n, "not_modified": 30 + n, "failed": n % 2,
                "blocked": 1 if site == "yuelu" else 0, "out_of_scope": 2, "quarantined": n,
                "status": "failed" if (n == 1 and site == "yuelu") else "ok"})
        for suite, expectations in (("documents", ("title_not_null", "publish_date_in_range",
                                                     "url_unique", "region_known")),
                                    ("fact_task", ("task_key_unique", "heading_not_empty"))):
            for e in expectations:
                ok = not ((e == "region_known" and n >= 1) or (e == "heading_not_empty" and n == 2))
                data["dq_result"].append({
                    "run_id": run_id, "run_at": started + dt.timedelta(minutes=8), "suite": suite,
                    "expectation": e, "table_or_batch": suite, "success": ok,
                    "observed": None if ok else "2 of 40 rows", "element_count": 40,
                    "unexpected_count": 0 if ok else 2})
    data["quarantine"] = [
        {"source": "gate", "url": "http://www.yuelu.gov.cn/bad-1.html", "reason": "no_body",
         "detail": "empty body after cleaning", "first_seen": dt.datetime(2025, 5, 30, 2),
         "last_seen": dt.datetime(2025, 5, 31, 2)},
        {"source": "gate", "url": "http://www.yuelu.gov.cn/bad-2.html", "reason": "no_body",
         "detail": "<b>markup</b> in detail", "first_seen": dt.datetime(2025, 5, 31, 2),
         "last_seen": dt.datetime(2025, 5, 31, 2)},
        {"source": "parse", "url": "http://www.xiangtan.gov.cn/x.pdf", "reason": "unreadable",
         "detail": "binary", "first_seen": dt.datetime(2025, 5, 31, 2),
         "last_seen": dt.datetime(2025, 5, 31, 2)},
    ]
    return data


# The views the dashboard reads, exactly as the warehouse defines them, with the macros they call.
# The lineage views (issue #28) read lineage tables this fixture does not have: the fixture
# stands in for them with LINEAGE_VIEWS_SQL, shaped as their contract says.
LINEAGE_VIEW_NAMES = ("v_plan_diff", "v_task_lineage", "v_localization", "v_dropped_tasks")
VIEW_SQL = (SQL_DIR / "00_raw" / "01_macros.sql",
            *sorted(p for p in (SQL_DIR / "30_views").glob("*.sql")
                    if p.stem not in LINEAGE_VIEW_NAMES))

HOSTILE_TASK = '<script>alert("lineage")</script>加强行政复议工作'
# The lineage views' contract (issue #28), with the rows of one district's series over
# 2022-2024 and a county plan copying its city's: a chain of three versions, the newest
# revised, its text hostile markup the page must escape.
LINEAGE_VIEWS_SQL = (
    """CREATE VIEW v_plan_diff AS
    SELECT series_key::BIGINT AS series_key, series_name::VARCHAR AS series_name,
           year::INTEGER AS year, prev_year::INTEGER AS prev_year, relation::VARCHAR AS relation,
           task_count::BIGINT AS task_count, headings::VARCHAR[] AS headings
    FROM (VALUES
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2023, 2022, 'carried_over', 9,
         ['深入学习宣传习近平法治思想', '优化法治化营商环境']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2023, 2022, 'revised', 2,
         ['持续深化“放管服”改革', '<b>加强</b>行政复议工作']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2023, 2022, 'new', 2,
         ['开展“八五”普法规划中期评估', '建设行政执法协调监督工作体系']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2023, 2022, 'dropped', 1,
         ['做好疫情防控法治保障']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2024, 2023, 'carried_over', 8,
         ['深入学习宣传习近平法治思想']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2024, 2023, 'revised', 3,
         ['持续优化法治化营商环境']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2024, 2023, 'new', 2, ['推进涉外法治工作']),
        (1, '湘潭市雨湖区 法治政府建设工作要点', 2024, 2023, 'dropped', 2, ['推进人民调解工作']),
        (2, '湘潭县 法治政府建设工作要点', 2024, NULL, 'new', 13, ['深化乡镇综合行政执法改革'])
    ) AS t(series_key, series_name, year, prev_year, relation, task_count, headings)""",
    f"""CREATE VIEW v_task_lineage AS
    SELECT task_key::BIGINT AS task_key, step::INTEGER AS step,
           ancestor_task_key::BIGINT AS ancestor_task_key, year::INTEGER AS year,
           heading::VARCHAR AS heading, text::VARCHAR AS text, relation::VARCHAR AS relation,
           score::DOUBLE AS score
    FROM (VALUES
        (903, 0, 903, 2024, '加强行政复议工作',
         '{HOSTILE_TASK}。贯彻落实新修订的行政复议法，发挥行政复议化解行政争议主渠道作用。',
         'revised', 0.81),
        (903, 1, 803, 2023, '加强行政复议工作',
         '加强行政复议工作。贯彻落实新修订的行政复议法，规范行政复议案件办理流程。',
         'revised', 0.84),
        (903, 2, 703, 2022, '加强行政复议工作',
         '加强行政复议工作。贯彻落实行政复议体制改革要求，规范行政复议案件办理流程。',
         NULL, NULL),
        (904, 0, 904, 2024, '推进涉外法治工作', '推进涉外法治工作。建立涉外企业法律服务联系点。',
         'new', NULL),
        (905, 0, 905, 2023, '开展行政执法案卷评查', '开展行政执法案卷评查。组织开展2023年度评查。',
         'carried_over', 0.97),
        (905, 1, 805, 2022, '开展行政执法案卷评查', '开展行政执法案卷评查。组织开展2022年度评查。',
         'new', NULL)
    ) AS t(task_key, step, ancestor_task_key, year, heading, text, relation, score)""",
    """CREATE VIEW v_localization AS
    SELECT document_key::BIGINT AS document_key, title::VARCHAR AS title,
           region_name::VARCHAR AS region_name, year::INTEGER AS year,
           parent_document_key::BIGINT AS parent_document_key,
           parent_title::VARCHAR AS parent_title, task_count::BIGINT AS task_count,
           copied_count::BIGINT AS copied_count, copied_share::DOUBLE AS copied_share,
           localized_headings::VARCHAR[] AS localized_headings
    FROM (VALUES
        (51, '湘潭县2024年法治政府建设工作要点', '湘潭县', 2024, 50,
         '湘潭市2024年法治政府建设工作要点', 13, 11, 11 / 13,
         ['深化“放管服”改革', '<i>深化</i>公共法律服务体系建设'])
    ) AS t(document_key, title, region_name, year, parent_document_key, parent_title,
           task_count, copied_count, copied_share, localized_headings)""",
)


def build_fixture_warehouse(path: Path, *, empty: bool = False, lineage: bool = True) -> Path:
    """Write the fixture warehouse: the contract's tables, filled with `warehouse_rows`, and
    the warehouse's views over them; with `lineage`, stand-ins for the lineage views."""
    con = duckdb.connect(str(path))
    try:
        for name, rows in warehouse_rows(empty=empty).items():
            columns = [c.split()[0] for c in DDL[name].replace("\n", " ").split(",")]
            con.execute(f"CREATE TABLE {name} ({DDL[name]})")
            if rows:
                marks = ", ".join("?" * len(columns))
                con.executemany(f"INSERT INTO {name} VALUES ({marks})",
                                [[r.get(c) for c in columns] for r in rows])
        for sql in VIEW_SQL:
            con.execute(sql.read_text(encoding="utf-8"))
        for view in LINEAGE_VIEWS_SQL if lineage and not empty else ():
            con.execute(view)
    finally:
        con.close()
    return path
