"""Responsibility clauses: forms, roles, splitting, suffixes, empties, aliases, generics."""

from __future__ import annotations

from transform.clauses import canonical_name, find_units, is_generic, split_units


def _parts(text: str) -> list[tuple[int, str, str]]:
    return [(u.clause_no, u.role, u.name) for u in find_units(text).units]


def test_round_brackets_with_lead_and_participants() -> None:
    text = "加强学习。(牵头单位:市委依法治市办、市委组织部;参加单位:市委政法委,市司法局)"
    assert _parts(text) == [(1, "lead", "市委依法治市办"), (1, "lead", "市委组织部"),
                            (2, "participant", "市委政法委"), (2, "participant", "市司法局")]


def test_square_bracket_clause_with_nested_parentheses() -> None:
    text = "优先提拔。[牵头单位:市委组织部;参加单位:市人民政府各部门党组(党委)、各县市区党委]"
    assert _parts(text)[1:] == [(2, "participant", "市人民政府各部门党组(党委)"),
                                (2, "participant", "各县市区党委")]


def test_corner_and_tortoise_brackets_and_full_width_input() -> None:
    assert _parts("内容。【责任单位:县司法局、县公安局】") == [
        (1, "responsible", "县司法局"), (1, "responsible", "县公安局")]
    assert _parts("内容。〔牵头部门:县司法局〕") == [(1, "lead", "县司法局")]


def test_clause_on_a_line_of_its_own() -> None:
    assert _parts("加强普法。\n责任单位:县委宣传部、县司法局\n下一段。") == [
        (1, "responsible", "县委宣传部"), (1, "responsible", "县司法局")]


def test_inline_lead_and_duty_form() -> None:
    assert _parts("落实记录。(县司法局、县公安局牵头,各乡镇按职责分工负责)") == [
        (1, "lead", "县司法局"), (1, "lead", "县公安局"), (2, "responsible", "各乡镇")]
    assert _parts("推进。(市发改委牵头,市财政局配合)")[-1] == (2, "participant", "市财政局")


def test_duty_suffixes_removed() -> None:
    for suffix in ("按职责分工负责", "按职责分工分别负责", "职责分工负责"):
        units = find_units(f"(责任单位:市人大办公室、市司法局{suffix})").units
        assert [u.name for u in units] == ["市人大办公室", "市司法局"], suffix


def test_empty_entry_dropped_and_flagged() -> None:
    result = find_units("(牵头单位:、综合治理办、人和司法所)")
    assert [u.name for u in result.units] == ["综合治理办", "人和司法所"]
    assert result.flags == {"empty_unit_entry"}


def test_clause_cut_off_by_end_of_text_is_kept_and_flagged() -> None:
    result = find_units("强化监督。(责任单位:县纪委监委、县审计局")
    assert [u.name for u in result.units] == ["县纪委监委", "县审计局"]
    assert "truncated_clause" in result.flags


def test_role_word_in_running_prose_is_not_a_clause() -> None:
    text = "进一步强化法治建设牵头部门的推进职责,由责任单位负责落实。"
    assert find_units(text).units == []


def test_split_never_inside_parentheses() -> None:
    assert split_units("甲(乙、丙)、丁,戊;己") == ["甲(乙、丙)", "丁", "戊", "己"]


def test_aliases_merge_to_one_canonical() -> None:
    assert canonical_name("市国安局") == canonical_name("市国家安全局") == "市国家安全局"
    assert canonical_name("综和治理办") == "综合治理办"
    assert canonical_name("市人民政府其他有关部门") == "市政府其他有关部门"
    assert canonical_name("各县市区人民政府") == "各县市区政府"
    assert canonical_name("市林业局等单位") == "市林业局"


def test_generic_units_marked() -> None:
    for name in ("市政府其他有关部门", "区各部门", "开发区及各镇街", "市直和县市区各党政机关"):
        assert is_generic(name), name
    for name in ("市司法局", "区委宣传部", "人和司法所"):
        assert not is_generic(name), name


def test_inline_lead_written_with_you() -> None:
    assert _parts("完善机制。(由市司法局牵头,市财政局配合)") == [
        (1, "lead", "市司法局"), (2, "participant", "市财政局")]
