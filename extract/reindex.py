"""Rebuilding the archive's index manifests from its WARC files, the source of truth.

An index manifest (`index/*.parquet`) can be lost (deleted, damaged, never written by a run
that was killed before its writer closed) while its WARC file is intact; reprocessing reads
pages through the index, so without this the site would silently vanish from it.

What an index row says is read back from each record:
- url, date, status, ETag, Last-Modified and the digest (of the body with Content-Encoding
  undone, as the writer computes it) from the record itself;
- site, run id and kind from the `GovHarvest-Site`, `-Run-Id` and `-Kind` fields the writer
  adds to every record. Records archived before those fields existed take run id and site
  from the file name, `warc/{run_id}-{site}.warc.gz` (a run id as flows.pipeline.new_run_id
  makes it, else everything up to the first hyphen), with the site name as made safe for a
  file name (`safe_name`: unchanged for profile names and host names). Their kind is told from
  what is left: robots.txt by its path; an article or attachment when the site's links or
  listings manifests name the URL as one; anything else "other", which reprocessing does
  not parse (a list page loaded as a document would be worse than a page left out).

Rebuilt rows go to `index/{run_id}-{site}.parquet`, named like the WARC file; rows already
indexed (same file and offset) are never written twice, so reindexing is idempotent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl

from extract.archive import _read_manifests, read_index, read_listings
from extract.manifests import (
    INDEX_SCHEMA,
    LINKS_SCHEMA,
    ManifestError,
    read_manifest,
    safe_name,
)
from extract.warcread import (
    KIND_FIELD,
    RUN_FIELD,
    SITE_FIELD,
    DamagedRecord,
    WarcRecord,
    scan_warc,
)
from transform.records import sha256_digest

WARC_SUFFIX = ".warc.gz"
# flows.pipeline.new_run_id: start time to the microsecond, then 8 hex digits.
RUN_ID_STEM = re.compile(r"^(?P<run>\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8})-(?P<site>.+)$")


@dataclass(slots=True)
class Reindexed:
    """What a reindex did: manifests written, rows added, records it could not read."""

    manifests: list[str] = field(default_factory=list)  # e.g. "index/<run>-<site>.parquet"
    rows: int = 0
    damaged: list[DamagedRecord] = field(default_factory=list)
    sites: dict[str, str] = field(default_factory=dict)  # warc file -> its site


def warc_files(archive_dir: Path, site: str | None = None) -> list[str]:
    """The archive's WARC files, relative to it ("warc/<run>-<site>.warc.gz"), in name order;
    by name only `site`'s, if given (a superset: "x-b" ends like "b")."""
    folder = Path(archive_dir) / "warc"
    files = sorted(folder.glob(f"*{WARC_SUFFIX}")) if folder.is_dir() else []
    if site is not None:
        files = [f for f in files if f.name.endswith(f"-{safe_name(site)}{WARC_SUFFIX}")]
    return [f"warc/{f.name}" for f in files]


def identity_from_name(warc_file: str) -> tuple[str, str]:
    """(run id, site) as the writer put them into the file name (see the module docstring)."""
    stem = Path(warc_file).name.removesuffix(WARC_SUFFIX)
    if match := RUN_ID_STEM.match(stem):
        return match["run"], match["site"]
    run, _, site = stem.partition("-")
    return run, site or run


def unindexed(archive_dir: Path, index: pl.DataFrame | None = None) -> list[str]:
    """WARC files no index row points at (`index`: the archive's, if already read)."""
    index = read_index(archive_dir) if index is None else index
    covered = set(index["warc_file"].unique().to_list())
    return [f for f in warc_files(archive_dir) if f not in covered]


