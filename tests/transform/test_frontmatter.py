"""Front matter of real pages (issue #25 item 2): metadata blocks, site header, cover notices
and titles become fields and leave the body; outline forms of real documents (item 3)."""

from __future__ import annotations

import datetime as dt

from transform import parse_document
from transform.frontmatter import choose_title, parse_front_matter
from transform.metadata import FrontMatter, detect_period
from transform.structure import build_tree, split_collapsed

BODY = ["为推进依法行政,结合本县实际,制定本方案。", "一、总体要求", "(一)指导思想。坚持依法行政。"]


def test_portal_metadata_block_becomes_fields() -> None:
    lines = [
        "索 引 号 | 11620300013909010R/2025-48086 | 主题分类 | 综合政务 |",
        "发文字号 | 某政发〔2025〕33号 | 制发机构 | |",
        "成文日期 | 2025-06-13 | 发布日期 | 2025-06-30 |",
        "有效性 | |||",
        "某县法治政府建设实施方案",
        *BODY,
    ]
    fm = parse_front_matter(lines)
    assert fm.title == "某县法治政府建设实施方案"
    assert fm.index_no == "11620300013909010R/2025-48086"
    assert fm.doc_number == "某政发〔2025〕33号"
    assert fm.document_date == dt.date(2025, 6, 13)
    assert fm.publish_date == dt.date(2025, 6, 30)
    assert fm.body == BODY


def test_label_list_with_spaces_in_dates_and_source() -> None:
    lines = [
        "索引号: 8075-10867-2022-00002",
        "发布机构: 某高新区",
        "成文日期: 2022-04-02",
        "发文日期: 2022-04-24",
        "发布日期: 2011- 09- 01 14: 58: 15 浏览次数: 来源: 某某科技",
        "某高新区2021年法治政府建设报告",
        *BODY,
    ]
    fm = parse_front_matter(lines)
    assert (fm.index_no, fm.publish_date, fm.document_date) == (
        "8075-10867-2022-00002", dt.date(2022, 4, 24), dt.date(2022, 4, 2))
    assert fm.source == "某某科技" and fm.issuer == "某高新区"
    assert fm.body == BODY


def test_cover_notice_with_document_number_and_a_title_cut_over_two_lines() -> None:
    lines = [
        "西政办〔2020〕20号",
        "西平县人民政府办公室",
        "关于印发西平县2020年度法治政府建设",
        "工作安排的通知",
        "各乡镇人民政府,县直有关单位:",
        "《西平县2020年度法治政府建设工作安排》已经县政府同意,现印发给你们,请认真贯彻执行。",
        "2020年7月8日",
        "西平县2020年度法治政府建设工作安排",
        *BODY,
    ]
    fm = parse_front_matter(lines)
    assert fm.title == "西平县2020年度法治政府建设工作安排"
    assert fm.doc_number == "西政办〔2020〕20号"
    assert fm.issuer == "西平县人民政府办公室"
    assert fm.document_date == dt.date(2020, 7, 8)
    assert fm.body == BODY
    assert fm.cover_notice is not None and fm.cover_notice.startswith("西政办〔2020〕20号")


def test_the_issue_example_parses_from_plain_text() -> None:
    text = "\n".join([
        "X政办〔2020〕20号", "X县人民政府办公室", "关于印发X县2021年普法工作要点的通知",
        "各乡镇人民政府:", "现将《X县2021年普法工作要点》印发给你们,请认真贯彻落实。",
        "X县人民政府办公室", "2021年3月1日", "X县2021年普法工作要点", *BODY,
    ])
    doc = parse_document(text)
    data = doc.to_json()
    assert data["title"] == "X县2021年普法工作要点"
    assert data["period"] == {"start_year": 2021, "end_year": 2021}
    assert data["doc_number"] == "X政办〔2020〕20号"
    assert data["document_date"] == "2021-03-01"
    assert {"doc_number", "index_no", "source"} <= set(data)
    assert doc.text.split("\n") == BODY
    assert not any("印发" in node.text for node in doc.nodes)


