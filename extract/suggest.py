"""A site profile suggested from a column's pages: `govharvest profile suggest`.

Reads the start (list) page, the next list page when there is one, and the first article,
through the same `Fetcher` a harvest uses (robots.txt, per-host delay, allowed hosts), and
turns what `extract.listing` finds on them into a profile: the closest family to extend,
the entries' item and link selectors, article URL patterns generalised from the entries'
links, a named paginator with its template, and the article body's selector. The profile is
validated against the schema before it is written, and `harvest --site NAME` runs on it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import yaml
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from extract.exchange import FetchResult
from extract.http import Fetcher
from extract.jsonlist import json_endpoints, json_entries, json_template
from extract.listing import HANWEB_RECORD, ListBlock, ListItem, detect_list
from extract.listpages import EntryReader, parse_text
from extract.paging import HANWEB_NEXTGROUP, Paging, detect_paging
from extract.profile import (
    SITES_DIR,
    ListRules,
    ProfileError,
    SiteProfile,
    generic_profile,
    load_profile,
    read_family,
)
from extract.settings import resolve_settings
from transform.decode import charset_from_content_type, decode_bytes

# Families a suggestion may extend, most specific first; generic when none fits.
FAMILIES = ("hunan", "trs", "hanweb")
BODY_TAGS = ("p", "div", "span", "font", "br")  # what a body container's children are
IDENT = re.compile(r"^[A-Za-z_][\w-]*$")
DIGITS = re.compile(r"\d+")
_DECLARED_SOURCES = ("http", "meta", "bom")
# The written list rules that say which links of a page are entries (not how it pages).
_READER_RULES = ("item_selector", "link_selector", "article_patterns", "dated_items")


class SuggestError(ProfileError):
    """No profile can be suggested: the start page cannot be fetched or lists nothing."""


@dataclass(slots=True)
class Suggestion:
    name: str
    path: Path
    family: str
    start_url: str
    entries: list[ListItem]
    paging: str  # the paginator chosen
    next_page: str | None
    second_page_entries: int | None  # entries the profile's rules read on the next page
    body_selector: str | None
    body_first_line: str
    encoding: str
    notes: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)


def _text(result: FetchResult) -> tuple[str, str, str]:
    """(text, codec, where the codec came from) of a fetched page."""
    decoded = decode_bytes(result.body, result.header("Content-Type"))
    return decoded.text, decoded.encoding, decoded.source


def url_pattern(url: str) -> str:
    """A regex for URLs shaped like `url`: its path (and query) with digit runs as \\d+."""
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return DIGITS.sub(r"\\d+", re.escape(tail)) + "$"


def _relative(url: str, start_url: str) -> str:
    """`url` relative to the start URL's directory when below it, else from the root."""
    directory = urljoin(start_url, ".")
    if url.startswith(directory):
        return url[len(directory):]
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _family(paging: str, urls: Sequence[str]) -> str:
    if paging in ("trs", "hanweb"):
        return paging
    for name in FAMILIES:
        patterns = [re.compile(p) for p in read_family(name).get("list", {})
                    .get("article_patterns", [])]
        if urls and patterns and all(any(p.search(u) for p in patterns) for u in urls):
            return name
    return "generic"


def _body(doc: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement | None, str | None]:
    """The article body: the element whose own paragraphs hold the most text, and a
    selector that picks it alone (None when no stable one exists)."""
    best, weight = None, 0
    for element in doc.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "head"):
            continue
        own = sum(len("".join(child.itertext()).strip()) for child in element
                  if isinstance(child.tag, str) and child.tag == "p")
        if own > weight:
            best, weight = element, own
    if best is None:
        return None, None
    candidates = []
    ident = best.get("id") or ""
    if IDENT.match(ident):
        candidates.append(f"#{ident}")
    candidates += [f"{best.tag}.{c}" for c in (best.get("class") or "").split() if IDENT.match(c)]
    for css in candidates:
        if len(CSSSelector(css, translator="html")(doc)) == 1:
            return best, css
    return best, None


def _first_line(element: lxml.html.HtmlElement | None) -> str:
    if element is None:
        return ""
    for child in element.iter("p"):
        line = " ".join("".join(child.itertext()).split())
        if line:
            return line
    return " ".join("".join(element.itertext()).split())[:120]


