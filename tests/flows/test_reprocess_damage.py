"""A damaged archive costs what is damaged, never whole sites (issue #24, item 4).

The damage is done to a real archive: the demo site's Hanweb and TRS portals, harvested and
loaded once for this module; each test damages a copy of that archive, rebuilds a warehouse
from it, and compares that with what the harvest loaded.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from extract.archive import page_records, read_index
from flows import pipeline
from flows.cli import app
from flows.config import DataPaths

pytestmark = pytest.mark.slow

# reprocess goes through sites in name order: damage to the first must not cost the second
FIRST, SECOND = "demo-hanweb", "demo-trs"


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


_SITE_URLS: dict[str, set[str]] = {}  # filled by `harvested`: both sites share one host


def _documents(db: Path, site: str) -> set[str]:
    """URLs of the current documents harvested from `site`."""
    loaded = {str(url) for (url,) in _rows(db, "SELECT url FROM dim_document WHERE is_current")}
    return loaded & _SITE_URLS[site]


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPaths]:
    """Both sites harvested and loaded (one harvest for the whole module)."""
    from demo import DemoSite

    paths = DataPaths(tmp_path_factory.mktemp("harvested") / "data")
    with DemoSite(host="127.0.0.1", port=0) as site:
        for name in (FIRST, SECOND):
            request = pipeline.SiteRequest(site=name, base_url=site.base_url, delay=0)
            run_id = pipeline.new_run_id()
            fetched = pipeline.fetch_site(request, paths, run_id)
            pipeline.load_batch(pipeline.parse_and_gate(request, fetched, paths, run_id,
                                                        frozenset()), paths)
    for name in (FIRST, SECOND):
        articles = read_index(paths.archive, name).filter(pl.col("kind") == "article")
        _SITE_URLS[name] = set(articles["url"].to_list())
    assert not _SITE_URLS[FIRST] & _SITE_URLS[SECOND]
    assert _documents(paths.warehouse, FIRST) and _documents(paths.warehouse, SECOND)
    yield paths


@pytest.fixture()
def damaged(harvested: DataPaths, tmp_path: Path) -> DataPaths:
    """A data directory holding a copy of the harvested archive and no warehouse yet."""
    paths = DataPaths(tmp_path / "data")
    shutil.copytree(harvested.archive, paths.archive)
    return paths


def _middle_article(paths: DataPaths, site: str) -> dict[str, object]:
    """The index row of an article in the middle of the site's WARC file, with records
    (and other articles) after it."""
    articles = page_records(paths.archive, site=site, kinds=("article",)).sort("offset")
    return articles.row(articles.height // 2, named=True)


def _garble(paths: DataPaths, row: dict[str, object]) -> None:
    """Overwrite bytes in the middle of the record's gzip member."""
    path = paths.archive / str(row["warc_file"])
    data = bytearray(path.read_bytes())
    at = int(row["offset"]) + int(row["length"]) // 2  # type: ignore[call-overload]
    data[at:at + 16] = b"\x00GARBAGE\xffGARBAGE"
    path.write_bytes(bytes(data))


