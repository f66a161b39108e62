"""Plotly figures for the dashboard, built from the aggregated rows of `dashboards.queries`.

Every figure has a title, axis labels with units, and the CJK font stack; a figure with no
data still renders (axes plus a "no data" annotation) so an empty warehouse builds a working
page. Figures are serialised by `figure_json`, which makes the JSON safe to inline in HTML.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from dashboards.queries import Row

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


def _figure(title: str, x_title: str, y_title: str, *, height: int = 380) -> go.Figure:
    fig = go.Figure(layout={"template": TEMPLATE})
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(title_text=x_title, automargin=True)
    fig.update_yaxes(title_text=y_title, automargin=True)
    return fig


def _no_data_if_empty(fig: go.Figure, empty: bool) -> go.Figure:
    if empty:
        fig.add_annotation(text="no data", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font={"size": 18, "color": "#888"})
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False)
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


def documents_per_year(data: Sequence[Row]) -> go.Figure:
    fig = _figure("Documents per year and site", "Document year", "Documents (count)")
    xs, by = _pivot(data, "year", "site", "documents")
    labels = [_year_label(x) for x in xs]
    for i, (site, counts) in enumerate(sorted(by.items())):
        fig.add_bar(name=site, x=labels, y=[counts.get(x, 0) for x in xs],
                    marker_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return _no_data_if_empty(fig, not data)


def documents_per_region(data: Sequence[Row]) -> go.Figure:
    ordered = list(reversed(data))  # largest on top in a horizontal bar chart
    fig = _figure("Documents per region", "Documents (count)", "Region",
                  height=max(320, 60 + 26 * len(data)))
    if data:
        fig.add_bar(x=[r["documents"] for r in ordered], y=[r["region"] for r in ordered],
                    orientation="h", marker_color=PALETTE[0], name="documents")
    return _no_data_if_empty(fig, not data)


def run_timeline(data: Sequence[Row]) -> go.Figure:
    fig = _figure("Harvest runs over time", "Run start (UTC)", "Documents / pages (count)")
    xs = [r["started_at"] for r in data]
    for key, label, color in RUN_SERIES:
        fig.add_bar(name=label, x=xs, y=[r[key] or 0 for r in data], marker_color=color,
                    customdata=[r["run_id"] for r in data],
                    hovertemplate="run %{customdata}<br>%{x}<br>" + label
                                  + ": %{y}<extra></extra>")
    fig.update_layout(barmode="group")
    return _no_data_if_empty(fig, not data)


def quarantine_reasons(data: Sequence[Row]) -> go.Figure:
    fig = _figure("Quarantined pages by reason", "Reason", "Pages (count)")
    if data:
        fig.add_bar(x=[r["reason"] for r in data], y=[r["urls"] for r in data],
                    marker_color="#9467bd", name="quarantined")
    return _no_data_if_empty(fig, not data)


def theme_trend(data: Sequence[Row]) -> go.Figure:
    fig = _figure("Themes over years (the ten most frequent)", "Document year",
                  "Tasks (count)", height=420)
    xs, by = _pivot(data, "year", "theme", "tasks")
    for i, (theme, counts) in enumerate(sorted(by.items())):
        fig.add_bar(name=theme, x=[str(x) for x in xs], y=[counts.get(x, 0) for x in xs],
                    marker_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return _no_data_if_empty(fig, not data)


def _heatmap(data: Sequence[Row], col: str, title: str, x_title: str) -> go.Figure:
    agencies = list(dict.fromkeys(r["agency"] for r in data))  # busiest first
    cols = sorted({r[col] for r in data}, key=str)
    z = {(r["agency"], r[col]): r["tasks"] for r in data}
    fig = _figure(title, x_title, "Lead agency", height=max(360, 120 + 28 * len(agencies)))
    if data:
        fig.add_heatmap(
            x=[str(c) for c in cols], y=list(reversed(agencies)),
            z=[[z.get((a, c), 0) for c in cols] for a in reversed(agencies)],
            colorscale="Blues", colorbar_title_text="tasks",
            hovertemplate="%{y}<br>" + x_title + ": %{x}<br>lead tasks: %{z}<extra></extra>",
        )
    fig.update_xaxes(type="category")
    return _no_data_if_empty(fig, not data)


def lead_agencies_by_year(data: Sequence[Row]) -> go.Figure:
    return _heatmap(data, "year", "Tasks led per agency and year (count)", "Document year")


def lead_agencies_by_region(data: Sequence[Row]) -> go.Figure:
    return _heatmap(data, "region", "Tasks led per agency and region (count)", "Region")


def targets_by_year(data: Sequence[Row], this_year: int) -> go.Figure:
    """Targets and deadlines per target year; the current year's bars are outlined in red."""
    fig = _figure("Targets and deadlines by target year", "Target year",
                  "Targets and deadlines (count)")
    xs, by = _pivot(data, "year", "kind", "targets")
    for i, (kind, counts) in enumerate(sorted(by.items())):
        fig.add_bar(name=kind, x=xs, y=[counts.get(x, 0) for x in xs],
                    marker={"color": PALETTE[i % len(PALETTE)],
                            "line": {"color": [HIGHLIGHT if x == this_year else "rgba(0,0,0,0)"
                                               for x in xs], "width": 3}})
    fig.update_layout(barmode="stack")
    if this_year in xs:
        fig.add_shape(type="rect", xref="x", yref="y domain", x0=this_year - 0.5,
                      x1=this_year + 0.5, y0=0, y1=1, fillcolor=HIGHLIGHT, opacity=0.08,
                      line_width=0)
        fig.add_annotation(x=this_year, y=1.0, yref="paper", yanchor="bottom",
                           text=f"due this year ({this_year})", showarrow=False,
                           font_color=HIGHLIGHT)
    fig.update_xaxes(dtick=1, tickformat="d")
    return _no_data_if_empty(fig, not data)


