"""The paging policy: how far a run reads each column's list pages.

Lists run newest first, so a run stops paging a column at the first list page whose
entries are all known, except when the column is due its walk to the end (at least once in
`list_walk_days`, on a rotation). What it did not read is not forgotten: the articles listed
deeper come back from the listings manifest as revisit candidates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo import DemoSite, moved_path
from extract.crawl import harvest
from extract.listpages import ListEntry
from extract.revisit import RevisitPolicy, rotation_day
from extract.settings import HarvestSettings
from extract.state import Sighting, SiteState, load_state

WALK_EVERY = 7
HOST = re.compile(r"^http://[^/]+")
NOT_LISTS = re.compile(r"(robots\.txt|\.(pdf|docx?))$")


def _paths(site: DemoSite, urls: set[str]) -> set[str]:
    return {HOST.sub("", u) for u in urls}


def list_requests(site: DemoSite) -> list[str]:
    """Paths of the list pages (and Hanweb dataproxy calls) requested since the last clear,
    each once: a retried request (a slow answer on a loaded machine) reads the same page.
    Articles and the targets of moved articles' redirects are not list pages: a revisit of
    a moved article, due on some days of its rotation, follows its 301."""
    articles = _paths(site, {site.article_url(a) for a in site.articles()})
    articles |= {moved_path(a) for a in articles}  # 301 targets
    return list(dict.fromkeys(r.path for r in site.requests
                              if r.path not in articles and not NOT_LISTS.search(r.path)))


def quiet_day(site: DemoSite, first_day: dt.date, profile: str) -> dt.date:
    """A day after `first_day` on which no column of `profile` is due its walk to the end."""
    from extract.profile import load_profile

    columns = load_profile(profile, base_url=site.base_url).absolute_start_urls()
    for offset in range(1, WALK_EVERY):
        day = first_day + dt.timedelta(days=offset)
        if all(rotation_day(c, WALK_EVERY) != day.toordinal() % WALK_EVERY for c in columns):
            return day
    raise AssertionError("every day of the week is some column's walk day")


@pytest.fixture()
def small_pages() -> Iterator[DemoSite]:
    with DemoSite(scale=60, per_page=3) as site:  # several list pages per column
        yield site


@pytest.mark.parametrize("profile", ["demo-trs", "demo-hunan", "demo-hanweb"])
def test_a_night_stops_paging_at_the_first_page_of_known_entries(
        small_pages: DemoSite, tmp_path: Path, profile: str) -> None:
    site = small_pages
    first_day = dt.datetime.now(dt.UTC).date()
    harvest(profile, tmp_path, run_id="run0", delay=0, base_url=site.base_url)
    walked = list_requests(site)
    columns = load_state(tmp_path, profile).walked
    assert columns and set(columns.values()) == {first_day}  # a first run walks to the end
    assert len(walked) > len(columns)

    site.clear_log()
    day = quiet_day(site, first_day, profile)
    second = harvest(profile, tmp_path, run_id="run1", delay=0, base_url=site.base_url,
                     today=day, settings={"revisit_recent_days": 0})
    assert len(list_requests(site)) == len(columns)  # each column's first page, all known
    assert second.counts["new"] == 0
    # Paging stopped, yet every known article was considered: due or deferred.
    state = load_state(tmp_path, profile)
    articles = set(state.listed)
    considered = second.counts["deferred"] + second.counts["not_modified"] + sum(
        second.counts[k] for k in ("failed", "blocked", "changed", "too_large", "out_of_scope"))
    assert considered >= len(articles) - len(state.settled)


def test_new_articles_at_the_head_are_found_and_paging_stops_right_after_them(
        small_pages: DemoSite, tmp_path: Path) -> None:
    site = small_pages
    first_day = dt.datetime.now(dt.UTC).date()
    harvest("demo-hunan", tmp_path, run_id="run0", delay=0, base_url=site.base_url)
    folders = [HOST.sub("", c).rsplit("/", 1)[0] + "/"
               for c in load_state(tmp_path, "demo-hunan").walked]
    added, _ = site.churn(new=9, changed=0)
    new_in = {f: sum(f in u for u in added) for f in folders}
    assert sum(new_in.values()) >= 5  # most of them land in one hunan column

    site.clear_log()
    result = harvest("demo-hunan", tmp_path, run_id="run1", delay=0, base_url=site.base_url,
                     today=quiet_day(site, first_day, "demo-hunan"))
    ours = {u for u in added if any(f in u for f in folders)}
    assert ours <= {p.url for p in result.pages if p.kind == "article"}
    read = {f: sum(f in path for path in list_requests(site)) for f in folders}
    # the pages holding new entries (3 to a page), then the first page of known ones
    assert read == {f: k // 3 + (k % 3 > 0) + 1 for f, k in new_in.items()}, new_in


def test_a_column_due_its_walk_reads_every_page(small_pages: DemoSite, tmp_path: Path) -> None:
    site = small_pages
    harvest("demo-trs", tmp_path, run_id="run0", delay=0, base_url=site.base_url)
    walked = sorted(list_requests(site))
    site.clear_log()
    harvest("demo-trs", tmp_path, run_id="run1", delay=0, base_url=site.base_url,
            settings={"list_walk_days": 1})
    assert sorted(list_requests(site)) == walked
    site.clear_log()
    harvest("demo-trs", tmp_path, run_id="run2", delay=0, base_url=site.base_url,
            settings={"revisit_days": 1})  # revalidating everything reads every list too
    assert sorted(list_requests(site)) == walked


def _policy(state: SiteState, today: dt.date, **settings: int) -> RevisitPolicy:
    return RevisitPolicy(HarvestSettings(**settings), state, today)


COLUMN = "http://example.gov.cn/col/1/index.html"


def test_a_column_walks_to_its_end_when_never_walked_overdue_or_on_its_rotation_day() -> None:
    today = dt.date(2026, 12, 6)
    state = SiteState("s")
    assert _policy(state, today).walks_to_end(COLUMN)
    state.walked[COLUMN] = today - dt.timedelta(days=WALK_EVERY)
    assert _policy(state, today).walks_to_end(COLUMN)
    state.walked[COLUMN] = today - dt.timedelta(days=1)
    turns = [day for day in (today + dt.timedelta(days=k) for k in range(WALK_EVERY))
             if _policy(state, day).walks_to_end(COLUMN)]
    # within the interval: its rotation day only (and the day it falls overdue)
    rotation = [d for d in turns if rotation_day(COLUMN, WALK_EVERY) == d.toordinal() % WALK_EVERY]
    overdue = [d for d in turns if (d - state.walked[COLUMN]).days >= WALK_EVERY]
    assert turns == sorted({*rotation, *overdue}) and len(rotation) == 1
    assert _policy(state, today, list_walk_days=1).walks_to_end(COLUMN)
    assert _policy(state, today, revisit_days=1).walks_to_end(COLUMN)


def test_articles_listed_deeper_come_back_from_the_listings_manifest() -> None:
    today = dt.date(2026, 12, 6)
    other = "http://example.gov.cn/col/2/index.html"
    state = SiteState("s")

    def seen(url: str, column: str, days_ago: int) -> None:
        state.listed[url] = Sighting(column, dt.date(2024, 1, 2), column,
                                     today - dt.timedelta(days=days_ago))

    seen("http://example.gov.cn/a.html", COLUMN, 1)  # deeper than tonight's walk reached
    seen("http://example.gov.cn/b.html", COLUMN, 0)  # read again tonight
    seen("http://example.gov.cn/c.html", COLUMN, WALK_EVERY)  # not listed since a full walk
    seen("http://example.gov.cn/d.html", other, 2)  # its column was walked to the end tonight
    tonight = [[ListEntry("http://example.gov.cn/b.html", "", None, COLUMN)]]
    back = _policy(state, today).remembered(tonight, walked_to_end={other})
    assert back == [ListEntry("http://example.gov.cn/a.html", "", dt.date(2024, 1, 2), COLUMN)]
