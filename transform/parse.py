"""Sequencing only: input -> text -> normalize -> front matter -> tree -> clauses/facts.

Like trafilatura's core.py, this module decides the order of the stages and merges their
results into one `Document`; the rules live in the stage modules.
"""

from __future__ import annotations

import codecs
import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from transform import clauses, facts, frontmatter, metadata, structure, text
from transform import patterns as P
from transform.decode import Decoded, charset_from_content_type, decode_bytes
from transform.records import Document, Node, sha256_digest, url_host

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_CHARS = 2048
_BINARY_SHARE = 0.1  # more control characters than this and it is not text


class UnreadableInput(ValueError):
    """The input is binary or cannot be read as text at all."""


def _read(
    data: bytes | str | Path, content_type: str | None
) -> tuple[str, bool, int, Decoded | None]:
    """(text, is_html, source U+FFFD count, the decoding when no decoding of the bytes reads
    as Chinese) from the three accepted input kinds."""
    suffix_html = False
    garbled: Decoded | None = None
    if isinstance(data, Path):
        path = data
        if not path.is_file():
            raise UnreadableInput(f"not a file: {path}")
        suffix_html = path.suffix.lower() in (".html", ".htm", ".shtml", ".xhtml")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableInput(f"cannot read {path}: {exc.strerror}") from exc
    if isinstance(data, bytes):
        raw, source_fffd, garbled = _decode(data, content_type)
    else:
        # `in` runs at memchr speed, count() tests every character: most texts have none.
        raw, source_fffd = data, (data.count("\ufffd") if "\ufffd" in data else 0)
    if "\x00" in raw:
        raise UnreadableInput("binary input (NUL characters)")
    head = raw[:_SNIFF_CHARS]
    if head and _binary_controls(head) > _BINARY_SHARE * len(head):
        raise UnreadableInput("binary input (control characters)")
    is_html = suffix_html or bool(content_type and "html" in content_type.lower())
    is_html = is_html or bool(P.HTML_START.match(head)) or len(P.HTML_TAGS.findall(head)) >= 2
    return raw, is_html, source_fffd, garbled


def _binary_controls(text: str) -> int:
    """How many control characters that never occur in text `text` holds."""
    return len(P.BINARY_CONTROL.findall(text))


def _decode(data: bytes, content_type: str | None) -> tuple[str, int, Decoded | None]:
    """Bytes -> (text, U+FFFD count the source itself carried, the decoding if it is
    mojibake).

    NUL bytes mean binary unless a BOM or a declared charset says UTF-16/32.
    """
    for bom, codec in _WIDE_BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            text = body.decode(codec, errors="replace")
            return text, _source_fffd(body, codec, text), None
    declared = charset_from_content_type(content_type) or ""
    if b"\x00" in data and not declared.startswith(("utf-16", "utf_16", "utf-32", "utf_32")):
        raise UnreadableInput("binary input (NUL bytes)")
    decoded = decode_bytes(data, content_type)
    body = data[3:] if decoded.source == "bom" else data
    garbled = decoded if decoded.mojibake is not None else None
    return decoded.text, _source_fffd(body, decoded.encoding, decoded.text), garbled


def _source_fffd(body: bytes, encoding: str, text: str) -> int:
    """Replacement characters present in the source, not introduced by lenient decoding."""
    if "\ufffd" not in text:
        return 0
    try:
        return body.decode(encoding).count("\ufffd")
    except (UnicodeDecodeError, LookupError):
        # Undecodable bytes dropped instead of replaced: what remains was really there.
        return body.decode(encoding, errors="ignore").count("\ufffd")


