"""A hostile government portal on 127.0.0.1: one list page, one misbehaving article per case.

    with HostileSite() as site:             # binds 127.0.0.1 on a free port
        site.url("/list.html")              # the column page listing every case
        site.requests                       # every request it answered, in order

Each case is a list entry (dated, so the generic family takes its link) plus an article path
under /a/ that misbehaves in one way: see `CASES` and tests/hostile/README.md. Bodies of the
articles that should load are real plans (the reference seeds), so the parser accepts them.

The server is bounded: streamed bodies stop at a fixed size or when the client hangs up, the
drip stops after `DRIP_SECONDS`, and a watchdog shuts the whole server down after `lifetime`
seconds even if a test forgets to. It never connects anywhere itself. Requests in absolute
form (`GET http://10.0.0.1/ HTTP/1.1`) are what a client sends to a proxy: the tests point
HTTP_PROXY here, so a harvester that tried to reach a refused host would show up in
`site.proxied` instead of touching the network.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Self
from urllib.parse import urlsplit

from demo.serving import BackgroundServer
from tests.conftest import seed_text

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
OFFHOST_TARGET = "http://evil.example.net/a/stolen.html"
PRIVATE_TARGET = "http://10.0.0.1/"
HUGE_BYTES = 200 * 1024 * 1024  # streamed, never held
BOMB_INFLATED_BYTES = 256 * 1024 * 1024  # gzip of this many spaces is ~250 KB
DRIP_INTERVAL = 0.5  # seconds between the drip's bytes
DRIP_SECONDS = 20.0  # the drip ends by itself after this long (bounded even with no budget)
NEST_SHALLOW = 300  # past libxml2's default depth limit (~255), within huge_tree's
NEST_DEEP = 10_000  # past any depth a parser keeps
LIST_DATE = "2024-03-01"
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile list entry: its article path, list title and the seed its body uses."""

    name: str
    title: str
    seed: str | None = None  # the reference document whose text the article carries
    edits: tuple[tuple[str, str], ...] = ()  # (old, new) replacements making a variant text


# Order is the list's order. No two loadable articles share a text: each has its own seed, or
# a variant of one (other year).
CASES: tuple[Case, ...] = (
    Case("good", "盐城经开区2023年法治建设工作计划", "001-yancheng-edz-2023-plan"),
    Case("offhost", "跳转到其他网站的文章"),
    Case("private", "跳转到内网地址的文章"),
    Case("loop", "循环跳转的文章"),
    Case("flaky", "先报500后正常的文章", "000-district-plan-redacted"),
    Case("ratelimited", "盐城经开区2024年法治建设工作计划", "001-yancheng-edz-2023-plan",
         edits=(("2023", "2024"),)),
    Case("drip", "逐字节缓慢返回的文章"),
    Case("huge", "200MB正文的文章"),
    Case("bomb", "gzip炸弹文章"),
    Case("antibot", "瑞数反爬412页面"),
    Case("nested300", "湘潭市法治建设实施方案(300层嵌套)", "004-xiangtan-2021-2025-plan"),
    Case("nested10000", "西岗区法治建设工作总结(10000层嵌套)", "003-xigang-summary-traditional"),
    Case("xss", f"人和镇2022年{XSS_SCRIPT}{XSS_ATTR}法治建设工作要点",
         "002-renhe-town-2022-points"),
)
CASE_NAMES = tuple(c.name for c in CASES)
XSS_ISSUER = f"人和镇人民政府{XSS_SCRIPT}{XSS_ATTR}"
# One list of lead units in seed 002, and the same list with markup in two agency names.
XSS_UNITS_PLAIN = "(牵头单位:党政综合办、党建工作办、综治办、人和司法所)"
XSS_UNITS = f"(牵头单位:党政综合办、党建工作办、{XSS_SCRIPT}综治办、{XSS_ATTR}人和司法所)"


def article_path(name: str) -> str:
    return f"/a/{name}.html"


def seed_lines(seed: str) -> list[str]:
    return [line for line in seed_text(seed).splitlines() if line.strip()]


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    target: str  # the request target as sent: a path, or an absolute URL (proxy form)
    host: str | None
    status: int
    at: float  # time.monotonic()

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def nested(paragraphs: list[str], depth: int) -> str:
    """Paragraphs inside `depth` levels of <font> opened a few at a time before each one and
    closed at the end, as Word-exported pages pile up unclosed font tags: the text sinks
    deeper as the page goes on, so a parser that stops at some depth keeps only its start."""
    out: list[str] = []
    count = len(paragraphs)
    for i, paragraph in enumerate(paragraphs):
        opened = depth * (i + 1) // count - depth * i // count
        out.append("<font>" * opened + paragraph)
    return "".join(out) + "</font>" * depth


