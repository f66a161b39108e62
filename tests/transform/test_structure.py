"""Structure: numbering styles, levels from the document, repairs, level-0 passages, ids."""

from __future__ import annotations

from transform.records import Node
from transform.structure import build_tree, classify, cn_to_int


def _outline(nodes: list[Node]) -> list[tuple[str, int, str | None, int | None, str]]:
    return [(n.id, n.level, n.label, n.number, n.heading) for n in nodes]


def test_chinese_numerals() -> None:
    assert [cn_to_int(x) for x in ("一", "十", "十一", "二十", "三十五", "一百", "7", "①")] == [
        1, 10, 11, 20, 35, 100, 7, 1]
    assert cn_to_int("第") is None


def test_marker_styles() -> None:
    cases = {
        "一、总体要求": ("cn", "一"), "(三)完善机制。": ("cn_paren", "三"),
        "1.推动学习。": ("num", "1"), "2、加强普法。": ("num", "2"),
        "3. 强化监督。": ("num", "3"),
        "(4)细化措施。": ("num_paren", "4"), "⑤落实责任。": ("circled", "⑤"),
        "第十二条 执法人员应当出示证件。": ("article", "十二"),
        "第三章 法律责任": ("chapter", "三"), "第二部分 主要任务": ("part", "二"),
    }
    for line, (style, label) in cases.items():
        para = classify(line)
        assert (para.style, para.label) == (style, label), line


def test_numbers_that_are_not_markers() -> None:
    for line in ("2023年是开局之年。", "1.5倍的增长。", "12·4国家宪法日。", "一是加强领导。", "三"):
        assert classify(line).style is None, line


def test_levels_follow_the_documents_own_style_order() -> None:
    lines = ["1、推进依法行政。", "(1)完善决策。", "①公开目录。", "②听证。", "(2)规范执法。",
             "2、加强普法。"]
    assert _outline(build_tree(lines).nodes) == [
        ("n1", 1, "1", 1, "推进依法行政"),
        ("n1.1", 2, "1", 1, "完善决策"),
        ("n1.1.1", 3, "①", 1, "公开目录"),
        ("n1.1.2", 3, "②", 2, "听证"),
        ("n1.2", 2, "2", 2, "规范执法"),
        ("n2", 1, "2", 2, "加强普法"),
    ]


def test_chapters_and_articles() -> None:
    lines = ["第一章 总则", "第一条 为了规范执法,制定本办法。", "第二条 适用范围。",
             "第二章 程序", "第三条 出示证件。"]
    tree = build_tree(lines)
    assert [(n.id, n.level, n.number) for n in tree.nodes] == [
        ("n1", 1, 1), ("n1.1", 2, 1), ("n1.2", 2, 2), ("n2", 1, 2), ("n2.1", 2, 3)]


def test_preamble_body_paragraphs_and_closing() -> None:
    lines = ["为做好工作,制定本方案。", "一、总体要求", "坚持依法行政。", "二、主要任务",
             "1.推进执法。加强审查。", "2.加强普法。广泛宣传。", "总之,要确保各项任务落地见效。"]
    nodes = build_tree(lines).nodes
    assert [n.id for n in nodes] == ["pre", "n1", "n2", "n2.1", "n2.2", "close"]
    assert nodes[1].text == "一、总体要求\n坚持依法行政。"
    assert nodes[-1].level == 0 and nodes[-1].heading == "总之,要确保各项任务落地见效"


def test_trailing_paragraph_after_single_paragraph_items_is_closing_without_a_cue() -> None:
    lines = ["一、任务", "(一)甲项。内容。", "(二)乙项。内容。", "(三)丙项。内容。",
             "各单位要加强组织领导,确保落实。"]
    nodes = build_tree(lines).nodes
    assert nodes[-1].id == "close"
    assert "各单位" not in nodes[-2].text


def test_trailing_paragraph_is_continuation_when_items_have_several_paragraphs() -> None:
    lines = ["一、任务", "(一)甲项。内容。", "补充说明甲。", "(二)乙项。内容。", "补充说明乙。"]
    nodes = build_tree(lines).nodes
    assert [n.id for n in nodes] == ["n1", "n1.1", "n1.2"]
    assert nodes[-1].text.endswith("补充说明乙。")


def test_missing_first_number_repaired_when_next_item_is_2() -> None:
    lines = ["一、学习", "抓好学习培训。推动学习。", "2. 开展宣传。组织宣传。"]
    tree = build_tree(lines)
    assert _outline(tree.nodes)[1:] == [("n1.1", 2, "1", 1, "抓好学习培训"),
                                        ("n1.2", 2, "2", 2, "开展宣传")]
    assert [r["number"] for r in tree.repairs] == [1]


