"""A list page read by its structure: the entries block, the further pages, JSON lists.

No profile needed. The article list of a column page is the page's best *repeated block*:
elements with the same tag path (ancestors' tags, ids and classes, then the entry's own tag;
`li`, `dd`, `tr`, `div`, `p`, whatever the CMS uses) that each hold one main link. Every
group of such elements is scored, and one rule explains the layouts we meet:

    entry   = 1 + min(link text, 20 chars) / 10 + 1 if the URL has a known article shape
              (no entry for a link off the host, to another column (`.../`, `index.html`),
              or with fewer than MIN_TITLE_CHARS of text, unless the entry is dated:
              navigation, footers, pagers)
              divided by the number of title-like links it holds (a container is no entry)
    block   = sum(entry) * (1 + 2 * share of entries with a date) * share of distinct texts

so a dated list of long titles beats a menu, a "related links" box, a footer, a pager and
an undated sidebar of recommended articles. A block needs MIN_ITEMS entries, or every entry
dated, or the tag path a column's first page was read by (`prefer`: its last page may hold
one entry). Dates are matched by `transform.selectors.DATE` (2023-04-13, [2023/04/13],
2023.04.13, 2023年4月13日) or, without a year, `MONTH_DAY` (04-13).

Further pages (`detect_paging`): TRS `createPageHTML(count, ...)`, a Hanweb datastore, a
URL template read off the numbered / next links (`list_{n}.html`, `?page={n}`) with the
count a page announces ("共N页"), or just the pager links; and JSON list endpoints that a
page's scripts name (`/api/...?page=1`, `data/list_1.json`), read by `json_entries`.

lxml, not BeautifulSoup: the walker already holds the page as an lxml tree, and the
analysis is a walk over ancestors and CSS selectors that lxml does directly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from transform.selectors import DATE, MONTH_DAY

MIN_ITEMS = 3  # siblings that make a repeated block on their own
MIN_TITLE_CHARS = 5  # shorter link texts are menu entries, pager labels, "more" links
MIN_DATED_TITLE_CHARS = 2  # ...unless the entry carries a date: menus and pagers do not
TITLE_CHARS_CAP = 20  # longer titles earn no more
MAX_ITEM_DEPTH = 6  # ancestors of a link considered as its entry
MAX_ENTRY_LINKS = 8  # an element holding more links is a container, not one entry
SKIPPED_HREF = ("javascript:", "#", "mailto:", "tel:")
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title",
                          "option", "select"})
# A column (list) page rather than an article: a directory, or index/list/default pages.
COLUMN_NAME = re.compile(r"^(?:index|default|list|main|more)(?:_\d+)?\.\w+$", re.I)
IDENT = re.compile(r"^[A-Za-z_][\w-]*$")
# Pager links: labels and URL forms of further list pages.
NEXT_LABELS = frozenset({"下一页", "下页", "后页", "下一頁", ">", "›", "»", ">>", "next",
                         "尾页", "末页", "最后一页"})
NEXT_STEP = frozenset({"下一页", "下页", "后页", "下一頁", ">", "›", "next"})  # one page on
PAGE_NUMBER_LABEL = re.compile(r"^\[?(\d{1,4})\]?$")
PAGE_URL = re.compile(
    r"(?:/(?:index|list|default|more|page)[_-]?\d+\.\w+$)"
    r"|(?:[?&](?:page|pageNo|pageNum|pageIndex|curPage|currentPage|p|pager\.offset)=\d+)",
    re.I)
PAGE_COUNT = re.compile(
    r"共\s*(\d+)\s*页|页次\s*[:：]?\s*\d+\s*/\s*(\d+)|\b\d+\s*/\s*(\d+)\s*页"
    r"|countPage\s*=\s*(\d+)|totalPages?\s*[=:]\s*['\"]?(\d+)")
TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']")
HANWEB_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
HANWEB_DATASTORE = re.compile(r"<nextgroup>|<totalrecord>", re.I)
# A JSON list endpoint named in a script: a quoted URL ending in .json, or carrying a page
# parameter set to its first page.
SCRIPT_URL = re.compile(r"[\"']((?:https?://|/|\.{1,2}/)?[\w./-]*?[\w-]+"
                        r"(?:\.json(?:\?[^\"'\s<>]*)?|(?:\.\w+)?\?[^\"'\s<>]*"
                        r"(?:page|pageNo|pageNum|pageIndex|curPage)=[01]\b[^\"'\s<>]*))[\"']")
JSON_PAGE_PARAM = re.compile(r"([?&](?:page|pageNo|pageNum|pageIndex|curPage)=)(\d+)")
JSON_PAGE_FILE = re.compile(r"(_)(\d+)(\.json)")
# JSON record fields, by what their keys say.
JSON_URL_KEYS = ("url", "link", "href", "linkurl", "docurl", "path", "art_url")
JSON_TITLE_KEYS = ("title", "doctitle", "subject", "name")
JSON_DATE_KEYS = ("date", "time", "pub", "publish", "created", "docreltime", "fbrq")
JSON_PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal")
JSON_TOTAL_KEYS = ("total", "totalcount", "totalrecord", "count", "recordcount")
JSON_SIZE_KEYS = ("size", "pagesize", "perpage", "rows", "limit")
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))  # list timestamps are Beijing time

PagingStyle = Literal["trs", "hanweb", "template", "links", "json", "none"]


@dataclass(frozen=True, slots=True)
class ListItem:
    url: str
    title: str
    date: dt.date | None  # a full date only; "04-13" leaves it None
    dated: bool  # some date, with or without its year


@dataclass(frozen=True, slots=True)
class ListBlock:
    """The entries block of a list page."""

    signature: str  # tag path: ancestors' tag#id.class steps, then the entry's tag
    selector: str  # a CSS selector that picks these entries (and no other) on this page
    link_selector: str  # the entry's main link within it
    items: tuple[ListItem, ...]
    score: float


@dataclass(frozen=True, slots=True)
class Paging:
    """How a column continues past one of its list pages."""

    style: PagingStyle
    links: tuple[str, ...] = ()  # further list pages this page links to
    next_url: str | None = None  # the page after this one, when shown
    template: str | None = None  # absolute URL with {n}: trs, template and json styles
    first: int = 2  # the n of the column's second page (json: of its first page)
    count: int | None = None  # pages in all, when the page says


@dataclass(slots=True)
class _Candidate:
    element: lxml.html.HtmlElement
    link: lxml.html.HtmlElement
    url: str
    title: str
    quality: float
    date: dt.date | None
    dated: bool


@dataclass(slots=True)
class _Group:
    signature: str
    members: list[_Candidate] = field(default_factory=list)


# -- dates ------------------------------------------------------------------------------------

def parse_date(text: str) -> dt.date | None:
    """The first full date in `text` (2023-04-13, 2023/4/13, 2023.04.13, 2023年4月13日)."""
    match = DATE.search(text)
    if not match:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def _entry_date(text: str) -> tuple[dt.date | None, bool]:
    date = parse_date(text)
    return date, date is not None or MONTH_DAY.search(text) is not None


# -- links ------------------------------------------------------------------------------------

def link_url(anchor: lxml.html.HtmlElement, base: str) -> str | None:
    """The anchor's absolute http(s) URL without fragment, or None for script/mail links."""
    href = (anchor.get("href") or "").strip()
    if not href or href.lower().startswith(SKIPPED_HREF):
        return None
    url = urldefrag(urljoin(base, href))[0]
    return url if urlsplit(url).scheme in ("http", "https") else None


