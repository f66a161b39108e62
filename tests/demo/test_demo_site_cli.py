"""`govharvest demo-site`: serves the demo portal on a real port until Ctrl-C; without the
source tree (an installed wheel has no demo/ package) the demo commands say so."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from flows.cli.demosite import NEEDS_SOURCE

ROOT = Path(__file__).resolve().parents[2]
GOVHARVEST = Path(sys.executable).parent / "govharvest"
# The installed CLI with the demo package made unimportable, as in a wheel without the source.
WITHOUT_DEMO = """
import sys
sys.modules["demo"] = None
from flows.cli import main
sys.argv = ["govharvest", *sys.argv[1:]]
main()
"""


def test_demo_site_serves_until_interrupted() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen([str(GOVHARVEST), "demo-site", "--port", "0", "--revision", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"serving on (http://127\.0\.0\.1:\d+) \(revision 2", first)
        assert match, first
        page = requests.get(match.group(1) + "/trs/fzzfjs/index.html", timeout=5)
        assert page.status_code == 200 and "createPageHTML(" in page.text
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in out


@pytest.mark.parametrize("command", [["demo-site", "--port", "0"], ["demo", "--port", "0"]])
def test_without_the_demo_package_the_demo_commands_are_a_user_error(
        command: list[str], tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    out = subprocess.run([sys.executable, "-c", WITHOUT_DEMO, *command, *(
        ["--data-dir", str(data_dir)] if command[0] == "demo" else [])],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip() == f"error: {NEEDS_SOURCE}"
    assert not data_dir.exists()  # refused before anything was written
