"""The `govharvest` entry point, run as users run it: a subprocess of the installed script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts the installed script (a second or more): not in `make test-fast`.
pytestmark = pytest.mark.slow

GOVHARVEST = Path(sys.executable).with_name("govharvest")


def run(
    *args: str, env: dict[str, str] | None = None, timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GOVHARVEST), *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_help_lists_every_stage_command() -> None:
    out = run("--help")
    assert out.returncode == 0, out.stderr
    for command in ("doctor", "harvest", "nightly", "reprocess", "demo"):
        assert command in out.stdout


@pytest.mark.parametrize("command", ["doctor", "harvest", "nightly", "reprocess", "demo"])
def test_every_command_has_help(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0, out.stderr
    assert "--data-dir" in out.stdout


def test_version_matches_package_metadata() -> None:
    from importlib.metadata import version

    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"govharvest {version('govharvest')}"


def test_doctor_checks_pass_and_report_versions(tmp_path: Path) -> None:
    out = run("doctor", "--data-dir", str(tmp_path / "data"))
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ("prefect", "duckdb", "polars", "opencc", "great-expectations"):
        assert name in out.stdout
    assert "ok   opencc" in out.stdout
    assert "ok   duckdb" in out.stdout
    assert "ok   prefect" in out.stdout
    assert "all checks passed" in out.stdout


def test_doctor_fails_clearly_on_unusable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    out = run("doctor", "--data-dir", str(blocker / "data"))
    assert out.returncode == 1
    assert "FAIL duckdb" in out.stdout
    assert "check(s) failed" in out.stdout


def test_data_dir_comes_from_environment_and_the_flag_wins(tmp_path: Path) -> None:
    env = {"GOVHARVEST_DATA_DIR": str(tmp_path / "envdata")}
    for name in ("envdata", "flagdata"):  # data directories without a warehouse
        (tmp_path / name).mkdir()
    out = run("sql", "SELECT 1", env=env)
    assert f"{tmp_path / 'envdata'}/warehouse.duckdb" in out.stdout + out.stderr
    out = run("sql", "SELECT 1", "--data-dir", str(tmp_path / "flagdata"), env=env)
    assert f"{tmp_path / 'flagdata'}/warehouse.duckdb" in out.stdout + out.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_is_the_main_job_and_a_second_run_finds_nothing_new(tmp_path: Path) -> None:
    """What `make demo` runs: serve the site, run nightly, say where everything went."""
    data, port = tmp_path / "data", str(_free_port())
    env = {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING",
           "COLUMNS": "200"}
    first = run("demo", "--data-dir", str(data), "--port", port, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"demo site serving on http://127.0.0.1:{port}" in first.stdout
    lines = {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
             for line in first.stdout.splitlines()
             if line.startswith(("warehouse:", "parquet:", "quality report:", "dashboard:"))}
    assert set(lines) == {"warehouse", "parquet", "quality report", "dashboard"}
    assert all(Path(where).exists() for where in lines.values())
    new = re.search(r"^(\d+) new and (\d+) changed documents", first.stdout, re.M)
    assert new is not None and int(new[1]) >= 10 and "Try:" in first.stdout

    second = run("demo", "--data-dir", str(data), "--port", port, env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 new and 0 changed documents" in second.stdout
