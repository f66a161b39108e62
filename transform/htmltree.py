"""The one place lxml HTML parsers are built, and the check that a parsed tree kept its page.

libxml2 stops building a tree at a nesting depth of 256 by default and silently drops
everything after that point: a page wrapping its article in 300 <font> tags lost most of
its text. ``huge_tree`` raises the limit to 2048 levels; deeper pages are still cut, so
``text_loss`` compares the page's visible text, read flat off the markup, with the text the
tree holds, and a page that lost text is quarantined (``html_truncated``) rather than loaded
as a partial plan.

Every page parse (transform's extractor, extract's list and article walker) takes its
parser from here. lxml parser objects must not be shared between threads (flows fan out
over a thread pool), so each thread builds its own.
"""

from __future__ import annotations

import html
import threading
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
