"""User errors at the command line: one or two lines on stderr, exit code 2, no traceback.

Covers a busy data directory (issue #24 item 9), data directories that hold nothing to read
(item 10) and bad input (item 11). The lock tests run the installed script, as users do;
the others run the app in-process.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from demo.serving import BackgroundServer
from flows.cli import app
from flows.datadir import LOCK_FILE
from warehouse.db import WarehouseError, connect

GOVHARVEST = Path(sys.executable).with_name("govharvest")
runner = CliRunner()

LOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(120)
"""
WAREHOUSE_WRITER = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


def assert_user_error(stderr: str, exit_code: int, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert exit_code == 2, stderr
    assert 1 <= len(lines) <= 2, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, stderr


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


Hold = Callable[[str, Path], None]


@pytest.fixture()
def holding() -> Iterator[Hold]:
    """holding(script, path): run a helper process that holds `path` until the test ends."""
    procs: list[subprocess.Popen[str]] = []

    def hold(script: str, path: Path) -> None:
        proc = subprocess.Popen([sys.executable, "-c", script, str(path)],
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


HITS: list[str] = []  # paths the local site was asked for


class _Counting(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        HITS.append(self.path)
        body = b"<html><body><ul><li><a href='/a/1.html'>x</a> 2024-01-01</li></ul></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def site() -> Iterator[str]:
    """A local site that counts every request it gets."""
    HITS.clear()
    with BackgroundServer(_Counting) as server:
        yield server.base_url


def run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    return subprocess.run([str(GOVHARVEST), *args], capture_output=True, text=True,
                          timeout=120, env=env)


# --- item 9: one command per data directory ----------------------------------------------

@pytest.mark.slow
def test_a_second_harvest_on_a_busy_data_dir_fetches_nothing(tmp_path: Path, site: str,
                                                             holding: Hold) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holding(LOCK_HOLDER, data / LOCK_FILE)
    out = run_cli("harvest", "--start-url", f"{site}/list.html", "--allow-host", "127.0.0.1",
                  "--data-dir", str(data), tmp_path=tmp_path)
    assert_user_error(out.stderr, out.returncode, "is in use by another govharvest command")
    assert HITS == []
    out = run_cli("nightly", "--site", "demo-hunan", "--base-url", site + "/",
                  "--data-dir", str(data), tmp_path=tmp_path)
    assert_user_error(out.stderr, out.returncode, "is in use")
    assert HITS == []
    assert not (data / "archive").exists()


@pytest.mark.slow
def test_reprocess_on_a_busy_data_dir_is_refused(tmp_path: Path, holding: Hold) -> None:
    data = tmp_path / "data"
    (data / "archive" / "warc").mkdir(parents=True)
    (data / "archive" / "warc" / "r1-demo.warc.gz").write_bytes(b"")
    holding(LOCK_HOLDER, data / LOCK_FILE)
    out = run_cli("reprocess", "--data-dir", str(data), tmp_path=tmp_path)
    assert_user_error(out.stderr, out.returncode, "is in use")
    assert not (data / "warehouse.duckdb").exists()


@pytest.mark.parametrize("problem", ["held by a writer", "not duckdb"])
def test_a_harvest_checks_the_warehouse_before_fetching(tmp_path: Path, site: str,
                                                        holding: Hold, problem: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if problem == "held by a writer":  # e.g. a duckdb shell left open on it
        connect(data / "warehouse.duckdb").close()
        holding(WAREHOUSE_WRITER, data / "warehouse.duckdb")
        needle = "is locked by another process"
    else:
        (data / "warehouse.duckdb").write_text("not a database\n" * 300)
        needle = "is not a DuckDB database"
    result = invoke("harvest", "--start-url", f"{site}/list.html", "--allow-host", "127.0.0.1",
                    "--data-dir", str(data))
    assert_user_error(result.stderr, result.exit_code, needle)
    assert HITS == []


# --- item 10: commands that read state refuse a data directory without it ----------------

WAREHOUSE_COMMANDS = [("sql", "SELECT 1"), ("export", "parquet"), ("dashboard",), ("validate",)]


@pytest.mark.parametrize("command", [("reprocess",), *WAREHOUSE_COMMANDS], ids=lambda c: c[0])
@pytest.mark.parametrize("where", ["missing", "file"])
def test_state_commands_refuse_a_missing_or_file_data_dir(tmp_path: Path, command: tuple[str, ...],
                                                           where: str) -> None:
    root = tmp_path / "data"
    if where == "file":
        root.write_text("a file, not a data directory")
    result = invoke(*command, "--data-dir", str(root))
    assert_user_error(result.stderr, result.exit_code,
                      "does not exist" if where == "missing" else "is not a directory")


def test_reprocess_refuses_a_data_dir_without_an_archive(tmp_path: Path) -> None:
    result = invoke("reprocess", "--data-dir", str(tmp_path))
    assert_user_error(result.stderr, result.exit_code, "no archive in", str(tmp_path))


@pytest.mark.parametrize("command", WAREHOUSE_COMMANDS, ids=lambda c: c[0])
def test_warehouse_commands_refuse_a_data_dir_without_a_warehouse(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = invoke(*command, "--data-dir", str(tmp_path))
    assert_user_error(result.stderr, result.exit_code, "no warehouse at")


@pytest.mark.parametrize("command", WAREHOUSE_COMMANDS, ids=lambda c: c[0])
def test_warehouse_commands_refuse_a_file_that_is_not_duckdb(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "warehouse.duckdb").write_text("id,name\n1,not a database\n" * 200)
    result = invoke(*command, "--data-dir", str(tmp_path))
    assert_user_error(result.stderr, result.exit_code, "is not a DuckDB database")


def test_opening_a_file_that_is_not_duckdb_is_a_warehouse_error(tmp_path: Path) -> None:
    """The load path (harvest, nightly) opens the warehouse for writing: same message."""
    path = tmp_path / "warehouse.duckdb"
    path.write_text("not a database\n" * 300)
    for read_only in (False, True):
        with pytest.raises(WarehouseError, match="is not a DuckDB database"):
            connect(path, read_only=read_only)


# --- item 11: bad input -------------------------------------------------------------------

BAD_INPUT = {
    "unknown site": (["harvest", "--site", "no-such-site"], "known profiles: demo-generic"),
    "bad url": (["harvest", "--start-url", "notaurl"], "start URL must be absolute"),
    "bad date": (["harvest", "--site", "demo-hunan", "--since", "2024-13-45"],
                 "--since must be a date YYYY-MM-DD"),
    "negative delay": (["harvest", "--site", "demo-hunan", "--delay", "-1"], "--delay"),
    "nightly unknown site": (["nightly", "--site", "no-such-site"], "no profile named"),
    "no site": (["harvest"], "give exactly one of --site or --start-url"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_a_short_user_error(tmp_path: Path, case: str) -> None:
    args, needle = BAD_INPUT[case]
    data = tmp_path / "data"
    result = invoke(*args, "--data-dir", str(data))
    assert_user_error(result.stderr, result.exit_code, needle)
    assert not data.exists()  # refused before anything was written


@pytest.mark.parametrize("text,needle", [
    ("extends: hunan\nhosts: [x\nstart_urls: [/]\n", "cannot read profile"),
    ("name: x\nbase_url: notaurl\nhosts: []\nbogus: 1\n", "base_url must be an absolute"),
])
def test_an_invalid_profile_file_is_a_short_user_error(tmp_path: Path, text: str,
                                                       needle: str) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(text, encoding="utf-8")
    result = invoke("harvest", "--site", str(profile), "--data-dir", str(tmp_path / "data"))
    assert_user_error(result.stderr, result.exit_code, needle)


@pytest.mark.parametrize("command", WAREHOUSE_COMMANDS, ids=lambda c: c[0])
def test_a_warehouse_held_by_another_writer_is_a_short_user_error(
        tmp_path: Path, holding: Hold, command: tuple[str, ...]) -> None:
    connect(tmp_path / "warehouse.duckdb").close()
    holding(WAREHOUSE_WRITER, tmp_path / "warehouse.duckdb")
    result = invoke(*command, "--data-dir", str(tmp_path))
    assert_user_error(result.stderr, result.exit_code, "is locked by another process")


@pytest.mark.slow
def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from extract.profile import ProfileError

    result = invoke("--debug", "harvest", "--site", "no-such-site",
                    "--data-dir", str(tmp_path))
    assert isinstance(result.exception, ProfileError)
    out = run_cli("--debug", "harvest", "--site", "no-such-site", "--data-dir", str(tmp_path),
                  tmp_path=tmp_path)
    assert out.returncode == 1 and "Traceback" in out.stderr


# --- a run that failed for a reason its summary gives -------------------------------------


@pytest.mark.parametrize("command, flow, error", [
    (("nightly",), "flows.harvest.nightly", "flows.harvest.NothingLoaded"),
    (("reprocess",), "flows.maintenance.reprocess", "flows.maintenance.ReprocessFailed"),
], ids=["nightly", "reprocess"])
def test_a_failed_run_says_why_in_a_line_and_exits_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], flow: str,
        error: str) -> None:
    import importlib

    module, name = error.rsplit(".", 1)
    failure = getattr(importlib.import_module(module), name)

    def failing_flow(**_: object) -> None:
        raise failure("xtsf.xiangtan.gov.cn: SiteUnavailable: robots.txt unreachable")

    monkeypatch.setattr(flow, failing_flow)
    monkeypatch.setattr("flows.cli.harvest.start_temporary_server", lambda: None)
    warc = tmp_path / "archive" / "warc"
    warc.mkdir(parents=True)
    (warc / "20260101T000000Z-x.warc.gz").write_bytes(b"")  # reprocess wants an archive
    result = invoke(*command, "--data-dir", str(tmp_path))
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, result.stderr
    assert lines == ["error: xtsf.xiangtan.gov.cn: SiteUnavailable: robots.txt unreachable"]
