"""The load path: idempotent re-runs, SCD2 versions, crash safety and the side tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import ROOT
from tests.warehouse.factories import (
    annotated_documents,
    content_hash,
    revised,
    sample_document,
    sample_documents,
)
from tests.warehouse.helpers import query, scalar, table_checksums
from warehouse.load import (
    MANIFEST_FOLDERS,
    LoadStats,
    load_archive_manifests,
    load_documents,
    manifest_ledger,
    record_compactions,
    record_dq_results,
    record_quarantine,
    record_run,
)

T0 = dt.datetime(2024, 1, 1, 8, 0)
T1 = dt.datetime(2024, 2, 1, 8, 0)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_loading_the_same_input_twice_changes_no_table(db: Path) -> None:
    docs = [*annotated_documents(), *sample_documents()]
    first = load_documents(db, docs, run_id="r1", loaded_at=T0)
    before = table_checksums(db)
    second = load_documents(db, docs, run_id="r2", loaded_at=T1)

    assert first == LoadStats(new=len(docs), changed=0, unchanged=0)
    assert second == LoadStats(new=0, changed=0, unchanged=len(docs))
    assert table_checksums(db) == before
    assert before["fact_task"][0] > 0 and before["bridge_task_agency"][0] > 0


def test_two_fresh_warehouses_get_the_same_keys(tmp_path: Path) -> None:
    docs = sample_documents()
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_documents(a, docs, run_id="r", loaded_at=T0)
    load_documents(b, list(reversed(docs)), run_id="r", loaded_at=T0, batch_size=1)
    sums_a, sums_b = table_checksums(a), table_checksums(b)
    sums_a.pop("warehouse_schema_version")  # records when the schema was applied
    sums_b.pop("warehouse_schema_version")
    assert sums_a == sums_b


def test_a_revised_document_adds_exactly_one_version(db: Path) -> None:
    doc = sample_document("https://www.test.gov.cn/a/9.html")
    other = sample_document("https://www.test.gov.cn/a/10.html")
    load_documents(db, [doc, other], run_id="r1", loaded_at=T0)
    other_rows = query(db, "SELECT * FROM dim_document WHERE url = ?", [other.url])

    stats = load_documents(db, [revised(doc), other], run_id="r2", loaded_at=T1)

    assert stats == LoadStats(new=0, changed=1, unchanged=1)
    versions = query(db, "SELECT version, is_current, valid_from, valid_to, load_run_id "
                         "FROM dim_document WHERE url = ? ORDER BY version", [doc.url])
    assert versions == [(1, False, T0, T1, "r1"), (2, True, T1, None, "r2")]
    # Tasks are versioned with the document: the old version keeps its tasks.
    tasks = dict(query(db, "SELECT d.version, count(*) FROM fact_task JOIN dim_document d "
                           "USING (document_key) WHERE d.url = ? GROUP BY 1", [doc.url]))
    assert tasks == {1: len(doc.nodes), 2: len(doc.nodes) + 1}
    assert query(db, "SELECT * FROM dim_document WHERE url = ?", [other.url]) == other_rows
    # Loading the revision again is a no-op.
    assert load_documents(db, [revised(doc)], run_id="r3") == LoadStats(unchanged=1)
    assert scalar(db, "SELECT count(*) FROM dim_document WHERE url = ?", [doc.url]) == 2


def test_reverting_to_an_earlier_text_is_a_third_version(db: Path) -> None:
    doc = sample_document()
    load_documents(db, [doc], run_id="r1", loaded_at=T0)
    load_documents(db, [revised(doc)], run_id="r2", loaded_at=T1)
    load_documents(db, [doc], run_id="r3", loaded_at=T1 + dt.timedelta(days=1))
    rows = query(db, "SELECT version, is_current, content_hash FROM dim_document ORDER BY 1")
    assert [(v, c) for v, c, _ in rows] == [(1, False), (2, False), (3, True)]
    assert rows[0][2] == rows[2][2]
    assert scalar(db, "SELECT count(DISTINCT document_key) FROM dim_document") == 3


def test_one_row_per_unit_mention_and_aliases_merged(db: Path) -> None:
    doc = sample_document()
    load_documents(db, [doc], run_id="r1")
    # 市司法局 leads and is responsible in item n1.1: two mentions, one task.
    tasks, mentions = query(db, """
        SELECT count(DISTINCT b.task_key), count(*) FROM bridge_task_agency b
        JOIN dim_agency a USING (agency_key) WHERE a.canonical_name = '市司法局'""")[0]
    assert (tasks, mentions) == (1, 2)
    # 市国安局 (written) and 市国家安全局 resolve to one agency.
    keys = query(db, "SELECT DISTINCT agency_key FROM bridge_task_agency "
                     "WHERE written_name IN ('市国安局', '市国家安全局')")
    assert len(keys) == 1
    assert scalar(db, "SELECT count(*) FROM dim_agency WHERE canonical_name = '市国安局'") == 0
    kinds = dict(query(db, "SELECT canonical_name, kind FROM dim_agency"))
    assert kinds["市中级人民法院"] == "court"
    assert kinds["区委政法委"] == "party_committee"
    assert kinds["市国家安全局"] == "government_department"
    generic = scalar(db, "SELECT is_generic FROM dim_agency WHERE canonical_name = '各县市区政府'")
    assert generic is True


def test_targets_and_deadlines_land_in_fact_target(db: Path) -> None:
    load_documents(db, [sample_document(year=2023)], run_id="r1")
    rows = query(db, "SELECT kind, value, unit, deadline_year, text FROM fact_target ORDER BY 1")
    assert rows == [
        ("count", 60.0, "名", None, "不少于60名"),
        ("deadline", None, None, 2023, "2023年底前"),
        ("percent", 100.0, "%", None, "100%"),
    ]


def test_regions_resolve_to_the_most_specific_seeded_area(db: Path) -> None:
    docs = sample_documents()  # 湘潭市, 广州市白云区人和镇, 某某新区 (not seeded)
    load_documents(db, docs, run_id="r1")
    rows = dict(query(db, """
        SELECT d.region_name, r.path FROM dim_document d JOIN dim_region r USING (region_key)"""))
    assert rows["湘潭市"] == "湖南省/湘潭市"
    assert rows["广州市白云区人和镇"] == "广东省/广州市/白云区/人和镇"
    assert rows["某某新区"] == "某某新区"  # added as a top-level area, not dropped
    assert scalar(db, "SELECT count(*) FROM fact_task WHERE region_key IS NULL") == 0


def test_a_shared_region_name_lands_on_its_path_or_stays_unplaced(db: Path) -> None:
    placed = dataclasses.replace(sample_document("https://www.test.gov.cn/a/1.html"),
                                 region="鼓楼区", region_path="江苏省/南京市/鼓楼区")
    bare = sample_document("https://www.test.gov.cn/a/2.html", region="鼓楼区")  # no path
    load_documents(db, [placed, bare], run_id="r1")
    rows = dict(query(db, """
        SELECT d.url, r.path FROM dim_document d JOIN dim_region r USING (region_key)"""))
    assert rows[placed.url] == "江苏省/南京市/鼓楼区"
    assert rows[bare.url] == "鼓楼区"  # four 鼓楼区 fit: a row of its own, not a guess
    assert scalar(db, "SELECT count(*) FROM dim_region WHERE name = '鼓楼区'") == 5

    again = sample_document("https://www.test.gov.cn/a/3.html", region="鼓楼区")
    load_documents(db, [again], run_id="r2")  # the next bare mention finds the same row
    assert scalar(db, "SELECT count(*) FROM dim_region WHERE name = '鼓楼区'") == 5
    assert scalar(db, """
        SELECT count(DISTINCT region_key) FROM dim_document
        WHERE url IN ('https://www.test.gov.cn/a/2.html', 'https://www.test.gov.cn/a/3.html')
    """) == 1


def test_the_whole_gazetteer_is_seeded_with_parent_keys(db: Path) -> None:
    load_documents(db, [sample_document()], run_id="r1")
    assert scalar(db, "SELECT count(*) FROM dim_region") > 3000
    assert scalar(db, """
        SELECT count(*) FROM dim_region c LEFT JOIN dim_region p
            ON p.region_key = c.parent_region_key
        WHERE c.parent_region_key IS NOT NULL AND p.region_key IS NULL""") == 0
    assert query(db, """
        SELECT c.name, c.admin_level, p.name FROM dim_region c
        JOIN dim_region p ON p.region_key = c.parent_region_key
        WHERE c.path = '湖南省/湘潭市/岳塘区'""") == [("岳塘区", "district", "湘潭市")]


def test_a_document_without_url_is_keyed_by_its_content(db: Path) -> None:
    doc = dataclasses.replace(sample_document(), url=None)
    load_documents(db, [doc], run_id="r1")
    assert scalar(db, "SELECT url FROM dim_document") == f"urn:{doc.content_hash}"
    assert load_documents(db, [doc], run_id="r2") == LoadStats(unchanged=1)


def _variants(count: int) -> list[object]:
    seeds = annotated_documents()
    out = []
    for i in range(count):
        base = seeds[i % len(seeds)]
        out.append(dataclasses.replace(
            base, url=f"https://variants.test/{i}.html",
            content_hash=content_hash(f"{base.content_hash}-{i}")))
    return out


_KILLED_LOAD = """
import sys, time
from tests.warehouse.test_load import _variants, T0
from warehouse.load import load_documents

