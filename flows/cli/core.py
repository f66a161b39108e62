"""`govharvest --version` and `govharvest doctor`."""

from __future__ import annotations

import importlib.metadata as md
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.cli.app import DataDirOption, app
from flows.config import resolve_paths

CORE_PACKAGES = (
    "prefect",
    "duckdb",
    "polars",
    "requests",
    "lxml",
    "opencc",
    "great-expectations",
    "warcio",
    "fastapi",
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"govharvest {md.version('govharvest')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the full traceback of any error (user errors are "
                     "otherwise one or two lines, exit code 2)."),
    ] = False,
) -> None:
    """Harvest, parse, validate and warehouse local-government rule-of-law plans."""


def _check_opencc() -> str:
    import opencc

    out = opencc.OpenCC("t2s").convert("現代化")
    if out != "现代化":
        raise RuntimeError(f"t2s gave {out!r}")
    return "t2s converts 現代化 -> 现代化"


def _check_duckdb(data_dir: Path) -> str:
    import duckdb

    data_dir.mkdir(parents=True, exist_ok=True)
    probe = data_dir / f".doctor-{uuid.uuid4().hex}.duckdb"
    try:
        with duckdb.connect(str(probe)) as con:
            con.execute("CREATE TABLE t AS SELECT 42 AS x")
            (value,) = con.execute("SELECT x FROM t").fetchone() or (None,)
        if value != 42:
            raise RuntimeError("DuckDB round trip failed")
    finally:
        for p in (probe, probe.with_suffix(".duckdb.wal")):
            p.unlink(missing_ok=True)
    return f"created a database in {data_dir}"


def _check_prefect() -> str:
    import os

    # An ephemeral API in a throwaway home keeps the check from touching a user's server.
    with tempfile.TemporaryDirectory() as home:
        env = {"PREFECT_HOME": home, "PREFECT_API_URL": "",
               "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "true"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            from prefect import flow

            @flow(name="doctor-probe", log_prints=False, persist_result=False)
            def probe() -> int:
                return 7

            result = probe()
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    if result != 7:
        raise RuntimeError(f"flow returned {result!r}")
    return "a flow ran and returned its result"


@app.command()
def doctor(data_dir: DataDirOption = None) -> None:
    """Print dependency versions and check OpenCC, DuckDB and Prefect work here."""
    console = Console(highlight=False, soft_wrap=True)
    paths = resolve_paths(data_dir)
    console.print(f"govharvest {md.version('govharvest')}")
    for name in CORE_PACKAGES:
        try:
            console.print(f"  {name:<20} {md.version(name)}")
        except md.PackageNotFoundError:
            console.print(f"  {name:<20} [red]not installed[/red]")
    console.print(f"data directory: {paths.root}")
    checks: list[tuple[str, Callable[[], str]]] = [
        ("opencc", _check_opencc),
        ("duckdb", lambda: _check_duckdb(paths.root)),
        ("prefect", _check_prefect),
    ]
    failed = 0
    for name, check in checks:
        try:
            detail = check()
            console.print(f"[green]ok[/green]   {name}: {detail}")
        except Exception as exc:  # every failure is reported, none stops the others
            failed += 1
            console.print(f"[red]FAIL[/red] {name}: {type(exc).__name__}: {exc}")
    if failed:
        console.print(f"[red]{failed} check(s) failed[/red]")
        raise typer.Exit(1)
    console.print("[green]all checks passed[/green]")
