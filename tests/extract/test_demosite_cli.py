"""`govharvest demo-site`: serves the demo portal on a real port until Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GOVHARVEST = Path(sys.executable).parent / "govharvest"


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
