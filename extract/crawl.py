"""Profile-driven list -> detail walker: one site, one run, every response archived first.

`harvest()` walks each start (column) URL through its pagination style (numbered/next links,
TRS `createPageHTML`, Hanweb datastore + dataproxy POSTs), collects article links with their
list dates, then fetches articles and their attachments in worker threads (per-host
politeness is the fetcher's job). Known URLs are fetched conditionally, and only when the
revisit policy says they are due (recently listed, or their turn in a rotation that
revalidates every page within `revisit_days`); a 304 or an unchanged digest yields no page.
Anti-bot interstitials and empty article bodies are `blocked`, never pages. A profile may
leave list pages to their structure (`item_detection: structure`, `pagination: auto`: the
generic family; extract/listing.py); a list page that yields no article link is logged as
`no_list_items`, and a start URL that yields none is named in the result.

Paging: lists run newest first, so a column's paging stops at the first list page whose
entries are all known, except on the nights that walk it to its end (at least once in
`list_walk_days`, on a rotation). The articles listed deeper are still revisit candidates:
every list sighting is kept in the listings manifest, and those seen within
`list_walk_days` come back from there with their list date and list page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from extract.archive import read_record
from extract.archive_writer import ArchiveWriter
from extract.attachments import AttachmentError, as_text_page
from extract.http import Fetcher, FetchResult, RecordKind
from extract.listing import (
    HANWEB_RECORD,
    MIN_ITEMS,
    TRS_PAGER,
    detect_list,
    detect_paging,
    json_endpoints,
    json_entries,
    json_template,
    page_count,
    page_links,
    parse_date,
)
from extract.profile import SiteProfile, generic_profile, load_profile
from extract.settings import HarvestSettings, resolve_settings
from extract.state import SiteState, UrlState, load_state
from transform.decode import decode_bytes
from transform.htmltree import document_parser, parsable, text_loss
from transform.records import RawPage, sha256_digest

COUNT_KEYS: tuple[str, ...] = (
    "pages_fetched", "new", "changed", "not_modified", "failed", "blocked", "out_of_scope",
    "too_large", "timeout", "deferred", "no_list_items",
)
# Outcomes whose URLs go to `failed_urls`: the page exists but this run could not get it.
UNFETCHED = ("failed", "too_large", "timeout")
HANWEB_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
HANWEB_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*'?(\d+)")
HANWEB_DATAPROXY = "/module/web/jpage/dataproxy.jsp"
HANWEB_GROUP_PAGES = 3  # jcms asks the dataproxy for three pages at a time
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
NOISE_TAGS = ("script", "style", "noscript", "template")
MIN_PAGE_TEXT = 20  # visible characters below which a selector-less page counts as empty


@dataclass(slots=True)
class HarvestResult:
    site: str
    run_id: str
    pages: list[RawPage] = field(default_factory=list)  # new or changed article/attachment
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    blocked_urls: list[str] = field(default_factory=list)
    failed_urls: list[str] = field(default_factory=list)
    # List pages read without finding one article link on them (`no_list_items`), and
    # start URLs whose whole column yielded no article.
    empty_lists: list[str] = field(default_factory=list)
    empty_columns: list[str] = field(default_factory=list)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class SiteUnavailable(RuntimeError):
    """The site cannot be harvested this run: the robots.txt of every host its columns live
    on is unreachable (a server or network error, RFC 9309 2.3.1.4), so nothing was fetched.
    Not a transient error to retry at once: the next run tries again."""


@dataclass(frozen=True, slots=True)
class ListEntry:
    url: str
    title: str
    date: dt.date | None
    referer: str  # the list page it came from


class _Stop:
    """Where one column's paging ends early: at a list page whose dated entries all precede
    `since`, or (when `known` is given: a night that does not walk the column to its end)
    at one whose entries are all known. `hit` says whether it did."""

    def __init__(self, since: dt.date | None, known: Callable[[str], bool] | None) -> None:
        self.since, self.known = since, known
        self.hit = False

    @property
    def sequential(self) -> bool:
        """Pages must be read in order to know where to stop."""
        return self.since is not None or self.known is not None

    def __call__(self, entries: Sequence[ListEntry]) -> bool:
        dated = [e.date for e in entries if e.date is not None]
        since = self.since
        if since is not None and dated and all(d < since for d in dated):
            self.hit = True
        known = self.known
        if known is not None and entries and all(known(e.url) for e in entries):
            self.hit = True
        return self.hit


def _compile(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def parse_html(body: bytes, content_type: str | None) -> lxml.html.HtmlElement:
    return parse_text(decode_bytes(body, content_type).text)


def parse_text(text: str) -> lxml.html.HtmlElement:
    text = XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(parsable(text), parser=document_parser())
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def _element_text(element: lxml.html.HtmlElement) -> str:
    """Visible text of `element`, whitespace collapsed: NOISE_TAGS subtrees, comments and
    processing instructions contribute only their tails (as text_content() would after
    dropping them, without copying the tree)."""
    parts: list[str] = []
    _collect_text(element, parts)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _collect_text(element: lxml.html.HtmlElement, parts: list[str]) -> None:
    # Iterative: huge_tree pages nest up to 2048 levels, past Python's recursion limit.
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, child in walker:
        if event == "start":
            if child is not element and child.tag in NOISE_TAGS:
                walker.skip_subtree()
            elif child.text:
                parts.append(child.text)
        elif child is not element and child.tail:  # an end, or a comment/PI (tail only)
            parts.append(child.tail)


class _Walker:
    """Everything one harvest run shares between its threads."""

    def __init__(self, profile: SiteProfile, settings: HarvestSettings, fetcher: Fetcher,
                 writer: ArchiveWriter, state: SiteState, archive_dir: Path,
                 since: dt.date | None, progress: Any, today: dt.date) -> None:
        self.profile, self.settings, self.fetcher = profile, settings, fetcher
        self.writer, self.state, self.archive_dir = writer, state, archive_dir
        self.since, self.today = since, today
        self.progress = progress
        self.lists = profile.listing
        self.article_res = _compile(self.lists.article_patterns)
        # Compiled once: el.cssselect(expr) translates CSS to XPath again on every call.
        self.item_css = CSSSelector(self.lists.item_selector, translator="html")
        self.link_css = CSSSelector(self.lists.link_selector, translator="html")
        self.date_css = (CSSSelector(self.lists.date_selector, translator="html")
                         if self.lists.date_selector else None)
        self.body_css = [(s, CSSSelector(s, translator="html"))
                         for s in profile.detail.body_selectors]
        self.page_res = _compile(self.lists.page_patterns)
        self.structure = self.lists.item_detection == "structure"
        # Structural detection: the entries' tag path each column's first page was read by
        # (keyed by the column's directory), so a last page of one entry reads the same way.
        self._shapes: dict[str, str] = {}
        self.attachment_exts = tuple(e.lower() for e in profile.detail.attachment_extensions)
        self.result = HarvestResult(profile.name, writer.run_id)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._seen_attachments: set[str] = set()
        self.walked_to_end: set[str] = set()  # columns walked to their last page tonight
        self._task: Any = None
        self._list_task: Any = None
        if progress is not None:
            self._list_task = progress.add_task(f"{profile.name} list pages", total=None)

    # -- bookkeeping -------------------------------------------------------------------
    def count(self, key: str, url: str | None = None) -> None:
        with self._lock:
            self.counts[key] += 1
            if key == "blocked" and url:
                self.result.blocked_urls.append(url)
            elif key in UNFETCHED and url:
                self.result.failed_urls.append(url)
            elif key == "no_list_items" and url:
                self.result.empty_lists.append(url)

    def no_items(self, url: str) -> None:
        """A list page that held no article link: said in the fetch log and the summary."""
        with self._lock:
            if url in self.result.empty_lists:
                return
        self._note(url, "no_list_items", "list page read, no article links found on it")
        self.count("no_list_items", url)

    def settle(self, result: FetchResult) -> bool:
        """Count a fetch that did not yield a body; True when the body is usable."""
        if self.progress is not None and self._list_task is not None and self._task is None:
            self.progress.advance(self._list_task)  # still walking list pages
        if result.outcome == "ok":
            self.count("pages_fetched")
            return True
        if result.outcome == "not_modified":
            self.count("not_modified")
        else:
            self.count(result.outcome, result.url)
        return False

    def add_page(self, page: RawPage) -> None:
        with self._lock:
            self.result.pages.append(page)

    def advance(self) -> None:
        if self.progress is not None and self._task is not None:
            self.progress.advance(self._task)

    # -- list pages --------------------------------------------------------------------
    def walk_column(self, start_url: str) -> list[ListEntry]:
        """The column's entries, newest first, as far as tonight's paging goes; every one
        is noted in the listings manifest."""
        to_end = self.walks_to_end(start_url)
        stop = _Stop(self.since, None if to_end else self.state.known)
        entries = self._walk(start_url, stop)
        if not entries:
            with self._lock:
                self.result.empty_columns.append(start_url)
        if entries:
            complete = not stop.hit
            self.writer.record_listing(start_url, [(e.url, e.date, e.referer) for e in entries],
                                       seen_on=self.today, complete=complete)
            if complete:
                with self._lock:
                    self.walked_to_end.add(start_url)
        return entries

    def walks_to_end(self, column: str) -> bool:
        """Whether tonight pages `column` to its end: when it has not been in
        `list_walk_days` (or ever), on its rotation day (a stable hash of its URL), and
        always when the revisit or walk interval is 1."""
        every = self.settings.list_walk_days
        if every <= 1 or self.settings.revisit_days <= 1:
            return True
        last = self.state.walked.get(column)
        if last is None or (self.today - last).days >= every:
            return True
        return rotation_day(column, every) == self.today.toordinal() % every

    def remembered(self, tonight: Iterable[Sequence[ListEntry]]) -> list[ListEntry]:
        """Articles listed within `list_walk_days` that tonight's walks did not reach
        because paging stopped at known territory. A column walked to its end tonight
        vouches for itself: what it no longer lists is not brought back."""
        seen = {entry.url for column in tonight for entry in column}
        window = self.settings.list_walk_days
        return [
            ListEntry(url, "", sighting.list_date, sighting.referer)
            for url, sighting in self.state.listed.items()
            if url not in seen and sighting.column not in self.walked_to_end
            and (self.today - sighting.seen_on).days < window
        ]

    def _walk(self, start_url: str, stop: _Stop) -> list[ListEntry]:
        lists = self.lists
        style = lists.pagination
        first = self.fetcher.fetch(start_url, kind="list")
        if not self.settle(first):
            return []
        url = first.final_url
        text = decode_bytes(first.body, first.header("Content-Type")).text
        doc = parse_text(text)
        page_entries = self.entries_from(doc, url, text)
        template, first_n, count = None, lists.page_first, None
        if style == "template":
            template, count = urljoin(start_url, lists.page_template or ""), page_count(text)
        elif style == "json":
            template, first_n = urljoin(start_url, lists.json_url or ""), lists.json_first
        elif style == "auto":
            paging = detect_paging(doc, url, text, exclude=[e.url for e in page_entries])
            style, template, first_n, count = (paging.style, paging.template, paging.first,
                                               paging.count)
            # A page whose scripts name a JSON list, and that shows no dated entries of its
            # own (a shell, its sidebars aside), lists its articles through that JSON.
            endpoints = json_endpoints(text, url)
            if endpoints and not any(e.date for e in page_entries):
                style = "json"
                template, first_n = json_template(endpoints[0])
        if style == "json" and template is not None:
            return self._json_column(template, first_n, stop)
        if not page_entries:
            self.no_items(url)
        entries = list(page_entries)
        if style == "none" or stop(page_entries):
            return entries
        budget = self.settings.max_list_pages - 1
        if style == "trs":
            pages = self._trs_pages(text, url)[:budget]
            entries += self._known_pages([(u, "GET", None) for u in pages], stop)
        elif style == "hanweb":
            entries += self._hanweb_rest(first, text, len(page_entries), stop)
        elif style == "template" and template is not None:
            # Without an announced count, pages are read in order until one adds nothing.
            last = first_n + (count - 1 if count is not None else budget)
            pages = [template.replace("{n}", str(n)) for n in range(first_n, last)][:budget]
            entries += self._known_pages([(u, "GET", None) for u in pages], stop,
                                         open_ended=count is None, seen=page_entries)
        else:
            entries += self._follow_links(doc, url, stop)
        return entries

    def _json_column(self, template: str, first_n: int, stop: _Stop) -> list[ListEntry]:
        """A column listed by a JSON endpoint: its first page, then as many as the reply
        says there are (or, when it does not say, until a page adds nothing new)."""
        first_url = template.replace("{n}", str(first_n))
        result = self.fetcher.fetch(first_url, kind="list")
        if not self.settle(result):
            return []
        entries, count = self._read_list(result)
        if not entries:
            self.no_items(result.final_url)
        if not entries or "{n}" not in template or stop(entries):
            return entries
        budget = self.settings.max_list_pages - 2  # the HTML page and this one
        last = first_n + (count if count is not None else budget + 1)
        pages = [template.replace("{n}", str(n)) for n in range(first_n + 1, last)][:budget]
        return entries + self._known_pages([(u, "GET", None) for u in pages], stop,
                                           open_ended=count is None, seen=entries)

    def _list_page(self, url: str, *, method: str = "GET",
                   data: dict[str, str] | None = None) -> list[ListEntry]:
        result = self.fetcher.fetch(url, kind="list", method=method, data=data)
        if not self.settle(result):
            return []
        entries, _ = self._read_list(result)
        if not entries:
            self.no_items(result.final_url)
        return entries

    def _read_list(self, result: FetchResult) -> tuple[list[ListEntry], int | None]:
        """A list page's entries: an HTML page, or a JSON list reply (with the page count
        the reply gives, if any)."""
        ctype = (result.header("Content-Type") or "").lower()
        if "json" in ctype or result.body.lstrip()[:1] in (b"{", b"["):
            items, pages = json_entries(result.body, result.final_url)
            return [ListEntry(i.url, i.title, i.date, result.final_url) for i in items], pages
        text = decode_bytes(result.body, result.header("Content-Type")).text
        return self.entries_from(parse_text(text), result.final_url, text), None

    def _trs_pages(self, text: str, url: str) -> list[str]:
        match = TRS_PAGER.search(text)
        if not match:
            return []
        count, prefix, suffix = int(match.group(1)), match.group(3), match.group(4)
        return [urljoin(url, f"{prefix}_{i}.{suffix}") for i in range(1, count)]

    def _follow_links(self, doc: lxml.html.HtmlElement, url: str,
                      stop: _Stop) -> list[ListEntry]:
        """Numbered and next-page links within the column's directory, level by level: the
        pages one page links to are fetched together (one by one when `stop` may end it)."""
        column_dir = urljoin(url, ".")
        seen = {urldefrag(url)[0]}
        level = self._page_links(doc, url, column_dir)
        entries: list[ListEntry] = []
        parallel = not stop.sequential and self.settings.concurrency_per_host > 1
        while level:
            budget = self.settings.max_list_pages - len(seen)
            batch = [u for u in dict.fromkeys(level) if u not in seen][: max(budget, 0)]
            if not batch:
                break
            seen.update(batch)
            if parallel and len(batch) > 1:
                workers = min(self.settings.concurrency_per_host, len(batch))
                with ThreadPoolExecutor(workers, thread_name_prefix="lists") as pool:
                    pages = list(pool.map(lambda u: self._links_page(u, column_dir), batch))
            else:
                pages = []
                for page_url in batch:
                    pages.append(self._links_page(page_url, column_dir))
                    if stop(pages[-1][0]):
                        return entries + [e for got, _ in pages for e in got]
            level = []
            for got, links in pages:
                entries += got
                level += [u for u in links if u not in seen]
        return entries

    def _links_page(self, url: str, column_dir: str) -> tuple[list[ListEntry], list[str]]:
        """One list page's entries and the pagination links it shows."""
        result = self.fetcher.fetch(url, kind="list")
        if not self.settle(result):
            return [], []
        text = decode_bytes(result.body, result.header("Content-Type")).text
        page_doc = parse_text(text)
        links = self._page_links(page_doc, result.final_url, column_dir)
        entries = self.entries_from(page_doc, result.final_url, text)
        if not entries:
            self.no_items(result.final_url)
        return entries, links

    def _page_links(self, doc: lxml.html.HtmlElement, url: str, column_dir: str) -> list[str]:
        # "auto": the pager links extract.listing recognises, and the profile's own rules.
        out: list[str] = page_links(doc, url) if self.lists.pagination == "auto" else []
        for anchor in doc.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            absolute = urldefrag(urljoin(url, href))[0]
            if not absolute.startswith(column_dir) or absolute in out:
                continue
            label = (anchor.text_content() or "").strip()
            if any(p.search(absolute) for p in self.page_res) or label in self.lists.next_texts:
                out.append(absolute)
        return out

    def _hanweb_rest(self, first: FetchResult, text: str, already: int,
                     stop: _Stop) -> list[ListEntry]:
        group = HANWEB_NEXTGROUP.search(text)
        total_match = HANWEB_TOTAL.search(text)
        if not group or not total_match:
            return []
        total = int(total_match.group(1) or total_match.group(2))
        href = lxml.html.fragment_fromstring(group.group(1), create_parent="div").xpath(
            "string(.//a/@href)")
        form = {k: v for k, v in parse_qsl(urlsplit(href).query) if k != "page"}
        per = self.lists.hanweb_perpage
        step = per * HANWEB_GROUP_PAGES
        endpoint = urljoin(first.final_url, urlsplit(href).path or HANWEB_DATAPROXY)
        pages: list[tuple[str, str, dict[str, str] | None]] = []
        for start in range(already + 1, total + 1, step):
            end = min(total, start + step - 1)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": per})
            pages.append((f"{endpoint}?{query}", "POST", form))
        return self._known_pages(pages[: self.settings.max_list_pages - 1], stop)

    def _known_pages(self, pages: list[tuple[str, str, dict[str, str] | None]],
                     stop: _Stop, *, open_ended: bool = False,
                     seen: Iterable[ListEntry] = ()) -> list[ListEntry]:
        """List pages whose URLs are all known up front (TRS, Hanweb, templates). When
        nothing can stop the walk early they are fetched side by side (the host gate still
        bounds concurrency); otherwise in order, up to the page `stop` ends it at.
        `open_ended`: the count is not known, so pages are read in order until one adds no
        entry beyond `seen` (a server may answer any page number with its last page)."""
        if open_ended:
            known = {e.url for e in seen}
            out: list[ListEntry] = []
            for url, method, data in pages:
                got = self._list_page(url, method=method, data=data)
                fresh = [e for e in got if e.url not in known]
                if not fresh:
                    break
                known.update(e.url for e in fresh)
                out += fresh
                if stop(got):
                    break
            return out
        if not stop.sequential and self.settings.concurrency_per_host > 1 and len(pages) > 1:
            workers = min(self.settings.concurrency_per_host, len(pages))
            with ThreadPoolExecutor(workers, thread_name_prefix="lists") as pool:
                found = pool.map(lambda p: self._list_page(p[0], method=p[1], data=p[2]), pages)
                return [entry for got in found for entry in got]
        entries: list[ListEntry] = []
        for url, method, data in pages:
            got = self._list_page(url, method=method, data=data)
            entries += got
            if not got or stop(got):
                break
        return entries

    def entries_from(self, doc: lxml.html.HtmlElement, url: str,
                     text: str = "") -> list[ListEntry]:
        if self.structure:
            found = self._structural_entries(doc, url, text)
            if found is not None:
                return found
        items: list[lxml.html.HtmlElement] = list(self.item_css(doc))
        # Hanweb keeps records as CDATA (in <script type="text/xml"> or a dataproxy reply),
        # which an HTML parser drops: take them from the text.
        for fragment in HANWEB_RECORD.findall(text):
            wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
            items += self.item_css(wrapper) or [wrapper]
        entries: list[ListEntry] = []
        seen: set[str] = set()
        for item in items:
            links = self.link_css(item)
            if not links:
                continue
            link = links[0]
            absolute = urldefrag(urljoin(url, (link.get("href") or "").strip()))[0]
            if not absolute or absolute in seen or absolute == url:
                continue
            if self.date_css is not None:
                found = self.date_css(item)
                date = parse_date(found[0].text_content()) if found else None
            else:
                date = parse_date(item.text_content())
            matched = any(p.search(absolute) for p in self.article_res)
            if not matched and not (self.lists.dated_items and date is not None):
                continue
            seen.add(absolute)
            title = (link.get("title") or link.text_content() or "").strip()
            entries.append(ListEntry(absolute, title, date, url))
        return entries

    def _structural_entries(self, doc: lxml.html.HtmlElement, url: str,
                            text: str) -> list[ListEntry] | None:
        """The page's entries block (extract.listing), or None when it has none."""
        column = urljoin(url, ".")
        with self._lock:
            prefer = self._shapes.get(column)
        block = detect_list(doc, url, hints=self.article_res, prefer=prefer, text=text)
        if prefer is not None and (block is None or block.signature != prefer):
            return []  # the column's entries are not on this page; a sidebar's would be wrong
        if block is None:
            return None
        if prefer is None and len(block.items) >= MIN_ITEMS:
            with self._lock:
                self._shapes.setdefault(column, block.signature)
        return [ListEntry(item.url, item.title, item.date, url) for item in block.items]

    # -- detail pages ------------------------------------------------------------------
    def due(self, entry: ListEntry) -> bool:
        """Whether this run fetches the entry. Always when it is new or its last attempt
        failed. A known page, or one last judged too large or out of scope, only when it was
        listed recently, when it has not answered for its revisit interval, or on its
        rotation day (a stable hash of the URL picks one day in each interval, so each night
        revalidates an even share of the archive instead of all of it). The interval is
        `revisit_days`, or `revisit_aged_days` for a page list-dated more than
        `revisit_aged_after_days` ago (an undated page keeps the shorter one)."""
        settings = self.settings
        every = settings.revisit_days
        if every <= 1 or (self.state.get(entry.url) is None
                          and entry.url not in self.state.settled):
            return True
        if entry.date is not None:
            age = (self.today - entry.date).days
            if age <= settings.revisit_recent_days:
                return True
            if age > settings.revisit_aged_after_days:
                every = max(every, settings.revisit_aged_days)
        checked = self.state.checked.get(entry.url)
        if checked is None or (self.today - checked).days >= every:
            return True
        return rotation_day(entry.url, every) == self.today.toordinal() % every

    def _is_attachment_url(self, url: str) -> bool:
        parts = urlsplit(url.lower())
        return parts.path.endswith(self.attachment_exts) or any(
            v.endswith(self.attachment_exts) for _, v in parse_qsl(parts.query))

    def fetch_entry(self, entry: ListEntry) -> None:
        try:
            if self._is_attachment_url(entry.url):
                self.fetch_attachment(entry.url, entry.referer)
            else:
                self.fetch_article(entry)
        finally:
            self.advance()

    def _note(self, url: str, outcome: str, detail: str) -> None:
        self.writer.amend_outcome(url, outcome, detail)

    def fetch_article(self, entry: ListEntry) -> None:
        prior = self.state.get(entry.url)
        result = self.fetcher.fetch(
            entry.url, kind="article", etag=prior.etag if prior else None,
            last_modified=prior.last_modified if prior else None, referer=entry.referer)
        list_note = f"list_date={entry.date.isoformat()}" if entry.date else ""
        if result.outcome == "not_modified":
            self.count("not_modified")
            if list_note:
                self._note(entry.url, "not_modified", f"304; {list_note}")
            if prior is not None:  # attachments may change while the article does not
                self._fetch_attachments(self._known_links(result.final_url, prior),
                                        result.final_url)
            return
        if result.outcome != "ok":
            self.count(result.outcome, entry.url)
            return
        self.count("pages_fetched")
        mime = (result.header("Content-Type") or "").split(";")[0].strip().lower()
        if mime and not mime.startswith("text/") and "html" not in mime:
            # A list that links a document directly: treat it as an attachment.
            self._emit(result, "attachment", entry.referer, prior)
            return
        text = decode_bytes(result.body, result.header("Content-Type")).text
        doc = parse_text(text)
        # A tree cut short by deep nesting can look empty: archive the page, and transform
        # quarantines it as html_truncated instead of it being called blocked here.
        if (reason := self.empty_body(doc)) and text_loss(text, doc) is None:
            self._note(entry.url, "blocked", reason)
            self.count("blocked", entry.url)
            return
        if list_note:
            self._note(entry.url, "ok", list_note)
        self._emit(result, "article", entry.referer, prior)
        links = self._attachment_links(doc, result.final_url)
        self.writer.record_links(result.final_url, links)
        self._fetch_attachments(links, result.final_url)

    def empty_body(self, doc: lxml.html.HtmlElement) -> str | None:
        """Why the page has no article where one should be, or None."""
        for selector, css in self.body_css:
            found = css(doc)
            if found:
                if not any(_element_text(el) for el in found):
                    return f"empty article body ({selector})"
                return None
        body = doc.find("body")
        if body is None or len(_element_text(body)) < MIN_PAGE_TEXT:
            return "empty page"
        return None

    def _emit(self, result: FetchResult, kind: RecordKind, referer: str | None,
              prior: Any) -> RawPage | None:
        digest = sha256_digest(result.body)
        prior = self.state.get(result.final_url) or prior
        if prior is not None and prior.digest == digest:
            return None  # fetched again (no validators) but unchanged: nothing to parse
        page = RawPage(
            url=result.final_url, site=self.profile.name, status=result.status or 200,
            headers=result.headers, body=result.body,
            fetched_at=result.fetched_at or dt.datetime.now(dt.UTC), digest=digest,
            kind=kind if kind in ("article", "attachment") else "other", referer=referer)
        if kind == "attachment":
            try:
                page = as_text_page(page)
            except AttachmentError as exc:
                self._note(result.url, "failed", f"attachment text: {exc}")
                self.count("failed", result.url)
                return None
        self.count("changed" if prior is not None else "new")
        self.add_page(page)
        return page

    def _known_links(self, url: str, prior: UrlState) -> list[str]:
        """An unchanged article's attachment links: from the link manifest, or (archives
        older than it) by re-reading and parsing the archived record once, then noting them."""
        known = self.state.links.get(url)
        if known is not None:
            return list(known)
        archived = read_record(self.archive_dir, prior.warc_file, prior.offset)
        doc = parse_html(archived.body, archived.header("Content-Type"))
        links = self._attachment_links(doc, url)
        self.writer.record_links(url, links)
        return links

    def _attachment_links(self, doc: lxml.html.HtmlElement, url: str) -> list[str]:
        found: dict[str, None] = {}
        for anchor in doc.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            absolute = urldefrag(urljoin(url, href))[0]
            # The label is read only when the URL does not already say "attachment";
            # itertext() is text_content() without its per-call XPath.
            if self._is_attachment_url(absolute) or "".join(
                    anchor.itertext()).strip().lower().endswith(self.attachment_exts):
                found.setdefault(absolute, None)
        return list(found)

    def _fetch_attachments(self, links: Iterable[str], referer: str) -> None:
        for link in links:
            self.fetch_attachment(link, referer)

    def fetch_attachment(self, url: str, referer: str) -> None:
        with self._lock:
            if url in self._seen_attachments:
                return
            self._seen_attachments.add(url)
        prior = self.state.get(url)
        result = self.fetcher.fetch(
            url, kind="attachment", etag=prior.etag if prior else None,
            last_modified=prior.last_modified if prior else None, referer=referer)
        if self.settle(result):
            self._emit(result, "attachment", referer, prior)


