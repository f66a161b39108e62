"""The revisit policy: which known pages a run revalidates, and which it defers.

New URLs are always fetched. A known article is revalidated when its list date is recent,
when it has not answered for its interval, or on its rotation day; so consecutive nights
revalidate disjoint shares of the archive and one interval of nights covers all of it. The
interval is `revisit_days` (7), or `revisit_aged_days` (28) for an article list-dated more
than `revisit_aged_after_days` (365) ago.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo import DemoSite
from demo.site import Article
from extract.crawl import HarvestResult, harvest
from extract.listpages import ListEntry
from extract.revisit import RevisitPolicy, rotation_day
from extract.settings import HarvestSettings
from extract.state import SiteState, UrlState

PROFILE = "demo-hunan"
EVERY = 7
AGED_EVERY = 28
AGED_AFTER = 365
HOST = re.compile(r"^http://[^/]+")


@dataclass
class Archived:
    site: DemoSite
    archive: Path
    first_day: dt.date
    articles: list[Article]  # plain articles of the profile, all archived by the first run


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archived]:
    archive = tmp_path_factory.mktemp("archive")
    with DemoSite() as site:
        first_day = dt.datetime.now(dt.UTC).date()  # the first run answers "today" (UTC)
        harvest(PROFILE, archive, run_id="run0", delay=0, base_url=site.base_url)
        plain = [a for a in site.articles()
                 if a.column.family == "hunan" and a.behaviour == "normal"]
        yield Archived(site, archive, first_day, plain)


def run_on(archived: Archived, day: dt.date, run_id: str, **settings: int) -> tuple[
        HarvestResult, set[str]]:
    """Harvest as if on `day`; returns the result and the article paths requested."""
    site = archived.site
    site.clear_log()
    result = harvest(PROFILE, archived.archive, run_id=run_id, delay=0,
                     base_url=site.base_url, today=day, settings=settings or None)
    known = {HOST.sub("", site.article_url(a)) for a in archived.articles}
    return result, {r.path for r in site.requests if r.path in known}


def path_of(archived: Archived, article: Article) -> str:
    return HOST.sub("", archived.site.article_url(article))


def interval(article: Article, day: dt.date, aged_after: int = AGED_AFTER) -> int:
    return AGED_EVERY if (day - article.publish_date).days > aged_after else EVERY


def due_on(archived: Archived, day: dt.date, recent_days: int = 30,
           aged_after: int = AGED_AFTER) -> set[str]:
    """Articles the policy says are due on `day`, from first principles (every article last
    answered on the first day: runs record the real date of their requests)."""
    return {
        path_of(archived, a) for a in archived.articles
        if (day - a.publish_date).days <= recent_days
        or (day - archived.first_day).days >= (every := interval(a, day, aged_after))
        or rotation_day(archived.site.article_url(a), every) == day.toordinal() % every
    }


def test_the_rotation_day_is_stable_and_in_range() -> None:
    url = "http://example.gov.cn/art/2024/1/2/art_1_2.html"
    assert rotation_day(url, EVERY) == rotation_day(url, EVERY)
    days = {rotation_day(f"http://example.gov.cn/a_{i}.html", EVERY) for i in range(200)}
    assert days == set(range(EVERY))  # every day of the cycle gets a share


def test_each_night_revalidates_only_its_share_and_defers_the_rest(archived: Archived) -> None:
    seen: dict[str, int] = {}
    for offset in range(1, EVERY):
        day = archived.first_day + dt.timedelta(days=offset)
        result, requested = run_on(archived, day, f"night{offset}", revisit_recent_days=0)
        assert requested == due_on(archived, day, recent_days=0)
        assert result.counts["deferred"] >= len(archived.articles) - len(requested)
        assert result.counts["new"] == 0
        for path in requested:
            seen[path] = seen.get(path, 0) + 1
    # Nights 1..6 of the cycle each took a different share: no article twice.
    assert all(count == 1 for count in seen.values())


def test_a_page_not_answered_for_revisit_days_is_due_whatever_its_rotation(
        archived: Archived) -> None:
    day = archived.first_day + dt.timedelta(days=AGED_EVERY + 30)  # far past every check
    result, requested = run_on(archived, day, "late", revisit_recent_days=0)
    assert requested == {path_of(archived, a) for a in archived.articles}
    assert result.counts["not_modified"] >= len(archived.articles)


def test_recently_listed_articles_are_revalidated_every_run(archived: Archived) -> None:
    newest = max(a.publish_date for a in archived.articles)
    day = newest + dt.timedelta(days=10)
    # Keep the test meaningful: the recent window must hold some articles, not all.
    recent = {path_of(archived, a) for a in archived.articles
              if (day - a.publish_date).days <= 30}
    assert recent and len(recent) < len(archived.articles)
    _, requested = run_on(archived, day, "recent")
    assert recent <= requested
    assert requested == due_on(archived, day)  # the recent ones plus the day's rotation


def test_revisit_days_1_revalidates_every_known_page(archived: Archived) -> None:
    result, requested = run_on(archived, archived.first_day, "all", revisit_days=1)
    assert requested == {path_of(archived, a) for a in archived.articles}
    assert result.counts["deferred"] == 0


def test_a_new_article_is_fetched_on_any_night(archived: Archived) -> None:
    site = archived.site
    added, _ = site.churn(new=6, changed=0)  # copies spread over all three families
    family = {site.article_url(a): a.column.family for a in site.articles()}
    ours = {url for url in added if family[url] == "hunan"}
    assert ours
    day = archived.first_day + dt.timedelta(days=1)
    result, _ = run_on(archived, day, "new", revisit_recent_days=0)
    assert ours <= {p.url for p in result.pages if p.kind == "article"}
    assert result.counts["new"] >= len(ours)


def test_a_page_judged_too_large_waits_for_its_rotation_but_a_failed_one_does_not(
        tmp_path: Path) -> None:
    with DemoSite() as site:
        broken = {a.behaviour: site.article_url(a) for a in site.articles()
                  if a.column.family == "hunan" and a.behaviour in ("oversized", "flaky")}
        assert set(broken) == {"oversized", "flaky"}
        first_day = dt.datetime.now(dt.UTC).date()
        first = harvest(PROFILE, tmp_path, run_id="run0", delay=0, base_url=site.base_url,
                        settings={"max_retries": 0})  # the flaky page fails, not retried
        assert first.counts["too_large"] >= 1 and broken["flaky"] in first.failed_urls
        oversized = broken["oversized"]
        day = next(first_day + dt.timedelta(days=k) for k in range(1, EVERY)
                   if rotation_day(oversized, EVERY)
                   != (first_day + dt.timedelta(days=k)).toordinal() % EVERY)
        site.clear_log()
        harvest(PROFILE, tmp_path, run_id="run1", delay=0, base_url=site.base_url, today=day)
        requested = {site.url(r.path) for r in site.requests}
        assert oversized not in requested  # judged too large: retried on its rotation day
        assert broken["flaky"] in requested  # failed: retried the very next night


def _due(today: dt.date, listed: dt.date | None, checked: dt.date | None,
         url: str = "http://example.gov.cn/art/1.html", **settings: int) -> bool:
    """The policy for one known URL, as the walker applies it."""
    state = SiteState("s")
    state.urls[url] = UrlState("sha256:x", None, None, dt.datetime(2020, 1, 1), "w", 0)
    if checked is not None:
        state.checked[url] = checked
    policy = RevisitPolicy(HarvestSettings(**settings), state, today)
    return policy.due(ListEntry(url, "", listed, "http://example.gov.cn/"))


def test_an_aged_page_waits_for_its_turn_in_the_longer_rotation() -> None:
    url = "http://example.gov.cn/art/2021/3/1/art_9_1.html"
    checked = dt.date(2026, 11, 1)
    # Nights in the 28 after the check: exactly one is the aged page's rotation day.
    nights = [checked + dt.timedelta(days=k) for k in range(1, AGED_EVERY)]
    listed_long_ago = dt.date(2021, 3, 1)
    due = [d for d in nights if _due(d, listed_long_ago, checked, url)]
    assert due == [d for d in nights if rotation_day(url, AGED_EVERY) == d.toordinal() % AGED_EVERY]
    assert len(due) <= 1
    # Once 28 days have passed without an answer it is due whatever its rotation.
    assert _due(checked + dt.timedelta(days=AGED_EVERY), listed_long_ago, checked, url)


def test_a_page_younger_than_a_year_and_an_undated_one_keep_the_weekly_rotation() -> None:
    url = "http://example.gov.cn/art/2026/3/1/art_9_2.html"
    checked = dt.date(2026, 11, 1)
    week = [checked + dt.timedelta(days=k) for k in range(1, EVERY)]
    for listed in (dt.date(2026, 3, 1), None):
        due = [d for d in week if _due(d, listed, checked, url)]
        assert due == [d for d in week if rotation_day(url, EVERY) == d.toordinal() % EVERY]
        assert _due(checked + dt.timedelta(days=EVERY), listed, checked, url)


def test_the_aged_rotation_is_never_shorter_than_revisit_days_and_revisit_days_1_wins() -> None:
    url = "http://example.gov.cn/art/2020/1/1/art_9_3.html"
    checked = dt.date(2026, 11, 1)
    old = dt.date(2020, 1, 1)
    day = checked + dt.timedelta(days=AGED_EVERY)
    # revisit_days 30 > revisit_aged_days 28: the aged page is not due after 28 days...
    assert _due(day, old, checked, url, revisit_days=30) == (
        rotation_day(url, 30) == day.toordinal() % 30)
    # ...and revisit_days 1 (revalidate all) takes every page, aged or not.
    assert _due(checked + dt.timedelta(days=1), old, checked, url, revisit_days=1)


def test_recently_listed_beats_every_rotation() -> None:
    today = dt.date(2026, 12, 5)
    assert _due(today, today - dt.timedelta(days=30), today)  # checked today, still due


def test_on_a_real_site_aged_articles_follow_the_longer_rotation(archived: Archived) -> None:
    # Put the aged line at the median age so both tiers hold articles, and test the nights
    # on which the tiered policy and a weekly-only one would ask for different articles.
    first = archived.first_day + dt.timedelta(days=1)
    ages = sorted((first - a.publish_date).days for a in archived.articles)
    aged_after = ages[len(ages) // 2]
    assert ages[0] <= aged_after < ages[-1]
    nights = [night for k in range(1, AGED_EVERY)
              if due_on(archived, night := archived.first_day + dt.timedelta(days=k),
                        recent_days=0, aged_after=aged_after)
              != due_on(archived, night, recent_days=0, aged_after=10**6)][:3]
    assert nights
    for night in nights:
        result, asked = run_on(archived, night, f"tiers{night}", revisit_recent_days=0,
                               revisit_aged_after_days=aged_after)
        assert asked == due_on(archived, night, recent_days=0, aged_after=aged_after)
        assert result.counts["deferred"] >= len(archived.articles) - len(asked)


def test_a_page_too_large_comes_back_on_its_rotation_day_whole_once_the_cap_is_raised(
        tmp_path: Path) -> None:
    from extract.profile import load_profile

    with DemoSite() as site:
        article = next(a for a in site.articles()
                       if a.column.family == "hunan" and a.behaviour == "oversized")
        url = site.article_url(article)
        first = harvest(PROFILE, tmp_path, run_id="run0", delay=0, base_url=site.base_url)
        assert url in first.failed_urls and first.counts["too_large"] >= 1
        first_day = dt.datetime.now(dt.UTC).date()
        # Days 1..28 hold every day of the longest rotation (the URL, hence its rotation
        # day, depends on the demo site's random port).
        day = next(d for d in (first_day + dt.timedelta(days=k)
                               for k in range(1, AGED_EVERY + 1))
                   if rotation_day(url, interval(article, d)) == d.toordinal()
                   % interval(article, d))
        profile = load_profile(PROFILE, base_url=site.base_url)
        raised = profile.model_copy(update={"settings": {
            **profile.settings, "max_body_bytes": 12 * 1024 * 1024}})
        site.clear_log()
        second = harvest(raised, tmp_path, run_id="run1", delay=0, today=day)
        assert url in {site.url(r.path) for r in site.requests}  # due again: its rotation day
    page = next(p for p in second.pages if p.url == url)  # archived whole, a page to parse
    assert len(page.body) > 11 * 1024 * 1024 and url not in second.failed_urls
