"""Main content and metadata of one government article page (decoded HTML -> PageContent).

Body: a site profile's selectors first, then the containers the big CMS families use
(``#zoom``, ``.TRS_Editor``, ``.xl-xqnr``, ``.article-content`` ...), else a text-density
heuristic over block elements that counts non-link CJK text. Block elements become line
breaks, inline elements do not, whitespace collapses as a browser would.

Metadata, first source wins per key: standard <meta> tags (ArticleTitle, PubDate,
ContentSource; never Maketime), the disclosure table (索引号, 发布机构, 文号, 成文日期,
发布日期), labelled lines (发布时间, 来源, 信息来源) around the body, then in its first
lines, and the <title>
element minus its site suffix.

Never raises on content: truncated or garbage markup yields whatever text it holds, empty
markup an empty ``body_text``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from transform import selectors as sel
from transform.htmltree import TextLoss, hidden, page_parser, parsable, render_text, text_loss

_LINK_TAG = "a"


@dataclass(frozen=True, slots=True)
class PageContent:
    """What one page says about itself.

    ``meta`` keys (all optional): title, publish_date ("YYYY-MM-DD"), publish_time ("HH:MM"),
    source, issuer, document_date, doc_number, index_no, source_site (host of ``url``).
    ``container`` names the rule that found the body: "selector:<sel>", "known:<sel>",
    "density", or "none" (nothing found). A matched but empty container keeps its name and
    gives an empty ``body_text``. ``text_loss`` is set when the parsed tree lost part of the
    page's text (nesting deeper than libxml2 builds): the page must not load as it is.
    """

    title: str | None
    body_text: str
    meta: dict[str, str] = field(default_factory=dict)
    container: str = "none"
    text_loss: TextLoss | None = None


def extract_page(
    html: str, *, url: str | None = None, body_selectors: Sequence[str] = ()
) -> PageContent:
    """Extract title, body text and metadata from a decoded page.

    ``body_selectors`` (CSS, or XPath starting with "/") are tried before the built-in
    containers; an invalid selector raises ValueError (it is configuration, not content).
    """
    compiled = [(text, sel.compile_selector(text)) for text in body_selectors]
    root = _parse(html)
    site = _host(url)
    loss = text_loss(html, root) if html else None
    if root is None:
        meta = {"source_site": site} if site else {}
        return PageContent(None, "", meta, "none", loss)
    page = _Page(root)
    element, container, rendered = _find_body(page, compiled)
    body_text = _lines(rendered)
    meta = _metadata(page, element, body_text)
    if site:
        meta.setdefault("source_site", site)
    return PageContent(meta.get("title"), body_text, meta, container, loss)


def _parse(html: str) -> etree._Element | None:
    if not html or not html.strip():
        return None
    # Parse bytes with a fixed codec: a str carrying an XML encoding declaration or a meta
    # charset would otherwise be rejected or re-decoded by libxml2.
    data = sel.CONTROL_CHARS.sub("", parsable(html)).encode("utf-8", errors="replace")
    try:
        return etree.fromstring(data, page_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None


# --- text rendering --------------------------------------------------------------------


def _lines(text: str) -> str:
    """Collapse whitespace per line (nbsp and U+3000 too), drop empty and chrome-only lines."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(sel.CONTROL_CHARS.sub("", raw).split())
        if line and not sel.CHROME_LINE.match(line):
            out.append(line)
    return "\n".join(out)


# --- page statistics for the density heuristic -------------------------------------------


def _weight(text: str) -> int:
    """Text signal: CJK ideographs, plus Latin/digit words for pages without Chinese."""
    return len(sel.NON_CJK.sub("", text)) + len(sel.LATIN_WORD.findall(text))



