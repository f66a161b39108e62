"""The nightly flow on the offline demo site, under a throwaway Prefect API."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.flows.helpers import content_fingerprint

DEMO_SITES = ["demo-hunan", "demo-trs", "demo-hanweb"]

pytestmark = pytest.mark.slow


def _scalar(db: Path, sql: str) -> object:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return row[0] if row else None


def test_nightly_loads_demo_site_and_second_run_adds_nothing(
    prefect_harness: None, demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    from flows.harvest import nightly

    data = tmp_path / "data"
    first = nightly(sites=DEMO_SITES, data_dir=str(data), base_url=demo_site.base_url)
    db = data / "warehouse.duckdb"
    assert sum(s["new"] for s in first["sites"].values()) >= 10
    assert all(s["error"] is None for s in first["sites"].values())
    fingerprint = content_fingerprint(db)
    assert fingerprint["fact_task"][0] > 100
    # every output of the nightly run exists
    assert (data / "parquet").is_dir()
    assert Path(first["outputs"]["report"]).exists()
    assert Path(first["outputs"]["dashboard"]).exists()
    # the three sites are small: their documents shared one validation, and the results
    # are still reported per site
    from expectations.context import get_context

    keys = get_context(data / "gx").validation_results_store.list_keys()
    assert [k.expectation_suite_identifier.name for k in keys
            if k.run_id.run_name == first["run_id"]].count("documents") == 1
    with duckdb.connect(str(db), read_only=True) as con:
        batches = {r[0] for r in con.execute(
            "SELECT DISTINCT table_or_batch FROM dq_result WHERE suite = 'documents'").fetchall()}
    assert batches == {f"documents:{site}" for site in DEMO_SITES}
    # the broken cases of the demo site are quarantined or logged, not loaded
    assert _scalar(db, "SELECT count(*) FROM quarantine") >= 1
    assert "| site |" in first["markdown"]
    from prefect.artifacts import Artifact

    summary = Artifact.get("govharvest-run-summary")
    assert summary is not None and first["run_id"] in str(summary.data)
    table = Artifact.get("govharvest-new-documents")
    assert table is not None and "demo-trs" in str(table.data)

    # the three queries `govharvest demo` suggests all answer on the demo warehouse
    from flows.cli.harvest import EXAMPLE_QUERIES

    with duckdb.connect(str(db), read_only=True) as con:
        for title, sql in EXAMPLE_QUERIES:
            assert con.execute(sql).fetchall(), title

    second = nightly(sites=DEMO_SITES, data_dir=str(data), base_url=demo_site.base_url)
    assert sum(s["new"] for s in second["sites"].values()) == 0
    assert sum(s["changed"] for s in second["sites"].values()) == 0
    assert content_fingerprint(db) == fingerprint

    # the same day again: most known pages wait for their rotation day
    assert sum(s["deferred"] for s in second["sites"].values()) > 0

    demo_site.set_revision(2)
    third = nightly(sites=DEMO_SITES, data_dir=str(data), base_url=demo_site.base_url,
                    revalidate_all=True)
    assert sum(s["deferred"] for s in third["sites"].values()) == 0
    assert sum(s["changed"] for s in third["sites"].values()) == 1
    assert _scalar(db, "SELECT count(*) FROM dim_document WHERE version = 2") == 1


def test_a_failing_site_does_not_fail_the_others(
    prefect_harness: None, demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    from flows.harvest import nightly

    data = tmp_path / "data"
    result = nightly(sites=["demo-trs", "no-such-profile"], data_dir=str(data),
                     base_url=demo_site.base_url)
    assert result["sites"]["demo-trs"]["new"] > 0
    assert result["sites"]["no-such-profile"]["error"]
    assert "no-such-profile" in result["markdown"]
    status = _scalar(data / "warehouse.duckdb",
                     "SELECT status FROM run_log WHERE site = 'no-such-profile'")
    assert str(status).startswith("error")


def test_nothing_loaded_fails_the_run(prefect_harness: None, tmp_path: Path) -> None:
    from flows.harvest import NothingLoaded, nightly

    with pytest.raises(NothingLoaded, match="no-such-profile"):
        nightly(sites=["no-such-profile"], data_dir=str(tmp_path / "data"))


def test_a_failed_shared_gate_fails_its_sites_and_says_why(
    prefect_harness: None, demo_site, tmp_path: Path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    from flows import pipeline
    from flows.harvest import NothingLoaded, nightly

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("suite store unreadable")

    monkeypatch.setattr(pipeline, "gate_together", broken)
    data = tmp_path / "data"
    with pytest.raises(NothingLoaded, match="suite store unreadable"):
        nightly(sites=["demo-trs", "demo-hanweb"], data_dir=str(data),
                base_url=demo_site.base_url)
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT site, status FROM run_log ORDER BY site").fetchall()
        assert con.execute("SELECT count(*) FROM dim_document").fetchone() == (0,)
    assert [site for site, _ in rows] == ["demo-hanweb", "demo-trs"]
    assert all("suite store unreadable" in status for _, status in rows)


def test_reprocess_rebuilds_the_same_warehouse_from_the_archive(
    prefect_harness: None, demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    import shutil

    from flows.harvest import harvest_site
    from flows.maintenance import reprocess

    data = tmp_path / "data"
    for site in ("demo-hunan", "demo-trs"):
        harvest_site(site=site, data_dir=str(data), base_url=demo_site.base_url)
    before = content_fingerprint(data / "warehouse.duckdb")
    demo_site.stop()  # reprocess needs no network
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(data / "archive", rebuilt / "archive")
    result = reprocess(data_dir=str(rebuilt))
    assert content_fingerprint(rebuilt / "warehouse.duckdb") == before
    # one site at a time, each logged as a completed run of its own
    assert result["sites"] == 2 and result["new"] == before["dim_document"][0]
    with duckdb.connect(str(rebuilt / "warehouse.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT site, status FROM run_log WHERE run_id = ? ORDER BY site",
                           [result["run_id"]]).fetchall()
    assert runs == [("demo-hunan", "ok"), ("demo-trs", "ok")]


def test_reprocess_rebuilds_task_lineage(
    prefect_harness: None, demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """Issue #28: reprocess recomputes fact_task_lineage whole, even where every document
    loads unchanged (a load then writes nothing)."""
    from flows.harvest import harvest_site
    from flows.maintenance import reprocess

    data = tmp_path / "data"
    harvest_site(site="demo-hunan", data_dir=str(data), base_url=demo_site.base_url)
    sql = "SELECT * FROM fact_task_lineage ORDER BY ALL"
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        before = con.execute(sql).fetchall()
        con.execute("DELETE FROM fact_task_lineage WHERE relation <> 'new'")
        con.execute("INSERT INTO fact_task_lineage VALUES (1, 2, 'revised', 0.5, 'stale')")
    demo_site.stop()
    reprocess(data_dir=str(data))
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(sql).fetchall() == before
    assert before
