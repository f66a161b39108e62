"""Reading a damaged WARC file back: the damage costs its own records, the scan resyncs on
the next record, and an index lost or never written is rebuilt from the records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from extract.archive import read_index, read_record
from extract.archive_writer import ArchiveWriter
from extract.exchange import Exchange
from extract.reindex import identity_from_name, reindex
from extract.warcread import ArchiveDamage, DamagedRecord, WarcRecord, scan_warc

T0 = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)
RUN = "20250301T020000.000000Z-0123abcd"


def _archive(tmp_path: Path, count: int = 5, site: str = "demo") -> tuple[Path, pl.DataFrame]:
    """An archive of `count` article records of `site`, and its index."""
    archive = tmp_path / "archive"
    with ArchiveWriter(archive, run_id=RUN, site=site) as writer:
        for i in range(count):
            body = f"<html><body>第{i}条 {'法治' * 200}</body></html>".encode()
            writer.record(Exchange(f"http://h/a{i}.htm", "GET", 200,
                                   (("Content-Type", "text/html"),), body,
                                   T0 + dt.timedelta(minutes=i), "article", content=body))
    return archive, read_index(archive).sort("offset")


def _scan(archive: Path, warc: str) -> tuple[list[str], list[DamagedRecord]]:
    items = list(scan_warc(archive, warc))
    return ([i.url for i in items if isinstance(i, WarcRecord)],
            [i for i in items if isinstance(i, DamagedRecord)])


def test_garbage_over_a_record_costs_that_record_and_the_scan_resyncs(tmp_path: Path) -> None:
    archive, index = _archive(tmp_path)
    row = index.row(2, named=True)
    path = archive / row["warc_file"]
    data = bytearray(path.read_bytes())
    at = row["offset"] + row["length"] // 2
    data[at:at + 8] = b"GARBAGE!"
    path.write_bytes(bytes(data))

    with pytest.raises(ArchiveDamage, match=f"at offset {row['offset']}: corrupt gzip"):
        read_record(archive, row["warc_file"], row["offset"])
    for other in (0, 1, 3, 4):  # read by their index rows, the others are intact
        r = index.row(other, named=True)
        assert read_record(archive, r["warc_file"], r["offset"]).url == r["url"]
    urls, damage = _scan(archive, row["warc_file"])
    assert urls == ["http://h/a0.htm", "http://h/a1.htm", "http://h/a3.htm", "http://h/a4.htm"]
    assert [d.offset for d in damage] == [row["offset"]]


def test_garbage_between_records_is_skipped_by_the_scan(tmp_path: Path) -> None:
    archive, index = _archive(tmp_path)
    row = index.row(3, named=True)
    path = archive / row["warc_file"]
    data = path.read_bytes()
    # Bytes that look like a gzip member start (but are not one) before the next record.
    path.write_bytes(data[:row["offset"]] + b"\x1f\x8b\x08junk" * 50 + data[row["offset"]:])

    urls, damage = _scan(archive, row["warc_file"])
    assert urls == [f"http://h/a{i}.htm" for i in range(5)]
    (skipped,) = damage
    assert skipped.offset == row["offset"] and "(350 bytes skipped)" in skipped.reason


def test_a_cut_file_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    archive, index = _archive(tmp_path)
    row = index.row(2, named=True)
    path = archive / row["warc_file"]
    with path.open("r+b") as fh:
        fh.truncate(row["offset"] + row["length"] - 10)

    urls, damage = _scan(archive, row["warc_file"])
    assert urls == ["http://h/a0.htm", "http://h/a1.htm"]
    (cut,) = damage
    assert cut.offset == row["offset"] and cut.reason.startswith("cut off")
    assert cut.url == "http://h/a2.htm"  # told from the headers that still inflate
    later = index.row(3, named=True)
    with pytest.raises(ArchiveDamage, match="cut off"):
        read_record(archive, later["warc_file"], later["offset"])


def test_reindex_rebuilds_a_lost_index_row_for_row_and_only_once(tmp_path: Path) -> None:
    archive, _ = _archive(tmp_path, site="demo.example")
    (manifest,) = (archive / "index").glob("*.parquet")
    original = pl.read_parquet(manifest)
    manifest.unlink()

    done = reindex(archive)
    assert done.rows == 5 and done.manifests == [f"index/{manifest.name}"]
    assert pl.read_parquet(manifest).equals(original)
    again = reindex(archive)
    assert again.rows == 0 and again.manifests == []


def test_records_older_than_the_identity_fields_take_site_and_run_from_the_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import extract.archive_writer

    # The writer as it was: no GovHarvest-Site/-Run-Id/-Kind fields in the records.
    for field in ("SITE_FIELD", "RUN_FIELD", "KIND_FIELD"):
        monkeypatch.setattr(extract.archive_writer, field, "X-Unused-" + field)
    archive, _ = _archive(tmp_path, count=2, site="xtsf.xiangtan.gov.cn")
    with ArchiveWriter(archive, run_id="other", site="xtsf.xiangtan.gov.cn") as writer:
        writer.record_links("http://h/a0.htm", ["http://h/a1.htm"])
    for path in (archive / "index").glob("*.parquet"):
        path.unlink()

    reindex(archive)
    rows = read_index(archive).sort("offset")
    assert rows["site"].unique().to_list() == ["xtsf.xiangtan.gov.cn"]
    assert rows["run_id"].unique().to_list() == [RUN]
    assert rows["kind"].to_list() == ["article", "attachment"]  # as the links manifest says


@pytest.mark.parametrize(("name", "expected"), [
    (f"warc/{RUN}-demo-trs.warc.gz", (RUN, "demo-trs")),
    (f"warc/{RUN}-xtsf.xiangtan.gov.cn.warc.gz", (RUN, "xtsf.xiangtan.gov.cn")),
    ("warc/r1-demo-trs.warc.gz", ("r1", "demo-trs")),
])
def test_identity_from_the_warc_file_name(name: str, expected: tuple[str, str]) -> None:
    assert identity_from_name(name) == expected


def test_a_garbage_manifest_is_left_out_of_reads_and_compaction(tmp_path: Path) -> None:
    from extract.archive import compact_manifests, read_links

    archive = tmp_path / "archive"
    for night in range(3):
        with ArchiveWriter(archive, run_id=f"r{night}", site="demo") as writer:
            writer.record_links(f"http://h/{night}.htm", [f"http://h/{night}.pdf"])
    garbage = archive / "links" / "r3-demo.parquet"  # named like the site's newest manifest
    garbage.write_bytes(b"not parquet")

    assert read_links(archive, "demo") == {f"http://h/{n}.htm": (f"http://h/{n}.pdf",)
                                           for n in range(3)}
    done = compact_manifests(archive, "demo", loaded={}, ledgered=(), at=2)
    (merged,) = [c for c in done if c.folder == "links"]
    assert merged.merged == "links/r2-demo.parquet" and len(merged.removed) == 2
    assert garbage.read_bytes() == b"not parquet"  # kept as it is, for verify to report
    assert len(read_links(archive, "demo")) == 3