def article_html(title: str, lines: list[str], *, h1: str | None = None,
                 source: str = "湘潭市司法局", nest: int = 0) -> bytes:
    """A TRS-style article page: metadata tags, a heading, the body in `.TRS_Editor` (its
    paragraphs `nested` in `nest` levels of <font> when asked). Every text is escaped, so
    markup in a title or agency name arrives as text, as a CMS would serve it."""
    paragraphs = [f"<p>{_e(line)}</p>" for line in lines]
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{_e(title)}_演示政府网</title>"
        f'<meta name="ArticleTitle" content="{_e(title)}">'
        f'<meta name="PubDate" content="{LIST_DATE} 09:00">'
        f'<meta name="ContentSource" content="{_e(source)}">'
        '</head><body><div class="header">演示政府网 法治建设</div>'
        f"<h1>{_e(h1 or title)}</h1>"
        f'<div class="TRS_Editor">{nested(paragraphs, nest)}</div>'
        '<div class="footer">版权所有 演示政府网</div></body></html>'
    ).encode()


def list_html() -> bytes:
    items = "".join(
        f'<li><a href="{_e(article_path(c.name))}" title="{_e(c.title)}">{_e(c.title)}</a>'
        f"<span>{LIST_DATE}</span></li>"
        for c in CASES
    )
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治建设_演示政府网</title>'
            f'</head><body><h3>法治建设</h3><ul class="list">{items}</ul></body></html>'
            ).encode()


def case_article(case: Case) -> bytes:
    """The article a case serves once it stops misbehaving (or always, for good ones)."""
    assert case.seed is not None, case.name
    lines = seed_lines(case.seed)
    for old, new in case.edits:
        lines = [line.replace(old, new) for line in lines]
    if case.name == "xss":
        # Markup in the title, the heading, the issuer and two agency names in the text.
        lines = [line.replace(XSS_UNITS_PLAIN, XSS_UNITS) for line in lines]
        return article_html(case.title, lines, h1=f"{XSS_SCRIPT}{XSS_ATTR}工作要点",
                            source=XSS_ISSUER)
    nest = {"nested300": NEST_SHALLOW, "nested10000": NEST_DEEP}.get(case.name, 0)
    return article_html(case.title, lines, nest=nest)


ANTIBOT_BODY = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b"<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};"
    b'$_ts.nsd=84629;$_ts.cd="qqrrGcAlqGGqrGlEcGqrWaAl";</script>'
    b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.js"'
    b" r='m'></script></head><body></body></html>"
)