def parse_document(
    data: bytes | str | Path,
    *,
    url: str | None = None,
    content_type: str | None = None,
    source_site: str | None = None,
    body_selectors: Sequence[str] = (),
) -> Document:
    """Parse one document (plain text or an HTML page) into a `Document`.

    Never raises on bad content (problems become quality flags); raises
    `UnreadableInput` only for binary or unreadable input.
    """
    raw, is_html, source_fffd, garbled = _read(data, content_type)
    page_meta: dict[str, str] = {}
    page_title: str | None = None
    attachments: list[str] = []
    text_loss = None
    if is_html:
        from transform.html import extract_page  # lazy: the HTML half is optional here

        page = extract_page(raw, url=url, body_selectors=body_selectors)
        attachments = _attachment_links(raw, url)
        raw, page_title, page_meta = page.body_text, page.title, dict(page.meta)
        text_loss = page.text_loss

    host = url_host(url)
    norm = text.normalize_text(raw, opencc_config=text.opencc_config_for(host))
    flags: list[str] = norm.flags
    front = frontmatter.parse_front_matter(structure.split_collapsed(norm.lines))
    tree = structure.build_tree(front.body)
    if tree.repairs:
        flags.append("numbering_repaired")

    body_text = "\n".join(front.body)
    clause_flags = _attach_facts(body_text, tree.nodes)
    flags.extend(sorted(clause_flags))
    if not body_text:
        flags.append("empty_body")
    if text_loss is not None:
        flags.append("html_truncated")  # the gate quarantines it: never load part of a page
    if garbled is not None:
        flags.append("mojibake")  # the gate quarantines it (encoding_damage)

    title = frontmatter.choose_title(page_meta.get("title") or page_title, front)
    if title:
        title = text.normalize_text(title).text.replace("\n", " ") or None
    numbered = not tree.article_form and bool(tree.nodes)
    doc_type = metadata.detect_doc_type(title or front.title, front.body, numbered=numbered)
    start, end = metadata.detect_period(title or front.title, front.body)
    details: dict[str, object] = {}
    if norm.pinyin_count:
        details["pinyin_annotations"] = norm.pinyin_count
    if norm.damage:
        details["encoding_damage"] = norm.damage
        details["source_fffd_count"] = source_fffd
    if tree.repairs:
        details["numbering_repaired"] = tree.repairs
    if norm.boilerplate:
        details["boilerplate"] = norm.boilerplate
    if text_loss is not None:
        details["html_truncated"] = {"page_weight": text_loss.page_weight,
                                     "tree_weight": text_loss.tree_weight}
    if garbled is not None:
        details["mojibake"] = {"encoding": garbled.encoding, "common_share": garbled.mojibake}

    region = metadata.detect_region(title, front.body)
    return Document(
        url=url,
        source_site=source_site or page_meta.get("source_site") or front.source_site,
        title=title,
        publish_date=_page_date(page_meta.get("publish_date")) or front.publish_date,
        publish_time=page_meta.get("publish_time") or front.publish_time,
        document_date=_page_date(page_meta.get("document_date")) or front.document_date,
        issuer=page_meta.get("issuer") or page_meta.get("source") or front.issuer,
        doc_number=page_meta.get("doc_number") or front.doc_number,
        index_no=page_meta.get("index_no") or front.index_no,
        source=page_meta.get("source") or front.source,
        region=region.name if region else None,
        region_path=region.path if region else None,
        doc_type=doc_type,
        period_start_year=start,
        period_end_year=end,
        original_script=norm.script,  # type: ignore[arg-type]
        quality_flags=flags,
        text=body_text,
        nodes=tree.nodes,
        content_hash=sha256_digest(body_text.encode("utf-8")),
        cover_notice=front.cover_notice,
        credits=norm.credits,
        flag_details=details,
        redactions=norm.redactions,
        attachments=attachments,
    )


def _attach_facts(body_text: str, nodes: list[Node]) -> set[str]:
    """Scan the whole body once per kind of fact and hand each hit to its node by offset.

    The body is the nodes' own texts joined by "\\n", so offsets map to nodes exactly.
    """
    if not nodes:
        return set()
    starts = _starts(map(len, (node.text for node in nodes)))

    groups, flags = clauses.units_by_node(body_text, starts)
    for index, units in groups:
        nodes[index].units.extend(units)
    for pos, target in facts.scan_targets(body_text):
        nodes[bisect_right(starts, pos) - 1].targets.append(target)
    for pos, deadline in facts.scan_deadlines(body_text):
        nodes[bisect_right(starts, pos) - 1].deadlines.append(deadline)
    for pos, theme in facts.scan_themes(body_text):
        themes = nodes[bisect_right(starts, pos) - 1].themes
        if theme not in themes:
            themes.append(theme)
    return flags


def _starts(lengths: Iterable[int]) -> list[int]:
    """Offsets where pieces of these lengths start when joined by one separator."""
    starts, offset = [], 0
    for length in lengths:
        starts.append(offset)
        offset += length + 1
    return starts


def _attachment_links(html: str, url: str | None) -> list[str]:
    """Absolute URLs of linked documents (PDF, DOC, WPS, …), in page order, deduplicated."""
    found: dict[str, None] = {}
    for m in P.ANCHOR_HREF.finditer(html):
        link = html_unescape(m["href"]).split("#", 1)[0]
        try:  # scraped hrefs can be malformed ("http://[x"); skip those, never fail the page
            parts = urlsplit(link.lower())
            if parts.path.endswith(P.ATTACHMENT_EXTENSIONS) or any(
                value.endswith(P.ATTACHMENT_EXTENSIONS) for _, value in parse_qsl(parts.query)
            ):
                found.setdefault(urljoin(url, link) if url else link, None)
        except ValueError:
            continue
    return list(found)


def _page_date(value: str | None) -> dt.date | None:
    """A page's "YYYY-MM-DD" meta value as a date (None when absent or malformed)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
