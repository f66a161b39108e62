"""Task lineage (warehouse/lineage.py) as a specification, and the holdout accuracy gate."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from warehouse.lineage import (
    DEFAULT_CONFIG,
    TASK_COLUMNS,
    LineageConfig,
    compute_lineage,
    decide,
    dropped_tasks,
    heading,
    merge_incremental,
    normalise,
)
from warehouse.lineage_eval import evaluate, load_pairs, meets_targets

STUDY = ("（一）深入学习宣传贯彻习近平法治思想。坚持将习近平法治思想作为全面依法治市的根本遵循"
         "和行动指南,"
         "健全和落实习近平法治思想常态化机制,并列为各级党委(党组)理论中心组学习和党校(行政学院)"
         "课程的重点内容。"
         "(牵头单位:市委依法治市办、市委组织部、市委宣传部)")
STUDY_NEXT_YEAR = ("1.深入学习宣传贯彻习近平法治思想。坚持将习近平法治思想作为全面依法治市的根"
                   "本遵循和行动指南，"
                   "健全和落实习近平法治思想常态化机制，并列为各级党委（党组）理论中心组学习和"
                   "党校（行政学院）课程的重点内容。"
                   "（牵头单位：市委宣传部、市委依法治市办、市委组织部）")
STUDY_REWORDED = ("（一）深入学习宣传贯彻习近平法治思想。坚持将习近平法治思想作为全面依法治市的"
                  "根本遵循和行动指南,"
                  "持续开展习近平法治思想进机关、进乡村、进社区、进学校活动,"
                  "并列为各级党委(党组)理论中心组学习和党校(行政学院)课程的重点内容。")
CONSTITUTION = ("（五）加强宪法学习宣传教育。广泛深入开展宪法学习宣传教育活动,普及宪法知识,弘扬"
                "宪法精神。"
                "抓住领导干部这个“关键少数”,把宪法法律学习列为党委(党组)理论学习中心组学习的重"
                "要内容。")
ENFORCEMENT = ("（十一）严格规范公正文明执法。进一步完善行政执法程序,全面推行行政执法公示制度、"
               "执法全过程记录制度、"
               "重大执法决定法制审核制度。原则上各级行政执法机关的法制审核人员不少于本单位执法"
               "人员总数的5%。")
ENFORCEMENT_COUNTY = ENFORCEMENT.replace("各级", "全县各级")
# Hard negative: the same frame, the same 依法/加强/推进 vocabulary, a different task.
SUPERVISION = ("（十一）加强行政复议监督。进一步完善行政复议程序,全面推行行政复议公开制度、复议"
               "全过程记录制度、"
               "重大复议决定集体讨论制度。")
PUBLICITY = ("（二十）加强全民法治宣传教育。全面实施“八五”普法规划,落实“谁执法谁普法”的普法责任制,"
             "加大以案释法和媒体公益普法工作力度。")


def _task(key: str, doc: str, year: int, text: str, region: str = "county",
          series: str | None = None, parent: str | None = "city") -> dict[str, object]:
    return {"task_key": key, "document_key": doc, "series_key": series or f"s:{region}",
            "year": year, "region_key": region, "parent_region_key": parent, "text": text}


def _frame(*tasks: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(tasks), schema={
        "task_key": pl.String, "document_key": pl.String, "series_key": pl.String,
        "year": pl.Int32, "region_key": pl.String, "parent_region_key": pl.String,
        "text": pl.String}).select(TASK_COLUMNS)


def _row(lineage: pl.DataFrame, task_key: str, relation: str | None = None) -> dict[str, object]:
    rows = lineage.filter(pl.col("task_key") == task_key)
    if relation is not None:
        rows = rows.filter(pl.col("relation") == relation)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def _two_years(next_year_text: str) -> pl.DataFrame:
    return _frame(
        _task("a1", "A", 2023, STUDY), _task("a2", "A", 2023, CONSTITUTION),
        _task("b1", "B", 2024, next_year_text))


def test_normalise_strips_numbering_clauses_punctuation_and_years() -> None:
    assert normalise("（十二）构建营商环境。2022年底前清理(责任单位:市发改委(含xx)按职责分工负"
                     "责)。") == \
        "构建营商环境Y年底前清理"
    assert normalise("1.规范执法") == normalise("12、规范执法") == "规范执法"
    assert normalise("（一）规范执法") == "规范执法"


def test_identical_task_next_year_is_carried_over() -> None:
    # Renumbered, full-width punctuation, agencies reordered: still near-identical.
    lineage = compute_lineage(_two_years(STUDY_NEXT_YEAR))
    row = _row(lineage, "b1")
    assert (row["match_task_key"], row["relation"]) == ("a1", "carried_over")
    assert row["score"] == 1.0


def test_year_bump_is_carried_over_but_a_changed_target_is_revised() -> None:
    bumped = ENFORCEMENT + "2023年底前完成。"
    frame = _frame(_task("a1", "A", 2023, bumped),
                   _task("b1", "B", 2024, bumped.replace("2023年", "2024年")),
                   _task("b2", "B", 2024, bumped.replace("5%", "8%")))
    lineage = compute_lineage(frame)
    assert _row(lineage, "b1")["relation"] == "carried_over"
    assert (_row(lineage, "b2")["relation"], _row(lineage, "b2")["match_task_key"]) == \
        ("revised", "a1")


def test_reworded_task_is_revised() -> None:
    row = _row(compute_lineage(_two_years(STUDY_REWORDED)), "b1")
    assert (row["match_task_key"], row["relation"]) == ("a1", "revised")
    score = row["score"]
    assert isinstance(score, float) and 0.55 <= score < 1.0


def test_hard_negative_is_new() -> None:
    lineage = compute_lineage(_two_years(SUPERVISION).vstack(
        _frame(_task("a3", "A", 2023, ENFORCEMENT))))
    row = _row(lineage, "b1")
    assert (row["relation"], row["match_task_key"], row["method"]) == ("new", None, "no_candidate")


def test_county_copy_of_the_city_task_is_copied_from_parent() -> None:
    frame = _frame(
        _task("c1", "CITY", 2024, ENFORCEMENT, region="city", parent="province"),
        _task("c2", "CITY", 2024, PUBLICITY, region="city", parent="province"),
        _task("k1", "COUNTY", 2024, ENFORCEMENT_COUNTY),
        _task("k2", "COUNTY", 2024, ENFORCEMENT))
    lineage = compute_lineage(frame)
    localized = _row(lineage, "k1", "copied_from_parent")
    verbatim = _row(lineage, "k2", "copied_from_parent")
    assert localized["match_task_key"] == verbatim["match_task_key"] == "c1"
    assert str(verbatim["method"]).endswith(":verbatim")
    # Inserting 全县 is a two-character edit: near-identical, yet localized, not verbatim.
    assert str(localized["method"]).endswith(":localized")
    # The county plan has no earlier plan: also `new` in its own series.
    assert _row(lineage, "k1", "new")["method"] == "no_previous_plan"


# Short tasks (under 40 characters once normalised), as district work points write them.
APPEAL_2023 = "(十一)加强行政复议工作。贯彻落实行政复议体制改革要求，规范行政复议案件办理流程。"
APPEAL_2024 = "(十二)加强行政复议工作。贯彻落实新修订的行政复议法，规范行政复议案件办理流程。"
# The same body under another heading: one changed key word makes a different task.
HEARING_2024 = "(十二)加强行政应诉工作。贯彻落实行政复议体制改革要求，规范行政应诉案件办理流程。"


def test_heading_is_the_first_sentence_of_a_task_that_goes_on() -> None:
    assert heading(APPEAL_2023) == "加强行政复议工作"
    assert heading("（三）加强监督。") is None  # nothing after it: the task is all heading
    assert heading("1.执法。严格执法程序。") is None  # two characters do not name a task


def test_a_short_task_reworded_under_its_heading_is_revised() -> None:
    frame = _frame(_task("a1", "A", 2023, APPEAL_2023), _task("b1", "B", 2024, APPEAL_2024),
                   _task("b2", "B", 2024, HEARING_2024))
    lineage = compute_lineage(frame)
    assert (_row(lineage, "b1")["relation"], _row(lineage, "b1")["match_task_key"]) == \
        ("revised", "a1")
    # Closer in characters than b1 is, but under another heading the short-task rule holds.
    assert _row(lineage, "b2")["relation"] == "new"
    assert decide(normalise(APPEAL_2024), normalise(APPEAL_2023)) is None


def test_split_and_merged_tasks_link_to_their_predecessors() -> None:
    frame = _frame(
        _task("a1", "A", 2023, STUDY + CONSTITUTION.replace("（五）", "")),
        _task("a2", "A", 2023, ENFORCEMENT), _task("a3", "A", 2023, PUBLICITY),
        _task("b1", "B", 2024, CONSTITUTION),  # one part of a1
        _task("b2", "B", 2024, ENFORCEMENT + PUBLICITY.replace("（二十）", "")))  # a2 + a3
    lineage = compute_lineage(frame)
    split = _row(lineage, "b1")
    assert (split["match_task_key"], split["relation"], split["method"]) == \
        ("a1", "revised", "minhash+partial:split")
    merged = lineage.filter(pl.col("task_key") == "b2")
    assert set(merged.get_column("match_task_key")) == {"a2", "a3"}
    assert set(merged.get_column("method")) == {"minhash+partial:merged"}


def test_dropped_tasks_are_predecessors_without_successor() -> None:
    frame = _two_years(STUDY_NEXT_YEAR)
    dropped = dropped_tasks(compute_lineage(frame), frame)
    assert dropped.rows() == [("a2", "B", "dropped")]


def test_incremental_matching_equals_batch() -> None:
    # Three years of a county series and its city's plans; nights arrive out of order
    # (2025 before 2024, the city's 2024 plan after the county's).
    tasks = _frame(
        _task("c23a", "C23", 2023, STUDY, region="city", parent="province"),
        _task("c24a", "C24", 2024, STUDY_NEXT_YEAR, region="city", parent="province"),
        _task("c24b", "C24", 2024, ENFORCEMENT, region="city", parent="province"),
        _task("k23a", "K23", 2023, STUDY), _task("k23b", "K23", 2023, CONSTITUTION),
        _task("k24a", "K24", 2024, STUDY_REWORDED), _task("k24b", "K24", 2024, ENFORCEMENT_COUNTY),
        _task("k25a", "K25", 2025, STUDY_REWORDED), _task("k25b", "K25", 2025, PUBLICITY))
    batch = compute_lineage(tasks)
    nights = [["C23", "K23"], ["K25"], ["K24"], ["C24"]]
    stored = compute_lineage(tasks.head(0))
    pool = tasks.head(0)
    for docs in nights:
        new = tasks.filter(pl.col("document_key").is_in(docs))
        stored = merge_incremental(stored, compute_lineage(new, pool))
        pool = pool.vstack(new)
    assert stored.equals(batch)
    # Not a trivial equality: the out-of-order nights changed earlier rows.
    assert _row(batch, "k25a")["match_task_key"] == "k24a"
    assert _row(batch, "k24b", "copied_from_parent")["match_task_key"] == "c24b"


def test_thresholds_come_from_the_config() -> None:
    frame = _two_years(STUDY_REWORDED)
    assert _row(compute_lineage(frame), "b1")["relation"] == "revised"
    strict = dataclasses.replace(DEFAULT_CONFIG, revised_min=99.0, containment_min=99.0)
    assert _row(compute_lineage(frame, config=strict), "b1")["relation"] == "new"
    loose = dataclasses.replace(DEFAULT_CONFIG, carried_over_max_edits=10_000)
    assert _row(compute_lineage(frame, config=loose), "b1")["relation"] == "carried_over"
    assert decide(normalise(SUPERVISION), normalise(ENFORCEMENT)) is None
    assert decide(normalise(SUPERVISION), normalise(ENFORCEMENT),
                  dataclasses.replace(DEFAULT_CONFIG, revised_min=10.0)) is not None


def test_config_rejects_banding_beyond_the_permutations() -> None:
    with pytest.raises(ValueError, match="banding"):
        LineageConfig(num_perm=16, lsh_bands=32, lsh_rows=2)


def test_missing_columns_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        compute_lineage(pl.DataFrame({"task_key": ["x"]}))


def test_labelled_set_is_large_and_holds_every_label() -> None:
    pairs = load_pairs()
    assert len(pairs) >= 150
    labels = {p.label for p in pairs}
    assert labels == {"carried_over", "revised", "copied_from_parent", "different", "split",
                      "merged"}
    made = [p for p in pairs if p.split in ("dev", "holdout")]
    holdout = [p for p in made if p.split == "holdout"]
    assert 0.2 <= len(holdout) / len(made) <= 0.3
    assert {p.label for p in holdout} == labels


def test_holdout_meets_the_targets() -> None:
    figures = evaluate("holdout")
    scores = figures["scores"]
    assert isinstance(scores, dict)
    combined = scores["carried_over+revised"]
    assert meets_targets(figures), (combined, figures["errors"])
    # And no relation of its own falls below the precision target.
    for relation in ("carried_over", "revised", "copied_from_parent"):
        assert scores[relation]["precision"] >= 0.95, (relation, figures["errors"])


def test_no_real_near_miss_is_linked() -> None:
    # The `real` split quotes published plans: its negatives are neighbouring items and
    # same-heading tasks of unrelated places, none of which may be linked. (Its two positives
    # are paraphrases sharing few characters, beyond a text-reuse measure: reported by
    # bench/lineage.py, not asserted.)
    figures = evaluate("real")
    errors = figures["errors"]
    assert isinstance(errors, list)
    false_links = [e for e in errors if e[1] == "different"]
    assert not false_links, false_links
    assert isinstance(figures["pairs"], int) and figures["pairs"] >= 15


def test_a_short_part_of_a_long_task_is_found_through_its_sentences() -> None:
    # Jaccard of the part with the whole is ~0.1, below what whole-text LSH returns; the
    # sentence index finds it, and switching that index off in the config loses it.
    whole = (STUDY + CONSTITUTION.replace("（五）", "") + ENFORCEMENT.replace("（十一）", "")
             + PUBLICITY.replace("（二十）", ""))
    part = ("（三）推行行政执法公示制度。全面推行行政执法公示制度、执法全过程记录制度、重大执法"
            "决定法制审核制度。")
    frame = _frame(_task("a1", "A", 2023, whole), _task("b1", "B", 2024, part))
    row = _row(compute_lineage(frame), "b1")
    assert (row["match_task_key"], row["method"]) == ("a1", "minhash+partial:split")
    off = dataclasses.replace(DEFAULT_CONFIG, sentence_fallback=False)
    assert _row(compute_lineage(frame, config=off), "b1")["relation"] == "new"
