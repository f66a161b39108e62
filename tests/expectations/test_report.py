"""Reports: Data Docs rendered offline plus the summary page, checked as HTML and in Chromium."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.context import get_context
from expectations.gate import gate_documents
from expectations.report import build_data_docs, build_reports, localize_page, remote_assets
from expectations.tables import validate_warehouse
from tests.expectations.conftest import SEEDS, rehash, seed_document
from tests.expectations.warehouse_fixture import build_warehouse

EVIL_SITE = '<script>alert("x")</script>'
CHROMIUM = "/usr/bin/chromium"


def _record(db: Path, frame: pl.DataFrame, table: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.register("f", frame.to_arrow())
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM f")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One nightly run's worth of results in a fresh data dir, reports built from it."""
    data = tmp_path_factory.mktemp("reportdata")
    db = build_warehouse(data / "warehouse.duckdb")
    gx_dir = data / "gx"
    good = seed_document(SEEDS[4], site="demo-hunan")
    pinyin = seed_document(SEEDS[4], site=EVIL_SITE)
    pinyin.url = "http://127.0.0.1/pinyin.html"
    pinyin.text += "现(xiàn)代化"
    rehash(pinyin)
    untitled = seed_document(SEEDS[2], site="demo-trs")
    gate = gate_documents([good, pinyin, untitled], run_id="night-1", gx_dir=gx_dir)
    _record(db, gate.results, "dq_result")
    now = dt.datetime(2026, 11, 22, 1, 0)
    _record(db, pl.DataFrame({"run_id": ["night-1"] * 3,
                              "site": ["demo-hunan", EVIL_SITE, "demo-trs"],
                              "started_at": [now] * 3, "quarantined": [0, 1, 0],
                              "status": ["ok"] * 3}), "run_log")
    _record(db, validate_warehouse(db, run_id="night-1", gx_dir=gx_dir), "dq_result")
    build_reports(db, gx_dir, data / "reports")
    return data / "reports"


def test_summary_reports_each_site_of_the_run(reports: Path) -> None:
    html = (reports / "index.html").read_text("utf-8")
    assert "Run night-1" in html
    assert "demo-hunan" in html and "demo-trs" in html
    assert "no_residual_pinyin (1) <b>blocking</b>" in html
    assert "title_present (1)" in html  # a warning, listed after blocking failures
    assert 'href="data_docs/index.html"' in html
    assert 'href="data_docs/validations/documents/night-1/' in html
    assert 'href="data_docs/validations/warehouse_tables/night-1/' in html


def test_scraped_text_is_escaped_in_the_summary(reports: Path) -> None:
    html = (reports / "index.html").read_text("utf-8")
    assert EVIL_SITE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_no_data_docs_page_loads_anything_from_the_network(reports: Path) -> None:
    pages = list((reports / "data_docs").rglob("*.html"))
    assert len(pages) >= 5  # the index, two suite pages, a validation page per suite
    for page in pages:
        assert remote_assets(page.read_text("utf-8")) == [], page
    assert (reports / "data_docs/static/vendor/jquery/jquery.min.js").is_file()


def test_localize_page_rewrites_cdn_tags_relative_to_the_page() -> None:
    page = ('<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/'
            'bootstrap.min.css"/><script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
            '<script src="https://code.jquery.com/jquery-3.7.1.min.js" integrity="sha384-x" '
            'crossorigin="anonymous"></script><a href="https://greatexpectations.io">GX</a>')
    out = localize_page(page, "../static/vendor", "../static/images/logo-long.png")
    assert out == ('<link rel="stylesheet" href="../static/vendor/bootstrap/css/bootstrap.min.css"'
                   '/><script src="../static/vendor/jquery/jquery.min.js"></script>'
                   '<a href="https://greatexpectations.io">GX</a>')


def _open_offline(url: str, shot: Path) -> tuple[str, list[str], list[str], dict[str, object]]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("file://")
                       else (blocked.append(route.request.url), route.abort()))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto(url, wait_until="load")
            page.wait_for_timeout(300)
            probes = page.evaluate("""() => ({
                jquery: typeof window.jQuery === 'function',
                bootstrapTable: !!(window.jQuery && jQuery.fn.bootstrapTable),
                sheets: [...document.styleSheets].filter(s => s.href).length,
                links: document.querySelectorAll('link[rel=stylesheet]').length,
                navbarDisplay: (() => { const n = document.querySelector('.navbar');
                    return n ? getComputedStyle(n).display : null; })(),
                faLoaded: document.fonts.check('900 16px "Font Awesome 6 Free"'),
            })""")
            page.screenshot(path=str(shot), full_page=True)
            text = page.inner_text("body")
        finally:
            browser.close()
    return text, errors, blocked, probes


@pytest.mark.browser
def test_summary_page_renders_offline(reports: Path, tmp_path: Path) -> None:
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists()
    text, errors, blocked, _ = _open_offline((reports / "index.html").as_uri(),
                                             tmp_path / "summary.png")
    assert errors == [] and blocked == []
    assert "Data quality summary" in text
    assert EVIL_SITE in text  # shown literally, as text
    assert (tmp_path / "summary.png").stat().st_size > 10_000