def progress(index, stats):
    print(f"committed {index}", flush=True)

load_documents(sys.argv[1], _variants(400), run_id="killed", batch_size=25,
               loaded_at=T0, on_batch=progress)
print("finished", flush=True)
"""


@pytest.mark.slow
def test_a_load_killed_part_way_resumes_without_duplicates_or_loss(tmp_path: Path) -> None:
    killed, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_LOAD, str(killed)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("committed"), proc.stderr.read() if proc.stderr else first
        os.kill(proc.pid, signal.SIGKILL)  # mid-way through the following batches
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    docs = _variants(400)
    partial = scalar(killed, "SELECT count(*) FROM dim_document")
    assert 25 <= partial < len(docs)  # whole batches only: committed ones survived

    stats = load_documents(killed, docs, run_id="killed", batch_size=25, loaded_at=T0)
    assert stats.new == len(docs) - partial and stats.unchanged == partial
    load_documents(clean, docs, run_id="killed", batch_size=400, loaded_at=T0)
    resumed, reference = table_checksums(killed), table_checksums(clean)
    resumed.pop("warehouse_schema_version")
    reference.pop("warehouse_schema_version")
    assert resumed == reference
    assert scalar(killed, "SELECT count(*) - count(DISTINCT task_key) FROM fact_task") == 0


def test_quarantine_upserts_on_source_url_reason(db: Path) -> None:
    rows = pl.DataFrame({"source": ["gate", "gate"], "url": ["u1", "u2"],
                         "reason": ["no_title", "empty"], "detail": ["a", "b"]})
    record_quarantine(db, rows, seen_at=T0)
    again = pl.DataFrame({"source": ["gate"], "url": ["u1"], "reason": ["no_title"],
                          "detail": ["a2"]})
    record_quarantine(db, again, seen_at=T1)
    assert query(db, "SELECT url, detail, first_seen, last_seen FROM quarantine ORDER BY url") == [
        ("u1", "a2", T0, T1),
        ("u2", "b", T0, T0),
    ]


def test_dq_results_append_and_run_log_replaces_its_row(db: Path) -> None:
    result = pl.DataFrame({"run_id": ["r1"], "run_at": [T0], "suite": ["dim_document"],
                           "expectation": ["expect_column_values_to_not_be_null"],
                           "table_or_batch": ["dim_document"], "success": [True],
                           "observed": ["0"], "element_count": [9], "unexpected_count": [0]})
    record_dq_results(db, result)
    record_dq_results(db, result)
    assert scalar(db, "SELECT count(*) FROM dq_result") == 2

    record_run(db, {"run_id": "r1", "site": "demo-hunan", "started_at": T0, "status": "running"})
    record_run(db, {"run_id": "r1", "site": "demo-hunan", "started_at": T0, "finished_at": T1,
                    "new_docs": 3, "status": "ok"})
    record_run(db, {"run_id": "r1", "site": None, "status": "ok"})
    assert query(db, "SELECT site, new_docs, status FROM run_log ORDER BY site NULLS LAST") == [
        ("demo-hunan", 3, "ok"), (None, None, "ok")]


def test_archive_manifests_load_once(db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    (archive / "index").mkdir(parents=True)
    (archive / "fetchlog").mkdir()
    when = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
    pl.DataFrame({
        "url": ["https://a/1", "https://a/2"], "site": ["demo"] * 2, "kind": ["article"] * 2,
        "fetched_at": [when] * 2, "status": [200, 200], "digest": ["sha256:1", "sha256:2"],
        "warc_file": ["r1.warc.gz"] * 2, "offset": [0, 900], "length": [900, 800],
        "etag": [None, "e"], "last_modified": [None, None], "run_id": ["r1"] * 2,
    }).write_parquet(archive / "index" / "r1.parquet")
    pl.DataFrame({
        "run_id": ["r1"], "site": ["demo"], "url": ["https://a/3"], "attempted_at": [when],
        "outcome": ["failed"], "status": [503], "attempts": [3], "elapsed_ms": [1500],
        "detail": ["HTTP 503"],
    }).write_parquet(archive / "fetchlog" / "r1.parquet")

    assert load_archive_manifests(db, archive) == {"archive_index": 2, "fetch_log": 1}
    assert load_archive_manifests(db, archive) == {"archive_index": 0, "fetch_log": 0}
    rows = query(db, "SELECT url, \"offset\", fetched_at = ?::TIMESTAMPTZ FROM archive_index "
                     "ORDER BY url", [when])
    assert rows == [("https://a/1", 0, True), ("https://a/2", 900, True)]
    assert scalar(db, "SELECT outcome FROM fetch_log") == "failed"


def _index_rows(run_id: str, urls: list[str]) -> pl.DataFrame:
    when = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
    n = len(urls)
    return pl.DataFrame({
        "url": urls, "site": ["demo"] * n, "kind": ["article"] * n, "fetched_at": [when] * n,
        "status": [200] * n, "digest": [f"sha256:{u}" for u in urls],
        "warc_file": [f"{run_id}.warc.gz"] * n, "offset": list(range(n)), "length": [9] * n,
        "etag": [None] * n, "last_modified": [None] * n, "run_id": [run_id] * n,
    })


def test_a_loaded_manifest_is_not_read_again(db: Path, tmp_path: Path) -> None:
    index = tmp_path / "archive" / "index"
    index.mkdir(parents=True)
    first = index / "r1.parquet"
    _index_rows("r1", ["https://a/1"]).write_parquet(first)
    assert load_archive_manifests(db, tmp_path / "archive")["archive_index"] == 1
    # Same name, same size, unreadable: only a reader that ignored the ledger would fail.
    first.write_bytes(b"\0" * first.stat().st_size)
    _index_rows("r2", ["https://a/1", "https://a/2"]).write_parquet(index / "r2.parquet")
    assert load_archive_manifests(db, tmp_path / "archive")["archive_index"] == 2
    assert scalar(db, "SELECT count(*) FROM archive_manifest") == 2


def test_a_rewritten_manifest_adds_only_its_new_rows(db: Path, tmp_path: Path) -> None:
    index = tmp_path / "archive" / "index"
    index.mkdir(parents=True)
    _index_rows("r1", ["https://a/1"]).write_parquet(index / "r1.parquet")
    load_archive_manifests(db, tmp_path / "archive")
    # A run id used again appends to its manifest (extract.archive keeps the earlier rows).
    _index_rows("r1", ["https://a/1", "https://a/2"]).write_parquet(index / "r1.parquet")
    assert load_archive_manifests(db, tmp_path / "archive")["archive_index"] == 1
    assert query(db, "SELECT url FROM archive_index ORDER BY url") == [
        ("https://a/1",), ("https://a/2",)]


def test_a_merge_the_ledger_missed_is_read_again_and_adds_nothing(db: Path,
                                                                  tmp_path: Path) -> None:
    from extract.archive import compact_manifests

    archive = tmp_path / "archive"
    (archive / "index").mkdir(parents=True)
    for run in ("r1", "r2", "r3"):
        _index_rows(run, [f"https://a/{run}"]).write_parquet(
            archive / "index" / f"{run}-demo.parquet")
    load_archive_manifests(db, archive)
    merged = compact_manifests(archive, "demo", loaded=manifest_ledger(db),
                               ledgered=MANIFEST_FOLDERS.values(), at=2)
    # The loader stopped here, before record_compactions: the ledger still has the old sizes.
    assert [f.name for f in (archive / "index").iterdir()] == ["r3-demo.parquet"]
    assert load_archive_manifests(db, archive) == {"archive_index": 0, "fetch_log": 0}
    assert scalar(db, "SELECT count(*) FROM archive_index") == 3

    record_compactions(db, merged)
    assert manifest_ledger(db) == {
        "index/r3-demo.parquet": (archive / "index" / "r3-demo.parquet").stat().st_size}
    assert load_archive_manifests(db, archive) == {"archive_index": 0, "fetch_log": 0}


def test_dq_results_store_nested_observed_values_as_json(db: Path) -> None:
    rows = pl.DataFrame({"run_id": ["r1"], "suite": ["fact_task"],
                         "expectation": ["expect_column_values_to_be_unique"],
                         "success": [False], "observed": [{"unexpected": 2, "of": 10}]})
    record_dq_results(db, rows)
    assert query(db, "SELECT observed, element_count FROM dq_result") == [
        ('{"unexpected": 2, "of": 10}', None)]


def test_zone_aware_times_are_stored_as_utc(db: Path) -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    record_run(db, {"run_id": "r1", "site": "s",
                    "started_at": dt.datetime(2024, 1, 1, 20, 0, tzinfo=beijing)})
    load_documents(db, [sample_document()], run_id="r1",
                   loaded_at=dt.datetime(2024, 1, 1, 20, 0, tzinfo=beijing))
    assert scalar(db, "SELECT started_at FROM run_log") == dt.datetime(2024, 1, 1, 12, 0)
    assert scalar(db, "SELECT valid_from FROM dim_document") == dt.datetime(2024, 1, 1, 12, 0)


def test_a_url_given_twice_in_one_batch_keeps_its_last_text(db: Path) -> None:
    doc = sample_document()
    newer = revised(doc)
    assert load_documents(db, [doc, newer], run_id="r1") == LoadStats(new=1)
    assert query(db, "SELECT version, content_hash FROM dim_document") == [
        (1, newer.content_hash)]
    assert scalar(db, "SELECT count(*) FROM fact_task") == len(newer.nodes)
