"""Decoding fetched bytes: declared charsets, undeclared GBK, and damaged bytes."""

from __future__ import annotations

import pytest

from tests.conftest import seed_text
from transform.decode import charset_from_content_type, decode_bytes

TEXT = seed_text("004-xiangtan-2021-2025-plan")[:3000]


@pytest.mark.parametrize("label", ["gb2312", "GBK", "gb18030", "x-gbk", "cp936"])
def test_every_gb_label_is_widened_to_gb18030(label: str) -> None:
    assert charset_from_content_type(f"text/html; charset={label}") == "gb18030"


def test_gbk_page_without_any_declaration_decodes_exactly() -> None:
    decoded = decode_bytes(TEXT.encode("gbk"))
    assert decoded.text == TEXT
    assert decoded.encoding == "gb18030"


def test_gb2312_label_on_gbk_only_characters_never_yields_replacement() -> None:
    text = "镕 堃 喆 " + TEXT  # GBK-only characters under a GB2312 label, a common mislabel
    decoded = decode_bytes(text.encode("gbk"), "text/html; charset=gb2312")
    assert "\ufffd" not in decoded.text
    assert decoded.source == "http"


def test_meta_charset_used_when_http_header_silent() -> None:
    page = '<html><head><meta charset="gbk"></head><body>' + TEXT + "</body></html>"
    decoded = decode_bytes(page.encode("gbk"))
    assert decoded.source == "meta"
    assert TEXT in decoded.text


def test_wrong_http_charset_loses_to_bytes_that_are_really_utf8() -> None:
    decoded = decode_bytes(TEXT.encode("utf-8"), "text/html; charset=gbk")
    assert decoded.text == TEXT


def test_utf8_bom_is_stripped() -> None:
    assert decode_bytes(b"\xef\xbb\xbf" + TEXT.encode()).text == TEXT


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_a_damaged_byte_stays_a_marked_replacement_in_the_right_encoding(encoding: str) -> None:
    body = TEXT.encode(encoding)
    damaged = body[:301] + b"\xff" + body[301:]
    decoded = decode_bytes(damaged)
    assert decoded.encoding == encoding
    assert decoded.source == "damaged"
    assert 1 <= decoded.text.count("\ufffd") <= 3  # a split UTF-8 sequence costs up to 3
    assert decoded.text[-200:] == TEXT[-200:]  # the rest of the page is intact
