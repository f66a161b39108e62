"""Flows that need no network: `reprocess`, `export`, `report`."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.utilities.annotations import quote

from flows import pipeline, tasks
from flows.config import resolve_paths
from flows.datadir import data_dir_lock


@flow(name="reprocess", log_prints=True)
def reprocess(data_dir: str = "data") -> dict:
    """Rebuild the warehouse from the raw archive alone, one site at a time (memory follows
    the largest site, not the archive); idempotent like every load."""
    paths = resolve_paths(Path(data_dir))
    run_id = pipeline.new_run_id()
    totals = {"new": 0, "changed": 0, "unchanged": 0, "quarantined": 0}
    with data_dir_lock(paths.root, "reprocess flow"):  # deployments enter without the CLI
        sites = pipeline.archived_sites(paths)
        for site in sites:
            batch = tasks.reprocess_site(site, paths, run_id)
            summary = tasks.load_batch(quote(batch), paths)  # type: ignore[call-overload]
            get_run_logger().info("reprocess %s %s: %s", run_id, site, summary)
            for key in totals:
                totals[key] += getattr(summary, key)
    return {"run_id": run_id, "sites": len(sites), **totals}


@flow(name="export", log_prints=True)
def export(data_dir: str = "data", full: bool = False) -> str:
    """Write the warehouse tables as Parquet under the data directory: those whose content
    changed since the last export, or every one with `full`."""
    from warehouse.export import export_parquet

    paths = resolve_paths(Path(data_dir))
    export_parquet(paths.warehouse, paths.parquet, full=full)
    return str(paths.parquet)


@flow(name="report", log_prints=True)
def report(data_dir: str = "data") -> dict[str, str]:
    """Re-run the warehouse checks and rebuild the quality report and the dashboard."""
    paths = resolve_paths(Path(data_dir))
    return tasks.finish_outputs(paths, pipeline.new_run_id())
