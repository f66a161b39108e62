"""Plotly figures for the dashboard, built from the aggregated rows of `dashboards.queries`.

Every figure has a title, axis labels with units, and the CJK font stack; a figure with no
data still renders (axes plus a "no data" annotation) so an empty warehouse builds a working
page. Figures are serialised by `figure_json`, which makes the JSON safe to inline in HTML.

A figure is plotly.js's own JSON (`{"data": [traces], "layout": {...}}`) built as plain
dicts: plotly.py's graph objects validate every property on every update, which was a
quarter of a nightly dashboard rebuild (~0.08 s for ten charts) for JSON the browser reads
the same. The tests validate every figure with `plotly.graph_objects.Figure` instead.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import plotly.io as pio
from plotly.colors import sequential
from plotly.utils import PlotlyJSONEncoder

from dashboards.queries import Row

Figure = dict[str, Any]  # plotly.js figure JSON: {"data": [...], "layout": {...}}

# Same stack as the page CSS: Debian's fonts-noto-cjk provides "Noto Sans CJK SC".
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", ' \
              '"PingFang SC", sans-serif'
HIGHLIGHT = "#d62728"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a")
RUN_SERIES: tuple[tuple[str, str, str], ...] = (
    ("new_docs", "new", "#2ca02c"),
    ("changed_docs", "changed", "#1f77b4"),
    ("failed", "failed", "#d62728"),
    ("blocked", "blocked", "#ff7f0e"),
    ("quarantined", "quarantined", "#9467bd"),
)


TEMPLATE = "plotly_white"
# plotly.py's sequential Blues as stops: plotly.js's own "Blues" is a different scale.
BLUES = [[i / (len(sequential.Blues) - 1), color] for i, color in enumerate(sequential.Blues)]


def _figure() -> Figure:
    """An empty figure; `figure_json` attaches the template (plotly.js applies it)."""
    return {"data": [], "layout": {}}


def _trace(fig: Figure, kind: str, **props: Any) -> None:
    fig["data"].append({"type": kind, **props})


def _axis(fig: Figure, axis: str, **props: Any) -> None:
    fig["layout"].setdefault(axis, {}).update(props)


@functools.cache
def _template_spec() -> dict[str, Any]:
    """The template as plain JSON values (read-only: figures share it when serialised)."""
    return dict(json.loads(json.dumps(pio.templates[TEMPLATE].to_plotly_json(),
                                      cls=PlotlyJSONEncoder)))


def _layout(fig: Figure, title: str, x_title: str, y_title: str, *, height: int = 380) -> None:
    fig["layout"].update(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
    )
    _axis(fig, "xaxis", title={"text": x_title}, automargin=True)
    _axis(fig, "yaxis", title={"text": y_title}, automargin=True)


def _no_data_if_empty(fig: Figure, empty: bool) -> Figure:
    if empty:
        fig["layout"].setdefault("annotations", []).append(
            {"text": "no data", "showarrow": False, "xref": "paper", "yref": "paper",
             "x": 0.5, "y": 0.5, "font": {"size": 18, "color": "#888"}})
        _axis(fig, "xaxis", showticklabels=False)
        _axis(fig, "yaxis", showticklabels=False)
    return fig


def _pivot(
    data: Sequence[Row], x: str, series: str, y: str
) -> tuple[list[Any], dict[Any, dict[Any, Any]]]:
    """(sorted x values, {series: {x: y}}) for grouped traces; order of series kept."""
    xs = sorted({r[x] for r in data}, key=lambda v: (v is None, str(v) if v is None else v))
    by: dict[Any, dict[Any, Any]] = defaultdict(dict)
    for r in data:
        by[r[series]][r[x]] = r[y]
    return xs, by


def _year_label(year: Any) -> str:
    return "unknown" if year is None else str(year)


def documents_per_year(data: Sequence[Row]) -> Figure:
    fig = _figure()
    xs, by = _pivot(data, "year", "site", "documents")
    labels = [_year_label(x) for x in xs]
    for i, (site, counts) in enumerate(sorted(by.items())):
        _trace(fig, "bar",
               name=site, x=labels, y=[counts.get(x, 0) for x in xs],
               marker={"color": PALETTE[i % len(PALETTE)]})
    fig["layout"]["barmode"] = "stack"
    _axis(fig, "xaxis", type="category")
    _layout(fig, "Documents per year and site", "Document year", "Documents (count)")
    return _no_data_if_empty(fig, not data)


def documents_per_region(data: Sequence[Row]) -> Figure:
    ordered = list(reversed(data))  # largest on top in a horizontal bar chart
    fig = _figure()
    if data:
        _trace(fig, "bar",
               x=[r["documents"] for r in ordered], y=[r["region"] for r in ordered],
               orientation="h", marker={"color": PALETTE[0]}, name="documents")
    _layout(fig, "Documents per region", "Documents (count)", "Region",
            height=max(320, 60 + 26 * len(data)))
    return _no_data_if_empty(fig, not data)


def run_timeline(data: Sequence[Row]) -> Figure:
    fig = _figure()
    xs = [r["started_at"] for r in data]
    for key, label, color in RUN_SERIES:
        _trace(fig, "bar",
               name=label, x=xs, y=[r[key] or 0 for r in data], marker={"color": color},
               customdata=[r["run_id"] for r in data],
               hovertemplate="run %{customdata}<br>%{x}<br>" + label + ": %{y}<extra></extra>")
    fig["layout"]["barmode"] = "group"
    _layout(fig, "Harvest runs over time", "Run start (UTC)", "Documents / pages (count)")
    return _no_data_if_empty(fig, not data)


def quarantine_reasons(data: Sequence[Row]) -> Figure:
    fig = _figure()
    if data:
        _trace(fig, "bar",
               x=[r["reason"] for r in data], y=[r["urls"] for r in data],
               marker={"color": "#9467bd"}, name="quarantined")
    _layout(fig, "Quarantined pages by reason", "Reason", "Pages (count)")
    return _no_data_if_empty(fig, not data)


def theme_trend(data: Sequence[Row]) -> Figure:
    fig = _figure()
    xs, by = _pivot(data, "year", "theme", "tasks")
    for i, (theme, counts) in enumerate(sorted(by.items())):
        _trace(fig, "bar",
               name=theme, x=[str(x) for x in xs], y=[counts.get(x, 0) for x in xs],
               marker={"color": PALETTE[i % len(PALETTE)]})
    fig["layout"]["barmode"] = "stack"
    _axis(fig, "xaxis", type="category")
    _layout(fig, "Themes over years (the ten most frequent)", "Document year", "Tasks (count)",
            height=420)
    return _no_data_if_empty(fig, not data)


def _heatmap(data: Sequence[Row], col: str, title: str, x_title: str) -> Figure:
    agencies = list(dict.fromkeys(r["agency"] for r in data))  # busiest first
    cols = sorted({r[col] for r in data}, key=str)
    z = {(r["agency"], r[col]): r["tasks"] for r in data}
    fig = _figure()
    if data:
        _trace(fig, "heatmap",
               x=[str(c) for c in cols], y=list(reversed(agencies)),
               z=[[z.get((a, c), 0) for c in cols] for a in reversed(agencies)],
               colorscale=BLUES, colorbar={"title": {"text": "tasks"}},
               hovertemplate="%{y}<br>" + x_title + ": %{x}<br>lead tasks: %{z}<extra></extra>",
        )
    _axis(fig, "xaxis", type="category")
    _layout(fig, title, x_title, "Lead agency", height=max(360, 120 + 28 * len(agencies)))
    return _no_data_if_empty(fig, not data)


def lead_agencies_by_year(data: Sequence[Row]) -> Figure:
    return _heatmap(data, "year", "Tasks led per agency and year (count)", "Document year")


def lead_agencies_by_region(data: Sequence[Row]) -> Figure:
    return _heatmap(data, "region", "Tasks led per agency and region (count)", "Region")


def targets_by_year(data: Sequence[Row], this_year: int) -> Figure:
    """Targets and deadlines per target year; the current year's bars are outlined in red."""
    fig = _figure()
    xs, by = _pivot(data, "year", "kind", "targets")
    for i, (kind, counts) in enumerate(sorted(by.items())):
        _trace(fig, "bar",
               name=kind, x=xs, y=[counts.get(x, 0) for x in xs],
               marker={"color": PALETTE[i % len(PALETTE)],
                       "line": {"color": [HIGHLIGHT if x == this_year else "rgba(0,0,0,0)"
                                          for x in xs], "width": 3}},
        )
    fig["layout"]["barmode"] = "stack"
    if this_year in xs:
        fig["layout"]["shapes"] = [{
            "type": "rect", "xref": "x", "yref": "y domain", "x0": this_year - 0.5,
            "x1": this_year + 0.5, "y0": 0, "y1": 1, "fillcolor": HIGHLIGHT, "opacity": 0.08,
            "line": {"width": 0}}]
        fig["layout"].setdefault("annotations", []).append({
            "x": this_year, "y": 1.0, "yref": "paper", "yanchor": "bottom",
            "text": f"due this year ({this_year})", "showarrow": False,
            "font": {"color": HIGHLIGHT}})
    _axis(fig, "xaxis", dtick=1, tickformat="d")
    _layout(fig, "Targets and deadlines by target year", "Target year",
            "Targets and deadlines (count)")
    return _no_data_if_empty(fig, not data)


