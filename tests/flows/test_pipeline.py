"""The pipeline as plain functions (no Prefect): hand-over through the archive."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows import pipeline
from flows.config import DataPaths
from flows.outputs import finish_outputs
from transform.records import RawPage
from warehouse.runs import completed_runs


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def test_pages_a_dead_run_archived_are_loaded_by_the_next_run(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site="demo-trs", base_url=demo_site.base_url, delay=0)

    # Run A fetches and archives, then dies before parsing or loading anything.
    dead = pipeline.fetch_site(request, paths, pipeline.new_run_id())
    assert len(dead.pages) > 5

    # Run B sees only 304s from the site, yet finishes run A's work from the archive.
    run_b = pipeline.new_run_id()
    done = completed_runs(paths.warehouse).get("demo-trs", frozenset())
    result = pipeline.fetch_site(request, paths, run_b)
    assert result.pages == []
    batch = pipeline.parse_and_gate(request, result, paths, run_b, done)
    summary = pipeline.load_batch(batch, paths)
    assert summary.new == batch.frames.document.height > 5

    # Run C: run B completed, so nothing is pending any more.
    run_c = pipeline.new_run_id()
    done = completed_runs(paths.warehouse)["demo-trs"]
    assert run_b in done
    again = pipeline.parse_and_gate(request, pipeline.fetch_site(request, paths, run_c),
                                    paths, run_c, done)
    assert again.frames.document.is_empty()
    assert _count(paths.warehouse, "SELECT count(*) FROM dim_document") == summary.new


def test_parse_failures_are_quarantined_not_raised() -> None:
    import datetime as dt

    from transform.records import RawPage

    binary = RawPage(url="http://127.0.0.1/x.html", site="t", status=200,
                     headers=(("Content-Type", "text/html"),), body=b"\x00\x01\x02" * 100,
                     fetched_at=dt.datetime.now(dt.UTC), digest="sha256:0")
    docs, bad = pipeline.parse_pages([binary])
    assert docs == []
    assert bad.row(0, named=True)["reason"] == "unreadable_input"
    assert bad.row(0, named=True)["url"] == binary.url


def test_a_cover_page_is_parsed_from_its_attached_pdf(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site="demo-trs", base_url=demo_site.base_url, delay=0)
    run_id = pipeline.new_run_id()
    batch = pipeline.parse_and_gate(request, pipeline.fetch_site(request, paths, run_id),
                                    paths, run_id)
    docs, tasks = batch.frames.document, batch.frames.task
    (doc,) = docs.filter(pl.col("quality_flags").list.contains("from_attachment")).to_dicts()
    assert doc["url"].endswith(".html")  # the article's URL, not the PDF's
    assert doc["source_site"] == "127.0.0.1"
    assert "2023年工作计划" in doc["title"]
    sections = tasks.filter((pl.col("batch_seq") == doc["batch_seq"]) & (pl.col("level") == 1))
    assert sections["heading"].to_list()[:2] == [
        "坚持政治引领,深入贯彻落实省委、市委和区党工委法治建设部署要求",
        "围绕中心大局,持续优化法治化营商环境",
    ]


def test_the_profiles_cover_max_chars_decides_what_is_a_cover(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # demo-trs with no page short enough to be a cover: its cover page stays itself.
    profile = tmp_path / "demo-trs.yaml"
    profile.write_text("extends: demo-trs\ndetail:\n  cover_max_chars: 0\n", encoding="utf-8")
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site=str(profile), base_url=demo_site.base_url, delay=0)
    run_id = pipeline.new_run_id()
    batch = pipeline.parse_and_gate(request, pipeline.fetch_site(request, paths, run_id),
                                    paths, run_id)
    assert batch.site == "demo-trs" and batch.frames.document.height > 5
    flags = batch.frames.document["quality_flags"].to_list()
    assert not [f for f in flags if "from_attachment" in f]  # the stock profile finds one


def test_a_revised_cover_still_reads_its_unchanged_attachment_from_the_archive(
    demo_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site="demo-trs", base_url=demo_site.base_url, delay=0)
    first = pipeline.new_run_id()
    batch = pipeline.parse_and_gate(request, pipeline.fetch_site(request, paths, first),
                                    paths, first)
    pipeline.load_batch(batch, paths)

    cover = next(a for a in demo_site.articles() if a.attachments and a.column.family == "trs")
    cover.revisable = True  # its page changes; the PDF it links does not
    demo_site.set_revision(2)
    second = pipeline.new_run_id()
    result = pipeline.fetch_site(replace(request, revalidate_all=True), paths, second)
    assert [p.kind for p in result.pages] == ["article"]  # only the cover page came back
    again = pipeline.parse_and_gate(request, result, paths, second,
                                    completed_runs(paths.warehouse)["demo-trs"])
    (doc,) = again.frames.document.to_dicts()
    assert "from_attachment" in doc["quality_flags"]
    assert again.frames.task.filter(pl.col("level") == 1).height == 5


def test_run_ids_sort_by_start_time_even_within_one_second() -> None:
    import datetime as dt

    start = dt.datetime(2026, 1, 1, 2, 0, 0, 999_000, tzinfo=dt.UTC)
    ids = [pipeline.new_run_id(start + dt.timedelta(microseconds=i)) for i in range(50)]
    assert sorted(ids) == ids
    assert len(set(ids)) == 50


def _trs_fetched(demo_site, tmp_path: Path) -> tuple[DataPaths, str, list[RawPage]]:  # type: ignore[no-untyped-def]
    """A data directory, a run id and the pages that run fetched from the demo TRS site."""
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site="demo-trs", base_url=demo_site.base_url, delay=0)
    run_id = pipeline.new_run_id()
    return paths, run_id, pipeline.fetch_site(request, paths, run_id).pages


def test_chunked_parse_and_gate_equals_one_batch(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, run_id, pages = _trs_fetched(demo_site, tmp_path)
    attachments = [p for p in pages if p.kind == "attachment"]
    assert attachments and len(pages) > 10
    first = next(p for p in pages if p.kind == "article")
    pages[3:3] = [replace(first, url=f"{first.url}?broken", body=b"\x00\x01" * 200),  # unreadable
                  replace(first, url=f"{first.url}?copy")]  # a second document, same text

    def run(chunk: int) -> pipeline.Gated:
        return pipeline.parse_and_gate_pages(pages, run_id=run_id, paths=paths,
                                             attachments=attachments, chunk=chunk)

    whole, chunked = run(len(pages)), run(4)  # a cover and its PDF may land in other chunks
    for name, frame in whole.frames.as_dict().items():
        assert chunked.frames.as_dict()[name].equals(frame), name
    assert chunked.quarantined.sort("url", "reason").equals(whole.quarantined.sort("url", "reason"))
    assert whole.quarantined["reason"].to_list() == ["unreadable_input"]
    same = ["expectation", "table_or_batch", "success", "element_count", "unexpected_count"]
    def results(gated: pipeline.Gated) -> pl.DataFrame:
        return gated.dq_results.select(same).sort(same)

    assert results(chunked).equals(results(whole))


def _one_site_loaded(demo_site, tmp_path: Path) -> tuple[DataPaths, str]:  # type: ignore[no-untyped-def]
    """A data directory holding one harvested and loaded site, and that run's id."""
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site="demo-hanweb", base_url=demo_site.base_url, delay=0)
    run_id = pipeline.new_run_id()
    fetched = pipeline.fetch_site(request, paths, run_id)
    pipeline.load_batch(pipeline.parse_and_gate(request, fetched, paths, run_id, frozenset()),
                        paths)
    return paths, run_id


