"""Accuracy gate (issue #25 item 4): `parse_document` on the real-world corpus meets the
targets of tests/transform/realworld.py (title, dates, period, chrome, headings, items, units,
text coverage), so a regression on real layouts cannot land. bench/accuracy.py prints the
same figures."""

from __future__ import annotations

import pytest

from tests.transform.realworld import (
    TARGETS,
    CaseScore,
    cases,
    score_case,
    shortfalls,
    summarize,
    weakest,
)

# The whole corpus (dev + holdout) as scored when the holdout split was first scored
# (2026-12-06): every target but period was met. Not the targets (those are TARGETS, gated
# on dev below), a floor against regressions on the documents kept aside.
WHOLE_CORPUS_FLOOR = {"title": 0.98, "publish_date": 0.95, "period": 0.93,
                      "heading_recall": 0.98, "item_count": 0.98, "unit_f1": 0.97,
                      "text_coverage": 0.98}


@pytest.fixture(scope="module")
def dev_scores() -> list[CaseScore]:
    return [score_case(c) for c in cases("dev")]


def test_the_corpus_is_complete_and_split() -> None:
    all_cases = cases("all")
    assert len({c.doc_id for c in all_cases}) == 44
    assert len({c.doc_id for c in cases("dev")}) == 33
    assert len({c.doc_id for c in cases("holdout")}) == 11
    assert sum(c.kind == "html" for c in all_cases) == 17


def test_dev_split_meets_every_target(dev_scores: list[CaseScore]) -> None:
    summary = summarize(dev_scores)
    assert not shortfalls(summary), (shortfalls(summary), weakest(dev_scores))


def test_no_chrome_or_cover_line_survives_on_dev(dev_scores: list[CaseScore]) -> None:
    leaks = {f"{s.doc_id}.{s.kind}": s.chrome_left + s.cover_left for s in dev_scores
             if s.chrome_left or s.cover_left}
    assert leaks == {}


def test_whole_corpus_stays_at_or_above_its_scored_figures() -> None:
    scores = [score_case(c) for c in cases("all")]
    summary = summarize(scores)
    below = {key: summary[key] for key, floor in WHOLE_CORPUS_FLOOR.items()
             if summary[key] < floor}
    assert below == {} and summary["chrome_docs"] == 0, (below, weakest(scores))
    assert set(WHOLE_CORPUS_FLOOR) == set(TARGETS)