def dq_pass_rate(data: Sequence[Row]) -> Figure:
    fig = _figure()
    by: dict[str, list[Row]] = defaultdict(list)
    for r in data:
        by[r["suite"]].append(r)
    for i, (suite, rs) in enumerate(sorted(by.items())):
        _trace(fig, "scatter",
               name=suite, x=[r["run_at"] for r in rs], y=[r["pass_rate"] for r in rs],
               mode="lines+markers", line={"color": PALETTE[i % len(PALETTE)]},
               customdata=[[r["run_id"], r["passed"], r["expectations"]] for r in rs],
               hovertemplate=(suite + "<br>run %{customdata[0]}: %{customdata[1]}/%{customdata[2]}"
                              " passed (%{y}%)<extra></extra>"),
        )
    _axis(fig, "yaxis", range=[0, 105])
    _layout(fig, "Expectation pass rate per run and suite", "Run time (UTC)", "Pass rate (%)")
    return _no_data_if_empty(fig, not data)


def dq_top_failures(data: Sequence[Row]) -> Figure:
    ordered = list(reversed(data))
    fig = _figure()
    if data:
        _trace(fig, "bar",
               x=[r["failures"] for r in ordered],
               y=[f"{r['suite']}: {r['expectation']}" for r in ordered], orientation="h",
               marker={"color": HIGHLIGHT}, name="failed runs")
    _layout(fig, "Most often failing expectations", "Failed checks (count)", "Suite: expectation",
            height=max(320, 80 + 26 * len(data)))
    return _no_data_if_empty(fig, not data)


def figure_json(fig: Figure) -> str:
    """The figure, with its template, as JSON that cannot end an inline <script> or open a
    comment/CDATA."""
    return script_json({**fig, "layout": {**fig["layout"], "template": _template_spec()}})


def _plain(value: Any) -> Any:
    """JSON for the values DuckDB rows carry: timestamps as ISO 8601 (as plotly.py wrote
    them), decimals as numbers."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def script_json(value: Any) -> str:
    """JSON for embedding in a <script> element: '<', '>' and '&' become \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
