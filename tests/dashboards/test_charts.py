"""Chart figures as the pages embed them: styled, labelled, and safe to inline."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
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


ALL_FIGURES: dict[str, Callable[..., Any]] = {
    "documents_per_year": lambda rows: charts.documents_per_year(rows),
    "documents_per_region": lambda rows: charts.documents_per_region(rows),
    "run_timeline": lambda rows: charts.run_timeline(rows),
    "quarantine_reasons": lambda rows: charts.quarantine_reasons(rows),
    "theme_trend": lambda rows: charts.theme_trend(rows),
    "lead_agencies_by_year": lambda rows: charts.lead_agencies_by_year(rows),
    "lead_agencies_by_region": lambda rows: charts.lead_agencies_by_region(rows),
    "targets_by_year": lambda rows: charts.targets_by_year(rows, 2026),
    "dq_pass_rate": lambda rows: charts.dq_pass_rate(rows),
    "dq_top_failures": lambda rows: charts.dq_top_failures(rows),
}
SAMPLE: dict[str, list[dict[str, Any]]] = {
    "documents_per_year": ROWS["year"],
    "documents_per_region": ROWS["region"],
    "run_timeline": ROWS["run"],
    "quarantine_reasons": [{"reason": "empty_body", "urls": 2}],
    "theme_trend": [{"year": 2023, "theme": "枫桥经验", "tasks": 4}],
    "lead_agencies_by_year": [{"agency": "市司法局", "year": 2023, "tasks": 5, "total": 5}],
    "lead_agencies_by_region": [{"agency": "市司法局", "region": "湘潭市", "tasks": 5,
                                 "total": 5}],
    "targets_by_year": [{"year": 2026, "kind": "deadline", "targets": 3}],
    "dq_pass_rate": [{"suite": "documents", "run_at": dt.datetime(2026, 12, 1, 2),
                      "pass_rate": Decimal("97.5"), "run_id": "r1", "passed": 39,
                      "expectations": 40}],
    "dq_top_failures": [{"suite": "documents", "expectation": "title_present", "failures": 2}],
}


@pytest.mark.parametrize("name", sorted(ALL_FIGURES))
@pytest.mark.parametrize("data", ["empty", "rows"])
def test_every_figure_is_valid_plotly_and_serialises_as_plotly_would(name: str,
                                                                     data: str) -> None:
    """plotly.py's validator accepts every property of every figure, and the JSON the page
    embeds is what plotly.py itself writes for the figure."""
    import plotly.graph_objects as go

    figure = ALL_FIGURES[name](SAMPLE[name] if data == "rows" else [])
    validated = go.Figure(figure)  # raises on an unknown property or an invalid value
    ours = json.loads(charts.figure_json(figure))
    theirs = json.loads(validated.to_json())
    assert ours["data"] == theirs["data"]
    del ours["layout"]["template"], theirs["layout"]["template"]
    assert ours["layout"] == theirs["layout"]


def test_an_unknown_property_is_refused_as_the_figure_is_built() -> None:
    figure = charts.documents_per_region(ROWS["region"])
    with pytest.raises(ValueError, match="marker_colour"):
        figure.data[0]["marker_colour"] = "red"