def _cut(paths: DataPaths, row: dict[str, object]) -> None:
    """Cut the file in the middle of the record (as a full disk or a killed copy would)."""
    path = paths.archive / str(row["warc_file"])
    with path.open("r+b") as fh:
        fh.truncate(int(row["offset"]) + int(row["length"]) // 2)  # type: ignore[call-overload]


def _reprocess(paths: DataPaths) -> dict:  # type: ignore[type-arg]
    from flows.maintenance import reprocess

    return reprocess(data_dir=str(paths.root))


@pytest.mark.parametrize("damage", ["garbage", "cut"])
def test_a_damaged_record_is_skipped_quarantined_and_counted(
    prefect_harness: None, harvested: DataPaths, damaged: DataPaths, damage: str
) -> None:
    row = _middle_article(damaged, FIRST)
    (_garble if damage == "garbage" else _cut)(damaged, row)
    # Garbage costs its record; a cut costs every record after it in that file (the bytes
    # are gone): those articles are the ones that must be reported, the others loaded.
    lost = page_records(damaged.archive, site=FIRST, kinds=("article",)).filter(
        pl.col("warc_file") == row["warc_file"],
        pl.col("offset") == row["offset"] if damage == "garbage"
        else pl.col("offset") >= row["offset"])
    lost_urls = set(lost["url"].to_list())
    assert row["url"] in lost_urls and (damage == "garbage") == (len(lost_urls) == 1)

    result = _reprocess(damaged)

    db = damaged.warehouse
    quarantined = _rows(db, "SELECT url, detail FROM quarantine "
                            "WHERE reason = 'archive_damaged' AND source = 'archive'")
    assert {url for url, _ in quarantined} == lost_urls
    detail = dict(quarantined)[row["url"]]
    assert f"{row['warc_file']} at offset {row['offset']}" in str(detail)
    # every other document of the damaged site and of the site after it is loaded
    assert _documents(db, FIRST) == _documents(harvested.warehouse, FIRST) - lost_urls
    assert _documents(db, SECOND) == _documents(harvested.warehouse, SECOND)
    # the run summary counts it: result, per site, Markdown
    assert result["archive_damaged"] == len(lost_urls)
    assert result["per_site"][FIRST]["archive_damaged"] == len(lost_urls)
    assert "archive_damaged" not in result["per_site"][SECOND]
    header, _, *rows = result["markdown"].split("# govharvest reprocess run")[1].split(
        "\n")[2:]
    column = [c.strip() for c in header.split("|")].index("archive damaged")
    damaged_row = next(r for r in rows if r.startswith(f"| {FIRST} "))
    assert [c.strip() for c in damaged_row.split("|")][column] == str(len(lost_urls))
    assert _rows(db, "SELECT site, status FROM run_log ORDER BY site") == [
        (FIRST, "ok"), (SECOND, "ok")]


def test_a_deleted_index_manifest_is_rebuilt_and_the_site_still_loads(
    prefect_harness: None, harvested: DataPaths, damaged: DataPaths
) -> None:
    (manifest,) = (damaged.archive / "index").glob(f"*-{SECOND}.parquet")
    original = pl.read_parquet(manifest)
    manifest.unlink()
    assert read_index(damaged.archive, SECOND).is_empty()

    result = _reprocess(damaged)

    assert result["sites"] == 2
    assert _documents(damaged.warehouse, SECOND) == _documents(harvested.warehouse, SECOND)
    assert _documents(damaged.warehouse, FIRST) == _documents(harvested.warehouse, FIRST)
    # the rebuilt index says what the lost one said, row for row
    assert manifest.exists()
    assert pl.read_parquet(manifest).equals(original)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_archive_reindex_recreates_a_deleted_index_once(damaged: DataPaths) -> None:
    (manifest,) = (damaged.archive / "index").glob(f"*-{SECOND}.parquet")
    original = pl.read_parquet(manifest)
    manifest.unlink()

    code, out = _cli("archive", "reindex", "--site", SECOND, "--data-dir", str(damaged.root))
    assert code == 0, out
    assert f"{original.height} record(s) indexed in 1 manifest(s)" in out
    assert pl.read_parquet(manifest).equals(original)
    written = manifest.read_bytes()

    code, out = _cli("archive", "reindex", "--data-dir", str(damaged.root))
    assert code == 0, out
    assert "nothing written" in out
    assert manifest.read_bytes() == written
    assert _cli("archive", "verify", "--data-dir", str(damaged.root))[0] == 0

    code, out = _cli("archive", "reindex", "--site", "no-such-site",
                     "--data-dir", str(damaged.root))
    assert code == 2 and "no WARC files for site no-such-site" in out


def _delete_index(paths: DataPaths) -> str:
    (manifest,) = (paths.archive / "index").glob(f"*-{SECOND}.parquet")
    manifest.unlink()
    return "WARC file with no index"


def _delete_fetchlog(paths: DataPaths) -> str:
    (manifest,) = (paths.archive / "fetchlog").glob(f"*-{SECOND}.parquet")
    manifest.unlink()
    return "fetch log missing"


def _garbage_manifest(paths: DataPaths) -> str:
    (paths.archive / "links" / "garbage.parquet").write_bytes(b"not parquet at all")
    return "manifest unreadable"


def _wrong_schema_manifest(paths: DataPaths) -> str:
    pl.DataFrame({"x": [1]}).write_parquet(paths.archive / "fetchlog" / f"x-{SECOND}.parquet")
    return "manifest unreadable"


def _missing_warc(paths: DataPaths) -> str:
    (warc,) = (paths.archive / "warc").glob(f"*-{SECOND}.warc.gz")
    warc.unlink()
    return "index points at a missing WARC file"


def _unreadable_warc(paths: DataPaths) -> str:
    (paths.archive / "warc" / f"x-{SECOND}.warc.gz").mkdir()  # opens as IsADirectoryError
    return "WARC file unreadable"


def _garbled_record(paths: DataPaths) -> str:
    _garble(paths, _middle_article(paths, FIRST))
    return "damaged record"


def _cut_file(paths: DataPaths) -> str:
    _cut(paths, _middle_article(paths, FIRST))
    return "index row at no record"


@pytest.mark.parametrize("damage", [_delete_index, _delete_fetchlog, _garbage_manifest,
                                    _wrong_schema_manifest, _missing_warc, _unreadable_warc,
                                    _garbled_record, _cut_file],
                         ids=lambda f: f.__name__.strip("_"))
def test_archive_verify_reports_each_kind_of_damage(damaged: DataPaths, damage) -> None:  # type: ignore[no-untyped-def]
    code, out = _cli("archive", "verify", "--data-dir", str(damaged.root))
    assert code == 0, out

    expected = damage(damaged)

    code, out = _cli("archive", "verify", "--data-dir", str(damaged.root))
    assert code == 1
    assert expected in out and "problem(s)" in out
    assert "Traceback" not in out


def test_archive_verify_refuses_a_data_dir_with_no_archive(tmp_path: Path) -> None:
    code, out = _cli("archive", "verify", "--data-dir", str(tmp_path / "nowhere"))
    assert code == 2 and "does not exist" in out
    code, out = _cli("archive", "verify", "--data-dir", str(tmp_path))
    assert code == 2 and "no archive in" in out


def test_a_garbage_manifest_fails_only_its_own_ledger_entry(
    prefect_harness: None, harvested: DataPaths, damaged: DataPaths
) -> None:
    garbage = damaged.archive / "index" / f"zz-{FIRST}.parquet"
    garbage.write_bytes(b"PAR1 this is not a Parquet file PAR1")
    pl.DataFrame({"x": [1]}).write_parquet(damaged.archive / "fetchlog" / f"zz-{SECOND}.parquet")

    result = _reprocess(damaged)

    db = damaged.warehouse
    assert _documents(db, FIRST) == _documents(harvested.warehouse, FIRST)
    assert _documents(db, SECOND) == _documents(harvested.warehouse, SECOND)
    # the good manifests loaded; the bad ones are in the ledger with why, not as loaded
    assert _rows(db, "SELECT count(*) FROM archive_index") == [
        (read_index(damaged.archive).height,)]
    assert _rows(db, "SELECT count(*) FROM fetch_log")[0][0] > 0
    ledger = dict(_rows(db, "SELECT manifest, error FROM archive_manifest "
                            "WHERE error IS NOT NULL"))
    assert set(ledger) == {f"index/zz-{FIRST}.parquet", f"fetchlog/zz-{SECOND}.parquet"}
    assert "not readable as Parquet" in str(ledger[f"index/zz-{FIRST}.parquet"])
    assert "wrong schema" in str(ledger[f"fetchlog/zz-{SECOND}.parquet"])
    assert any(m.startswith(f"index/zz-{FIRST}.parquet: ") for m in result["bad_manifests"])
    assert "## Archive manifests not loaded" in result["markdown"]

    # once the file is fixed, the next load reads it and clears its error
    shutil.copy(next((damaged.archive / "index").glob(f"2*-{FIRST}.parquet")), garbage)
    from warehouse.load import load_archive_manifests, manifest_failures

    load_archive_manifests(db, damaged.archive)
    assert manifest_failures(db) == {f"fetchlog/zz-{SECOND}.parquet": ledger[
        f"fetchlog/zz-{SECOND}.parquet"]}


def test_a_damaged_record_left_by_a_dead_run_does_not_stop_the_next_harvest(
    harvested: DataPaths, damaged: DataPaths
) -> None:
    """A harvest also reads the pages earlier runs archived but never loaded (here: every
    page, as this copy has no warehouse); a damaged one is skipped, quarantined and counted."""
    from extract.crawl import HarvestResult

    row = _middle_article(damaged, FIRST)
    _garble(damaged, row)
    run_id = pipeline.new_run_id()
    request = pipeline.SiteRequest(site=FIRST, base_url="http://127.0.0.1:9/", delay=0)
    batch = pipeline.parse_and_gate(request, HarvestResult(FIRST, run_id), damaged, run_id)

    assert batch.counts["archive_damaged"] == 1
    (quarantined,) = batch.quarantined.filter(pl.col("reason") == "archive_damaged").to_dicts()
    assert quarantined["url"] == row["url"] and quarantined["source"] == "archive"
    loaded = set(batch.frames.document["url"].to_list())
    assert loaded == _documents(harvested.warehouse, FIRST) - {row["url"]}


def test_the_reprocess_command_reports_damaged_records(
    prefect_harness: None, damaged: DataPaths
) -> None:
    _garble(damaged, _middle_article(damaged, FIRST))
    code, out = _cli("reprocess", "--data-dir", str(damaged.root))
    assert code == 0, out
    header = out[out.rindex("┏"):].split(FIRST)[0]  # the summary table's head
    assert "archive" in header and "damaged" in header
    assert "2 site(s)" in out and "(1 damaged archive records)" in out


def test_damage_found_while_rebuilding_a_lost_index_is_quarantined(
    prefect_harness: None, harvested: DataPaths, damaged: DataPaths
) -> None:
    row = _middle_article(damaged, SECOND)
    _garble(damaged, row)
    (manifest,) = (damaged.archive / "index").glob(f"*-{SECOND}.parquet")
    manifest.unlink()

    result = _reprocess(damaged)

    assert result["per_site"][SECOND]["archive_damaged"] == 1
    (quarantined,) = _rows(damaged.warehouse, "SELECT url, detail FROM quarantine "
                                              "WHERE reason = 'archive_damaged'")
    assert quarantined[0] == row["url"]  # told from the headers before the damage
    assert f"{row['warc_file']} at offset {row['offset']}" in str(quarantined[1])
    assert _documents(damaged.warehouse, SECOND) == (
        _documents(harvested.warehouse, SECOND) - {row["url"]})
    assert _documents(damaged.warehouse, FIRST) == _documents(harvested.warehouse, FIRST)
