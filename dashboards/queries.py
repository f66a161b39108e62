"""Every number on the dashboard, as SQL run in DuckDB against the warehouse marts.

Aggregation happens here, in the database: Python only receives the (small) aggregated rows
or, for the per-document pages, the rows of the few documents that get a page. Counts are
over *current* document versions (`dim_document.is_current`), so an amended document is
counted once. Years are document years (`DOC_YEAR`) unless a query says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb

Row = dict[str, Any]

# The marts the dashboard reads; a missing one is a clear error rather than a blank page.
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
)

UNKNOWN = "(unknown)"
# The year a document speaks for, as the warehouse's `gh_doc_year` macro defines it (inlined so
# the dashboard also reads warehouses built without the macros): publish year, else the first
# year of its period, else its signing year.
DOC_YEAR = ("cast(coalesce(year(d.publish_date), d.period_start_year, year(d.document_date))"
            " AS INTEGER)")


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


def _flags_expr(con: duckdb.DuckDBPyConnection) -> str:
    """`quality_flags` as one comma-separated string, whether stored as a list or as text."""
    found = rows(con, "SELECT data_type FROM information_schema.columns "
                      "WHERE table_name = 'dim_document' AND column_name = 'quality_flags'")
    dtype = str(found[0]["data_type"]) if found else "VARCHAR"
    if dtype.endswith("[]"):
        return "array_to_string(d.quality_flags, ', ')"
    return "CAST(d.quality_flags AS VARCHAR)"


# --- overview -------------------------------------------------------------------------------

def totals(con: duckdb.DuckDBPyConnection) -> Row:
    return rows(con, """
        WITH cur AS (SELECT document_key FROM dim_document WHERE is_current)
        SELECT
          (SELECT count(*) FROM cur) AS documents,
          (SELECT count(DISTINCT source_site) FROM dim_document WHERE is_current) AS sites,
          (SELECT count(*) FROM fact_task f JOIN cur USING (document_key)) AS tasks,
          (SELECT count(*) FROM fact_target g JOIN fact_task f USING (task_key)
             JOIN cur USING (document_key)) AS targets,
          (SELECT count(DISTINCT b.agency_key) FROM bridge_task_agency b
             JOIN fact_task f USING (task_key) JOIN cur USING (document_key)) AS agencies,
          (SELECT count(*) FROM quarantine) AS quarantined,
          (SELECT count(DISTINCT run_id) FROM run_log) AS runs
    """)[0]


def documents_by_site_year(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(con, f"""
        SELECT coalesce(d.source_site, '{UNKNOWN}') AS site, {DOC_YEAR} AS year,
               count(*) AS documents
        FROM dim_document d
        WHERE d.is_current
        GROUP BY ALL
        ORDER BY year NULLS FIRST, site
    """)


def documents_by_region(con: duckdb.DuckDBPyConnection, *, limit: int = 25) -> list[Row]:
    return rows(con, f"""
        SELECT coalesce(r.name, '{UNKNOWN}') AS region, count(*) AS documents
        FROM dim_document d LEFT JOIN dim_region r USING (region_key)
        WHERE d.is_current
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
    """Tasks tagged with each theme per document year; themes beyond the `top` busiest are
    summed as "other" (a stacked chart of 40 themes is unreadable)."""
    return rows(con, f"""
        WITH tagged AS (
          SELECT {DOC_YEAR} AS year, t.name AS theme, f.task_key
          FROM fact_task f
          JOIN dim_document d ON d.document_key = f.document_key AND d.is_current
          JOIN bridge_task_theme b ON b.task_key = f.task_key
          JOIN dim_theme t ON t.theme_key = b.theme_key
          WHERE {DOC_YEAR} IS NOT NULL
        ),
        ranked AS (
          SELECT theme, row_number() OVER (ORDER BY count(DISTINCT task_key) DESC, theme) AS rank
          FROM tagged GROUP BY theme
        )
        SELECT year, CASE WHEN rank <= ? THEN theme ELSE 'other' END AS theme,
               count(DISTINCT task_key) AS tasks
        FROM tagged JOIN ranked USING (theme)
        GROUP BY ALL
        ORDER BY year, theme
    """, [top])


