"""Ten list layouts of CMS products no profile knows (demo/layouts.py), served on
127.0.0.1: the generic harvest finds every article and every list page and fetches no
navigation link; `profile suggest` writes a profile that harvests the same set."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import yaml

from demo import DemoSite, layouts
from demo.layouts import DEMO_LAYOUTS, LAYOUTS, LayoutSite
from demo.site import ROBOTS_DISALLOW
from extract.archive import read_fetchlog
from extract.crawl import harvest
from extract.profile import load_profile
from extract.suggest import SuggestError, suggest_profile

NAMED_PAGINATORS = {"links", "trs", "hanweb", "template", "json"}


@pytest.fixture(scope="module")
def layout_site() -> Iterator[DemoSite]:
    with DemoSite(layouts=LAYOUTS) as site:
        yield site


def fetched(site: DemoSite) -> set[str]:
    """Paths (with query) the site was asked for since its log was cleared, robots aside."""
    return {r.path for r in site.requests if r.path != "/robots.txt"}


def expected(site: DemoSite, name: str) -> set[str]:
    return {*site.layouts.list_urls(name), *site.layouts.article_paths(name)}


def test_ten_layouts_are_served() -> None:
    assert len(LAYOUTS) >= 10
    served = LayoutSite(LAYOUTS)
    for name in LAYOUTS:
        assert len(served.article_paths(name)) == 7
        assert len(served.list_urls(name)) >= 2  # every column has further pages


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_generic_harvest_finds_every_article_and_list_page_and_nothing_else(
        layout_site: DemoSite, name: str, tmp_path: Path) -> None:
    layout_site.clear_log()
    start = layout_site.url(layout_site.layouts.layouts[name].start_path)
    result = harvest(None, tmp_path, run_id="r1", start_url=start, allow_hosts=["127.0.0.1"],
                     delay=0)
    assert fetched(layout_site) == expected(layout_site, name)
    articles = {p.url.removeprefix(layout_site.base_url) for p in result.pages
                if p.kind == "article"}
    assert articles == set(layout_site.layouts.article_paths(name))
    assert result.counts["no_list_items"] == 0 and result.empty_columns == []


@pytest.mark.parametrize("name", LAYOUTS)
def test_a_suggested_profile_harvests_the_same_set(layout_site: DemoSite, name: str,
                                                    tmp_path: Path) -> None:
    start = layout_site.url(layout_site.layouts.layouts[name].start_path)
    found = suggest_profile(start, ["127.0.0.1"], name=f"new-{name}", sites_dir=tmp_path,
                            delay=0)
    assert found.path == tmp_path / f"new-{name}.yaml"
    assert len(found.entries) == 3 and all(e.date for e in found.entries) != (name == "wanhu")
    assert found.body_first_line and found.next_page
    profile = load_profile(found.path)  # validates against the schema
    written = yaml.safe_load(found.path.read_text(encoding="utf-8"))
    assert written["extends"] == found.family
    assert profile.listing.item_detection == "selector"
    assert profile.listing.pagination in NAMED_PAGINATORS
    layout_site.clear_log()
    result = harvest(profile, tmp_path / "archive", run_id="r1", delay=0)
    assert fetched(layout_site) == expected(layout_site, name)
    assert result.counts["new"] == 7 and result.counts["no_list_items"] == 0


def test_suggest_reads_a_misdeclared_charset_and_says_so(layout_site: DemoSite,
                                                         tmp_path: Path) -> None:
    start = layout_site.url(layout_site.layouts.layouts["wanhu"].start_path)
    found = suggest_profile(start, ["127.0.0.1"], name="wanhu", sites_dir=tmp_path, delay=0)
    assert found.encoding == "gb18030"
    assert any("declares utf-8 but is gb18030" in note for note in found.notes)
    assert "declares utf-8 but is gb18030" in found.path.read_text(encoding="utf-8")
    assert all("\ufffd" not in e.title for e in found.entries)
    assert found.entries[0].title == layout_site.layouts.layouts["wanhu"].articles[0].title


def test_a_list_page_without_articles_is_named_in_the_summary_and_fetch_log(
        layout_site: DemoSite, tmp_path: Path) -> None:
    home = layout_site.url("/")  # links to columns only: no article list
    result = harvest(None, tmp_path, run_id="r1", start_url=home, allow_hosts=["127.0.0.1"],
                     delay=0)
    assert result.empty_lists == [home] and result.empty_columns == [home]
    assert result.counts["no_list_items"] == 1
    log = read_fetchlog(tmp_path, "127.0.0.1").filter(pl.col("url") == home)
    assert log["outcome"].to_list() == ["no_list_items"]


def test_a_last_list_page_that_lists_nothing_is_named(
        layout_site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    render = layouts.LIST_RENDERERS["dldd"]

    def emptied(layout: layouts.Layout, page: int) -> str:
        markup = render(layout, page)
        return re.sub(r"<dd>.*?</dd>", "", markup) if page == 3 else markup

    monkeypatch.setitem(layouts.LIST_RENDERERS, "dldd", emptied)
    start = layout_site.url(layout_site.layouts.layouts["dldd"].start_path)
    result = harvest(None, tmp_path, run_id="r1", start_url=start, allow_hosts=["127.0.0.1"],
                     delay=0)
    last = layout_site.url("/gen/dldd/cx/list_3.html")
    assert result.empty_lists == [last] and result.empty_columns == []
    assert result.counts["new"] == 6 and result.counts["no_list_items"] == 1
    log = read_fetchlog(tmp_path, "127.0.0.1").filter(pl.col("url") == last)
    assert log["outcome"].to_list() == ["no_list_items"]


def test_suggest_obeys_robots_allowed_hosts_and_the_delay(layout_site: DemoSite,
                                                          tmp_path: Path) -> None:
    layout_site.clear_log()
    with pytest.raises(SuggestError, match="robots"):
        suggest_profile(layout_site.url(f"{ROBOTS_DISALLOW}index.html"), ["127.0.0.1"],
                        name="r", sites_dir=tmp_path, delay=0)
    with pytest.raises(SuggestError, match="cannot read"):  # loopback not named
        suggest_profile(layout_site.url("/gen/dldd/cx/index.html"), [], name="h",
                        sites_dir=tmp_path, delay=0)
    assert fetched(layout_site) == set()
    layout_site.clear_log()
    suggest_profile(layout_site.url("/gen/dldd/cx/index.html"), ["127.0.0.1"], name="d",
                    sites_dir=tmp_path, delay=0.2)
    times = [r.at for r in layout_site.requests]
    assert len(times) >= 3
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))


def test_suggest_refuses_to_overwrite_a_profile(layout_site: DemoSite, tmp_path: Path) -> None:
    (tmp_path / "taken.yaml").write_text("extends: generic\n", encoding="utf-8")
    with pytest.raises(SuggestError, match="already exists"):
        suggest_profile(layout_site.url("/gen/dldd/cx/index.html"), ["127.0.0.1"],
                        name="taken", sites_dir=tmp_path, delay=0)


def test_suggest_says_why_when_a_page_lists_nothing(layout_site: DemoSite,
                                                    tmp_path: Path) -> None:
    with pytest.raises(SuggestError, match="no list of articles"):
        suggest_profile(layout_site.url("/"), ["127.0.0.1"], name="home", sites_dir=tmp_path,
                        delay=0)
    assert not (tmp_path / "home.yaml").exists()


def test_the_demo_site_serves_two_layouts_and_demo_generic_harvests_them(
        demo_site: DemoSite, tmp_path: Path) -> None:
    assert set(demo_site.layouts.layouts) == set(DEMO_LAYOUTS) and len(DEMO_LAYOUTS) == 2
    profile = load_profile("demo-generic", base_url=demo_site.base_url)
    assert profile.listing.item_detection == "structure"
    result = harvest(profile, tmp_path, run_id="r1", delay=0)
    wanted = {path for name in DEMO_LAYOUTS for path in demo_site.layouts.article_paths(name)}
    assert {p.url.removeprefix(demo_site.base_url) for p in result.pages} == wanted


def test_layout_pages_are_the_same_bytes_in_every_build() -> None:
    first, second = LayoutSite(LAYOUTS), LayoutSite(LAYOUTS)
    for name in LAYOUTS:
        for path in [*first.list_urls(name), *first.article_paths(name)]:
            route, _, query = path.partition("?")
            if name == "jcms" and "dataproxy" in route:
                continue
            a, b = first.get(route, query, "http://h"), second.get(route, query, "http://h")
            assert a is not None and b is not None and a.body == b.body, path
