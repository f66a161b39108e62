"""Article-page templates of three Chinese government CMS families, for the demo site and tests.

The markup imitates what the real platforms serve, because that is what the HTML extractor
has to survive:

- ``hunan``: the Hunan city template used by *.xiangtan.gov.cn sites. No article <meta>
  tags; the date and source sit in a header line ("发布时间：… 来源：…") next to
  【字体：大 中 小】; body in ``div.xl-xqnr`` and/or ``#zoom``; print/close/share/QR/
  上一篇/下一篇 chrome; often GBK with no charset declared anywhere.
- ``trs``: TRS WCM. Standard government <meta> tags (ArticleTitle, PubDate, ContentSource),
  a disclosure table (索引号/发布机构/文号/成文日期/发布日期), body in ``.TRS_Editor``
  (with its own <style> block) inside ``#zoom``, Word-pasted <p> with inline styles and &nbsp;.
- ``hanweb``: Hanweb jcms. The same <meta> tags plus ``Maketime`` (when the page was
  generated, NOT the publish date), body in ``#zoom`` / ``.article-content`` between
  ContentStart/ContentEnd markers, a "信息来源：… 发布日期：…" line, <script> noise.

Each line of ``body_text`` is rendered as document text; lines are grouped and decorated
(<br> inside a <p>, <span>/<strong>/<font> runs, leading &nbsp; or U+3000 indents) so that an
extractor must treat block elements as line breaks and inline elements as nothing. All chrome
lies outside the body container, so the container's text is exactly ``body_text``.
Everything interpolated is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

FAMILIES: tuple[str, ...] = ("hunan", "trs", "hanweb")

# What each family declares when asked to declare a GBK page: real sites mostly say gb2312
# while using GBK-only characters, which decoders must widen.
_GBK_LABEL = {"hunan": "gb2312", "trs": "gb2312", "hanweb": "GBK"}


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _charset_label(family: str, encoding: str) -> str:
    low = encoding.lower().replace("_", "-")
    if low in {"gbk", "gb2312", "cp936"}:
        return _GBK_LABEL[family]
    return "utf-8" if low in {"utf-8", "utf8"} else encoding


def _split_inline(line: str) -> tuple[str, str]:
    """Split a line for inline decoration at a natural point (after 、 or the first clause)."""
    for mark in ("、", ")", "。", ",", ":"):
        cut = line.find(mark)
        if 0 <= cut < len(line) - 1 and cut < 40:
            return line[: cut + 1], line[cut + 1 :]
    half = len(line) // 2
    return line[:half], line[half:]


def _decorate(line: str, index: int, family: str) -> str:
    """One line as inline HTML; every decoration is inline so the text is unchanged."""
    if not line.strip():
        return _e(line)
    style = index % 5
    if style == 1 and len(line) > 2:
        head, rest = _split_inline(line)
        return f"<strong>{_e(head)}</strong>{_e(rest)}"
    if style == 2:
        font = "仿宋_GB2312" if family != "hanweb" else "宋体"
        return f'<span style="font-family:{font};font-size:16pt;">{_e(line)}</span>'
    if style == 3 and len(line) > 2:
        head, rest = _split_inline(line)
        inner = f'<span style="font-family:黑体;">{_e(head)}</span><span>{_e(rest)}</span>'
        return f"<span>{inner}</span>"
    if style == 4 and family == "hanweb":
        return f'<font face="宋体" size="3">{_e(line)}</font>'
    return _e(line)


def _paragraphs(body_text: str, family: str, variant: int) -> str:
    """Render lines as blocks: mostly one <p> per line, sometimes two lines joined by <br>."""
    lines = body_text.split("\n")
    out: list[str] = []
    indent = {"hunan": "\u3000\u3000", "trs": "&nbsp;&nbsp;&nbsp;&nbsp;", "hanweb": ""}[family]
    p_open = {
        "hunan": '<p style="text-indent:2em;">',
        "trs": '<p class="MsoNormal" style="text-indent:32pt;line-height:28pt;margin:0;">',
        "hanweb": '<p style="text-align:justify;text-indent:2em;">',
    }[family]
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        first = indent + _decorate(line, i + variant, family)
        # Old editors put consecutive lines in one paragraph separated by <br>.
        joinable = (i + variant) % 7 == 4 and i + 1 < len(lines) and lines[i + 1].strip()
        if joinable:
            second = _decorate(lines[i + 1], i + 1 + variant, family)
            out.append(f"{p_open}{first}<br/>\n{indent}{second}</p>")
            i += 2
            continue
        out.append(f"{p_open}{first}</p>")
        i += 1
    return "\n".join(out)


def _attachment_block(attachments: Sequence[tuple[str, str]], cls: str) -> str:
    if not attachments:
        return ""
    items = "".join(
        f'<li><a href="{_e(href)}" target="_blank">{_e(label)}</a></li>'
        for href, label in attachments
    )
    return f'<div class="{cls}"><p>附件：</p><ul>{items}</ul></div>'


def _nav(items: Sequence[str], cls: str) -> str:
    links = "".join(f'<li><a href="/{n}/">{_e(label)}</a></li>' for n, label in enumerate(items))
    return f'<ul class="{cls}">{links}</ul>'


def _related(title: str) -> str:
    topics = (
        "法治政府建设年度报告",
        "关于开展“八五”普法中期评估的通知",
        "行政执法案卷评查结果通报",
        "公共法律服务体系建设工作情况",
        f"关于《{title[:12]}》的政策解读",
    )
    links = "".join(
        f'<li><a href="/xxgk/{n}.html">{_e(t)}</a><span>2022-0{n + 1}-1{n}</span></li>'
        for n, t in enumerate(topics)
    )
    return f'<div class="related"><h3>相关文章</h3><ul>{links}</ul></div>'


def _footer(source: str, site_code: str) -> str:
    return (
        '<div class="footer"><div class="footer-links">'
        '<a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/mzsm/">免责声明'
        "</a></div>"
        f"<p>主办单位：{_e(source)}　承办：{_e(source)}办公室　联系电话：0731-5588xxxx</p>"
        f'<p>网站标识码：{site_code}　<a href="https://beian.miit.gov.cn/">湘ICP备05006342号</a>　'
        '<img src="/images/ga.png" alt="">湘公网安备 43030202000123号</p>'
        "<p>建议使用1024×768分辨率浏览本网站</p></div>"
    )


def _head(family: str, encoding: str, declare_charset: bool, title_tag: str, metas: str) -> str:
    charset = ""
    if declare_charset:
        label = _charset_label(family, encoding)
        charset = (
            f'<meta charset="{label}">'
            if family == "trs"
            else f'<meta http-equiv="Content-Type" content="text/html; charset={label}">'
        )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        f"{charset}\n<title>{_e(title_tag)}</title>\n{metas}\n"
        '<link rel="stylesheet" type="text/css" href="/css/style.css">\n'
        '<script type="text/javascript" src="/js/jquery.min.js"></script>\n'
        "</head>\n"
    )


def _render_hunan(a: _Article) -> str:
    zoom_open, zoom_close = {
        0: ('<div class="xl-xqnr"><div id="zoom">', "</div></div>"),
        1: ('<div class="xl-xqnr">', "</div>"),
        2: ('<div id="zoom" class="zoom">', "</div>"),
    }[a.variant % 3]
    chrome_top = chrome_bottom = ""
    if a.extra_chrome:
        chrome_top = (
            '<div class="topbar"><a href="javascript:;" id="wza">无障碍</a> '
            '<a href="javascript:;">长者模式</a> <a href="/login">登录</a> <a href="/reg">注册</a>'
            "</div>"
            '<div class="header"><div class="logo">'
            f'<img src="/images/logo.png" alt="{_e(a.source)}"></div>'
            '<div class="search"><input type="text" placeholder="请输入关键字"><button>搜索'
            "</button></div></div>"
            + _nav(
                (
                    "首页",
                    "机构概况",
                    "政务公开",
                    "法治建设",
                    "公共法律服务",
                    "互动交流",
                    "专题专栏",
                ),
                "nav",
            )
            + '<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开'
            "</a>"
            ' &gt; <a href="/zwgk/tzgg/">通知公告</a></div>'
        )
        chrome_bottom = (
            '<div class="xl-bottom"><a href="javascript:window.print()">打印本页</a> '
            '<a href="javascript:window.close()">关闭窗口</a>'
            '<div class="share">分享到：<a class="wx" href="#">微信</a> <a class="wb" href="#">微博'
            "</a> "
            '<a class="qq" href="#">QQ空间</a></div>'
            '<div class="ewm"><img src="/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>'
            "</div>"
            '<div class="prevnext"><p>上一篇：'
            '<a href="/zwgk/tzgg/1.html">关于开展法治宣传进社区活动的通知</a></p>'
            '<p>下一篇：<a href="/zwgk/tzgg/3.html">市司法局2022年度政府信息公开工作报告</a></p>'
            "</div>"
            + _related(a.title)
            + _footer(a.source, "4303000012")
            + '<script>var _hmt = _hmt || [];(function(){var hm=document.createElement("script");'
            'hm.src="https://hm.baidu.com/hm.js?0";})();</script>'
        )
    info = (
        '<div class="xl-info">'
        f"<span>发布时间：{_e(a.stamp)}</span>&nbsp;&nbsp;<span>来源：{_e(a.source)}</span>"
        '&nbsp;&nbsp;<span class="font">【字体：<a href="javascript:doZoom(18)">大</a> '
        '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span>'
        "</div>"
    )
    return (
        _head(
            "hunan",
            a.encoding,
            a.declare_charset,
            f"{a.title}_{a.source}",
            '<meta name="keywords" content="法治建设,依法治市">',
        )
        + '<body><div class="wrapper">'
        + chrome_top
        + '<div class="xl-main"><div class="xl-tit">'
        + f'<h2 class="title">{_e(a.title)}</h2>{info}</div>\n'
        + f"{zoom_open}\n{_paragraphs(a.body_text, 'hunan', a.variant)}\n{zoom_close}\n"
        + _attachment_block(a.attachments, "fj")
        + "</div>"
        + chrome_bottom
        + "</div></body></html>\n"
    )


def _render_trs(a: _Article) -> str:
    index_no = f"430300/{a.publish_date[:4]}-{int(_digest(a.title)[:6], 16) % 100000:05d}"
    metas = _meta_tags((
        ("SiteName", f"{a.source}门户网站"),
        ("SiteDomain", "www.example.gov.cn"),
        ("SiteIDCode", "4303000012"),
        ("ColumnName", "通知公告"),
        ("ColumnType", "政务公开"),
        ("ArticleTitle", a.title),
        ("PubDate", a.stamp),
        ("ContentSource", a.source),
        ("Keywords", "法治建设"),
        ("Description", a.body_text.replace("\n", " ")[:80]),
        ("Url", f"http://www.example.gov.cn/{a.url_path.lstrip('/')}"),
    ))
    table = (
        '<table class="xxgk-table" cellspacing="0" cellpadding="0"><tbody>'
        f"<tr><th>索引号：</th><td>{_e(index_no)}</td><th>主题分类：</th><td>司法</td></tr>"
        f"<tr><th>发布机构：</th><td>{_e(a.source)}</td><th>成文日期：</th>"
        f"<td>{_e(a.document_date or a.publish_date)}</td></tr>"
        f'<tr><th>名　　称：</th><td colspan="3">{_e(a.title)}</td></tr>'
        f"<tr><th>文　　号：</th><td>{_e(a.doc_number or '')}</td><th>发布日期：</th>"
        f"<td>{_e(a.publish_date)}</td></tr>"
        "</tbody></table>"
    )
    editor = (
        '<div class="TRS_Editor"><style type="text/css">\n.TRS_Editor P{margin-top:0px;'
        "margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}\n</style>"
        f'<div class="Custom_UnionStyle">\n{_paragraphs(a.body_text, "trs", a.variant)}\n</div>'
        "</div>"
    )
    body = f'<div id="zoom" class="zoom">{editor}</div>' if a.variant % 2 == 0 else editor
    chrome_top = chrome_bottom = ""
    if a.extra_chrome:
        chrome_top = (
            f'<div class="head"><h1 class="site-name">{_e(a.source)}</h1>'
            + _nav(("首页", "政务公开", "政务服务", "互动交流", "走进本市"), "menu")
            + '</div><div class="position">您当前的位置：<a href="/">首页</a>&gt;'
            '<a href="/zwgk/">政府信息公开</a>&gt;<a href="/zwgk/tzgg/">通知公告</a></div>'
        )
        chrome_bottom = (
            '<div class="tools"><a href="javascript:window.print();">【打印本页】</a>'
            '<a href="javascript:window.close();">【关闭窗口】</a></div>'
            + _related(a.title)
            + _footer(a.source, "4303000012")
        )
    return (
        _head("trs", a.encoding, a.declare_charset, f"{a.title} - {a.source}门户网站", metas)
        + "<body>"
        + chrome_top
        + '<div class="container"><div class="xxgk">'
        + table
        + f'</div><div class="article"><h2 class="article-title">{_e(a.title)}</h2>'
        + f'<div class="article-info">发布日期：{_e(a.stamp)}　来源：{_e(a.source)}</div>'
        + f'<div class="view">{body}</div>'
        + _attachment_block(a.attachments, "fj")
        + "</div></div>"
        + chrome_bottom
        + "</body></html>\n"
    )


def _render_hanweb(a: _Article) -> str:
    generated = dt.date.fromisoformat(a.publish_date) + dt.timedelta(days=400)
    metas = _meta_tags((
        ("SiteName", f"{a.source}网站"),
        ("SiteDomain", "www.example.gov.cn"),
        ("SiteIDCode", "3209000001"),
        ("ColumnName", "工作动态"),
        ("ArticleTitle", a.title),
        ("PubDate", a.stamp),
        ("ContentSource", a.source),
        # jcms stamps the page generation time here; it is not the publish date.
        ("Maketime", f"{generated.isoformat()} 16:22:31"),
        ("Url", f"http://www.example.gov.cn/art/{a.url_path.lstrip('/')}"),
    ))
    info = (
        '<div class="article-info">'
        f"<span>信息来源：{_e(a.source)}</span><span>发布日期：{_e(a.stamp)}</span>"
        '<span>浏览次数：<script language="javascript" '
        'src="/module/visitcount/articlehits.jsp?colid=1&amp;artid=2"></script></span>'
        '<span>【字号：<a href="javascript:doZoom(20)">大</a> '
        '<a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(12)">小</a>】</span></div>'
    )
    content = (
        '<!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n'
        f"{_paragraphs(a.body_text, 'hanweb', a.variant)}\n"
        '<script type="text/javascript">'
        'if(!window.jQuery){alert("请使用IE8以上版本浏览器访问本站");}</script>\n'
        '<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->'
    )
    if a.variant % 2 == 0:
        article = (
            f'<div class="article"><h1 class="article-title">{_e(a.title)}</h1>{info}'
            f'<div class="article-content" id="zoom">{content}</div>'
            + _attachment_block(a.attachments, "article-attachment")
            + "</div>"
        )
    else:
        # Older jcms sites lay the article out in tables.
        article = (
            '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="bt_table">'
            "<tbody>"
            f'<tr><td class="title" align="center">{_e(a.title)}</td></tr>'
            f"<tr><td>{info}</td></tr>"
            f'<tr><td id="zoom" class="bt_content">{content}</td></tr>'
            f"<tr><td>{_attachment_block(a.attachments, 'article-attachment')}</td></tr>"
            "</tbody></table>"
        )
    chrome_top = chrome_bottom = ""
    if a.extra_chrome:
        chrome_top = (
            '<script type="text/javascript">var _jcms_site = {id:1, name:"门户网站"};</script>'
            f'<div id="header"><div class="banner">{_e(a.source)}</div>'
            + _nav(
                ("网站首页", "新闻中心", "信息公开", "政务服务", "政民互动", "专题专栏"), "nav-list"
            )
            + '</div><div class="bread">当前位置：<a href="/">首页</a> &gt;&gt; '
            '<a href="/col/col1/">工作动态</a></div>'
        )
        chrome_bottom = (
            '<div class="article-tools"><a href="javascript:window.print()">[打印本页]</a> '
            '<a href="javascript:window.close()">[关闭窗口]</a> <a href="#">[收藏本页]</a></div>'
            + _related(a.title)
            + '<div id="footer"><p>版权所有：'
            + _e(a.source)
            + "　技术支持：大汉网络</p><p>网站标识码：3209000001　"
            '<a href="https://beian.miit.gov.cn/">苏ICP备12345678号</a></p></div>'
            '<script type="text/javascript" src="/script/0/1702101613290611.js"></script>'
        )
    return (
        _head("hanweb", a.encoding, a.declare_charset, f"{a.title} | {a.source}", metas)
        + "<body>"
        + chrome_top
        + f'<div class="main">{article}</div>'
        + chrome_bottom
        + "</body></html>\n"
    )


@dataclass(frozen=True, slots=True)
class _Article:
    """The arguments of one render call."""

    title: str
    body_text: str
    publish_date: str
    publish_time: str | None
    source: str
    url_path: str
    encoding: str
    declare_charset: bool
    attachments: tuple[tuple[str, str], ...]
    extra_chrome: bool
    variant: int
    document_date: str | None
    doc_number: str | None

    @property
    def stamp(self) -> str:
        """Publish date, and time when there is one, as the info line prints them."""
        return self.publish_date + (f" {self.publish_time}" if self.publish_time else "")



def _meta_tags(pairs: tuple[tuple[str, str], ...]) -> str:
    """The CMS's <meta name=… content=…> block, values escaped."""
    return "\n".join(f'<meta name="{name}" content="{_e(value)}">' for name, value in pairs)