_LEAD_TASKS = f"""
    lead AS (
      SELECT DISTINCT b.task_key, coalesce(a.canonical_name, a.name) AS agency,
             {DOC_YEAR} AS year, coalesce(r.name, '{UNKNOWN}') AS region
      FROM bridge_task_agency b
      JOIN dim_agency a ON a.agency_key = b.agency_key
      JOIN fact_task f ON f.task_key = b.task_key
      JOIN dim_document d ON d.document_key = f.document_key AND d.is_current
      LEFT JOIN dim_region r ON r.region_key = f.region_key
      WHERE b.role = 'lead' AND NOT coalesce(a.is_generic, false)
    ),
    top AS (
      SELECT agency, count(*) AS total FROM lead GROUP BY agency
      ORDER BY total DESC, agency LIMIT ?
    )
"""


def lead_agencies_by_year(con: duckdb.DuckDBPyConnection, *, top: int = 12) -> list[Row]:
    """Tasks led by each of the `top` busiest (non-generic) agencies, per document year."""
    return rows(con, f"""
        WITH {_LEAD_TASKS}
        SELECT l.agency, l.year, count(*) AS tasks, any_value(top.total) AS total
        FROM lead l JOIN top USING (agency)
        WHERE l.year IS NOT NULL
        GROUP BY ALL ORDER BY total DESC, l.agency, l.year
    """, [top])


def lead_agencies_by_region(con: duckdb.DuckDBPyConnection, *, top: int = 12) -> list[Row]:
    """Tasks led by each of the `top` busiest agencies, per region of the task."""
    return rows(con, f"""
        WITH {_LEAD_TASKS}
        SELECT l.agency, l.region, count(*) AS tasks, any_value(top.total) AS total
        FROM lead l JOIN top USING (agency)
        GROUP BY ALL ORDER BY total DESC, l.agency, l.region
    """, [top])


# A target without an explicit deadline is due by the end of its plan period.
_TARGET_YEAR = "coalesce(g.deadline_year, f.period_end_year, d.period_end_year)"


def targets_by_year(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(con, f"""
        SELECT {_TARGET_YEAR} AS year, g.kind, count(*) AS targets
        FROM fact_target g
        JOIN fact_task f ON f.task_key = g.task_key
        JOIN dim_document d ON d.document_key = f.document_key AND d.is_current
        WHERE {_TARGET_YEAR} IS NOT NULL
        GROUP BY ALL ORDER BY year, g.kind
    """)


def targets_due(con: duckdb.DuckDBPyConnection, year: int, *, limit: int = 100) -> list[Row]:
    """Targets and deadlines falling in `year`, with the task and document they belong to."""
    return rows(con, f"""
        SELECT g.kind, g.text, g.value, g.unit, {_TARGET_YEAR} AS year,
               f.heading, d.document_key, d.title, coalesce(r.name, '{UNKNOWN}') AS region,
               (SELECT string_agg(DISTINCT coalesce(a.canonical_name, a.name), '、')
                  FROM bridge_task_agency b JOIN dim_agency a USING (agency_key)
                  WHERE b.task_key = g.task_key AND b.role = 'lead') AS lead_agencies
        FROM fact_target g
        JOIN fact_task f ON f.task_key = g.task_key
        JOIN dim_document d ON d.document_key = f.document_key AND d.is_current
        LEFT JOIN dim_region r ON r.region_key = d.region_key
        WHERE {_TARGET_YEAR} = ?
        ORDER BY d.publish_date DESC NULLS LAST, f.task_key, g.kind
        LIMIT ?
    """, [year, limit])


# --- explorer and document pages ------------------------------------------------------------

def document_index(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every current document with its explorer columns and task count, newest first."""
    flags = _flags_expr(con)
    return rows(con, f"""
        WITH n AS (SELECT document_key, count(*) AS tasks FROM fact_task GROUP BY ALL)
        SELECT d.document_key, d.title, d.url, d.source_site, d.issuer, d.doc_type,
               coalesce(r.name, '{UNKNOWN}') AS region,
               d.period_start_year, d.period_end_year, d.publish_date,
               coalesce({flags}, '') AS flags, coalesce(n.tasks, 0) AS tasks, d.version
        FROM dim_document d
        LEFT JOIN dim_region r USING (region_key)
        LEFT JOIN n USING (document_key)
        WHERE d.is_current
        ORDER BY d.publish_date DESC NULLS LAST, d.document_key DESC
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
