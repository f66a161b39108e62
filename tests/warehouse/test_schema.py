"""The SQL layers match the Arrow contracts in warehouse/schema.py."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from warehouse.db import SQL_DIR, connect, migration_files
from warehouse.schema import TABLES, VIEWS


def test_every_table_matches_its_contract(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    try:
        for table, contract in TABLES.items():
            actual = con.sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().schema
            assert actual.names == contract.names, table
            for field in contract:
                got = actual.field(field.name).type
                assert got == field.type or (
                    pa.types.is_large_list(got) and got.value_type == field.type.value_type
                ) or (pa.types.is_large_string(got) and field.type == pa.string()), (
                    f"{table}.{field.name}: {got} != {field.type}")
    finally:
        con.close()


def test_every_view_exists_and_has_its_documented_example() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "warehouse.md").read_text("utf-8")
    for view in VIEWS:
        assert (SQL_DIR / "30_views" / f"{view}.sql").exists()
        assert f"FROM {view}" in docs, f"docs/warehouse.md lacks an example query for {view}"


def test_migrations_run_in_folder_order() -> None:
    folders = [p.parent.name for p in migration_files()]
    assert folders == sorted(folders)
    assert folders[0] == "00_raw" and folders[-1] == "30_views"
