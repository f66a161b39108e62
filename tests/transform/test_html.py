"""transform.html.extract_page: main content and metadata of government article pages.

The pages are the five reference seeds wrapped in the three CMS family templates of the demo
site (Hunan city template, TRS WCM, Hanweb jcms), in UTF-8 and GBK, with and without a
declared charset.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.families import FAMILIES, render_article
from tests.conftest import expected, seed_text
from transform.decode import decode_bytes
from transform.html import PageContent, extract_page

ENCODINGS = [("utf-8", True), ("gbk", True), ("gbk", False)]
VARIANTS = (0, 1, 2)


def seed_meta(name: str) -> dict[str, str | None]:
    exp = expected(name)
    return {
        "title": exp["title"] or f"{exp['region'] or '某区'}法治建设工作文件",
        "publish_date": exp["publish_date"] or "2023-06-01",
        "publish_time": exp.get("publish_time"),
        "source": exp["issuer"] or "区依法治区办",
    }


def seed_page(
    name: str, family: str, encoding: str = "utf-8", declare: bool = True, variant: int = 0
) -> bytes:
    meta = seed_meta(name)
    return render_article(
        family,
        title=str(meta["title"]),
        body_text=seed_text(name),
        publish_date=str(meta["publish_date"]),
        publish_time=meta["publish_time"],
        source=str(meta["source"]),
        url_path=f"/art/{name}.html",
        encoding=encoding,
        declare_charset=declare,
        attachments=[(f"/files/{name}.pdf", "附件：任务分工表.pdf")],
        variant=variant,
    )


def lines(text: str) -> list[str]:
    """Whitespace-normalised non-empty lines: the comparison the issue asks for."""
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def extract(page: bytes, **kwargs: object) -> PageContent:
    return extract_page(decode_bytes(page).text, **kwargs)  # type: ignore[arg-type]


# --- seeds x families x encodings ---------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("encoding", "declare"), ENCODINGS)
def test_seed_pages_decode_without_replacement_characters(
    seed_name: str, family: str, encoding: str, declare: bool
) -> None:
    page = seed_page(seed_name, family, encoding, declare)
    assert (b"charset" in page.lower()) is declare
    decoded = decode_bytes(page)
    assert "\ufffd" not in decoded.text
    assert decoded.encoding == ("utf-8" if encoding == "utf-8" else "gb18030")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("encoding", "declare"), ENCODINGS)
def test_body_text_is_the_seed_text_in_every_layout(
    seed_name: str, family: str, encoding: str, declare: bool
) -> None:
    # The seeds' own trailing chrome (004's "- 全部留言" lines) is document text here;
    # the page chrome around the container is not.
    want = lines(seed_text(seed_name))
    for variant in VARIANTS:
        content = extract(seed_page(seed_name, family, encoding, declare, variant))
        assert lines(content.body_text) == want, (family, variant)
        assert content.container.startswith("known:")


@pytest.mark.parametrize("family", FAMILIES)
def test_metadata_title_date_and_source_per_family(seed_name: str, family: str) -> None:
    want = seed_meta(seed_name)
    content = extract(seed_page(seed_name, family, "gbk", declare=False))
    assert content.title == want["title"]
    assert content.meta["title"] == want["title"]
    assert content.meta["publish_date"] == want["publish_date"]
    assert content.meta["source"] == want["source"]
    assert content.meta.get("publish_time") == want["publish_time"]


def test_trs_disclosure_table_fields() -> None:
    page = render_article(
        "trs",
        title="关于印发《2023年法治政府建设工作要点》的通知",
        body_text="各乡镇人民政府:\n现将工作要点印发给你们。",
        publish_date="2023-03-15",
        source="某某市人民政府办公室",
        document_date="2023-03-10",
        doc_number="某政办发〔2023〕5号",
    )
    meta = extract(page).meta
    assert meta["issuer"] == "某某市人民政府办公室"
    assert meta["document_date"] == "2023-03-10"
    assert meta["doc_number"] == "某政办发〔2023〕5号"
    assert re.fullmatch(r"430300/2023-\d{5}", meta["index_no"])
    assert meta["publish_date"] == "2023-03-15"


def test_empty_doc_number_cell_is_not_filled_from_the_next_label() -> None:
    page = render_article(
        "trs", title="标题", body_text="正文一行。", publish_date="2023-03-15", source="某局"
    )
    assert "doc_number" not in extract(page).meta


def test_hanweb_maketime_is_never_the_publish_date() -> None:
    page = seed_page("001-yancheng-edz-2023-plan", "hanweb").decode("utf-8")
    maketime = re.search(r'name="Maketime" content="(\d{4}-\d\d-\d\d)', page)
    assert maketime is not None
    # Without PubDate the labelled line "发布日期：" still wins over Maketime ...
    no_pubdate = re.sub(r'<meta name="PubDate"[^>]*>', "", page)
    assert extract_page(no_pubdate).meta["publish_date"] == "2023-06-01"
    # ... and with neither, there is no publish date rather than a wrong one.
    bare = re.sub(r"发布日期：[^<]*", "", no_pubdate)
    assert "publish_date" not in extract_page(bare).meta
    assert maketime.group(1) not in extract_page(bare).meta.values()


def test_hunan_page_has_no_article_meta_and_uses_header_line_and_title_suffix() -> None:
    page = seed_page("004-xiangtan-2021-2025-plan", "hunan", "gbk", declare=False)
    assert b"ArticleTitle" not in page
    content = extract(page)
    assert content.title == "湘潭市贯彻落实《法治湖南建设规划(2021-2025年)》实施方案"
    assert content.meta["publish_date"] == "2022-11-22"
    assert content.meta["publish_time"] == "09:15"
    assert content.meta["source"] == "湘潭市司法局"


def test_markup_in_metadata_is_text_not_markup() -> None:
    page = render_article(
        "trs",
        title="<script>alert(1)</script>&通知",
        body_text="正文<b>不是标签</b>。",
        publish_date="2023-03-15",
        source="某局",
    )
    content = extract(page)
    assert content.title == "<script>alert(1)</script>&通知"
    assert content.body_text == "正文<b>不是标签</b>。"


# --- main-content rules ------------------------------------------------------------------


_CONTAINER_NAMES = re.compile(
    r'(id|class)="(zoom|xl-xqnr|TRS_Editor|article-content|bt_content|view|article|'
    r'Custom_UnionStyle)"'
)


@pytest.mark.parametrize("family", FAMILIES)
def test_density_heuristic_finds_the_body_without_known_containers(family: str) -> None:
    name = "002-renhe-town-2022-points"
    for variant in VARIANTS:
        page = seed_page(name, family, variant=variant).decode("utf-8")
        anonymous = _CONTAINER_NAMES.sub(lambda m: f'{m[1]}="c{len(m[2])}x"', page)
        content = extract_page(anonymous)
        assert content.container == "density"
        assert lines(content.body_text) == lines(seed_text(name)), variant


def test_density_heuristic_on_an_old_table_layout_with_br_lines() -> None:
    page = (
        "<table><tr><td class='nav'><a href='/'>首页</a> <a href='/b'>机构设置</a> "
        "<a href='/c'>政务公开</a></td></tr><tr><td><table><tr>"
        "<td class='left'><a href='/1'>通知公告</a><br><a href='/2'>工作动态</a></td>"
        "<td><font size='4'><b>区司法局2022年工作总结</b></font><br>\n"
        "2022年，区司法局认真贯彻落实各项决策部署。<br>\n"
        "一、法治政府建设扎实推进。全年审查规范性文件12件。<br>\n"
        "二、普法宣传深入开展。组织各类普法活动120余场次。</td></tr></table></td></tr>"
        "<tr><td>版权所有 某某区司法局 备案号：苏ICP备00000000号</td></tr></table>"
    )
    content = extract_page(page)
    assert content.container == "density"
    assert content.body_text.split("\n") == [
        "区司法局2022年工作总结",
        "2022年，区司法局认真贯彻落实各项决策部署。",
        "一、法治政府建设扎实推进。全年审查规范性文件12件。",
        "二、普法宣传深入开展。组织各类普法活动120余场次。",
    ]


def test_profile_selectors_come_first_css_or_xpath() -> None:
    page = (
        "<html><body><div id='zoom'><p>字体放大区域的说明文字。</p></div>"
        "<div class='my-body'><p>第一段正文。</p><p>第二段正文。</p></div></body></html>"
    )
    css = extract_page(page, body_selectors=[".my-body"])
    assert (css.container, css.body_text) == ("selector:.my-body", "第一段正文。\n第二段正文。")
    xpath = extract_page(page, body_selectors=["//div[@class='my-body']"])
    assert xpath.body_text == "第一段正文。\n第二段正文。"
    missing = extract_page(page, body_selectors=[".absent"])
    assert missing.container == "known:#zoom"
    # An empty match does not hide a known container with text (a stale profile) ...
    stale = extract_page(page + "<div class='blank'> </div>", body_selectors=[".blank"])
    assert stale.container == "known:#zoom"
    # ... but with nothing else it is an empty article, not a reason to guess from chrome.
    blank = "<div class='info'>发布时间：2023-01-01 来源：某局</div><div class='blank'> </div>"
    empty = extract_page(blank, body_selectors=[".blank"])
    assert (empty.container, empty.body_text) == ("selector:.blank", "")


def test_invalid_profile_selector_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="invalid body selector"):
        extract_page("<p>x</p>", body_selectors=["div[["])


def test_blocks_break_lines_inline_elements_do_not() -> None:
    page = (
        "<div id='zoom'><p>一<span>二</span><strong>三</strong>\n<font>四</font></p>"
        "<div>五<br>六</div><ul><li>七</li><li>八</li></ul>"
        "<table><tr><td>甲</td><td>乙</td></tr></table>"
        "<p>&nbsp;&nbsp;\u3000\u3000九&nbsp;十</p><p>&nbsp;</p></div>"
    )
    assert extract_page(page).body_text == "一二三 四\n五\n六\n七\n八\n甲 乙\n九 十"


def test_scripts_styles_hidden_and_chrome_lines_are_not_body_text() -> None:
    page = (
        "<div class='TRS_Editor'><style>.TRS_Editor P{font-family:宋体}</style>"
        "<script>document.write('脚本文字')</script><p>正文。</p>"
        "<p style='display: none'>隐藏文字</p><p hidden>也隐藏</p>"
        "<p>【字体：大 中 小】</p><p>【打印本页】【关闭窗口】</p><p>扫一扫在手机打开当前页</p>"
        "<noscript>请启用脚本</noscript></div>"
    )
    assert extract_page(page).body_text == "正文。"


def test_largest_match_wins_when_a_container_class_repeats() -> None:
    page = (
        "<div class='TRS_Editor'><p>摘要。</p></div>"
        "<div class='TRS_Editor'><p>这是正文的第一段。</p><p>第二段。</p></div>"
    )
    assert extract_page(page).body_text == "这是正文的第一段。\n第二段。"


@pytest.mark.parametrize("family", FAMILIES)
def test_empty_article_container_gives_empty_body_not_chrome(family: str) -> None:
    for variant in VARIANTS:
        page = render_article(
            family, title="空文章", body_text="", publish_date="2023-01-01", source="某局",
            variant=variant,
        )  # fmt: skip
        content = extract(page)
        assert content.body_text == ""
        assert content.container.startswith("known:")
        assert content.meta["publish_date"] == "2023-01-01"


def test_generic_container_drops_its_chrome_and_link_lists() -> None:
    page = (
        "<body><div id='content'><div class='crumbs'>当前位置：首页 &gt; 通知</div>"
        "<p>第一段正文内容。</p><p>第二段正文内容。</p>"
        "<ul><li><a href='/1'>相关文章一</a></li><li><a href='/2'>相关文章二</a></li></ul>"
        "<div class='share'>分享到：微信 微博</div></div></body>"
    )
    content = extract_page(page)
    assert content.container == "known:#content"
    assert content.body_text == "第一段正文内容。\n第二段正文内容。"


def test_generic_container_needs_most_of_the_page_text() -> None:
    nav = "".join(f"<p>栏目说明文字第{i}条内容较长</p>" for i in range(20))
    page = f"<body><div class='content'><p>短</p></div><div class='main'>{nav}</div></body>"
    content = extract_page(page)
    assert content.container == "density"
    assert "栏目说明文字第0条内容较长" in content.body_text


# --- metadata rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title_tag", "want"),
    [
        ("湘潭市贯彻落实《法治湖南建设规划(2021-2025年)》实施方案_湘潭市司法局",
         "湘潭市贯彻落实《法治湖南建设规划(2021-2025年)》实施方案"),
        ("2023年工作要点 - 某某区人民政府网", "2023年工作要点"),
        ("2023年工作要点 | 某某镇 | 门户网站", "2023年工作要点"),
        ("关于2021-2025年规划的通知", "关于2021-2025年规划的通知"),
        ("法治建设总结-大连市西岗区人民政府", "法治建设总结"),
        ("钟落潭镇2023年法治建设工作要点_某县人民政府办公室", "钟落潭镇2023年法治建设工作要点"),
        ("某某市人民政府 - 法治政府建设年度报告全文", "法治政府建设年度报告全文"),
    ],
)  # fmt: skip
def test_title_element_loses_site_suffixes(title_tag: str, want: str) -> None:
    page = f"<html><head><title>{title_tag}</title></head><body><p>正文</p></body></html>"
    assert extract_page(page).title == want


@pytest.mark.parametrize(
    ("line", "date", "time"),
    [
        ("发布时间：2022-11-22 09:15", "2022-11-22", "09:15"),
        ("发布日期:2022年11月2日", "2022-11-02", None),
        ("[发布时间：2022/1/5 8:05:33]", "2022-01-05", "08:05"),
        ("发布时间：2022-13-45", None, None),
    ],
)
def test_labelled_publish_dates(line: str, date: str | None, time: str | None) -> None:
    page = f"<body><div class='info'>{line}</div><div id='zoom'><p>正文。</p></div></body>"
    meta = extract_page(page).meta
    assert meta.get("publish_date") == date
    assert meta.get("publish_time") == time


def test_labelled_source_stops_at_the_next_label() -> None:
    page = (
        "<body><div>信息来源：某某区司法局发布日期：2023-01-02 浏览次数：12</div>"
        "<div id='zoom'><p>来源：正文里的来源不算</p></div></body>"
    )
    meta = extract_page(page).meta
    assert meta["source"] == "某某区司法局"
    assert meta["publish_date"] == "2023-01-02"


def test_labelled_line_at_the_top_of_the_body_is_metadata_too() -> None:
    page = (
        "<body><div class='wrap'><h1>关于做好普法工作的通知</h1>"
        "<div class='meta'>发布时间：2023-02-01 来源：县司法局 阅读：123</div>"
        + "".join(f"<p>第{i}段正文，内容较长较长较长。</p>" for i in range(6))
        + "<p>来源：正文后部的来源不算</p></div></body>"
    )
    content = extract_page(page)
    assert content.container == "density"
    assert content.meta["publish_date"] == "2023-02-01"
    assert content.meta["source"] == "县司法局"


def test_label_and_value_in_one_table_cell() -> None:
    page = (
        "<table><tr><td>索引号：000014349/2023-00012</td><td>发文字号：国办发〔2023〕1号</td>"
        "</tr></table><div id='zoom'><p>正文。</p></div>"
    )
    meta = extract_page(page).meta
    assert meta["index_no"] == "000014349/2023-00012"
    assert meta["doc_number"] == "国办发〔2023〕1号"


def test_tables_inside_the_body_are_not_metadata() -> None:
    page = "<div id='zoom'><table><tr><td>文号</td><td>表格里的文号</td></tr></table></div>"
    assert "doc_number" not in extract_page(page).meta


def test_url_gives_the_source_site() -> None:
    content = extract_page("<p>正文</p>", url="http://xtsf.xiangtan.gov.cn/zwgk/1.html")
    assert content.meta["source_site"] == "xtsf.xiangtan.gov.cn"


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t",
        "<!-- only a comment -->",
        "<html><head><title></title></head><body></body></html>",
        "<<<>>>&&&;;;</div></p></html>",
        '<?xml version="1.0" encoding="gbk"?><html><body><p> </p></body></html>',
        "<div>" * 5000,
        "<script>var s = '<div id=zoom>不是正文</div>';</script><style>p{}</style>",
    ],
)
def test_empty_or_contentless_markup_yields_no_body(html: str) -> None:
    content = extract_page(html)
    assert content.body_text == ""
    assert content.container == "none"
    assert content.title is None


@pytest.mark.parametrize(
    ("html", "body"),
    [
        ("\x00\x01 garbage \ufffd >>><<< 文字", "garbage \ufffd >>><<< 文字"),
        ("\ud800 lone surrogate 文字", "? lone surrogate 文字"),
        ("<div id='zoom'><p>未闭合<span><b>正文" + "<table><tr><td>" * 300, "未闭合正文"),
        ("<html><body><div id='zoom'>" + "<p>段落</p>" * 3000, "\n".join(["段落"] * 3000)),
        ("<meta charset='gbk'><title>_</title><p>正文</p>", "正文"),
    ],
)
def test_garbage_and_unclosed_markup_keep_their_text(html: str, body: str) -> None:
    assert extract_page(html).body_text == body


_FRAGMENTS = st.sampled_from(
    ["<div>", "</div>", "<p>", "</p>", "<br>", "<a href='x'>", "</a>", "<td>", "<table>",
     "<script>", "</script>", "<div id='zoom'>", "<meta name='PubDate' content='2022-13-99'>",
     "<title>", "</title>", "发布时间：", "2022-11-22", "来源：", "正文。", "&nbsp;", "&#0;",
     "<!--", "-->", "<![CDATA[", "\n", "\x00", "<", ">", "&"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS, max_size=60).map("".join)))
def test_arbitrary_input_never_raises(html: str) -> None:
    content = extract_page(html)
    assert isinstance(content.body_text, str)
    assert "\x00" not in content.body_text
    body_lines = content.body_text.split("\n") if content.body_text else []
    assert all(line and line == " ".join(line.split()) for line in body_lines)


def test_truncated_page_keeps_what_arrived() -> None:
    page = seed_page("000-district-plan-redacted", "trs").decode("utf-8")
    content = extract_page(page[: len(page) // 2])
    got = lines(content.body_text)
    want = lines(seed_text("000-district-plan-redacted"))
    assert got
    assert got[:-1] == want[: len(got) - 1]  # the last line may be cut mid-way
    assert want[len(got) - 1].startswith(got[-1])


def test_plain_text_is_its_own_body() -> None:
    content = extract_page("一、总体要求\n坚持党的领导。")
    assert content.body_text == "一、总体要求 坚持党的领导。"
    assert content.container == "density"
