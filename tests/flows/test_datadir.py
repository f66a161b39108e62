"""The data-directory lock and the checks of commands that read state (flows/datadir.py)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.config import DataPaths
from flows.datadir import (
    LOCK_FILE,
    DataDirError,
    DataDirLocked,
    data_dir_lock,
    require_archive,
    require_warehouse,
)

# A process that takes the lock the way govharvest does, says so, and sleeps.
HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"test holder")
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture()
def held(tmp_path: Path) -> Iterator[Path]:
    """A data directory whose lock another process holds."""
    data = tmp_path / "data"
    data.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data / LOCK_FILE)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    try:
        yield data
    finally:
        proc.kill()
        proc.wait()


def test_a_lock_held_by_another_process_is_refused(held: Path) -> None:
    with pytest.raises(DataDirLocked, match="in use by another govharvest command"), \
            data_dir_lock(held, "harvest"):
        pass


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data / LOCK_FILE)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with data_dir_lock(data, "harvest"):
        assert f"pid {os.getpid()}" in (data / LOCK_FILE).read_text("utf-8")


def test_the_holding_thread_may_take_it_again_but_no_other_thread(tmp_path: Path) -> None:
    seen: list[BaseException | None] = []

    def other() -> None:
        try:
            with data_dir_lock(tmp_path, "other"):
                seen.append(None)
        except DataDirLocked as exc:
            seen.append(exc)

    with data_dir_lock(tmp_path, "cli"):
        with data_dir_lock(tmp_path, "flow"):  # the CLI, then the flow it runs
            pass
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert isinstance(seen[0], DataDirLocked)
    with data_dir_lock(tmp_path, "after"):  # released once the outer block ends
        pass


@pytest.mark.parametrize("flow_name", ["harvest_site", "nightly", "reprocess"])
def test_flows_take_the_lock_themselves(held: Path, flow_name: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Deployments run the flows without the CLI: the flow function refuses a busy data
    directory before any work (called through .fn, without a Prefect server; with Prefect's
    run loggers disabled, get_run_logger gives a null logger outside a run)."""
    from flows import harvest, maintenance

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", True)

    flows = {"harvest_site": lambda: harvest.harvest_site.fn("demo-hunan", str(held)),
             "nightly": lambda: harvest.nightly.fn(["demo-hunan"], str(held)),
             "reprocess": lambda: maintenance.reprocess.fn(str(held))}
    with pytest.raises(DataDirLocked):
        flows[flow_name]()


def test_require_archive_and_warehouse_refuse_unusable_data_dirs(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("not a directory")
    for root, needle in ((tmp_path / "missing", "does not exist"),
                         (a_file, "is not a directory"),
                         (tmp_path, "no archive")):
        with pytest.raises(DataDirError, match=needle):
            require_archive(DataPaths(root))
    with pytest.raises(DataDirError, match="no warehouse at"):
        require_warehouse(DataPaths(tmp_path))
    (tmp_path / "warehouse.duckdb").write_bytes(b"x" * 4096)
    with pytest.raises(DataDirError, match="not a DuckDB database"):
        require_warehouse(DataPaths(tmp_path))
