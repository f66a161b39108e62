"""Reports: GX Data Docs (rendered offline) plus our one-page quality summary.

`build_reports` rebuilds Data Docs from the validation results stored under `gx/` into
`reports/data_docs/`, copies the vendored CDN assets next to them and rewrites every page
to use them (GX templates point at jsdelivr, unpkg, cdnjs, code.jquery.com and an S3 logo),
then writes `reports/index.html`: per run and site the expectation pass rate, the number
of quarantined documents and the top failing expectations, per run the warehouse table
checks, each linking into the Data Docs page of that validation. Everything shown that came
from the warehouse (site names, observed values) is HTML-escaped by Jinja's autoescape.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from expectations.context import get_context

SITE_NAME = "govharvest"
DATA_DOCS_DIR = "data_docs"
VENDOR_DIR = Path(__file__).with_name("vendor")
VENDOR_TARGET = "static/vendor"  # inside the Data Docs site
RUNS_SHOWN = 30
# Data Docs keep the stored GX results of the last week of nightly runs: GX's index reads
# every stored result on each build, so without a window the report's cost grows with the
# history (~7 ms per result here, 12 results a night: 30 s a night after a year), and even
# 30 runs' worth costs 1.4 s a night against 0.6 s for one. Every run's outcome stays in the
# warehouse's dq_result table, which the summary page reads (its older runs link no pages).
KEEP_RUNS = 7
JINJA_CACHE_DIR = "uncommitted/jinja_bytecode"  # inside gx/: compiled Data Docs templates
TOP_FAILING = 3
SUITE_STAMPS = ".suite-stamps.json"  # under data_docs/expectations/: suite -> rendered digest

# CDN reference (prefix of the URL) -> vendored file, relative to VENDOR_TARGET.
CDN_ASSETS: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap/js/bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "bootstrap-dark/css/bootstrap-prefers-dark.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # GX mixes 1.19.0 and 1.19.1 for the filter-control stylesheet; 1.19.1's is equivalent.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js/popper.min.js",
}
_VEGA_TAG = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\s*')
_SRI = re.compile(r'\s+(?:integrity="[^"]*"|crossorigin="[^"]*")')
_S3_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"')]*?\.png[^\"')]*")
_REMOTE_ASSET = re.compile(r'<(?:script|link|img)\b[^>]*(?:src|href)="(https?:)?//[^"]+"')


def _site_config(docs_dir: Path, bytecode_cache_dir: Path) -> dict[str, Any]:
    def view(class_name: str) -> dict[str, str]:
        return {"module_name": "expectations.docs_views", "class_name": class_name,
                "bytecode_cache_dir": str(bytecode_cache_dir)}

    return {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                               "view": view("CachedJinjaIndexPageView")},
        # GX merges these into its default sections, replacing only the view.
        "site_section_builders": {section: {"view": view("CachedJinjaPageView")}
                                  for section in ("expectations", "validations", "profiling")},
    }


def build_data_docs(gx_dir: Path, docs_dir: Path, *, keep_runs: int = KEEP_RUNS) -> Path:
    """Render Data Docs for the stored validations of the newest `keep_runs` runs into
    `docs_dir` (older results are dropped from the store, and GX drops their pages); return
    its index.html."""
    ctx = get_context(gx_dir)
    kept = prune_validation_results(ctx, keep_runs)
    config = _site_config(docs_dir.resolve(), gx_dir.resolve() / JINJA_CACHE_DIR)
    from great_expectations.data_context.types.base import DataContextConfig

    context_config = ctx.get_config()
    if not isinstance(context_config, DataContextConfig):  # a file context's is; str/dict never
        raise TypeError(f"unexpected GX context config: {type(context_config).__name__}")
    sites = context_config.data_docs_sites or {}
    if SITE_NAME not in sites:
        ctx.add_data_docs_site(site_name=SITE_NAME, site_config=config)  # type: ignore[arg-type]
    elif sites[SITE_NAME] != config:
        ctx.update_data_docs_site(site_name=SITE_NAME, site_config=config)  # type: ignore[arg-type]
    # Incremental once the site exists: the pages of suites changed since they were
    # rendered, the index, and the pages of stored results not rendered yet (whichever
    # process or worker wrote them). A full render grows with history (~40 ms per stored
    # result here), and re-rendering ten unchanged suite pages cost ~60 ms a night.
    before = _page_stamps(docs_dir)
    suites = {suite.name: _suite_stamp(suite) for suite in ctx.suites.all()}
    if (docs_dir / "index.html").exists() and sites.get(SITE_NAME) == config:
        ctx.build_data_docs(site_names=[SITE_NAME],
                            resource_identifiers=_unrendered(docs_dir, suites, kept))
    else:
        ctx.build_data_docs(site_names=[SITE_NAME])
    _write_suite_stamps(docs_dir, suites)
    after = _page_stamps(docs_dir)
    localize_data_docs(docs_dir, pages=[p for p, stamp in after.items() if before.get(p) != stamp])
    remove_empty_dirs(docs_dir / "validations")  # GX drops pruned pages, not their folders
    return docs_dir / "index.html"


def prune_validation_results(ctx: Any, keep_runs: int) -> list[Any]:
    """Remove stored validation results of all but the newest `keep_runs` runs (by run
    name, newest by run time); return the keys of the results kept."""
    store = ctx.validation_results_store
    keys = store.list_keys()
    newest: dict[str, str] = {}  # run name -> its latest run time, ISO (sorts as time)
    for key in keys:
        run = key.run_id
        stamp = run.run_time.isoformat() if run.run_time is not None else ""
        newest[run.run_name] = max(newest.get(run.run_name, stamp), stamp)
    keep = set(sorted(newest, key=lambda name: (newest[name], name), reverse=True)[:keep_runs])
    dropped = [key for key in keys if key.run_id.run_name not in keep]
    for key in dropped:
        store.remove_key(key)
    if dropped and (base := getattr(store.store_backend, "full_base_directory", None)):
        remove_empty_dirs(Path(base))  # else GX walks a growing tree of empty run folders
    return [key for key in keys if key.run_id.run_name in keep]


def remove_empty_dirs(root: Path) -> None:
    """Remove every empty folder below `root` (bottom-up; `root` itself stays)."""
    if not root.is_dir():
        return
    for folder, _, files in os.walk(root, topdown=False):  # children before parents
        if folder != str(root) and not files:
            with contextlib.suppress(OSError):  # not empty (a subfolder stays), or just used
                os.rmdir(folder)


def _page_stamps(docs_dir: Path) -> dict[Path, tuple[int, int]]:
    """(mtime_ns, size) of every page, to tell which ones a build wrote."""
    stamps = {}
    for page in docs_dir.rglob("*.html"):
        st = page.stat()
        stamps[page] = (st.st_mtime_ns, st.st_size)
    return stamps


def _suite_stamp(suite: Any) -> str:
    """A digest of the suite as stored: its page is current while this is unchanged."""
    text = json.dumps(suite.to_json_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _suite_stamps_path(docs_dir: Path) -> Path:
    return docs_dir / "expectations" / SUITE_STAMPS


def _write_suite_stamps(docs_dir: Path, stamps: dict[str, str]) -> None:
    path = _suite_stamps_path(docs_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stamps, sort_keys=True), encoding="utf-8")


def _unrendered(docs_dir: Path, suites: dict[str, str], stored: list[Any]) -> list[Any]:
    """The suites (name -> stamp) whose page is missing or older than the suite, and the
    `stored` results with no page. Never empty: GX reads an empty list as "every page", so
    with nothing else to do it re-renders one suite page (and the index, as always)."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    try:
        rendered = json.loads(_suite_stamps_path(docs_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        rendered = {}
    pending: list[Any] = [
        ExpectationSuiteIdentifier(name=name) for name, stamp in sorted(suites.items())
        if rendered.get(name) != stamp
        or not (docs_dir / "expectations" / f"{name}.html").exists()]
    for key in stored:
        page = docs_dir.joinpath("validations", *map(str, key.to_tuple())).with_suffix(".html")
        if not page.exists():
            pending.append(key)
    if not pending and suites:
        pending.append(ExpectationSuiteIdentifier(name=min(suites)))
    return pending


def localize_data_docs(docs_dir: Path, pages: Iterable[Path] | None = None) -> None:
    """Copy the vendored assets into the site and point its pages (`pages`, default every
    page) at them."""
    target = docs_dir / VENDOR_TARGET
    shutil.copytree(VENDOR_DIR, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md"))
    logo = docs_dir / "static" / "images" / "logo-long.png"
    for css in (docs_dir / "static" / "styles").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        new = _S3_LOGO.sub(os.path.relpath(logo, css.parent), text)
        if new != text:
            css.write_text(new, encoding="utf-8")
    for page in docs_dir.rglob("*.html") if pages is None else pages:
        html = page.read_text(encoding="utf-8")
        if "://" not in html:
            continue
        new = localize_page(html, os.path.relpath(target, page.parent),
                            os.path.relpath(logo, page.parent))
        if new != html:  # pages localized by an earlier run stay untouched
            page.write_text(new, encoding="utf-8")


def localize_page(html: str, vendor_href: str, logo_href: str) -> str:
    """One page with CDN assets replaced by vendored copies (`vendor_href` relative)."""
    for url, local in CDN_ASSETS.items():
        html = html.replace(f'"{url}"', f'"{vendor_href}/{local}"')
    if "vegaEmbed(" not in html:
        html = _VEGA_TAG.sub("", html)
    html = _S3_LOGO.sub(logo_href, html)
    # Subresource-integrity and CORS attributes make Chromium refuse file:// scripts.
    return _SRI.sub("", html)


def remote_assets(html: str) -> list[str]:
    """Tags that would still load something from the network (links to sites are fine)."""
    return [m.group(0) for m in _REMOTE_ASSET.finditer(html)]


# ----------------------------------------------------------------------------- summary

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True, undefined=jinja2.StrictUndefined)


def _summary_rows(db_path: Path) -> tuple[list[tuple], dict[tuple[str, str], int]]:
    if not db_path.exists():
        return [], {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if "dq_result" not in tables:
            return [], {}
        rows = con.execute(
            """
            WITH runs AS (
                SELECT run_id, max(run_at) AS run_at FROM dq_result GROUP BY run_id
                ORDER BY run_at DESC, run_id DESC LIMIT ?)
            SELECT d.run_id, r.run_at, d.suite, d.expectation, d.table_or_batch, d.success,
                   d.observed, d.element_count, d.unexpected_count
            FROM dq_result d JOIN runs r USING (run_id)
            ORDER BY r.run_at DESC, d.run_id DESC, d.table_or_batch, d.expectation
            """, [RUNS_SHOWN]).fetchall()
        quarantined: dict[tuple[str, str], int] = {}
        if "run_log" in tables:
            for run_id, site, n in con.execute(
                "SELECT run_id, site, sum(quarantined) FROM run_log "
                "WHERE site IS NOT NULL GROUP BY ALL").fetchall():
                quarantined[(str(run_id), str(site))] = int(n or 0)
    return rows, quarantined


def _run_links(docs_dir: Path, run_id: str, index_dir: Path) -> list[dict[str, str]]:
    links = []
    validations = docs_dir / "validations"
    if validations.is_dir():
        for page in sorted(validations.glob(f"*/{glob_escape(run_id)}/*/*.html")):
            suite = page.relative_to(validations).parts[0]
            links.append({"suite": suite, "href": os.path.relpath(page, index_dir)})
    return links


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def build_summary(db_path: Path, reports_dir: Path, docs_index: Path) -> Path:
    from expectations.config import load_config

    config = load_config()
    rows, quarantined = _summary_rows(db_path)
    runs: dict[str, dict[str, Any]] = {}
    for run_id, run_at, suite, expectation, batch, success, observed, _n, unexpected in rows:
        run = runs.setdefault(run_id, {"run_id": run_id, "run_at": run_at,
                                       "_sites": {}, "_tables": {}})
        if suite == "documents":
            site = batch.split(":", 1)[1] if ":" in batch else batch
            entry = run["_sites"].setdefault(site, {"site": site, "documents": 0, "passed": 0,
                                                    "total": 0, "failing": []})
            entry["documents"] = max(entry["documents"], int(_n or 0))
            entry["total"] += 1
            entry["passed"] += bool(success)
            if not success:
                entry["failing"].append({"expectation": expectation,
                                         "unexpected": int(unexpected or 0),
                                         "blocking": config.is_blocking(suite, expectation)})
        else:
            entry = run["_tables"].setdefault(batch, {"table": batch, "passed": 0, "total": 0,
                                                     "failing": []})
            entry["total"] += 1
            entry["passed"] += bool(success)
            if not success:
                entry["failing"].append({"expectation": expectation, "observed": observed})
    out = []
    for run in runs.values():
        sites = []
        for s in sorted(run.pop("_sites").values(), key=lambda s: s["site"]):
            s["pass_rate"] = 100.0 * s["passed"] / s["total"] if s["total"] else 100.0
            s["quarantined"] = quarantined.get((run["run_id"], s["site"]), 0)
            s["failing"] = sorted(s["failing"], key=lambda f: (not f["blocking"],
                                                               -f["unexpected"]))[:TOP_FAILING]
            sites.append(s)
        run["sites"] = sites
        run["tables"] = sorted(run.pop("_tables").values(), key=lambda t: t["table"])
        run["links"] = _run_links(docs_index.parent, str(run["run_id"]), reports_dir)
        out.append(run)
    index = reports_dir / "index.html"
    index.write_text(_TEMPLATES.get_template("summary.html.j2").render(runs=out,
                                     docs_href=os.path.relpath(docs_index, reports_dir)),
                     encoding="utf-8")
    return index


def build_reports(db_path: Path, gx_dir: Path, reports_dir: Path) -> Path:
    """Data Docs under `reports_dir/data_docs/` plus the summary `reports_dir/index.html`."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    docs_index = build_data_docs(gx_dir, reports_dir / DATA_DOCS_DIR)
    return build_summary(db_path, reports_dir, docs_index)
