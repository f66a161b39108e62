"""Custom GX expectations: pinyin annotations and traditional-only characters."""

from __future__ import annotations

from pathlib import Path

import great_expectations as gx
import pandas as pd
import pytest

from expectations.context import get_context
from expectations.custom import (
    ExpectColumnValuesToBeSubsetsOfSet,
    ExpectColumnValuesToHaveNoPinyinAnnotation,
    ExpectColumnValuesToHaveNoTraditionalOnlyChars,
    pinyin_annotations,
    traditional_only_chars,
)
from expectations.validate import run_suite
from tests.conftest import seed_text


@pytest.mark.parametrize(("text", "found"), [
    ("中國式現(xiàn)代化", ["現(xiàn)"]),
    ("学(xué)习（xí）", ["学(xué)", "习（xí）"]),
    ("将(jiang1)", ["将(jiang1)"]),
    ("??茖W(xué)", ["W(xué)"]),  # the damaged spot in seed 003 still counts
    ("(一)总体要求", []),
    ("通过ISO(ISO)认证", []),
    ("党委(组)", []),  # a Han gloss, not pinyin
    ("see item(a)", []),  # English
])
def test_pinyin_annotation_pattern(text: str, found: list[str]) -> None:
    assert pinyin_annotations(text) == found


def test_the_traditional_seed_carries_exactly_its_annotated_pinyin_count() -> None:
    assert len(pinyin_annotations(seed_text("003-xigang-summary-traditional"))) == 315


@pytest.mark.parametrize(("text", "found"), [
    ("中國式現代化", ["國", "現"]),
    ("显著的著作，乾坤", []),  # t2s rewrites 著/乾 but both are standard simplified too
    ("后来的发展", []),
])
def test_traditional_only_characters(text: str, found: list[str]) -> None:
    assert traditional_only_chars(text) == found


@pytest.mark.parametrize("name", [
    "000-district-plan-redacted", "001-yancheng-edz-2023-plan",
    "002-renhe-town-2022-points", "004-xiangtan-2021-2025-plan",
])
def test_simplified_seeds_have_no_traditional_only_characters(name: str) -> None:
    assert traditional_only_chars(seed_text(name)) == []


def test_custom_expectations_run_through_gx(gx_dir: Path) -> None:
    frame = pd.DataFrame({
        "doc_index": [0, 1, 2, 3],
        "text": ["依法治国", "现(xiàn)代", "現代", None],
        "roles": [["lead"], ["lead", "boss"], [], None],
    })
    suite = gx.ExpectationSuite(name="custom_probe", expectations=[
        ExpectColumnValuesToHaveNoPinyinAnnotation(column="text", meta={"name": "pinyin"}),
        ExpectColumnValuesToHaveNoTraditionalOnlyChars(column="text", meta={"name": "trad"}),
        ExpectColumnValuesToBeSubsetsOfSet(column="roles", value_set=["lead", "participant"],
                                           meta={"name": "roles"}),
    ])
    outcomes = {o.name: o for o in run_suite(get_context(gx_dir), suite, frame, run_id="probe")}
    assert {n: (o.success, o.failed_rows) for n, o in outcomes.items()} == {
        "pinyin": (False, [1]),
        "trad": (False, [2]),
        "roles": (False, [1]),
    }
    assert outcomes["pinyin"].element_count == 4
    assert outcomes["pinyin"].unexpected_count == 1
