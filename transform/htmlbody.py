"""Main content of one article page: which element holds the article, and its text.

A site profile's selectors first, then the containers the big CMS families use (``#zoom``,
``.TRS_Editor``, ``.xl-xqnr``, ``.article-content`` ...), else a text-density heuristic
over block elements that counts non-link CJK text. A selector or specific container that
matches only empty elements means an empty article (``select_body``: the one rule, which
extract's walker applies too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lxml import etree

from transform import selectors as sel
from transform.htmltree import hidden, render_text

_LINK_TAG = "a"


# --- page statistics for the density heuristic -------------------------------------------


def _weight(text: str) -> int:
    """Text signal: CJK ideographs, plus Latin/digit words for pages without Chinese."""
    return len(sel.NON_CJK.sub("", text)) + len(sel.LATIN_WORD.findall(text))


class Page:
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


def find_body(
    page: Page, compiled: Sequence[tuple[str, etree.XPath]]
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
