"""The data directory as state: refuse one that holds nothing to read, and let one command
write it at a time.

Commands that read state check it first (`require_archive`, `require_warehouse`), so a typo
in `--data-dir` is an error rather than an empty run. `data_dir_lock` is an OS lock
(`flock`) on a file in the data directory, held by `harvest`, `nightly` and `reprocess` for
their whole run: a second one on the same directory stops before fetching anything, and the
kernel releases the lock when its holder exits, however it dies.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.config import DataPaths

LOCK_FILE = ".govharvest.lock"
WARC_GLOB = "*.warc.gz"  # extract.archive names every WARC file warc/{run_id}-{site}.warc.gz
# A DuckDB database file carries this magic at byte 8 of its header.
DUCKDB_MAGIC = b"DUCK"
DUCKDB_MAGIC_OFFSET = 8


class DataDirError(Exception):
    """A data directory cannot be used for what the command asked."""


class DataDirLocked(DataDirError):
    """Another command holds the data directory."""


def require_data_dir(paths: DataPaths) -> None:
    root = paths.root
    if not root.exists():
        raise DataDirError(f"data directory {root} does not exist; pass --data-dir with the "
                           "directory a harvest wrote, or run `govharvest harvest` first")
    if not root.is_dir():
        raise DataDirError(f"data directory {root} is not a directory; pass --data-dir with "
                           "the directory a harvest wrote")


def require_archive(paths: DataPaths) -> None:
    """The data directory holds at least one WARC file to rebuild from."""
    require_data_dir(paths)
    warc_dir = paths.archive / "warc"
    if not (warc_dir.is_dir() and any(warc_dir.glob(WARC_GLOB))):
        raise DataDirError(f"no archive in {paths.root} (no WARC files under {warc_dir}); "
                           "harvest a site first, or pass the right --data-dir")


def require_warehouse(paths: DataPaths) -> None:
    """The data directory holds a DuckDB warehouse file that can be opened for reading now
    (WarehouseLocked from warehouse.db while another process writes it)."""
    require_data_dir(paths)
    path = paths.warehouse
    if not path.is_file():
        raise DataDirError(f"no warehouse at {path}; load documents first (`govharvest "
                           "harvest` or `reprocess`), or pass the right --data-dir")
    with path.open("rb") as handle:
        header = handle.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    if header[DUCKDB_MAGIC_OFFSET:] != DUCKDB_MAGIC:
        raise DataDirError(f"{path} is not a DuckDB database; move it away and run "
                           "`govharvest reprocess` to rebuild the warehouse from the archive")
    # warehouse.db (duckdb) here and below, not at the top: the CLI imports this module at
    # its start (see flows/cli/__init__.py).
    from warehouse.db import connect

    connect(path, read_only=True).close()


def require_writable_warehouse(paths: DataPaths) -> None:
    """The warehouse, if there is one yet, can be written now: checked before a harvest
    fetches anything, rather than found out at load (WarehouseLocked while another process
    has it open, WarehouseError if the file is not a DuckDB database)."""
    if not paths.warehouse.exists():
        return
    from warehouse.db import writer

    with writer(paths.warehouse):
        pass


# Locks this process holds: data directory -> (owning thread, depth). The owning thread may
# take its lock again (the CLI takes it, then calls the flow, which takes it for deployments);
# any other thread or process is refused.
_held: dict[Path, tuple[int, int]] = {}
_held_guard = threading.Lock()


def _holder(lock_path: Path) -> str:
    try:
        text = lock_path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


@contextmanager
def data_dir_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the data directory for `command`; DataDirLocked if another command holds it."""
    root = root.resolve()
    me = threading.get_ident()
    with _held_guard:
        owner, depth = _held.get(root, (me, 0))
        if depth and owner != me:
            raise DataDirLocked(f"data directory {root} is in use by another command in this "
                                "process; wait for it to finish")
        if depth:
            _held[root] = (me, depth + 1)
    if depth:
        try:
            yield
        finally:
            with _held_guard:
                _held[root] = (me, depth)
        return

    if root.exists() and not root.is_dir():
        raise DataDirError(f"data directory {root} is not a directory")
    root.mkdir(parents=True, exist_ok=True)
    lock_path = root / LOCK_FILE
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirLocked(
                f"data directory {root} is in use by another govharvest command"
                f"{_holder(lock_path)}; wait for it to finish or use another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.write(fd, f"{command}, pid {os.getpid()}, since {started}\n".encode())
        with _held_guard:
            _held[root] = (me, 1)
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(root, None)
    finally:
        os.close(fd)  # closing the descriptor releases the flock