class _Page:
    """One parsed page; per-block text statistics are computed on first use."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        bodies = sel.BODY(root)
        self.body: etree._Element = bodies[0] if bodies else root
        self._stats: _Stats | None = None

    @property
    def stats(self) -> _Stats:
        if self._stats is None:
            self._stats = _Stats(self.body)
        return self._stats

    def heuristic_prune(self) -> Callable[[etree._Element], bool]:
        """Inside a heuristically found body, skip chrome blocks and link lists."""
        stats = self.stats

        def prune(el: etree._Element) -> bool:
            if el not in stats.total:
                return False
            if _is_chrome(el):
                return True
            total = stats.total[el] + stats.total_link[el]
            return total > 0 and stats.total_link[el] / total > sel.MAX_LINK_DENSITY

        return prune


def _is_chrome(el: etree._Element) -> bool:
    if el.tag in sel.CHROME_TAGS:
        return True
    marks = f"{el.get('class', '')} {el.get('id', '')}".strip()
    return bool(marks) and bool(sel.CHROME_ATTR.search(marks))


class _Stats:
    """Non-link (``own``) and link text weight held directly by each block, and subtree totals.

    Text inside inline elements counts for the nearest block ancestor; td/th count as blocks
    because table layouts put whole articles in a cell.
    """

    def __init__(self, body: etree._Element) -> None:
        self.own: dict[etree._Element, int] = {}
        self.link: dict[etree._Element, int] = {}
        self.parent: dict[etree._Element, etree._Element | None] = {}
        self.order: list[etree._Element] = []
        stack: list[etree._Element] = []
        link_depth = 0
        skipped: set[etree._Element] = set()
        walker = etree.iterwalk(body, events=("start", "end"))
        for event, el in walker:
            tag = el.tag
            if not isinstance(tag, str):
                if event == "end" and el.tail and stack:
                    self._add(stack[-1], el.tail, link_depth > 0)
                continue
            if event == "start":
                if el is not body and (tag in sel.SKIP_TAGS or hidden(el)):
                    skipped.add(el)
                    walker.skip_subtree()
                    continue
                if tag in sel.BLOCK_TAGS or tag in sel.CELL_TAGS or el is body:
                    self.parent[el] = stack[-1] if stack else None
                    self.own[el] = 0
                    self.link[el] = 0
                    self.order.append(el)
                    stack.append(el)
                if tag == _LINK_TAG:
                    link_depth += 1
                if el.text and stack:
                    self._add(stack[-1], el.text, link_depth > 0)
                continue
            if el in skipped:
                skipped.discard(el)
            else:
                if tag == _LINK_TAG:
                    link_depth -= 1
                if stack and stack[-1] is el:
                    stack.pop()
            if el is not body and el.tail and stack:
                self._add(stack[-1], el.tail, link_depth > 0)
        self.total = dict(self.own)
        self.total_link = dict(self.link)
        for block in reversed(self.order):
            up = self.parent[block]
            if up is not None:
                self.total[up] += self.total[block]
                self.total_link[up] += self.total_link[block]

    def _add(self, block: etree._Element, text: str, in_link: bool) -> None:
        weight = _weight(text)
        if weight:
            (self.link if in_link else self.own)[block] += weight

    def best_block(self) -> etree._Element | None:
        """The block whose own, children's and (half) grandchildren's text weighs most,
        then narrowed to a child that holds nearly all of its text."""
        score: dict[etree._Element, float] = {}
        children: dict[etree._Element, list[etree._Element]] = {}
        for block in self.order:
            weight = self.own[block]
            score[block] = score.get(block, 0.0) + weight
            up = self.parent[block]
            if up is None:
                continue
            children.setdefault(up, []).append(block)
            score[up] = score.get(up, 0.0) + weight
            grand = self.parent[up]
            if grand is not None:
                score[grand] = score.get(grand, 0.0) + 0.5 * weight
        candidates = [b for b in self.order if score.get(b, 0.0) > 0 and not _is_chrome(b)]
        if not candidates:
            return None
        best = max(candidates, key=lambda b: score[b])
        while True:
            narrower = [
                c
                for c in children.get(best, ())
                if not _is_chrome(c) and self.total[c] >= sel.DESCEND_SHARE * self.total[best]
            ]
            if not narrower:
                return best
            best = narrower[0]


# --- main content ------------------------------------------------------------------------


def _find_body(
    page: _Page, compiled: Sequence[tuple[str, etree.XPath]]
) -> tuple[etree._Element | None, str, str]:
    """(body element, rule name, its rendered text).

    A profile selector or specific container that matches but holds no text means an empty
    article (a removed or not yet filled page): the heuristic would only find chrome there.
    """
    element, selector, rendered = select_body(page.root, compiled)
    if element is not None:
        return element, f"selector:{selector}", rendered
    empty_hit = f"selector:{selector}" if selector is not None else None
    for container in sel.KNOWN_CONTAINERS:
        matches = _elements(container.xpath, page.root)
        element, rendered = _largest(matches)
        if element is None:
            if matches and container.specific and empty_hit is None:
                empty_hit = f"known:{container.name}"
            continue
        if container.specific:
            return element, f"known:{container.name}", rendered
        page_total = page.stats.total.get(page.body, 0)
        if page_total and page.stats.total.get(element, 0) >= sel.GENERIC_MIN_SHARE * page_total:
            # Generic names often mark a whole-page wrapper: drop its chrome and link lists.
            return element, f"known:{container.name}", render_text(element, page.heuristic_prune())
    if empty_hit is not None:
        return None, empty_hit, ""
    best = page.stats.best_block()
    if best is None:
        return None, "none", ""
    return best, "density", render_text(best, page.heuristic_prune())


def select_body(
    root: etree._Element, compiled: Sequence[tuple[str, etree.XPath]]
) -> tuple[etree._Element | None, str | None, str]:
    """The body a profile's selectors pick: (the largest match of the first selector whose
    matches hold text, that selector, its rendered text). When none holds text: (None, the
    first selector that matched only empty elements, or None when none matched, "").

    The one rule for an empty article: extract's walker blocks such a page, transform
    gives it an empty body.
    """
    empty: str | None = None
    for text, xpath in compiled:
        matches = _elements(xpath, root)
        element, rendered = _largest(matches)
        if element is not None:
            return element, text, rendered
        if matches and empty is None:
            empty = text
    return None, empty, ""


def _elements(xpath: etree.XPath, root: etree._Element) -> list[etree._Element]:
    try:
        found = xpath(root)
    except etree.XPathEvalError:
        return []
    if not isinstance(found, list):
        return []
    return [el for el in found if isinstance(el, etree._Element) and isinstance(el.tag, str)]


def _largest(elements: list[etree._Element]) -> tuple[etree._Element | None, str]:
    """Among matches of one selector, the one with the most text (a page may repeat a class)."""
    best: etree._Element | None = None
    best_text = ""
    best_weight = 0
    for el in elements:
        rendered = render_text(el, None)
        weight = _weight(rendered)
        if weight > best_weight:
            best, best_text, best_weight = el, rendered, weight
    return best, best_text


# --- metadata ------------------------------------------------------------------------------


def _metadata(page: _Page, body: etree._Element | None, body_text: str) -> dict[str, str]:
    meta: dict[str, str] = {}

    def put(key: str, value: str | None) -> None:
        if value and key not in meta:
            meta[key] = value

    def put_date(key: str, value: str, time_key: str | None = None) -> None:
        date, time = _parse_date(value)
        if date is None:
            return
        put(key, date)
        if time_key and time and meta.get(key) == date:
            put(time_key, time)

    for tag in sel.META_BY_NAME(page.root):
        name = (tag.get("name") or "").strip().lower()
        content = " ".join((tag.get("content") or "").split())
        if name == sel.META_TITLE:
            put("title", content)
        elif name == sel.META_PUBDATE:
            put_date("publish_date", content, "publish_time")
        elif name == sel.META_SOURCE:
            put("source", content)

    for key, value in _table_fields(page.root, body):
        if key.endswith("_date"):
            put_date(key, value, "publish_time" if key == "publish_date" else None)
        else:
            put(key, value)

    # Labelled lines: page chrome around the body first, then the body's first lines (where a
    # heuristic body or a copied article keeps its "来源：… 发布时间：…" line).
    outside = render_text(page.body, (lambda el: el is body) if body is not None else None)
    head = body_text.split("\n", sel.BODY_HEAD_LINES)[: sel.BODY_HEAD_LINES]
    for text in (" ".join(outside.split()), " ".join(head)):
        if match := sel.LABELLED_DATE.search(text):
            put_date("publish_date", match.group(0), "publish_time")
        if match := sel.LABELLED_SOURCE.search(text):
            put("source", sel.SOURCE_STOP.split(match.group("v"), maxsplit=1)[0].strip())

    titles = sel.TITLE(page.root)
    if titles:
        put("title", _strip_site(" ".join("".join(titles[0].itertext()).split())))
    return meta


def _cell_text(cell: etree._Element) -> str:
    return " ".join("".join(cell.itertext()).split())


def _table_fields(root: etree._Element, body: etree._Element | None) -> list[tuple[str, str]]:
    """(key, value) pairs from label cells ("发布机构：" then a value cell, or both in one)."""
    cells = [
        c
        for c in sel.TABLE_CELLS(root)
        if body is None or not any(a is body for a in c.iterancestors())
    ]
    found: list[tuple[str, str]] = []
    for i, cell in enumerate(cells):
        text = _cell_text(cell)
        label, sep, value = text.replace("：", ":").partition(":")
        key = sel.TABLE_LABELS.get(sel.LABEL_NOISE.sub("", label))
        if key is None:
            continue
        value = value.strip()
        if not sep or not value:
            if i + 1 >= len(cells):
                continue
            value = _cell_text(cells[i + 1])
            next_label = sel.LABEL_NOISE.sub("", value.replace("：", ":").partition(":")[0])
            if next_label in sel.META_LABELS:  # an empty value cell was left out
                continue
        if value:
            found.append((key, value))
    return found


def _parse_date(text: str) -> tuple[str | None, str | None]:
    match = sel.DATE.search(text)
    if not match:
        return None, None
    try:
        date = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None, None
    time = None
    if match["H"] is not None and int(match["H"]) < 24 and int(match["M"]) < 60:
        time = f"{int(match['H']):02d}:{match['M']}"
    return date.isoformat(), time


def _strip_site(title: str) -> str | None:
    """'标题_湘潭市司法局' -> '标题'; a part is dropped only if it reads like a site name."""
    parts = [p for p in sel.TITLE_SEPARATOR.split(title) if p]
    while len(parts) > 1 and sel.SITE_NAME.search(parts[-1]):
        parts.pop()
    while len(parts) > 1 and sel.SITE_NAME.search(parts[0]) and len(parts[0]) < len(parts[1]):
        parts.pop(0)
    result = " - ".join(parts) if len(parts) > 1 else (parts[0] if parts else "")
    bare = sel.TITLE_BARE_DASH.match(result)
    if bare and sel.SITE_NAME.search(bare["site"]):
        result = bare["title"]
    return result.strip() or None
