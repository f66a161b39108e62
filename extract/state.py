"""Incremental state, derived from the archive itself (committed with the data it describes).

Per URL: the digest, ETag and Last-Modified of its latest usable version, so a nightly run
sends conditional GETs and recognises unchanged bodies; per article the attachment links it
last had, so a 304 still revalidates them; per URL the date it last answered (200 or 304),
for the revisit policy. Per site: a cursor (the newest list date among articles fetched
successfully) and the set of seen URLs; per article its latest list sighting and per
column (start URL) the last night it was walked to its end, for the paging policy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import polars as pl

from extract.archive import (
    latest_pages,
    latest_per_url,
    read_fetchlog,
    read_index,
    read_links,
    read_listings,
    read_record,
)
from extract.exchange import REDIRECT_STATUSES

LIST_DATE_DETAIL = re.compile(r"list_date=(\d{4}-\d{2}-\d{2})")
SETTLED_OUTCOMES = ("too_large", "out_of_scope")


@dataclass(frozen=True, slots=True)
class UrlState:
    digest: str
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime
    warc_file: str  # where the latest usable version lies, to re-read it without network
    offset: int


@dataclass(frozen=True, slots=True)
class Sighting:
    """Where and when an article was last seen on a list."""

    column: str  # start URL
    list_date: dt.date | None
    referer: str  # the list page
    seen_on: dt.date


@dataclass(slots=True)
class SiteState:
    site: str
    urls: dict[str, UrlState] = field(default_factory=dict)
    cursor: dt.date | None = None  # newest list date seen among fetched articles
    redirects: dict[str, str] = field(default_factory=dict)  # last known same-site moves
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)  # article -> attachments
    checked: dict[str, dt.date] = field(default_factory=dict)  # URL -> last 200/304 (UTC date)
    # URLs whose latest answer was judged too large or out of scope: the same bytes would be
    # judged the same, so they are retried on the revisit rotation, not every night.
    settled: set[str] = field(default_factory=set)
    listed: dict[str, Sighting] = field(default_factory=dict)  # article URL -> last sighting
    walked: dict[str, dt.date] = field(default_factory=dict)  # column -> last walked to its end

    def known(self, url: str) -> bool:
        """Seen before: fetched, judged, redirected or listed."""
        return (url in self.urls or url in self.settled or url in self.redirects
                or url in self.listed)

    def get(self, url: str) -> UrlState | None:
        """State of `url`, or of where it last redirected to."""
        found = self.urls.get(url)
        if found is None and url in self.redirects:
            found = self.urls.get(self.redirects[url])
        return found

    def __contains__(self, url: str) -> bool:
        return url in self.urls


def load_state(archive_dir: Path, site: str) -> SiteState:
    """State of `site` as the archive records it; empty for a new site or archive."""
    state = SiteState(site)
    if not Path(archive_dir).is_dir():
        return state
    # Each manifest set is read once and shared by the pieces of state derived from it.
    index = read_index(archive_dir, site)
    log = read_fetchlog(archive_dir, site)
    rows = latest_pages(index, log, kinds=("article", "attachment"))
    for row in rows.iter_rows(named=True):
        state.urls[row["url"]] = UrlState(row["digest"], row["etag"], row["last_modified"],
                                          row["fetched_at"], row["warc_file"], row["offset"])
    state.redirects = _redirects(archive_dir, index)
    state.links = read_links(archive_dir, site)
    answered = log.filter(pl.col("outcome").is_in(["ok", "not_modified"]))
    state.cursor = answered.select(
        pl.col("detail").str.extract(LIST_DATE_DETAIL.pattern).str.to_date("%Y-%m-%d", strict=False)
        .max()
    ).item()
    last = answered.group_by("url").agg(pl.col("attempted_at").max().dt.date())
    state.checked = dict(zip(last["url"].to_list(), last["attempted_at"].to_list(), strict=True))
    latest = log.sort("attempted_at").group_by("url").last()
    judged = latest.filter(pl.col("outcome").is_in(SETTLED_OUTCOMES))
    state.settled = set(judged["url"].to_list())
    state.checked.update(zip(judged["url"].to_list(),
                             judged["attempted_at"].dt.date().to_list(), strict=True))
    state.listed, state.walked = _listings(archive_dir, site)
    return state


def _listings(archive_dir: Path, site: str) -> tuple[dict[str, Sighting], dict[str, dt.date]]:
    """Each article's latest list sighting, and each column's last complete walk."""
    rows = read_listings(archive_dir, site)
    latest = latest_per_url(rows, "seen_on", "run_id")
    listed = {
        url: Sighting(column, date, referer, seen)
        for url, column, date, referer, seen in latest.select(
            "url", "column", "list_date", "referer", "seen_on").iter_rows()
    }
    complete = rows.filter(pl.col("complete")).group_by("column").agg(pl.col("seen_on").max())
    return listed, dict(complete.iter_rows())


def _redirects(archive_dir: Path, index: pl.DataFrame) -> dict[str, str]:
    """URL -> Location of each article/attachment URL whose latest response (in the site's
    `index` rows) was a redirect."""
    index = index.filter(pl.col("kind").is_in(["article", "attachment"]))
    latest = index.sort("fetched_at").group_by("url", maintain_order=True).last()
    moved = latest.filter(pl.col("status").is_in(list(REDIRECT_STATUSES)))
    out: dict[str, str] = {}
    for row in moved.iter_rows(named=True):
        record = read_record(archive_dir, row["warc_file"], row["offset"])
        if location := record.header("Location"):
            out[row["url"]] = urljoin(row["url"], location)
    return out
