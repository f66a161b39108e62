"""Writing the raw web archive: one run's responses for one site, each WARC record written
as its response arrives (before anything parses it), the run's manifests when the writer
closes. The layout is described in extract/archive.py, which reads it back.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterable
from http.client import responses as _REASONS
from pathlib import Path

import polars as pl
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extract.exchange import Attempt, Exchange
from extract.manifests import MANIFEST_SCHEMAS, conform, safe_name
from extract.warcread import KIND_FIELD, REFERER_FIELD, RUN_FIELD, SITE_FIELD
from transform.records import sha256_digest

_HOP_BY_HOP = frozenset({"transfer-encoding"})  # the archived body is already de-chunked


class ArchiveWriter:
    """Writes one run's responses for one site; thread-safe; use as a context manager."""

    def __init__(self, archive_dir: Path, *, run_id: str, site: str) -> None:
        self.archive_dir = Path(archive_dir)
        self.run_id = run_id
        self.site = site
        stem = f"{safe_name(run_id)}-{safe_name(site)}"
        for sub in ("warc", *MANIFEST_SCHEMAS):
            (self.archive_dir / sub).mkdir(parents=True, exist_ok=True)
        self.warc_rel = f"warc/{stem}.warc.gz"
        self._stem = stem
        # Append: a re-used run id for a site adds records rather than destroying them.
        self._file = open(self.archive_dir / self.warc_rel, "ab")  # noqa: SIM115
        self._writer = WARCWriter(self._file, gzip=True)
        self._lock = threading.Lock()
        # Manifest rows by folder (MANIFEST_SCHEMAS), written when the writer closes.
        self._rows: dict[str, list[dict[str, object]]] = {f: [] for f in MANIFEST_SCHEMAS}
        self._closed = False

    def record(self, exchange: Exchange) -> None:
        """Archive one response (status line, headers, wire body) and index it."""
        reason = _REASONS.get(exchange.status, "")
        http_headers = StatusAndHeaders(
            f"{exchange.status} {reason}".strip(),
            [(k, v) for k, v in exchange.headers if k.lower() not in _HOP_BY_HOP],
            protocol="HTTP/1.1",
        )
        warc_headers = {
            "WARC-Date": exchange.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "WARC-Concurrent-To-Method": exchange.method,
            # What the index says of the record, so a lost index can be rebuilt from the
            # WARC file alone (extract/reindex.py).
            SITE_FIELD: self.site, RUN_FIELD: self.run_id, KIND_FIELD: exchange.kind,
        }
        if exchange.truncated:  # "length" (size cap) or "time" (time budget)
            warc_headers["WARC-Truncated"] = exchange.truncated
        if exchange.referer:
            warc_headers[REFERER_FIELD] = exchange.referer
        content = exchange.content if exchange.content or not exchange.body else exchange.body
        with self._lock:
            if self._closed:
                raise RuntimeError("archive writer is closed")
            rec = self._writer.create_warc_record(
                exchange.url, "response", payload=io.BytesIO(exchange.body),
                http_headers=http_headers, warc_headers_dict=warc_headers,
            )
            offset = self._file.tell()
            self._writer.write_record(rec)
            self._file.flush()
            length = self._file.tell() - offset
            self._rows["index"].append({
                "url": exchange.url,
                "site": self.site,
                "kind": exchange.kind,
                "fetched_at": exchange.fetched_at,
                "status": exchange.status,
                "digest": sha256_digest(content),
                "warc_file": self.warc_rel,
                "offset": offset,
                "length": length,
                "etag": exchange.header("ETag"),
                "last_modified": exchange.header("Last-Modified"),
                "run_id": self.run_id,
            })

    def log(self, attempt: Attempt) -> None:
        with self._lock:
            self._rows["fetchlog"].append({
                "run_id": self.run_id,
                "site": self.site,
                "url": attempt.url,
                "attempted_at": attempt.attempted_at,
                "outcome": attempt.outcome,
                "status": attempt.status,
                "attempts": attempt.attempt,
                "elapsed_ms": attempt.elapsed_ms,
                "detail": attempt.detail,
            })

    def amend_outcome(self, url: str, outcome: str, detail: str) -> None:
        """Re-label the latest attempt on `url` once content checks (e.g. empty body) judge it."""
        with self._lock:
            for row in reversed(self._rows["fetchlog"]):
                if row["url"] == url:
                    row["outcome"], row["detail"] = outcome, detail
                    return

    def record_links(self, url: str, links: Iterable[str]) -> None:
        """The attachment links of the article at `url` as this run parsed them."""
        with self._lock:
            self._rows["links"].append({"run_id": self.run_id, "site": self.site, "url": url,
                                        "links": list(links)})

    def record_listing(self, column: str, entries: Iterable[tuple[str, dt.date | None, str]],
                       *, seen_on: dt.date, complete: bool) -> None:
        """The (url, list date, list page) entries this run read in `column`; `complete`
        when it walked the column to its last page."""
        with self._lock:
            self._rows["listings"].extend(
                {"run_id": self.run_id, "site": self.site, "column": column, "url": url,
                 "list_date": date, "referer": referer, "seen_on": seen_on,
                 "complete": complete}
                for url, date, referer in entries)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._file.close()
            for folder, schema in MANIFEST_SCHEMAS.items():
                _write_parquet(self._rows[folder], schema,
                               self.archive_dir / folder / f"{self._stem}.parquet")

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_parquet(rows: list[dict[str, object]], schema: dict[str, pl.DataType],
                   path: Path) -> None:
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(
        schema=schema)
    if path.exists():  # same run id and site again: keep the earlier rows
        frame = pl.concat([conform(pl.read_parquet(path), schema), frame], how="vertical")
        if "offset" in schema:  # `govharvest archive reindex` may have indexed them already
            frame = frame.unique(["warc_file", "offset"], keep="last", maintain_order=True)
    tmp = path.with_suffix(".parquet.tmp")
    frame.write_parquet(tmp)
    tmp.replace(path)
