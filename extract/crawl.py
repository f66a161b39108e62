"""Profile-driven list -> detail walker: one site, one run, every response archived first.

`harvest()` walks each start (column) URL with the paginator its profile names
(extract.paginators), collects article links with their list dates, then fetches articles
and their attachments in worker threads (per-host politeness is the fetcher's job). Known
URLs are fetched conditionally, and only when the revisit policy (extract.revisit) says
they are due; a 304 or an unchanged digest yields no page. Anti-bot interstitials and
empty article bodies (transform.htmlbody.select_body, the rule transform applies too) are
`blocked`, never pages. A list page that yields no article link is logged as
`no_list_items`, and a start URL that yields none is named in the result.

Threads: one pool walks the columns and then fetches the entries; list pages that one
column may read side by side go to a second pool, made once per run beside it (a column's
task waits on list pages, never the reverse), so no pool is made inside another's work.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import lxml.html

from extract.archive import read_record
from extract.archive_writer import ArchiveWriter
from extract.attachments import AttachmentError, as_text_page
from extract.exchange import FetchResult, RecordKind
from extract.http import Fetcher
from extract.listpages import EntryReader, ListEntry, compile_patterns, parse_html, parse_text
from extract.paginators import walk_column
from extract.profile import SiteProfile, resolve_profile
from extract.revisit import RevisitPolicy, select
from extract.settings import HarvestSettings, resolve_settings
from extract.state import SiteState, UrlState, load_state
from transform.decode import decode_bytes
from transform.htmlbody import select_body
from transform.htmltree import text_loss, visible_text
from transform.records import RawPage, sha256_digest
from transform.selectors import compile_selector

COUNT_KEYS: tuple[str, ...] = (
    "pages_fetched", "new", "changed", "not_modified", "failed", "blocked", "out_of_scope",
    "too_large", "timeout", "deferred", "no_list_items",
)
# Outcomes whose URLs go to `failed_urls`: the page exists but this run could not get it.
UNFETCHED = ("failed", "too_large", "timeout")
MIN_PAGE_TEXT = 20  # visible characters below which a selector-less page counts as empty
SKIPPED_HREF = ("javascript:", "#", "mailto:")

T = TypeVar("T")
R = TypeVar("R")


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


class _Walker:
    """Everything one harvest run shares between its threads."""

    def __init__(self, profile: SiteProfile, settings: HarvestSettings, fetcher: Fetcher,
                 writer: ArchiveWriter, state: SiteState, archive_dir: Path,
                 since: dt.date | None, progress: Any, today: dt.date,
                 list_pool: ThreadPoolExecutor) -> None:
        self.profile, self.settings, self.fetcher = profile, settings, fetcher
        self.writer, self.state, self.archive_dir = writer, state, archive_dir
        self.since = since
        self.progress = progress
        self.policy = RevisitPolicy(settings, state, today)
        self.rules = profile.listing
        self.reader = EntryReader(self.rules)
        self.page_res = compile_patterns(self.rules.page_patterns)
        self.body_selectors = [(s, compile_selector(s)) for s in profile.detail.body_selectors]
        self.attachment_exts = tuple(e.lower() for e in profile.detail.attachment_extensions)
        self._list_pool = list_pool
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

    def _note(self, url: str, outcome: str, detail: str) -> None:
        self.writer.amend_outcome(url, outcome, detail)

    # -- list pages (extract.paginators' ColumnPages) -----------------------------------
    def fetch_list(self, url: str, method: str = "GET",
                   data: dict[str, str] | None = None) -> FetchResult | None:
        result = self.fetcher.fetch(url, kind="list", method=method, data=data)
        return result if self.settle(result) else None

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return list(self._list_pool.map(fn, items))

    def walk_column(self, start_url: str) -> list[ListEntry]:
        """The column's entries, newest first, as far as tonight's paging goes; every one
        is noted in the listings manifest."""
        stop = self.policy.stop(start_url, self.since)
        entries = walk_column(self, start_url, stop)
        if not entries:
            with self._lock:
                self.result.empty_columns.append(start_url)
            return entries
        complete = not stop.hit
        self.writer.record_listing(start_url, [(e.url, e.date, e.referer) for e in entries],
                                   seen_on=self.policy.today, complete=complete)
        if complete:
            with self._lock:
                self.walked_to_end.add(start_url)
        return entries

    # -- detail pages ------------------------------------------------------------------
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
        """Why the page has no article where one should be, or None: the profile's body
        selectors match only elements without text (the rule transform's select_body
        applies), or, with none matching, the page shows next to no text."""
        element, selector, _ = select_body(doc, self.body_selectors)
        if element is not None:
            return None
        if selector is not None:
            return f"empty article body ({selector})"
        body = doc.find("body")
        if body is None or len(visible_text(body)) < MIN_PAGE_TEXT:
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
            if not href or href.startswith(SKIPPED_HREF):
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
    site = resolve_profile(profile, start_url, allow_hosts, base_url)
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
        workers = max(1, resolved.workers)
        _check_reachable(fetcher, site.absolute_start_urls())
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest")
        # A column's list pages read side by side: the host gate bounds them per host.
        list_pool = ThreadPoolExecutor(max_workers=max(workers, resolved.concurrency_per_host),
                                       thread_name_prefix="lists")
        walker = _Walker(site, resolved, fetcher, writer, state, archive_dir, since, bar, today,
                         list_pool)
        try:
            columns = list(pool.map(walker.walk_column, site.absolute_start_urls()))
            remembered = walker.policy.remembered(columns, walker.walked_to_end)
            considered = select([*columns, remembered], since)
            entries = [entry for entry in considered if walker.policy.due(entry)]
            walker.counts["deferred"] = len(considered) - len(entries)
            if resolved.max_pages is not None:
                entries = entries[: resolved.max_pages]
            if bar is not None:
                bar.update(walker._list_task, total=bar.tasks[walker._list_task].completed)
                walker._task = bar.add_task(f"{site.name} articles", total=len(entries))
            list(pool.map(walker.fetch_entry, entries))
        finally:
            # On Ctrl-C or an error, drop queued fetches; running ones finish and are archived.
            list_pool.shutdown(wait=True, cancel_futures=True)
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
