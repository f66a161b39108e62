"""Issue 3 acceptance: a seed wrapped in a realistic CMS page parses exactly like its text.

Every seed x page family (Hunan city template, TRS WCM, Hanweb jcms) x encoding (UTF-8,
GBK declared as gb2312/GBK, GBK undeclared) goes through `transform.parse_document` as raw
bytes and must give the same normalized text, quality flags and node tree (levels, numbers,
headings, node text, responsibility units) as the seed's plain text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

import transform
from demo.families import FAMILIES, render_article
from tests.conftest import expected, seed_text
from transform.records import Document

ENCODINGS = [("utf-8", True), ("gbk", True), ("gbk", False)]


def _page(name: str, family: str, encoding: str, declare: bool) -> bytes:
    exp = expected(name)
    return render_article(
        family,
        title=exp["title"] or f"{exp['region'] or '某区'}法治建设工作文件",
        body_text=seed_text(name),
        publish_date=exp["publish_date"] or "2023-06-01",
        publish_time=exp.get("publish_time"),
        source=exp["issuer"] or "区依法治区办",
        encoding=encoding,
        declare_charset=declare,
        attachments=[(f"/files/{name}.docx", "附件.docx")],
        variant=len(family) + len(encoding),  # spread the container layouts over the cases
    )


def _shape(doc: Document) -> dict[str, Any]:
    """What must not depend on the wrapping: text, flags and the whole node tree."""
    return {
        "text": doc.text,
        "original_script": doc.original_script,
        "quality_flags": sorted(doc.quality_flags),
        "nodes": [
            (
                n.id,
                n.parent_id,
                n.level,
                n.label,
                n.number,
                n.heading,
                n.text,
                [(u.role, u.name, u.canonical, u.clause_no) for u in n.units],
            )
            for n in doc.nodes
        ],
    }


@cache
def _text_shape(name: str) -> dict[str, Any]:
    return _shape(transform.parse_document(seed_text(name)))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("encoding", "declare"), ENCODINGS)
def test_page_parses_like_its_text(
    seed_name: str, family: str, encoding: str, declare: bool
) -> None:
    page = _page(seed_name, family, encoding, declare)
    from_page = _shape(transform.parse_document(page))
    from_text = _text_shape(seed_name)
    assert from_page["text"] == from_text["text"]
    assert from_page["quality_flags"] == from_text["quality_flags"]
    assert from_page["original_script"] == from_text["original_script"]
    assert len(from_page["nodes"]) == len(from_text["nodes"])
    for got, want in zip(from_page["nodes"], from_text["nodes"], strict=True):
        assert got == want


@pytest.mark.parametrize("family", FAMILIES)
def test_page_metadata_reaches_the_document(family: str) -> None:
    name = "004-xiangtan-2021-2025-plan"
    doc = transform.parse_document(_page(name, family, "gbk", declare=False))
    exp = expected(name)
    assert doc.title == exp["title"]
    assert doc.publish_date is not None
    assert doc.publish_date.isoformat() == exp["publish_date"]
    assert doc.publish_time == exp["publish_time"]