def link_text(anchor: lxml.html.HtmlElement) -> str:
    text = " ".join("".join(anchor.itertext()).split())
    return text or (anchor.get("title") or "").strip()


def column_like(url: str) -> bool:
    """A link to a column (list) page: a directory, or an index/list page."""
    path = urlsplit(url).path
    return not path or path.endswith("/") or bool(COLUMN_NAME.match(path.rsplit("/", 1)[-1]))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


# -- the entries block ------------------------------------------------------------------------

def _step(element: lxml.html.HtmlElement, *, own: bool = False) -> str:
    """One tag-path step: the tag, then (for ancestors) a stable id and the classes."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if own:
        return tag
    ident = element.get("id") or ""
    out = tag + (f"#{ident}" if IDENT.match(ident) and not any(c.isdigit() for c in ident)
                 else "")
    classes = sorted(c for c in (element.get("class") or "").split() if IDENT.match(c))
    return out + "".join(f".{c}" for c in classes)


def _signature(element: lxml.html.HtmlElement) -> str:
    steps = [_step(a) for a in reversed(list(element.iterancestors()))]
    return " > ".join([*steps, _step(element, own=True)])


def _in_skipped(element: lxml.html.HtmlElement) -> bool:
    return any(a.tag in SKIPPED_TAGS for a in element.iterancestors())


def _title_links(element: lxml.html.HtmlElement, base: str, host: str, page_url: str,
                 min_chars: int = MIN_TITLE_CHARS,
                 ) -> list[tuple[lxml.html.HtmlElement, str, str]]:
    """Links in `element` that could be an article: on the host, not a column, titled."""
    out = []
    for anchor in element.iter("a"):
        url = link_url(anchor, base)
        if url is None or url == page_url or _host(url) != host or column_like(url):
            continue
        text = link_text(anchor)
        if len(text) >= min_chars:
            out.append((anchor, url, text))
    return out


def _candidate(element: lxml.html.HtmlElement, base: str, host: str, page_url: str,
               hints: Sequence[re.Pattern[str]]) -> _Candidate | None:
    links = _title_links(element, base, host, page_url)
    short = not links
    if short:
        links = _title_links(element, base, host, page_url, MIN_DATED_TITLE_CHARS)
        if not links:
            return None
    anchor, url, title = max(links, key=lambda link: len(link[2]))
    # The date lies beside the title, not in it ("2023年工作要点" is no list date).
    text = " ".join("".join(element.itertext()).split())
    date, dated = _entry_date(text.replace(title, " ", 1))
    if short and not dated:
        return None
    distinct = len({u for _, u, _ in links})
    quality = 1 + min(len(title), TITLE_CHARS_CAP) / 10
    if any(p.search(url) for p in hints):
        quality += 1
    quality /= distinct
    return _Candidate(element, anchor, url, title, quality, date, dated)


def _groups(root: lxml.html.HtmlElement, base: str, page_url: str,
            hints: Sequence[re.Pattern[str]]) -> list[_Group]:
    """Each anchor's element and its nearest ancestors, grouped by tag path."""
    host = _host(page_url)
    groups: dict[str, _Group] = {}
    # Elements, not id()s: lxml makes element proxies on demand, and a freed proxy's id is
    # reused; a set that holds them keeps them alive.
    seen: set[lxml.html.HtmlElement] = set()
    for anchor in root.iter("a"):
        if link_url(anchor, base) is None or _in_skipped(anchor):
            continue
        element: lxml.html.HtmlElement | None = anchor
        for _ in range(MAX_ITEM_DEPTH):
            if element is None or element.tag in ("body", "html"):
                break
            if next(islice(element.iter("a"), MAX_ENTRY_LINKS, None), None) is not None:
                break  # a container (and so are its ancestors): no entry
            if element not in seen:
                seen.add(element)
                candidate = _candidate(element, base, host, page_url, hints)
                if candidate is not None:
                    signature = _signature(element)
                    groups.setdefault(signature, _Group(signature)).members.append(candidate)
            element = element.getparent()
    return list(groups.values())


