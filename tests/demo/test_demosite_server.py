"""The demo portal as a server: list formats per family, variants, revisions, broken cases."""

from __future__ import annotations

import re
from collections import Counter

import requests

from demo import DemoSite
from demo.site import (
    BROKEN_CASES,
    REVISION_NOTE,
    SEEDS,
    STATIC_PAGES,
    build_site,
)


def test_it_is_a_real_server_on_a_random_loopback_port() -> None:
    with DemoSite() as site:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url) and site.port > 0
        home = requests.get(site.base_url + "/", timeout=5)
        assert home.status_code == 200
        for column in site.content.columns:
            assert column.index_path in home.text
        assert site.requests[-1].path == "/"
    # Stopped: the port no longer answers.
    try:
        requests.get(site.base_url + "/", timeout=1)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("server still answering after stop()")


def test_content_has_seeds_variants_mirrors_and_broken_cases() -> None:
    content = build_site()
    articles = list(content.articles.values())
    assert 30 <= len(articles) <= 60
    assert {s.name for s in SEEDS} <= {a.seed for a in articles}
    years = {a.publish_date.year for a in articles}
    assert set(range(2021, 2026)) <= years
    mirrors = [a for a in articles if re.search(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)",
                                                a.body_text) and a.seed != SEEDS[3].name]
    assert mirrors  # traditional-with-pinyin mirrors of simplified seeds
    assert Counter(a.behaviour for a in articles)["normal"] >= 25
    assert {a.behaviour for a in articles} >= set(BROKEN_CASES)
    assert any(a.encoding == "gbk" and not a.declare_charset for a in articles)
    assert {a.column.family for a in articles} == {"hunan", "trs", "hanweb"}
    assert len(build_site(scale=2000).articles) >= 2000


def test_hunan_lists_go_static_then_jsp(demo_site: DemoSite) -> None:
    column = next(c for c in demo_site.content.columns if c.col_id == "11305")
    first = requests.get(demo_site.column_url(column), timeout=5)
    assert first.headers["Content-Type"] == "text/html"  # GBK, nothing declared
    text = first.content.decode("gbk")
    assert "charset" not in text and "index_1.htm" in text
    last_static = requests.get(demo_site.url(f"/11287/11305/index_{STATIC_PAGES - 1}.htm"),
                               timeout=5).content.decode("gbk")
    assert "index.jsp?pager.offset=" in last_static
    beyond = requests.get(demo_site.url(f"/11287/11305/index_{STATIC_PAGES}.htm"), timeout=5)
    assert beyond.status_code == 404


def test_trs_lists_announce_pages_in_script(demo_site: DemoSite) -> None:
    page = requests.get(demo_site.url("/trs/fzzfjs/index.html"), timeout=5).text
    count = int(re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', page).group(1))
    assert count >= 2
    assert requests.get(demo_site.url(f"/trs/fzzfjs/index_{count - 1}.html"),
                        timeout=5).status_code == 200
    assert re.search(r'href="\./\d{6}/t\d{8}_\d+\.html"', page)


def test_hanweb_records_in_datastore_and_dataproxy(demo_site: DemoSite) -> None:
    page = requests.get(demo_site.url("/col/col1001/index.html"), timeout=5).text
    assert '<script type="text/xml"><datastore><nextgroup>' in page
    assert "<record><![CDATA[<li><a href=\"/art/" in page
    rest = requests.post(
        demo_site.url("/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2"),
        data={"columnid": "1001", "unitid": "6001"}, timeout=5)
    assert rest.status_code == 200 and rest.text.count("<record>") == 2
    bad = requests.post(demo_site.url("/module/web/jpage/dataproxy.jsp?startrecord=x"),
                        data={"columnid": "1001"}, timeout=5)
    assert bad.status_code == 400


def test_revision_changes_body_and_validators() -> None:
    with DemoSite() as site:
        article = next(a for a in site.articles() if a.revisable)
        url = site.article_url(article)
        v1 = requests.get(url, timeout=5)
        assert requests.get(url, headers={"If-None-Match": v1.headers["ETag"]},
                            timeout=5).status_code == 304
        site.set_revision(2)
        v2 = requests.get(url, headers={"If-None-Match": v1.headers["ETag"]}, timeout=5)
        assert v2.status_code == 200 and v2.headers["ETag"] != v1.headers["ETag"]
        assert v2.headers["Last-Modified"] != v1.headers["Last-Modified"]
        squashed = re.sub(r"<[^>]+>|\s", "", v2.content.decode("gbk"))
        assert REVISION_NOTE in squashed


def test_churn_reports_exactly_the_pages_it_added_and_changed() -> None:
    with DemoSite() as site:
        before = {site.article_url(a): requests.get(site.article_url(a), timeout=5).content
                  for a in site.articles() if a.behaviour == "normal"}
        revisable_from_start = sum(1 for a in site.articles() if a.revisable)
        added, changed = site.churn(new=2, changed=3)
        assert len(added) == 2 and not set(added) & set(before)
        # The three asked for plus the articles revisable from the start (revision 2).
        assert revisable_from_start and len(changed) == 3 + revisable_from_start
        after = {url: requests.get(url, timeout=5).content for url in before}
        assert {url for url in before if after[url] != before[url]} == set(changed)
        for url in added:
            assert requests.get(url, timeout=5).status_code == 200


def test_one_shot_faults_fire_once_until_reset(demo_site: DemoSite) -> None:
    demo_site.reset_faults()
    flaky = next(a for a in demo_site.articles() if a.behaviour == "flaky")
    limited = next(a for a in demo_site.articles() if a.behaviour == "ratelimited")
    assert [requests.get(demo_site.article_url(flaky), timeout=5).status_code
            for _ in range(2)] == [500, 200]
    first = requests.get(demo_site.article_url(limited), timeout=5)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    demo_site.reset_faults()
    assert requests.get(demo_site.article_url(flaky), timeout=5).status_code == 500


def test_robots_txt_disallows_the_private_column(demo_site: DemoSite) -> None:
    robots = requests.get(demo_site.url("/robots.txt"), timeout=5).text
    hidden = next(a for a in demo_site.articles() if a.behaviour == "robots")
    assert f"Disallow: {hidden.path.rsplit('/', 1)[0]}/" in robots
