"""Harvesting the demo site end to end: every family and pagination style, every broken
case, scope rules, incremental re-runs and revisions. Politeness delays are zero here."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from demo import DemoSite, LoggedRequest, moved_path
from demo.site import REVISION_NOTE, Article
from extract.archive import FETCHLOG_SCHEMA, INDEX_SCHEMA, iter_pages, read_fetchlog, read_index
from extract.crawl import (
    COUNT_KEYS,
    HarvestResult,
    SiteUnavailable,
    harvest,
)
from extract.listpages import parse_html
from extract.profile import generic_profile
from extract.revisit import rotation_day
from extract.state import load_state
from tests.conftest import seed_text
from transform.decode import decode_bytes
from transform.htmltree import visible_text

PROFILES = ("demo-hunan", "demo-trs", "demo-hanweb")
CHARSET = "text/html; charset=utf-8"
OK_BEHAVIOURS = ("normal", "flaky", "slow", "ratelimited", "moved")
ARTICLE_PATH = re.compile(r"content_\d+(_moved)?\.html$|/t\d{8}_\d+\.html$|/art_\d+_\d+\.html$")


@dataclass
class Run:
    results: dict[str, HarvestResult]
    requests: list[LoggedRequest]


@dataclass
class Story:
    site: DemoSite
    archive: Path
    first: Run
    second: Run
    revised: Run  # demo-hunan only, after set_revision(2)


def _run(site: DemoSite, archive: Path, run_id: str, profiles: tuple[str, ...]) -> Run:
    site.clear_log()
    # The story is about revalidation itself, so every known page is due in every run
    # (test_revisit.py covers the rotation that spreads revalidation over the nights).
    results = {
        name: harvest(name, archive, run_id=run_id, delay=0, base_url=site.base_url,
                      settings={"revisit_days": 1})
        for name in profiles
    }
    return Run(results, site.requests)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    archive = tmp_path_factory.mktemp("archive")
    with DemoSite(slow_seconds=0.2) as site:
        first = _run(site, archive, "run1", PROFILES)
        second = _run(site, archive, "run2", PROFILES)
        site.set_revision(2)
        revised = _run(site, archive, "run3", ("demo-hunan",))
        yield Story(site, archive, first, second, revised)


def page_text(body: bytes, content_type: str | None) -> str:
    """Visible text without whitespace (templates split lines into inline runs)."""
    return re.sub(r"\s", "", parse_html(body, content_type).text_content())


def family_articles(site: DemoSite, family: str) -> list[Article]:
    return [a for a in site.articles() if a.column.family == family]


def expected_page_urls(site: DemoSite, family: str) -> set[str]:
    urls = set()
    for a in family_articles(site, family):
        if a.behaviour in OK_BEHAVIOURS:
            url = site.article_url(a)
            urls.add(moved_path(url) if a.behaviour == "moved" else url)
    return urls


@pytest.mark.parametrize(("profile", "family"), list(zip(PROFILES, ("hunan", "trs", "hanweb"),
                                                          strict=True)))
def test_first_run_finds_every_article_of_the_family(story: Story, profile: str,
                                                     family: str) -> None:
    result = story.first.results[profile]
    articles = {p.url for p in result.pages if p.kind == "article"}
    assert articles == expected_page_urls(story.site, family)
    assert result.counts["new"] == len(result.pages)
    assert set(result.counts) == set(COUNT_KEYS)
    for page in result.pages:
        assert page.site == profile and page.status == 200
        assert page.digest.startswith("sha256:") and page.referer


def test_every_pagination_style_was_walked(story: Story) -> None:
    paths = [(r.method, r.path) for r in story.first.requests]
    gets = {p for m, p in paths if m == "GET"}
    # Hunan template: static index_N.htm pages, then the JSP pager.
    assert "/11287/11305/index_1.htm" in gets
    assert any(p.startswith("/11287/11305/index.jsp?pager.offset=") for p in gets)
    # TRS: the pages createPageHTML announced.
    assert {"/trs/fzzfjs/index_1.html", "/trs/fzzfjs/index_2.html"} <= gets
    # Hanweb: the rest of the records by POST to the dataproxy.
    posts = [p for m, p in paths if m == "POST"]
    assert posts and all(p.startswith("/module/web/jpage/dataproxy.jsp?startrecord=3&")
                         for p in posts)


def test_broken_cases_have_their_outcomes(story: Story) -> None:
    result = story.first.results["demo-hunan"]
    by = {a.behaviour: story.site.article_url(a) for a in story.site.articles()}
    assert set(result.blocked_urls) == {by["antibot"], by["jschallenge"], by["empty"]}
    assert set(result.failed_urls) == {by["missing"], by["oversized"], by["gzipbomb"]}
    assert result.counts["blocked"] == 3
    assert result.counts["failed"] == 1 and result.counts["too_large"] == 2
    assert result.counts["out_of_scope"] == 4  # off-site, private, file:, robots.txt
    blocked_or_failed = set(result.blocked_urls) | set(result.failed_urls)
    assert not blocked_or_failed & {p.url for p in result.pages}

    log = read_fetchlog(story.archive).filter(pl.col("run_id") == "run1")
    final = {row["url"]: row for row in log.sort("attempted_at").iter_rows(named=True)}
    assert final[by["antibot"]]["status"] == 412 and final[by["antibot"]]["outcome"] == "blocked"
    assert "empty article body" in final[by["empty"]]["detail"]
    assert final[by["missing"]]["outcome"] == "failed" and final[by["missing"]]["status"] == 404
    assert final[by["robots"]]["outcome"] == "out_of_scope"
    assert "robots.txt" in final[by["robots"]]["detail"]
    assert "www.example.com" in final[by["offsite"]]["detail"]
    assert "10.20.30.40" in final[by["private"]]["detail"]
    assert "file" in final[by["scheme"]]["detail"]
    flaky = log.filter(pl.col("url") == by["flaky"]).sort("attempts")
    assert flaky.get_column("outcome").to_list() == ["retried", "ok"]
    limited = log.filter(pl.col("url") == by["ratelimited"]).sort("attempts")
    assert limited.select("outcome", "status").rows() == [("retried", 429), ("ok", 200)]


def test_pages_from_gbk_sites_decode_cleanly(story: Story) -> None:
    pages = [p for p in story.first.results["demo-hunan"].pages if p.kind == "article"]
    assert pages
    for page in pages:
        assert page.header("Content-Type") == "text/html"  # no charset declared anywhere
        assert b"charset" not in page.body.lower()
        decoded = decode_bytes(page.body, page.header("Content-Type"))
        assert decoded.encoding == "gb18030" and "\ufffd" not in decoded.text


def test_attachments_are_returned_as_text(story: Story) -> None:
    trs = [p for p in story.first.results["demo-trs"].pages if p.kind == "attachment"]
    assert len(trs) == 1
    assert trs[0].url.endswith(".pdf") and trs[0].referer
    text = trs[0].body.decode("utf-8")
    assert re.sub(r"\s", "", seed_text("001-yancheng-edz-2023-plan")) == re.sub(r"\s", "", text)
    cover = next(p for p in story.first.results["demo-trs"].pages if p.url == trs[0].referer)
    assert "印发给你们" in page_text(cover.body, cover.header("Content-Type"))
    hanweb = [p for p in story.first.results["demo-hanweb"].pages if p.kind == "attachment"]
    assert len(hanweb) == 1 and ".docx" in hanweb[0].url
    assert "法治建设工作要点" in hanweb[0].body.decode("utf-8")


def test_second_run_fetches_no_unchanged_article_body(story: Story) -> None:
    for name in PROFILES:
        result = story.second.results[name]
        assert result.pages == [] and result.counts["new"] == 0
        assert result.counts["changed"] == 0
    ok_paths = {
        re.sub(r"^http://[^/]+", "", p.url)
        for r in story.first.results.values() for p in r.pages
    }
    bodies = [r for r in story.second.requests
              if r.status == 200 and re.sub(r"_moved", "", r.path) in
              {re.sub(r"_moved", "", p) for p in ok_paths}]
    assert bodies == []  # every known article and attachment answered 304
    conditional = [r for r in story.second.requests if r.status == 304]
    assert len(conditional) == len(ok_paths)
    assert all(r.if_none_match for r in conditional)
    # List pages are still read in full: that is how new articles are found.
    assert any(r.path.endswith("index.htm") and r.status == 200 for r in story.second.requests)
    unchanged = story.second.results
    assert sum(r.counts["not_modified"] for r in unchanged.values()) == len(ok_paths)


def test_the_link_manifest_remembers_each_articles_attachments(story: Story) -> None:
    trs = load_state(story.archive, "demo-trs")
    pdf = next(p for p in story.first.results["demo-trs"].pages if p.kind == "attachment")
    assert pdf.referer is not None and trs.links[pdf.referer] == (pdf.url,)
    articles = [p.url for p in story.first.results["demo-trs"].pages if p.kind == "article"]
    assert set(trs.links) == set(articles)  # articles without attachments have an empty entry
    assert sum(1 for links in trs.links.values() if links) == 1


def _copy_archive(story: Story, tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(story.archive, archive)
    return archive


def test_an_unchanged_article_revalidates_its_attachments_without_reading_the_archive(
        story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _copy_archive(story, tmp_path)
    reads: list[str] = []
    monkeypatch.setattr("extract.crawl.read_record", lambda *a, **k: reads.append(a[1]))
    story.site.clear_log()
    result = harvest("demo-trs", archive, run_id="run4", delay=0, base_url=story.site.base_url,
                     settings={"revisit_days": 1})
    assert result.pages == [] and reads == []
    assert any(r.path.endswith(".pdf") and r.status == 304 for r in story.site.requests)


def test_an_archive_without_link_manifests_falls_back_to_the_archived_record(
        story: Story, tmp_path: Path) -> None:
    archive = _copy_archive(story, tmp_path)
    shutil.rmtree(archive / "links")
    story.site.clear_log()
    result = harvest("demo-trs", archive, run_id="run4", delay=0, base_url=story.site.base_url,
                     settings={"revisit_days": 1})
    assert result.pages == []
    assert any(r.path.endswith(".pdf") and r.status == 304 for r in story.site.requests)
    # The fallback notes what it found, so the night after reads no record again.
    assert any(load_state(archive, "demo-trs").links.values())


def test_a_deferred_article_defers_its_attachments_too(story: Story, tmp_path: Path) -> None:
    archive = _copy_archive(story, tmp_path)
    with_pdf = [a for a in family_articles(story.site, "trs") if a.attachments]
    assert with_pdf
    urls = [story.site.article_url(a) for a in with_pdf]
    today = dt.datetime.now(dt.UTC).date()
    # A day inside the week after the last check on which none of them is due.
    day = next(today + dt.timedelta(days=k) for k in range(1, 7)
               if all(rotation_day(u, 7) != (today + dt.timedelta(days=k)).toordinal() % 7
                      for u in urls))
    story.site.clear_log()
    result = harvest("demo-trs", archive, run_id="run4", delay=0, base_url=story.site.base_url,
                     today=day, settings={"revisit_recent_days": 0, "revisit_days": 7,
                                          "revisit_aged_after_days": 10**5})  # weekly only
    requested = {r.path for r in story.site.requests}
    assert not any(p.endswith(".pdf") for p in requested)
    assert result.counts["deferred"] >= len(with_pdf)


def test_a_revised_page_comes_back_as_changed(story: Story) -> None:
    result = story.revised.results["demo-hunan"]
    assert result.counts["changed"] == 1 and result.counts["new"] == 0
    (page,) = result.pages
    xiangtan = next(a for a in story.site.articles() if a.revisable)
    assert page.url == story.site.article_url(xiangtan)
    assert REVISION_NOTE in page_text(page.body, page.header("Content-Type"))
    # The archive now serves the revised version as the latest one.
    latest = {p.url: p for p in iter_pages(story.archive, site="demo-hunan")}
    assert latest[page.url].digest == page.digest


def test_archive_holds_every_response_with_the_contract_columns(story: Story) -> None:
    index = read_index(story.archive)
    assert dict(index.schema) == INDEX_SCHEMA
    assert dict(read_fetchlog(story.archive).schema) == FETCHLOG_SCHEMA
    run1 = index.filter(pl.col("run_id") == "run1")
    statuses = set(run1.get_column("status").to_list())
    assert {200, 301, 302, 404, 412, 429, 500} <= statuses  # failures are archived too
    assert set(run1.get_column("kind").to_list()) >= {"list", "article", "attachment", "robots"}
    archived = set(run1.select("url", "digest").iter_rows())
    for result in story.first.results.values():
        for page in result.pages:
            if page.kind == "article":
                assert (page.url, page.digest) in archived


def test_reprocessing_reads_pages_back_without_network(story: Story) -> None:
    pages = list(iter_pages(story.archive))
    urls = {p.url for p in pages}
    returned = {p.url for r in story.first.results.values() for p in r.pages}
    assert urls == returned
    blocked = {u for r in story.first.results.values() for u in r.blocked_urls}
    assert not urls & blocked
    attachment = next(p for p in pages if p.kind == "attachment" and p.url.endswith(".pdf"))
    assert attachment.header("Content-Type") == "text/plain; charset=utf-8"


def test_state_is_derived_from_the_archive(story: Story) -> None:
    state = load_state(story.archive, "demo-hunan")
    moved = next(a for a in story.site.articles() if a.behaviour == "moved")
    url = story.site.article_url(moved)
    assert url in state.redirects and state.get(url) is not None
    assert all(s.etag for s in state.urls.values())
    newest = max(a.publish_date for a in story.site.articles()
                 if a.column.family == "hunan" and a.behaviour in OK_BEHAVIOURS)
    assert state.cursor == newest
    assert load_state(story.archive, "no-such-site").urls == {}


def test_visible_text_skips_scripts_styles_and_comments_but_keeps_their_tails() -> None:
    doc = parse_html(
        "<html><body><div id=x> 一<!-- 注释 -->二<script>var a;</script>三"
        "<style>p{}</style>\n\n四<noscript>请开启</noscript>五<b>六</b></div>尾</body></html>"
        .encode(), "text/html; charset=utf-8")
    (div,) = doc.cssselect("#x")
    assert visible_text(div) == "一二三 四五六"
    assert visible_text(doc.find("body")) == "一二三 四五六 尾"  # a block ends: a space


def test_since_skips_older_list_entries(demo_site: DemoSite, tmp_path: Path) -> None:
    since = dt.date(2023, 1, 1)
    result = harvest("demo-trs", tmp_path, run_id="r", delay=0, since=since,
                     base_url=demo_site.base_url)
    expected = {demo_site.article_url(a) for a in family_articles(demo_site, "trs")
                if a.publish_date >= since}
    assert {p.url for p in result.pages if p.kind == "article"} == expected
    assert len(expected) < len(family_articles(demo_site, "trs"))


def test_max_pages_caps_article_fetches(demo_site: DemoSite, tmp_path: Path) -> None:
    result = harvest("demo-hanweb", tmp_path, run_id="r", delay=0, max_pages=3,
                     base_url=demo_site.base_url, progress=True)
    assert len([p for p in result.pages if p.kind == "article"]) == 3


def test_generic_profile_needs_loopback_named_explicitly(demo_site: DemoSite,
                                                         tmp_path: Path) -> None:
    column = next(c for c in demo_site.content.columns if c.col_id == "11305")
    start = demo_site.column_url(column)
    refused = harvest(None, tmp_path, run_id="r0", delay=0, start_url=start)
    assert refused.counts["out_of_scope"] == 1 and refused.pages == []
    assert read_index(tmp_path).height == 0  # nothing was even requested
    as_object = harvest(generic_profile(start), tmp_path, run_id="r0", delay=0)
    assert as_object.counts["out_of_scope"] == 1 and as_object.pages == []

    result = harvest(None, tmp_path, run_id="r1", delay=0, start_url=start,
                     allow_hosts=["127.0.0.1"])
    expected = {demo_site.article_url(a) for a in demo_site.content.column_articles(column)}
    assert {p.url for p in result.pages} == expected
    assert {p.site for p in result.pages} == {"127.0.0.1"}


def test_profile_objects_names_and_paths_are_all_accepted(demo_site: DemoSite,
                                                          tmp_path: Path) -> None:
    from extract.profile import SITES_DIR, load_profile

    by_path = harvest(SITES_DIR / "demo-hanweb.yaml", tmp_path / "a", run_id="r", delay=0,
                      base_url=demo_site.base_url, max_pages=1)
    by_object = harvest(load_profile("demo-hanweb", base_url=demo_site.base_url),
                        tmp_path / "b", run_id="r", delay=0, max_pages=1)
    assert [p.url for p in by_path.pages] == [p.url for p in by_object.pages]
    with pytest.raises(ValueError):
        harvest(None, tmp_path, run_id="r")


@pytest.mark.parametrize("profile", ["demo-trs", "demo-hanweb", "generic"])
def test_parallel_list_walking_finds_the_same_articles(demo_site: DemoSite, tmp_path: Path,
                                                       profile: str) -> None:
    column = next(c for c in demo_site.content.columns if c.col_id == "11305")
    kwargs = ({"start_url": demo_site.column_url(column), "allow_hosts": ["127.0.0.1"]}
              if profile == "generic" else {"base_url": demo_site.base_url})
    name = None if profile == "generic" else profile
    one = harvest(name, tmp_path / "one", run_id="r", delay=0, **kwargs)  # type: ignore[arg-type]
    many = harvest(name, tmp_path / "many", run_id="r", delay=0,  # type: ignore[arg-type]
                   settings={"concurrency_per_host": 4, "workers": 4}, **kwargs)
    assert {p.url for p in many.pages} == {p.url for p in one.pages}
    assert many.counts == one.counts and one.counts["new"] > 0


# -- a site whose robots.txt is unreachable is unavailable; a dripping page times out --------

HUNAN_COLUMN = "/11287/11306/index.htm"


@pytest.mark.parametrize("status", [500, 503])
def test_robots_server_error_fails_the_site_and_fetches_nothing(tmp_path: Path,
                                                                status: int) -> None:
    with DemoSite() as site:
        site.set_robots(status)
        with pytest.raises(SiteUnavailable, match=f"robots.txt unreachable .*HTTP {status}"):
            harvest("demo-hunan", tmp_path, run_id="r0", delay=0, base_url=site.base_url,
                    settings={"max_retries": 0})
        assert {r.path for r in site.requests} == {"/robots.txt"}
    log = read_fetchlog(tmp_path)  # the refusal is on record, for the site's columns too
    robots = log.filter(pl.col("url").str.ends_with("/robots.txt"))
    assert robots["status"].to_list() == [status]
    assert read_index(tmp_path)["url"].to_list() == [site.url("/robots.txt")]


def test_robots_connection_refused_fails_the_site(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = f"http://127.0.0.1:{port}{HUNAN_COLUMN}"
    with pytest.raises(SiteUnavailable, match="ConnectionError"):
        harvest(None, tmp_path, run_id="r0", delay=0, start_url=start,
                allow_hosts=["127.0.0.1"], settings={"max_retries": 0})


def test_robots_404_allows_everything(tmp_path: Path) -> None:
    with DemoSite() as site:
        site.set_robots(404)
        disallowed = site.article_url(next(a for a in site.articles() if a.behaviour == "robots"))
        result = harvest("demo-hunan", tmp_path, run_id="r0", delay=0, base_url=site.base_url)
    assert disallowed in {p.url for p in result.pages}
    assert result.counts["out_of_scope"] == 3  # off-site, private, file: (robots: none)


def test_a_page_past_its_time_budget_counts_as_timeout_and_is_fetched_next_run(
        tmp_path: Path) -> None:
    with DemoSite(drip_seconds=0.3) as site:
        article = site.content.column_articles(
            next(c for c in site.content.columns if c.col_id == "11306"))[0]
        url = site.article_url(article)
        site.set_fault(article.path, "drip")

        def run(run_id: str, **kw: object) -> HarvestResult:
            return harvest(None, tmp_path, run_id=run_id, delay=0,
                           start_url=site.url(HUNAN_COLUMN), allow_hosts=["127.0.0.1"], **kw)  # type: ignore[arg-type]

        first = run("r0", settings={"max_response_seconds": 1.0, "max_retries": 0})
        assert first.counts["timeout"] == 1 and url in first.failed_urls
        assert url not in {p.url for p in first.pages}
        final = read_fetchlog(tmp_path).filter(pl.col("url") == url)
        assert final["outcome"].to_list() == ["timeout"]
        truncated = read_index(tmp_path).filter(pl.col("url") == url)
        assert truncated["status"].to_list() == [200]  # archived, but never a page:
        assert url not in {p.url for p in iter_pages(tmp_path)}
        # The next night (not this URL's rotation day) it is due again, and arrives whole.
        site.set_fault(article.path, None)
        today = dt.datetime.now(dt.UTC).date()
        day = next(today + dt.timedelta(days=k) for k in range(1, 7)
                   if rotation_day(url, 7) != (today + dt.timedelta(days=k)).toordinal() % 7)
        second = run("r1", today=day, settings={"revisit_recent_days": 0})
    assert url in {p.url for p in second.pages} and second.counts["timeout"] == 0


def test_no_thread_pool_is_made_inside_another_pools_work(demo_site: DemoSite, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A column's list pages read side by side go to the run's list pool, made once beside
    the column pool, not to a pool made by each column's task (threads without bound)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import extract.crawl

    made_in: list[str] = []

    class Counted(ThreadPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            made_in.append(threading.current_thread().name)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extract.crawl, "ThreadPoolExecutor", Counted)
    result = harvest("demo-trs", tmp_path, run_id="r", delay=0, base_url=demo_site.base_url,
                     settings={"concurrency_per_host": 4, "workers": 4})
    assert result.counts["new"] > 0
    assert made_in and all(name == threading.main_thread().name for name in made_in)


@pytest.mark.parametrize(("page", "why"), [
    # an empty first selector while a later one holds the article: transform reads it
    ('<div class="lead"> </div><div id="zoom"><p>这是正文的第一段。</p></div>', None),
    # text a browser does not show is no article, for transform neither
    ('<div id="zoom"><p style="display:none">这是隐藏的正文。</p></div>',
     "empty article body (#zoom)"),
    ('<div id="zoom"><script>var a = "脚本";</script></div>', "empty article body (#zoom)"),
    ("<p>页面</p>", "empty page"),
])
def test_the_walker_calls_an_article_empty_when_transform_finds_its_body_empty(
        page: str, why: str | None) -> None:
    from types import SimpleNamespace

    from extract.crawl import _Walker
    from transform.html import extract_page
    from transform.selectors import compile_selector

    selectors = ["div.lead", "#zoom"]
    walker = SimpleNamespace(body_selectors=[(s, compile_selector(s)) for s in selectors])
    html = f"<html><body>{page}</body></html>"
    assert _Walker.empty_body(walker, parse_html(html.encode(), CHARSET)) == why  # type: ignore[arg-type]
    if why is not None and why != "empty page":
        assert extract_page(html, body_selectors=selectors).body_text == ""
