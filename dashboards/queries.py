"""Every number on the dashboard, as SQL run in DuckDB against the warehouse marts and views.

Aggregates over documents, tasks, agencies, themes and targets come from the warehouse's views
(`v_*`, warehouse/sql/30_views/), so a view's definition is the one truth for what the
dashboard counts: current document versions only, a document's year as `gh_doc_year` defines
it, a target due as `v_targets_due` dates it. Python only receives the (small) aggregated rows
or, for the per-document pages, the rows of the few documents that get a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb

Row = dict[str, Any]

# The marts and views the dashboard reads; a missing one is a clear error, not a blank page.
REQUIRED_TABLES: tuple[str, ...] = (
    "dim_document",
    "dim_region",
    "dim_agency",
    "dim_theme",
    "fact_task",
    "bridge_task_agency",
    "bridge_task_theme",
    "fact_target",
    "quarantine",
    "run_log",
    "dq_result",
    "v_current_documents",
    "v_current_totals",
    "v_theme_trend",
    "v_agency_tasks_by_year",
    "v_targets_due",
)

UNKNOWN = "(unknown)"


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """Run one query (parameters bound, never formatted in) and return dict rows."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = {r["table_name"] for r in rows(
        con, "SELECT table_name FROM information_schema.tables")}
    return [t for t in REQUIRED_TABLES if t not in present]


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(rows(con, "SELECT 1 FROM information_schema.columns "
                          "WHERE table_name = ? AND column_name = ?", [table, column]))


# --- overview -------------------------------------------------------------------------------

def totals(con: duckdb.DuckDBPyConnection) -> Row:
    return rows(con, """
        SELECT document_count AS documents, site_count AS sites, task_count AS tasks,
               target_count AS targets, agency_count AS agencies,
               (SELECT count(*) FROM quarantine) AS quarantined,
               (SELECT count(DISTINCT run_id) FROM run_log) AS runs
        FROM v_current_totals
    """)[0]


