"""Prefect's temporary API server dies with the govharvest command that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

GOVHARVEST = Path(sys.executable).with_name("govharvest")


def _uvicorn_children(proc: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in proc.children(recursive=True):
        try:
            if "uvicorn" in " ".join(child.cmdline()):  # past exec: the death signal is armed
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_a_sigkilled_command_leaves_no_prefect_server_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "archive" / "warc").mkdir(parents=True)
    (data / "archive" / "warc" / "r1-demo.warc.gz").write_bytes(b"")  # enough to start
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": ""}
    cli = subprocess.Popen([str(GOVHARVEST), "reprocess", "--data-dir", str(data)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    survivors: list[psutil.Process] = []
    try:
        parent = psutil.Process(cli.pid)
        deadline = time.monotonic() + 120
        servers: list[psutil.Process] = []
        while not servers and time.monotonic() < deadline and cli.poll() is None:
            servers = _uvicorn_children(parent)
            time.sleep(0.1)
        assert servers, "the command never started Prefect's temporary server"
        descendants = parent.children(recursive=True)
        os.kill(cli.pid, signal.SIGKILL)
        cli.wait()
        _gone, survivors = psutil.wait_procs(descendants, timeout=10)
        assert survivors == [], f"still running after the CLI was killed: {survivors}"
    finally:
        for proc in survivors:
            proc.kill()
        if cli.poll() is None:
            cli.kill()
            cli.wait()
