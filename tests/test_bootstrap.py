"""`make install` is what both README commands go through: a second run must do nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP = ROOT / ".venv" / ".installed"


@pytest.mark.slow  # runs make (and uv) twice
def test_make_install_is_idempotent() -> None:
    first = subprocess.run(["make", "install"], cwd=ROOT, capture_output=True, text=True,
                           timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    stamp_mtime = STAMP.stat().st_mtime_ns
    second = subprocess.run(["make", "install"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "uv sync" not in second.stdout  # nothing re-resolved or re-installed
    assert STAMP.stat().st_mtime_ns == stamp_mtime
    dry = subprocess.run(["make", "-q", "install"], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0  # make agrees the target is up to date


def test_lock_file_pins_what_pyproject_asks_for() -> None:
    lock = (ROOT / "uv.lock").read_text()
    assert 'name = "prefect"\nversion = "3.8.8"' in lock
    assert 'name = "fastapi"\nversion = "0.150.' in lock


def test_installed_packages_carry_their_bytecode() -> None:
    # Without it a process where PYTHONDONTWRITEBYTECODE is set recompiles every import.
    import great_expectations
    import prefect

    for package in (great_expectations, prefect):
        cache = Path(package.__file__).parent / "__pycache__"
        assert list(cache.glob("__init__.cpython-311*.pyc")), f"{cache} has no bytecode"
