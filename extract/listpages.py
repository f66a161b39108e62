"""A fetched list page read into `ListEntry`s: by the profile's item, link and date selectors
(`item_detection: selector`), or by its structure (`structure`: extract.listing, the
selectors only when no block is found); Hanweb CDATA records and JSON list replies too."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from extract.exchange import FetchResult
from extract.jsonlist import json_entries
from extract.listing import HANWEB_RECORD, MIN_ITEMS, detect_list, parse_date
from extract.profile import ListRules
from transform.decode import decode_bytes
from transform.htmltree import document_parser, parsable

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


@dataclass(frozen=True, slots=True)
class ListEntry:
    url: str
    title: str
    date: dt.date | None
    referer: str  # the list page it came from


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


def compile_patterns(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


class EntryReader:
    """Reads one site's list pages; shared by the run's threads."""

    def __init__(self, rules: ListRules) -> None:
        self.rules = rules
        self.article_res = compile_patterns(rules.article_patterns)
        # Compiled once: el.cssselect(expr) translates CSS to XPath again on every call.
        self.item_css = CSSSelector(rules.item_selector, translator="html")
        self.link_css = CSSSelector(rules.link_selector, translator="html")
        self.date_css = (CSSSelector(rules.date_selector, translator="html")
                         if rules.date_selector else None)
        self.structure = rules.item_detection == "structure"
        # Structural detection: the entries' tag path each column's first page was read by
        # (keyed by the column's directory), so a last page of one entry reads the same way.
        self._shapes: dict[str, str] = {}
        self._lock = threading.Lock()

    def read(self, result: FetchResult) -> tuple[list[ListEntry], int | None]:
        """A list page's entries: an HTML page, or a JSON list reply (with the page count
        the reply gives, if any)."""
        ctype = (result.header("Content-Type") or "").lower()
        if "json" in ctype or result.body.lstrip()[:1] in (b"{", b"["):
            items, pages = json_entries(result.body, result.final_url)
            return [ListEntry(i.url, i.title, i.date, result.final_url) for i in items], pages
        text = decode_bytes(result.body, result.header("Content-Type")).text
        return self.entries(parse_text(text), result.final_url, text), None

    def entries(self, doc: lxml.html.HtmlElement, url: str, text: str = "") -> list[ListEntry]:
        if self.structure:
            found = self._structural(doc, url, text)
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
            if not matched and not (self.rules.dated_items and date is not None):
                continue
            seen.add(absolute)
            title = (link.get("title") or link.text_content() or "").strip()
            entries.append(ListEntry(absolute, title, date, url))
        return entries

    def _structural(self, doc: lxml.html.HtmlElement, url: str,
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
