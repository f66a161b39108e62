"""Scale-out: the same nightly flow on a local Dask cluster yields the same warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.helpers import content_fingerprint

pytestmark = pytest.mark.slow

SITES = ["demo-hunan", "demo-trs"]


def test_dask_runner_matches_default_runner(
    prefect_harness: None, demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.harvest import nightly

    default_dir = tmp_path / "default"
    dask_dir = tmp_path / "dask"
    nightly(sites=SITES, data_dir=str(default_dir), base_url=demo_site.base_url)
    runner = DaskTaskRunner(
        cluster_kwargs={"n_workers": 2, "processes": True, "threads_per_worker": 1,
                        "dashboard_address": None}
    )
    on_dask = nightly.with_options(task_runner=runner)
    result = on_dask(sites=SITES, data_dir=str(dask_dir), base_url=demo_site.base_url)
    assert all(s["error"] is None for s in result["sites"].values())
    assert content_fingerprint(dask_dir / "warehouse.duckdb") == content_fingerprint(
        default_dir / "warehouse.duckdb"
    )
