"""Structural list detection (extract/listing.py) on small pages built in the test."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from extract.jsonlist import json_endpoints, json_entries, json_template
from extract.listing import column_like, detect_list, parse_date
from extract.listpages import parse_text
from extract.paging import detect_paging, page_count
from extract.suggest import url_pattern

URL = "http://www.example.gov.cn/cx/index.html"
NAV = ('<div class="nav"><ul>' + "".join(
    f'<li><a href="/{slug}/">{label}</a></li>' for slug, label in (
        ("zwgk", "政务公开"), ("zwfw", "政务服务"), ("hdjl", "互动交流"), ("fzjs", "法治建设"))
) + "</ul></div>")
RELATED = ('<div class="links"><h3>相关链接</h3><ul>' + "".join(
    f'<li><a href="http://{host}/">{label}</a></li>' for host, label in (
        ("www.gov.cn", "中华人民共和国中央人民政府门户网站"),
        ("www.hunan.gov.cn", "湖南省人民政府门户网站"),
        ("sft.hunan.gov.cn", "湖南省司法厅网站"))) + "</ul></div>")
FOOTER = ('<div class="footer"><a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a> '
          '<a href="/mzsm/">免责声明</a></div>')
HOT = ('<div class="hot"><ul>' + "".join(
    f'<li><a href="/rdzt/{900 + i}.html">{title}</a></li>' for i, title in enumerate((
        "全市法治政府建设推进会召开", "关于开展行政执法案卷评查的通知",
        "我县公共法律服务中心正式启用", "“八五”普法中期评估工作部署会召开"))) + "</ul></div>")
TITLES = ("关于印发2023年法治政府建设工作要点的通知", "某县2022年法治政府建设年度报告",
          "关于开展“八五”普法中期评估工作的通知", "县司法局2023年工作计划")


def page(main: str, *, chrome: bool = True, head: str = "") -> str:
    parts = [NAV, HOT, RELATED] if chrome else []
    return (f"<html><head><title>通知公告</title>{head}</head><body>{''.join(parts)}"
            f'<div class="main">{main}</div>{FOOTER if chrome else ""}</body></html>')


def dd_list(n: int = 4) -> str:
    return '<dl class="list"><dt>通知公告</dt>' + "".join(
        f'<dd>[2023-04-1{i}] <a href="/cx/a-{1000 + i}.html">{TITLES[i % 4]}</a></dd>'
        for i in range(n)) + "</dl>"


def urls(block) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.url for item in block.items]


# -- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2023-04-13", "[2023-04-13]", "2023年4月13日", "2023/04/13",
                                  "2023.04.13", "发布日期：2023-4-13 10:30"])
def test_every_common_full_date_form_is_read(text: str) -> None:
    assert parse_date(text) == dt.date(2023, 4, 13)


def test_a_month_day_date_marks_an_entry_dated_without_a_date() -> None:
    main = '<ul class="news">' + "".join(
        f'<li><span>04-1{i}</span><a href="/info/1003/{i}.htm">{TITLES[i]}</a></li>'
        for i in range(4)) + "</ul>"
    block = detect_list(parse_text(page(main)), URL)
    assert block is not None
    assert all(item.dated and item.date is None for item in block.items)
    assert len(block.items) == 4


def test_a_year_in_the_title_is_not_the_list_date() -> None:
    main = '<ul class="news">' + "".join(
        f'<li><a href="/a/{i}.html">2023年4月1{i}日召开的会议纪要第{i}号</a>'
        f"<i>2024-01-0{i + 1}</i></li>" for i in range(3)) + "</ul>"
    block = detect_list(parse_text(page(main)), URL)
    assert block is not None
    assert [i.date for i in block.items] == [dt.date(2024, 1, d) for d in (1, 2, 3)]


# -- the entries block ------------------------------------------------------------------------

def test_a_dated_dd_list_beats_menus_related_links_sidebars_and_footers() -> None:
    block = detect_list(parse_text(page(dd_list())), URL)
    assert block is not None
    assert urls(block) == [f"http://www.example.gov.cn/cx/a-{1000 + i}.html" for i in range(4)]
    assert block.selector == "dl.list > dd"
    assert [i.date for i in block.items] == [dt.date(2023, 4, 10 + i) for i in range(4)]


@pytest.mark.parametrize("tag", ["li", "p", "div", "dd"])
def test_entries_are_found_whatever_their_tag(tag: str) -> None:
    outer = {"li": "ul", "dd": "dl"}.get(tag, "div")
    main = f'<{outer} class="list">' + "".join(
        f'<{tag} class="row"><a href="/xw/{i}.shtml">{TITLES[i]}</a>'
        f"<span>2023年0{i + 1}月0{i + 1}日</span></{tag}>" for i in range(4)) + f"</{outer}>"
    block = detect_list(parse_text(page(main)), URL)
    assert block is not None and len(block.items) == 4
    assert block.selector.endswith(tag)
    assert all("/xw/" in u for u in urls(block))


def test_table_rows_with_the_date_in_its_own_cell() -> None:
    rows = "".join(f'<tr><td>{i + 1}</td><td><a href="/art/{i}.html">{TITLES[i]}</a></td>'
                   f"<td>2023-0{i + 1}-15</td></tr>" for i in range(4))
    main = f'<table class="tb"><tr><th>序号</th><th>标题</th><th>日期</th></tr>{rows}</table>'
    doc = parse_text(page(main))
    block = detect_list(doc, URL)
    assert block is not None
    assert [i.date for i in block.items] == [dt.date(2023, m, 15) for m in (1, 2, 3, 4)]
    picked = [el for el in doc.cssselect(block.selector) if el.find(".//a") is not None]
    assert len(picked) == 4  # the selector picks the rows (the header row has no link)


def test_relative_links_resolve_against_the_page() -> None:
    main = '<ul class="l">' + "".join(
        f'<li><a href="../../xwzx/202304/t2023041{i}_{i}.html">{TITLES[i]}</a>'
        f"<em>2023/04/1{i}</em></li>" for i in range(3)) + "</ul>"
    block = detect_list(parse_text(page(main)), "http://h.gov.cn/a/b/c/index.html")
    assert block is not None
    assert urls(block)[0] == "http://h.gov.cn/a/xwzx/202304/t20230410_0.html"


def test_links_to_other_columns_short_texts_and_other_hosts_are_no_list() -> None:
    assert detect_list(parse_text(page("", chrome=True).replace(HOT, "")), URL) is None


def test_repeated_link_texts_lose_to_titled_links() -> None:
    more = '<ul class="more">' + "".join(
        f'<li><a href="/zt/{i}.html">点击查看详细内容</a><span>2023-01-0{i + 1}</span></li>'
        for i in range(5)) + "</ul>"
    block = detect_list(parse_text(page(more + dd_list(3))), URL)
    assert block is not None and block.selector == "dl.list > dd"


def test_an_undated_sidebar_loses_to_a_dated_list_and_a_known_shape_is_only_a_bonus() -> None:
    hint = [re.compile(r"/rdzt/\d+\.html$")]  # the sidebar's links have a "known" shape
    block = detect_list(parse_text(page(dd_list(3))), URL, hints=hint)
    assert block is not None and urls(block)[0].endswith("/cx/a-1000.html")


def test_a_known_shape_breaks_a_tie_between_two_blocks() -> None:
    a = '<ul class="a">' + "".join(f'<li><a href="/x/{i}.html">{TITLES[i]}</a></li>'
                                   for i in range(3)) + "</ul>"
    b = '<ul class="b">' + "".join(f'<li><a href="/y/content_{i}.html">{TITLES[i]}</a></li>'
                                   for i in range(3)) + "</ul>"
    doc = parse_text(page(a + b, chrome=False))
    assert detect_list(doc, URL, hints=[re.compile(r"/content_\d+\.html$")]).selector == "ul.b > li"
    assert detect_list(doc, URL, hints=[re.compile(r"/x/\d+\.html$")]).selector == "ul.a > li"


def test_a_last_page_of_one_entry_is_read_by_the_first_pages_tag_path() -> None:
    first = detect_list(parse_text(page(dd_list(4))), URL)
    assert first is not None
    last = parse_text(page('<dl class="list"><dd><a href="/cx/a-1.html">县司法局2021年工作总结</a>'
                           "</dd></dl>"))
    alone = detect_list(last, URL)
    assert alone is not None and not urls(alone)[0].endswith("/cx/a-1.html")  # the sidebar
    again = detect_list(last, URL, prefer=first.signature)
    assert again is not None and urls(again) == ["http://www.example.gov.cn/cx/a-1.html"]


def test_hanweb_records_in_a_datastore_script_are_entries() -> None:
    records = "".join(f'<record><![CDATA[<li><a href="/art/2023/4/1{i}/art_1_{i}.html">'
                      f"{TITLES[i]}</a><span>2023-04-1{i}</span></li>]]></record>"
                      for i in range(3))
    text = page(f'<script type="text/xml"><datastore><recordset>{records}</recordset>'
                "</datastore></script>")
    block = detect_list(parse_text(text), URL, text=text)
    assert block is not None and len(block.items) == 3


def test_column_like_urls() -> None:
    assert column_like("http://h/zwgk/") and column_like("http://h/col/col12/index.html")
    assert column_like("http://h/a/list_2.htm") and not column_like("http://h/a/content_2.htm")


# -- pagination -------------------------------------------------------------------------------

def paging_of(main: str, url: str = URL, head: str = ""):  # type: ignore[no-untyped-def]
    text = page(main, head=head)
    doc = parse_text(text)
    block = detect_list(doc, url)
    return detect_paging(doc, url, text, exclude=urls(block) if block else ())


def test_trs_create_page_html_names_every_page() -> None:
    paging = paging_of(dd_list() + '<script>createPageHTML(5, 0, "index", "shtml");</script>')
    assert paging.style == "trs" and paging.count == 5 and paging.first == 1
    assert paging.template == "http://www.example.gov.cn/cx/index_{n}.shtml"


def test_next_link_list_n_gives_a_template_and_links() -> None:
    pager = '<div class="pg"><a href="index.html">首页</a> <a href="list_2.html">下页</a> ' \
            '<a href="list_9.html">末页</a></div>'
    paging = paging_of(dd_list() + pager)
    assert paging.style == "links"
    assert paging.template == "http://www.example.gov.cn/cx/list_{n}.html"
    assert paging.next_url == "http://www.example.gov.cn/cx/list_2.html"
    assert set(paging.links) == {"http://www.example.gov.cn/cx/list_2.html",
                                 "http://www.example.gov.cn/cx/list_9.html"}


def test_numbered_page_query_links_with_a_page_count_are_a_template() -> None:
    pager = ('<div class="page"><span>共12页</span> <span>1</span> '
             + " ".join(f'<a href="index.html?page={p}">{p}</a>' for p in (2, 3, 4))
             + ' <a href="index.html?page=2">&gt;</a></div>')
    paging = paging_of(dd_list() + pager)
    assert paging.style == "template" and paging.count == 12 and paging.first == 2
    assert paging.template == "http://www.example.gov.cn/cx/index.html?page={n}"


def test_page_count_from_a_lone_next_link_to_index_1() -> None:
    pager = '<div>共3页 <a href="index_1.html">下一页</a></div>'
    paging = paging_of(dd_list() + pager)
    assert (paging.style, paging.template, paging.first, paging.count) == (
        "template", "http://www.example.gov.cn/cx/index_{n}.html", 1, 3)


def test_pager_links_leave_articles_and_other_columns_alone() -> None:
    pager = '<div><a href="/zwgk/">2</a> <a href="list_2.html">2</a></div>'
    paging = paging_of(dd_list() + pager)
    assert paging.links == ("http://www.example.gov.cn/cx/list_2.html",)


@pytest.mark.parametrize(("text", "count"), [("共 7 页", 7), ("页次：1/9", 9),
                                              ("var countPage = 4;", 4), ("共35条", None)])
def test_page_count(text: str, count: int | None) -> None:
    assert page_count(text) == count


def test_a_json_endpoint_named_in_a_script_is_a_json_paginator() -> None:
    script = '<script>var listApi = "/gkmlpt/api/all/2658?page=1&sid=757";</script>'
    paging = paging_of('<div id="app"></div>', head=script)
    assert paging.style == "json" and paging.first == 1
    assert paging.template == "http://www.example.gov.cn/gkmlpt/api/all/2658?page={n}&sid=757"
    text = '<script>$.getJSON("data/list_1.json", f);</script><script src="/a.js"></script>'
    assert json_endpoints(text, URL) == ["http://www.example.gov.cn/cx/data/list_1.json"]
    assert json_template("http://h/d/list_0.json") == ("http://h/d/list_{n}.json", 0)


def test_json_entries_read_records_by_their_keys() -> None:
    stamp = int(dt.datetime(2023, 4, 13, 1, 0, tzinfo=dt.UTC).timestamp())  # 09:00 Beijing
    body = json.dumps({"data": {"articles": [
        {"id": 1, "title": "关于印发<em>工作要点</em>的通知", "url": "/c/post_1.html",
         "publish_time": stamp},
        {"id": 2, "title": "第二篇", "url": "http://www.example.gov.cn/c/post_2.html",
         "publish_time": stamp * 1000 - 86_400_000}],
        "total": 25, "size": 10}})
    items, pages = json_entries(body, URL)
    assert [i.url for i in items] == ["http://www.example.gov.cn/c/post_1.html",
                                      "http://www.example.gov.cn/c/post_2.html"]
    assert items[0].title == "关于印发工作要点的通知"
    assert [i.date for i in items] == [dt.date(2023, 4, 13), dt.date(2023, 4, 12)]
    assert pages == 3
    listed, count = json_entries(json.dumps({"pageCount": 4, "rows": [
        {"link": "a.html", "name": "标题", "pubDate": "2023-04-13"}]}), URL)
    assert count == 4 and listed[0].date == dt.date(2023, 4, 13)
    assert json_entries(b"<html>not json</html>", URL) == ([], None)


def test_url_pattern_generalises_digits() -> None:
    pattern = url_pattern("http://h/gen/dldd/cx/a-7050.html?id=12")
    assert re.search(pattern, "http://h/gen/dldd/cx/a-1.html?id=3")
    assert not re.search(pattern, "http://h/gen/dldd/cx/b-1.html?id=3")
