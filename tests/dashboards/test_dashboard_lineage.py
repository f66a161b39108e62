"""The lineage page (issue #28 item 4): a series' year-to-year diff as stacked bars, a task's
chain with its changed characters marked, the localization table, and "no lineage yet" for a
warehouse without the lineage views."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dashboards import charts, queries
from dashboards.build import build_dashboard
from dashboards.textdiff import Segment, char_diff
from tests.dashboards.dashboard_fixture import TODAY, build_fixture_warehouse


@pytest.fixture(scope="module")
def page(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("lineage") / "dashboard"
    build_dashboard(fixture_db, out, today=TODAY)
    assert 'href="lineage.html"' in (out / "index.html").read_text(encoding="utf-8")
    return (out / "lineage.html").read_text(encoding="utf-8")


def _figures(html: str) -> list[dict]:  # type: ignore[type-arg]
    specs = re.findall(r'<script type="application/json" id="chart-series-\d+-spec">(.*?)</script>',
                       html, re.S)
    return [json.loads(s) for s in specs]


def test_series_diff_is_stacked_bars_per_relation_with_dropped_below_zero(page: str) -> None:
    (fig,) = _figures(page)  # the one-plan 湘潭县 series has no diff to draw
    assert "深化乡镇综合行政执法改革" not in page
    assert fig["layout"]["barmode"] == "relative"
    bars = {t["name"]: t for t in fig["data"]}
    assert [t["type"] for t in fig["data"]] == ["bar"] * 4
    assert bars["carried over"]["x"] == ["2023", "2024"]
    assert bars["carried over"]["y"] == [9, 8]
    assert bars["revised"]["y"] == [2, 3] and bars["new"]["y"] == [2, 2]
    assert bars["dropped"]["y"] == [-1, -2]
    assert "湘潭市雨湖区 法治政府建设工作要点" in fig["layout"]["title"]["text"]


def test_chain_marks_changed_characters_and_escapes_scraped_markup(page: str) -> None:
    chain = page[page.index('id="chain-1"'):page.index("</section>", page.index('id="chain-1"'))]
    assert chain.count("<li>") == 3  # 2024, 2023, 2022
    # 2023 against 2022: the reform wording was replaced by the new law's.
    assert "贯彻落实<ins>新修订的</ins>行政复议<del>体制改革要求</del><ins>法</ins>" in chain
    # The oldest version has nothing before it: plain text.
    assert "<div class=\"chain-text\">加强行政复议工作。贯彻落实行政复议体制改革要求" in chain
    # The hostile text was inserted in 2024: shown escaped inside <ins>, never as markup.
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;lineage&#34;)&lt;/script&gt;" in chain
    assert page.count("</script>") == page.count("<script")
    # Headings in the tables are escaped too.
    assert "&lt;b&gt;加强&lt;/b&gt;" in page and "&lt;i&gt;深化&lt;/i&gt;" in page
    assert "<b>加强" not in page


def test_localization_table_shows_the_share_copied(page: str) -> None:
    table = page[page.index('id="localization-table"'):]
    assert "湘潭县2024年法治政府建设工作要点" in table
    assert "湘潭市2024年法治政府建设工作要点" in table
    assert "85%" in table  # 11 of 13 tasks


def test_long_lists_are_capped_and_point_to_the_views(
        fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A warehouse of 1M tasks holds thousands of series and copying plans: the page lists the
    # first MAX_LISTED of each and says where the rest are.
    monkeypatch.setattr(queries, "MAX_LISTED", 0)
    build_dashboard(fixture_db, tmp_path / "dashboard", today=TODAY)
    html = (tmp_path / "dashboard" / "lineage.html").read_text(encoding="utf-8")
    assert 'id="plan-diff-more"' in html and "of 1;" in html
    assert 'id="localization-more"' in html
    assert "湘潭县2024年法治政府建设工作要点" not in html and "做好疫情防控法治保障" not in html


def test_a_warehouse_without_lineage_views_says_so(tmp_path: Path) -> None:
    db = build_fixture_warehouse(tmp_path / "warehouse.duckdb", lineage=False)
    out = build_dashboard(db, tmp_path / "dashboard", today=TODAY).parent
    html = (out / "lineage.html").read_text(encoding="utf-8")
    assert 'id="no-lineage"' in html and "No lineage yet" in html and "v_plan_diff" in html


def test_char_diff_marks_inserted_and_deleted_characters() -> None:
    old = "贯彻落实行政复议体制改革要求，规范行政复议案件办理流程。"
    new = "贯彻落实新修订的行政复议法，规范行政复议案件办理流程。"
    segments = char_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "del") == new
    assert "".join(s.text for s in segments if s.op != "ins") == old
    assert Segment("same", "贯彻落实") == segments[0]
    assert {s.op for s in segments} == {"same", "ins", "del"}
    assert char_diff(new, new) == [Segment("same", new)]


def test_an_empty_series_figure_still_renders() -> None:
    fig = charts.plan_diff_bars("空", [])
    assert fig.layout.annotations[0].text == "no data"