def _score(group: _Group) -> float:
    members = group.members
    dated = sum(1 for m in members if m.dated) / len(members)
    distinct = len({m.title for m in members}) / len(members)
    return sum(m.quality for m in members) * (1 + 2 * dated) * distinct


def _qualifies(group: _Group, prefer: str | None) -> bool:
    members = group.members
    if group.signature == prefer:
        return True
    return len(members) >= MIN_ITEMS or all(m.dated for m in members)


def _selector(group: _Group, root: lxml.html.HtmlElement) -> str:
    """A tail of the tag path (child combinators) that picks exactly the group's entries
    among this page's linked elements: the shortest one, lengthened to its nearest ancestor
    with an id or class when there is one ("dl.list > dd", not "dd": the next page may
    carry a <dd> elsewhere)."""
    steps = group.signature.split(" > ")  # tag#id.class steps are CSS already
    wanted = {m.element for m in group.members}
    for k in range(1, len(steps) + 1):
        css = " > ".join(steps[-k:])
        try:
            found = CSSSelector(css, translator="html")(root)
        except SelectorError:  # a class the CSS grammar refuses: try a longer tail
            continue
        if {el for el in found if any(True for _ in el.iter("a"))} == wanted:
            # A longer tail picks a subset of these, and still every entry.
            named = next((j for j in range(k, len(steps) + 1)
                          if any(c in steps[-j] for c in ".#")), k)
            return " > ".join(steps[-named:])
    return " > ".join(steps)


def _link_selector(group: _Group) -> str:
    """`a[href]` when the main link comes first in its entry; else the link's class."""
    for member in group.members:
        first = next((a for a in member.element.iter("a") if a.get("href")), None)
        if first is not member.link:
            classes = [c for c in (member.link.get("class") or "").split() if IDENT.match(c)]
            return f"a.{classes[0]}[href]" if classes else "a[href]"
    return "a[href]"


