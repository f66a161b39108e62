"""Properties over generated input: idempotent normalization, total parsing, exact partition."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transform import UnreadableInput, parse_document
from transform.records import Document
from transform.text import normalize_text

# Fragments that exercise every rule: markers, clauses, pinyin, chrome, credits, damage,
# traditional characters, full-width punctuation, redactions, odd whitespace.
FRAGMENTS = [
    "一、", "二、", "十一、", "(一)", "(二)", "（三）", "1.", "2、", "3. ", "1", "(1)", "①", "②",
    "第一条 ", "第二章 ", "总之,", "现将《某方案》印发给你们", "各单位:", "2023年5月10日",
    "(责任单位:", "(牵头单位:、甲办;参加单位:乙局,丙局(丁))", "【责任单位:戊局】",
    "〔牵头部门:己〕",
    "[牵头单位:庚(辛)]", "牵头部门", "按职责分工负责", "牵头,", ")", "(", "】", "现(xiàn)",
    "區（qū）", "(a)", "W(xué)", "??", "\ufffd", "Ã¤Â¸Â", "編輯:王懷實", "- 全部留言", "- /",
    "有用()", "打印本页", "202x年", "xx", "*法治", "。", ",", "，", "：", "；", "、", "“", "”",
    "100%", "不少于60学时", "到2025年", "2022年底前", "营商环境", "法治", "建设", "國家", "發展",
    "\n", "\n\n", " ", "\u3000", "\t", "\r\n", "ａ", "１２", "e\u0301", "\u2028",
]
documents = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40
).map("".join)
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(documents)
def test_normalization_is_idempotent(raw: str) -> None:
    once = normalize_text(raw).text
    assert normalize_text(once).text == once


@common
@given(st.text(max_size=300))
def test_normalization_is_idempotent_on_arbitrary_text(raw: str) -> None:
    once = normalize_text(raw).text
    assert normalize_text(once).text == once


def _parse_or_unreadable(data: str | bytes) -> Document | None:
    try:
        return parse_document(data)
    except UnreadableInput:
        return None


@common
@given(st.one_of(documents, st.text(max_size=400)))
def test_parse_never_raises_on_text(raw: str) -> None:
    doc = _parse_or_unreadable(raw)
    if "\x00" not in raw and doc is None:
        # Only binary-looking text (control characters) may be refused.
        assert sum(ord(c) < 32 and c not in "\t\n\r\f\v\x1c\x1d\x1e" for c in raw) > 0


@common
@given(st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(b"\xff\xfe".__add__)))
def test_parse_never_raises_on_bytes(raw: bytes) -> None:
    doc = _parse_or_unreadable(raw)
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        assert doc is None  # NUL bytes are binary unless a UTF-16/32 BOM explains them


@common
@given(documents)
def test_every_body_character_lands_in_exactly_one_node(raw: str) -> None:
    doc = _parse_or_unreadable(raw)
    if doc is None:
        return
    assert "\n".join(n.text for n in doc.nodes) == doc.text
    assert len({n.id for n in doc.nodes}) == len(doc.nodes)
    ids = {n.id for n in doc.nodes}
    assert all(n.parent_id is None or n.parent_id in ids for n in doc.nodes)
    assert ("empty_body" in doc.quality_flags) == (doc.text == "")


@common
@given(documents, st.sampled_from(["<html><body><div id='zoom'>", "<!DOCTYPE html><p>", ""]))
def test_parse_never_raises_on_html_like_input(body: str, prefix: str) -> None:
    doc = _parse_or_unreadable((prefix + body).encode("utf-8", "surrogatepass"))
    if doc is not None:
        assert "\n".join(n.text for n in doc.nodes) == doc.text
