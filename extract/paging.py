"""How a column continues past one of its list pages (`detect_paging`): TRS
`createPageHTML(count, ...)`, a Hanweb datastore, a URL template read off the numbered / next
links (`list_{n}.html`, `?page={n}`) with the count a page announces ("共N页"), or just the
pager links; else a JSON list endpoint the page's scripts name (`extract.jsonlist`).
The paginator that walks each style is in `extract.paginators`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urldefrag, urljoin

import lxml.html

from extract.jsonlist import json_endpoints, json_template
from extract.listing import HANWEB_RECORD, in_skipped, link_url

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
HANWEB_DATASTORE = re.compile(r"<nextgroup>|<totalrecord>", re.I)
HANWEB_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
HANWEB_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*'?(\d+)")

PagingStyle = Literal["trs", "hanweb", "template", "links", "json", "none"]


@dataclass(frozen=True, slots=True)
class Paging:
    """How a column continues past one of its list pages."""

    style: PagingStyle
    links: tuple[str, ...] = ()  # further list pages this page links to
    next_url: str | None = None  # the page after this one, when shown
    template: str | None = None  # absolute URL with {n}: trs, template and json styles
    first: int = 2  # the n of the column's second page (json: of its first page)
    count: int | None = None  # pages in all, when the page says

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
        if target is None or target == this or target in skip or in_skipped(anchor):
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
