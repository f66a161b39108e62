"""A run's bookkeeping: each site's batch loaded with its side tables and run_log row, a
failed site's run_log row, and which runs completed.

`load_sites` is the single writer of a run: the sites' documents merged together (one
merge costs ~0.06 s whether it holds 1 document or 1,000, so a night's small sites share
one), then per site its quarantine, quality results and run_log row, plus the archive
manifests, all on one connection (opening and checkpointing the warehouse costs ~0.1 s
more).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from extract.archive import compact_manifests
from warehouse import load
from warehouse.db import connect, writer
from warehouse.frames import BatchFrames, concat_frames, split_frames

# extract's page counts that run_log keeps, each in its own column.
RUN_COUNTS = ("pages_fetched", "not_modified", "failed", "blocked", "out_of_scope",
              "too_large", "timeout")
ERROR_CHARS = 200  # of a failed site's error, kept in its run_log status


@dataclass(frozen=True, slots=True)
class SiteLoad:
    """One site's gated batch of a run, as the loader takes it."""

    site: str
    run_id: str
    frames: BatchFrames  # accepted documents
    quarantined: pl.DataFrame  # source, url, reason, detail
    dq_results: pl.DataFrame | None
    counts: Mapping[str, int]  # extract's page counts
    started_at: dt.datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class LoadSummary:
    site: str
    new: int
    changed: int
    unchanged: int
    quarantined: int
    # Archive manifests the warehouse could not load (name: why), as of this load.
    bad_manifests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run_log row: a site's run, what extract counted and what the load made of it."""

    run_id: str
    site: str
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str  # "ok", "failed" or "error: <why>"
    counts: Mapping[str, int] = field(default_factory=dict)  # extract's page counts
    new_docs: int = 0
    changed_docs: int = 0
    quarantined: int = 0

    def row(self) -> dict[str, object]:
        return {"run_id": self.run_id, "site": self.site, "started_at": self.started_at,
                "finished_at": self.finished_at, "status": self.status,
                **{key: self.counts.get(key, 0) for key in RUN_COUNTS},
                "new_docs": self.new_docs, "changed_docs": self.changed_docs,
                "quarantined": self.quarantined}


def load_sites(sites: Sequence[SiteLoad], warehouse: Path, archive_dir: Path, *,
               lineage: bool = True) -> list[LoadSummary]:
    """Load the sites' batches (see the module docstring); one summary per site, in order.
    `lineage`: as `warehouse.load.load_batch` takes it."""
    runs: dict[str, list[SiteLoad]] = {}
    for site in sites:
        runs.setdefault(site.run_id, []).append(site)
    summaries: list[LoadSummary] = []
    with writer(warehouse) as con:
        statuses: dict[str, str] = {}  # url -> new/changed/unchanged, to count per site
        for run_id, group in runs.items():
            combined = concat_frames([s.frames for s in group])
            for part in split_frames(combined, load.DEFAULT_BATCH_SIZE):
                if part.document.height:
                    load.load_batch(con, part, run_id=run_id, lineage=lineage)
                    statuses.update(load.document_statuses(con))
        for site in sites:
            load.record_quarantine(con, site.quarantined)
            if site.dq_results is not None:
                load.record_dq_results(con, site.dq_results)
            counted = Counter(statuses.get(url) for url in site.frames.document["url"])
            summaries.append(LoadSummary(site.site, counted["new"], counted["changed"],
                                         counted["unchanged"], site.quarantined.height))
        load.load_archive_manifests(con, archive_dir)
        if bad := tuple(f"{name}: {why}" for name, why in load.manifest_failures(con).items()):
            summaries = [replace(s, bad_manifests=bad) for s in summaries]
        for site, summary in zip(sites, summaries, strict=True):
            # The site's worker is done with its manifests: merge the loaded ones if many.
            load.record_compactions(con, compact_manifests(
                archive_dir, site.site, loaded=load.manifest_ledger(con),
                ledgered=load.MANIFEST_FOLDERS.values()))
            load.record_run(con, RunRecord(
                site.run_id, site.site, site.started_at, dt.datetime.now(dt.UTC),
                "failed" if site.error else "ok", site.counts, summary.new, summary.changed,
                site.quarantined.height).row())
    return summaries


def record_failed_site(warehouse: Path, site: str, run_id: str, error: str) -> None:
    """A site whose harvest raised still leaves a run_log row saying why."""
    now = dt.datetime.now(dt.UTC)
    load.record_run(warehouse, RunRecord(run_id, site, now, now,
                                         f"error: {error[:ERROR_CHARS]}").row())


def completed_runs(warehouse: Path) -> dict[str, frozenset[str]]:
    """Per site, the runs whose pages reached the warehouse (run_log status ok)."""
    if not warehouse.exists():
        return {}
    try:
        con = connect(warehouse, read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute("SELECT site, run_id FROM run_log WHERE status = 'ok'").fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for site, run in rows:
        out.setdefault(site, set()).add(run)
    return {site: frozenset(runs) for site, runs in out.items()}
