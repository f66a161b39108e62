"""The lineage page over the real warehouse: the demo's lineage plans (issue #28 item 6)
parsed and loaded by the pipeline, so the warehouse's own lineage views feed the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from dashboards.build import build_dashboard
from demo.site import LINEAGE_PLANS, build_site
from tests.dashboards.dashboard_fixture import TODAY


@pytest.fixture(scope="module")
def lineage_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transform import parse_document
    from warehouse.load import load_documents

    names = {p.name for p in LINEAGE_PLANS}
    docs = [parse_document(a.render(1), url=f"http://127.0.0.1{a.path}",
                           source_site="demo-hunan", content_type="text/html")
            for a in build_site().articles.values() if a.seed in names]
    db = tmp_path_factory.mktemp("wh-lineage") / "warehouse.duckdb"
    load_documents(db, docs, run_id="r-lineage")
    return db


def test_demo_series_and_pair_reach_the_lineage_page(lineage_db: Path, tmp_path: Path) -> None:
    out = build_dashboard(lineage_db, tmp_path / "dashboard", today=TODAY).parent
    html = (out / "lineage.html").read_text(encoding="utf-8")
    assert "No lineage yet" not in html
    specs = re.findall(r'id="chart-series-\d+-spec">(.*?)</script>', html, re.S)
    (fig,) = [json.loads(s) for s in specs]  # the one series with more than one plan
    assert "湘潭市雨湖区" in fig["layout"]["title"]["text"]
    assert fig["data"][0]["x"] == ["2022", "2023", "2024"]
    kept = dict(zip(fig["data"][0]["x"], fig["data"][0]["y"], strict=True))
    assert kept["2023"] >= 6 and kept["2024"] >= 6  # most tasks carried over
    assert any(y < 0 for y in fig["data"][3]["y"])  # some dropped
    assert "<ins>" in html and "<del>" in html
    with duckdb.connect(str(lineage_db), read_only=True) as con:
        share = con.execute("SELECT copied_share FROM v_localization "
                            "WHERE title LIKE '湘潭县%'").fetchone()
    assert share is not None and share[0] >= 0.7
    table = html[html.index('id="localization-table"'):]
    assert "湘潭县2024年法治政府建设工作要点" in table and f"{share[0] * 100:.0f}%" in table
