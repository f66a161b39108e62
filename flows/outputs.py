"""After a run has loaded: the warehouse checks, the Parquet export, the quality report and
the dashboard."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import warehouse.export
from dashboards.build import build_dashboard
from expectations.report import build_reports
from expectations.tables import validate_warehouse
from flows.config import DataPaths
from warehouse.load import record_dq_results

T = TypeVar("T")


def finish_outputs(paths: DataPaths, run_id: str,
                   timings: dict[str, float] | None = None) -> dict[str, Path]:
    """After loading: warehouse checks, then the Parquet export beside the quality report
    and the dashboard.

    The export is DuckDB's own work and releases the GIL, so it runs on a second thread
    while the report and the dashboard (Python, mostly) run here. It starts once the checks
    have recorded their results, so the export holds them too, and nothing writes the
    warehouse while it runs. `timings`, if given, gets each step's own seconds (the export's
    overlap the others'); bench/nightly.py reports them."""

    def timed(step: str, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        if timings is not None:
            timings[step] = timings.get(step, 0.0) + time.perf_counter() - start
        return out

    def check() -> None:
        results = validate_warehouse(paths.warehouse, run_id=run_id, gx_dir=paths.gx)
        if results.height:
            record_dq_results(paths.warehouse, results)

    timed("warehouse_suites", check)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet") as pool:
        export = pool.submit(timed, "parquet", warehouse.export.export_parquet,
                             paths.warehouse, paths.parquet)
        report = timed("reports", build_reports, paths.warehouse, paths.gx, paths.reports)
        dashboard = timed("dashboard", build_dashboard, paths.warehouse, paths.dashboard,
                          reports_dir=paths.reports)
        export.result()  # re-raises the export's error, if any
    return {"warehouse": paths.warehouse, "parquet": paths.parquet, "report": report,
            "dashboard": dashboard}