def test_forwarding_notice_keeps_its_own_text_and_its_signature_wins() -> None:
    reasons = ("为加快法治政府建设,根据《中华人民共和国行政处罚法》,市政府决定推行说理性文书。" * 3
               + "现将《关于印发某市说理性文书指导意见的通知》转发给你们,请认真贯彻执行。")
    lines = [
        "成文日期 2011-09-01 有效性",
        "某政办〔2011〕129号",
        "某市人民政府办公室",
        "转发某市推行说理性行政处罚文书",
        "指导意见及操作规范的通知",
        "市政府直属各单位:",
        reasons,
        "二○一一年八月九日",
        "某市推行说理性行政处罚文书的指导意见",
    ]
    fm = parse_front_matter(lines)
    assert fm.title == "转发某市推行说理性行政处罚文书指导意见及操作规范的通知"
    assert fm.document_date == dt.date(2011, 8, 9)  # the signature, not the 成文日期 field
    assert fm.body == [reasons, "某市推行说理性行政处罚文书的指导意见"]


def test_site_header_above_a_repeated_title_is_dropped() -> None:
    lines = [
        "欢迎访问某县政府门户网站!",
        "县委| 县人大| 县政协",
        "今天是:2019年10月31日 星期三 农历十月初七",
        "工作报告",
        "您所在的位置:政务公开 > 工作报告",
        "2020年某区法治政府建设情况报告",
        "文章来源:司法局 更新时间:2021/03/29 11:30:01",
        "2020年某区法治政府建设情况报告",
        "2020年,某区坚持依法行政。",
    ]
    fm = parse_front_matter(lines)
    assert fm.title == "2020年某区法治政府建设情况报告"
    assert fm.publish_date == dt.date(2021, 3, 29) and fm.publish_time == "11:30"
    assert fm.source == "司法局"
    assert fm.body == ["2020年,某区坚持依法行政。"]


def test_aggregator_intro_goes_and_an_opinions_own_addressee_stays() -> None:
    lines = [
        "首页 > 文章中心 > 正文",
        "增强法治政府建设意见",
        "前言:本站为你精心整理了增强法治政府建设意见范文,希望能为你的创作提供参考价值。",
        "下面是小编为大家整理的增强法治政府建设意见,供大家参考。",
        "增强法治政府建设意见",
        "各镇人民政府,各街道办事处:",
        "为深入贯彻落实法治政府建设要求,提出以下意见。",
    ]
    fm = parse_front_matter(lines)
    assert fm.title == "增强法治政府建设意见"
    assert fm.body == lines[-2:]


def test_an_untitled_head_keeps_a_related_heading_and_drops_a_stray_page_title() -> None:
    body = ["为贯彻落实依法治镇工作部署,全面推进依法治镇工作,制定本计划。", "一、任务"]
    assert parse_front_matter(["创意有趣的对联", *body]).title is None
    assert parse_front_matter(["创意有趣的对联", *body]).body == body
    fm = parse_front_matter(["2023年依法治镇工作", *body])
    assert fm.title == "2023年依法治镇工作" and fm.body == body


def test_news_lead_announcing_the_document_is_not_body() -> None:
    lines = [
        "近日,市委、市政府印发了《某市法治政府建设实施方案(2021-2025年)》,并发出通知。",
        "《某市法治政府建设实施方案(2021-2025年)》主要内容如下。",
        *BODY,
    ]
    fm = parse_front_matter(lines)
    assert fm.title == "某市法治政府建设实施方案(2021-2025年)"
    assert fm.body == BODY


def test_html_page_title_breadcrumb_cover_and_document_number() -> None:
    front = FrontMatter(body=[], title="广州市南沙区2020年依法行政工作要点")
    assert choose_title("您现在所在的位置 :", FrontMatter(body=[])) is None
    assert choose_title("某市人民政府关于印发《某市实施方案》的通知",
                        FrontMatter(body=[])) == "某市实施方案"
    assert choose_title("某区办公室关于印发 南沙区2020年依法行政工作要点的通知",
                        front) == "广州市南沙区2020年依法行政工作要点"
    assert choose_title("瑞政办(2011)129号 转发某市指导意见的通知",
                        FrontMatter(body=[])) == "转发某市指导意见的通知"


