"""The demo portal as a real HTTP server on a real socket (stdlib ThreadingHTTPServer).

    with DemoSite() as site:            # binds 127.0.0.1 on a free port
        harvest(load_profile("demo-hunan", base_url=site.base_url), ...)
        site.set_revision(2)            # one article changes (new body, ETag, Last-Modified)

Article pages carry an ETag and Last-Modified and answer conditional GETs with 304; list
pages carry neither, as CMS list pages usually do. Every request lands in `site.requests`,
with how many requests were in flight when it arrived (`in_flight`, itself included; a
request stops counting just before its last byte is written, so a client that has its whole
answer never sees it as open), and `site.peak_in_flight` keeps the highest count.

Under /gen/ it also serves columns of CMS layouts no profile knows (`layouts=`; by default
the two of `demo.layouts.DEMO_LAYOUTS`, read by sites/demo-generic.yaml).

Fault hooks for tests: `set_fault(path, behaviour)` makes any article path misbehave (see
`Behaviour`; e.g. "drip" sends `drip_bytes` every `drip_seconds`; /robots.txt takes "slow"
and "drip" too), and `set_robots(status)` makes /robots.txt answer with that status instead
of its rules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import gzip
import hashlib
import html
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from demo.layouts import DEMO_LAYOUTS, LayoutSite
from demo.serving import BackgroundServer
from demo.site import (
    DEFAULT_SCALE,
    HUNAN_SITE,
    OVERSIZED_BYTES,
    ROBOTS_DISALLOW,
    STATIC_PAGES,
    Article,
    Behaviour,
    Column,
    SiteContent,
    build_site,
)

GZIP_BOMB_BYTES = 64 * 1024 * 1024
_HUNAN_LIST = re.compile(rf"^/{HUNAN_SITE}/(\w+)/index(?:_(\d+))?\.htm$")
_HUNAN_JSP = re.compile(rf"^/{HUNAN_SITE}/(\w+)/index\.jsp$")
_TRS_LIST = re.compile(r"^/trs/(\w+)/index(?:_(\d+))?\.html$")
_HANWEB_LIST = re.compile(r"^/col/col(\d+)/index\.html$")
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
_UNIT_BASE = 5000  # hanweb unitid = _UNIT_BASE + column id
ATTACHMENT_LAST_MODIFIED = "Thu, 11 May 2023 08:40:00 GMT"
_MOVED_SUFFIX = "_moved.html"


def moved_path(path: str) -> str:
    """Where a "moved" article's path (or URL) redirects to with a 301."""
    return path.removesuffix(".html") + _MOVED_SUFFIX


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str  # path plus query
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None
    at: float  # time.monotonic()
    in_flight: int = 1  # requests in flight when this one arrived, itself included


def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * GZIP_BOMB_BYTES, compresslevel=9)