def test_fused_digits_repaired_between_neighbours() -> None:
    lines = ["一、执法", "10. 深化改革。内容。", "1规范执法行为。内容。", "12. 强化监督。内容。"]
    tree = build_tree(lines)
    assert [(n.number, n.heading) for n in tree.nodes[1:]] == [
        (10, "深化改革"), (11, "规范执法行为"), (12, "强化监督")]
    assert tree.nodes[2].text == "1规范执法行为。内容。"  # text kept as written


def test_no_repair_when_neighbours_do_not_make_it_certain() -> None:
    lines = ["一、学习", "本部分说明。", "1. 开展宣传。", "3. 加强研究。", "5规范执法。"]
    tree = build_tree(lines)
    assert tree.repairs == []
    assert [n.number for n in tree.nodes if n.level == 2] == [1, 3]


def test_article_form_one_node_per_paragraph_with_intro_preamble() -> None:
    lines = ["法治是重要保障。近年来,本区坚持依法治区。",
             "坚持正确方向,把稳基本盘。具体做法一。",
             "坚持统筹谋划,织密防护网。具体做法二。"]
    tree = build_tree(lines)
    assert tree.article_form
    assert _outline(tree.nodes) == [("pre", 0, None, None, "法治是重要保障"),
                                    ("n1", 1, None, 1, "坚持正确方向,把稳基本盘"),
                                    ("n2", 1, None, 2, "坚持统筹谋划,织密防护网")]


def test_every_paragraph_in_exactly_one_node_and_subtree_text() -> None:
    lines = ["前言。", "一、甲", "(一)子项。", "说明。", "二、乙", "结尾段。"]
    nodes = build_tree(lines).nodes
    assert "\n".join(n.text for n in nodes) == "\n".join(lines)
    first = next(n for n in nodes if n.id == "n1")
    assert first.subtree_text == "一、甲\n(一)子项。\n说明。"


def test_ids_are_deterministic() -> None:
    lines = ["一、甲", "(一)子项。", "二、乙", "(一)子项。"]
    assert [n.id for n in build_tree(lines).nodes] == ["n1", "n1.1", "n2", "n2.1"]
    assert [n.id for n in build_tree(lines).nodes] == [n.id for n in build_tree(list(lines)).nodes]


def test_heading_excludes_a_trailing_unit_clause() -> None:
    lines = ["一、任务", "(一)加强学习(责任单位:县司法局)", "(二)强化监督。内容。"]
    nodes = build_tree(lines).nodes
    assert [n.heading for n in nodes] == ["任务", "加强学习", "强化监督"]


VARIANT = """某某县2024年法治政府建设工作要点
一、总体目标
到2025年,基本建成法治政府。
二、主要任务
1、推进依法行政。加强合法性审查。
(1)完善重大行政决策程序。规范流程。【牵头单位：县司法局；配合单位：县政府办公室、县发展改革局】
(2)推行行政执法三项制度。〔责任单位：县市场监管局、县公安局(交警大队)〕
①健全执法公示。公示率达到100%。
②落实全过程记录。(县司法局、县公安局牵头,各乡镇按职责分工负责)
2、加强普法。实施“八五”普法规划,每年不少于60学时。
责任单位：县委宣传部、县司法局
3、强化监督。进一步强化法治建设牵头部门的推进职责。(责任单位:县纪委监委、县审计局"""


def test_realistic_variant_document_end_to_end() -> None:
    from transform import parse_document

    doc = parse_document(VARIANT)
    assert (doc.title, doc.doc_type, doc.period_start_year) == (
        "某某县2024年法治政府建设工作要点", "work_points", 2024)
    outline = [(n.id, n.level, n.label) for n in doc.nodes]
    assert outline == [("n1", 1, "一"), ("n2", 1, "二"), ("n2.1", 2, "1"), ("n2.1.1", 3, "1"),
                       ("n2.1.2", 3, "2"), ("n2.1.2.1", 4, "①"), ("n2.1.2.2", 4, "②"),
                       ("n2.2", 2, "2"), ("n2.3", 2, "3")]
    units = {n.id: [(u.clause_no, u.role, u.name) for u in n.units] for n in doc.nodes}
    assert units["n2.1.1"] == [(1, "lead", "县司法局"), (2, "participant", "县政府办公室"),
                               (2, "participant", "县发展改革局")]
    assert units["n2.1.2"][1] == (1, "responsible", "县公安局(交警大队)")
    assert units["n2.1.2.2"][-1] == (2, "responsible", "各乡镇")
    assert units["n2.2"] == [(1, "responsible", "县委宣传部"), (1, "responsible", "县司法局")]
    assert [u.name for u in doc.nodes[-1].units] == ["县纪委监委", "县审计局"]
    assert "truncated_clause" in doc.quality_flags
    by_id = {n.id: n for n in doc.nodes}
    assert [t.text for t in by_id["n2.1.2.1"].targets] == ["100%"]
    assert [t.text for t in by_id["n2.2"].targets] == ["不少于60学时"]
    assert by_id["n2.2"].themes == ["八五普法"]
    assert [d.deadline_year for d in by_id["n1"].deadlines] == [2025]
