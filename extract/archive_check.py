"""`govharvest archive verify`: everything wrong with an archive, found without changing it.

Reads every manifest and every WARC record (the whole archive, so it costs what a
reprocess's reading costs) and reports:
- manifests that are not readable Parquet or lack the columns their folder needs;
- runs with archived records but no fetch log (without it, pages the run judged blocked
  or too large cannot be told from good ones);
- WARC files that cannot be opened, and index rows pointing at WARC files that are gone;
- WARC files no index row points at, and records within a file that no index row names
  (`govharvest archive reindex` indexes both);
- damaged records (cut off, corrupt, no WARC record), and index rows whose offset starts
  no readable record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extract.archive import read_fetchlog, read_index
from extract.manifests import MANIFEST_SCHEMAS, manifest_problem
from extract.reindex import warc_files
from extract.warcread import DamagedRecord, scan_warc


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # one of PROBLEM_KINDS
    path: str  # relative to the archive directory
    detail: str


PROBLEM_KINDS = {
    "no_archive": "no archive here",
    "bad_manifest": "manifest unreadable",
    "missing_fetchlog": "fetch log missing",
    "missing_warc": "index points at a missing WARC file",
    "unreadable_warc": "WARC file unreadable",
    "unindexed_warc": "WARC file with no index",
    "unindexed_records": "records missing from the index",
    "damaged_record": "damaged record",
    "bad_offset": "index row at no record",
}


def verify_archive(archive_dir: Path) -> list[Problem]:
    """Every problem of the archive at `archive_dir`, in a stable order (empty: all is well)."""
    archive_dir = Path(archive_dir)
    if not (archive_dir / "warc").is_dir() and not (archive_dir / "index").is_dir():
        return [Problem("no_archive", str(archive_dir), "no warc/ or index/ folder")]
    problems: list[Problem] = []
    for folder in MANIFEST_SCHEMAS:
        for path in sorted((archive_dir / folder).glob("*.parquet")):
            if why := manifest_problem(path, folder):
                problems.append(Problem("bad_manifest", f"{folder}/{path.name}", why))
    index = read_index(archive_dir)  # leaves bad manifests out (reported above)
    logged = read_fetchlog(archive_dir).select("run_id", "site").unique()
    unlogged = index.select("run_id", "site").unique().join(logged, on=["run_id", "site"],
                                                            how="anti")
    for run_id, site in unlogged.sort("run_id", "site").iter_rows():
        problems.append(Problem("missing_fetchlog", f"fetchlog/{run_id}-{site}.parquet",
                                f"run {run_id} of {site} archived records but has no fetch "
                                "log rows"))
    on_disk = set(warc_files(archive_dir))
    offsets: dict[str, set[int]] = {}
    for warc, offset in index.select("warc_file", "offset").iter_rows():
        offsets.setdefault(warc, set()).add(offset)
    for warc in sorted(set(offsets) - on_disk):
        problems.append(Problem("missing_warc", warc,
                                f"{len(offsets[warc])} index row(s) point at it"))
    for warc in sorted(on_disk):
        problems += _check_warc(archive_dir, warc, offsets.get(warc))
    return problems


def _check_warc(archive_dir: Path, warc: str, indexed: set[int] | None) -> list[Problem]:
    problems: list[Problem] = []
    starts: set[int] = set()
    unindexed = 0
    try:
        for item in scan_warc(archive_dir, warc):
            if isinstance(item, DamagedRecord):
                what = f" ({item.url})" if item.url else ""
                problems.append(Problem("damaged_record", warc,
                                        f"offset {item.offset}{what}: {item.reason}"))
                starts.add(item.offset)  # its index row, if any, is reported by this
                continue
            starts.add(item.offset)
            unindexed += indexed is not None and item.offset not in indexed
    except OSError as exc:
        return [Problem("unreadable_warc", warc, str(exc))]
    if indexed is None:
        problems.append(Problem("unindexed_warc", warc, f"{len(starts)} record(s), no index "
                                "row points at this file"))
        return problems
    if unindexed:
        problems.append(Problem("unindexed_records", warc,
                                f"{unindexed} record(s) no index row names"))
    if stray := sorted(indexed - starts):
        shown = ", ".join(map(str, stray[:5])) + (" ..." if len(stray) > 5 else "")
        problems.append(Problem("bad_offset", warc,
                                f"{len(stray)} index row(s) at offsets where no record "
                                f"starts: {shown}"))
    return problems