def test_a_title_holding_markup_as_text_is_a_title_not_a_breadcrumb() -> None:
    assert choose_title("首页 > 政务公开 > 法治建设", FrontMatter(body=[])) is None
    markup = '人和镇2022年<script>alert(1)</script>"><img src=x onerror=alert(1)>法治建设工作要点'
    assert choose_title(markup, FrontMatter(body=[])) == markup


def test_widget_lines_and_page_markers_leave_the_body() -> None:
    doc = parse_document("\n".join(["某县2023年普法工作要点", "字号:", "无障碍 简体| 繁体",
                                    *BODY[:2], "- 1 -", BODY[2]]))
    assert doc.text.split("\n") == BODY


def test_period_from_the_opening_year_and_not_from_cited_documents() -> None:
    assert detect_period(None, ["2023年,某街道坚持依法行政。"]) == (2023, 2023)
    assert detect_period(None, ["2020年是全面建成小康社会之年。"]) == (2020, 2020)
    cited = "为贯彻落实《法治政府建设实施纲要(2021—2025年)》精神,结合实际,制定本方案。"
    assert detect_period(None, [cited]) == (None, None)
    assert detect_period("沅江路街道2024法治政府建设年度报告", []) == (2024, 2024)


def test_a_document_collapsed_onto_one_line_is_cut_at_its_outline() -> None:
    filler = "全镇各单位要对照考核指标开展自查,查漏补缺,完善考核机制,做好落实法治建设工作。" * 3
    line = ("2023年依法治镇工作一、认真贯彻落实工作要点1、认真贯彻落实县依法治县工作。" + filler
            + "2、推动争创法治建设工作。发挥党委的领导核心作用,完善统一、规范的制度。" + filler
            + "二、加强法治政府建设1、健全行政服务中心建设。完善运作机制。" + filler
            + "2、全面落实行政执法责任制。严格遵循法定程序。")
    assert len(line) >= 400
    pieces = split_collapsed([line])
    assert pieces[:3] == ["2023年依法治镇工作", "一、认真贯彻落实工作要点",
                          "1、认真贯彻落实县依法治县工作。" + filler]
    tree = build_tree(pieces[1:])
    sections = [n.heading for n in tree.nodes if n.level == 1]
    assert sections == ["认真贯彻落实工作要点", "加强法治政府建设"]
    assert [n.number for n in tree.nodes if n.level == 2] == [1, 2, 1, 2]
    # A document that kept its lines is left alone, however long a paragraph is.
    assert split_collapsed(["标题", line, "结尾。"]) == ["标题", line, "结尾。"]


def test_a_list_of_short_lines_is_body_not_header() -> None:
    rows = [f"第{n}项 某某单位落实情况" for n in range(1, 21)]
    lines = ["某县法治建设任务清单", *rows, "附表一 年度考核实施方案", "说明:以上任务按季度报送。"]
    fm = parse_front_matter(lines)
    assert fm.title == "某县法治建设任务清单"
    assert fm.body == lines[1:]
    untitled = ["县司法局", "县公安局", "县市场监管局", "县生态环境局", "县交通运输局",
                "县应急管理局", "为推进工作,制定本清单。"]
    assert parse_front_matter(untitled).body == untitled


def test_a_label_cell_left_without_its_value_cell_does_not_take_the_next_label() -> None:
    html = ("<html><head><meta charset='utf-8'><title>某市实施方案</title></head><body>"
            "<table><tr><td>发文字号</td><td>某政发〔2025〕33号</td><td>制发机构</td></tr>"
            "<tr><td>有效性</td></tr><tr><td>发布日期</td><td>2025-06-30</td></tr></table>"
            "<div id='zoom'><p>为推进依法行政,制定本方案。</p><p>一、总体要求</p></div>"
            "</body></html>")
    doc = parse_document(html.encode("utf-8"))
    assert doc.issuer != "有效性"
    assert (doc.doc_number, doc.publish_date) == ("某政发〔2025〕33号", dt.date(2025, 6, 30))
