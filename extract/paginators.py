"""One paginator per pagination style, chosen by name (the profile's `pagination`, or for
`auto` the style extract.paging detects on the column's first page):

- `none`: the first page only;
- `links`: numbered and next-page links (`page_patterns`, `next_texts`, and for `auto` the
  pager links extract.paging recognises), level by level;
- `trs`: the page count and file names of TRS `createPageHTML(...)`;
- `hanweb`: the Hanweb datastore's dataproxy, asked by POST for groups of records;
- `template`: a URL template numbered up to the count the first page announces;
- `json`: a JSON list endpoint, as many pages as its reply says.

A paginator reads pages through `ColumnPages` (the run's walker: fetching, counting,
reading entries) and ends early where the paging policy's `PagingStop` says. Pages whose
URLs are known up front are fetched side by side when nothing can stop the walk early
(the host gate still bounds concurrency), else in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import lxml.html

from extract.exchange import FetchResult
from extract.jsonlist import json_endpoints, json_template
from extract.listing import link_url
from extract.listpages import EntryReader, ListEntry, parse_text
from extract.paging import (
    HANWEB_NEXTGROUP,
    HANWEB_TOTAL,
    TRS_PAGER,
    Paging,
    detect_paging,
    page_count,
    page_links,
)
from extract.profile import ListRules
from extract.revisit import PagingStop
from extract.settings import HarvestSettings
from transform.decode import decode_bytes

HANWEB_DATAPROXY = "/module/web/jpage/dataproxy.jsp"
HANWEB_GROUP_PAGES = 3  # jcms asks the dataproxy for three pages at a time

T = TypeVar("T")
R = TypeVar("R")
PageRequest = tuple[str, str, dict[str, str] | None]  # url, method, form data


class ColumnPages(Protocol):
    """What a paginator needs from the run."""

    settings: HarvestSettings
    rules: ListRules
    reader: EntryReader
    page_res: list[re.Pattern[str]]

    def fetch_list(self, url: str, method: str = "GET",
                   data: dict[str, str] | None = None) -> FetchResult | None:
        """The list page, fetched and counted; None when it yielded no usable body."""

    def no_items(self, url: str) -> None:
        """Note a list page that held no article link."""

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`fn` over `items` side by side, results in order."""


@dataclass(frozen=True, slots=True)
class FirstPage:
    """A column's first list page as fetched and read."""

    result: FetchResult
    url: str  # final URL
    text: str
    doc: lxml.html.HtmlElement
    entries: list[ListEntry]


Paginator = Callable[[ColumnPages, FirstPage, Paging, PagingStop], list[ListEntry]]


def walk_column(pages: ColumnPages, start_url: str, stop: PagingStop) -> list[ListEntry]:
    """The column's entries, newest first, as far as its paginator and `stop` go."""
    result = pages.fetch_list(start_url)
    if result is None:
        return []
    url = result.final_url
    text = decode_bytes(result.body, result.header("Content-Type")).text
    doc = parse_text(text)
    first = FirstPage(result, url, text, doc, pages.reader.entries(doc, url, text))
    paging = plan(pages.rules, start_url, first)
    return PAGINATORS[paging.style](pages, first, paging, stop)


def plan(rules: ListRules, start_url: str, first: FirstPage) -> Paging:
    """The paging of the column: the profile's style, or the detected one for `auto`."""
    style = rules.pagination
    if style == "template":
        return Paging("template", template=urljoin(start_url, rules.page_template or ""),
                      first=rules.page_first, count=page_count(first.text))
    if style == "json":
        return Paging("json", template=urljoin(start_url, rules.json_url or ""),
                      first=rules.json_first)
    if style == "auto":
        # A page whose scripts name a JSON list, and that shows no dated entries of its
        # own (a shell, its sidebars aside), lists its articles through that JSON.
        endpoints = json_endpoints(first.text, first.url)
        if endpoints and not any(e.date for e in first.entries):
            template, first_n = json_template(endpoints[0])
            return Paging("json", template=template, first=first_n)
        return detect_paging(first.doc, first.url, first.text,
                             exclude=[e.url for e in first.entries])
    return Paging(style, first=rules.page_first)


