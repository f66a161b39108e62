"""Incremental state, derived from the archive itself (committed with the data it describes).

Per URL: the digest, ETag and Last-Modified of its latest usable version, so a nightly run
sends conditional GETs and recognises unchanged bodies. Per site: a cursor (the newest list
date among articles fetched successfully) and the set of seen URLs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from extract.archive import page_records, read_fetchlog

LIST_DATE_DETAIL = re.compile(r"list_date=(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class UrlState:
    digest: str
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime


@dataclass(slots=True)
class SiteState:
    site: str
    urls: dict[str, UrlState] = field(default_factory=dict)
    cursor: dt.date | None = None  # newest list date seen among fetched articles

    def get(self, url: str) -> UrlState | None:
        return self.urls.get(url)

    def __contains__(self, url: str) -> bool:
        return url in self.urls


def load_state(archive_dir: Path, site: str) -> SiteState:
    """State of `site` as the archive records it; empty for a new site or archive."""
    state = SiteState(site)
    if not Path(archive_dir).is_dir():
        return state
    rows = page_records(archive_dir, site=site, kinds=("article", "attachment"))
    for row in rows.iter_rows(named=True):
        state.urls[row["url"]] = UrlState(row["digest"], row["etag"], row["last_modified"],
                                          row["fetched_at"])
    log = read_fetchlog(archive_dir).filter(
        pl.col("site") == site, pl.col("outcome").is_in(["ok", "not_modified"])
    )
    dates = [
        dt.date.fromisoformat(m.group(1))
        for detail in log.get_column("detail").to_list()
        if detail and (m := LIST_DATE_DETAIL.search(detail))
    ]
    state.cursor = max(dates, default=None)
    return state
