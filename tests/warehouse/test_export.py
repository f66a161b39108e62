"""Parquet export: every table, facts by year, a manifest, readable by three engines."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from tests.warehouse.factories import annotated_documents, sample_documents
from tests.warehouse.helpers import scalar
from warehouse.export import MANIFEST_NAME, export_parquet
from warehouse.load import load_documents
from warehouse.schema import PARTITIONED_TABLES, TABLES


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("export")
    db = root / "warehouse.duckdb"
    load_documents(db, [*annotated_documents(), *sample_documents()], run_id="r1")
    export_parquet(db, root / "parquet")
    return db, root / "parquet"


def test_manifest_lists_every_table_with_rows_and_schema(exported: tuple[Path, Path]) -> None:
    db, out = exported
    manifest = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    assert set(manifest["tables"]) == set(TABLES)
    assert manifest["written_at"] and manifest["schema_version"] >= 1
    for name, entry in manifest["tables"].items():
        assert entry["rows"] == scalar(db, f"SELECT count(*) FROM {name}"), name
        assert [c["name"] for c in entry["schema"]] == TABLES[name].names
        assert entry["partitioned_by"] == (["year"] if name in PARTITIONED_TABLES else [])
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))


def test_facts_are_partitioned_by_year_hive_style(exported: tuple[Path, Path]) -> None:
    _, out = exported
    years = sorted(p.name for p in (out / "fact_task").iterdir())
    assert years == ["year=0", "year=2022", "year=2023", "year=2024"]


def test_polars_pyarrow_and_duckdb_read_the_same_rows(exported: tuple[Path, Path]) -> None:
    db, out = exported
    for name in TABLES:
        expected = scalar(db, f"SELECT count(*) FROM {name}")
        if name in PARTITIONED_TABLES:
            frame = pl.read_parquet(out / name / "**" / "*.parquet", hive_partitioning=True)
            table = pq.read_table(out / name)
            glob = str(out / name / "**" / "*.parquet")
            count = duckdb.sql(
                f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)"
            ).fetchall()[0][0]
            assert "year" in frame.columns and "year" in table.schema.names
        else:
            frame = pl.read_parquet(out / f"{name}.parquet")
            table = pq.read_table(out / f"{name}.parquet")
            count = duckdb.sql(
                f"SELECT count(*) FROM read_parquet('{out / (name + '.parquet')}')"
            ).fetchall()[0][0]
        assert frame.height == table.num_rows == count == expected, name


def test_re_export_replaces_tables_in_place(exported: tuple[Path, Path]) -> None:
    db, out = exported
    first = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    manifest = export_parquet(db, out)
    assert {k: v.rows for k, v in manifest.tables.items()} == {
        k: v["rows"] for k, v in first["tables"].items()}
    frame = pl.read_parquet(out / "fact_task" / "**" / "*.parquet", hive_partitioning=True)
    assert frame.height == first["tables"]["fact_task"]["rows"]  # no doubled partitions