def _head(pages: ColumnPages, first: FirstPage) -> list[ListEntry]:
    if not first.entries:
        pages.no_items(first.url)
    return list(first.entries)


def _budget(pages: ColumnPages) -> int:
    """List pages left after the first."""
    return pages.settings.max_list_pages - 1


# -- the paginators ---------------------------------------------------------------------------

def first_only(pages: ColumnPages, first: FirstPage, paging: Paging,
               stop: PagingStop) -> list[ListEntry]:
    return _head(pages, first)


def links(pages: ColumnPages, first: FirstPage, paging: Paging,
          stop: PagingStop) -> list[ListEntry]:
    """Numbered and next-page links within the column's directory, level by level: the
    pages one page links to are fetched together (one by one when `stop` may end it)."""
    entries = _head(pages, first)
    if stop(first.entries):
        return entries
    column_dir = urljoin(first.url, ".")
    seen = {urldefrag(first.url)[0]}
    level = _page_links(pages, first.doc, first.url, column_dir)
    parallel = not stop.sequential and pages.settings.concurrency_per_host > 1
    while level:
        budget = pages.settings.max_list_pages - len(seen)
        batch = [u for u in dict.fromkeys(level) if u not in seen][: max(budget, 0)]
        if not batch:
            break
        seen.update(batch)
        if parallel and len(batch) > 1:
            found = pages.map(lambda u: _links_page(pages, u, column_dir), batch)
        else:
            found = []
            for page_url in batch:
                found.append(_links_page(pages, page_url, column_dir))
                if stop(found[-1][0]):
                    return entries + [e for got, _ in found for e in got]
        level = []
        for got, more in found:
            entries += got
            level += [u for u in more if u not in seen]
    return entries


def trs(pages: ColumnPages, first: FirstPage, paging: Paging,
        stop: PagingStop) -> list[ListEntry]:
    """TRS: `createPageHTML(count, current, "index", "html")` names every page."""
    entries = _head(pages, first)
    if stop(first.entries):
        return entries
    match = TRS_PAGER.search(first.text)
    if not match:
        return entries
    count, prefix, suffix = int(match.group(1)), match.group(3), match.group(4)
    urls = [urljoin(first.url, f"{prefix}_{i}.{suffix}") for i in range(1, count)]
    return entries + _known_pages(pages, [(u, "GET", None) for u in urls[:_budget(pages)]],
                                  stop)


def hanweb(pages: ColumnPages, first: FirstPage, paging: Paging,
           stop: PagingStop) -> list[ListEntry]:
    """Hanweb jcms: the records after the first page's, asked of the dataproxy in groups
    of HANWEB_GROUP_PAGES pages (`hanweb_perpage` records each)."""
    entries = _head(pages, first)
    if stop(first.entries):
        return entries
    group = HANWEB_NEXTGROUP.search(first.text)
    total_match = HANWEB_TOTAL.search(first.text)
    if not group or not total_match:
        return entries
    total = int(total_match.group(1) or total_match.group(2))
    href = lxml.html.fragment_fromstring(group.group(1), create_parent="div").xpath(
        "string(.//a/@href)")
    form = {k: v for k, v in parse_qsl(urlsplit(href).query) if k != "page"}
    per = pages.rules.hanweb_perpage
    step = per * HANWEB_GROUP_PAGES
    endpoint = urljoin(first.result.final_url, urlsplit(href).path or HANWEB_DATAPROXY)
    requests: list[PageRequest] = []
    for start in range(len(first.entries) + 1, total + 1, step):
        end = min(total, start + step - 1)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per})
        requests.append((f"{endpoint}?{query}", "POST", form))
    return entries + _known_pages(pages, requests[: _budget(pages)], stop)


def template(pages: ColumnPages, first: FirstPage, paging: Paging,
             stop: PagingStop) -> list[ListEntry]:
    """Pages numbered from a template, up to the announced count; without one, in order
    until a page adds nothing new."""
    if paging.template is None:
        return links(pages, first, paging, stop)
    entries = _head(pages, first)
    if stop(first.entries):
        return entries
    budget, count = _budget(pages), paging.count
    last = paging.first + (count - 1 if count is not None else budget)
    urls = [paging.template.replace("{n}", str(n)) for n in range(paging.first, last)][:budget]
    return entries + _known_pages(pages, [(u, "GET", None) for u in urls], stop,
                                  open_ended=count is None, seen=first.entries)


