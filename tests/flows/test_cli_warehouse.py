"""`govharvest sql` (read-only; table, csv, json, --output) and `govharvest export parquet`."""

from __future__ import annotations

import csv
import io
import json
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
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert scalar(data_dir / "warehouse.duckdb", "SELECT count(*) FROM dim_document") == before


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
