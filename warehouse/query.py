"""Read-only queries over the warehouse and writing their results in the CLI's formats."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Literal

import polars as pl

from warehouse.db import connect

OutputFormat = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[str, ...] = ("table", "csv", "json", "parquet")


def run_query(db_path: str | Path, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """Run one statement on a read-only connection (writes fail inside DuckDB)."""
    con = connect(db_path, read_only=True)
    try:
        relation = con.sql(sql, params=params)
        # A statement without a result (e.g. SET) yields None: an empty frame.
        return pl.DataFrame() if relation is None else relation.pl()
    finally:
        con.close()


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
