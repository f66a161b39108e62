"""The raw web archive: WARC files plus per-run Parquet manifests.

Layout under `archive_dir` (DataPaths.archive):
- `warc/{run_id}-{site}.warc.gz`: every response of a run for a site, one gzip member per
  record, so a record is readable from its (offset, length) alone;
- `index/{run_id}-{site}.parquet`: one row per WARC record (INDEX_SCHEMA);
- `fetchlog/{run_id}-{site}.parquet`: one row per fetch attempt (FETCHLOG_SCHEMA);
- `links/{run_id}-{site}.parquet`: the attachment links found in each article fetched with a
  body (LINKS_SCHEMA), the crawler's link database: an article answered by 304 next night
  revalidates its attachments from here instead of re-reading and re-parsing its record.
- `listings/{run_id}-{site}.parquet`: every article link a run read on a list page, with
  its column, list date and list page (LISTINGS_SCHEMA): a night that stops paging a column
  at known territory revisits the articles listed deeper from here.

Records are written as responses arrive, before anything parses them; manifests are written
when the run's writer closes (extract/archive_writer.py). This module reads them back:
reprocessing reads pages from here with no network.

A nightly deployment adds four manifests per site and night, and every night reads its
sites' manifests several times, so `compact_manifests` folds a site's older manifests into
one file once enough have piled up (the loader calls it: it is the one process that knows
which manifests the warehouse has read, and no worker reads that site's files then).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from extract.attachments import AttachmentError, as_text_page
from extract.exchange import FRAMING_HEADERS
from extract.manifests import (
    FETCHLOG_SCHEMA,
    INDEX_SCHEMA,
    LINKS_SCHEMA,
    LISTINGS_SCHEMA,
    MANIFEST_SCHEMAS,
    ManifestError,
    read_manifest,
    safe_name,
)
from extract.warcread import (
    REFERER_FIELD,
    ArchiveDamage,
    DamagedRecord,
    read_one,
)
from transform.records import RawPage, sha256_digest

log = logging.getLogger(__name__)

# A site's manifests in one folder are merged once this many have accumulated: reads then
# cost at most this many small files plus one merged file, and the merged file is
# rewritten about once every COMPACT_AT nights, not every night.
COMPACT_AT = 16
# A record whose fetch ended in one of these is archived but is not a page to parse.
NOT_A_PAGE = ("blocked", "too_large", "out_of_scope", "failed", "timeout")


def _manifest_files(folder: Path, site: str | None) -> list[Path]:
    """`folder`'s manifests in file-name (run) order; only those named for `site`, if given.

    By name this is a superset ("x-b" ends like "b"): callers filter rows by site.
    """
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if site is not None:
        suffix = f"-{safe_name(site)}.parquet"
        files = [f for f in files if f.name.endswith(suffix)]
    return files


def _read_manifests(folder: Path, schema: dict[str, pl.DataType],
                    site: str | None = None) -> pl.DataFrame:
    """Rows of every manifest in `folder` (only `site`'s, if given), in file-name order.

    A nightly archive gains a manifest per site and run, so this is read as one multi-file
    scan of the site's own files, not a read per file (bench/history.py follows what that
    costs as nights accumulate); a manifest written under an older schema falls back to
    per-file casts. A file that vanishes between listing and reading was merged by
    `compact_manifests` meanwhile: the folder is listed again.
    """
    try:
        return _scan_manifests(_manifest_files(folder, site), schema, site)
    except FileNotFoundError:
        return _scan_manifests(_manifest_files(folder, site), schema, site)


def _scan_manifests(files: list[Path], schema: dict[str, pl.DataType],
                    site: str | None) -> pl.DataFrame:
    if not files:
        return pl.DataFrame(schema=schema)
    # A row with no site (a manifest of the wrong schema read with nulls) belongs to none.
    same_site = pl.col("site").is_not_null() if site is None else pl.col("site") == site
    try:
        return pl.scan_parquet(files, schema=schema, missing_columns="insert",
                               extra_columns="ignore").filter(same_site).collect()
    except pl.exceptions.PolarsError:
        pass
    # An older schema, or a damaged file: read one by one and leave out (and log) what cannot
    # be read; `govharvest archive verify` reports it, `archive reindex` rebuilds an index.
    frames = [pl.DataFrame(schema=schema)]
    for f in files:
        try:
            frames.append(read_manifest(f, f.parent.name))
        except ManifestError as exc:
            log.warning("manifest %s left out: %s", f, exc)
    return pl.concat(frames, how="vertical").filter(same_site)


@dataclass(frozen=True, slots=True)
class Compaction:
    """Manifests of one site and folder merged into one file (names relative to the archive)."""

    folder: str  # a MANIFEST_SCHEMAS folder: "index", "fetchlog", "links" or "listings"
    merged: str  # e.g. "index/<run>-<site>.parquet": the newest merged manifest's name
    size_bytes: int  # the merged file's size now
    removed: tuple[str, ...]  # the other merged manifests, now deleted


def compact_manifests(archive_dir: Path, site: str, *, loaded: Mapping[str, int],
                      ledgered: Collection[str], at: int | None = None) -> list[Compaction]:
    """Merge `site`'s manifests, per folder, once `at` or more have accumulated.

    The site's manifests, oldest first, go in file-name order into the newest of them (so
    file-name order still is run order), written atomically; the others are then deleted.
    In the `ledgered` folders (those a loader reads and records) only manifests it has read
    at their current size (`loaded`: relative name -> size, its ledger) take part, and the
    merge stops before the first one it has not, so no unread row is hidden in a file the
    ledger says was read.
    Files named like the site but holding another site's rows are left alone (an empty one
    may be merged: it holds nothing to lose). `at` defaults to COMPACT_AT.
    """
    archive_dir = Path(archive_dir)
    at = at or COMPACT_AT
    done: list[Compaction] = []
    for folder in MANIFEST_SCHEMAS:
        files = _manifest_files(archive_dir / folder, site)
        if len(files) < at:
            continue
        frames: list[pl.DataFrame] = []
        merged: list[Path] = []
        for path in files:
            name = f"{folder}/{path.name}"
            if folder in ledgered and loaded.get(name) != path.stat().st_size:
                break
            try:
                frame = read_manifest(path, folder)
            except ManifestError:
                break  # a damaged manifest stays as it is, for verify to report
            if frame.filter(pl.col("site") != site).height:
                continue  # "x-b"'s manifest when compacting "b"
            frames.append(frame)
            merged.append(path)
        if len(merged) < at:
            continue
        target = merged[-1]
        tmp = target.with_suffix(".parquet.tmp")
        pl.concat(frames, how="vertical").write_parquet(tmp)
        tmp.replace(target)
        for path in merged[:-1]:
            path.unlink()
        done.append(Compaction(folder, f"{folder}/{target.name}", target.stat().st_size,
                               tuple(f"{folder}/{p.name}" for p in merged[:-1])))
    return done


def read_index(archive_dir: Path, site: str | None = None) -> pl.DataFrame:
    """Every archived record of every run (of `site`, if given), in INDEX_SCHEMA."""
    return _read_manifests(Path(archive_dir) / "index", INDEX_SCHEMA, site)


def read_fetchlog(archive_dir: Path, site: str | None = None) -> pl.DataFrame:
    """Every fetch attempt of every run (of `site`, if given), in FETCHLOG_SCHEMA."""
    return _read_manifests(Path(archive_dir) / "fetchlog", FETCHLOG_SCHEMA, site)


def read_links(archive_dir: Path, site: str) -> dict[str, tuple[str, ...]]:
    """Article URL -> its attachment links as last parsed (archives older than the links
    manifests have none: callers fall back to the archived record)."""
    latest = latest_per_url(_read_manifests(Path(archive_dir) / "links", LINKS_SCHEMA, site))
    return {url: tuple(found) for url, found in zip(latest["url"].to_list(),
                                                      latest["links"].to_list(), strict=True)}


def latest_per_url(rows: pl.DataFrame, *order: str) -> pl.DataFrame:
    """Each URL's last row of manifest `rows`, by `order` (default: run id, which sorts by
    start time) and within that by write order."""
    return (rows.with_row_index("_order").sort(*(order or ("run_id",)), "_order")
            .group_by("url", maintain_order=True).last().drop("_order"))


def read_listings(archive_dir: Path, site: str) -> pl.DataFrame:
    """Every list sighting of `site`'s runs, in LISTINGS_SCHEMA (none in older archives)."""
    return _read_manifests(Path(archive_dir) / "listings", LISTINGS_SCHEMA, site)