def reindex(archive_dir: Path, *, site: str | None = None,
            only: Collection[str] | None = None) -> Reindexed:
    """Index every record of the archive's WARC files (`site`'s, or the files in `only`)
    that no index row points at yet; see the module docstring."""
    archive_dir = Path(archive_dir)
    index = read_index(archive_dir)
    done: dict[str, set[int]] = {}
    for warc, offset in index.select("warc_file", "offset").iter_rows():
        done.setdefault(warc, set()).add(offset)
    kinds = _KnownKinds(archive_dir)
    out = Reindexed()
    for warc in warc_files(archive_dir, site) if only is None else sorted(only):
        run_id, named_site = identity_from_name(warc)
        rows: list[dict[str, object]] = []
        try:
            for item in scan_warc(archive_dir, warc):
                if isinstance(item, DamagedRecord):
                    out.damaged.append(item)
                    continue
                try:
                    row = index_row(item, run_id=run_id, site=named_site, kinds=kinds)
                except ValueError as exc:  # e.g. a WARC-Date that is not a date
                    out.damaged.append(DamagedRecord(warc, item.offset, str(exc), item.url))
                    continue
                out.sites[warc] = str(row["site"])
                if item.offset not in done.get(warc, ()) and site in (None, row["site"]):
                    rows.append(row)
        except OSError as exc:  # the file itself: nothing in it can be indexed
            out.damaged.append(DamagedRecord(warc, 0, f"WARC file unreadable: {exc}"))
        out.sites.setdefault(warc, named_site)
        if rows:
            out.manifests.append(_add_rows(archive_dir, warc, rows))
            out.rows += len(rows)
    return out


def index_row(record: WarcRecord, *, run_id: str, site: str,
              kinds: _KnownKinds) -> dict[str, object]:
    """The INDEX_SCHEMA row of `record`; `run_id` and `site` are the file name's, used when
    the record does not carry its own."""
    site = record.field(SITE_FIELD) or site
    headers = {k.lower(): v for k, v in record.http_headers}
    return {
        "url": record.url,
        "site": site,
        "kind": record.field(KIND_FIELD) or kinds.kind(site, record.url),
        "fetched_at": dt.datetime.fromisoformat(record.date.replace("Z", "+00:00")),
        "status": record.status,
        "digest": sha256_digest(record.body),
        "warc_file": record.warc_file,
        "offset": record.offset,
        "length": record.length,
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
        "run_id": record.field(RUN_FIELD) or run_id,
    }


class _KnownKinds:
    """Kinds of records older than the GovHarvest-Kind field, from the links and listings
    manifests (read per site, once)."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = archive_dir
        self._sites: dict[str, dict[str, str]] = {}

    def kind(self, site: str, url: str) -> str:
        if urlsplit(url).path == "/robots.txt":
            return "robots"
        if site not in self._sites:
            self._sites[site] = self._read(site)
        return self._sites[site].get(url, "other")

    def _read(self, site: str) -> dict[str, str]:
        links = _read_manifests(self.archive_dir / "links", LINKS_SCHEMA, site)
        known = {url: "attachment" for found in links["links"].to_list() for url in found or ()}
        articles: Iterable[str] = (*links["url"].to_list(),
                                   *read_listings(self.archive_dir, site)["url"].to_list())
        known.update((url, "article") for url in articles)
        return known


def _add_rows(archive_dir: Path, warc_file: str, rows: list[dict[str, object]]) -> str:
    """Write `rows` into the index manifest named like `warc_file` (atomically), beside any
    rows it holds; one that cannot be read is kept aside as `.parquet.damaged`."""
    name = f"index/{Path(warc_file).name.removesuffix(WARC_SUFFIX)}.parquet"
    path = archive_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pl.DataFrame(rows, schema=INDEX_SCHEMA, orient="row")
    if path.exists():
        try:
            indexed = read_manifest(path, "index")
        except ManifestError:
            path.replace(path.with_suffix(".parquet.damaged"))
        else:
            frame = pl.concat([indexed, frame]).unique(["warc_file", "offset"], keep="first",
                                                       maintain_order=True)
    tmp = path.with_suffix(".parquet.tmp")
    frame.write_parquet(tmp)
    tmp.replace(path)
    return name
