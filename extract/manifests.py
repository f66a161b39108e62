"""The archive's Parquet manifests: one schema per folder, and reading one back checked.

Every run writes one manifest per folder (extract/archive_writer.py): `index` (one row per WARC
record), `fetchlog` (one per fetch attempt), `links` (attachment links per article) and
`listings` (article links per list page). A manifest is read whole and conformed to its
folder's schema, so one that is not Parquet, or lacks the columns its rows need, is told
apart (`ManifestError`) from the others instead of failing every read of the folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

INDEX_SCHEMA: dict[str, pl.DataType] = {
    "url": pl.String(),
    "site": pl.String(),
    "kind": pl.String(),
    "fetched_at": pl.Datetime("us", "UTC"),
    "status": pl.Int32(),
    "digest": pl.String(),
    "warc_file": pl.String(),
    "offset": pl.Int64(),
    "length": pl.Int64(),
    "etag": pl.String(),
    "last_modified": pl.String(),
    "run_id": pl.String(),
}
FETCHLOG_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "site": pl.String(),
    "url": pl.String(),
    "attempted_at": pl.Datetime("us", "UTC"),
    "outcome": pl.String(),
    "status": pl.Int32(),
    "attempts": pl.Int32(),
    "elapsed_ms": pl.Int64(),
    "detail": pl.String(),
}
LINKS_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "site": pl.String(),
    "url": pl.String(),
    "links": pl.List(pl.String()),
}
LISTINGS_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "site": pl.String(),
    "column": pl.String(),  # the start URL whose pages listed it
    "url": pl.String(),
    "list_date": pl.Date(),
    "referer": pl.String(),  # the list page
    "seen_on": pl.Date(),  # the run's date
    "complete": pl.Boolean(),  # the run walked the column to its last page
}
MANIFEST_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "index": INDEX_SCHEMA, "fetchlog": FETCHLOG_SCHEMA, "links": LINKS_SCHEMA,
    "listings": LISTINGS_SCHEMA,
}
# Characters a site or run id may not bring into a file name ({run_id}-{site}.parquet).
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Columns without which a manifest's rows mean nothing (older manifests may lack others).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "index": ("url", "site", "run_id", "warc_file", "offset"),
    "fetchlog": ("url", "site", "run_id", "outcome"),
    "links": ("url", "site", "run_id"), "listings": ("url", "site", "run_id"),
}


def safe_name(name: str) -> str:
    """`name` as it appears in the archive's file names."""
    return UNSAFE_NAME.sub("_", name).strip("_") or "site"


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` in `schema`: columns cast, missing ones null, extra ones dropped."""
    return frame.select([
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    ])


class ManifestError(ValueError):
    """A manifest that is not readable Parquet or lacks what its folder's rows need."""


def read_manifest(path: Path, folder: str) -> pl.DataFrame:
    """The manifest at `path` in its MANIFEST_SCHEMAS `folder`'s schema; raises ManifestError
    (the whole file is read: a valid footer over corrupt pages fails too)."""
    try:
        frame = pl.read_parquet(path)
    except FileNotFoundError:
        raise  # merged away meanwhile (see archive._read_manifests), not damaged
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ManifestError(f"not readable as Parquet: {type(exc).__name__}: "
                            f"{str(exc)[:200]}") from exc
    if missing := [c for c in REQUIRED_COLUMNS[folder] if c not in frame.columns]:
        raise ManifestError(f"wrong schema: no column {', '.join(missing)}")
    try:
        return conform(frame, MANIFEST_SCHEMAS[folder])
    except pl.exceptions.PolarsError as exc:
        raise ManifestError(f"wrong schema: {type(exc).__name__}: {str(exc)[:200]}") from exc


def manifest_problem(path: Path, folder: str) -> str | None:
    """Why the manifest at `path` cannot be read (see `read_manifest`), or None."""
    try:
        read_manifest(path, folder)
    except ManifestError as exc:
        return str(exc)
    return None
