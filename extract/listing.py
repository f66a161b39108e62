"""A list page read by its structure: the entries block. No profile needed.

The article list of a column page is the page's best *repeated block*:
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
one entry). Dates are matched by `transform.dates.DATE` (2023-04-13, [2023/04/13],
2023.04.13, 2023年4月13日) or, without a year, `MONTH_DAY` (04-13).

How a column continues past its first page is `extract.paging`; JSON list endpoints are
`extract.jsonlist`.

lxml, not BeautifulSoup: the walker already holds the page as an lxml tree, and the
analysis is a walk over ancestors and CSS selectors that lxml does directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from transform.dates import MONTH_DAY, read_date

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
# Hanweb keeps a column's entries as CDATA records in a datastore script or dataproxy reply.
HANWEB_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


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
    return read_date(text)[0]


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


def in_skipped(element: lxml.html.HtmlElement) -> bool:
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
        if link_url(anchor, base) is None or in_skipped(anchor):
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
