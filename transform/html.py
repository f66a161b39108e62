"""Main content and metadata of one government article page (decoded HTML -> PageContent).

Body: found by ``transform.htmlbody`` (profile selectors, known CMS containers, else a
text-density heuristic). Block elements become line breaks, inline elements do not,
whitespace collapses as a browser would.

Metadata, first source wins per key: standard <meta> tags (ArticleTitle, PubDate,
ContentSource; never Maketime), the disclosure table (索引号, 发布机构, 文号, 成文日期,
发布日期), labelled lines (发布时间, 来源, 信息来源) around the body, then in its first
lines, and the <title>
element minus its site suffix.

Never raises on content: truncated or garbage markup yields whatever text it holds, empty
markup an empty ``body_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from transform import dates
from transform import patterns as P
from transform import selectors as sel
from transform.htmlbody import Page, find_body
from transform.htmltree import TextLoss, page_parser, parsable, render_text, text_loss
from transform.records import url_host


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
    site = url_host(url)
    loss = text_loss(html, root) if html else None
    if root is None:
        meta = {"source_site": site} if site else {}
        return PageContent(None, "", meta, "none", loss)
    page = Page(root)
    element, container, rendered = find_body(page, compiled)
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


# --- text rendering --------------------------------------------------------------------


def _lines(text: str) -> str:
    """Collapse whitespace per line (nbsp and U+3000 too), drop empty and widget-only lines."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(sel.CONTROL_CHARS.sub("", raw).split())
        if line and not P.WIDGET_LINE.match(line.translate(P.FULLWIDTH_TABLE)):
            out.append(line)
    return "\n".join(out)


# --- metadata ------------------------------------------------------------------------------


def _metadata(page: Page, body: etree._Element | None, body_text: str) -> dict[str, str]:
    meta: dict[str, str] = {}

    def put(key: str, value: str | None) -> None:
        if value and key not in meta:
            meta[key] = value

    def put_date(key: str, value: str, time_key: str | None = None) -> None:
        date, time = dates.read_date(value)
        if date is None:
            return
        put(key, date.isoformat())
        if time_key and time and meta.get(key) == date.isoformat():
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
        if match := dates.LABELLED_DATE.search(text):
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
