"""The `govharvest` entry point, run as users run it: a subprocess of the installed script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    out = run("sql", "SELECT 1", env=env)
    assert f"{tmp_path / 'envdata'}/warehouse.duckdb" in out.stdout + out.stderr
    out = run("sql", "SELECT 1", "--data-dir", str(tmp_path / "flagdata"), env=env)
    assert f"{tmp_path / 'flagdata'}/warehouse.duckdb" in out.stdout + out.stderr