def page_records(
    archive_dir: Path,
    *,
    site: str | None = None,
    kinds: Iterable[str] = ("article", "attachment"),
    skip_runs: Collection[str] = (),
) -> pl.DataFrame:
    """`latest_pages` over the archive's manifests."""
    return latest_pages(read_index(archive_dir, site), read_fetchlog(archive_dir, site),
                        kinds=kinds, skip_runs=skip_runs)


def latest_pages(
    index: pl.DataFrame,
    log: pl.DataFrame,
    *,
    kinds: Iterable[str] = ("article", "attachment"),
    skip_runs: Collection[str] = (),
) -> pl.DataFrame:
    """Index rows of usable pages: HTTP 200, not judged blocked/too large/etc., latest per URL.

    `skip_runs` drops URLs whose latest version came from those runs (already loaded), which
    leaves the pages a crashed or failed run archived but never got into the warehouse.
    """
    index = index.filter(pl.col("status") == 200, pl.col("kind").is_in(list(kinds)))
    bad = (
        log.filter(pl.col("outcome").is_in(NOT_A_PAGE))
        .select("run_id", "url")
        .unique()
    )
    index = index.join(bad, on=["run_id", "url"], how="anti")
    latest = (
        index.sort("fetched_at")
        .group_by("url", maintain_order=True)
        .last()
        .sort("fetched_at", "url")
    )
    if skip_runs:
        latest = latest.filter(~pl.col("run_id").is_in(list(skip_runs)))
    return latest