def detect_list(root: lxml.html.HtmlElement, url: str, *,
                hints: Sequence[re.Pattern[str]] = (), prefer: str | None = None,
                text: str = "") -> ListBlock | None:
    """The page's entries block, or None when nothing on it reads as a list of articles.

    `hints` are URL patterns of known article shapes (a bonus, not a requirement);
    `prefer` a tag path that wins whenever it is on the page (a column's later pages are
    read as its first was). Hanweb keeps its entries as CDATA records in a script, which
    an HTML parser drops: with `text` given, they are read from there.
    """
    base = _base_url(root, url)
    records = HANWEB_RECORD.findall(text) if text else []
    if records:
        root = lxml.html.fragment_fromstring("".join(records), create_parent="div")
    groups = [g for g in _groups(root, base, url, hints) if _qualifies(g, prefer)]
    if not groups:
        return None
    preferred = [g for g in groups if g.signature == prefer]
    # On a tie (an undated entry scores as its bare link does) the outer element wins: the
    # entry is what holds the link and whatever else belongs to it.
    best = preferred[0] if preferred else max(
        groups, key=lambda g: (round(_score(g), 6), -g.signature.count(" > ")))
    items: list[ListItem] = []
    seen: set[str] = set()
    for m in best.members:
        if m.url not in seen:
            seen.add(m.url)
            items.append(ListItem(m.url, m.title, m.date, m.dated))
    return ListBlock(best.signature, _selector(best, root), _link_selector(best),
                     tuple(items), _score(best))


def _base_url(root: lxml.html.HtmlElement, url: str) -> str:
    base = root.find(".//base[@href]") if hasattr(root, "find") else None
    return urljoin(url, base.get("href")) if base is not None else url


# -- pagination -------------------------------------------------------------------------------

def page_count(text: str) -> int | None:
    """The page count a list page announces ("共5页", "页次：1/5", countPage = 5)."""
    match = PAGE_COUNT.search(text)
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def _pager_links(root: lxml.html.HtmlElement, url: str,
                 exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(label, URL) of the links that lead to further pages of this column: next/last
    labels, page numbers and page-shaped URLs, in the page's own directory."""
    column_dir = urljoin(url, ".")
    this = urldefrag(url)[0]
    skip = set(exclude)
    out: dict[str, str] = {}
    for anchor in root.iter("a"):
        target = link_url(anchor, url)
        if target is None or target == this or target in skip or _in_skipped(anchor):
            continue
        if not target.startswith(column_dir) or "/" in target[len(column_dir):].split("?")[0]:
            continue
        label = " ".join("".join(anchor.itertext()).split())
        if (label.lower() in NEXT_LABELS or PAGE_NUMBER_LABEL.match(label)
                or PAGE_URL.search(target)):
            out.setdefault(target, label)
    return [(label, target) for target, label in out.items()]


def page_links(root: lxml.html.HtmlElement, url: str, exclude: Iterable[str] = ()) -> list[str]:
    """Further list pages this page links to (see `_pager_links`)."""
    return [target for _, target in _pager_links(root, url, exclude)]


def _template(pairs: Sequence[tuple[str, str]]) -> tuple[str, int] | None:
    """A URL template with {n} read off the pager links of a column's first page, and the
    n of the column's page 2.

    Each numbered link (page 2 and on; page 1 is often plain index.html) says which page
    it is; the digit run of its URL that differs from that number by the same offset in
    every link is the page number. A lone next link is page 2."""
    numbered = [(int(m.group(1)), target) for label, target in pairs
                if (m := PAGE_NUMBER_LABEL.match(label)) and int(m.group(1)) >= 2]
    if not numbered:
        numbered = [(2, target) for label, target in pairs if label.lower() in NEXT_STEP]
    if not numbered:
        return None
    page, target = numbered[0]
    for run in reversed(list(re.finditer(r"\d+", target))):
        offset = int(run.group()) - page
        template = target[: run.start()] + "{n}" + target[run.end():]
        if all(template.replace("{n}", str(p + offset)) == t for p, t in numbered):
            return template, 2 + offset
    return None


def detect_paging(root: lxml.html.HtmlElement, url: str, text: str = "",
                  exclude: Iterable[str] = ()) -> Paging:
    """How the column continues after this page (its first page, normally)."""
    if match := TRS_PAGER.search(text):
        prefix, suffix = match.group(3), match.group(4)
        return Paging("trs", template=urljoin(url, f"{prefix}_{{n}}.{suffix}"), first=1,
                      count=int(match.group(1)))
    if HANWEB_RECORD.search(text) and HANWEB_DATASTORE.search(text):
        return Paging("hanweb")
    pairs = _pager_links(root, url, exclude)
    links = tuple(target for _, target in pairs)
    next_url = next((t for label, t in pairs if label.lower() in NEXT_STEP), None)
    count = page_count(text or " ".join(root.itertext()))
    found = _template(pairs)
    if found is not None:
        template, first = found
        next_url = next_url or template.replace("{n}", str(first))
        if count is not None:
            return Paging("template", links, next_url, template, first, count)
        return Paging("links", links, next_url, template, first)
    if links:
        return Paging("links", links, next_url)
    endpoints = json_endpoints(text, url)
    if endpoints:
        template, first = json_template(endpoints[0])
        return Paging("json", (), None, template, first)
    return Paging("none")


# -- JSON lists -------------------------------------------------------------------------------

def json_endpoints(text: str, url: str) -> list[str]:
    """JSON list URLs the page's scripts name (absolute), most likely first."""
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.S | re.I)
    found: dict[str, None] = {}
    for script in scripts:
        for match in SCRIPT_URL.finditer(script):
            found.setdefault(urljoin(url, match.group(1)), None)
    return list(found)


