"""Issue 24 item 3: deeply nested HTML loses no text silently.

libxml2 cuts a tree at 256 levels unless ``huge_tree`` is on, and at 2048 with it; what
lies below the cut is dropped. Pages nested deeper than the parser builds must be flagged
``html_truncated`` (the gate quarantines them, tests/expectations/test_parse_defects.py),
and no ordinary page may be.
"""

from __future__ import annotations

import html

import pytest

from demo.families import FAMILIES, render_article
from demo.site import build_site
from extract.listpages import parse_text
from tests.conftest import SEED_NAMES, expected, seed_text
from transform import parse_document
from transform.decode import decode_bytes
from transform.html import extract_page
from transform.htmltree import text_loss, visible_text

CHARSET = "text/html; charset=utf-8"


def nested_page(name: str, depth: int) -> bytes:
    """Seed `name` as a page whose article paragraphs sit inside `depth` nested <font>s."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in seed_text(name).splitlines())
    return (
        "<!DOCTYPE html><html><head><title>法治建设工作文件_某区人民政府</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
        f'<div id="zoom">{"<font>" * depth}{paragraphs}{"</font>" * depth}</div>'
        '<div class="footer">主办单位：某区人民政府办公室</div></body></html>'
    ).encode()


@pytest.mark.parametrize("name", SEED_NAMES)
def test_300_nested_fonts_around_a_seed_parse_its_whole_text(name: str) -> None:
    flat = parse_document(nested_page(name, 0), content_type=CHARSET)
    deep = parse_document(nested_page(name, 300), content_type=CHARSET)
    assert deep.text == flat.text
    assert [(n.id, n.text) for n in deep.nodes] == [(n.id, n.text) for n in flat.nodes]
    assert deep.quality_flags == flat.quality_flags
    assert "html_truncated" not in deep.quality_flags


def test_a_page_nested_deeper_than_any_parser_builds_is_flagged_truncated() -> None:
    name = "004-xiangtan-2021-2025-plan"
    doc = parse_document(nested_page(name, 10_000), content_type=CHARSET)
    assert "html_truncated" in doc.quality_flags
    kept = doc.flag_details["html_truncated"]
    assert kept["tree_weight"] < kept["page_weight"] / 10  # the cut took the article


def test_the_cut_is_caught_even_when_part_of_the_article_came_before_it() -> None:
    name = "002-renhe-town-2022-points"
    lines = seed_text(name).splitlines()
    half = len(lines) // 2
    head = "".join(f"<p>{html.escape(line)}</p>" for line in lines[:half])
    tail = "".join(f"<p>{html.escape(line)}</p>" for line in lines[half:])
    page = (f'<html><body><div id="zoom">{head}{"<font>" * 10_000}{tail}'
            f'{"</font>" * 10_000}</div></body></html>').encode()
    doc = parse_document(page, content_type=CHARSET)
    assert doc.text  # the first half loaded into the tree ...
    assert "html_truncated" in doc.quality_flags  # ... but the page is not whole


def test_text_after_an_early_html_end_tag_is_read_not_dropped() -> None:
    """libxml2 ends its parse at </html>; a template that closes html before the article
    (an include ending with it) must not lose the article, nor be called truncated."""
    name = "001-yancheng-edz-2023-plan"
    page = nested_page(name, 0).decode().replace(
        '<div id="zoom">', '<div class="top">政务公开</div></body></html>\n<div id="zoom">')
    doc = parse_document(page.encode(), content_type=CHARSET)
    assert doc.text == parse_document(nested_page(name, 0), content_type=CHARSET).text
    assert "html_truncated" not in doc.quality_flags
    assert visible_text(parse_text(page)).endswith("主办单位：某区人民政府办公室")


def _family_pages() -> list[tuple[str, bytes]]:
    pages = []
    for name in SEED_NAMES:
        exp = expected(name)
        for family in FAMILIES:
            for encoding, declare in (("utf-8", True), ("gbk", True), ("gbk", False)):
                page = render_article(
                    family, title=exp["title"] or "法治建设工作文件", body_text=seed_text(name),
                    publish_date=exp["publish_date"] or "2023-06-01", source="区依法治区办",
                    encoding=encoding, declare_charset=declare,
                    attachments=[(f"/files/{name}.docx", "附件.docx")],
                    variant=len(family) + len(encoding))
                pages.append((f"{name}/{family}/{encoding}/{declare}", page))
    for article in build_site().articles.values():
        for revision in (1, 2):
            pages.append((f"demo{article.path}@{revision}", article.render(revision)))
    return pages


def test_no_reference_document_or_demo_site_page_is_flagged() -> None:
    pages = _family_pages()
    assert len(pages) > 100
    flagged = [key for key, body in pages
               if extract_page(decode_bytes(body).text).text_loss is not None]
    assert flagged == []
    for name in SEED_NAMES:  # and the parsed seeds carry no such flag
        doc = parse_document(nested_page(name, 0), content_type=CHARSET)
        assert "html_truncated" not in doc.quality_flags


BODY = "<p>" + "依法行政，建设法治政府。" * 20 + "</p>"


@pytest.mark.parametrize("markup", [
    "",
    "<p>短</p>",
    # Hidden text a flat reading must leave out, as the tree does: comments (one never
    # closed), scripts and styles, each holding more text than the page.
    f"<html><body>{BODY}<!-- {'注释里的旧正文' * 40} --></body></html>",
    f"<html><body>{BODY}<!-- {'未闭合的注释' * 40}",
    f"<html><body><script>var s = '<div>{'脚本里的文字' * 40}</div>';</script>{BODY}</body>",
    f"<html><head><style>.a:after{{content:'{'样式' * 99}'}}</style></head>{BODY}</html>",
    # Raw-text elements keep their markup as text: the tree holds more than the flat text.
    f"<html><body><textarea><p>{'文本框' * 40}</p></textarea><xmp><b>示例</b></xmp>{BODY}",
    # Malformed tags: a ">" inside an attribute, a tag cut off at the end.
    f'<html><body>{BODY}<a title="x>y">链接</a><div class="a',
    "一段纯文本，不是网页，但被当作网页解析。" * 20,
])
def test_malformed_but_complete_markup_is_not_flagged(markup: str) -> None:
    assert extract_page(markup).text_loss is None


def test_the_crawler_parses_deep_pages_whole_and_archives_cut_ones() -> None:
    """extract reads article links and text through the same huge_tree parser; its text
    walk is iterative (a recursive one overflows Python's stack at 2048 levels)."""
    link = '<a href="/files/plan.docx">附件：实施方案.docx</a>'
    deep = f'<html><body><div id="zoom">{"<font>" * 1500}正文{link}{"</font>" * 1500}</div>'
    doc = parse_text(deep)
    assert visible_text(doc.find("body")) == "正文附件：实施方案.docx"
    cut = f'<html><body><div id="zoom">{"<font>" * 10_000}{"正文" * 50}</div></body></html>'
    assert text_loss(cut, parse_text(cut)) is not None
