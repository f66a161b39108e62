"""Idempotent, versioned loads into the warehouse, one transaction per batch.

Documents become Arrow frames (`warehouse.frames`), registered into DuckDB as batch_*;
the `10_staging` models read them and the `sql/load/*.sql` steps merge them into the
marts on natural keys (url + content_hash, document + node id). A re-run of the same
input finds every document unchanged and writes nothing; a crash mid-batch rolls the
batch back, so the next run resumes from the last committed batch.

Every writing function takes a `Target`: a warehouse path (it then opens the single writer
for itself) or a write connection the caller already holds, so a site's whole batch
(documents, quarantine, quality results, archive manifests, run log) can share one
connection and one checkpoint.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from transform.records import Document
from warehouse.agencies import alias_frame, body_rows_sql, placed_rows, region_chains
from warehouse.db import load_sql, registered, run, staging_sql, transaction, writer
from warehouse.frames import BatchFrames, documents_to_frames, split_frames
from warehouse.lineage_load import update_lineage
from warehouse.schema import TABLES

if TYPE_CHECKING:
    from extract.archive import Compaction

log = logging.getLogger(__name__)

STAGING_MODELS = ("stg_document", "stg_task", "stg_unit", "stg_target", "stg_theme")
# sql/load/ files in order; new agencies are classified in Python between dims and facts.
CLASSIFY_STEPS = ("10_regions", "20_doc_changes")
# Archive manifest folders loaded into these tables, and recorded in archive_manifest.
MANIFEST_FOLDERS = {"archive_index": "index", "fetch_log": "fetchlog"}
VERSION_STEPS = ("30_dim_document", "40_dims")
FACT_STEP = "50_facts"
SERIES_STEP = "60_series"  # after the facts: lineage (Python) reads series and tasks
DEFAULT_BATCH_SIZE = 2_000  # documents per transaction


@dataclass(frozen=True, slots=True)
class LoadStats:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __add__(self, other: LoadStats) -> LoadStats:
        return LoadStats(self.new + other.new, self.changed + other.changed,
                         self.unchanged + other.unchanged)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


Target = str | Path | duckdb.DuckDBPyConnection  # a warehouse path or an open write connection


@contextmanager
def _write_access(target: Target) -> Iterator[duckdb.DuckDBPyConnection]:
    """The caller's write connection as given, or the single writer opened for this call."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        yield target
    else:
        with writer(target) as con:
            yield con


def load_documents(
    target: Target,
    docs: Sequence[Document],
    *,
    run_id: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    loaded_at: dt.datetime | None = None,
    on_batch: Callable[[int, LoadStats], None] | None = None,
) -> LoadStats:
    """Load documents in batches (one transaction each); returns how many were new,
    changed and unchanged."""
    total = LoadStats()
    with _write_access(target) as con:
        for index, start in enumerate(range(0, len(docs), batch_size)):
            frames = documents_to_frames(docs[start:start + batch_size])
            stats = load_batch(con, frames, run_id=run_id, loaded_at=loaded_at)
            total = total + stats
            if on_batch is not None:
                on_batch(index, stats)
    return total


def load_frames(
    target: Target,
    frames: BatchFrames,
    *,
    run_id: str,
    batch_size: int | None = None,
    loaded_at: dt.datetime | None = None,
) -> LoadStats:
    """Load prepared batch frames: as one transaction (the bulk path benchmarks use), or one
    per `batch_size` documents."""
    parts = [frames] if batch_size is None else split_frames(frames, batch_size)
    total = LoadStats()
    with _write_access(target) as con:
        for part in parts:
            total = total + load_batch(con, part, run_id=run_id, loaded_at=loaded_at)
    return total


def load_batch(
    con: duckdb.DuckDBPyConnection,
    frames: BatchFrames,
    *,
    run_id: str,
    loaded_at: dt.datetime | None = None,
    lineage: bool = True,
) -> LoadStats:
    """Merge one batch on an open write connection, all or nothing. Without `lineage`, the
    new tasks get no fact_task_lineage rows (a caller that rebuilds lineage whole after its
    loads, as `reprocess` does, would otherwise match every task twice)."""
    loaded_at = loaded_at or _utcnow()
    tables = {name: frame.to_arrow() for name, frame in frames.as_dict().items()}
    tables["agency_alias"] = alias_frame().to_arrow()
    with registered(con, **tables):
        try:
            for model in STAGING_MODELS:
                run(con, f"CREATE OR REPLACE TEMP VIEW {model} AS {staging_sql(model)}")
            with transaction(con):
                run(con,
                    "CREATE OR REPLACE TEMP TABLE _load_context AS "
                    "SELECT CAST(? AS TIMESTAMP) AS loaded_at, CAST(? AS VARCHAR) AS run_id",
                    [loaded_at, run_id],
                )
                for step in CLASSIFY_STEPS:
                    run(con, load_sql(step))
                stats = _stats(con)
                if stats.new or stats.changed:  # an all-unchanged batch writes nothing more
                    for step in VERSION_STEPS:
                        run(con, load_sql(step))
                    _insert_new_agencies(con)
                    run(con, load_sql(FACT_STEP))
                    run(con, load_sql(SERIES_STEP))
                    if lineage:
                        update_lineage(con, [int(k) for (k,) in run(  # type: ignore[call-overload]
                            con, "SELECT document_key FROM _new_versions")])
        finally:
            for model in STAGING_MODELS:
                run(con, f"DROP VIEW IF EXISTS {model}")
    return stats