class DemoSite(BackgroundServer):
    """A replica government portal; start()/stop() or use as a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        revision: int = 1,
        *,
        scale: int = DEFAULT_SCALE,
        per_page: int | None = None,
        slow_seconds: float = 0.5,
        drip_seconds: float = 0.5,
        drip_bytes: int = 1,
        layouts: tuple[str, ...] = DEMO_LAYOUTS,
    ) -> None:
        self.revision = revision
        self.slow_seconds = slow_seconds
        self.drip_seconds, self.drip_bytes = drip_seconds, drip_bytes
        self.content: SiteContent = build_site(scale, per_page)
        self._by_path = self.content.by_path
        self._columns = {c.col_id: c for c in self.content.columns}
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._hits: Counter[str] = Counter()
        self._cache: dict[tuple[int, int], tuple[bytes, str]] = {}
        self._bomb: bytes | None = None
        self._faults: dict[str, Behaviour] = {}
        self._robots_status = 200
        # Columns of CMS layouts no profile knows, under /gen/ (demo.layouts).
        self.layouts = LayoutSite(layouts)
        self._in_flight = 0
        self.peak_in_flight = 0
        handler = type("Handler", (_Handler,), {"site": self})
        super().__init__(handler, host, port, name="demosite")

    # -- test hooks --------------------------------------------------------------------
    def set_revision(self, revision: int) -> None:
        """Switch revisable articles (the Xiangtan plan) to another revision of their body."""
        with self._lock:
            self.revision = revision

    def churn(self, *, new: int, changed: int) -> tuple[list[str], list[str]]:
        """Publish `new` articles and revise `changed` existing ones (benchmarks, tests).

        New articles are copies of existing variants under fresh ids and today's date, so
        they head their column's list; revised ones get the revision note appended.
        Returns (new urls, changed urls); the first churn also revises the articles that
        are revisable from the start (as `set_revision(2)` would).
        """
        with self._lock:
            normal = sorted((a for a in self.content.articles.values()
                             if a.behaviour == "normal" and not a.revisable and not a.attachments),
                            key=lambda a: a.id)
            step = max(1, len(normal) // max(1, changed + new))
            picked = normal[::step]
            to_revise, to_copy = picked[:changed], picked[changed:changed + new]
            if self.revision < 2:  # the articles revisable from the start change too
                to_revise += [a for a in self.content.articles.values() if a.revisable]
            for article in to_revise:
                article.revisable = True
            self.revision = max(self.revision, 2)
            next_id = max(self.content.articles) + 1
            added: list[Article] = []
            for offset, source in enumerate(to_copy):
                copy = replace(source, id=next_id + offset, path="",
                               title=f"{source.title}（补充）",
                               body_text=f"{source.body_text}\n（本文为补充通知。）",
                               publish_date=dt.date.today(), revisable=False)
                copy.__post_init__()
                self.content.articles[copy.id] = copy
                added.append(copy)
            self._by_path = self.content.by_path
        return ([self.article_url(a) for a in added], [self.article_url(a) for a in to_revise])

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def reset_faults(self) -> None:
        """Make one-shot faults (flaky 500, 429) fire again on their next request."""
        with self._lock:
            self._hits.clear()

    def set_fault(self, path: str, behaviour: Behaviour | None) -> None:
        """Make the article at `path` (a path or URL) answer as `behaviour` until cleared with
        None; the article's own behaviour otherwise."""
        path = urlsplit(path).path or path
        with self._lock:
            if behaviour is None:
                self._faults.pop(path, None)
            else:
                self._faults[path] = behaviour

    def set_robots(self, status: int = 200) -> None:
        """/robots.txt answers with `status` (its rules only with 200)."""
        with self._lock:
            self._robots_status = status

    def reset_peak(self) -> None:
        with self._lock:
            self.peak_in_flight = self._in_flight

    def warm(self) -> None:
        """Render every article now, so the first crawler is not the one paying for it."""
        for article in self.content.articles.values():
            self._rendered(article)

    def articles(self) -> list[Article]:
        return list(self.content.articles.values())

    def article_url(self, article: Article) -> str:
        return self.url(article.path)

    def column_url(self, column: Column) -> str:
        return self.url(column.index_path)

    # -- internals used by the handler -------------------------------------------------
    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def _enter(self) -> int:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            return self._in_flight

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _fault(self, path: str) -> Behaviour | None:
        with self._lock:
            return self._faults.get(path)

    def _hit(self, key: str) -> int:
        with self._lock:
            self._hits[key] += 1
            return self._hits[key]

    def _rendered(self, article: Article) -> tuple[bytes, str]:
        revision = self.revision if article.revisable else 1
        key = (article.id, revision)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            body = article.render(revision)
            cached = (body, '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
            with self._lock:
                self._cache[key] = cached
        return cached

    def _last_modified(self, article: Article) -> str:
        revision = self.revision if article.revisable else 1
        stamp = dt.datetime.combine(article.publish_date, dt.time(9), tzinfo=dt.UTC)
        stamp += dt.timedelta(days=30 * (revision - 1))
        return email.utils.format_datetime(stamp, usegmt=True)

    def gzip_bomb(self) -> bytes:
        with self._lock:
            if self._bomb is None:
                self._bomb = _gzip_bomb()
            return self._bomb


# -- page builders ----------------------------------------------------------------------------

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _page(title: str, inner: str, charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' \
        if charset else ""
    return (f"<!DOCTYPE html><html><head>{meta}<title>{_e(title)}</title></head><body>"
            f'<div class="header">{_e(title)}</div>{inner}'
            '<div class="footer">版权所有 演示站点</div></body></html>')


def _href(column: Column, article: Article) -> str:
    if column.family == "hunan":
        # Same directory as the list: relative, as the Hunan template writes them.
        prefix = f"/{HUNAN_SITE}/{column.col_id}/"
        return article.path.removeprefix(prefix) if article.path.startswith(prefix) \
            else article.path
    if column.family == "trs":
        return "." + article.path.removeprefix(f"/trs/{column.col_id}")
    return article.path


def _li(column: Column, article: Article) -> str:
    return (f'<li><a href="{_e(_href(column, article))}" target="_blank" '
            f'title="{_e(article.title)}">{_e(article.title)}</a>'
            f"<span>{article.publish_date.isoformat()}</span></li>")


def hunan_list(column: Column, items: list[Article], page: int, per: int) -> str:
    pages = max(1, -(-len(items) // per))
    chunk = items[page * per:(page + 1) * per]

    def link(p: int) -> str:
        if p == 0:
            return "index.htm"
        if p < STATIC_PAGES:
            return f"index_{p}.htm"
        return f"index.jsp?pager.offset={p * per}&amp;pager.desc=false"

    pager = [f'<a href="{link(0)}">首页</a>']
    if page > 0:
        pager.append(f'<a href="{link(page - 1)}">上一页</a>')
    pager += [f'<a href="{link(p)}">{p + 1}</a>' if p != page else f"<span>{p + 1}</span>"
              for p in range(pages)]
    if page + 1 < pages:
        pager.append(f'<a href="{link(page + 1)}">下一页</a>')
    pager.append(f'<a href="{link(pages - 1)}">尾页</a>')
    inner = (f'<div class="list-con"><h3>{_e(column.name)}</h3><ul class="list">'
             + "".join(_li(column, a) for a in chunk)
             + f'</ul><div class="pages">共{len(items)}条 {" ".join(pager)}</div></div>')
    return _page(f"{column.name}-{column.source}", inner, None)


def trs_list(column: Column, items: list[Article], page: int, per: int) -> str:
    pages = max(1, -(-len(items) // per))
    chunk = items[page * per:(page + 1) * per]
    inner = (f'<div class="list"><h3>{_e(column.name)}</h3><ul>'
             + "".join(_li(column, a) for a in chunk)
             + "</ul>"
             + '<div class="page"><script type="text/javascript">'
             + f'var currentPage = {page};var countPage = {pages};'
             + f'createPageHTML({pages}, {page}, "index", "html");</script></div></div>')
    return _page(f"{column.name}_{column.source}", inner, "utf-8")


def _records(column: Column, chunk: list[Article]) -> str:
    return "".join(f"<record><![CDATA[{_li(column, a)}]]></record>" for a in chunk)


def hanweb_datastore(column: Column, items: list[Article], start: int, end: int,
                     per: int, *, with_nextgroup: bool) -> str:
    unit = _UNIT_BASE + int(column.col_id)
    nextgroup = ""
    if with_nextgroup:
        nextgroup = (f'<nextgroup><![CDATA[<a href="{DATAPROXY}?page=1&webid=1&path=/'
                     f'&columnid={column.col_id}&unitid={unit}&webname=demo'
                     f'&permissiontype=0"></a>]]></nextgroup>')
    total_pages = max(1, -(-len(items) // per))
    return (f"<datastore>{nextgroup}<totalrecord>{len(items)}</totalrecord>"
            f"<totalpage>{total_pages}</totalpage>"
            f"<recordset>{_records(column, items[start - 1:end])}</recordset></datastore>")


def hanweb_list(column: Column, items: list[Article], per: int) -> str:
    unit = _UNIT_BASE + int(column.col_id)
    store = hanweb_datastore(column, items, 1, per, per, with_nextgroup=True)
    inner = (f'<div class="lm-title">{_e(column.name)}</div>'
             f'<div id="{unit}"><script type="text/xml">{store}</script>'
             '<script language="javascript" src="/module/jslib/jquery/jpage/jpage.js">'
             "</script><script>$(function(){$('#" + str(unit) + "').jpage({"
             f"dataStore: dataStore, proxyUrl: '{DATAPROXY}', perPage: {per}, "
             f"totalRecord: {len(items)}, groupSize: 1"
             "});});</script></div>")
    return _page(f"{column.name} {column.source}", inner, "utf-8")


def home_page(site: DemoSite) -> str:
    links = "".join(f'<li><a href="{_e(c.index_path)}">{_e(c.family)}: {_e(c.name)}</a></li>'
                    for c in site.content.columns)
    return _page("govharvest 演示站点", f"<ul>{links}</ul>", "utf-8")


ANTIBOT_PAGE = (
    b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    b"<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};"
    b"$_ts.nsd=84629;$_ts.cd=\"qqrrGcAlqGGqrGlEcGqrWaAl...\";</script>"
    b"<script type=\"text/javascript\" charset=\"utf-8\" src=\"/4QbVtADbnLVIc/c.FxJzG50F.js\""
    b" r='m'></script></head><body></body></html>"
)
JS_CHALLENGE_PAGE = ("<html><head><meta charset=\"utf-8\"></head><body><noscript>"
                     "<p>请开启JavaScript并刷新该页</p></noscript></body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    site: DemoSite  # bound per server by DemoSite.__init__
    protocol_version = "HTTP/1.1"
    server_version = "DemoGov/1.0"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed
    # ACK holds the body back ~40 ms per response. Real servers (nginx) set TCP_NODELAY too.
    disable_nagle_algorithm = True

    _arrived_in_flight = 0
    _open = False

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log replaces stderr noise

    def _begin(self) -> None:
        self._open = True
        self._arrived_in_flight = self.site._enter()

    def _end(self) -> None:
        """The request stops counting as in flight: called just before its last write."""
        if self._open:
            self._open = False
            self.site._leave()

    # -- plumbing ----------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str = "text/html",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        # Log before the client can see the response, so a test that just got its answer
        # always finds the request in the log.
        self._logged(status)
        if self.command == "HEAD" or not body:
            self._end()
        self.end_headers()
        if self.command != "HEAD" and body:
            self._end()
            self.wfile.write(body)

    def _logged(self, status: int) -> None:
        self.site._record(LoggedRequest(
            self.command, self.path, status, self.headers.get("If-None-Match"),
            self.headers.get("If-Modified-Since"), self.headers.get("User-Agent"),
            time.monotonic(), self._arrived_in_flight))

    def _redirect(self, status: int, location: str) -> None:
        self._send(status, b"", headers={"Location": location})

    def _not_found(self) -> None:
        self._send(404, _page("404 页面不存在", "<p>您访问的页面不存在</p>", "utf-8").encode())

    # -- routing -----------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self._begin()
        # The client may hang up mid-body (size caps and time budgets do that on purpose).
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route_get()
        finally:
            self._end()

    def do_POST(self) -> None:
        self._begin()
        try:
            self._post()
        finally:
            self._end()

    def _post(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        parts = urlsplit(self.path)
        flat = {k: v[0] for k, v in form.items()}
        if (answer := self.site.layouts.post(parts.path, parts.query, flat)) is not None:
            self._send(answer.status, answer.body, answer.content_type)
            return
        if parts.path != DATAPROXY:
            self._not_found()
            return
        query = parse_qs(parts.query)
        column = self.site._columns.get((form.get("columnid") or [""])[0])
        try:
            start = int(query["startrecord"][0])
            end = int(query["endrecord"][0])
            per = int(query.get("perpage", ["15"])[0])
        except (KeyError, ValueError):
            self._send(400, b"bad dataproxy request")
            return
        if column is None or column.family != "hanweb" or start < 1 or end < start:
            self._send(400, b"bad dataproxy request")
            return
        items = self.site.content.column_articles(column)
        store = hanweb_datastore(column, items, start, end, per, with_nextgroup=False)
        self._send(200, store.encode("utf-8"), "text/html;charset=UTF-8")

    def _route_get(self) -> None:
        site = self.site
        parts = urlsplit(self.path)
        path = parts.path
        per = site.content.per_page
        if path == "/robots.txt":
            status = site._robots_status
            if status != 200:
                self._send(status, f"robots.txt: HTTP {status}".encode(), "text/plain")
                return
            body = f"User-agent: *\nDisallow: {ROBOTS_DISALLOW}\n".encode()
            fault = site._fault(path)  # "slow" and "drip" apply here too
            if fault == "slow":
                time.sleep(site.slow_seconds)
            if fault == "drip":
                self._drip(body, "text/plain")
                return
            self._send(200, body, "text/plain")
            return
        if path in ("/", "/index.html"):
            self._send(200, home_page(site).encode("utf-8"), "text/html; charset=utf-8")
            return
        if (m := _HUNAN_LIST.match(path)) or (m := _HUNAN_JSP.match(path)):
            column = site._columns.get(m.group(1))
            if column is None or column.family != "hunan":
                self._not_found()
                return
            if path.endswith(".jsp"):
                offset = int(parse_qs(parts.query).get("pager.offset", ["0"])[0])
                page = offset // per
            else:
                page = int(m.group(2) or 0)
                if page >= STATIC_PAGES:  # the template stops generating static pages
                    self._not_found()
                    return
            items = site.content.column_articles(column)
            # GBK with no charset anywhere, the Hunan template's habit.
            body = hunan_list(column, items, page, per).encode("gbk", "xmlcharrefreplace")
            self._send(200, body, "text/html")
            return
        if m := _TRS_LIST.match(path):
            column = site._columns.get(m.group(1))
            if column is None or column.family != "trs":
                self._not_found()
                return
            items = site.content.column_articles(column)
            page = int(m.group(2) or 0)
            if page * per >= max(len(items), 1):
                self._not_found()
                return
            self._send_maybe_gzip(trs_list(column, items, page, per).encode("utf-8"),
                                  "text/html; charset=utf-8", {})
            return
        if m := _HANWEB_LIST.match(path):
            column = site._columns.get(m.group(1))
            if column is None or column.family != "hanweb":
                self._not_found()
                return
            items = site.content.column_articles(column)
            self._send(200, hanweb_list(column, items, per).encode("utf-8"),
                       "text/html; charset=utf-8")
            return
        if (answer := site.layouts.get(path, parts.query, site.base_url)) is not None:
            self._send(answer.status, answer.body, answer.content_type)
            return
        attachment = site.content.attachments.get(self.path) or \
            site.content.attachments.get(path)
        if attachment is not None:
            etag = '"' + hashlib.sha1(attachment.body).hexdigest()[:20] + '"'
            self._send_validated(attachment.body, attachment.content_type, etag,
                                 ATTACHMENT_LAST_MODIFIED)
            return
        if path.endswith(_MOVED_SUFFIX):
            target = site._by_path.get(path.removesuffix(_MOVED_SUFFIX) + ".html")
            if target is not None:
                self._article(target, moved_target=True)
                return
        article = site._by_path.get(path)
        if article is None:
            self._not_found()
            return
        self._article(article)

    def _send_maybe_gzip(self, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, compresslevel=5)
            headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        self._send(200, body, content_type, headers)

    def _article(self, article: Article, *, moved_target: bool = False) -> None:
        site = self.site
        behaviour = article.behaviour if not moved_target else "normal"
        behaviour = site._fault(article.path) or behaviour
        if behaviour == "missing":
            self._not_found()
            return
        if behaviour == "flaky" and site._hit(article.path) == 1:
            self._send(500, b"<html><body>Internal Server Error</body></html>")
            return
        if behaviour == "ratelimited" and site._hit(article.path) == 1:
            self._send(429, b"<html><body>Too Many Requests</body></html>",
                       headers={"Retry-After": "1"})
            return
        if behaviour == "slow":
            time.sleep(site.slow_seconds)
        if behaviour == "antibot":
            self._send(412, ANTIBOT_PAGE, "text/html; charset=utf-8")
            return
        if behaviour == "jschallenge":
            self._send(200, JS_CHALLENGE_PAGE, "text/html; charset=utf-8")
            return
        if behaviour == "offsite":
            self._redirect(302, "http://www.example.com/art/2024/1/1/art_1_1.html")
            return
        if behaviour == "private":
            self._redirect(302, "http://10.20.30.40/internal/content_1.html")
            return
        if behaviour == "scheme":
            self._redirect(302, "file:///etc/passwd")
            return
        if behaviour == "moved":
            self._redirect(301, moved_path(article.path))
            return
        if behaviour == "oversized":
            self._stream_oversized()
            return
        if behaviour == "drip":
            self._drip(site._rendered(article)[0])
            return
        if behaviour == "gzipbomb":
            self._send(200, site.gzip_bomb(), "text/html",
                       headers={"Content-Encoding": "gzip"})
            return
        body, etag = site._rendered(article)
        ctype = "text/html" if article.column.family == "hunan" or not article.declare_charset \
            else f"text/html; charset={article.encoding}"
        self._send_validated(body, ctype, etag, site._last_modified(article),
                             gzip_ok=article.column.family == "trs")

    def _send_validated(self, body: bytes, content_type: str, etag: str, last_modified: str,
                        *, gzip_ok: bool = False) -> None:
        """200 with ETag/Last-Modified, or 304 when the client's validators still match."""
        validators = {"ETag": etag, "Last-Modified": last_modified}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims == last_modified):
            self.send_response(304)
            for key, value in validators.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self._logged(304)
            self._end()
            self.end_headers()
            return
        if gzip_ok:
            self._send_maybe_gzip(body, content_type, validators)
        else:
            self._send(200, body, content_type, validators)

    def _drip(self, body: bytes, content_type: str = "text/html") -> None:
        """The whole body announced, then sent `drip_bytes` at a time `drip_seconds` apart:
        every read is quick, the response as a whole is not."""
        site = self.site
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self._logged(200)
        self.end_headers()
        step = max(1, site.drip_bytes)
        for start in range(0, len(body), step):
            if start + step >= len(body):
                self._end()
            self.wfile.write(body[start:start + step])
            self.wfile.flush()
            if start + step < len(body):
                time.sleep(site.drip_seconds)

    def _stream_oversized(self) -> None:
        # No Content-Length: the client must enforce its cap while streaming.
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = ("<p>" + "法治建设" * 1000 + "</p>\n").encode()
        sent = 0
        try:
            self.wfile.write(b"<html><body>")
            while sent < OVERSIZED_BYTES:
                self.wfile.write(chunk)
                sent += len(chunk)
            self._end()
            self.wfile.write(b"</body></html>")
        finally:
            self._logged(200)
