"""The raw archive: WARC records readable from their index row, Parquet manifests in the
contract schema, and the page view (latest usable version per URL) reprocessing reads."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import polars as pl

import extract.archive
from extract.archive import (
    FETCHLOG_SCHEMA,
    INDEX_SCHEMA,
    Compaction,
    compact_manifests,
    iter_pages,
    page_records,
    read_fetchlog,
    read_index,
    read_links,
    read_record,
)
from extract.archive_writer import ArchiveWriter
from extract.exchange import Attempt, Exchange
from extract.state import load_state
from transform.records import sha256_digest

T0 = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)
HTML = "<html><body><div id='zoom'>法治建设工作要点</div></body></html>".encode("gbk")


def exchange(url: str, body: bytes = HTML, *, status: int = 200, minutes: int = 0,
             headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html"),),
             kind: str = "article", content: bytes | None = None) -> Exchange:
    return Exchange(url, "GET", status, headers, body, T0 + dt.timedelta(minutes=minutes),
                    kind, content=body if content is None else content,  # type: ignore[arg-type]
                    referer="http://h/list.htm")


def attempt(url: str, outcome: str, status: int | None = 200) -> Attempt:
    return Attempt(url, T0, outcome, status, 1, 12, "")  # type: ignore[arg-type]


def test_a_record_reads_back_from_its_index_row(tmp_path: Path) -> None:
    zipped = gzip.compress(HTML)
    with ArchiveWriter(tmp_path, run_id="r1", site="s") as writer:
        writer.record(exchange("http://h/a.html", zipped, content=HTML, headers=(
            ("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
            ("ETag", '"v1"'), ("Last-Modified", "Sat, 01 Mar 2025 02:00:00 GMT"))))
        writer.log(attempt("http://h/a.html", "ok"))
    index = read_index(tmp_path)
    assert dict(index.schema) == INDEX_SCHEMA and index.height == 1
    row = index.row(0, named=True)
    assert row["digest"] == sha256_digest(HTML)  # digest of the content, not the wire bytes
    assert (row["etag"], row["run_id"], row["site"], row["kind"]) == ('"v1"', "r1", "s",
                                                                      "article")
    assert (tmp_path / row["warc_file"]).is_file() and row["length"] > 0
    page = read_record(tmp_path, row["warc_file"], row["offset"], site="s")
    assert page.body == HTML and page.status == 200 and page.digest == row["digest"]
    assert page.url == "http://h/a.html" and page.referer == "http://h/list.htm"
    assert page.fetched_at == T0
    assert page.header("Content-Encoding") is None  # the body handed on is decoded


def test_manifests_are_per_run_and_empty_runs_still_write_them(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path, run_id="r1", site="demo-hunan"):
        pass
    assert (tmp_path / "index" / "r1-demo-hunan.parquet").is_file()
    assert (tmp_path / "fetchlog" / "r1-demo-hunan.parquet").is_file()
    assert read_index(tmp_path).height == 0
    assert dict(read_fetchlog(tmp_path).schema) == FETCHLOG_SCHEMA
    assert read_index(tmp_path / "nowhere").height == 0


def test_reusing_a_run_id_appends(tmp_path: Path) -> None:
    for minutes in (0, 5):
        with ArchiveWriter(tmp_path, run_id="r1", site="s") as writer:
            writer.record(exchange("http://h/a.html", minutes=minutes))
    index = read_index(tmp_path)
    assert index.height == 2
    offsets = index.get_column("offset").to_list()
    assert offsets[0] == 0 and offsets[1] > 0  # second record after the first in one file


def test_page_view_keeps_the_latest_usable_version(tmp_path: Path) -> None:
    old, new = HTML, HTML.replace("要点".encode("gbk"), "计划".encode("gbk"))
    with ArchiveWriter(tmp_path, run_id="r1", site="s") as writer:
        writer.record(exchange("http://h/a.html", old))
        writer.record(exchange("http://h/b.html", b"<p>js</p>"))
        writer.log(attempt("http://h/b.html", "ok"))
        writer.amend_outcome("http://h/b.html", "blocked", "JavaScript challenge")
        writer.record(exchange("http://h/list.htm", b"<ul></ul>", kind="list"))
    with ArchiveWriter(tmp_path, run_id="r2", site="s") as writer:
        writer.record(exchange("http://h/a.html", new, minutes=60))
        writer.record(exchange("http://h/c.html", b"", status=304, minutes=60))
    pages = {p.url: p for p in iter_pages(tmp_path)}
    assert set(pages) == {"http://h/a.html"}  # blocked, list and 304 records are not pages
    assert pages["http://h/a.html"].body == new
    assert page_records(tmp_path, site="other").height == 0
    log = read_fetchlog(tmp_path)
    assert log.filter(pl.col("url") == "http://h/b.html").get_column("outcome").to_list() == [
        "blocked"]


def test_state_offers_validators_for_conditional_gets(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path, run_id="r1", site="s") as writer:
        writer.record(exchange("http://h/a.html", headers=(("ETag", '"e1"'),)))
        writer.record(exchange("http://h/old.html", b"", status=301, headers=(
            ("Location", "/new.html"),)))
        writer.record(exchange("http://h/new.html", headers=(
            ("Last-Modified", "Sat, 01 Mar 2025 02:00:00 GMT"),)))
        writer.log(Attempt("http://h/a.html", T0, "ok", 200, 1, 5, "list_date=2024-12-30"))
    state = load_state(tmp_path, "s")
    a = state.get("http://h/a.html")
    assert a is not None and a.etag == '"e1"' and a.digest == sha256_digest(HTML)
    moved = state.get("http://h/old.html")  # found through the redirect it last answered
    assert moved is not None and moved.last_modified == "Sat, 01 Mar 2025 02:00:00 GMT"
    assert state.cursor == dt.date(2024, 12, 30)
    assert "http://h/missing.html" not in state


def test_a_sites_manifests_read_alone_even_when_another_name_ends_like_it(
        tmp_path: Path) -> None:
    for run, site in (("r1", "hunan"), ("r1", "demo-hunan"), ("r2", "hunan")):
        with ArchiveWriter(tmp_path, run_id=run, site=site) as writer:
            writer.record(exchange(f"http://h/{site}-{run}.html"))
            writer.log(attempt(f"http://h/{site}-{run}.html", "ok"))
    assert read_index(tmp_path, "hunan")["url"].to_list() == [
        "http://h/hunan-r1.html", "http://h/hunan-r2.html"]
    assert read_fetchlog(tmp_path, "demo-hunan")["url"].to_list() == ["http://h/demo-hunan-r1.html"]
    assert read_index(tmp_path).height == 3
    assert read_index(tmp_path, "nobody").height == 0


def test_manifests_from_an_older_schema_still_read(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path, run_id="r2", site="s") as writer:
        writer.log(attempt("http://h/new.html", "ok"))
    # Older runs: one manifest without the detail column, one with attempts as Int64.
    pl.DataFrame({"run_id": ["r0"], "site": ["s"], "url": ["http://h/old.html"],
                  "attempted_at": [T0], "outcome": ["ok"], "status": [200], "attempts": [1],
                  "elapsed_ms": [5]},
                 schema={k: v for k, v in FETCHLOG_SCHEMA.items() if k != "detail"},
                 ).write_parquet(tmp_path / "fetchlog" / "r0-s.parquet")
    pl.DataFrame({"run_id": ["r1"], "site": ["s"], "url": ["http://h/mid.html"],
                  "attempted_at": [T0], "outcome": ["ok"], "status": [200], "attempts": [1],
                  "elapsed_ms": [5], "detail": [""]},
                 schema={**FETCHLOG_SCHEMA, "attempts": pl.Int64},
                 ).write_parquet(tmp_path / "fetchlog" / "r1-s.parquet")
    log = read_fetchlog(tmp_path, "s")
    assert dict(log.schema) == FETCHLOG_SCHEMA
    assert log["url"].to_list() == ["http://h/old.html", "http://h/mid.html", "http://h/new.html"]
    assert log["detail"].to_list()[0] is None


def _nightly_manifests(archive: Path, site: str, runs: int) -> None:
    for night in range(runs):
        with ArchiveWriter(archive, run_id=f"r{night}", site=site) as writer:
            url = f"http://h/{site}-{night % 2}.html"  # two pages, each fetched every other night
            writer.record(exchange(url, minutes=night))
            writer.log(attempt(url, "ok"))
            writer.record_links(url, [f"http://h/{site}-{night}.pdf"])
            writer.record_listing("http://h/list.html", [(url, dt.date(2026, 1, night + 1),
                                                          "http://h/list.html")],
                                  seen_on=dt.date(2026, 2, night + 1), complete=night % 2 == 0)


LEDGERED = ("index", "fetchlog")  # the folders the warehouse loads


def _ledger(archive: Path) -> dict[str, int]:
    """What the warehouse would record after loading every index and fetchlog manifest."""
    return {f"{f.parent.name}/{f.name}": f.stat().st_size
            for folder in LEDGERED for f in (archive / folder).glob("*.parquet")}


def _compact(archive: Path, site: str, loaded: dict[str, int], *, at: int) -> list[Compaction]:
    return compact_manifests(archive, site, loaded=loaded, ledgered=LEDGERED, at=at)


def _site_view(archive: Path, site: str) -> tuple[object, ...]:
    state = load_state(archive, site)
    return (read_index(archive, site).rows(), read_fetchlog(archive, site).rows(),
            read_links(archive, site), state.cursor, sorted(state.links.items()),
            sorted(state.listed.items()), state.walked)


def test_compaction_merges_a_sites_manifests_into_its_newest_and_reads_the_same(
        tmp_path: Path) -> None:
    _nightly_manifests(tmp_path, "hunan", 5)
    _nightly_manifests(tmp_path, "demo-hunan", 5)  # named like "hunan" plus a prefix
    before = _site_view(tmp_path, "hunan"), _site_view(tmp_path, "demo-hunan")

    done = _compact(tmp_path, "hunan", _ledger(tmp_path), at=3)

    assert [(c.folder, c.merged) for c in done] == [
        ("index", "index/r4-hunan.parquet"), ("fetchlog", "fetchlog/r4-hunan.parquet"),
        ("links", "links/r4-hunan.parquet"), ("listings", "listings/r4-hunan.parquet")]
    assert done[0].removed == tuple(f"index/r{n}-hunan.parquet" for n in range(4))
    assert done[0].size_bytes == (tmp_path / done[0].merged).stat().st_size
    assert (_site_view(tmp_path, "hunan"), _site_view(tmp_path, "demo-hunan")) == before
    for folder in ("index", "fetchlog", "links", "listings"):
        names = sorted(f.name for f in (tmp_path / folder).glob("*.parquet"))
        assert names == [f"r{n}-demo-hunan.parquet" for n in range(5)] + ["r4-hunan.parquet"]
    assert _compact(tmp_path, "hunan", _ledger(tmp_path), at=3) == []


def test_compaction_takes_only_manifests_the_warehouse_has_read(tmp_path: Path) -> None:
    _nightly_manifests(tmp_path, "s", 4)
    ledger = _ledger(tmp_path)
    del ledger["index/r2-s.parquet"]  # r2's index has not been loaded yet
    ledger["fetchlog/r1-s.parquet"] += 1  # r1's fetch log was rewritten since it was loaded

    done = {c.folder: c for c in _compact(tmp_path, "s", ledger, at=2)}

    assert done["index"].merged == "index/r1-s.parquet"  # r0 and r1; r2 and r3 wait
    assert sorted(f.name for f in (tmp_path / "index").glob("*")) == [
        "r1-s.parquet", "r2-s.parquet", "r3-s.parquet"]
    assert "fetchlog" not in done  # only r0 precedes the rewritten manifest: too few
    assert done["links"].removed == ("links/r0-s.parquet", "links/r1-s.parquet",
                                     "links/r2-s.parquet")  # no ledger: all of them
    assert _compact(tmp_path, "s", ledger, at=99) == []


def test_a_manifest_merged_away_after_listing_is_listed_again(tmp_path: Path,
                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _nightly_manifests(tmp_path, "s", 3)
    expected = read_index(tmp_path, "s").rows()
    listing = extract.archive._manifest_files
    stale = listing(tmp_path / "index", "s")
    _compact(tmp_path, "s", _ledger(tmp_path), at=2)
    calls: list[int] = []

    def list_once_stale(folder: Path, site: str | None) -> list[Path]:
        calls.append(1)
        return stale if len(calls) == 1 else listing(folder, site)

    monkeypatch.setattr(extract.archive, "_manifest_files", list_once_stale)
    assert read_index(tmp_path, "s").rows() == expected
    assert len(calls) == 2
