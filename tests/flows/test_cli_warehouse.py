"""`govharvest sql` (read-only; table, csv, json, --output) and `govharvest export parquet`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.factories import sample_documents
from tests.warehouse.helpers import scalar
from warehouse.load import load_documents

runner = CliRunner()
QUERY = "SELECT url, version, quality_flags FROM dim_document ORDER BY url"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    load_documents(root / "warehouse.duckdb", sample_documents(), run_id="r1")
    return root


def test_table_output_lists_the_rows(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", QUERY, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "url" in result.stdout and "3 row(s)" in result.stdout


def test_csv_output_is_a_header_then_rows(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", QUERY, "--data-dir", str(data_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["url", "version", "quality_flags"]
    assert rows[1] == ["https://www.test.gov.cn/a/1.html", "1", "[]"]
    assert len(rows) == 4


def test_json_output_is_one_object_per_line(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT name, admin_level FROM dim_region "
                                        "WHERE name = '人和镇'", "--data-dir", str(data_dir),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == [{"name": "人和镇", "admin_level": "town"}]


@pytest.mark.parametrize("suffix", ["parquet", "csv", "json", "txt"])
def test_output_writes_a_file_in_the_suffix_format(data_dir: Path, tmp_path: Path,
                                                   suffix: str) -> None:
    out = tmp_path / f"result.{suffix}"
    result = runner.invoke(app, ["sql", QUERY, "--data-dir", str(data_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == "parquet":
        assert pl.read_parquet(out).height == 3
    elif suffix == "csv":
        assert pl.read_csv(out).columns == ["url", "version", "quality_flags"]
    elif suffix == "json":
        assert len(out.read_text("utf-8").splitlines()) == 3
    else:
        assert "https://www.test.gov.cn/a/1.html" in out.read_text("utf-8")


def test_sql_refuses_writes(data_dir: Path) -> None:
    before = scalar(data_dir / "warehouse.duckdb", "SELECT count(*) FROM dim_document")
    result = runner.invoke(app, ["sql", "DELETE FROM dim_document", "--data-dir", str(data_dir)])
    assert result.exit_code == 2
    assert "read-only" in result.stderr
    assert scalar(data_dir / "warehouse.duckdb", "SELECT count(*) FROM dim_document") == before


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Each escapes a read-only connection unless DuckDB's external access is off and the
# statement type is checked: {db} is the warehouse file, {out} a path outside it.
ESCAPES = [
    "COPY (SELECT 1 AS x) TO '{db}' (FORMAT csv)",
    "COPY dim_document TO '{out}/doc.csv'",
    "EXPORT DATABASE '{out}/export'",
    "EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{out}/plan.csv'",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM glob('/root/*')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_parquet('{out}/x.parquet')",
    "ATTACH '{out}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
    "PRAGMA threads = 1",
    "CREATE TABLE t AS SELECT 1 AS x",
    "INSERT INTO run_log (run_id) VALUES ('x')",
    "UPDATE dim_document SET title = 'x'",
    "DROP TABLE dim_document",
    "SELECT 1; DELETE FROM dim_document",
]


@pytest.mark.parametrize("statement", ESCAPES)
def test_sql_refuses_statements_that_leave_the_warehouse(data_dir: Path, tmp_path: Path,
                                                         statement: str) -> None:
    own = tmp_path / "data"  # a copy per statement: one escape must not hide the next
    own.mkdir()
    shutil.copy(data_dir / "warehouse.duckdb", own / "warehouse.duckdb")
    out = tmp_path / "out"
    out.mkdir()
    db = own / "warehouse.duckdb"
    before = _sha256(db)
    result = runner.invoke(app, ["sql", statement.format(db=db, out=out), "--data-dir", str(own)])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    assert _sha256(db) == before
    assert scalar(db, "SELECT count(*) FROM dim_document") == 3
    assert list(out.iterdir()) == []  # nothing written anywhere else either


def test_sql_reads_tables_and_views_on_the_confined_connection(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM v_theme_trend",
                                 "--data-dir", str(data_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "n"
    for sql in ("DESCRIBE dim_document", "SHOW TABLES", "PRAGMA table_info('dim_document')",
                "EXPLAIN SELECT * FROM dim_document",
                "SELECT current_setting('TimeZone') AS tz"):
        result = runner.invoke(app, ["sql", sql, "--data-dir", str(data_dir), "-f", "csv"])
        assert result.exit_code == 0, (sql, result.output)
    assert result.stdout.splitlines() == ["tz", "UTC"]


def test_sql_error_in_a_query_is_one_line_and_exit_1(data_dir: Path) -> None:
    for sql in ("SELEC 1", "SELECT no_such_column FROM dim_document"):
        result = runner.invoke(app, ["sql", sql, "--data-dir", str(data_dir)])
        assert result.exit_code == 1, (sql, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("query failed: ")


def test_sql_output_is_written_by_the_cli_under_confinement(data_dir: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "deep" / "result.csv"
    result = runner.invoke(app, ["sql", QUERY, "--data-dir", str(data_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out).height == 3


def test_sql_without_a_warehouse_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no warehouse at" in result.stderr


def test_parquet_format_needs_an_output_file(data_dir: Path) -> None:
    result = runner.invoke(app, ["sql", QUERY, "--data-dir", str(data_dir), "-f", "parquet"])
    assert result.exit_code != 0


def test_export_parquet_writes_tables_and_manifest(data_dir: Path) -> None:
    result = runner.invoke(app, ["export", "parquet", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((data_dir / "parquet" / "manifest.json").read_text("utf-8"))
    assert manifest["tables"]["dim_document"]["rows"] == 3
    assert (data_dir / "parquet" / "fact_task").is_dir()
