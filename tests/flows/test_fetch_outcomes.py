"""What a harvest could not fetch is reported: pages too large and responses past their time
budget in the CLI table, run_log and the run summary; a site whose robots.txt is unreachable
fails with its reason and a non-zero exit code, having fetched nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demo import DemoSite
from flows.cli import app
from flows.summary import SiteOutcome, run_markdown

COLUMN = "/11287/11306/index.htm"  # four articles, the largest 15,108 bytes, the next 12,919
CAP = 14_000
runner = CliRunner()


@pytest.fixture()
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


def profile(tmp_path: Path, **settings: object) -> Path:
    """demo-hunan restricted to one column, with extra settings: a profile file."""
    lines = ["extends: demo-hunan", "start_urls:", f"  - {COLUMN}", "settings:"]
    lines += [f"  {key}: {value}" for key, value in settings.items()]
    path = tmp_path / "one-column.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def harvest(site: DemoSite, data: Path, profile_path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["harvest", "--site", str(profile_path), "--base-url",
                                 site.base_url, "--data-dir", str(data), *extra])
    return result.exit_code, result.output


def table_row(output: str) -> dict[str, str]:
    """The CLI summary table's one site row, by column header."""
    lines = [line for line in output.splitlines() if "│" in line or "┃" in line]
    header = [cell.strip() for cell in re.split("[│┃]", lines[0])[1:-1]]
    row = [cell.strip() for cell in re.split("[│┃]", lines[-1])[1:-1]]
    return dict(zip(header, row, strict=True))


def run_log(data: Path, columns: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT {columns} FROM run_log ORDER BY started_at").fetchall()


def test_a_page_too_large_is_reported_everywhere_and_whole_once_the_cap_is_raised(
        site: DemoSite, tmp_path: Path) -> None:
    column = next(c for c in site.content.columns if c.index_path == COLUMN)
    sizes = {site.article_url(a): len(site._rendered(a)[0])
             for a in site.content.column_articles(column)}
    big = max(sizes, key=sizes.__getitem__)
    assert sorted(sizes.values())[-2] < CAP < sizes[big]
    data = tmp_path / "data"

    code, output = harvest(site, data, profile(tmp_path, delay=0, max_body_bytes=CAP))
    assert code == 0, output
    row = table_row(output)
    assert (row["too large"], row["timeout"], row["failed"]) == ("1", "0", "0")
    assert run_log(data, "too_large, timeout, failed, status") == [(1, 0, 0, "ok")]
    markdown = run_markdown("r", [SiteOutcome("one-column", counts={"too_large": 1})], {})
    header, _, line = markdown.splitlines()[2:5]
    cells = dict(zip(header.split("|"), line.split("|"), strict=True))
    assert cells[" too large "].strip() == "1" and cells[" timeout "].strip() == "0"

    # The profile raises the cap: the page is fetched again (every page is due with
    # --revalidate-all; test_revisit.py shows the rotation does it on its day), archived
    # whole, parsed and loaded.
    site.clear_log()
    code, output = harvest(site, data, profile(tmp_path, delay=0, max_body_bytes=CAP * 2),
                           "--revalidate-all")
    assert code == 0, output
    assert big in {site.url(r.path) for r in site.requests if r.status == 200}
    row = table_row(output)
    assert (row["too large"], row["new"]) == ("0", "1")
    assert run_log(data, "too_large, new_docs")[-1] == (0, 1)
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dim_document WHERE url = ?",
                           [big]).fetchone() == (1,)


def test_a_site_whose_robots_txt_answers_500_fails_and_the_cli_exits_non_zero(
        site: DemoSite, tmp_path: Path) -> None:
    site.set_robots(500)
    data = tmp_path / "data"
    code, output = harvest(site, data, profile(tmp_path, delay=0, max_retries=0))
    assert code == 1
    assert "unavailable" in output and "robots.txt unreachable" in output
    assert "HTTP 500" in output and "Traceback" not in output
    assert {r.path for r in site.requests} == {"/robots.txt"}  # nothing else was asked
    ((status,),) = run_log(data, "status")
    assert str(status).startswith("error: SiteUnavailable") and "HTTP 500" in str(status)


def test_the_summary_says_why_a_site_was_unavailable() -> None:
    error = "SiteUnavailable: http://x/robots.txt unreachable (HTTP 503); nothing fetched"
    markdown = run_markdown("r", [SiteOutcome("x", error=error)], {})
    assert "## Why sites failed" in markdown and "robots.txt unreachable (HTTP 503)" in markdown


@pytest.mark.slow
def test_a_night_whose_only_site_is_unavailable_fails_and_says_why(
        prefect_harness: None, site: DemoSite, tmp_path: Path) -> None:
    from flows.harvest import NothingLoaded, nightly

    site.set_robots(503)
    data = tmp_path / "data"
    with pytest.raises(NothingLoaded, match=r"SiteUnavailable: .*robots.txt unreachable"):
        nightly(sites=["demo-hunan"], data_dir=str(data), base_url=site.base_url)
    assert {r.path for r in site.requests} == {"/robots.txt"}
    ((status,),) = run_log(data, "status")
    assert "SiteUnavailable" in str(status) and "HTTP 503" in str(status)


def test_an_older_warehouse_gains_the_run_log_counts_in_the_same_column_order(
        tmp_path: Path) -> None:
    from warehouse.db import connect
    from warehouse.load import record_run
    from warehouse.schema import TABLES

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:  # run_log as it was before too_large and timeout
        con.execute("""CREATE TABLE run_log (run_id VARCHAR NOT NULL, site VARCHAR,
            started_at TIMESTAMP, finished_at TIMESTAMP, pages_fetched BIGINT,
            new_docs BIGINT, changed_docs BIGINT, not_modified BIGINT, failed BIGINT,
            blocked BIGINT, out_of_scope BIGINT, quarantined BIGINT, status VARCHAR)""")
        con.execute("INSERT INTO run_log (run_id, site, status) VALUES ('old', 's', 'ok')")
    connect(db).close()  # migrates
    record_run(db, {"run_id": "new", "site": "s", "too_large": 2, "timeout": 1,
                    "status": "ok"})
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("DESCRIBE run_log").fetchall()]
        rows = con.execute("SELECT run_id, too_large, timeout FROM run_log ORDER BY run_id"
                           ).fetchall()
    assert names == TABLES["run_log"].names
    assert rows == [("new", 2, 1), ("old", None, None)]
