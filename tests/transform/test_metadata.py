"""Metadata: front matter, cover notice, source lines, region, document type, period."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from transform import parse_document
from transform.gazetteer import RegionMention
from transform.metadata import (
    FrontMatter,
    detect_doc_type,
    detect_period,
    detect_region,
    meta_line,
    split_front_matter,
)


def test_cover_notice_title_signature_and_date() -> None:
    lines = ["各镇(街道),各部门:", "现将《某区2024年普法工作要点》印发给你们,请认真贯彻落实。",
             "某区普法办", "2024年3月1日", "某区2024年普法工作要点", "一、总体要求", "正文。"]
    fm = split_front_matter(lines)
    assert fm.title == "某区2024年普法工作要点"
    assert fm.issuer == "某区普法办" and fm.document_date == dt.date(2024, 3, 1)
    assert fm.cover_notice is not None and fm.cover_notice.endswith("2024年3月1日")
    assert fm.body == ["一、总体要求", "正文。"]


def test_title_line_and_source_line() -> None:
    lines = ["某市法治政府建设实施方案(2021-2025年)",
             "某市司法局 sfj.example.gov.cn 发布时间:2022-1-5 9:05", "为推进工作,制定本方案。"]
    fm = split_front_matter(lines)
    assert fm.title == lines[0]
    assert (fm.issuer, fm.source_site) == ("某市司法局", "sfj.example.gov.cn")
    assert (fm.publish_date, fm.publish_time) == (dt.date(2022, 1, 5), "09:05")
    assert fm.body == ["为推进工作,制定本方案。"]


def test_labelled_source_line() -> None:
    fm = split_front_matter(["某县2023年工作计划", "来源:县司法局 发布日期:2023年2月3日", "正文。"])
    assert fm.issuer == "县司法局" and fm.publish_date == dt.date(2023, 2, 3)


def test_sentence_first_line_is_not_a_title() -> None:
    fm = split_front_matter(["2022年是关键之年,现提出本镇2022年工作要点。", "一、任务"])
    assert fm.title is None and len(fm.body) == 2


def test_trailing_signature_is_back_matter() -> None:
    lines = ["一、任务", "(一)甲。内容。", "某区依法治区办", "二〇二三年五月十日"]
    fm = split_front_matter(lines)
    assert fm.issuer == "某区依法治区办" and fm.document_date == dt.date(2023, 5, 10)
    assert fm.body == lines[:2]


def test_doc_type_from_title_words() -> None:
    cases = {"某市法治建设实施方案": "implementation_plan", "某县2023年工作要点": "work_points",
             "某区2023年工作计划": "work_plan", "某区2023年法治建设工作总结": "summary",
             "关于开展普法检查的通知": "notice", "某市法治建设规划(2021-2025年)": "other"}
    for title, kind in cases.items():
        assert detect_doc_type(title, [], numbered=True) == kind, title


def test_doc_type_without_title() -> None:
    assert detect_doc_type(None, ["为做好工作,现提出人和镇2022年工作要点。"], numbered=True) == (
        "work_points")
    assert detect_doc_type(None, ["202x年全面依法治县工作的总体要求是:坚持…"], numbered=True) == (
        "work_points")
    summary = ["近年来,本区坚持依法治区,获评示范区。", "荣获先进集体,取得明显成效。"]
    assert detect_doc_type(None, summary, numbered=False) == "summary"
    assert detect_doc_type(None, ["一段普通文字。"], numbered=False) == "other"


def test_period() -> None:
    assert detect_period("某市贯彻《规划(2021—2025年)》实施方案", []) == (2021, 2025)
    assert detect_period("某区2023年工作计划", []) == (2023, 2023)
    assert detect_period(None, ["为此,现提出2022年工作要点。"]) == (2022, 2022)
    assert detect_period(None, ["202x年全面依法治区工作的总体要求是"]) == (None, None)


def test_region_from_gazetteer_title_first() -> None:
    found = detect_region("湘潭市贯彻落实《法治湖南建设规划》实施方案", ["岳塘区坚持…"])
    assert found == RegionMention("湘潭市", "湖南省/湘潭市")
    found = detect_region(None, ["近年来,西岗区坚持依法治区。"])
    assert found == RegionMention("西岗区", "辽宁省/大连市/西岗区")
    assert detect_region(None, ["全面依法治区工作的总体要求是"]) is None


def test_page_metadata_wins_over_text(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys
    import types

    class Page:
        title = "页面标题"
        body_text = "某县2023年工作计划\n一、任务\n(一)甲。内容。"
        meta: ClassVar[dict[str, str]] = {
            "publish_date": "2023-04-01", "publish_time": "10:30", "issuer": "县司法局"}
        text_loss = None

    fake = types.ModuleType("transform.html")
    fake.extract_page = lambda html, url=None, body_selectors=(): Page()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "transform.html", fake)
    doc = parse_document(b"<html><body><p>x</p></body></html>", url="http://a.example/1.html")
    assert doc.title == "页面标题"
    assert doc.publish_date == dt.date(2023, 4, 1) and doc.publish_time == "10:30"
    assert doc.issuer == "县司法局"
    assert [n.id for n in doc.nodes] == ["n1", "n1.1"]


def test_forwarding_notice_title_is_a_cover_notice() -> None:
    lines = ["关于印发《某县法治政府建设实施方案》的通知", "各乡镇,县直各单位:",
             "现将《某县法治政府建设实施方案》印发给你们,请认真贯彻执行。", "某县人民政府",
             "2023年6月1日", "为推进法治政府建设,制定本方案。", "一、总体要求"]
    fm = split_front_matter(lines)
    assert fm.title == "某县法治政府建设实施方案"
    assert fm.issuer == "某县人民政府" and fm.document_date == dt.date(2023, 6, 1)
    assert fm.body == lines[5:]
    assert detect_doc_type(fm.title, fm.body, numbered=True) == "implementation_plan"


def test_five_year_plan_numbering_gives_the_period() -> None:
    assert detect_period("某市“十四五”规划法治建设专项规划", []) == (2021, 2025)


def test_attachment_links_of_an_html_page_are_recorded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys
    import types

    class Page:
        title = None
        body_text = "见附件。"
        meta: ClassVar[dict[str, str]] = {}
        text_loss = None

    fake = types.ModuleType("transform.html")
    fake.extract_page = lambda html, url=None, body_selectors=(): Page()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "transform.html", fake)
    html = ('<html><body><a href="/files/plan.pdf">方案</a> <a href=\'b.DOCX?v=1\'>x</a>'
            '<a href="/files/plan.pdf">again</a><a href="page.html">no</a>'
            '<a href="down.jsp?file=c.wps&amp;id=2">wps</a></body></html>')
    doc = parse_document(html, url="http://a.example/dir/1.html")
    assert doc.attachments == ["http://a.example/files/plan.pdf",
                               "http://a.example/dir/b.DOCX?v=1",
                               "http://a.example/dir/down.jsp?file=c.wps&id=2"]


def test_malformed_urls_never_fail_a_parse() -> None:
    html = '<html><body><div id="zoom"><p>正文。</p><a href="http://[bad/x.pdf">a</a></div></body></html>'
    doc = parse_document(html, url="http://[::1")
    assert doc.attachments == []


def test_source_lines_without_a_title_and_after_a_cover() -> None:
    fm = split_front_matter(["发布时间:2023-02-03 来源:县司法局", "为做好工作,制定本方案。"])
    assert (fm.publish_date, fm.issuer) == (dt.date(2023, 2, 3), "县司法局")
    assert fm.body == ["为做好工作,制定本方案。"]
    lines = ["各单位:", "现将《某区2024年普法工作要点》印发给你们。", "某区普法办", "2024年3月1日",
             "某区2024年普法工作要点", "发布日期:2024-03-05", "一、总体要求"]
    fm = split_front_matter(lines)
    assert fm.publish_date == dt.date(2024, 3, 5) and fm.body == ["一、总体要求"]


def test_a_dated_sentence_in_the_body_is_not_a_source_line() -> None:
    fm = split_front_matter(["时间:2023年5月10日,召开会议。", "一、任务"])
    assert fm.publish_date is None and len(fm.body) == 2




def test_a_source_line_reads_its_date_as_a_page_label_does() -> None:
    # One date rule (transform.dates.DATE): spaces around the separators and a 时 time, as
    # page labels and disclosure tables write them, in a source line under the title too.
    fm = FrontMatter(body=[])
    assert meta_line("湘潭市司法局 发布时间: 2023 年 5 月 10 日 9时30", fm)
    assert (fm.publish_date, fm.publish_time) == (dt.date(2023, 5, 10), "09:30")
