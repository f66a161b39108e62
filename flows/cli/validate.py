"""`govharvest validate`: run the data-quality suites on demand over the warehouse."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.cli.app import DataDirOption, app
from flows.config import resolve_paths
from flows.datadir import require_warehouse


@app.command()
def validate(
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", help="Suite to run (repeatable): documents or a table name "
                     "such as fact_task. Default: all suites."),
    ] = None,
    data_dir: DataDirOption = None,
    record: Annotated[
        bool, typer.Option("--record/--no-record",
                           help="Append the results to the dq_result table.")] = True,
    reports: Annotated[
        bool, typer.Option("--reports/--no-reports",
                           help="Rebuild Data Docs and the summary page under reports/.")
    ] = True,
) -> None:
    """Validate the warehouse (and its current documents); exit 1 if a blocking check fails."""
    paths = resolve_paths(data_dir)
    require_warehouse(paths)  # before the Great Expectations imports, which take seconds
    from expectations.config import load_config
    from expectations.ondemand import validate_stored
    from expectations.report import build_reports
    from expectations.tables import blocking_failures

    console = Console(highlight=False, soft_wrap=True)
    config = load_config()
    run_id = "validate-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        results = validate_stored(paths.warehouse, gx_dir=paths.gx, run_id=run_id,
                                  suites=suite, config=config)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if record and not results.is_empty():
        from warehouse.load import record_dq_results

        record_dq_results(paths.warehouse, results)
    if reports:
        index = build_reports(paths.warehouse, paths.gx, paths.reports)
        console.print(f"reports: {index}")
    blocking = blocking_failures(results, config)
    failed = results.filter(~results["success"])
    table = Table(title=f"{run_id}: {results.height - failed.height}/{results.height} passed")
    for column in ("suite", "expectation", "table_or_batch", "observed", "severity"):
        table.add_column(column)
    blocking_keys = set(blocking.select("suite", "expectation", "table_or_batch").rows())
    for row in failed.iter_rows(named=True):
        key = (row["suite"], row["expectation"], row["table_or_batch"])
        # Observed values can carry scraped text: never let Rich read it as markup.
        table.add_row(*(escape(str(v or "")) for v in key), escape(str(row["observed"] or "")),
                      "block" if key in blocking_keys else "warn")
    console.print(table)
    if not blocking.is_empty():
        console.print(f"[red]{blocking.height} blocking check(s) failed[/red]")
        raise typer.Exit(1)
    console.print("[green]no blocking check failed[/green]")
