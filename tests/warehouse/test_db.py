"""Opening the warehouse: migrations, the 1.x-readable file, one writer at a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.warehouse.factories import annotated_documents
from tests.warehouse.helpers import query
from warehouse.db import WarehouseError, WarehouseLocked, connect, schema_version, writer
from warehouse.load import load_documents
from warehouse.schema import SCHEMA_VERSION

DUCKDB_CLI = ROOT / ".venv" / "bin" / "duckdb"


def test_a_new_warehouse_records_its_schema_version_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    for _ in range(2):
        con = connect(db)
        assert schema_version(con) == SCHEMA_VERSION
        con.close()
    assert query(db, "SELECT count(*) FROM warehouse_schema_version") == [(1,)]
    assert query(db, "SELECT count(*) > 80 FROM dim_region") == [(True,)]


def test_the_duckdb_1x_cli_opens_the_warehouse_and_runs_a_documented_query(
    tmp_path: Path,
) -> None:
    assert DUCKDB_CLI.exists(), "duckdb-cli (dev extra) provides .venv/bin/duckdb"
    db = tmp_path / "warehouse.duckdb"
    load_documents(db, annotated_documents(), run_id="r1")
    version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith("v1.")
    # The example query of v_agency_tasks_by_year in docs/warehouse.md.
    sql = ("SELECT agency_name, sum(task_count) AS lead_tasks FROM v_agency_tasks_by_year "
           "WHERE year = 2022 AND role = 'lead' GROUP BY agency_name "
           "ORDER BY lead_tasks DESC, agency_name LIMIT 3;")
    out = subprocess.run([str(DUCKDB_CLI), "-readonly", "-csv", str(db), "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().replace('"', "").splitlines()
    assert lines[0] == "agency_name,lead_tasks"
    assert lines[1:] == [f"{name},{n}" for name, n in query(db, sql)]
    assert lines[1].startswith("市司法局,")


def test_a_second_writer_process_gets_warehouse_locked(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    script = (
        "import sys\n"
        "from warehouse.db import connect, WarehouseLocked\n"
        "try:\n"
        "    connect(sys.argv[1])\n"
        "except WarehouseLocked as exc:\n"
        "    print('locked:', exc)\n"
    )
    with writer(db):
        out = subprocess.run([sys.executable, "-c", script, str(db)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("locked: warehouse"), out.stderr
    assert "one writer at a time" in out.stdout


def test_a_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with writer(db), pytest.raises(WarehouseLocked, match="already has a writer"):
        load_documents(db, annotated_documents()[:1], run_id="r")
    load_documents(db, annotated_documents()[:1], run_id="r")  # free again afterwards


def test_read_only_open_of_a_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse at"):
        connect(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_read_only_connections_cannot_write(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    connect(db).close()
    con = connect(db, read_only=True)
    try:
        with pytest.raises(Exception, match="read-only"):
            con.execute("DELETE FROM dim_region")
    finally:
        con.close()


def test_front_matter_columns_load_and_an_older_warehouse_gains_them(tmp_path: Path) -> None:
    """Schema 2 (issue #25): dim_document carries doc_number, index_no and source; a version-1
    warehouse (without them) gets them in place, last, and keeps its rows."""
    from dataclasses import replace

    db = tmp_path / "w.duckdb"
    con = connect(db)
    # a version-1 dim_document: without the front matter and the (version 3) series columns
    for column in ("series_key", "predecessor_document_key", "doc_number", "index_no",
                   "source"):
        con.execute(f"ALTER TABLE dim_document DROP COLUMN {column}")
    con.execute("DELETE FROM warehouse_schema_version")
    con.execute("INSERT INTO warehouse_schema_version VALUES (1, 'v1', now()::timestamp)")
    con.close()
    old, new = annotated_documents()[:2]
    load_documents(db, [old], run_id="r1")  # migrates first, then loads
    con = connect(db)
    assert schema_version(con) == SCHEMA_VERSION == 3
    columns = [r[0] for r in con.execute("DESCRIBE dim_document").fetchall()]
    assert columns[-5:] == ["doc_number", "index_no", "source", "series_key",
                            "predecessor_document_key"]
    con.close()
    load_documents(db, [replace(new, doc_number="西政办〔2020〕20号", index_no="104/2017-00780",
                                source="县司法局")], run_id="r2")
    assert query(db, "SELECT url, doc_number, index_no, source FROM dim_document "
                     "ORDER BY load_run_id") == [
        (old.url, None, None, None), (new.url, "西政办〔2020〕20号", "104/2017-00780", "县司法局"),
    ]
