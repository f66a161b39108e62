"""Text out of attachments (PDF, DOCX, legacy DOC), so a cover page's document can be parsed.

The archive keeps the original bytes; what crosses to transform is a text RawPage whose
Content-Type says text/plain and whose X-Govharvest-Extracted-From names the original type.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import replace
from urllib.parse import urlsplit

from transform.decode import decode_bytes
from transform.records import RawPage, sha256_digest

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTRACTED_FROM = "X-Govharvest-Extracted-From"
READABLE_TYPES = ("pdf", "docx", "doc")  # what extract_text reads, by file extension
# Legacy Word stores text as UTF-16LE runs; CJK, ASCII and CJK punctuation cover our documents.
_UTF16_RUN = re.compile(
    rb"(?:[\x20-\x7e\r\n\t]\x00|[\x00-\xff][\x30\x4e-\x9f\xff])"
    rb"{8,}"
)
_BLANK_LINES = re.compile(r"\n{3,}")
SENTENCE_ENDS = ("。", "：", ":", "；", ";", "！", "!", "？", "?")
WRAP_FRACTION = 0.8  # of the widest line: narrower lines end their paragraph


class AttachmentError(ValueError):
    """The bytes are not a readable PDF/DOC/DOCX."""


def sniff_type(body: bytes, content_type: str | None = None, url: str = "") -> str:
    """'pdf', 'docx', 'doc' or 'html' from magic bytes, then Content-Type, then extension."""
    if body.startswith(PDF_MAGIC):
        return "pdf"
    if body.startswith(ZIP_MAGIC):
        return "docx"
    if body.startswith(OLE_MAGIC):
        return "doc"
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime == "application/pdf":
        return "pdf"
    if mime == "text/plain":
        return "text"  # already extracted (harvest returns attachments as text pages)
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"  # "Word HTML" saved as .doc is common
    ext = urlsplit(url).path.rsplit(".", 1)[-1].lower()
    return ext if ext in READABLE_TYPES else "unknown"


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise AttachmentError(f"unreadable PDF: {exc}") from exc
    # CID fonts sometimes leak NULs through pypdf's text extraction.
    return unwrap_lines("\n".join(pages).replace("\x00", ""))


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def unwrap_lines(text: str) -> str:
    """Undo a PDF's hard line wraps: a nearly full-width line that does not end a sentence
    continues on the next line (page breaks included). Headings are short, so they stay."""
    lines = text.split("\n")
    full = max((_width(line) for line in lines), default=0)
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out:
            out[-1] += line.strip()
        else:
            out.append(line.rstrip())
        joining = _width(line) >= WRAP_FRACTION * full and not line.rstrip().endswith(
            SENTENCE_ENDS)
    return "\n".join(out)


def _docx_text(body: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(body))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise AttachmentError(f"unreadable DOCX: {exc}") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _doc_text(body: bytes) -> str:
    # Best effort without an OLE parser: collect the UTF-16LE text runs of the WordDocument
    # stream. Good enough to parse a plan; formatting and 8-bit (non-CJK) files are lost.
    runs = [m.group(0).decode("utf-16-le", "ignore") for m in _UTF16_RUN.finditer(body)]
    text = "\n".join(r.strip("\x00 ") for r in runs if r.strip())
    if not text:
        raise AttachmentError("no text found in legacy DOC")
    return text


def extract_text(body: bytes, content_type: str | None = None, url: str = "") -> str:
    kind = sniff_type(body, content_type, url)
    if kind == "pdf":
        text = _pdf_text(body)
    elif kind == "docx":
        text = _docx_text(body)
    elif kind == "doc":
        text = _doc_text(body)
    elif kind == "text":
        text = decode_bytes(body, content_type).text
    elif kind == "html":
        from lxml import html as lxml_html

        from transform.htmltree import document_parser

        text = lxml_html.fromstring(decode_bytes(body, content_type).text,
                                    parser=document_parser()).text_content()
    else:
        raise AttachmentError(f"not a PDF/DOC/DOCX: {url or content_type}")
    text = _BLANK_LINES.sub("\n\n", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise AttachmentError("attachment has no extractable text (scanned image?)")
    return text


def as_text_page(page: RawPage) -> RawPage:
    """The attachment as a text/plain page; raises AttachmentError if it has no text."""
    text = extract_text(page.body, page.header("Content-Type"), page.url)
    original = page.header("Content-Type") or sniff_type(page.body, None, page.url)
    kept = [(k, v) for k, v in page.headers if k.lower() != "content-type"]
    headers = (*kept, ("Content-Type", "text/plain; charset=utf-8"), (EXTRACTED_FROM, original))
    body = text.encode("utf-8")
    return replace(page, headers=headers, body=body, digest=sha256_digest(body),
                   kind="attachment")
