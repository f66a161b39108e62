"""The built dashboard in headless Chromium: every page opens from file:// with the network
cut off, without console errors, every chart draws, the explorer filters, and hostile scraped
text stays text. One browser serves all pages to keep this file fast."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, sync_playwright

from dashboards.build import build_dashboard
from tests.dashboards.dashboard_fixture import HOSTILE_TASK, HOSTILE_TITLE, TODAY

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# A trace draws as bars, heatmap images or scatter paths inside the plot area.
DRAWN = (".cartesianlayer .trace path, .cartesianlayer .trace image, "
         ".heatmaplayer image, .scatterlayer .trace path")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """One page load with console errors, dialogs and network attempts recorded."""

    def __init__(self, browser: Browser, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page: Page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        assert self.requests == [], "the dashboard must not touch the network"


def _charts_drawn(v: Visit) -> int:
    """Wait for charts.js to finish; return how many charts the page has."""
    expected = v.page.locator(".chart").count()
    if expected:
        v.page.wait_for_selector(f"body[data-charts-ready='{expected}']", timeout=15_000)
    return expected


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fixture_db: Path) -> Path:
    out = tmp_path_factory.mktemp("site")
    reports = tmp_path_factory.mktemp("reports")
    (reports / "index.html").write_text("<html><body>dq report</body></html>", encoding="utf-8")
    build_dashboard(fixture_db, out / "dashboard", reports_dir=reports, today=TODAY)
    return out / "dashboard"


def test_every_page_opens_offline_and_every_chart_draws(
    browser: Browser, site: Path, tmp_path: Path
) -> None:
    pages = sorted(site.glob("*.html")) + sorted((site / "doc").glob("*.html"))
    # index, overview, longitudinal, explorer, quality, lineage + 6 documents
    assert len(pages) == 6 + 6
    total_charts = 0
    for path in pages:
        v = Visit(browser, path)
        n = _charts_drawn(v)
        total_charts += n
        for i in range(n):
            chart = v.page.locator(".chart").nth(i)
            assert chart.locator(".main-svg").count() >= 1
            box = chart.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
            assert chart.locator(DRAWN).count() > 0, f"chart {i} of {path.name} drew no trace"
            assert (chart.locator(".gtitle").text_content() or "").strip() != ""
        v.assert_clean()
        shot = tmp_path / f"{path.parent.name}-{path.stem}.png"
        v.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        v.page.close()
    assert total_charts == 4 + 4 + 2 + 1  # overview + longitudinal + quality + lineage


def test_lineage_page_picks_a_chain_and_shows_changes_as_text(
    browser: Browser, site: Path
) -> None:
    v = Visit(browser, site / "lineage.html")
    first, second = v.page.locator("#chain-1"), v.page.locator("#chain-2")
    assert first.is_visible() and not second.is_visible()
    # The hostile task text was inserted in 2024: it shows as text inside <ins>.
    inserted = first.locator("ins").all_inner_texts()
    assert any(HOSTILE_TASK.removesuffix("加强行政复议工作") in t for t in inserted)
    assert first.locator("del").count() >= 1
    v.page.select_option("#chain-pick", "chain-2")
    assert second.is_visible() and not first.is_visible()
    v.assert_clean()
    v.page.close()


def test_index_links_pages_and_the_quality_report(browser: Browser, site: Path) -> None:
    v = Visit(browser, site / "index.html")
    v.page.click("text=Data-quality report")
    assert v.page.inner_text("body") == "dq report"
    v.assert_clean()
    v.page.close()


def test_explorer_filters_and_renders_hostile_title_as_text(
    browser: Browser, site: Path, tmp_path: Path
) -> None:
    v = Visit(browser, site / "explorer.html")
    rows = v.page.locator("#docs tbody tr")
    assert rows.count() == 6  # current versions only

    v.page.fill("#q", "湘潭")
    assert rows.count() == 2
    assert "2 of 6 documents" in v.page.inner_text("#count")

    v.page.fill("#q", "")
    v.page.select_option("#f-type", "work_points")
    assert rows.count() == 2
    v.page.select_option("#f-region", "湘潭市")
    assert rows.count() == 1
    v.page.select_option("#f-type", "")
    v.page.select_option("#f-region", "")
    v.page.select_option("#f-flag", "redacted")
    assert rows.count() == 2

    v.page.select_option("#f-flag", "")
    v.page.fill("#q", "<script>alert")
    assert rows.count() == 1
    link = rows.first.locator("a")
    assert link.inner_text() == HOSTILE_TITLE  # the tag is shown as text, not parsed
    assert v.page.locator("#docs tbody script").count() == 0
    v.page.screenshot(path=str(tmp_path / "explorer-filtered.png"), full_page=True)

    link.click()
    v.page.wait_for_load_state("load")
    assert v.page.inner_text("h1.doc-title") == HOSTILE_TITLE
    assert v.page.locator("main script").count() == 0
    # A javascript: URL is shown, never made a link.
    assert v.page.locator("a.original").count() == 0
    assert "javascript:alert(2)" in v.page.inner_text("table.meta")
    v.assert_clean()
    v.page.close()


def test_document_page_shows_tree_with_agencies_targets_and_themes(
    browser: Browser, site: Path
) -> None:
    v = Visit(browser, site / "doc" / "105.html")
    tree = v.page.locator("ol.tree")
    assert tree.locator(":scope > li").count() == 3  # three sections
    first = tree.locator(":scope > li").first
    assert first.locator("ol > li").count() == 2  # two items under section 一
    text = first.inner_text()
    for expected in ("深入推进依法行政", "lead: 市委全面依法治市委员会办公室",
                     "participant: 市公安局", "percent: 100%", "依法行政", "2025年底前"):
        assert expected in text
    # The 2025 deadline is due in "this year" (TODAY is in 2025) and highlighted.
    assert v.page.locator("li.target.due").count() == 1
    assert v.page.locator("a.original").get_attribute("href") == (
        "http://www.xiangtan.gov.cn/plan-2024.html")
    v.assert_clean()
    v.page.close()


def test_empty_warehouse_builds_pages_with_no_data_charts(
    browser: Browser, empty_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dashboard"
    build_dashboard(empty_db, out, today=TODAY)
    for name in ("index", "overview", "longitudinal", "explorer", "quality"):
        v = Visit(browser, out / f"{name}.html")
        n = _charts_drawn(v)
        for i in range(n):
            chart = v.page.locator(".chart").nth(i)
            assert chart.locator(".main-svg").count() >= 1
            assert "no data" in (chart.locator(".annotation").first.text_content() or "")
        if name == "explorer":
            assert v.page.locator("#docs tbody tr").count() == 0
            assert "0 of 0 documents" in v.page.inner_text("#count")
        v.assert_clean()
        v.page.screenshot(path=str(tmp_path / f"empty-{name}.png"), full_page=True)
        v.page.close()


def test_pipeline_warehouse_dashboard_renders(
    browser: Browser, pipeline_db: Path, tmp_path: Path
) -> None:
    """The seeds, parsed and loaded by the real pipeline, give drawn charts and full pages."""
    out = tmp_path / "dashboard"
    build_dashboard(pipeline_db, out, today=TODAY)
    for name in ("overview", "longitudinal"):
        v = Visit(browser, out / f"{name}.html")
        n = _charts_drawn(v)
        drawn = sum(v.page.locator(".chart").nth(i).locator(DRAWN).count() > 0 for i in range(n))
        # Runs, quarantine and DQ are recorded by other stages; content charts must draw.
        assert drawn >= (2 if name == "overview" else 4)
        v.assert_clean()
        v.page.screenshot(path=str(tmp_path / f"pipeline-{name}.png"), full_page=True)
        v.page.close()
    page = max((out / "doc").glob("*.html"), key=lambda p: p.stat().st_size)
    v = Visit(browser, page)
    assert v.page.locator("ol.tree li").count() > 10
    assert v.page.locator(".agency.role-lead").count() > 0
    v.assert_clean()
    v.page.screenshot(path=str(tmp_path / "pipeline-document.png"), full_page=True)
    v.page.close()
