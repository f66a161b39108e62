"""Acceptance: each of the five reference seeds parses exactly as its expected/*.json says."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SEEDS_DIR, expected, seed_text
from transform import UnreadableInput, parse_document
from transform.records import Document, Node


@pytest.fixture(scope="module")
def parsed() -> dict[str, Document]:
    return {p.stem: parse_document(p) for p in sorted(SEEDS_DIR.glob("*.txt"))}


def _level(doc: Document, level: int) -> list[Node]:
    return [n for n in doc.nodes if n.level == level]


def _ancestor(doc: Document, node: Node, level: int) -> Node | None:
    by_id = {n.id: n for n in doc.nodes}
    current: Node | None = node
    while current is not None and current.level > level:
        current = by_id.get(current.parent_id) if current.parent_id else None
    return current if current is not None and current.level == level else None


def _clause_parts(doc: Document) -> list[dict[str, Any]]:
    """Units grouped back into clause parts, in document order, with section/item numbers."""
    parts: list[dict[str, Any]] = []
    for node in doc.nodes:
        groups: dict[int, dict[str, Any]] = {}
        for unit in node.units:
            section = _ancestor(doc, node, 1)
            item = _ancestor(doc, node, 2)
            part = groups.setdefault(unit.clause_no, {
                "section": section.number if section else None,
                "item": item.number if item else None,
                "role": unit.role,
                "units": [],
            })
            part["units"].append(unit.name)
        parts.extend(groups[k] for k in sorted(groups))
    return parts


def test_level1_sections(parsed: dict[str, Document], seed_name: str) -> None:
    want = expected(seed_name)["level1"]
    got = [
        {"label": n.label, "number": n.number, "heading": n.heading}
        for n in _level(parsed[seed_name], 1)
    ]
    assert got == want


def test_level2_items(parsed: dict[str, Document], seed_name: str) -> None:
    doc = parsed[seed_name]
    want = expected(seed_name)["level2"]
    got = [
        {"parent": _ancestor(doc, n, 1).number, "number": n.number, "heading": n.heading}  # type: ignore[union-attr]
        for n in _level(doc, 2)
    ]
    assert got == want


def test_unit_clauses_in_order(parsed: dict[str, Document], seed_name: str) -> None:
    assert _clause_parts(parsed[seed_name]) == expected(seed_name)["unit_clauses"]


def test_counts(parsed: dict[str, Document], seed_name: str) -> None:
    doc, counts = parsed[seed_name], expected(seed_name)["counts"]
    assert len(_level(doc, 1)) == counts["level1"]
    assert len(_level(doc, 2)) == counts["level2"]
    assert sum(len(n.units) for n in doc.nodes) == counts["unit_mentions"]


def test_metadata(parsed: dict[str, Document], seed_name: str) -> None:
    doc, want = parsed[seed_name], expected(seed_name)
    got = doc.to_json()
    for key in ("title", "publish_date", "document_date", "issuer", "region", "doc_type",
                "period", "original_script"):
        assert got[key] == want[key], key
    for key in ("publish_time", "source_site"):
        if key in want:
            assert got[key] == want[key], key


def test_quality_flags_exact(parsed: dict[str, Document], seed_name: str) -> None:
    assert sorted(parsed[seed_name].quality_flags) == sorted(expected(seed_name)["quality_flags"])


def test_redactions(parsed: dict[str, Document], seed_name: str) -> None:
    assert parsed[seed_name].redactions == expected(seed_name)["redactions"]


def test_pinyin_count(parsed: dict[str, Document], seed_name: str) -> None:
    doc = parsed[seed_name]
    want = expected(seed_name)["pinyin_annotation_count"]
    assert doc.flag_details.get("pinyin_annotations", 0) == want


def test_boilerplate_removed_and_credits_kept(parsed: dict[str, Document], seed_name: str) -> None:
    doc = parsed[seed_name]
    for line in expected(seed_name)["boilerplate"]:
        assert line not in doc.text.split("\n")
        label, _, value = line.partition(":")
        if value:  # a credit line: it names a person, keep it as metadata
            assert doc.credits[label] == value
    for node in doc.nodes:
        assert "全部留言" not in node.text and "有用()" not in node.text


def test_preamble_and_closing_are_level0(parsed: dict[str, Document], seed_name: str) -> None:
    doc, want = parsed[seed_name], expected(seed_name)
    pre = doc.nodes[0]
    assert (pre.id, pre.level) == ("pre", 0)
    assert pre.text.startswith(want["preamble_starts"])
    closing = [n for n in doc.nodes if n.id == "close"]
    if "closing_starts" in want:
        assert closing and closing[0].level == 0
        assert closing[0].text.startswith(want["closing_starts"])


def test_cover_notice_kept_apart() -> None:
    doc = parse_document(seed_text("001-yancheng-edz-2023-plan"))
    assert doc.cover_notice is not None
    starts = expected("001-yancheng-edz-2023-plan")["cover_letter_starts"]
    assert doc.cover_notice.startswith(starts)
    assert "印发给你们" not in doc.text and "区依法治区办\n2023年5月10日" not in doc.text


def test_xiangtan_closing_paragraph_not_in_last_item(parsed: dict[str, Document]) -> None:
    doc = parsed["004-xiangtan-2021-2025-plan"]
    last_item = _level(doc, 2)[-1]
    assert last_item.number == 35
    assert "市委全面依法治市委员会要做好" not in last_item.text
    assert doc.nodes[-1].id == "close"
    assert doc.nodes[-1].text.startswith("市委全面依法治市委员会要做好")


def test_numbering_repair_seed000(parsed: dict[str, Document]) -> None:
    doc = parsed["000-district-plan-redacted"]
    items = _level(doc, 2)
    assert [n.number for n in items] == list(range(1, 21))
    assert items[0].text.startswith("抓好习近平法治思想学习培训")
    assert items[10].heading == "规范行政执法行为"
    assert [r["number"] for r in doc.flag_details["numbering_repaired"]] == [1, 11]


def test_encoding_damage_located_not_repaired(parsed: dict[str, Document]) -> None:
    doc = parsed["003-xigang-summary-traditional"]
    near = expected("003-xigang-summary-traditional")["encoding_damage_near"]
    (damage,) = doc.flag_details["encoding_damage"]
    assert near in doc.text  # kept as found
    assert doc.text[damage["pos"]: damage["pos"] + 2] == "??"


def test_unit_aliases_merge(parsed: dict[str, Document], seed_name: str) -> None:
    aliases = expected(seed_name).get("unit_aliases", {})
    canon = {u.name: u.canonical for n in parsed[seed_name].nodes for u in n.units}
    for alias, target in aliases.items():
        assert canon[alias] == canon.get(target, target) == target


def test_node_ids_stable(parsed: dict[str, Document], seed_name: str) -> None:
    again = parse_document(SEEDS_DIR / f"{seed_name}.txt")
    assert [n.id for n in again.nodes] == [n.id for n in parsed[seed_name].nodes]
    assert again.content_hash == parsed[seed_name].content_hash
    assert len({n.id for n in again.nodes}) == len(again.nodes)


def _shape(doc: Document) -> list[tuple[str, int, int | None, str, list[tuple[str, str]]]]:
    return [(n.id, n.level, n.number, n.heading, [(u.role, u.name) for u in n.units])
            for n in doc.nodes]


def test_full_width_punctuation_variant_parses_identically(
    parsed: dict[str, Document], seed_name: str
) -> None:
    wide = seed_text(seed_name).translate(
        str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；"}))
    doc = parse_document(wide)
    assert _shape(doc) == _shape(parsed[seed_name])
    assert doc.content_hash == parsed[seed_name].content_hash


def test_traditional_variant_keeps_the_structure(parsed: dict[str, Document]) -> None:
    import opencc

    name = "004-xiangtan-2021-2025-plan"
    doc = parse_document(opencc.OpenCC("s2t").convert(seed_text(name)))
    want = parsed[name]
    assert doc.original_script == "traditional"
    assert [(n.id, n.number) for n in doc.nodes] == [(n.id, n.number) for n in want.nodes]
    assert sum(len(n.units) for n in doc.nodes) == expected(name)["counts"]["unit_mentions"]
    assert doc.title == want.title and doc.region == "湘潭市"


def test_crlf_and_blank_lines_do_not_change_the_parse(
    parsed: dict[str, Document], seed_name: str
) -> None:
    messy = "\r\n\r\n".join(seed_text(seed_name).split("\n")) + "\r\n"
    assert _shape(parse_document(messy)) == _shape(parsed[seed_name])


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_encoded_bytes_parse_like_the_text(
    parsed: dict[str, Document], seed_name: str, encoding: str
) -> None:
    raw = seed_text(seed_name).encode(encoding)  # utf-16 and utf-8-sig carry a BOM
    assert _shape(parse_document(raw)) == _shape(parsed[seed_name])


def test_utf16_without_bom_needs_a_declared_charset(parsed: dict[str, Document]) -> None:
    name = "002-renhe-town-2022-points"
    raw = seed_text(name).encode("utf-16-le")
    with pytest.raises(UnreadableInput):  # NUL bytes and nothing saying why: binary
        parse_document(raw)
    declared = parse_document(raw, content_type="text/plain; charset=UTF-16LE")
    assert _shape(declared) == _shape(parsed[name])
