"""List-page layouts of CMS products no profile knows, for the generic (structural) path.

Each layout is one column of seven articles, three to a list page, modelled on a real
template: the list markup, where the date sits and in what form, how links are written,
how further pages are reached, and the encoding. Every page carries the chrome a real
column page has (a menu of column links, breadcrumbs, a "related links" box of other
sites, an undated "hot articles" sidebar of another column, footer links), which the
structural detection must leave alone. All paths live under `/gen/{layout}/`.

- trs: TRS WCM, `<li>` + `<span>` date, `createPageHTML(3, ...)`, `./YYYYMM/tYYYYMMDD_id.html`
- jcms: Hanweb jcms, records in a `<datastore>` script, dataproxy POSTs for the rest
- dahan: 大汉 disclosure catalogue, `<table>` rows with the date in its own cell,
  `?pageIndex=N` with numbered links and "共3页"
- nanwei: 南威, `<div>` blocks with `2023年04月13日`, `index_N.html` numbered links
- wanhu: 万户 ezEIP, date before the link as `04-13` (no year), `?page=N` and `>` links;
  GBK pages the server labels UTF-8
- kpy: 开普云, links relative with `../../`, dates `2023/04/13`, "共3页" and a
  `下一页` link to `index_1.html`
- langchao: 浪潮, `<p>` entries with `2023.04.13`, `list.html?pageNo=N` links
- gkmlpt: 政务公开 platform, an HTML shell whose script names a JSON API
  (`api/all/2658?page=1&sid=757`: articles with epoch `publish_time`, total and size)
- dldd: a home-made CMS, `<dl><dd>[2023-04-13] <a>`, paged by `list_2.html`, GB18030
  declared only in the HTTP header
- zhongruan: 中软, a list rendered by script from `data/list_N.json` (`pageCount`)

`DEMO_LAYOUTS` are served by every DemoSite (and harvested by `govharvest demo` through
sites/demo-generic.yaml); tests serve all of them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from demo.families import render_article
from demo.site import SEEDS, variant

LAYOUTS: tuple[str, ...] = ("trs", "jcms", "dahan", "nanwei", "wanhu", "kpy", "langchao",
                            "gkmlpt", "dldd", "zhongruan")
DEMO_LAYOUTS: tuple[str, ...] = ("dahan", "dldd")
ARTICLES_PER_LAYOUT = 7
PER_PAGE = 3
FIRST_ID = 7001
PREFIX = "/gen/"
SOURCE = "某县人民政府办公室"


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class LayoutArticle:
    id: int
    title: str
    body_text: str
    date: dt.date
    path: str  # absolute path on the server
    href: str  # as the list writes it


@dataclass(slots=True)
class Layout:
    name: str
    start_path: str
    articles: list[LayoutArticle] = field(default_factory=list)  # newest first

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.articles) / PER_PAGE))

    def chunk(self, page: int) -> list[LayoutArticle]:
        """Entries of list page `page` (1-based)."""
        return self.articles[(page - 1) * PER_PAGE: page * PER_PAGE]


def _e(text: str) -> str:
    return html.escape(text, quote=True)


# -- content --------------------------------------------------------------------------------

def _paths(name: str, article_id: int, date: dt.date) -> tuple[str, str]:
    """(server path, href as written on the list page) of one article."""
    root = f"{PREFIX}{name}"
    if name == "trs":
        return (f"{root}/{date:%Y%m}/t{date:%Y%m%d}_{article_id}.html",
                f"./{date:%Y%m}/t{date:%Y%m%d}_{article_id}.html")
    if name in ("jcms", "dahan"):
        col = 3001 if name == "jcms" else 3002
        path = f"{root}/art/{date.year}/{date.month}/{date.day}/art_{col}_{article_id}.html"
        return path, path
    if name == "nanwei":
        return f"{root}/content/{article_id}.shtml", f"{root}/content/{article_id}.shtml"
    if name == "wanhu":
        return f"{root}/info/1003/{article_id}.htm", f"{root}/info/1003/{article_id}.htm"
    if name == "kpy":
        return (f"{root}/xwzx/{date:%Y%m}/t{date:%Y%m%d}_{article_id}.html",
                f"../../xwzx/{date:%Y%m}/t{date:%Y%m%d}_{article_id}.html")
    if name == "langchao":
        return f"{root}/xxgk/detail.html?id={article_id}", f"detail.html?id={article_id}"
    if name == "gkmlpt":
        path = f"{root}/content/7/{article_id}/post_{article_id}.html"
        return path, path
    if name == "dldd":
        return f"{root}/cx/a-{article_id}.html", f"/gen/dldd/cx/a-{article_id}.html"
    return f"{root}/wz/{article_id}.html", f"{root}/wz/{article_id}.html"


START_PATHS = {
    "trs": "index.html", "jcms": "col/col3001/index.html", "dahan": "col/col3002/index.html",
    "nanwei": "xwzx/index.html", "wanhu": "list.jsp", "kpy": "xxgk/tzgg/index.html",
    "langchao": "xxgk/list.html", "gkmlpt": "gkmlpt/index", "dldd": "cx/index.html",
    "zhongruan": "tzgg/index.html",
}


def build_layouts(names: tuple[str, ...] = LAYOUTS) -> dict[str, Layout]:
    """The layouts' columns; each layout's articles are variants of the seeds (ids and
    texts fixed by the layout's place in LAYOUTS, whichever subset is served)."""
    out: dict[str, Layout] = {}
    variable = [s for s in SEEDS if s.year is not None or s.regions or "202x" in s.title]
    for index, name in enumerate(LAYOUTS):
        if name not in names:
            continue
        layout = Layout(name, f"{PREFIX}{name}/{START_PATHS[name]}")
        for k in range(ARTICLES_PER_LAYOUT):
            n = index * ARTICLES_PER_LAYOUT + k
            spec = variable[n % len(variable)]
            title, text, date = variant(spec, 40 + n)
            article_id = FIRST_ID + n
            path, href = _paths(name, article_id, date)
            layout.articles.append(LayoutArticle(article_id, title, text, date, path, href))
        layout.articles.sort(key=lambda a: (a.date, a.id), reverse=True)
        out[name] = layout
    return out


# -- page chrome ----------------------------------------------------------------------------

def _chrome_top(name: str) -> str:
    menu = "".join(f'<li><a href="{PREFIX}{name}/{slug}/">{label}</a></li>' for slug, label in (
        ("", "首页"), ("zwgk", "政务公开"), ("zwfw", "政务服务"), ("hdjl", "互动交流"),
        ("fzjs", "法治建设"), ("ztzl", "专题专栏")))
    return (f'<div class="top"><a href="{PREFIX}{name}/">网站首页</a> | '
            '<a href="javascript:void(0)">无障碍</a></div>'
            f'<div class="nav"><ul class="menu">{menu}</ul></div>'
            f'<div class="crumb">当前位置：<a href="{PREFIX}{name}/">首页</a> &gt; '
            f'<a href="{PREFIX}{name}/zwgk/">政务公开</a> &gt; 通知公告</div>')


def _sidebar(name: str) -> str:
    related = "".join(f'<li><a href="{url}" target="_blank">{label}</a></li>'
                      for url, label in (
                          ("http://www.gov.cn/", "中华人民共和国中央人民政府门户网站"),
                          ("http://www.hunan.gov.cn/", "湖南省人民政府门户网站"),
                          ("http://sft.hunan.gov.cn/", "湖南省司法厅网站"),
                          ("http://www.moj.gov.cn/", "中华人民共和国司法部网站")))
    hot = "".join(f'<li><a href="{PREFIX}{name}/rdzt/{9000 + i}.html">{_e(t)}</a></li>'
                  for i, t in enumerate((
                      "全市法治政府建设推进会召开", "关于开展行政执法案卷评查的通知",
                      "我县公共法律服务中心正式启用", "“八五”普法中期评估工作部署会召开")))
    return (f'<div class="side"><div class="box"><h3>热点信息</h3><ul class="hot">{hot}</ul>'
            f'</div><div class="box"><h3>相关链接</h3><ul class="links">{related}</ul>'
            "</div></div>")


def _chrome_bottom(name: str) -> str:
    return (f'<div class="footer"><p><a href="{PREFIX}{name}/wzdt/">网站地图</a> | '
            f'<a href="{PREFIX}{name}/lxwm/">联系我们</a> | '
            f'<a href="{PREFIX}{name}/mzsm/">免责声明</a></p>'
            f"<p>主办单位：{SOURCE}　网站标识码：4303210001　湘ICP备05001234号</p></div>")


def _page(name: str, title: str, main: str, *, charset: str | None = "utf-8",
          head: str = "") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' \
        if charset else ""
    return (f"<!DOCTYPE html><html><head>{meta}<title>{_e(title)}</title>{head}</head><body>"
            f"{_chrome_top(name)}<div class=\"container\">{_sidebar(name)}"
            f'<div class="main">{main}</div></div>{_chrome_bottom(name)}</body></html>')


def _pager(page: int, pages: int, link: Callable[[int], str], *, numbers: bool = True,
           total: bool = False, labels: tuple[str, str] = ("上一页", "下一页")) -> str:
    parts = [f'<a href="{_e(link(1))}">首页</a>']
    if page > 1:
        parts.append(f'<a href="{_e(link(page - 1))}">{_e(labels[0])}</a>')
    if numbers:
        parts += [f'<a href="{_e(link(p))}">{p}</a>' if p != page else f"<span>{p}</span>"
                  for p in range(1, pages + 1)]
    if page < pages:
        parts.append(f'<a href="{_e(link(page + 1))}">{_e(labels[1])}</a>')
    parts.append(f'<a href="{_e(link(pages))}">尾页</a>')
    count = f"<span>共{pages}页</span> " if total else ""
    return f'<div class="page">{count}{" ".join(parts)}</div>'


# -- list pages, one renderer per layout ---------------------------------------------------

def _trs(layout: Layout, page: int) -> str:
    items = "".join(f'<li><a href="{_e(a.href)}" target="_blank" title="{_e(a.title)}">'
                    f"{_e(a.title)}</a><span>{a.date.isoformat()}</span></li>"
                    for a in layout.chunk(page))
    script = (f'<script type="text/javascript">var currentPage = {page - 1};'
              f'var countPage = {layout.pages};'
              f'createPageHTML({layout.pages}, {page - 1}, "index", "html");</script>')
    return _page(layout.name, "通知公告", f'<div class="list"><ul>{items}</ul>'
                 f'<div class="page">{script}</div></div>')


def _jcms_records(layout: Layout, start: int, end: int) -> str:
    return "".join(
        f'<record><![CDATA[<li><a href="{_e(a.href)}" target="_blank" title="{_e(a.title)}">'
        f"{_e(a.title)}</a><span>{a.date.isoformat()}</span></li>]]></record>"
        for a in layout.articles[start - 1:end])


def _jcms(layout: Layout, page: int) -> str:
    total = len(layout.articles)
    proxy = f"{PREFIX}jcms/module/web/jpage/dataproxy.jsp"
    store = (f'<datastore><nextgroup><![CDATA[<a href="{proxy}?page=1&webid=1&path=/'
             f'&columnid=3001&unitid=8001&webname=demo&permissiontype=0"></a>]]></nextgroup>'
             f"<totalrecord>{total}</totalrecord><totalpage>{layout.pages}</totalpage>"
             f"<recordset>{_jcms_records(layout, 1, PER_PAGE)}</recordset></datastore>")
    main = ('<div class="lm-title">通知公告</div><div id="8001">'
            f'<script type="text/xml">{store}</script>'
            "<script>$(function(){$('#8001').jpage({dataStore: dataStore, "
            f"proxyUrl: '{proxy}', perPage: {PER_PAGE}, totalRecord: {total}}});}});"
            "</script></div>")
    return _page(layout.name, "通知公告", main)


def jcms_dataproxy(layout: Layout, start: int, end: int) -> str:
    return (f"<datastore><totalrecord>{len(layout.articles)}</totalrecord>"
            f"<recordset>{_jcms_records(layout, start, end)}</recordset></datastore>")


def _dahan(layout: Layout, page: int) -> str:
    rows = "".join(f'<tr><td class="xh">{(page - 1) * PER_PAGE + i + 1}</td>'
                   f'<td class="bt"><a href="{_e(a.href)}" target="_blank" '
                   f'title="{_e(a.title)}">{_e(a.title)}</a></td>'
                   f'<td class="rq">{a.date.isoformat()}</td></tr>'
                   for i, a in enumerate(layout.chunk(page)))
    pager = _pager(page, layout.pages,
                   lambda p: "index.html" if p == 1 else f"index.html?pageIndex={p}", total=True)
    return _page(layout.name, "信息公开目录", '<table class="xxgk-list" width="100%">'
                 "<tr><th>序号</th><th>标题</th><th>发布日期</th></tr>"
                 f"{rows}</table>{pager}")


def _nanwei(layout: Layout, page: int) -> str:
    blocks = "".join(f'<div class="news-item"><p class="tit"><a href="{_e(a.href)}" '
                     f'target="_blank">{_e(a.title)}</a></p>'
                     f'<p class="time">{a.date:%Y年%m月%d日}</p></div>'
                     for a in layout.chunk(page))
    pager = _pager(page, layout.pages,
                   lambda p: "index.html" if p == 1 else f"index_{p}.html")
    return _page(layout.name, "新闻中心", f'<div class="news-list">{blocks}</div>{pager}')


def _wanhu(layout: Layout, page: int) -> str:
    items = "".join(f'<li><span class="date">{a.date:%m-%d}</span>'
                    f'<a href="{_e(a.href)}" title="{_e(a.title)}">{_e(a.title)}</a></li>'
                    for a in layout.chunk(page))
    pager = _pager(page, layout.pages,
                   lambda p: "list.jsp" if p == 1 else f"list.jsp?page={p}", labels=("<", ">"))
    return _page(layout.name, "工作动态", f'<ul class="newslist">{items}</ul>{pager}',
                 charset=None)


def _kpy(layout: Layout, page: int) -> str:
    items = "".join(f'<li><a href="{_e(a.href)}" target="_blank">{_e(a.title)}</a>'
                    f'<em>{a.date:%Y/%m/%d}</em></li>' for a in layout.chunk(page))
    pager = _pager(page, layout.pages,
                   lambda p: "index.html" if p == 1 else f"index_{p - 1}.html",
                   numbers=False, total=True)
    return _page(layout.name, "通知公告", f'<div class="listcon"><ul>{items}</ul></div>{pager}')


def _langchao(layout: Layout, page: int) -> str:
    entries = "".join(f'<p class="row"><span>·</span><a href="{_e(a.href)}">{_e(a.title)}</a>'
                      f"<i>{a.date:%Y.%m.%d}</i></p>" for a in layout.chunk(page))
    pager = _pager(page, layout.pages,
                   lambda p: "list.html" if p == 1 else f"list.html?pageNo={p}")
    return _page(layout.name, "政府信息公开", f'<div class="lb">{entries}</div>{pager}')


def _gkmlpt(layout: Layout, page: int) -> str:
    head = ('<script type="text/javascript">window._CONFIG = {sid: "757", classify: 2658};'
            'var listApi = "/gen/gkmlpt/api/all/2658?page=1&sid=757";</script>')
    main = ('<div id="app"><div class="gkml-list" v-for="item in articles"></div>'
            '<p class="loading">正在加载……</p></div>')
    return _page(layout.name, "政府信息公开目录", main, head=head)


def gkmlpt_api(layout: Layout, page: int, base_url: str) -> dict[str, object]:
    china = dt.timezone(dt.timedelta(hours=8))
    return {
        "articles": [
            {"id": a.id, "title": a.title, "url": base_url + a.path,
             "publish_time": int(dt.datetime.combine(a.date, dt.time(10), china).timestamp()),
             "identifier": f"11430321/{a.date.year}-{a.id}"}
            for a in layout.chunk(page)],
        "classify": {"id": 2658, "name": "通知公告"},
        "total": len(layout.articles), "page": page, "size": PER_PAGE,
    }


def _zhongruan(layout: Layout, page: int) -> str:
    main = ('<ul id="list"></ul><script type="text/javascript">'
            '$.getJSON("data/list_1.json", function (d) { $.each(d.data, function (i, r) {'
            "$('#list').append('<li><a href=\"' + r.link + '\">' + r.title + '</a></li>');"
            "}); });</script>")
    return _page(layout.name, "通知公告", main)


def zhongruan_json(layout: Layout, page: int) -> dict[str, object]:
    return {"pageCount": layout.pages, "data": [
        {"title": a.title, "link": a.href, "pubDate": a.date.isoformat()}
        for a in layout.chunk(page)]}


def _dldd(layout: Layout, page: int) -> str:
    entries = "".join(f'<dd><span>[{a.date.isoformat()}]</span> '
                      f'<a href="{_e(a.href)}" target="_blank">{_e(a.title)}</a></dd>'
                      for a in layout.chunk(page))
    pager = _pager(page, layout.pages,
                   lambda p: "index.html" if p == 1 else f"list_{p}.html",
                   numbers=False, labels=("上页", "下页"))
    # No <meta> charset: the HTTP header alone says GB18030.
    return _page(layout.name, "查询", f'<dl class="cx-list"><dt>通知公告</dt>{entries}</dl>'
                 f"{pager}", charset=None)


LIST_RENDERERS: dict[str, Callable[[Layout, int], str]] = {
    "trs": _trs, "jcms": _jcms, "dahan": _dahan, "nanwei": _nanwei, "wanhu": _wanhu,
    "kpy": _kpy, "langchao": _langchao, "gkmlpt": _gkmlpt, "dldd": _dldd,
    "zhongruan": _zhongruan,
}
# Layouts whose article pages follow a known family's template.
ARTICLE_FAMILY = {"trs": "trs", "kpy": "trs", "jcms": "hanweb", "dahan": "hanweb"}
# The body container of the other layouts' article pages.
BODY_CLASS = {"nanwei": "article-con", "wanhu": "v_news_content", "langchao": "content",
              "gkmlpt": "article-content", "dldd": "cont", "zhongruan": "wz-body"}
ENCODING = {"dldd": "gb18030", "wanhu": "gbk"}
# What the HTTP header says: dldd tells the truth (and its pages nothing); wanhu's server
# says UTF-8 for pages written in GBK with no <meta> (a misdeclared charset).
DECLARED = {"dldd": "GB18030", "wanhu": "utf-8"}


def render_layout_article(layout: Layout, article: LayoutArticle) -> bytes:
    encoding = ENCODING.get(layout.name, "utf-8")
    family = ARTICLE_FAMILY.get(layout.name)
    if family is not None:
        return render_article(family, title=article.title, body_text=article.body_text,
                              publish_date=article.date.isoformat(), source=SOURCE,
                              url_path=article.path, encoding=encoding, variant=article.id)
    paragraphs = "".join(f"<p>{_e(line)}</p>" for line in article.body_text.split("\n")
                         if line.strip())
    main = (f'<div class="article"><h1>{_e(article.title)}</h1>'
            f'<div class="info">发布时间：{article.date.isoformat()}　来源：{SOURCE}</div>'
            f'<div class="{BODY_CLASS[layout.name]}">{paragraphs}</div>'
            '<div class="tools"><a href="javascript:window.print()">打印</a> '
            '<a href="javascript:window.close()">关闭</a></div></div>')
    charset = None if layout.name in DECLARED else "utf-8"
    page = _page(layout.name, f"{article.title}_{SOURCE}", main, charset=charset)
    return page.encode(encoding, errors="xmlcharrefreplace")


# -- serving --------------------------------------------------------------------------------

class LayoutSite:
    """Answers the requests under /gen/ for the layouts it holds."""

    def __init__(self, names: tuple[str, ...] = DEMO_LAYOUTS) -> None:
        self.layouts = build_layouts(names)
        self._articles = {a.path: (layout, a) for layout in self.layouts.values()
                          for a in layout.articles}

    def list_urls(self, name: str) -> list[str]:
        """Every list page of a layout's column (paths, with query), page 1 first."""
        layout = self.layouts[name]
        pages = range(2, layout.pages + 1)
        root = f"{PREFIX}{name}/"
        extra = {
            "trs": [f"{root}index_{p - 1}.html" for p in pages],
            # One POST to the dataproxy for the rest (the crawler's default 15 per page).
            "jcms": [f"{root}module/web/jpage/dataproxy.jsp?startrecord={PER_PAGE + 1}"
                     f"&endrecord={len(layout.articles)}&perpage=15"],
            "dahan": [f"{root}col/col3002/index.html?pageIndex={p}" for p in pages],
            "nanwei": [f"{root}xwzx/index_{p}.html" for p in pages],
            "wanhu": [f"{root}list.jsp?page={p}" for p in pages],
            "kpy": [f"{root}xxgk/tzgg/index_{p - 1}.html" for p in pages],
            "langchao": [f"{root}xxgk/list.html?pageNo={p}" for p in pages],
            "gkmlpt": [f"{root}api/all/2658?page={p}&sid=757" for p in range(1, layout.pages + 1)],
            "dldd": [f"{root}cx/list_{p}.html" for p in pages],
            "zhongruan": [f"{root}tzgg/data/list_{p}.json" for p in range(1, layout.pages + 1)],
        }[name]
        return [layout.start_path, *extra]

    def article_paths(self, name: str) -> list[str]:
        return [a.path for a in self.layouts[name].articles]

    def get(self, path: str, query: str, base_url: str) -> Response | None:
        """The answer to a GET of `path`, or None when it is not a layout page."""
        if not path.startswith(PREFIX):
            return None
        found = self._articles.get(path + (f"?{query}" if query else ""))
        if found is not None:
            layout, article = found
            ctype = f"text/html; charset={DECLARED.get(layout.name, 'utf-8')}"
            return Response(200, render_layout_article(layout, article), ctype)
        name = path[len(PREFIX):].split("/", 1)[0]
        column = self.layouts.get(name)
        if column is None:
            return None
        layout = column
        params = {k: v[0] for k, v in parse_qs(query).items()}
        page = self._page_of(layout, path[len(PREFIX) + len(name):], params)
        if page is None or not 1 <= page <= layout.pages:
            return None
        rest = path[len(PREFIX) + len(name):]
        if name == "gkmlpt" and rest.startswith("/api/"):
            body = json.dumps(gkmlpt_api(layout, page, base_url), ensure_ascii=False)
            return Response(200, body.encode(), "application/json;charset=UTF-8")
        if name == "zhongruan" and rest.endswith(".json"):
            body = json.dumps(zhongruan_json(layout, page), ensure_ascii=False)
            return Response(200, body.encode(), "application/json")
        markup = LIST_RENDERERS[name](layout, page)
        encoding = ENCODING.get(name, "utf-8")
        return Response(200, markup.encode(encoding, errors="xmlcharrefreplace"),
                        f"text/html; charset={DECLARED.get(name, 'utf-8')}")

    def _page_of(self, layout: Layout, rest: str, params: dict[str, str]) -> int | None:
        """Which list page (1-based) `rest` (the path below /gen/{name}) asks for."""
        start = layout.start_path[len(PREFIX) + len(layout.name):]
        directory = start.rsplit("/", 1)[0] + "/"
        if rest == start:
            for key in ("pageIndex", "page", "pageNo"):
                if key in params:
                    return int(params[key]) if params[key].isdigit() else None
            return 1
        if not rest.startswith(directory):
            if layout.name == "gkmlpt" and rest == "/api/all/2658" and params.get("sid") == "757":
                return int(params["page"]) if params.get("page", "").isdigit() else None
            return None
        leaf = rest[len(directory):]
        for stem, zero_based in (("index_", layout.name in ("trs", "kpy")),
                                 ("list_", False), ("data/list_", False)):
            if leaf.startswith(stem) and leaf.rsplit(".", 1)[0][len(stem):].isdigit():
                number = int(leaf.rsplit(".", 1)[0][len(stem):])
                if layout.name == "zhongruan" and stem != "data/list_":
                    return None
                return number + 1 if zero_based else number
        return None

    def post(self, path: str, query: str, form: dict[str, str]) -> Response | None:
        """The jcms layout's dataproxy."""
        if path != f"{PREFIX}jcms/module/web/jpage/dataproxy.jsp" or "jcms" not in self.layouts:
            return None
        params = {k: v[0] for k, v in parse_qs(query).items()}
        try:
            start, end = int(params["startrecord"]), int(params["endrecord"])
        except (KeyError, ValueError):
            return Response(400, b"bad dataproxy request", "text/plain")
        if form.get("columnid") != "3001" or start < 1 or end < start:
            return Response(400, b"bad dataproxy request", "text/plain")
        body = jcms_dataproxy(self.layouts["jcms"], start, end)
        return Response(200, body.encode(), "text/html;charset=UTF-8")

