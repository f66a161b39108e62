"""Attachment text: PDF (pypdf), DOCX (python-docx), legacy DOC best effort."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest

from demo.site import ATTACHMENT_PDF
from extract.attachments import (
    EXTRACTED_FROM,
    AttachmentError,
    as_text_page,
    extract_text,
    sniff_type,
    unwrap_lines,
)
from tests.conftest import seed_text
from transform.records import RawPage


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_demo_pdf_gives_back_the_seed_text_in_chinese() -> None:
    text = extract_text(ATTACHMENT_PDF.read_bytes(), "application/pdf")
    seed = seed_text("001-yancheng-edz-2023-plan")
    assert "\ufffd" not in text and "\x00" not in text
    assert _squash(text) == _squash(seed)
    # Hard wraps are undone: nearly every seed line comes back as one line.
    same = sum(a == b for a, b in zip(text.splitlines(), seed.splitlines(), strict=False))
    assert same >= len(seed.splitlines()) - 2


def test_unwrap_keeps_short_lines_and_sentence_ends() -> None:
    wrapped = "一、总体要求\n" + "甲" * 40 + "\n乙乙。\n" + "丙" * 40 + "。\n丁"
    assert unwrap_lines(wrapped).splitlines() == [
        "一、总体要求", "甲" * 40 + "乙乙。", "丙" * 40 + "。", "丁"]


def test_docx_paragraphs_and_tables() -> None:
    document = docx.Document()
    document.add_paragraph("人和镇2022年法治建设工作要点")
    document.add_paragraph("一、强化党建引领")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "牵头单位"
    table.rows[0].cells[1].text = "综合治理办"
    buf = io.BytesIO()
    document.save(buf)
    text = extract_text(buf.getvalue(), url="http://x/a.docx")
    assert text.splitlines()[:2] == ["人和镇2022年法治建设工作要点", "一、强化党建引领"]
    assert "牵头单位\t综合治理办" in text


def test_legacy_doc_text_runs() -> None:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "湘潭市法治建设工作要点".encode(
        "utf-16-le") + b"\0\0\x01\x02"
    assert "湘潭市法治建设工作要点" in extract_text(body, "application/msword")


def test_sniffing_prefers_magic_bytes() -> None:
    assert sniff_type(b"%PDF-1.7 ...", "application/octet-stream") == "pdf"
    assert sniff_type(b"PK\x03\x04...", None, "x.doc") == "docx"
    assert sniff_type(b"<html><body>", "application/msword") == "html"
    assert sniff_type("现将".encode(), "text/plain; charset=utf-8") == "text"


@pytest.mark.parametrize("body", [b"", b"\x89PNG\r\n\x1a\n....", b"%PDF-1.4 truncated"])
def test_unreadable_attachments_raise(body: bytes) -> None:
    with pytest.raises(AttachmentError):
        extract_text(body, "image/png" if body.startswith(b"\x89") else None, "x.bin")


def test_as_text_page_keeps_the_url_and_names_the_original_type() -> None:
    page = RawPage(url="http://h/a.pdf", site="s", status=200,
                   headers=(("Content-Type", "application/pdf"),),
                   body=ATTACHMENT_PDF.read_bytes(), fetched_at=dt.datetime.now(dt.UTC),
                   digest="sha256:x", kind="attachment")
    text_page = as_text_page(page)
    assert text_page.url == page.url and text_page.kind == "attachment"
    assert text_page.header("Content-Type") == "text/plain; charset=utf-8"
    assert text_page.header(EXTRACTED_FROM) == "application/pdf"
    assert "盐城经济技术开发区" in text_page.body.decode("utf-8")
    # Already-extracted text passes through extract_text unchanged (flows may call it again).
    assert extract_text(text_page.body, text_page.header("Content-Type")) == \
        text_page.body.decode("utf-8")
