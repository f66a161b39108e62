"""`govharvest archive verify` and `archive reindex`: check and repair the raw archive.

The WARC files are the source of truth; the Parquet manifests beside them are an index
that can be rebuilt from them (extract/reindex.py). `verify` changes nothing and exits 1
when it finds anything wrong (extract/archive_check.py says what it looks for).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.cli.app import DataDirOption, app
from flows.config import DataPaths, resolve_paths

archive_app = typer.Typer(help="Check and repair the raw archive (WARC files and manifests).",
                          no_args_is_help=True)
app.add_typer(archive_app, name="archive")

PROBLEMS_EXIT = 1  # verify found something wrong (2 stays for a command used wrongly)
USER_ERROR_EXIT = 2


def _console() -> Console:
    # Wide enough for file names and reasons when output goes to a file or CI log.
    return Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def _user_error(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(USER_ERROR_EXIT)


def _archive_paths(data_dir: Path | None) -> DataPaths:
    paths = resolve_paths(data_dir)
    if not paths.root.is_dir():
        raise _user_error(f"data directory {paths.root} does not exist or is not a directory; "
                          "pass --data-dir with the directory a harvest wrote")
    return paths


@archive_app.command("verify")
def verify_command(data_dir: DataDirOption = None) -> None:
    """Report missing or unreadable WARC files and manifests, index rows pointing at missing
    WARC files, WARC files or records with no index row, and damaged records; exit 1 if
    anything is wrong."""
    from extract.archive_check import PROBLEM_KINDS, verify_archive
    from extract.reindex import warc_files

    paths = _archive_paths(data_dir)
    if not any((paths.archive / sub).is_dir() for sub in ("warc", "index")):
        raise _user_error(f"no archive in {paths.root} (no {paths.archive / 'warc'}); pass "
                          "--data-dir with the directory a harvest wrote")
    problems = verify_archive(paths.archive)
    console = _console()
    if not problems:
        console.print(f"archive {paths.archive}: {len(warc_files(paths.archive))} WARC "
                      "file(s), every record readable and indexed, every manifest readable")
        return
    table = Table(title=f"archive problems in {paths.archive}")
    for column in ("problem", "path", "detail"):
        table.add_column(column, overflow="fold")
    for problem in problems:
        table.add_row(PROBLEM_KINDS[problem.kind], problem.path, problem.detail)
    console.print(table, markup=False)
    console.print(f"{len(problems)} problem(s). `govharvest archive reindex` rebuilds missing "
                  "index rows from the WARC files; `reprocess` skips damaged records and "
                  "quarantines them (archive_damaged).", markup=False)
    raise typer.Exit(PROBLEMS_EXIT)


@archive_app.command("reindex")
def reindex_command(
    site: Annotated[str | None, typer.Option(
        "--site", help="Only this site's WARC files (default: every one).")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Rebuild the Parquet index manifests from the WARC files: every record no index row
    names gets one. Idempotent: a second run writes nothing."""
    from extract.reindex import reindex, warc_files
    from flows.datadir import data_dir_lock

    paths = _archive_paths(data_dir)
    if not warc_files(paths.archive, site):
        what = f" for site {site}" if site else ""
        raise _user_error(f"no WARC files{what} under {paths.archive / 'warc'}")
    with data_dir_lock(paths.root, "archive reindex"):  # a harvest writes these manifests
        done = reindex(paths.archive, site=site)
    console = _console()
    if done.manifests:
        for name in done.manifests:
            console.print(f"wrote {paths.archive / name}", markup=False)
        console.print(f"{done.rows} record(s) indexed in {len(done.manifests)} manifest(s)")
    else:
        console.print("every record already indexed; nothing written")
    if done.damaged:
        console.print(f"{len(done.damaged)} damaged record(s) could not be indexed "
                      "(`govharvest archive verify` lists them)")