def documents_by_site_year(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(con, f"""
        SELECT coalesce(source_site, '{UNKNOWN}') AS site, year, count(*) AS documents
        FROM v_current_documents
        GROUP BY ALL
        ORDER BY year NULLS FIRST, site
    """)


def documents_by_region(con: duckdb.DuckDBPyConnection, *, limit: int = 25) -> list[Row]:
    return rows(con, f"""
        SELECT coalesce(region_name, '{UNKNOWN}') AS region, count(*) AS documents
        FROM v_current_documents
        GROUP BY ALL
        ORDER BY documents DESC, region
        LIMIT ?
    """, [limit])


_RUN_COUNTS = """
    sum(new_docs) AS new_docs, sum(changed_docs) AS changed_docs,
    sum(not_modified) AS not_modified, sum(failed) AS failed, sum(blocked) AS blocked,
    sum(out_of_scope) AS out_of_scope, sum(quarantined) AS quarantined,
    sum(pages_fetched) AS pages_fetched
"""


def run_timeline(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """One row per run (a run may cover several sites), oldest first."""
    return rows(con, f"""
        SELECT run_id, min(started_at) AS started_at, max(finished_at) AS finished_at,
               count(DISTINCT site) AS sites, {_RUN_COUNTS},
               string_agg(DISTINCT status, ', ' ORDER BY status) AS status
        FROM run_log
        GROUP BY run_id
        ORDER BY started_at, run_id
    """)


def last_run(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Per-site rows of the most recent run (by start time), for the last-run panel."""
    return rows(con, """
        WITH last AS (
          SELECT run_id FROM run_log ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT 1
        )
        SELECT run_id, site, started_at, finished_at, pages_fetched, new_docs, changed_docs,
               not_modified, failed, blocked, out_of_scope, quarantined, status
        FROM run_log JOIN last USING (run_id)
        ORDER BY site
    """)


def quarantine_by_reason(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(con, """
        SELECT reason, count(*) AS urls, max(last_seen) AS last_seen
        FROM quarantine GROUP BY reason ORDER BY urls DESC, reason
    """)


# --- longitudinal ---------------------------------------------------------------------------

def theme_trend(con: duckdb.DuckDBPyConnection, *, top: int = 10) -> list[Row]:
    """Tasks tagged with each theme per document year (`v_theme_trend`); themes beyond the
    `top` busiest are summed as "other" (a stacked chart of 40 themes is unreadable)."""
    return rows(con, """
        WITH dated AS (SELECT theme, year, task_count FROM v_theme_trend WHERE year IS NOT NULL),
        ranked AS (
          SELECT theme, row_number() OVER (ORDER BY sum(task_count) DESC, theme) AS rank
          FROM dated GROUP BY theme
        )
        SELECT year, CASE WHEN rank <= ? THEN theme ELSE 'other' END AS theme,
               sum(task_count) AS tasks
        FROM dated JOIN ranked USING (theme)
        GROUP BY ALL
        ORDER BY year, theme
    """, [top])


# Lead tasks per (agency, year, region) from `v_agency_tasks_by_year`, and the `top` busiest
# non-generic agencies with their total over all years.
_LEAD_TASKS = f"""
    lead AS (
      SELECT agency_name AS agency, year, coalesce(region_name, '{UNKNOWN}') AS region,
             task_count
      FROM v_agency_tasks_by_year
      WHERE role = 'lead' AND NOT coalesce(is_generic, false)
    ),
    top AS (
      SELECT agency, sum(task_count) AS total FROM lead GROUP BY agency
      ORDER BY total DESC, agency LIMIT ?
    )
"""


def lead_agencies_by_year(con: duckdb.DuckDBPyConnection, *, top: int = 12) -> list[Row]:
    """Tasks led by each of the `top` busiest (non-generic) agencies, per document year."""
    return rows(con, f"""
        WITH {_LEAD_TASKS}
        SELECT l.agency, l.year, sum(l.task_count) AS tasks, any_value(top.total) AS total
        FROM lead l JOIN top USING (agency)
        WHERE l.year IS NOT NULL
        GROUP BY ALL ORDER BY total DESC, l.agency, l.year
    """, [top])


def lead_agencies_by_region(con: duckdb.DuckDBPyConnection, *, top: int = 12) -> list[Row]:
    """Tasks led by each of the `top` busiest agencies, per region of the document."""
    return rows(con, f"""
        WITH {_LEAD_TASKS}
        SELECT l.agency, l.region, sum(l.task_count) AS tasks, any_value(top.total) AS total
        FROM lead l JOIN top USING (agency)
        GROUP BY ALL ORDER BY total DESC, l.agency, l.region
    """, [top])


def targets_by_year(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Targets and deadlines per due year, as `v_targets_due` dates them."""
    return rows(con, """
        SELECT due_year AS year, kind, count(*) AS targets
        FROM v_targets_due
        GROUP BY ALL ORDER BY year, kind
    """)


def targets_due(con: duckdb.DuckDBPyConnection, year: int, *, limit: int = 100) -> list[Row]:
    """Targets and deadlines due in `year`, with the task and document they belong to."""
    return rows(con, f"""
        SELECT v.kind, v.target_text AS text, v.value, v.unit, v.due_year AS year,
               v.task_heading AS heading, v.document_key, v.document_title AS title,
               coalesce(v.region_name, '{UNKNOWN}') AS region, v.lead_agencies
        FROM v_targets_due v
        JOIN dim_document d USING (document_key)
        WHERE v.due_year = ?
        ORDER BY d.publish_date DESC NULLS LAST, v.task_key, v.kind
        LIMIT ?
    """, [year, limit])


# --- explorer and document pages ------------------------------------------------------------

def document_index(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every current document with its explorer columns and task count, newest first."""
    return rows(con, f"""
        SELECT document_key, title, url, source_site, issuer, doc_type,
               coalesce(region_name, '{UNKNOWN}') AS region,
               period_start_year, period_end_year, publish_date,
               coalesce(array_to_string(quality_flags, ', '), '') AS flags,
               task_count AS tasks, version
        FROM v_current_documents
        ORDER BY publish_date DESC NULLS LAST, document_key DESC
    """)


def document_tasks(con: duckdb.DuckDBPyConnection, keys: Sequence[Any]) -> list[Row]:
    """The section/item nodes of the given documents, in document order.

    task_key is a hash, so document order is `node_ordinal` where the warehouse has it
    (beyond the issue-5 contract), else the key.
    """
    order = "f.node_ordinal, f.task_key" if _has_column(con, "fact_task", "node_ordinal") \
        else "f.task_key"
    return rows(con, f"""
        SELECT f.document_key, f.task_key, f.node_id, f.parent_node_id, f.level, f.label,
               f.number, f.heading, f.text
        FROM fact_task f
        WHERE f.document_key IN (SELECT unnest(?))
        ORDER BY f.document_key, {order}
    """, [list(keys)])


def document_agencies(con: duckdb.DuckDBPyConnection, keys: Sequence[Any]) -> list[Row]:
    return rows(con, """
        SELECT b.task_key, b.clause_no, b.role, b.written_name,
               coalesce(a.canonical_name, a.name) AS agency, a.is_generic
        FROM bridge_task_agency b
        JOIN fact_task f ON f.task_key = b.task_key
        LEFT JOIN dim_agency a ON a.agency_key = b.agency_key
        WHERE f.document_key IN (SELECT unnest(?))
        ORDER BY b.task_key, b.clause_no, b.role
    """, [list(keys)])


def document_targets(con: duckdb.DuckDBPyConnection, keys: Sequence[Any]) -> list[Row]:
    return rows(con, """
        SELECT g.task_key, g.kind, g.value, g.unit, g.deadline_year, g.text
        FROM fact_target g JOIN fact_task f ON f.task_key = g.task_key
        WHERE f.document_key IN (SELECT unnest(?))
        ORDER BY g.task_key, g.kind
    """, [list(keys)])


def document_themes(con: duckdb.DuckDBPyConnection, keys: Sequence[Any]) -> list[Row]:
    return rows(con, """
        SELECT b.task_key, t.name AS theme
        FROM bridge_task_theme b
        JOIN dim_theme t ON t.theme_key = b.theme_key
        JOIN fact_task f ON f.task_key = b.task_key
        WHERE f.document_key IN (SELECT unnest(?))
        ORDER BY b.task_key, t.name
    """, [list(keys)])


# --- data quality ---------------------------------------------------------------------------

def dq_pass_rate(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Share of passing expectations per run and suite, in percent, oldest run first."""
    return rows(con, """
        SELECT run_id, suite, min(run_at) AS run_at, count(*) AS expectations,
               count(*) FILTER (WHERE success) AS passed,
               round(100.0 * count(*) FILTER (WHERE success) / count(*), 1) AS pass_rate
        FROM dq_result
        GROUP BY run_id, suite
        ORDER BY run_at, run_id, suite
    """)


def dq_top_failures(con: duckdb.DuckDBPyConnection, *, limit: int = 15) -> list[Row]:
    return rows(con, """
        SELECT suite, expectation, count(*) FILTER (WHERE NOT success) AS failures,
               count(*) AS checks, sum(unexpected_count) FILTER (WHERE NOT success) AS unexpected,
               max(run_at) FILTER (WHERE NOT success) AS last_failed,
               arg_max(observed, run_at) FILTER (WHERE NOT success) AS last_observed
        FROM dq_result
        GROUP BY suite, expectation
        HAVING count(*) FILTER (WHERE NOT success) > 0
        ORDER BY failures DESC, unexpected DESC NULLS LAST, suite, expectation
        LIMIT ?
    """, [limit])


def dq_latest(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """The latest run's result per suite."""
    return rows(con, """
        WITH last AS (SELECT run_id FROM dq_result ORDER BY run_at DESC, run_id DESC LIMIT 1)
        SELECT suite, count(*) AS expectations, count(*) FILTER (WHERE success) AS passed,
               min(run_at) AS run_at, any_value(run_id) AS run_id
        FROM dq_result JOIN last USING (run_id)
        GROUP BY suite ORDER BY suite
    """)


def current_year(today: dt.date | None) -> int:
    return (today or dt.date.today()).year


# -- task lineage (issue #28): the warehouse's lineage views, read as they are ---------------

# A warehouse without them (made before lineage, or not yet loaded) gets a "no lineage yet"
# page, not an error: they are not in REQUIRED_TABLES.
LINEAGE_VIEWS: tuple[str, ...] = ("v_plan_diff", "v_task_lineage", "v_localization")
# Chains the lineage page shows: the longest ones (most years back), revised ones first.
MAX_CHAINS = 40
# Series and plans the lineage page lists: a warehouse of 1M tasks holds thousands of each,
# and listing them all made a 42 MB page (bench/dashboard.py); the views hold every one.
MAX_LISTED = 100


def missing_lineage_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = {r["table_name"] for r in rows(
        con, "SELECT table_name FROM information_schema.tables")}
    return [v for v in LINEAGE_VIEWS if v not in present]


def plan_diff(con: duckdb.DuckDBPyConnection, limit: int | None = None
              ) -> tuple[list[Row], int]:
    """Per series and year, how many tasks were carried over, revised, new, dropped: the rows
    of the `limit` series with the most years (a series' first plan has nothing to be diffed
    against: series of one plan are left out), and how many series have a diff at all."""
    series = rows(con, """
        SELECT series_key, count(DISTINCT year) AS years, min(series_name) AS name
        FROM v_plan_diff
        GROUP BY series_key
        HAVING count(prev_year) > 0
        ORDER BY years DESC, name, series_key""")
    keys = [r["series_key"] for r in series[: MAX_LISTED if limit is None else limit]]
    if not keys:
        return [], len(series)
    order = {k: i for i, k in enumerate(keys)}
    found = rows(con, """
        SELECT series_key, series_name, year, prev_year, relation, task_count, headings
        FROM v_plan_diff
        WHERE list_contains(?, series_key)
        ORDER BY year, relation""", [keys])
    found.sort(key=lambda r: order[r["series_key"]])  # stable: year, relation kept
    return found, len(series)


def task_chains(con: duckdb.DuckDBPyConnection, limit: int = MAX_CHAINS) -> list[Row]:
    """The chain rows (step 0 = the task itself) of the `limit` tasks with the longest chains;
    among equally long ones, those with the most revised steps and the latest years first."""
    return rows(con, """
        WITH chosen AS (
            SELECT task_key, max(step) AS depth,
                   count(*) FILTER (WHERE relation = 'revised') AS revised,
                   max(year) FILTER (WHERE step = 0) AS year
            FROM v_task_lineage
            GROUP BY task_key
            HAVING max(step) >= 1
            ORDER BY depth DESC, revised DESC, year DESC NULLS LAST, task_key
            LIMIT ?)
        SELECT l.task_key, l.step, l.ancestor_task_key, l.year, l.heading, l.text,
               l.relation, l.score, c.depth, c.revised
        FROM v_task_lineage l JOIN chosen c USING (task_key)
        ORDER BY c.depth DESC, c.revised DESC, c.year DESC NULLS LAST, l.task_key, l.step""",
        [limit])


def localization(con: duckdb.DuckDBPyConnection, limit: int | None = None
                 ) -> tuple[list[Row], int]:
    """Per plan that copies tasks from a parent-level plan, the share of its tasks copied
    (plans copying nothing have no parent plan in the view and are left out): the `limit`
    latest plans, most copied first, and how many plans copy at all."""
    found = rows(con, """
        SELECT document_key, title, region_name, year, parent_document_key, parent_title,
               task_count, copied_count, copied_share, localized_headings
        FROM v_localization
        WHERE parent_document_key IS NOT NULL
        ORDER BY year DESC NULLS LAST, copied_share DESC NULLS LAST, title, document_key""")
    return found[: MAX_LISTED if limit is None else limit], len(found)