def dq_pass_rate(data: Sequence[Row]) -> go.Figure:
    fig = _figure("Expectation pass rate per run and suite", "Run time (UTC)", "Pass rate (%)")
    by: dict[str, list[Row]] = defaultdict(list)
    for r in data:
        by[r["suite"]].append(r)
    for i, (suite, rs) in enumerate(sorted(by.items())):
        fig.add_scatter(
            name=suite, x=[r["run_at"] for r in rs], y=[r["pass_rate"] for r in rs],
            mode="lines+markers", line_color=PALETTE[i % len(PALETTE)],
            customdata=[[r["run_id"], r["passed"], r["expectations"]] for r in rs],
            hovertemplate=(suite + "<br>run %{customdata[0]}: %{customdata[1]}/%{customdata[2]}"
                           " passed (%{y}%)<extra></extra>"),
        )
    fig.update_yaxes(range=[0, 105])
    return _no_data_if_empty(fig, not data)


def dq_top_failures(data: Sequence[Row]) -> go.Figure:
    ordered = list(reversed(data))
    fig = _figure("Most often failing expectations", "Failed checks (count)",
                  "Suite: expectation", height=max(320, 80 + 26 * len(data)))
    if data:
        fig.add_bar(x=[r["failures"] for r in ordered],
                    y=[f"{r['suite']}: {r['expectation']}" for r in ordered], orientation="h",
                    marker_color=HIGHLIGHT, name="failed runs")
    return _no_data_if_empty(fig, not data)


def _script_safe(text: str) -> str:
    """JSON text that cannot end an inline <script> or open a comment/CDATA: '<', '>' and
    '&' (and the JS line separators) become \\u escapes."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def figure_json(fig: go.Figure) -> str:
    """The figure, with its template, as JSON safe to inline in a <script> element."""
    return _script_safe(pio.to_json(fig, validate=False))


def script_json(value: Any) -> str:
    """Plain JSON values (the explorer's rows) for embedding in a <script> element."""
    return _script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# Task lineage (issue #28): per relation, its label, colour and sign in the stack. Dropped
# tasks are drawn below zero (barmode "relative"), so a year's bar above the axis is the plan
# as it stands and the part below is what it left out of the year before.
PLAN_DIFF_SERIES: tuple[tuple[str, str, str, int], ...] = (
    ("carried_over", "carried over", "#1f77b4", 1),
    ("revised", "revised", "#ff7f0e", 1),
    ("new", "new", "#2ca02c", 1),
    ("dropped", "dropped", "#d62728", -1),
)


def plan_diff_bars(series_name: str, data: Sequence[Row]) -> go.Figure:
    """One plan series' year-to-year diff: per year, its tasks carried over, revised and new
    against the previous plan of the series, stacked, and the previous plan's dropped tasks."""
    fig = _figure(f"{series_name}: tasks against the previous plan", "Plan year",
                  "Tasks (count; dropped below zero)", height=340)
    xs, by = _pivot(data, "year", "relation", "task_count")
    labels = [_year_label(x) for x in xs]
    for relation, label, color, sign in PLAN_DIFF_SERIES:
        counts = by.get(relation, {})
        fig.add_bar(name=label, x=labels, y=[sign * (counts.get(x) or 0) for x in xs],
                    marker_color=color)
    fig.update_layout(barmode="relative")
    fig.update_xaxes(type="category")
    return _no_data_if_empty(fig, not data)
