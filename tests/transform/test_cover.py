"""Cover pages: a short article linking an attachment is parsed from the attachment's text."""

from __future__ import annotations

from transform import parse_document
from transform.cover import FROM_ATTACHMENT, is_cover, prefer_attachment
from transform.records import Document

PAGE_URL = "http://127.0.0.1/trs/ghjh/art_1.html"
PDF_URL = "http://127.0.0.1/trs/ghjh/plan.pdf"
DOC_URL = "http://127.0.0.1/trs/ghjh/plan.doc"
PLAN = ("某区2023年法治建设工作计划\n"
        "一、坚持政治引领\n(一)深入学习贯彻习近平法治思想。牵头单位:区司法局。\n"
        "二、优化营商环境\n(二)落实公平竞争审查制度。责任单位:区市场监管局。\n")


def cover(text: str = "附件:某区2023年法治建设工作计划", *attachments: str) -> Document:
    doc = parse_document(text, url=PAGE_URL, source_site="127.0.0.1")
    doc.title = "关于印发工作计划的通知"
    doc.attachments = list(attachments or (PDF_URL,))
    return doc


def test_a_cover_is_shorter_than_the_limit_and_links_an_attachment() -> None:
    doc = cover()
    assert is_cover(doc, len(doc.text) + 1)
    assert not is_cover(doc, len(doc.text))  # the limit itself is long enough to stand alone
    doc.attachments = []
    assert not is_cover(doc, 10_000)


def test_a_cover_becomes_its_attachments_document_under_the_covers_url() -> None:
    doc = cover()
    parsed = prefer_attachment(doc, {PDF_URL: PLAN}.get, cover_max_chars=200)
    assert parsed.url == PAGE_URL and parsed.source_site == "127.0.0.1"
    assert parsed.title == "某区2023年法治建设工作计划"
    assert [n.heading for n in parsed.nodes if n.level == 1] == ["坚持政治引领", "优化营商环境"]
    assert FROM_ATTACHMENT in parsed.quality_flags
    assert parsed.attachments == [PDF_URL]


def test_the_first_attachment_with_text_wins_and_none_leaves_the_cover() -> None:
    doc = cover("附件", DOC_URL, PDF_URL)
    texts = {DOC_URL: "  \n", PDF_URL: PLAN}  # the DOC has no text (a scan)
    assert FROM_ATTACHMENT in prefer_attachment(doc, texts.get, cover_max_chars=200).quality_flags
    assert prefer_attachment(doc, {}.get, cover_max_chars=200) is doc


def test_the_limit_decides_and_a_long_page_keeps_its_own_text() -> None:
    doc = cover()
    assert prefer_attachment(doc, {PDF_URL: PLAN}.get, cover_max_chars=0) is doc
    assert prefer_attachment(doc, {PDF_URL: PLAN}.get, cover_max_chars=len(doc.text)) is doc
    assert prefer_attachment(doc, {PDF_URL: PLAN}.get,
                             cover_max_chars=len(doc.text) + 1) is not doc
