"""The one place lxml HTML parsers are built, and the check that a parsed tree kept its page.

libxml2 stops building a tree at a nesting depth of 256 by default and silently drops
everything after that point: a page wrapping its article in 300 <font> tags lost most of
its text. ``huge_tree`` raises the limit to 2048 levels; deeper pages are still cut, so
``text_loss`` compares the page's visible text, read flat off the markup, with the text the
tree holds, and a page that lost text is quarantined (``html_truncated``) rather than loaded
as a partial plan.

Every page parse (transform's extractor, extract's list and article walker) takes its
parser from here, and reads a tree's text as a browser shows it with ``render_text``.
lxml parser objects must not be shared between threads (flows fan out over a thread pool),
so each thread builds its own.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from lxml import etree

from transform import selectors as sel

_LOCAL = threading.local()
# Options every page parse shares: huge_tree lifts the 256-level nesting cap, no_network
# keeps libxml2 from fetching anything a page names.
PARSER_OPTIONS: dict[str, bool] = {"huge_tree": True, "no_network": True}
# A tree that misses fewer visible characters than this (and than MAX_LOST_SHARE of the
# page) is whole: flat reading and libxml2 disagree by a few characters on malformed tags
# (an unclosed `<div class="x` at the end, a `>` inside an attribute value).
MIN_LOST_WEIGHT = 40
MAX_LOST_SHARE = 0.02


def parsable(markup: str) -> str:
    """``markup`` as every page parse feeds it to libxml2: without </html> end tags, so
    what follows one is parsed as a browser would (libxml2 would stop there)."""
    return sel.HTML_END_TAG.sub("", markup) if "</" in markup else markup


def page_parser() -> etree.HTMLParser:
    """transform's parser: UTF-8 bytes in, comments and processing instructions dropped."""
    parser: etree.HTMLParser | None = getattr(_LOCAL, "page", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, **PARSER_OPTIONS
        )
        _LOCAL.page = parser
    return parser


def document_parser() -> lxml.html.HTMLParser:
    """extract's parser: str in, ``lxml.html`` elements out (CSS selectors, ``.forms``)."""
    parser: lxml.html.HTMLParser | None = getattr(_LOCAL, "document", None)
    if parser is None:
        parser = lxml.html.HTMLParser(**PARSER_OPTIONS)
        _LOCAL.document = parser
    return parser


@dataclass(frozen=True, slots=True)
class TextLoss:
    """Visible characters (whitespace aside) of the page read flat and of its tree."""

    page_weight: int
    tree_weight: int


def text_weight(text: str) -> int:
    """Visible characters: whitespace (any, U+3000 and no-break space too) left out."""
    return len("".join(text.split()))


def flat_text(markup: str) -> str:
    """The page's text without building a tree: scripts, styles, comments, tags and control
    characters removed (as before parsing), character references resolved."""
    text = sel.FLAT_RAW_TEXT.sub(" ", sel.CONTROL_CHARS.sub("", markup))
    text = sel.FLAT_COMMENT.sub(" ", text)
    return html.unescape(sel.FLAT_TAG.sub(" ", text))


def tree_weight(root: etree._Element | None) -> int:
    """Text weight of a parsed tree, scripts and styles left out as ``flat_text`` does."""
    if root is None:
        return 0
    total = text_weight("".join(root.itertext()))
    for raw in root.iter(*sel.FLAT_RAW_TAGS):
        total -= text_weight("".join(raw.itertext()))
    return total


def text_loss(markup: str, root: etree._Element | None) -> TextLoss | None:
    """How much of the page's text the tree lost, or None when it kept (nearly) all of it."""
    page = text_weight(flat_text(parsable(markup)))
    tree = tree_weight(root)
    lost = page - tree
    if lost < MIN_LOST_WEIGHT or lost <= MAX_LOST_SHARE * page:
        return None
    return TextLoss(page, tree)


def hidden(el: etree._Element) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or (
        style is not None and bool(sel.HIDDEN_STYLE.search(style))
    )


def render_text(
    root: etree._Element, prune: Callable[[etree._Element], bool] | None = None
) -> str:
    """Text of ``root`` with "\\n" wherever a block starts or ends; source newlines are
    spaces. Scripts, styles, form controls (``SKIP_TAGS``), hidden elements and what
    ``prune`` names are left out; comments and processing instructions keep their tails
    (extract's trees hold them, transform's parser drops them)."""
    parts: list[str] = []
    skipped: set[etree._Element] = set()
    pre_depth = 0
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        tag = el.tag
        if event in ("comment", "pi"):
            if el is not root and el.tail:
                parts.append(el.tail if pre_depth else el.tail.replace("\n", " "))
            continue
        if not isinstance(tag, str):  # entities and anything else without a tag name
            if event == "end" and el.tail:
                parts.append(el.tail.replace("\n", " "))
            continue
        if event == "start":
            if el is not root and (
                tag in sel.SKIP_TAGS or hidden(el) or (prune is not None and prune(el))
            ):
                skipped.add(el)
                walker.skip_subtree()
                continue
            if tag in sel.BLOCK_TAGS or tag == "br":
                parts.append("\n")
            elif tag in sel.CELL_TAGS:
                parts.append(" ")
            if tag == "pre":
                pre_depth += 1
            if el.text:
                parts.append(el.text if pre_depth else el.text.replace("\n", " "))
            continue
        if el in skipped:
            skipped.discard(el)
        else:
            if tag == "pre":
                pre_depth -= 1
            if tag in sel.BLOCK_TAGS:
                parts.append("\n")
            elif tag in sel.CELL_TAGS:
                parts.append(" ")
        if el is not root and el.tail:
            parts.append(el.tail if pre_depth else el.tail.replace("\n", " "))
    return "".join(parts)


def visible_text(root: etree._Element) -> str:
    """``render_text`` on one line, whitespace collapsed."""
    return " ".join(render_text(root).split())