def _huge_chunks() -> Iterator[bytes]:
    """HUGE_BYTES of article-looking HTML, a chunk at a time."""
    paragraph = ("<p>" + "推进法治政府建设" * 60 + "</p>\n").encode("utf-8")
    chunk = paragraph * (_CHUNK // len(paragraph))
    yield b'<html><body><div class="TRS_Editor">'
    sent = 0
    while sent < HUGE_BYTES:
        yield chunk
        sent += len(chunk)


def _gzip_bomb() -> bytes:
    """A gzip stream of BOMB_INFLATED_BYTES of spaces inside an article, built a MB at a
    time (the inflated text never exists here either)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b'<html><body><div class="TRS_Editor">')]
    block = b" " * (1024 * 1024)
    parts += [packer.compress(block) for _ in range(BOMB_INFLATED_BYTES // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


class HostileSite(BackgroundServer):
    """start()/stop() or a context manager; `lifetime` bounds how long it serves."""

    def __init__(self, *, robots_status: int = 404, lifetime: float = 300.0) -> None:
        self.robots_status = robots_status
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._hits: Counter[str] = Counter()
        self._bomb: bytes | None = None
        self._streamed: Counter[str] = Counter()  # body bytes written, per article name
        self._pages = {c.name: case_article(c) for c in CASES if c.seed is not None}
        self._watchdog: threading.Timer | None = None
        self._stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"site": self})
        super().__init__(handler, "127.0.0.1", 0, name="hostile")

    # -- lifecycle: BackgroundServer's, plus the watchdog ------------------------------
    def start(self) -> Self:
        super().start()
        self._watchdog = threading.Timer(self.lifetime, self.stop)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends drips and streams still being written
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.cancel()
        super().stop()

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    @property
    def proxied(self) -> list[LoggedRequest]:
        """Requests that arrived in proxy form: a client tried to reach another host."""
        return [r for r in self.requests if r.method == "CONNECT" or "://" in r.target]

    def hits(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.target == path]

    # -- used by the handler -----------------------------------------------------------
    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def _hit(self, key: str) -> int:
        with self._lock:
            self._hits[key] += 1
            return self._hits[key]

    def _sent(self, name: str, size: int) -> None:
        with self._lock:
            self._streamed[name] += size

    def streamed(self, name: str) -> int:
        """Body bytes written for article `name` so far, over all its requests."""
        with self._lock:
            return self._streamed[name]

    def gzip_bomb(self) -> bytes:
        with self._lock:
            if self._bomb is None:
                self._bomb = _gzip_bomb()
            return self._bomb

    def page(self, name: str) -> bytes:
        return self._pages[name]


class _Handler(BaseHTTPRequestHandler):
    site: HostileSite  # bound per server by HostileSite.__init__
    protocol_version = "HTTP/1.1"
    server_version = "HostileGov/1.0"
    disable_nagle_algorithm = True  # the drip's single bytes go out one by one

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log replaces stderr noise

    def handle(self) -> None:
        # A client that hung up mid-body (size caps, time budgets) resets the connection.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def _logged(self, status: int) -> None:
        self.site._record(LoggedRequest(self.command, self.path, self.headers.get("Host"),
                                        status, time.monotonic()))

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self._logged(status)  # before the client can see the answer
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _open_stream(self, headers: dict[str, str] | None = None) -> None:
        """200 with no Content-Length: the body ends when the connection closes, so the
        client has to enforce its own caps while reading."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self._logged(200)
        self.end_headers()
        self.close_connection = True

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_CONNECT(self) -> None:  # an HTTPS proxy tunnel: someone tried to leave 127.0.0.1
        self._send(502, b"this test server is not a proxy")

    def do_GET(self) -> None:
        self._route()

    def _route(self) -> None:
        site = self.site
        if "://" in self.path:  # proxy form: somebody tried to leave 127.0.0.1 through us
            self._send(502, b"this test server is not a proxy")
            return
        path = urlsplit(self.path).path
        if path == "/robots.txt":
            self._send(site.robots_status, b"User-agent: *\nAllow: /\n"
                       if site.robots_status == 200 else b"robots.txt unavailable",
                       "text/plain")
            return
        if path == "/list.html":
            self._send(200, list_html())
            return
        name = path.removeprefix("/a/").removesuffix(".html")
        if not path.startswith("/a/") or name not in (*CASE_NAMES, "loop-2"):
            self._send(404, b"<html><body>404</body></html>")
            return
        self._article(name)

    def _article(self, name: str) -> None:
        site = self.site
        if name == "offhost":
            self._send(302, b"", headers={"Location": OFFHOST_TARGET})
        elif name == "private":
            self._send(302, b"", headers={"Location": PRIVATE_TARGET})
        elif name == "loop":
            self._send(302, b"", headers={"Location": article_path("loop-2")})
        elif name == "loop-2":
            self._send(302, b"", headers={"Location": article_path("loop")})
        elif name == "flaky" and site._hit(name) == 1:
            self._send(500, b"<html><body>Internal Server Error</body></html>")
        elif name == "ratelimited" and site._hit(name) == 1:
            self._send(429, b"<html><body>Too Many Requests</body></html>",
                       headers={"Retry-After": "1"})
        elif name == "drip":
            self._drip()
        elif name == "huge":
            self._open_stream()
            for chunk in _huge_chunks():
                if site._stopping.is_set():
                    break
                self.wfile.write(chunk)
                site._sent(name, len(chunk))
        elif name == "bomb":
            self._send(200, site.gzip_bomb(), headers={"Content-Encoding": "gzip"})
        elif name == "antibot":
            self._send(412, ANTIBOT_BODY)
        else:
            self._send(200, site.page(name))

    def _drip(self) -> None:
        """An article one byte every DRIP_INTERVAL seconds, for DRIP_SECONDS at most."""
        self._open_stream()
        body = article_html("逐字节缓慢返回的文章", ["法治建设" * 100])
        deadline = time.monotonic() + DRIP_SECONDS
        for byte in body:
            if time.monotonic() > deadline or self.site._stopping.is_set():
                break
            self.wfile.write(bytes((byte,)))
            self.wfile.flush()
            self.site._sent("drip", 1)
            time.sleep(DRIP_INTERVAL)