def document_statuses(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """url -> "new" | "changed" | "unchanged" for the batch `load_batch` last merged on `con`."""
    return dict(run(con, "SELECT url, status FROM _doc_changes"))  # type: ignore[arg-type]


def _stats(con: duckdb.DuckDBPyConnection) -> LoadStats:
    counts: dict[str, int] = dict(
        run(con, "SELECT status, count(*) FROM _doc_changes GROUP BY status"))  # type: ignore[arg-type]
    return LoadStats(new=counts.get("new", 0), changed=counts.get("changed", 0),
                     unchanged=counts.get("unchanged", 0))


def _insert_new_agencies(con: duckdb.DuckDBPyConnection) -> None:
    """Place the batch's (region, name) pairs on their bodies (few per batch), key them in
    _agency_keys for the bridge, and insert the bodies dim_agency lacks."""
    pairs = con.sql("select region_key, batch_name, canonical_name, is_generic "
                    "from _agency_names").pl()
    rows = placed_rows(pairs, region_chains(con.sql("select * from dim_region").pl()))
    rows = rows.with_columns(pairs.get_column("batch_name"))
    with registered(con, _placed=rows.to_arrow()):
        run(con,
            "CREATE OR REPLACE TEMP TABLE _agency_keys AS SELECT region_key_in AS region_key,"
            " batch_name, gh_key(key_text) AS agency_key FROM _placed")
        run(con, "INSERT INTO dim_agency " + body_rows_sql("_placed", new_only=True))


def _contract_frame(table: str, rows: pl.DataFrame) -> pl.DataFrame:
    """Rows cast to a table's contract; contract columns the caller lacks become null, and
    nested values bound for a text column (e.g. an observed value dict) become JSON."""
    schema = pl.DataFrame(TABLES[table].empty_table()).schema
    columns: list[pl.Series] = []
    for name, dtype in schema.items():
        if name not in rows.columns:
            columns.append(pl.Series(name, [None] * rows.height, dtype=dtype))
            continue
        column = rows[name]
        if dtype == pl.String and column.dtype.is_nested():
            column = pl.Series(name, [None if v is None else json.dumps(v, ensure_ascii=False,
                                                                         default=str)
                                      for v in column.to_list()], dtype=pl.String)
        columns.append(column.cast(dtype).alias(name))
    return pl.DataFrame(columns)


def record_quarantine(
    target: Target, rows: pl.DataFrame, *, seen_at: dt.datetime | None = None
) -> int:
    """Upsert quarantined items on (source, url, reason): new ones get first_seen, all
    get last_seen and the latest detail. Returns the number of rows given."""
    if rows.is_empty():
        return 0
    seen_at = seen_at or _utcnow()
    frame = rows.select(
        pl.col("source").cast(pl.String),
        pl.col("url").cast(pl.String).fill_null(""),
        pl.col("reason").cast(pl.String),
        pl.col("detail").cast(pl.String) if "detail" in rows.columns
        else pl.lit(None, pl.String).alias("detail"),
    ).unique(subset=["source", "url", "reason"], keep="last", maintain_order=True)
    with _write_access(target) as con, registered(con, _quarantine_batch=frame.to_arrow()), \
            transaction(con):
        run(con,
            """
            INSERT INTO quarantine
            SELECT source, url, reason, detail, CAST($ts AS TIMESTAMP), CAST($ts AS TIMESTAMP)
            FROM _quarantine_batch
            ON CONFLICT (source, url, reason) DO UPDATE
            SET last_seen = excluded.last_seen, detail = excluded.detail
            """,
            {"ts": seen_at},
        )
    return frame.height


def record_dq_results(target: Target, rows: pl.DataFrame) -> int:
    """Append data-quality results (dq_result columns; missing ones stored as null)."""
    if rows.is_empty():
        return 0
    frame = _contract_frame("dq_result", rows)
    with _write_access(target) as con, registered(con, _dq_batch=frame.to_arrow()):
        run(con, "INSERT INTO dq_result SELECT * FROM _dq_batch")
    return frame.height


def record_run(target: Target, row: dict[str, object]) -> None:
    """Insert or replace the run_log row of (run_id, site)."""
    if not row.get("run_id"):
        raise ValueError("record_run needs a run_id")
    frame = _contract_frame("run_log", pl.DataFrame([row]))
    with _write_access(target) as con, registered(con, _run_row=frame.to_arrow()), \
            transaction(con):
        run(con,
            "DELETE FROM run_log WHERE (run_id, coalesce(site, '')) IN "
            "(SELECT (run_id, coalesce(site, '')) FROM _run_row)")
        run(con, "INSERT INTO run_log SELECT * FROM _run_row")


def load_archive_manifests(target: Target, archive_dir: str | Path) -> dict[str, int]:
    """Add rows of archive/index/*.parquet and archive/fetchlog/*.parquet not yet loaded.

    Only manifests the `archive_manifest` ledger has not seen at their current size are read,
    and their rows are compared only with rows of the same runs, so the cost follows what
    is new, not the archive's history. Returns the rows added per table; re-running adds
    nothing.

    Each manifest is read (whole) before anything is written, so one that is not readable
    Parquet or has the wrong schema fails only its own ledger entry: it is recorded with
    its `error`, logged, left out (`manifest_failures` lists it) and tried again next load;
    the other manifests load as usual.
    """
    from extract.manifests import ManifestError, read_manifest

    archive_dir = Path(archive_dir)
    added = {table: 0 for table in MANIFEST_FOLDERS}
    ledger: list[tuple[str, int, str | None]] = []
    with _write_access(target) as con, transaction(con):
        seen = manifest_ledger(con)
        for table, folder in MANIFEST_FOLDERS.items():
            frames: list[pl.DataFrame] = []
            for path in sorted((archive_dir / folder).glob("*.parquet")):
                name, size = f"{folder}/{path.name}", path.stat().st_size
                if seen.get(name) == size:
                    continue
                try:
                    frames.append(read_manifest(path, folder))
                except ManifestError as exc:
                    log.warning("archive manifest %s not loaded: %s", name, exc)
                    ledger.append((name, size, str(exc)))
                    continue
                ledger.append((name, size, None))
            if frames:
                added[table] = _insert_manifest_rows(con, table, pl.concat(frames))
        if ledger:
            frame = pl.DataFrame(ledger, orient="row", schema={
                "manifest": pl.String, "size_bytes": pl.Int64, "error": pl.String})
            with registered(con, _manifests=frame.to_arrow()):
                run(con, "INSERT OR REPLACE INTO archive_manifest "
                         "(manifest, size_bytes, loaded_at, error) "
                         "SELECT manifest, size_bytes, CAST(? AS TIMESTAMP), error "
                         "FROM _manifests",
                    [_utcnow()])
    return added


def _insert_manifest_rows(con: duckdb.DuckDBPyConnection, table: str,
                          rows: pl.DataFrame) -> int:
    """Insert manifest `rows` (through the table's staging model) that `table` lacks."""
    with registered(con, **{f"src_{table}": rows.to_arrow()}):
        run(con, f"CREATE OR REPLACE TEMP VIEW stg_{table} AS {staging_sql('stg_' + table)}")
        try:
            before = run(con, f"SELECT count(*) FROM {table}")[0][0]
            run(con, f"INSERT INTO {table} SELECT * FROM stg_{table} "
                        f"EXCEPT SELECT * FROM {table} "
                        f"WHERE run_id IN (SELECT DISTINCT run_id FROM stg_{table})")
            after = run(con, f"SELECT count(*) FROM {table}")[0][0]
        finally:
            run(con, f"DROP VIEW IF EXISTS stg_{table}")
    return int(after) - int(before)  # type: ignore[call-overload]


def manifest_ledger(target: Target) -> dict[str, int]:
    """The archive_manifest ledger: manifest name -> its size when it was loaded (manifests
    that failed to load are not in it)."""
    with _write_access(target) as con:
        rows = run(con, "SELECT manifest, size_bytes FROM archive_manifest WHERE error IS NULL")
    return {str(name): int(size) for name, size in rows}  # type: ignore[call-overload]


def manifest_failures(target: Target) -> dict[str, str]:
    """Manifests whose last load failed: name -> why (they are tried again each load)."""
    with _write_access(target) as con:
        rows = run(con, "SELECT manifest, error FROM archive_manifest WHERE error IS NOT NULL "
                        "ORDER BY manifest")
    return {str(name): str(error) for name, error in rows}


def record_compactions(target: Target, compactions: Sequence[Compaction]) -> None:
    """The ledger after `extract.archive.compact_manifests` merged loaded manifests: the
    merged file at its new size, the deleted ones gone, so no load reads those rows again.
    Compactions of folders the warehouse does not load (links) leave the ledger alone."""
    ledgered = [c for c in compactions if c.folder in MANIFEST_FOLDERS.values()]
    if not ledgered:
        return
    now = _utcnow()
    with _write_access(target) as con, transaction(con):
        for done in ledgered:
            run(con, "DELETE FROM archive_manifest WHERE list_contains(?, manifest)",
                [list(done.removed)])
            run(con, "INSERT OR REPLACE INTO archive_manifest "
                     "(manifest, size_bytes, loaded_at, error) VALUES (?, ?, ?, NULL)",
                [done.merged, done.size_bytes, now])
