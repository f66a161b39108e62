"""Reading WARC records back one gzip member at a time, so damage costs one record.

The archive writes every record as a gzip member of its own (extract/archive_writer.py). Reading a
member by itself from its offset, rather than streaming the file through warcio, lets a
reader tell a whole member (zlib reaches its end and checks its CRC) from one that is cut
off or corrupt, and report that as `ArchiveDamage` naming the file and offset instead of
an exception from deep inside warcio (a `StopIteration` escaping a generator becomes a
`RuntimeError` that ends the caller's loop).

A sequential scan (`scan_warc`, for rebuilding an index without one) resyncs after damage at
the next offset where the gzip magic bytes start a member that inflates into a WARC record:
records after garbage in the middle of a file are found again. Nothing after the cut of a
truncated file can be recovered: those bytes are gone.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

# Every gzip member starts with these bytes (ID1, ID2, CM=deflate): the resync points.
GZIP_MAGIC = b"\x1f\x8b\x08"
# Headers the writer adds to each response record (the WARC fields say nothing of them).
REFERER_FIELD = "GovHarvest-Referer"
SITE_FIELD = "GovHarvest-Site"
RUN_FIELD = "GovHarvest-Run-Id"
KIND_FIELD = "GovHarvest-Kind"
# The target URL of a damaged record, when the part that still inflates holds its headers.
_TARGET_URI = re.compile(rb"^WARC-Target-URI:[ \t]*(\S+)[ \t]*\r?$", re.MULTILINE)
_CHUNK = 1 << 16
_SALVAGE_STEP = 256
# gzip framing only (no zlib or raw deflate): see zlib.decompressobj's wbits.
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class ArchiveDamage(Exception):
    """A record that cannot be read back: its member is cut, corrupt or holds no record."""

    def __init__(self, warc_file: str, offset: int, reason: str, url: str | None = None):
        super().__init__(f"{warc_file} at offset {offset}: {reason}")
        self.warc_file = warc_file
        self.offset = offset
        self.reason = reason
        self.url = url

    def record(self) -> DamagedRecord:
        return DamagedRecord(self.warc_file, self.offset, self.reason, self.url)


@dataclass(frozen=True, slots=True)
class DamagedRecord:
    """Where a record could not be read, and why (`url` when it could still be told)."""

    warc_file: str  # relative to the archive directory, as index rows name it
    offset: int
    reason: str
    url: str | None = None

    @property
    def where(self) -> str:
        return f"{self.warc_file}@{self.offset}"

    @property
    def detail(self) -> str:
        return f"{self.warc_file} at offset {self.offset}: {self.reason}"


@dataclass(frozen=True, slots=True)
class WarcRecord:
    """One response record as archived, its body with Content-Encoding undone."""

    warc_file: str
    offset: int
    length: int  # bytes of its gzip member in the file
    url: str
    date: str  # WARC-Date, ISO 8601 with a Z
    status: int
    http_headers: tuple[tuple[str, str], ...]
    body: bytes
    fields: dict[str, str]  # the WARC header fields

    def field(self, name: str) -> str | None:
        return self.fields.get(name.lower())


def _inflate(fh: BinaryIO, warc_file: str, offset: int) -> tuple[bytes, int]:
    """The gzip member at `offset`, inflated, and its length in the file."""
    fh.seek(offset)
    inflater = zlib.decompressobj(_GZIP_WBITS)
    out: list[bytes] = []
    consumed = 0
    while not inflater.eof:
        chunk = fh.read(_CHUNK)
        if not chunk:
            raise ArchiveDamage(warc_file, offset,
                                "cut off: the file ends inside this record's gzip member",
                                _url_in(b"".join(out)))
        try:
            out.append(inflater.decompress(chunk))
        except zlib.error as exc:
            raise ArchiveDamage(warc_file, offset, f"corrupt gzip member: {exc}",
                                _url_in(_salvage(fh, offset))) from exc
        consumed += len(chunk)
    return b"".join(out), consumed - len(inflater.unused_data)


def _salvage(fh: BinaryIO, offset: int) -> bytes:
    """What inflates of a corrupt member before the damage (its WARC headers, usually):
    fed in small pieces, so the output before the failing piece is kept."""
    fh.seek(offset)
    inflater = zlib.decompressobj(_GZIP_WBITS)
    out: list[bytes] = []
    for _ in range(_CHUNK // _SALVAGE_STEP):
        try:
            out.append(inflater.decompress(fh.read(_SALVAGE_STEP)))
        except zlib.error:
            break
    return b"".join(out)


def _url_in(partial: bytes) -> str | None:
    match = _TARGET_URI.search(partial[:_CHUNK])
    return match.group(1).decode("utf-8", "replace") if match else None


def read_at(fh: BinaryIO, warc_file: str, offset: int) -> WarcRecord | None:
    """The record whose gzip member starts at `offset`; None for a record that is not an
    HTTP response (warcinfo, request). Raises ArchiveDamage."""
    return _read(fh, warc_file, offset)[0]


def _read(fh: BinaryIO, warc_file: str, offset: int) -> tuple[WarcRecord | None, int]:
    """`read_at`, and the length of the member read."""
    data, length = _inflate(fh, warc_file, offset)
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
        if record is None:
            raise ArchiveDamage(warc_file, offset, "the gzip member holds no WARC record")
        if record.rec_type != "response" or record.http_headers is None:
            return None, length
        fields = {k.lower(): v for k, v in record.rec_headers.headers}
        url = fields.get("warc-target-uri", "")
        status = int(record.http_headers.get_statuscode())
        headers = tuple(record.http_headers.headers)
        body = record.content_stream().read()
    except ArchiveDamage:
        raise
    except Exception as exc:  # warcio's parse errors have no common base class
        raise ArchiveDamage(warc_file, offset, f"unreadable WARC record: "
                            f"{type(exc).__name__}: {exc}", _url_in(data)) from exc
    return WarcRecord(warc_file=warc_file, offset=offset, length=length, url=url,
                      date=fields.get("warc-date", ""), status=status, http_headers=headers,
                      body=body, fields=fields), length


def read_one(archive_dir: Path, warc_file: str, offset: int) -> WarcRecord:
    """The response record at (`warc_file`, `offset`); raises ArchiveDamage, also for a
    missing or unreadable file."""
    try:
        with open(Path(archive_dir) / warc_file, "rb") as fh:
            record = read_at(fh, warc_file, offset)
    except OSError as exc:
        raise ArchiveDamage(warc_file, offset, f"WARC file unreadable: {exc}") from exc
    if record is None:
        raise ArchiveDamage(warc_file, offset, "not a response record")
    return record


def scan_warc(archive_dir: Path, warc_file: str) -> Iterator[WarcRecord | DamagedRecord]:
    """Every response record of a WARC file in file order, and a DamagedRecord for each
    stretch that could not be read (then the scan resyncs; see the module docstring).
    Raises OSError when the file itself cannot be opened."""
    path = Path(archive_dir) / warc_file
    size = path.stat().st_size
    with open(path, "rb") as fh:
        pos = 0
        while pos < size:
            try:
                record, length = _read(fh, warc_file, pos)
            except ArchiveDamage as exc:
                found = _resync(fh, warc_file, pos + 1, size)
                skipped = (found.offset if found else size) - pos
                yield DamagedRecord(warc_file, pos, f"{exc.reason} ({skipped} bytes skipped)",
                                    exc.url)
                if found is None:
                    return
                record, length = found, found.length
            if record is not None:
                yield record
                pos = record.offset
            pos += length


def _resync(fh: BinaryIO, warc_file: str, start: int, size: int) -> WarcRecord | None:
    """The first readable response record starting at or after `start`. Gzip magic bytes
    can occur inside compressed data: a candidate counts only once it reads whole."""
    pos = start
    while (pos := _find_magic(fh, pos, size)) >= 0:
        try:
            record = read_at(fh, warc_file, pos)
        except ArchiveDamage:
            pos += 1
            continue
        if record is not None:
            return record
        pos += 1
    return None


def _find_magic(fh: BinaryIO, start: int, size: int) -> int:
    """Offset of the next GZIP_MAGIC at or after `start`, or -1."""
    pos = start
    while pos < size:
        fh.seek(pos)
        chunk = fh.read(_CHUNK + len(GZIP_MAGIC) - 1)  # overlap: a match across chunks
        found = chunk.find(GZIP_MAGIC)
        if found >= 0:
            return pos + found
        pos += _CHUNK
    return -1