_RENDERERS: dict[str, Callable[[_Article], str]] = {
    "hunan": _render_hunan,
    "trs": _render_trs,
    "hanweb": _render_hanweb,
}


def render_article(
    family: str,
    *,
    title: str,
    body_text: str,
    publish_date: str,
    publish_time: str | None = None,
    source: str,
    url_path: str = "",
    encoding: str = "utf-8",
    declare_charset: bool = True,
    attachments: Sequence[tuple[str, str]] = (),
    extra_chrome: bool = True,
    variant: int = 0,
    document_date: str | None = None,
    doc_number: str | None = None,
) -> bytes:
    """Render one article page of ``family`` as bytes in ``encoding``.

    ``publish_date`` is "YYYY-MM-DD", ``publish_time`` "HH:MM". ``attachments`` are
    ``(href, label)`` pairs, linked below the body. ``declare_charset=False`` leaves the
    charset undeclared (common for GBK sites). ``variant`` picks among the family's real
    container layouts (e.g. hunan: ``.xl-xqnr`` > ``#zoom`` / ``.xl-xqnr`` / ``#zoom``).
    Characters the encoding lacks become numeric character references, as CMSs emit them.
    """
    if family not in _RENDERERS:
        raise ValueError(f"unknown page family {family!r}; expected one of {FAMILIES}")
    dt.date.fromisoformat(publish_date)  # fail early on a malformed date
    article = _Article(
        title=title,
        body_text=body_text,
        publish_date=publish_date,
        publish_time=publish_time,
        source=source,
        url_path=url_path,
        encoding=encoding,
        declare_charset=declare_charset,
        attachments=tuple(attachments),
        extra_chrome=extra_chrome,
        variant=variant,
        document_date=document_date,
        doc_number=doc_number,
    )
    page = _RENDERERS[family](article)
    return page.encode(encoding, errors="xmlcharrefreplace")