@pytest.mark.browser
def test_data_docs_validation_page_renders_offline_with_vendored_assets(
    reports: Path, tmp_path: Path
) -> None:
    page = next((reports / "data_docs/validations/documents").rglob("*.html"))
    text, errors, blocked, probes = _open_offline(page.as_uri(), tmp_path / "docs.png")
    assert errors == [] and blocked == []
    assert probes["jquery"] and probes["bootstrapTable"]
    assert probes["sheets"] == probes["links"] >= 5  # every stylesheet loaded
    assert probes["navbarDisplay"] == "flex"  # bootstrap's .navbar rule applied
    assert probes["faLoaded"]
    assert "no_residual_pinyin" in text or "pinyin" in text.lower()
    assert (tmp_path / "docs.png").stat().st_size > 10_000


def test_a_later_run_adds_its_pages_and_keeps_the_earlier_ones(reports: Path) -> None:
    data = reports.parent
    docs = reports / "data_docs"
    gate_documents([seed_document(SEEDS[1])], run_id="night-2", gx_dir=data / "gx")
    build_reports(data / "warehouse.duckdb", data / "gx", reports)
    assert list((docs / "validations/documents/night-2").rglob("*.html"))
    assert list((docs / "validations/documents/night-1").rglob("*.html"))
    index = (docs / "index.html").read_text("utf-8")
    assert "night-1" in index and "night-2" in index
    for page in docs.rglob("*.html"):
        assert remote_assets(page.read_text("utf-8")) == [], page


def test_data_docs_keep_only_the_newest_runs(tmp_path: Path) -> None:
    gx_dir, docs = tmp_path / "gx", tmp_path / "data_docs"
    for run in ("night-a", "night-b"):
        gate_documents([seed_document(SEEDS[1])], run_id=run, gx_dir=gx_dir)
    build_data_docs(gx_dir, docs, keep_runs=2)
    assert list((docs / "validations/documents/night-a").rglob("*.html"))

    gate_documents([seed_document(SEEDS[1])], run_id="night-c", gx_dir=gx_dir)
    build_data_docs(gx_dir, docs, keep_runs=2)

    stored = {key.run_id.run_name
              for key in get_context(gx_dir).validation_results_store.list_keys()}
    assert stored == {"night-b", "night-c"}
    assert not (docs / "validations/documents/night-a").exists()  # folders go with pages
    assert not list((gx_dir / "uncommitted/validations").rglob("night-a*"))
    assert list((docs / "validations/documents/night-c").rglob("*.html"))
    index = (docs / "index.html").read_text("utf-8")
    assert "night-a" not in index and "night-b" in index and "night-c" in index
    for page in docs.rglob("*.html"):
        assert remote_assets(page.read_text("utf-8")) == [], page


def _next_night_build(gx_dir: str, docs: str) -> tuple[int, list[str]]:
    """In a fresh process: gate one more run, rebuild Data Docs; count template compiles."""
    import jinja2

    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None,
                 *args: object, **kwargs: object) -> object:
        compiled.append(str(name))
        return compile_(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    jinja2.Environment.compile = counting  # type: ignore[method-assign,assignment]
    gate_documents([seed_document(SEEDS[1])], run_id="night-2", gx_dir=Path(gx_dir))
    build_data_docs(Path(gx_dir), Path(docs))
    return len(compiled), sorted(str(p.relative_to(docs)) for p in Path(docs).rglob("*.html"))


@pytest.mark.slow
def test_a_later_process_renders_data_docs_from_compiled_templates(tmp_path: Path) -> None:
    import multiprocessing

    gx_dir, docs = tmp_path / "gx", tmp_path / "data_docs"
    gate_documents([seed_document(SEEDS[1])], run_id="night-1", gx_dir=gx_dir)
    build_data_docs(gx_dir, docs)
    first_page = next((docs / "validations/documents/night-1").rglob("*.html"))
    stamp = first_page.stat().st_mtime_ns
    assert list((gx_dir / "uncommitted/jinja_bytecode").iterdir())

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        compiles, pages = pool.apply(_next_night_build, (str(gx_dir), str(docs)))

    assert compiles == 0  # every template came from the bytecode cache
    assert any(p.startswith("validations/documents/night-2/") for p in pages)
    assert first_page.stat().st_mtime_ns == stamp  # incremental: the site config round-trips


def test_suite_pages_are_rendered_again_only_when_their_suite_changes(tmp_path: Path) -> None:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    gx_dir, docs = tmp_path / "gx", tmp_path / "data_docs"
    gate_documents([seed_document(SEEDS[1])], run_id="night-1", gx_dir=gx_dir)
    build_data_docs(gx_dir, docs)
    page = docs / "expectations" / "documents.html"
    rendered = page.stat().st_mtime_ns

    ctx = get_context(gx_dir)
    ctx.suites.add(gx.ExpectationSuite(name="extra", expectations=[
        gxe.ExpectColumnToExist(column="url")]))
    gate_documents([seed_document(SEEDS[1])], run_id="night-2", gx_dir=gx_dir)
    build_data_docs(gx_dir, docs)
    assert page.stat().st_mtime_ns == rendered  # unchanged suite: its page is left alone
    assert list((docs / "validations/documents/night-2").rglob("*.html"))  # new results are not
    extra = docs / "expectations" / "extra.html"
    assert "url" in extra.read_text("utf-8")

    changed = ctx.suites.get("extra")
    changed.add_expectation(gxe.ExpectColumnToExist(column="title"))
    changed.save()
    build_data_docs(gx_dir, docs)
    assert "title" in extra.read_text("utf-8")  # a changed suite's page follows it
    assert page.stat().st_mtime_ns == rendered
