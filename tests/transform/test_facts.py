"""Targets, deadlines and themes."""

from __future__ import annotations

from transform.facts import find_deadlines, find_targets, find_themes, theme_vocabulary


def test_percent_targets() -> None:
    got = find_targets("化解率99.6%,出庭应诉率100%。")
    assert [(t.kind, t.text, t.value, t.unit) for t in got] == [
        ("percent", "99.6%", 99.6, "%"), ("percent", "100%", 100.0, "%")]


def test_counts_with_measure_words() -> None:
    got = find_targets("每人每年不少于60学时,举办2期以上讲座,培育35个示范点。")
    assert [(t.text, t.value, t.unit) for t in got] == [
        ("不少于60学时", 60.0, "学时"), ("2期以上", 2.0, "期"), ("35个", 35.0, "个")]


def test_years_and_dates_are_not_counts() -> None:
    assert find_targets("2022年是关键之年,12·4国家宪法日,第二批。") == []


def test_deadlines() -> None:
    text = "2022年底前完成,2024年年底建成,到2025年基本形成,到2035年基本实现,2023年6月底前上线。"
    got = find_deadlines(text)
    assert [(t.text, t.deadline_year) for t in got] == [
        ("2022年底前", 2022), ("2024年年底", 2024), ("到2025年", 2025), ("到2035年", 2035),
        ("2023年6月底前", 2023)]
    assert find_deadlines("2022年是关键之年。") == []


def test_themes_from_the_vocabulary_with_quoted_spellings() -> None:
    text = "实施“八五”普法规划,坚持和发展新时代“枫桥经验”,学习习近平法治思想,优化营商环境。"
    assert find_themes(text) == ["八五普法", "枫桥经验", "习近平法治思想", "营商环境"]
    assert find_themes("八五普法落实落细") == ["八五普法"]


def test_three_systems_and_other_synonyms() -> None:
    assert find_themes("全面推行行政执法公示制度") == ["行政执法三项制度"]
    assert find_themes("开展国家宪法日活动") == ["宪法宣传"]
    assert find_themes("完善矛盾纠纷多元化解机制") == ["矛盾纠纷化解"]


def test_vocabulary_contains_the_required_themes() -> None:
    themes = set(theme_vocabulary().values())
    for theme in ("习近平法治思想", "枫桥经验", "八五普法", "营商环境", "行政执法三项制度",
                  "宪法宣传", "民法典", "公共法律服务", "矛盾纠纷化解", "法治督察"):
        assert theme in themes
