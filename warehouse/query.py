"""Confined queries over the warehouse and writing their results in the CLI's formats.

A user's SQL runs on a connection that cannot leave the warehouse: read-only, DuckDB's
external access off (no file, network or extension access: COPY ... TO, EXPORT DATABASE,
ATTACH, INSTALL/LOAD, read_text, read_csv, glob all fail) and the configuration locked so a
query cannot turn it back on. Before it runs, the statement's type is checked against an
allow-list, so a write or a settings change is refused by name rather than by whichever
DuckDB error it would meet. Results are written to files by the CLI, never by the SQL.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from warehouse.db import WarehouseError, connect, run

OutputFormat = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[str, ...] = ("table", "csv", "json", "parquet")


# Statement types a query may have: reads (SELECT also covers DESCRIBE, SHOW, SUMMARIZE,
# FROM-first), their plans, and PRAGMA/CALL for the catalog functions (table_info,
# pragma_version). A PRAGMA that changes a setting meets the locked configuration.
ALLOWED_STATEMENTS: frozenset[duckdb.StatementType] = frozenset({
    duckdb.StatementType.SELECT,
    duckdb.StatementType.EXPLAIN,
    duckdb.StatementType.PRAGMA,
    duckdb.StatementType.CALL,
})
# Fixed when the connection opens, before any user SQL: no file, network or extension access.
CONFINED_CONFIG: dict[str, object] = {"enable_external_access": False}
REFUSAL_HINT = ("`govharvest sql` runs one read-only query (SELECT, DESCRIBE, SHOW, EXPLAIN); "
                "save a result with --output FILE")


class QueryRefused(WarehouseError):
    """A query tried to write, change settings or reach outside the warehouse."""


def check_statement(sql: str) -> None:
    """Refuse anything but one statement of an allowed type (a syntax error propagates)."""
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused(f"expected one SQL statement, got {len(statements)}; "
                           + REFUSAL_HINT)
    kind = statements[0].type
    if kind not in ALLOWED_STATEMENTS:
        raise QueryRefused(f"{kind.name} statements are not allowed: {REFUSAL_HINT}")


def confined_connection(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only warehouse connection with external access off and settings locked."""
    con = connect(db_path, read_only=True, config=CONFINED_CONFIG)
    try:
        # connect() has set the session's time zone; from here on nothing can be changed.
        run(con, "SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def run_query(db_path: str | Path, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """Run one user statement confined to the warehouse and return its rows.

    QueryRefused for a statement of another kind, or one that DuckDB stops at the
    confinement (a file or extension access, a locked setting); other DuckDB errors (syntax,
    unknown column) propagate as they are.
    """
    check_statement(sql)
    con = confined_connection(db_path)
    try:
        relation = con.sql(sql, params=params)
        return pl.DataFrame() if relation is None else relation.pl()
    except duckdb.PermissionException as exc:
        raise QueryRefused(f"{_first_line(exc)}: {REFUSAL_HINT}") from exc
    except duckdb.InvalidInputException as exc:
        if "configuration has been locked" not in str(exc):
            raise
        raise QueryRefused(f"settings cannot be changed: {REFUSAL_HINT}") from exc
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _jsonable(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return str(value)  # dates, timestamps, decimals: ISO-like text


def to_json_lines(frame: pl.DataFrame) -> str:
    """One JSON object per row, non-ASCII kept readable."""
    return "".join(
        json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n"
        for row in frame.iter_rows(named=True)
    )


def to_csv(frame: pl.DataFrame) -> str:
    """A header row, then rows; nested values (lists) as JSON text."""
    flat = frame.with_columns(
        pl.Series(name, [json.dumps(_jsonable(v), ensure_ascii=False)
                         for v in frame[name].to_list()], dtype=pl.String)
        for name, dtype in frame.schema.items() if dtype.is_nested()
    )
    buffer = io.StringIO()
    flat.write_csv(buffer)
    return buffer.getvalue()


def infer_format(path: Path) -> OutputFormat:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".csv":
        return "csv"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "json"
    return "table"


def write_result(frame: pl.DataFrame, path: Path, fmt: OutputFormat, table_text: str) -> None:
    """Write a result to a file in any format (table = the rendered text table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.write_parquet(path)
    elif fmt == "csv":
        path.write_text(to_csv(frame), encoding="utf-8")
    elif fmt == "json":
        path.write_text(to_json_lines(frame), encoding="utf-8")
    else:
        path.write_text(table_text, encoding="utf-8")
