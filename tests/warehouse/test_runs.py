"""A run's bookkeeping: run_log rows for loaded and failed sites, and completed runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from tests.warehouse.factories import sample_documents
from tests.warehouse.helpers import query
from warehouse.frames import documents_to_frames
from warehouse.runs import RunRecord, SiteLoad, completed_runs, load_sites, record_failed_site
from warehouse.schema import TABLES

T0 = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)
QUARANTINE = {"source": ["parse"], "url": ["http://x/bad.html"], "reason": ["unreadable_input"],
              "detail": ["binary"]}


def test_a_run_record_fills_every_run_log_column() -> None:
    row = RunRecord("r1", "site-a", T0, T0, "ok", {"pages_fetched": 3, "new": 2}).row()
    assert set(row) == set(TABLES["run_log"].names)
    assert row["pages_fetched"] == 3 and row["timeout"] == 0 and "new" not in row


def test_only_runs_that_loaded_count_as_completed(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    assert completed_runs(db) == {}  # no warehouse yet
    site = SiteLoad("site-a", "r1", documents_to_frames(sample_documents()),
                    pl.DataFrame(QUARANTINE), None, {"pages_fetched": 4, "not_modified": 1}, T0)
    (summary,) = load_sites([site], db, tmp_path / "archive")
    assert (summary.new, summary.changed, summary.quarantined) == (3, 0, 1)
    record_failed_site(db, "site-b", "r2", "SiteUnavailable: " + "x" * 500)
    assert completed_runs(db) == {"site-a": frozenset({"r1"})}
    rows = query(db, "SELECT site, pages_fetched, not_modified, new_docs, quarantined, status "
                     "FROM run_log ORDER BY site")
    assert rows[0] == ("site-a", 4, 1, 3, 1, "ok")
    assert rows[1][:5] == ("site-b", 0, 0, 0, 0)
    assert rows[1][5] == "error: SiteUnavailable: " + "x" * 183  # 200 characters of the error