def read_record(archive_dir: Path, warc_file: str, offset: int, *,
                site: str = "") -> RawPage:
    """Read one record back as a RawPage (body with Content-Encoding undone).

    Raises extract.warcread.ArchiveDamage for a record that is cut off, corrupt or gone."""
    record = read_one(archive_dir, warc_file, offset)
    try:
        fetched_at = dt.datetime.fromisoformat(record.date.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ArchiveDamage(warc_file, offset, f"bad WARC-Date {record.date!r}",
                            record.url) from exc
    return RawPage(
        url=record.url,
        site=site,
        status=record.status,
        headers=tuple((k, v) for k, v in record.http_headers
                      if k.lower() not in FRAMING_HEADERS),
        body=record.body,
        fetched_at=fetched_at,
        digest=sha256_digest(record.body),
        kind="article",
        referer=record.field(REFERER_FIELD),
    )


def iter_pages(
    archive_dir: Path,
    site: str | None = None,
    kinds: tuple[str, ...] = ("article", "attachment"),
    skip_runs: Collection[str] = (),
    on_damage: Callable[[DamagedRecord], None] | None = None,
) -> Iterator[RawPage]:
    """The latest usable version of every archived page, oldest fetch first; no network.

    A record that cannot be read back (cut off, corrupt, its WARC file gone, or another
    record at its offset) is skipped and handed to `on_damage`; the others still come."""
    rows = page_records(archive_dir, site=site, kinds=kinds, skip_runs=skip_runs)
    for row in rows.iter_rows(named=True):
        try:
            page = read_record(archive_dir, row["warc_file"], row["offset"], site=row["site"])
            if page.url != row["url"]:
                raise ArchiveDamage(row["warc_file"], row["offset"],
                                    f"the index row says {row['url']}, the record {page.url}")
        except ArchiveDamage as exc:
            log.warning("archived page %s skipped: %s", row["url"], exc)
            if on_damage is not None:
                on_damage(replace(exc.record(), url=row["url"]))
            continue
        page = replace(page, kind=row["kind"])
        if page.kind == "attachment":
            # Attachments cross to transform as their extracted text, as harvest returns them.
            try:
                page = as_text_page(page)
            except AttachmentError:
                continue
        yield page
