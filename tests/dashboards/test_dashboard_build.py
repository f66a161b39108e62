"""`build_dashboard` and `govharvest dashboard`: what the site contains, read from the HTML."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dashboards.build import build_dashboard, document_page_name, safe_href
from flows.cli import app
from tests.dashboards.dashboard_fixture import HOSTILE_TASK_TEXT, HOSTILE_TITLE, TODAY

PAGES = ("index", "overview", "longitudinal", "explorer", "quality", "lineage")


def _explorer_rows(site: Path) -> list[dict[str, object]]:
    html = (site / "explorer.html").read_text(encoding="utf-8")
    blob = re.search(r'<script type="application/json" id="docs-data">(.*?)</script>', html, re.S)
    assert blob is not None
    return list(json.loads(blob.group(1)))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fixture_db: Path) -> Path:
    out = tmp_path_factory.mktemp("built") / "dashboard"
    build_dashboard(fixture_db, out, today=TODAY)
    return out


def test_writes_every_page_and_one_shared_plotly_bundle(site: Path) -> None:
    for name in PAGES:
        assert (site / f"{name}.html").is_file()
    assert sorted(p.name for p in (site / "doc").iterdir()) == [
        f"{k}.html" for k in (101, 102, 103, 105, 106, 107)]
    bundle = site / "assets" / "plotly.min.js"
    assert bundle.stat().st_size > 1_000_000
    for page in [*site.glob("*.html"), *(site / "doc").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert "plotly.js v" not in html  # referenced, never inlined
        # Nothing is loaded from the network: every script and stylesheet is relative.
        for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert src.startswith(("assets/", "../assets/", "data:")), (page.name, src)
    overview = (site / "overview.html").read_text(encoding="utf-8")
    assert 'src="assets/plotly.min.js"' in overview
    assert 'src="../assets/plotly.min.js"' not in (site / "doc" / "101.html").read_text()


def test_a_rebuild_restores_a_damaged_plotly_bundle(fixture_db: Path, tmp_path: Path) -> None:
    import plotly.offline

    out = tmp_path / "dashboard"
    build_dashboard(fixture_db, out, today=TODAY)
    bundle = out / "assets" / "plotly.min.js"
    assert bundle.read_text(encoding="utf-8") == plotly.offline.get_plotlyjs()
    bundle.write_text("truncated", encoding="utf-8")
    build_dashboard(fixture_db, out, today=TODAY)
    assert bundle.read_text(encoding="utf-8") == plotly.offline.get_plotlyjs()


def test_scraped_text_is_escaped_in_pages_and_inline_json(site: Path) -> None:
    page = (site / "doc" / "106.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;task&#34;)" in page
    # javascript: URLs are shown, never linked.
    assert 'href="javascript:' not in page and "javascript:alert(2)" in page
    for name in ("explorer", "longitudinal"):
        html = (site / f"{name}.html").read_text(encoding="utf-8")
        # Only real script elements close: the inlined JSON cannot break out.
        assert html.count("</script>") == html.count("<script")
    rows = _explorer_rows(site)
    assert rows[0]["title"] == HOSTILE_TITLE and rows[0]["url"] is None
    assert HOSTILE_TASK_TEXT not in (site / "explorer.html").read_text(encoding="utf-8")


def test_explorer_lists_current_documents_with_their_columns(site: Path) -> None:
    rows = _explorer_rows(site)
    assert len(rows) == 6
    plan = next(r for r in rows if r["page"] == "doc/105.html")
    assert plan == {
        "title": "湘潭市2024年法治建设工作要点", "region": "湘潭市", "type": "work_points",
        "period": "2024–2025", "date": "2024-01-10", "flags": "redacted", "site": "xiangtan",
        "issuer": "湘潭市人民政府", "tasks": 6, "page": "doc/105.html",
        "url": "http://www.xiangtan.gov.cn/plan-2024.html"}


def test_this_year_is_injectable(fixture_db: Path, tmp_path: Path) -> None:
    import datetime as dt

    build_dashboard(fixture_db, tmp_path / "a", today=dt.date(2024, 3, 1))
    html = (tmp_path / "a" / "longitudinal.html").read_text(encoding="utf-8")
    assert "Due in 2024" in html and "2024年6月底前" in html and "2025年底前" not in html
    build_dashboard(fixture_db, tmp_path / "b", today=dt.date(2031, 3, 1))
    assert "Nothing is due in 2031" in (tmp_path / "b" / "longitudinal.html").read_text()


def test_document_pages_are_capped_to_the_newest(fixture_db: Path, tmp_path: Path) -> None:
    build_dashboard(fixture_db, tmp_path, today=TODAY, max_document_pages=2)
    assert sorted(p.name for p in (tmp_path / "doc").iterdir()) == ["106.html", "107.html"]
    rows = _explorer_rows(tmp_path)
    assert [r["page"] for r in rows].count(None) == 4
    unpaged = next(r for r in rows if r["title"] == "仁和镇2022年法治建设工作要点")
    assert unpaged["url"] == "http://www.renhe.gov.cn/points-2022.html"
    # A rebuild with a smaller cap drops the stale pages.
    build_dashboard(fixture_db, tmp_path, today=TODAY, max_document_pages=0)
    assert not list((tmp_path / "doc").glob("*.html"))


def test_index_links_the_quality_report_only_when_present(fixture_db: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    build_dashboard(fixture_db, tmp_path / "site", reports_dir=reports, today=TODAY)
    assert "not built yet" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    reports.mkdir()
    (reports / "index.html").write_text("report", encoding="utf-8")
    build_dashboard(fixture_db, tmp_path / "site", reports_dir=reports, today=TODAY)
    assert 'href="../reports/index.html"' in (tmp_path / "site" / "index.html").read_text()
    assert 'href="../../reports/index.html"' in (tmp_path / "site" / "doc" / "101.html").read_text()


def test_reads_the_warehouse_without_changing_it(fixture_db: Path, tmp_path: Path) -> None:
    before = fixture_db.read_bytes()
    build_dashboard(fixture_db, tmp_path, today=TODAY)
    assert fixture_db.read_bytes() == before


def test_refuses_a_missing_or_foreign_database(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no warehouse"):
        build_dashboard(tmp_path / "absent.duckdb", tmp_path / "out")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(RuntimeError, match="lacks warehouse tables"):
        build_dashboard(other, tmp_path / "out")


@pytest.mark.parametrize(("key", "name"), [(42, "42.html"), ("ab-C_9", "ab-C_9.html")])
def test_document_page_names_are_keys_when_safe(key: object, name: str) -> None:
    assert document_page_name(key) == name


def test_unsafe_document_keys_are_hashed() -> None:
    name = document_page_name("../../etc/passwd")
    assert re.fullmatch(r"[0-9a-f]{20}\.html", name)


@pytest.mark.parametrize(("url", "href"), [
    ("http://a.gov.cn/x.html", "http://a.gov.cn/x.html"),
    (" https://a.gov.cn/ ", "https://a.gov.cn/"),
    ("javascript:alert(1)", None), ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,<b>", None), ("", None), (None, None),
    ("HTTPS://A.GOV.CN/", "HTTPS://A.GOV.CN/"), ("ht\ttp://a.gov.cn/", None),
    ("java\nscript:alert(1)", None), ("//a.gov.cn/x.html", None),
])
def test_only_http_urls_become_links(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href


def test_cli_writes_the_site_from_the_data_dir(fixture_db: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "warehouse.duckdb").write_bytes(fixture_db.read_bytes())
    result = CliRunner().invoke(app, ["dashboard", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert (data / "dashboard" / "index.html").is_file()
    out = tmp_path / "elsewhere"
    result = CliRunner().invoke(app, ["dashboard", "--data-dir", str(data), "--output", str(out)])
    assert result.exit_code == 0 and (out / "explorer.html").is_file()


def test_cli_reports_a_missing_warehouse(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["dashboard", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2  # a user error
    assert "no warehouse" in result.output


def test_pipeline_warehouse_builds_and_agrees_with_its_views(
    pipeline_db: Path, tmp_path: Path
) -> None:
    build_dashboard(pipeline_db, tmp_path, today=TODAY)
    rows = _explorer_rows(tmp_path)
    assert len(rows) == 5 and all(r["page"] for r in rows)
    assert "湘潭市贯彻落实《法治湖南建设规划(2021-2025年)》实施方案" in {r["title"] for r in rows}
    assert len(list((tmp_path / "doc").glob("*.html"))) == 5
    # Sections appear in document order (task keys are hashes; node_ordinal orders them).
    plan = max((tmp_path / "doc").glob("*.html"), key=lambda p: p.stat().st_size)
    html = plan.read_text(encoding="utf-8")
    labels = re.findall(r'<li class="level-1">\s*<div class="node">\s*<span class="label">'
                        r"([^<]*)</span>", html)
    assert labels[:4] == ["一", "二", "三", "四"]
    # The dashboard's theme counts match the warehouse's own view of the same grain.
    from dashboards import queries

    con = duckdb.connect(str(pipeline_db), read_only=True)
    try:
        mine = {(r["year"], r["theme"]): r["tasks"]
                for r in queries.theme_trend(con, top=1000)}
        capped = queries.theme_trend(con, top=3)
        view = {(r["year"], r["theme"]): r["task_count"]
                for r in queries.rows(con, "SELECT * FROM v_theme_trend WHERE year IS NOT NULL")}
    finally:
        con.close()
    assert mine and mine == view
    assert len({r["theme"] for r in capped}) == 4  # the three busiest and "other"


def test_a_rebuild_reuses_unchanged_document_pages(fixture_db: Path, tmp_path: Path) -> None:
    build_dashboard(fixture_db, tmp_path, today=TODAY)
    pages = sorted((tmp_path / "doc").glob("*.html"))
    assert pages
    before = {p.name: p.stat().st_mtime_ns for p in pages}
    build_dashboard(fixture_db, tmp_path, today=TODAY)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "doc").glob("*.html")} == before


def test_a_page_is_rendered_again_when_its_inputs_change(fixture_db: Path, tmp_path: Path) -> None:
    build_dashboard(fixture_db, tmp_path, today=TODAY)
    pages = sorted((tmp_path / "doc").glob("*.html"))
    stale = pages[0]
    stale.write_text("stale", encoding="utf-8")
    manifest = tmp_path / "doc-pages.json"
    entry = f'"{stale.name}": "'
    manifest.write_text(manifest.read_text().replace(entry, entry + "x"))
    build_dashboard(fixture_db, tmp_path, today=TODAY)
    assert stale.read_text(encoding="utf-8") != "stale"
    # a different "this year" changes every page's inputs: nothing may be reused
    build_dashboard(fixture_db, tmp_path, today=TODAY.replace(year=TODAY.year + 1))
    assert all(p.read_text(encoding="utf-8") != "stale" for p in pages)


def test_an_edited_template_is_noticed_by_the_next_build_in_the_same_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The templates' digest is part of every page's fingerprint; it is read afresh for each
    build, so a long-lived process does not reuse pages rendered by an older template."""
    from dashboards import build

    templates = tmp_path / "templates"
    shutil.copytree(build.TEMPLATES_DIR, templates)
    monkeypatch.setattr(build, "TEMPLATES_DIR", templates)
    before = build._templates_digest()
    page = templates / "document.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert build._templates_digest() != before