def _body_selectors(doc: lxml.html.HtmlElement, family: str) -> tuple[list[str], str | None,
                                                                       str]:
    """The family's body selectors, with the detected one first unless a family selector
    already picks the body (or a container of it)."""
    known = list(read_family(family).get("detail", {}).get("body_selectors", []))
    body, css = _body(doc)
    for selector in known:
        try:
            found = CSSSelector(selector, translator="html")(doc)
        except SelectorError:  # a family selector in XPath, or CSS cssselect refuses
            continue
        if body is not None and any(el is body or body in el.iterdescendants() for el in found):
            return known, selector, _first_line(body)
    if css is None:
        return known, None, _first_line(body)
    return [css, *[s for s in known if s != css]], css, _first_line(body)


def _json_first(fetcher: Fetcher, template: str, first: int,
                ) -> tuple[list[ListItem], int | None, str]:
    url = template.replace("{n}", str(first))
    result = fetcher.fetch(url, kind="list")
    if result.outcome != "ok":
        return [], None, url
    items, pages = json_entries(result.body, result.final_url)
    return items, pages, url


def _selected(doc: lxml.html.HtmlElement, url: str, lists: dict[str, Any]) -> list[str]:
    """Article URLs the written list rules read on a page, by the crawler's own reader."""
    rules = ListRules.model_validate({k: lists[k] for k in _READER_RULES if k in lists})
    return [entry.url for entry in EntryReader(rules).entries(doc, url)]


def suggest_profile(
    start_url: str,
    allow_hosts: Sequence[str] = (),
    *,
    name: str | None = None,
    sites_dir: Path | None = None,
    delay: float | None = None,
    overwrite: bool = False,
    today: dt.date | None = None,
) -> Suggestion:
    """Read a column and write `NAME.yaml` into `sites_dir` (default sites/)."""
    generic = generic_profile(start_url, allow_hosts)
    name = name or generic.name
    folder = Path(sites_dir or SITES_DIR)
    path = folder / f"{name}.yaml"
    if path.exists() and not overwrite:
        raise SuggestError(f"{path} already exists (pass --force to replace it)")
    settings = resolve_settings(generic.settings, {"delay": delay})
    hosts = {*generic.hosts, *(h.lower() for h in allow_hosts)}
    private = {h.lower() for h in allow_hosts}
    with Fetcher(settings, hosts, private_hosts=private) as fetcher:
        return _suggest(fetcher, generic, start_url, name, path, today or dt.date.today())


def _suggest(fetcher: Fetcher, generic: SiteProfile, start_url: str, name: str, path: Path,
             today: dt.date) -> Suggestion:
    first = fetcher.fetch(start_url, kind="list")
    if first.outcome != "ok":
        raise SuggestError(f"cannot read {start_url}: {first.outcome} ({first.detail})")
    url = first.final_url
    text, encoding, source = _text(first)
    doc = parse_text(text)
    hints = [re.compile(p) for p in generic.listing.article_patterns]
    block: ListBlock | None = detect_list(doc, url, hints=hints, text=text)
    entries = list(block.items) if block else []
    paging: Paging = detect_paging(doc, url, text, exclude=[e.url for e in entries])
    notes: list[str] = []
    lists: dict[str, Any] = {}
    json_url = None
    endpoints = json_endpoints(text, url)
    if endpoints and not any(e.date for e in entries):
        template, first_n = json_template(endpoints[0])
        items, pages, json_url = _json_first(fetcher, template, first_n)
        if items:
            entries, block = items, None
            paging = Paging("json", template=template, first=first_n, count=pages)
    if not entries:
        raise SuggestError(f"no list of articles found on {url}: no repeated block of "
                           "titled links, and no JSON list named by its scripts")
    urls = [e.url for e in entries]
    family = _family(paging.style, urls)
    lists["item_detection"] = "selector"
    if block is not None and not HANWEB_RECORD.search(text):
        lists["item_selector"] = block.selector
        lists["link_selector"] = block.link_selector
    lists["article_patterns"] = list(dict.fromkeys(url_pattern(u) for u in urls))
    lists["dated_items"] = False
    next_page = paging.next_url
    style = paging.style
    lists["pagination"] = style
    if style == "template" and paging.template:
        lists["page_template"] = _relative(paging.template, start_url)
        lists["page_first"] = paging.first
        next_page = paging.template.replace("{n}", str(paging.first))
    elif style == "links":
        lists["page_patterns"] = [url_pattern(paging.template.replace("{n}", "2"))
                                  if paging.template else url_pattern(link)
                                  for link in (paging.links[:1] or ())]
        if not lists["page_patterns"]:
            lists.pop("page_patterns")
    elif style == "json" and paging.template:
        lists["json_url"] = _relative(paging.template, start_url)
        lists["json_first"] = paging.first
        if paging.count and paging.count > 1 and "{n}" in paging.template:
            next_page = paging.template.replace("{n}", str(paging.first + 1))
        else:
            next_page = None
        notes.append(f"entries come from the JSON list {json_url}")
    elif style == "trs" and paging.template:
        next_page = paging.template.replace("{n}", str(paging.first))
    elif style == "hanweb" and (group := HANWEB_NEXTGROUP.search(text)):
        href = lxml.html.fragment_fromstring(group.group(1), create_parent="div").xpath(
            "string(.//a/@href)")
        next_page = f"{urljoin(url, href.split('?')[0])} (POST, records {len(entries) + 1}-)"
    second = _second_page(fetcher, next_page, style, lists)
    if second is not None and second == 0:
        notes.append(f"the written rules read no entry on the next page {next_page}")
    article = fetcher.fetch(entries[0].url, kind="article", referer=url)
    body_selectors: list[str] = list(read_family(family).get("detail", {})
                                     .get("body_selectors", []))
    body_css, first_line = None, ""
    if article.outcome == "ok":
        article_text, article_codec, article_source = _text(article)
        body_selectors, body_css, first_line = _body_selectors(parse_text(article_text),
                                                               family)
        notes += _encoding_notes("article", article, article_codec, article_source)
    else:
        notes.append(f"could not read the first article {entries[0].url}: {article.outcome}")
    notes += _encoding_notes("list page", first, encoding, source)
    parts = urlsplit(start_url)
    profile: dict[str, Any] = {
        "extends": family,
        "description": f"{_title(doc) or parts.hostname} (suggested profile)",
        "base_url": f"{parts.scheme}://{parts.netloc}/",
        "hosts": list(generic.hosts),
        "start_urls": [parts.path + (f"?{parts.query}" if parts.query else "")],
        "list": lists,
        "detail": {"body_selectors": body_selectors},
    }
    suggestion = Suggestion(
        name=name, path=path, family=family, start_url=start_url, entries=entries,
        paging=style, next_page=next_page, second_page_entries=second,
        body_selector=body_css, body_first_line=first_line, encoding=encoding, notes=notes,
        profile=profile)
    _write(suggestion, today)
    return suggestion


