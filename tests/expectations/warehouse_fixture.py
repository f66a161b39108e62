"""A tiny warehouse built with plain SQL (column names per issue 5 / warehouse/schema.py).

The table suites only read these tables, so tests do not depend on the load path.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

DDL = """
CREATE TABLE dim_region (region_key BIGINT, name VARCHAR, admin_level VARCHAR,
    parent_region_key BIGINT);
CREATE TABLE dim_agency (agency_key BIGINT, name VARCHAR, canonical_name VARCHAR,
    is_generic BOOLEAN, level VARCHAR, kind VARCHAR);
CREATE TABLE dim_date (date_key INTEGER, date DATE, year INTEGER, quarter INTEGER,
    month INTEGER);
CREATE TABLE dim_theme (theme_key BIGINT, name VARCHAR);
CREATE TABLE dim_document (document_key BIGINT, url VARCHAR, source_site VARCHAR,
    title VARCHAR, doc_type VARCHAR, issuer VARCHAR, region_key BIGINT, publish_date DATE,
    document_date DATE, period_start_year INTEGER, period_end_year INTEGER,
    original_script VARCHAR, quality_flags VARCHAR[], content_hash VARCHAR, version INTEGER,
    valid_from TIMESTAMP, valid_to TIMESTAMP, is_current BOOLEAN);
CREATE TABLE fact_task (task_key BIGINT, document_key BIGINT, node_id VARCHAR,
    parent_node_id VARCHAR, level INTEGER, label VARCHAR, number INTEGER, heading VARCHAR,
    text VARCHAR, char_count INTEGER, region_key BIGINT, publish_date_key INTEGER,
    period_start_year INTEGER, period_end_year INTEGER);
CREATE TABLE bridge_task_agency (task_key BIGINT, clause_no INTEGER, agency_key BIGINT,
    role VARCHAR, written_name VARCHAR, mention_no INTEGER);
CREATE TABLE bridge_task_theme (task_key BIGINT, theme_key BIGINT);
CREATE TABLE fact_target (task_key BIGINT, kind VARCHAR, value DOUBLE, unit VARCHAR,
    deadline_year INTEGER, text VARCHAR, target_no INTEGER);
CREATE TABLE dq_result (run_id VARCHAR, run_at TIMESTAMP, suite VARCHAR, expectation VARCHAR,
    table_or_batch VARCHAR, success BOOLEAN, observed VARCHAR, element_count BIGINT,
    unexpected_count BIGINT);
CREATE TABLE quarantine (source VARCHAR, url VARCHAR, reason VARCHAR, detail VARCHAR,
    first_seen TIMESTAMP, last_seen TIMESTAMP);
CREATE TABLE run_log (run_id VARCHAR, site VARCHAR, started_at TIMESTAMP,
    finished_at TIMESTAMP, pages_fetched BIGINT, new_docs BIGINT, changed_docs BIGINT,
    not_modified BIGINT, failed BIGINT, blocked BIGINT, out_of_scope BIGINT,
    quarantined BIGINT, status VARCHAR);
"""

ROWS = """
INSERT INTO dim_region VALUES (1, '广东省', 'province', NULL), (2, '广州市', 'city', 1),
    (3, '白云区', 'district', 2), (4, '人和镇', 'town', 3);
INSERT INTO dim_agency VALUES (10, '党政综合办', '党政综合办', false, 'town', 'other'),
    (11, '司法所', '司法所', false, 'town', 'government_department');
INSERT INTO dim_date VALUES (20220301, DATE '2022-03-01', 2022, 1, 3),
    (20230510, DATE '2023-05-10', 2023, 2, 5);
INSERT INTO dim_theme VALUES (30, '枫桥经验'), (31, '营商环境');
INSERT INTO dim_document VALUES
    (100, 'http://a/1.html', 'demo', '工作要点', 'work_points', '人和镇', 4, DATE '2022-03-01',
     NULL, 2022, 2022, 'simplified', [], 'sha256:1', 1,
     TIMESTAMP '2022-03-02 00:00', TIMESTAMP '2023-05-11 00:00', false),
    (101, 'http://a/1.html', 'demo', '工作要点', 'work_points', '人和镇', 4, DATE '2022-03-01',
     NULL, 2022, 2022, 'simplified', [], 'sha256:2', 2,
     TIMESTAMP '2023-05-11 00:00', NULL, true),
    (102, 'http://a/2.html', 'demo', '工作计划', 'work_plan', '人和镇', 3, DATE '2023-05-10',
     NULL, 2023, 2023, 'simplified', [], 'sha256:3', 1,
     TIMESTAMP '2023-05-11 00:00', NULL, true);
INSERT INTO fact_task VALUES
    (1000, 101, 'n1', NULL, 1, '一', 1, '总体要求', '一、总体要求', 6, 4, 20220301,
     2022, 2022),
    (1001, 101, 'n1.1', 'n1', 2, '1', 1, '坚持枫桥经验', '坚持枫桥经验。', 7, 4, 20220301,
     2022, 2022),
    (1002, 102, 'n1', NULL, 1, '一', 1, '优化营商环境', '一、优化营商环境', 8, 3, 20230510,
     2023, 2023);
INSERT INTO bridge_task_agency VALUES (1001, 1, 10, 'lead', '党政综合办', 1),
    (1001, 1, 11, 'lead', '司法所', 2), (1002, 1, 11, 'responsible', '司法所', 1);
INSERT INTO bridge_task_theme VALUES (1001, 30), (1002, 31);
INSERT INTO fact_target VALUES (1001, 'percent', 100, '%', NULL, '100%', 1),
    (1002, 'deadline', NULL, NULL, 2023, '2023年底前', 1);
-- schema version 3 (issue #28): bodies, plan series and task lineage
ALTER TABLE dim_agency ADD COLUMN region_key BIGINT;
ALTER TABLE dim_agency ADD COLUMN agency_name VARCHAR;
ALTER TABLE dim_agency ADD COLUMN unplaced BOOLEAN;
UPDATE dim_agency SET region_key = 4, agency_name = '人和镇' || name, unplaced = false;
ALTER TABLE dim_document ADD COLUMN series_key BIGINT;
ALTER TABLE dim_document ADD COLUMN predecessor_document_key BIGINT;
UPDATE dim_document SET series_key = 50;
UPDATE dim_document SET predecessor_document_key = 101 WHERE document_key = 102;
CREATE TABLE dim_plan_series (series_key BIGINT, name VARCHAR, issuer VARCHAR,
    region_key BIGINT, doc_type VARCHAR, first_year INTEGER, last_year INTEGER,
    document_count INTEGER);
INSERT INTO dim_plan_series VALUES (50, '人和镇 work_points', '人和镇', 4, 'work_points',
    2022, 2023, 2);
CREATE TABLE fact_task_lineage (task_key BIGINT, match_task_key BIGINT, relation VARCHAR,
    score DOUBLE, method VARCHAR);
INSERT INTO fact_task_lineage VALUES (1001, NULL, 'new', NULL, 'no_previous_plan'),
    (1002, 1001, 'revised', 0.8, 'minhash+ratio');
"""


def build_warehouse(path: Path, *, breakage: str = "") -> Path:
    """The good warehouse, then `breakage` (more SQL) applied on top."""
    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        con.execute(ROWS)
        if breakage:
            con.execute(breakage)
    return path