def json_template(endpoint: str) -> tuple[str, int]:
    """`endpoint` with its page number as {n}, and that first number; without a page
    number it is a single page (n is then ignored)."""
    for pattern in (JSON_PAGE_PARAM, JSON_PAGE_FILE):
        matches = list(pattern.finditer(endpoint))
        if matches:
            m = matches[-1]
            return endpoint[: m.start(2)] + "{n}" + endpoint[m.end(2):], int(m.group(2))
    return endpoint, 1


def _key_match(key: str, names: Sequence[str]) -> bool:
    low = key.lower().replace("_", "")
    return any(name.replace("_", "") in low for name in names)


def _json_date(value: Any) -> dt.date | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 10**8:
        seconds = value / 1000 if value > 10**11 else value  # milliseconds
        return dt.datetime.fromtimestamp(seconds, CHINA_TZ).date()
    if isinstance(value, str):
        return parse_date(value)
    return None


def _field(record: dict[str, Any], names: Sequence[str]) -> Any:
    """The value of the first key that is one of `names` (case and _ aside), else of the
    first key containing one."""
    keys = {k: k.lower().replace("_", "") for k in record}
    for name in names:
        for key, low in keys.items():
            if low == name:
                return record[key]
    return next((record[k] for k in record if _key_match(k, names)), None)


def _record(record: dict[str, Any], url: str) -> ListItem | None:
    link, title = _field(record, JSON_URL_KEYS), _field(record, JSON_TITLE_KEYS)
    if not isinstance(link, str) or not isinstance(title, str) or not link.strip():
        return None
    absolute = urldefrag(urljoin(url, link.strip()))[0]
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    date = next((d for k, v in record.items() if _key_match(k, JSON_DATE_KEYS)
                 and (d := _json_date(v)) is not None), None)
    clean = " ".join(lxml.html.fromstring(f"<p>{title}</p>").text_content().split()) \
        if "<" in title else title.strip()
    return ListItem(absolute, clean, date, date is not None) if clean else None


def _record_lists(data: Any) -> Iterable[list[Any]]:
    if isinstance(data, list):
        yield data
        for value in data:
            yield from _record_lists(value)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _record_lists(value)


def json_entries(body: bytes | str, url: str) -> tuple[list[ListItem], int | None]:
    """The article records of a JSON list reply (the longest list of objects with a link
    and a title) and the page count it gives, if any. Not JSON: nothing."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return [], None
    best: list[ListItem] = []
    for candidate in _record_lists(data):
        items = [item for r in candidate if isinstance(r, dict)
                 and (item := _record(r, url)) is not None]
        if len(items) > len(best):
            best = items
    return best, _json_pages(data)


def _json_pages(data: Any) -> int | None:
    if not isinstance(data, dict):
        return None
    scalars = {k.lower().replace("_", ""): v for k, v in data.items()
               if isinstance(v, int) and not isinstance(v, bool)}
    for key in JSON_PAGES_KEYS:
        if key in scalars:
            return scalars[key]
    total = next((scalars[k] for k in JSON_TOTAL_KEYS if k in scalars), None)
    size = next((scalars[k] for k in JSON_SIZE_KEYS if k in scalars), None)
    if total is not None and size:
        return max(1, math.ceil(total / size))
    for value in data.values():
        if isinstance(value, dict) and (pages := _json_pages(value)) is not None:
            return pages
    return None


__all__ = [
    "ListBlock", "ListItem", "Paging", "column_like", "detect_list", "detect_paging",
    "json_endpoints", "json_entries", "json_template", "link_text", "link_url",
    "page_count", "page_links", "parse_date",
]