def test_finish_outputs_builds_every_output_and_times_each_step(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, run_id = _one_site_loaded(demo_site, tmp_path)

    timings: dict[str, float] = {}
    outputs = finish_outputs(paths, run_id, timings=timings)

    assert outputs["report"].is_file() and outputs["dashboard"].is_file()
    assert list(outputs["parquet"].glob("*.parquet"))
    assert sorted(timings) == ["dashboard", "parquet", "reports", "warehouse_suites"]
    assert all(seconds > 0 for seconds in timings.values())
    # The export ran after the table checks recorded this run's results, so it holds them
    # (the gate's "documents" results of the run were there before).
    exported = pl.read_parquet(outputs["parquet"] / "dq_result.parquet")
    checked = exported.filter((pl.col("run_id") == run_id) & (pl.col("suite") != "documents"))
    assert "fact_task" in checked["suite"].to_list()


def test_a_failed_parquet_export_fails_the_outputs_after_the_report_and_dashboard(
    demo_site, tmp_path: Path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    import warehouse.export

    paths, run_id = _one_site_loaded(demo_site, tmp_path)

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(warehouse.export, "export_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        finish_outputs(paths, run_id)
    assert (paths.reports / "index.html").is_file()
    assert (paths.dashboard / "index.html").is_file()


def test_the_loader_compacts_a_sites_manifests_and_the_warehouse_keeps_every_row_once(
    demo_site, tmp_path: Path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    import extract.archive
    from extract.archive import read_fetchlog, read_index
    from warehouse.load import load_archive_manifests

    monkeypatch.setattr(extract.archive, "COMPACT_AT", 2)
    paths = DataPaths(tmp_path / "data")
    request = pipeline.SiteRequest(site="demo-trs", base_url=demo_site.base_url, delay=0,
                                   revalidate_all=True)
    for _ in range(3):  # the second and third loads each merge two manifests per folder
        run_id = pipeline.new_run_id()
        done = completed_runs(paths.warehouse).get("demo-trs", frozenset())
        batch = pipeline.parse_and_gate(request, pipeline.fetch_site(request, paths, run_id),
                                        paths, run_id, done)
        pipeline.load_batch(batch, paths)

    for folder in ("index", "fetchlog", "links"):
        assert [f.name for f in (paths.archive / folder).glob("*.parquet")] == [
            f"{run_id}-demo-trs.parquet"]
    index, log = read_index(paths.archive, "demo-trs"), read_fetchlog(paths.archive, "demo-trs")
    assert index["run_id"].n_unique() == log["run_id"].n_unique() == 3
    assert _count(paths.warehouse, "SELECT count(*) FROM archive_index") == index.height
    assert _count(paths.warehouse, "SELECT count(*) FROM fetch_log") == log.height
    assert _count(paths.warehouse, "SELECT count(*) FROM archive_manifest") == 2
    assert load_archive_manifests(paths.warehouse, paths.archive) == {
        "archive_index": 0, "fetch_log": 0}

    # The merged archive alone rebuilds the same warehouse.
    documents = _count(paths.warehouse, "SELECT count(*) FROM dim_document")
    paths.warehouse.unlink()
    pipeline.load_batch(pipeline.reprocess_site("demo-trs", paths, pipeline.new_run_id()), paths)
    assert _count(paths.warehouse, "SELECT count(*) FROM dim_document") == documents > 0
    assert _count(paths.warehouse, "SELECT count(*) FROM archive_index") == index.height


def _gated_apart_and_together(demo_site, paths: DataPaths):  # type: ignore[no-untyped-def]
    """Two sites' pages gated each in its own validation, and again sharing one."""
    run_id = pipeline.new_run_id()
    fetched = {}
    for site in ("demo-trs", "demo-hanweb"):
        request = pipeline.SiteRequest(site=site, base_url=demo_site.base_url, delay=0)
        fetched[site] = (request, pipeline.fetch_site(request, paths, run_id))
    apart = [pipeline.parse_and_gate(req, res, paths, run_id) for req, res in fetched.values()]
    waiting = [pipeline.parse_and_gate(req, res, paths, run_id, share_gate=True)
               for req, res in fetched.values()]
    return apart, waiting, run_id


def test_small_sites_share_one_gate_with_the_same_outcome_per_site(  # type: ignore[no-untyped-def]
        demo_site, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    apart, waiting, run_id = _gated_apart_and_together(demo_site, paths)
    assert all(b.ungated for b in waiting) and all(b.frames.document.is_empty() for b in waiting)
    assert all(b.ungated is None for b in apart)
    from expectations.context import get_context

    store = get_context(paths.gx).validation_results_store
    before = len(store.list_keys())
    together = pipeline.gate_together(waiting, run_id=run_id, paths=paths)
    assert len(store.list_keys()) == before + 1  # one validation for both sites

    same = ["expectation", "table_or_batch", "success", "element_count", "unexpected_count"]
    for alone, shared in zip(apart, together, strict=True):
        assert shared.ungated is None and shared.site == alone.site
        for name, frame in alone.frames.as_dict().items():
            assert shared.frames.as_dict()[name].sort(frame.columns).equals(
                frame.sort(frame.columns)), (alone.site, name)
        assert shared.quarantined.sort("url", "reason").equals(
            alone.quarantined.sort("url", "reason"))
        assert shared.dq_results is not None and alone.dq_results is not None
        # results are reported per harvested site, whichever validation judged them
        assert set(shared.dq_results["table_or_batch"]) == {f"documents:{alone.site}"}
        assert shared.dq_results.select(same).sort(same).equals(
            alone.dq_results.select(same).sort(same))


def test_small_sites_load_in_one_merge_with_the_same_counts_per_site(  # type: ignore[no-untyped-def]
        demo_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import warehouse.load

    apart, _, _ = _gated_apart_and_together(demo_site, DataPaths(tmp_path / "data"))
    merges = []
    merge = warehouse.load.load_batch
    monkeypatch.setattr(warehouse.load, "load_batch",
                        lambda *a, **k: merges.append(1) or merge(*a, **k))
    together, alone = DataPaths(tmp_path / "together"), DataPaths(tmp_path / "alone")

    summaries = pipeline.load_batches(apart, together)
    assert len(merges) == 1
    assert summaries == [pipeline.load_batches([b], alone)[0] for b in apart]
    assert all(s.new > 0 and not s.changed and not s.unchanged for s in summaries)
    for table in ("dim_document", "fact_task", "bridge_task_agency", "run_log"):
        sql = f"SELECT count(*) FROM {table}"
        assert _count(together.warehouse, sql) == _count(alone.warehouse, sql), table
    again = pipeline.load_batches(apart, together)  # the same pages once more: nothing new
    assert [(s.site, s.new, s.changed, s.unchanged) for s in again] == [
        (s.site, 0, 0, s.new) for s in summaries]


def test_ungated_batches_are_refused_by_the_loader(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = DataPaths(tmp_path / "data")
    _, waiting, run_id = _gated_apart_and_together(demo_site, paths)
    with pytest.raises(ValueError, match="not gated"):
        pipeline.load_batches(waiting, paths)
    summaries = pipeline.load_batches(pipeline.gate_together(waiting, run_id=run_id,
                                                             paths=paths), paths)
    assert [s.site for s in summaries] == ["demo-trs", "demo-hanweb"]
    assert _count(paths.warehouse, "SELECT count(*) FROM dim_document") == sum(
        s.new for s in summaries) > 5
    assert _count(paths.warehouse, "SELECT count(DISTINCT site) FROM run_log "
                                   "WHERE status = 'ok'") == 2


def test_a_site_bigger_than_a_chunk_is_gated_in_its_worker(demo_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, run_id, pages = _trs_fetched(demo_site, tmp_path)
    articles = [p for p in pages if p.kind == "article"]

    def run(chunk: int) -> pipeline.Gated:
        return pipeline.parse_and_gate_pages(pages, run_id=run_id, paths=paths, chunk=chunk,
                                             site="demo-trs", share_gate=True)

    small, big = run(len(articles) + 1), run(len(articles) // 2)
    assert small.ungated is not None and len(small.ungated) > 5
    assert big.ungated is None and big.frames.document.height > 5
