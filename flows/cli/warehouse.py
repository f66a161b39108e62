"""`govharvest sql` (confined read-only queries) and `govharvest export parquet`.

A query that tries to write or reach outside the warehouse is refused (QueryRefused, a
user error: one line, exit 2); a query DuckDB rejects (syntax, unknown column) prints its
first line and exits 1.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from flows.cli.app import DataDirOption, app
from flows.config import resolve_paths
from flows.datadir import require_warehouse
from warehouse.export import export_parquet
from warehouse.query import (
    FORMATS,
    OutputFormat,
    infer_format,
    run_query,
    to_csv,
    to_json_lines,
    write_result,
)

export_app = typer.Typer(help="Export the warehouse.", no_args_is_help=True)
app.add_typer(export_app, name="export")


def _render_table(frame_columns: list[str], rows: list[tuple[object, ...]]) -> Table:
    table = Table(show_lines=False)
    for name in frame_columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        # Markup off: scraped text may contain [brackets] that rich would interpret.
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(
        help="One read-only SQL statement (SELECT, DESCRIBE, SHOW, EXPLAIN); writes, COPY, "
             "ATTACH, SET and file access are refused.")],
    data_dir: DataDirOption = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f",
                     help="table (default), csv (header then rows), json (JSON lines), "
                          "or parquet (with --output only)."),
    ] = "",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o",
                     help="Write the result to FILE (format from --format or the suffix)."),
    ] = None,
) -> None:
    """Run a read-only SQL query on the warehouse and print or save the result."""
    if fmt and fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    chosen: OutputFormat = (
        fmt if fmt else (infer_format(output) if output else "table")  # type: ignore[assignment]
    )
    if chosen == "parquet" and output is None:
        raise typer.BadParameter("--format parquet needs --output FILE")
    paths = resolve_paths(data_dir)
    require_warehouse(paths)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        frame = run_query(paths.warehouse, query)
    except duckdb.Error as exc:  # parser/binder errors: the message's first line, no traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        err.print(f"query failed: {first}", markup=False)
        raise typer.Exit(1) from exc

    table_text = ""
    if chosen == "table":
        console = Console(highlight=False, markup=False, width=200 if output else None,
                          file=None if output is None else io.StringIO(),
                          record=output is not None)
        console.print(_render_table(frame.columns, frame.rows()))
        console.print(f"{frame.height} row(s)", style="dim")
        table_text = console.export_text() if output is not None else ""
    if output is not None:
        write_result(frame, output, chosen, table_text)
        err.print(f"wrote {frame.height} row(s) to {output} ({chosen})")
    elif chosen == "csv":
        sys.stdout.write(to_csv(frame))
    elif chosen == "json":
        sys.stdout.write(to_json_lines(frame))


@export_app.command("parquet")
def export_parquet_command(
    data_dir: DataDirOption = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Rewrite every table and partition, not only those whose content "
                       "changed since the last export.")] = False,
) -> None:
    """Write every warehouse table as Parquet (facts by year) plus manifest.json."""
    paths = resolve_paths(data_dir)
    require_warehouse(paths)
    console = Console(highlight=False)
    manifest = export_parquet(paths.warehouse, paths.parquet, full=full)
    for name, table in manifest.tables.items():
        console.print(f"  {name:<22} {table.rows:>10} rows  {table.path}", markup=False)
    console.print(f"wrote {len(manifest.tables)} tables to {paths.parquet} "
                  f"(manifest.json, {manifest.written_at})", markup=False)
