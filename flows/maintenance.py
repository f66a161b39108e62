"""Flows that need no network: `reprocess`, `export`, `report`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.utilities.annotations import quote

from extract.handover import archived_sites, index_unindexed
from flows import pipeline, tasks
from flows.config import resolve_paths
from flows.datadir import data_dir_lock
from flows.pipeline import ARCHIVE_DAMAGED
from flows.summary import LOAD_COUNTS, SiteOutcome, bad_manifests, run_markdown
from warehouse.export import export_parquet
from warehouse.lineage_load import rebuild_lineage_at
from warehouse.runs import record_failed_site


class ReprocessFailed(RuntimeError):
    """A site could not be rebuilt (the others were); the run summary says why."""


@flow(name="reprocess", log_prints=True)
def reprocess(data_dir: str = "data") -> dict[str, Any]:
    """Rebuild the warehouse from the raw archive alone, one site at a time (memory follows
    the largest site, not the archive); idempotent like every load.

    The WARC files are the source of truth: those no index manifest covers are indexed
    first. An unreadable record is skipped and quarantined (`archive_damaged`, counted per
    site); a site that fails still lets the later ones load, and then fails the run."""
    logger = get_run_logger()
    paths = resolve_paths(Path(data_dir))
    run_id = pipeline.new_run_id()
    outcomes: list[SiteOutcome] = []
    with data_dir_lock(paths.root, "reprocess flow"):  # deployments enter without the CLI
        damaged = index_unindexed(paths.archive)
        sites = sorted({*archived_sites(paths.archive), *damaged})
        for site in sites:
            try:
                batch = tasks.reprocess_site(site, paths, run_id, tuple(damaged.get(site, ())))
                # No lineage per batch: rebuild_lineage_at below computes it whole.
                summary = tasks.load_batch(quote(batch), paths,  # type: ignore[call-overload]
                                           lineage=False)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                logger.error("reprocess %s %s failed: %s", run_id, site, error)
                record_failed_site(paths.warehouse, site, run_id, error)
                outcomes.append(SiteOutcome(site=site, error=error))
                continue
            logger.info("reprocess %s %s: %s", run_id, site, summary)
            outcomes.append(SiteOutcome(site=site, counts=batch.counts, load=summary))
        # Unchanged documents load as no-ops: task lineage (issue #28) is recomputed whole.
        lineage_rows = rebuild_lineage_at(paths.warehouse)
        logger.info("reprocess %s: %d task lineage rows rebuilt", run_id, lineage_rows)
    markdown = run_markdown(run_id, outcomes, {}, kind="reprocess")
    create_markdown_artifact(markdown, key="govharvest-reprocess-summary",
                             description=f"govharvest reprocess {run_id}")
    if failed := [o for o in outcomes if o.error]:
        raise ReprocessFailed("; ".join(f"{o.site}: {o.error}" for o in failed))
    totals = {key: sum(o.load_counts().get(key, 0) for o in outcomes) for key in LOAD_COUNTS}
    totals[ARCHIVE_DAMAGED] = sum(o.counts.get(ARCHIVE_DAMAGED, 0) for o in outcomes)
    return {"run_id": run_id, "sites": len(sites), **totals,
            "per_site": {o.site: {**o.counts, **o.load_counts()} for o in outcomes},
            "bad_manifests": bad_manifests(outcomes),
            "markdown": markdown}


@flow(name="export", log_prints=True)
def export(data_dir: str = "data", full: bool = False) -> str:
    """Write the warehouse tables as Parquet under the data directory: those whose content
    changed since the last export, or every one with `full`."""
    paths = resolve_paths(Path(data_dir))
    export_parquet(paths.warehouse, paths.parquet, full=full)
    return str(paths.parquet)


@flow(name="report", log_prints=True)
def report(data_dir: str = "data") -> dict[str, str]:
    """Re-run the warehouse checks and rebuild the quality report and the dashboard."""
    paths = resolve_paths(Path(data_dir))
    return tasks.finish_outputs(paths, pipeline.new_run_id())
