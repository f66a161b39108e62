"""Export every warehouse table as Parquet, with a manifest.

Dimensions and operational tables become one file each (`<table>.parquet`); facts and
bridges are partitioned hive style by their document's year (`<table>/year=2023/…`,
year=0 when unknown). Each table is written under a temporary name and renamed into
place, the manifest last, so a reader never sees a half-written table.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from warehouse.db import connect, run
from warehouse.schema import PARTITIONED_TABLES, SCHEMA_VERSION, TABLES

MANIFEST_NAME = "manifest.json"

# Year of each task: its document's year (see gh_doc_year), 0 when unknown.
_TASK_YEARS = """
    select t.task_key,
           coalesce(gh_doc_year(d.publish_date, d.period_start_year, d.document_date), 0) as year
    from fact_task as t join dim_document as d using (document_key)
"""


@dataclass(frozen=True, slots=True)
class TableExport:
    path: str  # relative to the export directory
    rows: int
    partitioned_by: list[str]
    schema: list[dict[str, str]]  # [{"name": ..., "type": ...}] as DuckDB types


@dataclass(frozen=True, slots=True)
class Manifest:
    written_at: str
    schema_version: int
    source: str
    tables: dict[str, TableExport] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _select(table: str) -> str:
    if table == "fact_task":
        return (f"select f.*, y.year from fact_task as f "
                f"join ({_TASK_YEARS}) as y using (task_key)")
    if table in PARTITIONED_TABLES:
        return f"select b.*, y.year from {table} as b join ({_TASK_YEARS}) as y using (task_key)"
    return f"select * from {table}"


def export_parquet(db_path: str | Path, out_dir: str | Path) -> Manifest:
    """Write every table of `TABLES` under out_dir; returns (and writes) the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    tables: dict[str, TableExport] = {}
    con = connect(db_path, read_only=True)
    try:
        for table in TABLES:
            rows = int(run(con, f"select count(*) from {table}")[0][0])  # type: ignore[call-overload]
            schema = [{"name": str(r[0]), "type": str(r[1])}
                      for r in run(con, f"describe {table}")]
            if table in PARTITIONED_TABLES:
                target = staging / table
                if rows:
                    run(con, f"copy ({_select(table)}) to {_quote(target)} "
                             "(format parquet, partition_by (year))")
                else:  # keep the directory readable: one empty file in the unknown year
                    (target / "year=0").mkdir(parents=True)
                    run(con, f"copy ({_select(table)}) to "
                             f"{_quote(target / 'year=0' / 'data_0.parquet')} (format parquet)")
                relative, partitioned = table, ["year"]
            else:
                target = staging / f"{table}.parquet"
                run(con, f"copy ({_select(table)}) to {_quote(target)} (format parquet)")
                relative, partitioned = f"{table}.parquet", []
            tables[table] = TableExport(relative, rows, partitioned, schema)
    finally:
        con.close()
        try:
            _publish(staging, out_dir, list(tables.values()))
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    manifest = Manifest(
        written_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        schema_version=SCHEMA_VERSION,
        source=str(Path(db_path).resolve()),
        tables=tables,
    )
    tmp = out_dir / f".{MANIFEST_NAME}.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False, indent=2),
                   encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST_NAME)
    return manifest


def _publish(staging: Path, out_dir: Path, exports: list[TableExport]) -> None:
    """Move each written table into place: the old copy aside, the new one renamed in."""
    for export in exports:
        src, dst = staging / export.path, out_dir / export.path
        if not src.exists():
            continue
        if dst.is_dir():
            old = out_dir / f".old-{uuid.uuid4().hex}"
            dst.rename(old)
            src.rename(dst)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(src, dst)  # atomic for single files


def read_manifest(out_dir: str | Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    return data
