"""prefect.yaml for real: a Prefect server and a process worker on 127.0.0.1, `prefect deploy
--all`, then the nightly deployment triggered against the demo site until it is Completed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(api: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with {proc.returncode}")
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError("prefect server did not become healthy")


@pytest.fixture()
def prefect_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "GOVHARVEST_PROJECT_DIR": str(ROOT),
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=(logs / "server.log").open("wb"), stderr=subprocess.STDOUT,
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        _wait_healthy(env["PREFECT_API_URL"], server)
        subprocess.run([PREFECT, "work-pool", "create", "govharvest", "--type", "process"],
                       env=env, check=True, capture_output=True, timeout=120)
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "govharvest", "--type", "process"],
            env=env, cwd=ROOT, stdout=(logs / "worker.log").open("wb"), stderr=subprocess.STDOUT,
        )
        env["_LOGS"] = str(logs)
        yield env
    finally:
        for proc in (worker, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _retrying(call: Callable[[], httpx.Response], attempts: int = 5) -> httpx.Response:
    """Like Prefect's own client: a 5xx from the server's SQLite (busy while the scheduler
    inserts the nightly cron's runs) is retried, anything else is returned as is."""
    response = call()
    for _ in range(attempts - 1):
        if response.status_code < 500:
            break
        time.sleep(1)
        response = call()
    return response


def _server_log(env: dict[str, str]) -> str:
    return (Path(env["_LOGS"]) / "server.log").read_text(errors="replace")[-4000:]


def test_nightly_deployment_runs_on_a_real_worker(
    prefect_env: dict[str, str], demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    deploy = subprocess.run([PREFECT, "--no-prompt", "deploy", "--all"], env=prefect_env,
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr

    api = prefect_env["PREFECT_API_URL"]
    with httpx.Client(base_url=api, timeout=30) as client:
        found = _retrying(lambda: client.get("/deployments/name/nightly/nightly"))
        assert found.status_code == 200, found.text + _server_log(prefect_env)
        deployment = found.json()
        schedules = deployment["schedules"]
        assert schedules[0]["schedule"]["cron"] == "0 2 * * *"
        assert schedules[0]["schedule"]["timezone"] == "Asia/Shanghai"
        for name in ("harvest-site/harvest-site", "reprocess/reprocess", "export/export"):
            assert _retrying(partial(client.get, f"/deployments/name/{name}")).status_code == 200

        data = tmp_path / "data"
        params = {"sites": ["demo-hunan", "demo-trs", "demo-hanweb"], "data_dir": str(data),
                  "base_url": demo_site.base_url}
        created = _retrying(lambda: client.post(
            f"/deployments/{deployment['id']}/create_flow_run", json={"parameters": params}))
        assert created.status_code == 201, created.text + _server_log(prefect_env)
        run = created.json()
        deadline = time.monotonic() + 600
        state = None
        while time.monotonic() < deadline:
            state = _retrying(lambda: client.get(f"/flow_runs/{run['id']}")).json()["state"]
            if state and state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
                break
            time.sleep(2)
    logs = Path(prefect_env["_LOGS"])
    assert state is not None and state["type"] == "COMPLETED", (
        json.dumps(state, indent=1) + (logs / "worker.log").read_text(errors="replace")[-4000:]
    )
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        docs = con.execute("SELECT count(*) FROM dim_document WHERE is_current").fetchone()
        tasks = con.execute("SELECT count(*) FROM fact_task").fetchone()
    assert docs is not None and docs[0] >= 10
    assert tasks is not None and tasks[0] > 100


def _flow_run_process(flow_run_id: str) -> int | None:
    """PID of the process running `flow_run_id` (the process worker names it in the child's
    environment), or None."""
    marker = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                return int(proc.name)
        except OSError:
            continue
    return None


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_run_whose_machine_dies_is_marked_crashed_by_the_automation(
    prefect_env: dict[str, str], demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """Worker and flow-run process killed mid-run, as a lost machine would be: nobody is left
    to report the run, so only flows/automations.yaml, missing its heartbeats, can end it."""
    import signal

    from prefect.events.schemas.automations import AutomationCore

    from tests.flows.helpers import shipped_automation

    for cmd in (["deploy", "--all"],
                ["automation", "create", "--from-file", "flows/automations.yaml"]):
        done = subprocess.run([PREFECT, "--no-prompt", *cmd], env=prefect_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    # The shipped automation waits 5 minutes for beats sent every 60 s; the same automation
    # with a 40 s window and this run beating every 30 s (Prefect's minimum) is the test.
    shipped = shipped_automation()
    quick = AutomationCore.model_validate(
        {**shipped, "name": "quick", "trigger": {**shipped["trigger"], "within": 40}})
    api = prefect_env["PREFECT_API_URL"]
    with httpx.Client(base_url=api, timeout=30) as client:
        listed = _retrying(lambda: client.post("/automations/filter", json={})).json()
        assert "govharvest-crash-silent-runs" in {a["name"] for a in listed}
        assert _retrying(lambda: client.post(
            "/automations/", json=quick.model_dump(mode="json"))).status_code == 201
        deployment = _retrying(lambda: client.get("/deployments/name/nightly/nightly")).json()
        assert deployment["job_variables"]["env"]["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "60"
        params = {"sites": ["demo-hunan", "demo-trs", "demo-hanweb"],
                  "data_dir": str(tmp_path / "data"), "base_url": demo_site.base_url,
                  "delay": 1.0}  # a run of minutes, to be killed in its first one
        created = _retrying(lambda: client.post(
            f"/deployments/{deployment['id']}/create_flow_run",
            json={"parameters": params,
                  "job_variables": {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}}}))
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]

        def state() -> dict[str, Any]:
            return _retrying(lambda: client.get(f"/flow_runs/{run_id}")).json()["state"]

        deadline = time.monotonic() + 180
        pid = None
        while time.monotonic() < deadline and pid is None:
            if state()["type"] == "RUNNING":
                pid = _flow_run_process(run_id)
            time.sleep(1)
        assert pid is not None, json.dumps(state())
        time.sleep(5)  # past the run's first heartbeat, sent as its body starts
        worker = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        command = Path(f"/proc/{worker}/cmdline").read_bytes().split(b"\0")
        assert b"worker" in command and worker != 1, command  # never signal anything else
        os.kill(worker, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)

        deadline = time.monotonic() + 150
        final = state()
        while time.monotonic() < deadline and final["type"] == "RUNNING":
            time.sleep(2)
            final = state()
    assert final["type"] == "CRASHED", json.dumps(final) + _server_log(prefect_env)
    assert "No heartbeat" in (final.get("message") or "")
