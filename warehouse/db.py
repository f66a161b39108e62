"""Open the warehouse: storage version, migrations, seeds and the one-writer rule.

The file is written with `STORAGE_VERSION` v1.4.0 so the duckdb 1.x command-line client
(newest on the registry: 1.5.6) can open it; duckdb 2.0 would otherwise write version 69.
DuckDB locks the file per process; `WarehouseLocked` turns its IOException into a clear
message, and `writer()` also refuses a second writer inside this process (DuckDB would
otherwise share one instance between them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from transform.gazetteer import REGIONS_CSV
from warehouse.schema import SCHEMA_VERSION

SQL_DIR = Path(__file__).with_name("sql")
STORAGE_VERSION = "v1.4.0"
# Folders applied as persistent DDL on every write connection, in this order. 10_staging
# holds SELECT models over one load batch; the load path creates them as TEMP views.
MIGRATION_DIRS: tuple[str, ...] = ("00_raw", "20_marts", "30_views")
STAGING_DIR = "10_staging"

_writers_lock = threading.Lock()
_writers: set[Path] = set()


class WarehouseError(RuntimeError):
    """A warehouse file cannot be used as asked."""


class WarehouseLocked(WarehouseError):
    """Another writer holds the warehouse file."""


def run(
    con: duckdb.DuckDBPyConnection, sql: str, params: object = None
) -> list[tuple[object, ...]]:
    """Execute and drain the result: duckdb 2.0 refuses new work on a connection while a
    previous execute() result is unfinished."""
    return con.execute(sql, params).fetchall()


def migration_files() -> list[Path]:
    return [p for d in MIGRATION_DIRS for p in sorted((SQL_DIR / d).glob("*.sql"))]


def staging_sql(name: str) -> str:
    return (SQL_DIR / STAGING_DIR / f"{name}.sql").read_text(encoding="utf-8")


def load_sql(name: str) -> str:
    return (SQL_DIR / "load" / f"{name}.sql").read_text(encoding="utf-8")


def migrations_checksum() -> str:
    digest = hashlib.sha256()
    for path in migration_files():
        digest.update(path.relative_to(SQL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(REGIONS_CSV.read_bytes())
    return digest.hexdigest()


def _locked_message(path: Path, exc: Exception) -> str:
    return (f"warehouse {path} is locked by another process (one writer at a time; "
            f"readers wait for the writer to finish): {exc}")


def connect(path: str | Path, *, read_only: bool = False,
            config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a write connection creates/migrates it, a read-only one never writes.

    `config` adds DuckDB settings fixed at open (warehouse.query confines user queries).
    Raises WarehouseLocked if another process holds the file, WarehouseError if a read-only
    open finds no warehouse or the file is not a DuckDB database.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}; load documents first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if read_only:
            con = duckdb.connect(str(path), read_only=True, config=config or {})
        else:
            con = duckdb.connect(
                str(path),
                config={"storage_compatibility_version": STORAGE_VERSION, **(config or {})})
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLocked(_locked_message(path, exc)) from exc
        if "not a valid DuckDB database" in str(exc):
            raise WarehouseError(
                f"{path} is not a DuckDB database; move it away and run `govharvest "
                "reprocess` to rebuild the warehouse from the archive") from exc
        raise
    except duckdb.ConnectionException as exc:  # same file already open here, other mode
        raise WarehouseLocked(
            f"warehouse {path} is already open in this process in another mode: {exc}"
        ) from exc
    # Timestamps without zone are stored as UTC; keeps TIMESTAMPTZ casts machine-independent.
    run(con, "SET TimeZone = 'UTC'")
    if not read_only:
        try:
            migrate(con)
        except BaseException:
            con.close()
            raise
    return con


@contextmanager
def writer(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection held exclusively by this caller (across processes and threads)."""
    key = Path(path).resolve()
    with _writers_lock:
        if key in _writers:
            raise WarehouseLocked(f"warehouse {key} already has a writer in this process")
        _writers.add(key)
    try:
        con = connect(key)
        try:
            yield con
        finally:
            con.close()
    finally:
        with _writers_lock:
            _writers.discard(key)


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    rows = run(con, "SELECT max(version) FROM warehouse_schema_version")
    return None if not rows else rows[0][0]  # type: ignore[return-value]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT, or ROLLBACK on any error (a batch is all or nothing)."""
    run(con, "BEGIN TRANSACTION")
    try:
        yield
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables: Any) -> Iterator[None]:
    """Expose Arrow tables to SQL under the given names for the duration of the block."""
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            con.unregister(name)


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the numbered SQL folders and seeds once per schema version (all idempotent)."""
    checksum = migrations_checksum()
    tables = {r[0] for r in run(
        con,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    )}
    if "warehouse_schema_version" in tables:
        rows = run(con, "SELECT checksum FROM warehouse_schema_version WHERE version = ?",
                   [SCHEMA_VERSION])
        if rows and rows[0][0] == checksum:
            return
    with transaction(con):
        from warehouse.agencies import migrate_agency_keys, needs_agency_migration

        if needs_agency_migration(con):  # schema version <= 2: rekey agencies first
            migrate_agency_keys(con)
        for path in migration_files():
            run(con, path.read_text(encoding="utf-8"))
        seed_regions(con)
        run(con,
            "INSERT OR REPLACE INTO warehouse_schema_version VALUES (?, ?, ?)",
            [SCHEMA_VERSION, checksum, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        )


def seed_regions(con: duckdb.DuckDBPyConnection) -> None:
    """Insert gazetteer regions not yet in dim_region; keys derive from the region path."""
    run(con,
        """
        INSERT INTO dim_region
        with seed as (
            select trim(path) as path, trim(level) as admin_level
            from read_csv(?, header = true, all_varchar = true)
        ),

        keyed as (
            select
                gh_key(path)                                        as region_key,
                string_split(path, '/')[-1]                         as name,
                admin_level,
                case when contains(path, '/')
                     then gh_key(regexp_replace(path, '/[^/]+$', '')) end as parent_region_key,
                path
            from seed
        )

        select keyed.* from keyed anti join dim_region using (region_key)
        order by path
        """,
        [str(REGIONS_CSV)],
    )
