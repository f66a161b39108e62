"""`govharvest dashboard`: write the static offline dashboard of the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import DataDirOption, app
from flows.config import resolve_paths
from flows.datadir import require_warehouse


@app.command()
def dashboard(
    data_dir: DataDirOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o",
                     help="Directory to write the site into (default: DATA_DIR/dashboard)."),
    ] = None,
    max_document_pages: Annotated[
        int, typer.Option("--max-document-pages", min=0,
                          help="How many of the newest documents get their own page.")
    ] = 2000,
) -> None:
    """Build the static dashboard (opens from disk, no server, no network) from the warehouse."""
    paths = resolve_paths(data_dir)
    require_warehouse(paths)
    from dashboards.build import build_dashboard  # plotly/jinja load only for this command

    try:
        index = build_dashboard(paths.warehouse, output or paths.dashboard,
                                reports_dir=paths.reports, max_document_pages=max_document_pages)
    except (FileNotFoundError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"dashboard: {index}")
