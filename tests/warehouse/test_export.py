"""Parquet export: every table, facts by year, a manifest, readable by three engines."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from tests.warehouse.factories import annotated_documents, sample_document, sample_documents
from tests.warehouse.helpers import scalar
from warehouse.export import MANIFEST_NAME, STATE_NAME, export_parquet
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


# ----------------------------------------------------------------- incremental re-export

def _files(out: Path) -> dict[str, int]:
    """Every Parquet file under `out` with its modification time (ns)."""
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.parquet")}


def _rows(out: Path, name: str) -> list[tuple[object, ...]]:
    source = (f"read_parquet('{out / name}/**/*.parquet', hive_partitioning = true)"
              if name in PARTITIONED_TABLES else f"read_parquet('{out / (name + '.parquet')}')")
    return sorted(duckdb.sql(f"SELECT * FROM {source}").fetchall(), key=repr)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "warehouse.duckdb"
    load_documents(db, sample_documents(), run_id="r1")  # years 2022, 2023, 2024
    export_parquet(db, tmp_path / "parquet")
    return db


def test_an_unchanged_warehouse_rewrites_no_table(warehouse: Path) -> None:
    out = warehouse.parent / "parquet"
    before = _files(out)
    manifest = export_parquet(warehouse, out)
    assert _files(out) == before
    assert manifest.tables["fact_task"].rows == scalar(warehouse, "SELECT count(*) FROM fact_task")


def test_a_new_document_rewrites_only_its_year_and_the_tables_it_touched(
    warehouse: Path,
) -> None:
    out = warehouse.parent / "parquet"
    before = _files(out)
    load_documents(warehouse, [sample_document("https://www.test.gov.cn/a/4.html", year=2023)],
                   run_id="r2")
    export_parquet(warehouse, out)
    rewritten = {f.split("/")[0] + ("/" + f.split("/")[1] if "/" in f else "")
                 for f, mtime in _files(out).items() if before.get(f) != mtime}
    assert "fact_task/year=2023" in rewritten and "dim_document.parquet" in rewritten
    assert not {"fact_task/year=2022", "fact_task/year=2024", "dim_region.parquet",
                "dim_date.parquet"} & rewritten
    full = warehouse.parent / "full"
    export_parquet(warehouse, full, full=True)
    for name in TABLES:  # the same rows as a full export
        assert _rows(out, name) == _rows(full, name), name


def test_a_year_whose_rows_are_gone_loses_its_partition(warehouse: Path) -> None:
    out = warehouse.parent / "parquet"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM fact_task WHERE document_key IN "
                    "(SELECT document_key FROM dim_document WHERE publish_date < '2023-01-01')")
    export_parquet(warehouse, out)
    assert "year=2022" not in {p.name for p in (out / "fact_task").iterdir()}
    full = warehouse.parent / "full"
    export_parquet(warehouse, full, full=True)
    for name in PARTITIONED_TABLES:
        assert _rows(out, name) == _rows(full, name), name


def test_without_its_state_file_the_export_writes_everything_again(warehouse: Path) -> None:
    out = warehouse.parent / "parquet"
    before = _files(out)
    (out / STATE_NAME).unlink()
    export_parquet(warehouse, out)
    after = _files(out)
    assert set(after) == set(before)
    assert all(after[f] != before[f] for f in before)