def _second_page(fetcher: Fetcher, next_page: str | None, style: str,
                 lists: dict[str, Any]) -> int | None:
    """How many entries the written rules read on the next list page (None: not read)."""
    if not next_page or style == "hanweb":
        return None
    result = fetcher.fetch(next_page, kind="list")
    if result.outcome != "ok":
        return 0
    if style == "json":
        return len(json_entries(result.body, result.final_url)[0])
    if "item_selector" not in lists:
        return None
    text, _, _ = _text(result)
    return len(_selected(parse_text(text), result.final_url, lists))


def _encoding_notes(what: str, result: FetchResult, codec: str, source: str) -> list[str]:
    """Say when a page's declared charset is not what it is written in (the decoder reads
    such pages by detection on every run: transform/decode.py)."""
    declared = charset_from_content_type(result.header("Content-Type"))
    if source in _DECLARED_SOURCES or (declared is None and source != "damaged"):
        return []
    said = f"declares {declared}" if declared else "declares no charset"
    return [f"the {what} {said} but is {codec} ({source}); the decoder reads it as {codec}"]


def _title(doc: lxml.html.HtmlElement) -> str:
    title = doc.find(".//title")
    return " ".join((title.text_content() if title is not None else "").split())[:60]


def _write(suggestion: Suggestion, today: dt.date) -> None:
    entries = suggestion.entries
    dates = sorted(e.date for e in entries if e.date)
    header = [
        f"Suggested by `govharvest profile suggest` from {suggestion.start_url} "
        f"on {today.isoformat()}:",
        f"{len(entries)} entries on the first list page"
        + (f" ({dates[0].isoformat()} .. {dates[-1].isoformat()})" if dates else "")
        + f", paginator {suggestion.paging}.",
        *suggestion.notes,
        "Check it, and the site's robots.txt, before the first real harvest.",
    ]
    body = yaml.safe_dump(suggestion.profile, allow_unicode=True, sort_keys=False, width=100)
    text = "".join(f"# {line}\n" for line in header) + body
    suggestion.path.parent.mkdir(parents=True, exist_ok=True)
    # Validated against the schema (families from sites/) before it takes the name.
    tmp = suggestion.path.with_name(suggestion.path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_profile(tmp, sites_dir=SITES_DIR)
    except ProfileError:
        tmp.unlink()
        raise
    tmp.replace(suggestion.path)
