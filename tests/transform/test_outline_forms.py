"""Outline forms of real documents (issue #25 item 3): numbering off the reference forms."""

from __future__ import annotations

from transform import parse_document
from transform.records import Node


def _outline(text: str) -> list[tuple[int, str | None, str]]:
    nodes: list[Node] = parse_document(text).nodes
    return [(n.level, n.label, n.heading) for n in nodes if n.level > 0]


def test_sections_numbered_1_with_items_numbered_paren_1() -> None:
    text = "\n".join(["某镇2023年法治建设工作总结", "1、加强组织领导",
                      "(1)健全机制。成立领导小组。", "(2)压实责任。签订责任书。", "2、深化普法宣传",
                      "(1)开展宣传。举办讲座。"])
    assert _outline(text) == [(1, "1", "加强组织领导"), (2, "1", "健全机制"), (2, "2", "压实责任"),
                              (1, "2", "深化普法宣传"), (2, "1", "开展宣传")]


def test_parts_above_chinese_numbered_sections() -> None:
    text = "\n".join(["某市法治政府建设规划", "第一部分 总体要求", "一、指导思想。坚持依法行政。",
                      "第二部分 主要任务", "一、依法履职。推进改革。",
                      "二、规范执法。推行三项制度。"])
    assert _outline(text) == [(1, "一", "总体要求"), (2, "一", "指导思想"), (1, "二", "主要任务"),
                              (2, "一", "依法履职"), (2, "二", "规范执法")]


def test_heading_glued_to_its_first_sentence_or_its_first_item() -> None:
    text = "\n".join(["某县实施方案", "一、巩固提升依法履职水平。注重政治引领,严格落实责任。",
                      "二、主要任务(一)深化改革。推进放管服改革。(二)规范执法。推行三项制度。",
                      "三、保障措施"])
    assert _outline(text) == [(1, "一", "巩固提升依法履职水平"), (1, "二", "主要任务"),
                              (2, "一", "深化改革"), (2, "二", "规范执法"), (1, "三", "保障措施")]


def test_inline_enumeration_in_prose_is_not_cut_into_items() -> None:
    text = "\n".join(["某县实施方案", "一、主要任务",
                      "推进三项工作:(1)规范执法;(2)公开信息;(3)强化监督。"])
    assert _outline(text) == [(1, "一", "主要任务")]


def test_an_unnumbered_report_has_no_items() -> None:
    text = "\n".join(["某街道2024年法治政府建设情况报告", "2024年,某街道坚持依法行政,取得成效。",
                      "强化组织领导。街道成立领导小组,定期研究法治建设工作。",
                      "规范行政决策。严格执行重大行政决策程序,推行法律顾问制度。",
                      "加强普法宣传。开展宪法宣传周活动,举办讲座12场。"])
    doc = parse_document(text)
    assert not [n for n in doc.nodes if n.level >= 2]
    assert doc.to_json()["period"] == {"start_year": 2024, "end_year": 2024}
