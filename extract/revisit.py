"""The revisit and paging policy: which known pages a night asks about again, and how far
it pages each column. docs/harvesting.md gives the arithmetic.

Revisits: a new URL, or one whose last attempt failed, is always fetched. A known page (or
one last judged too large or out of scope) is due when it was listed recently, when it has
not answered for its interval, or on its rotation day: a stable hash of the URL picks one
day in each interval, so each night revalidates an even share of the archive.

Paging: lists run newest first, so a column's paging stops at the first list page whose
entries are all known, except on the nights that walk it to its end (at least once in
`list_walk_days`, on a rotation). The articles listed deeper are still revisit candidates:
those seen within `list_walk_days` come back from the listings manifest (`remembered`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence

from extract.listpages import ListEntry
from extract.settings import HarvestSettings
from extract.state import SiteState


def rotation_day(url: str, every: int) -> int:
    """The day (ordinal modulo `every`) on which a known URL's revalidation falls due; a
    stable hash, unlike hash(), so it holds across runs and processes."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % every


class PagingStop:
    """Where one column's paging ends early: at a list page whose dated entries all precede
    `since`, or (when `known` is given: a night that does not walk the column to its end)
    at one whose entries are all known. `hit` says whether it did."""

    def __init__(self, since: dt.date | None, known: Callable[[str], bool] | None) -> None:
        self.since, self.known = since, known
        self.hit = False

    @property
    def sequential(self) -> bool:
        """Pages must be read in order to know where to stop."""
        return self.since is not None or self.known is not None

    def __call__(self, entries: Sequence[ListEntry]) -> bool:
        dated = [e.date for e in entries if e.date is not None]
        since = self.since
        if since is not None and dated and all(d < since for d in dated):
            self.hit = True
        known = self.known
        if known is not None and entries and all(known(e.url) for e in entries):
            self.hit = True
        return self.hit


class RevisitPolicy:
    """The policy for one site on one night (`today`), over its archive state."""

    def __init__(self, settings: HarvestSettings, state: SiteState, today: dt.date) -> None:
        self.settings, self.state, self.today = settings, state, today

    def due(self, entry: ListEntry) -> bool:
        """Whether this run fetches the entry. Always when it is new or its last attempt
        failed; a known page (or one judged too large or out of scope) when it was listed
        within `revisit_recent_days`, has not answered for its interval, or on its rotation
        day. The interval is `revisit_days`, or `revisit_aged_days` for a page list-dated
        more than `revisit_aged_after_days` ago (an undated page keeps the shorter one)."""
        settings = self.settings
        every = settings.revisit_days
        if every <= 1 or (self.state.get(entry.url) is None
                          and entry.url not in self.state.settled):
            return True
        if entry.date is not None:
            age = (self.today - entry.date).days
            if age <= settings.revisit_recent_days:
                return True
            if age > settings.revisit_aged_after_days:
                every = max(every, settings.revisit_aged_days)
        checked = self.state.checked.get(entry.url)
        if checked is None or (self.today - checked).days >= every:
            return True
        return rotation_day(entry.url, every) == self.today.toordinal() % every

    def walks_to_end(self, column: str) -> bool:
        """Whether tonight pages `column` to its end: when it has not been in
        `list_walk_days` (or ever), on its rotation day (a stable hash of its URL), and
        always when the revisit or walk interval is 1."""
        every = self.settings.list_walk_days
        if every <= 1 or self.settings.revisit_days <= 1:
            return True
        last = self.state.walked.get(column)
        if last is None or (self.today - last).days >= every:
            return True
        return rotation_day(column, every) == self.today.toordinal() % every

    def stop(self, column: str, since: dt.date | None) -> PagingStop:
        """Tonight's stop rule for `column`: at `since`, and at known territory unless the
        column is due its walk to the end."""
        return PagingStop(since, None if self.walks_to_end(column) else self.state.known)

    def remembered(self, tonight: Iterable[Sequence[ListEntry]],
                   walked_to_end: Collection[str]) -> list[ListEntry]:
        """Articles listed within `list_walk_days` that tonight's walks did not reach
        because paging stopped at known territory. A column walked to its end tonight
        vouches for itself: what it no longer lists is not brought back."""
        seen = {entry.url for column in tonight for entry in column}
        window = self.settings.list_walk_days
        return [
            ListEntry(url, "", sighting.list_date, sighting.referer)
            for url, sighting in self.state.listed.items()
            if url not in seen and sighting.column not in walked_to_end
            and (self.today - sighting.seen_on).days < window
        ]


def select(columns: Sequence[Sequence[ListEntry]], since: dt.date | None) -> list[ListEntry]:
    """List entries to consider: first sighting of each URL, not older than `since`."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for column in columns:
        for entry in column:
            if entry.url in seen:
                continue
            if since is not None and entry.date is not None and entry.date < since:
                continue
            seen.add(entry.url)
            entries.append(entry)
    return entries
