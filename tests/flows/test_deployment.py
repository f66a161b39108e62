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
from pathlib import Path

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
            assert _retrying(lambda n=name: client.get(f"/deployments/name/{n}")
                             ).status_code == 200

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
