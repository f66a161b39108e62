"""Chart figures as the pages embed them: styled, labelled, and safe to inline."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import plotly.io as pio
import pytest

from dashboards import charts

ROWS: dict[str, list[dict[str, Any]]] = {
    "year": [{"year": 2023, "site": "demo", "documents": 3}],
    "region": [{"region": "湘潭市", "documents": 3}],
    "run": [{"run_id": "r1", "started_at": dt.datetime(2026, 12, 1, 2), "new_docs": 3,
             "changed_docs": 1, "failed": 0, "blocked": 0, "quarantined": 1}],
}
FIGURES: dict[str, Callable[[list[dict[str, Any]]], Any]] = {
    "documents_per_year": charts.documents_per_year,
    "documents_per_region": charts.documents_per_region,
    "run_timeline": charts.run_timeline,
    "dq_top_failures": charts.dq_top_failures,
}


def _spec(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(json.loads(charts.figure_json(FIGURES[name](rows))))


@pytest.mark.parametrize("name", sorted(FIGURES))
@pytest.mark.parametrize("data", ["empty", "rows"])
def test_every_figure_carries_the_plotly_white_template_and_cjk_font(name: str,
                                                                     data: str) -> None:
    rows = {"documents_per_year": ROWS["year"], "documents_per_region": ROWS["region"],
            "run_timeline": ROWS["run"], "dq_top_failures": []}[name]
    spec = _spec(name, rows if data == "rows" else [])
    white = json.loads(json.dumps(pio.templates[charts.TEMPLATE].to_plotly_json(),
                                  default=str))
    assert spec["layout"]["template"] == white
    assert spec["layout"]["font"]["family"] == charts.FONT_FAMILY
    assert spec["layout"]["title"]["text"]


def test_an_empty_figure_says_no_data() -> None:
    spec = _spec("documents_per_region", [])
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["no data"]


def test_scraped_names_cannot_close_the_inline_script() -> None:
    rows = [{"region": "</script><script>alert(1)</script>", "documents": 1}]
    text = charts.figure_json(charts.documents_per_region(rows))
    assert "</script>" not in text and "<" not in text
    assert json.loads(text)["data"][0]["y"] == ["</script><script>alert(1)</script>"]