def json_list(pages: ColumnPages, first: FirstPage, paging: Paging,
              stop: PagingStop) -> list[ListEntry]:
    """A column listed by a JSON endpoint: its first page, then as many as the reply
    says there are (or, when it does not say, until a page adds nothing new). The HTML
    page's own entries are not the column's."""
    if paging.template is None:
        return links(pages, first, paging, stop)
    template_url, first_n = paging.template, paging.first
    result = pages.fetch_list(template_url.replace("{n}", str(first_n)))
    if result is None:
        return []
    entries, count = pages.reader.read(result)
    if not entries:
        pages.no_items(result.final_url)
    if not entries or "{n}" not in template_url or stop(entries):
        return entries
    budget = pages.settings.max_list_pages - 2  # the HTML page and this one
    last = first_n + (count if count is not None else budget + 1)
    urls = [template_url.replace("{n}", str(n)) for n in range(first_n + 1, last)][:budget]
    return entries + _known_pages(pages, [(u, "GET", None) for u in urls], stop,
                                  open_ended=count is None, seen=entries)


PAGINATORS: dict[str, Paginator] = {
    "none": first_only, "links": links, "trs": trs, "hanweb": hanweb, "template": template,
    "json": json_list,
}


# -- reading further pages --------------------------------------------------------------------

def _list_page(pages: ColumnPages, request: PageRequest) -> list[ListEntry]:
    url, method, data = request
    result = pages.fetch_list(url, method, data)
    if result is None:
        return []
    entries, _ = pages.reader.read(result)
    if not entries:
        pages.no_items(result.final_url)
    return entries


def _known_pages(pages: ColumnPages, requests: list[PageRequest], stop: PagingStop, *,
                 open_ended: bool = False, seen: Iterable[ListEntry] = ()) -> list[ListEntry]:
    """List pages whose URLs are all known up front (TRS, Hanweb, templates). When
    nothing can stop the walk early they are fetched side by side; otherwise in order, up
    to the page `stop` ends it at. `open_ended`: the count is not known, so pages are read
    in order until one adds no entry beyond `seen` (a server may answer any page number
    with its last page)."""
    if open_ended:
        known = {e.url for e in seen}
        out: list[ListEntry] = []
        for request in requests:
            got = _list_page(pages, request)
            fresh = [e for e in got if e.url not in known]
            if not fresh:
                break
            known.update(e.url for e in fresh)
            out += fresh
            if stop(got):
                break
        return out
    if not stop.sequential and pages.settings.concurrency_per_host > 1 and len(requests) > 1:
        found = pages.map(lambda r: _list_page(pages, r), requests)
        return [entry for got in found for entry in got]
    entries: list[ListEntry] = []
    for request in requests:
        got = _list_page(pages, request)
        entries += got
        if not got or stop(got):
            break
    return entries


def _links_page(pages: ColumnPages, url: str,
                column_dir: str) -> tuple[list[ListEntry], list[str]]:
    """One list page's entries and the pagination links it shows."""
    result = pages.fetch_list(url)
    if result is None:
        return [], []
    text = decode_bytes(result.body, result.header("Content-Type")).text
    doc = parse_text(text)
    more = _page_links(pages, doc, result.final_url, column_dir)
    entries = pages.reader.entries(doc, result.final_url, text)
    if not entries:
        pages.no_items(result.final_url)
    return entries, more


def _page_links(pages: ColumnPages, doc: lxml.html.HtmlElement, url: str,
                column_dir: str) -> list[str]:
    # "auto": the pager links extract.paging recognises, and the profile's own rules.
    rules = pages.rules
    out: list[str] = page_links(doc, url) if rules.pagination == "auto" else []
    for anchor in doc.iter("a"):
        absolute = link_url(anchor, url)
        if absolute is None or not absolute.startswith(column_dir) or absolute in out:
            continue
        label = (anchor.text_content() or "").strip()
        if any(p.search(absolute) for p in pages.page_res) or label in rules.next_texts:
            out.append(absolute)
    return out
