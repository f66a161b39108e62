"""demo.families: article pages of the Hunan, TRS WCM and Hanweb jcms families."""

from __future__ import annotations

import re

import pytest

from demo.families import FAMILIES, render_article

BODY = "一、总体要求\n坚持党的领导。(责任单位:市司法局)\n二、主要任务"


def page(family: str, **kwargs: object) -> bytes:
    args: dict[str, object] = {
        "title": "关于印发《2023年工作要点》的通知",
        "body_text": BODY,
        "publish_date": "2023-05-10",
        "publish_time": "09:15",
        "source": "某某市司法局",
    }
    args.update(kwargs)
    return render_article(family, **args)  # type: ignore[arg-type]


def test_three_families() -> None:
    assert FAMILIES == ("hunan", "trs", "hanweb")


@pytest.mark.parametrize("family", FAMILIES)
def test_gbk_pages_are_real_gbk_and_undeclared_means_no_charset_anywhere(family: str) -> None:
    declared = page(family, encoding="gbk")
    undeclared = page(family, encoding="gbk", declare_charset=False)
    assert "坚持党的领导" in undeclared.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        undeclared.decode("utf-8")
    assert b"charset" not in undeclared.lower()
    assert re.search(rb"charset=?\"?(gb2312|GBK)", declared)


@pytest.mark.parametrize("family", FAMILIES)
def test_characters_outside_gbk_become_character_references(family: str) -> None:
    data = page(family, body_text="欧元符号€与emoji😀", encoding="gbk")
    assert "&#128512;" in data.decode("gbk")


@pytest.mark.parametrize("family", FAMILIES)
def test_markup_in_arguments_is_escaped(family: str) -> None:
    html = page(family, title="<script>x</script>", body_text="a<b>&c").decode("utf-8")
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "a&lt;b&gt;&amp;c" in html


def test_family_markers_match_the_real_platforms() -> None:
    hunan = page("hunan").decode("utf-8")
    assert 'class="xl-xqnr"' in hunan and "发布时间：2023-05-10 09:15" in hunan
    assert "ArticleTitle" not in hunan
    for chrome in (
        "【字体：",
        "打印本页",
        "关闭窗口",
        "分享到",
        "扫一扫在手机打开当前页",
        "上一篇",
        "网站标识码",
    ):
        assert chrome in hunan
    trs = page("trs").decode("utf-8")
    assert 'class="TRS_Editor"' in trs and '<meta name="PubDate" content="2023-05-10 09:15">' in trs
    for label in ("索引号", "发布机构", "文　　号", "成文日期", "发布日期"):
        assert label in trs
    hanweb = page("hanweb").decode("utf-8")
    assert '<meta name="Maketime" content="2024-06-13 16:22:31">' in hanweb
    assert "信息来源：某某市司法局" in hanweb and 'id="zoom"' in hanweb


def test_without_chrome_only_the_article_remains() -> None:
    bare = page("hunan", extra_chrome=False).decode("utf-8")
    assert "网站标识码" not in bare and "上一篇" not in bare
    assert "坚持党的领导" in bare


def test_variants_change_the_container_layout() -> None:
    layouts = {page("hunan", variant=v) for v in range(3)}
    assert len(layouts) == 3
    assert b'class="xl-xqnr"' not in page("hunan", variant=2)


def test_unknown_family_and_bad_date_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown page family"):
        page("dedecms")
    with pytest.raises(ValueError):
        page("trs", publish_date="2023/05/10")
