"""Helpers for warehouse tests: whole-table checksums and small queries."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.schema import TABLES


def table_checksums(db_path: Path) -> dict[str, tuple[int, str]]:
    """(row count, md5 over every column of the sorted rows) for every table."""
    out: dict[str, tuple[int, str]] = {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for table in (*TABLES, "warehouse_schema_version"):
            count, digest = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) "
                f"FROM (SELECT CAST(t AS VARCHAR) AS r FROM {table} AS t)"
            ).fetchall()[0]
            out[table] = (int(count), str(digest))
    finally:
        con.close()
    return out


def query(db_path: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def scalar(db_path: Path, sql: str, params: list[object] | None = None) -> object:
    return query(db_path, sql, params)[0][0]