def rotation_day(url: str, every: int) -> int:
    """The day (ordinal modulo `every`) on which a known URL's revalidation falls due; a
    stable hash, unlike hash(), so it holds across runs and processes."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % every


def _select(columns: Sequence[Sequence[ListEntry]], since: dt.date | None) -> list[ListEntry]:
    """List entries to consider: first sighting of each URL, not older than `since`."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for column in columns:
        for entry in column:
            if entry.url in seen:
                continue
            if since is not None and entry.date is not None and entry.date < since:
                continue
            seen.add(entry.url)
            entries.append(entry)
    return entries


def _resolve_profile(
    profile: SiteProfile | str | Path | None,
    start_url: str | None,
    allow_hosts: Sequence[str],
    base_url: str | None,
) -> SiteProfile:
    if start_url is not None:
        if profile not in (None, "generic"):
            raise ValueError("give either a profile or a start_url (generic profile), not both")
        return generic_profile(start_url, allow_hosts)
    if profile is None:
        raise ValueError("harvest needs a profile (name, path or SiteProfile) or a start_url")
    if isinstance(profile, SiteProfile):
        return profile.with_base_url(base_url) if base_url else profile
    return load_profile(profile, base_url=base_url)


def harvest(
    profile: SiteProfile | str | Path | None,
    archive_dir: Path,
    *,
    run_id: str,
    max_pages: int | None = None,
    since: dt.date | str | None = None,
    delay: float | None = None,
    allow_hosts: Sequence[str] = (),
    progress: bool = False,
    start_url: str | None = None,
    base_url: str | None = None,
    settings: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> HarvestResult:
    """Harvest one site into `archive_dir`; return the new and changed pages to parse.

    `profile` is a SiteProfile, a profile name or a profile path; or pass `start_url` (with
    `allow_hosts`) for the generic profile. `max_pages` caps article fetches (list pages are
    bounded by the max_list_pages setting); `since` (date or "YYYY-MM-DD") skips list entries
    dated before it and stops paging a column once a whole list page is older.
    Loopback/private hosts are reachable only when named literally (127.0.0.1, localhost)
    in the profile's hosts or in `allow_hosts`. Known pages are revalidated when the revisit
    policy (settings `revisit_recent_days`, `revisit_days`) says they are due on `today`
    (default: the UTC date); the others count as `deferred`. Paging a column stops at known
    territory except when it is due a walk to its end (setting `list_walk_days`).
    Setting precedence: defaults < family < profile < `settings` < the explicit arguments.
    """
    site = _resolve_profile(profile, start_url, allow_hosts, base_url)
    if isinstance(since, str):
        since = dt.date.fromisoformat(since)
    resolved = resolve_settings(site.settings, settings,
                                {"delay": delay, "max_pages": max_pages})
    hosts = {*site.hosts, *(h.lower() for h in allow_hosts)}
    # A profile file that names 127.0.0.1 names it explicitly; a start URL's host does not.
    private_hosts = {*site.explicit_hosts(), *(h.lower() for h in allow_hosts)}
    archive_dir = Path(archive_dir)
    state = load_state(archive_dir, site.name)
    started = dt.datetime.now(dt.UTC)
    today = today or started.date()
    bar = _progress_bar() if progress else None
    with ArchiveWriter(archive_dir, run_id=run_id, site=site.name) as writer, \
            Fetcher(resolved, hosts, record=writer.record, log=writer.log,
                    private_hosts=private_hosts) as fetcher, \
            (bar or nullcontext()):
        walker = _Walker(site, resolved, fetcher, writer, state, archive_dir, since, bar, today)
        workers = max(1, resolved.workers)
        _check_reachable(fetcher, site.absolute_start_urls())
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest")
        try:
            columns = list(pool.map(walker.walk_column, site.absolute_start_urls()))
            considered = _select([*columns, walker.remembered(columns)], since)
            entries = [entry for entry in considered if walker.due(entry)]
            walker.counts["deferred"] = len(considered) - len(entries)
            if resolved.max_pages is not None:
                entries = entries[: resolved.max_pages]
            if bar is not None:
                bar.update(walker._list_task, total=bar.tasks[walker._list_task].completed)
                walker._task = bar.add_task(f"{site.name} articles", total=len(entries))
            list(pool.map(walker.fetch_entry, entries))
        finally:
            # On Ctrl-C or an error, drop queued fetches; running ones finish and are archived.
            pool.shutdown(wait=True, cancel_futures=True)
    result = walker.result
    result.counts = {key: walker.counts.get(key, 0) for key in COUNT_KEYS}
    result.pages.sort(key=lambda p: (p.kind != "article", p.url))
    result.started_at, result.finished_at = started, dt.datetime.now(dt.UTC)
    return result


def _check_reachable(fetcher: Fetcher, start_urls: Sequence[str]) -> None:
    """Raise SiteUnavailable when no column's host may be fetched this run (a host whose
    robots.txt is unreachable is left alone; with some hosts up, the rest of the site runs
    and the columns on the others count as failed)."""
    reasons = [fetcher.unreachable(url) for url in start_urls]
    down = sorted({reason for reason in reasons if reason})
    if down and all(reasons):
        raise SiteUnavailable("; ".join(down) + "; nothing fetched this run")


def _progress_bar() -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), transient=False)
