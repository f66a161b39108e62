"""Build the static dashboard site from the warehouse: `build_dashboard(db_path, out_dir)`.

Layout of the output (opens from disk with file://, no server, no network):

    index.html            links every page and the data-quality report
    overview.html         harvest overview
    longitudinal.html     themes, lead agencies, targets over years
    explorer.html         searchable/filterable document table (inlined JSON)
    quality.html          data-quality pass rates and failures
    lineage.html          plan series year to year, task chains, localization (issue #28)
    doc/<key>.html        one page per document (the `max_document_pages` newest)
    assets/plotly.min.js  plotly's offline bundle, written once and shared by every page
    assets/*.css|js       the dashboard's own style and scripts

The database is opened read-only; every aggregate is a DuckDB query (`dashboards.queries`)
over the warehouse's marts and views.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.resources
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboards import charts, queries
from dashboards.queries import Row
from dashboards.textdiff import char_diff

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_ASSETS = ("style.css", "charts.js", "explorer.js")
# Per-document pages are capped: a 1M-task warehouse has tens of thousands of documents, and a
# page each would dominate build time and disk. The newest N get pages; the explorer lists all.
DEFAULT_MAX_DOCUMENT_PAGES = 2000
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    json: str  # figure JSON, already escaped for inline <script>


@dataclass(slots=True)
class TreeNode:
    task: Row
    agencies: list[Row]
    targets: list[Row]
    themes: list[str]
    children: list[TreeNode]


def document_page_name(key: Any) -> str:
    """File name of a document's page; keys that are not filename-safe are hashed."""
    text = str(key)
    if _SAFE_KEY.match(text):
        return f"{text}.html"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] + ".html"


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) stays plain text.

    A prefix test, not urlsplit: ten times cheaper over a 2,000-row explorer, and stricter
    (urlsplit drops tabs and newlines first, so it reads "ht\ttp:" as http)."""
    if not url:
        return None
    url = url.strip()
    return url if url[:8].lower().startswith(("http://", "https://")) else None


@functools.cache
def _environment() -> Environment:
    """One Environment per process, as Jinja advises: templates compile once (auto_reload
    still notices an edited template file)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html",), default=True),  # scraped text is untrusted
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}"
    env.filters["period"] = _period
    env.filters["date"] = lambda v: "" if v is None else (
        v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else str(v))
    env.filters["page"] = document_page_name
    env.filters["href"] = safe_href
    return env


def _period(row: Row) -> str:
    start, end = row.get("period_start_year"), row.get("period_end_year")
    if start is None and end is None:
        return ""
    if start == end or end is None:
        return str(start)
    return f"{start if start is not None else '?'}–{end}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_assets(out_dir: Path) -> None:
    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    # plotly's offline bundle (4.8 MB), shared by every page.
    source = Path(str(importlib.resources.files("plotly") / "package_data" / "plotly.min.js"))
    shutil.copyfile(source, assets / "plotly.min.js")
    for name in STATIC_ASSETS:
        shutil.copyfile(TEMPLATES_DIR / "assets" / name, assets / name)


def _charts(**figs: Any) -> dict[str, Chart]:
    return {name: Chart(id=f"chart-{name.replace('_', '-')}", json=charts.figure_json(fig))
            for name, fig in figs.items()}


# Series drawn as charts on the lineage page: the ones with the most years (the table below
# the charts lists up to queries.MAX_LISTED).
MAX_SERIES_CHARTS = 12


def _lineage(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The lineage page's context; `missing` names the lineage views a warehouse lacks."""
    missing = queries.missing_lineage_views(con)
    if missing:
        return {"missing": missing}
    diff, series_total = queries.plan_diff(con)
    grouped: dict[Any, list[Row]] = defaultdict(list)
    for r in diff:  # in the query's order: the series with the most years first
        grouped[r["series_key"]].append(r)
    series = [{"key": k, "name": v[0]["series_name"] or "(unnamed series)", "rows": v}
              for k, v in grouped.items()]
    series_charts = {
        str(s["key"]): Chart(id=f"chart-series-{i}", json=charts.figure_json(
            charts.plan_diff_bars(str(s["name"]), s["rows"])))
        for i, s in enumerate(series[:MAX_SERIES_CHARTS])}
    chains: dict[Any, list[Row]] = defaultdict(list)
    for r in queries.task_chains(con):
        chains[r["task_key"]].append(r)
    for steps in chains.values():  # each version against the one before it (the next step)
        for newer, older in zip(steps, [*steps[1:], None], strict=True):
            newer["segments"] = (char_diff(older["text"] or "", newer["text"] or "")
                                 if older is not None else None)
    localization, localization_total = queries.localization(con)
    return {"missing": [], "series": series, "series_total": series_total,
            "series_charts": series_charts, "chains": list(chains.values()),
            "localization": localization, "localization_total": localization_total}


def _document_trees(
    con: duckdb.DuckDBPyConnection, keys: Sequence[Any]
) -> dict[Any, list[TreeNode]]:
    """Section trees (roots in document order) for the given documents, four queries total."""
    if not keys:
        return {}
    agencies: dict[Any, list[Row]] = defaultdict(list)
    for r in queries.document_agencies(con, keys):
        agencies[r["task_key"]].append(r)
    targets: dict[Any, list[Row]] = defaultdict(list)
    for r in queries.document_targets(con, keys):
        targets[r["task_key"]].append(r)
    themes: dict[Any, list[str]] = defaultdict(list)
    for r in queries.document_themes(con, keys):
        themes[r["task_key"]].append(r["theme"])

    trees: dict[Any, list[TreeNode]] = defaultdict(list)
    by_node: dict[tuple[Any, str], TreeNode] = {}
    pending: list[tuple[Any, TreeNode]] = []
    for t in queries.document_tasks(con, keys):
        node = TreeNode(t, agencies.get(t["task_key"], []), targets.get(t["task_key"], []),
                        themes.get(t["task_key"], []), [])
        by_node[(t["document_key"], str(t["node_id"]))] = node
        pending.append((t["document_key"], node))
    for doc_key, node in pending:
        parent_id = node.task["parent_node_id"]
        parent = by_node.get((doc_key, str(parent_id))) if parent_id is not None else None
        # An orphan (parent missing from the mart) is shown at the top rather than dropped.
        siblings = parent.children if parent is not None and parent is not node else trees[doc_key]
        siblings.append(node)
    return trees


def build_dashboard(
    db_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    reports_dir: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    max_document_pages: int | None = DEFAULT_MAX_DOCUMENT_PAGES,
) -> Path:
    """Write the dashboard for the warehouse at `db_path` into `out_dir`; return index.html.

    `today` fixes "this year" for the targets-due view (tests); `max_document_pages` caps how
    many of the newest documents get their own page (None: all of them).
    """
    db = Path(db_path)
    if not db.exists():
        raise FileNotFoundError(f"no warehouse at {db}; run the pipeline (`govharvest demo`)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    this_year = queries.current_year(today)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    con = duckdb.connect(str(db), read_only=True)
    try:
        missing = queries.missing_tables(con)
        if missing:
            raise RuntimeError(f"{db} lacks warehouse tables {missing} (a warehouse made by an "
                               "older govharvest gains new views at its next load)")
        totals = queries.totals(con)
        timeline = queries.run_timeline(con)
        last_run = queries.last_run(con)
        by_reason = queries.quarantine_by_reason(con)
        overview_charts = _charts(
            docs_per_year=charts.documents_per_year(queries.documents_by_site_year(con)),
            docs_per_region=charts.documents_per_region(queries.documents_by_region(con)),
            runs=charts.run_timeline(timeline),
            quarantine=charts.quarantine_reasons(by_reason),
        )
        due = queries.targets_due(con, this_year)
        long_charts = _charts(
            themes=charts.theme_trend(queries.theme_trend(con)),
            lead_year=charts.lead_agencies_by_year(queries.lead_agencies_by_year(con)),
            lead_region=charts.lead_agencies_by_region(queries.lead_agencies_by_region(con)),
            targets=charts.targets_by_year(queries.targets_by_year(con), this_year),
        )
        pass_rate = queries.dq_pass_rate(con)
        failures = queries.dq_top_failures(con)
        dq_latest = queries.dq_latest(con)
        dq_charts = _charts(pass_rate=charts.dq_pass_rate(pass_rate),
                            failures=charts.dq_top_failures(failures))
        lineage = _lineage(con)
        documents = queries.document_index(con)
        paged = documents if max_document_pages is None else documents[:max_document_pages]
        report_link = report_link_of(reports_dir, out)
        pages = {document_page_name(d["document_key"]): d for d in paged}
        templates = _templates_digest()
        fingerprints = {name: _page_fingerprint(templates, d, report_link, this_year)
                        for name, d in pages.items()}
        built = _reusable_pages(out, fingerprints)
        trees = _document_trees(con, [d["document_key"] for name, d in pages.items()
                                      if name not in built])
    finally:
        con.close()

    _write_assets(out)
    env = _environment()
    common = {"generated": generated, "report_link": report_link, "this_year": this_year}

    def render(name: str, target: Path, root: str = "", **ctx: Any) -> None:
        _write(target, env.get_template(name).render(root=root, **common, **ctx))

    render("index.html", out / "index.html", totals=totals, last_run=last_run,
           n_pages=len(paged), n_documents=len(documents))
    render("overview.html", out / "overview.html", totals=totals, charts=overview_charts,
           last_run=last_run, timeline=list(reversed(timeline))[:20], reasons=by_reason)
    render("longitudinal.html", out / "longitudinal.html", charts=long_charts, due=due)
    render("quality.html", out / "quality.html", charts=dq_charts, failures=failures,
           latest=dq_latest)
    render("lineage.html", out / "lineage.html", **lineage)

    explorer_rows = [
        {"title": d["title"] or "(untitled)", "region": d["region"], "type": d["doc_type"] or "",
         "period": _period(d), "date": str(d["publish_date"] or ""), "flags": d["flags"],
         "site": d["source_site"] or "", "issuer": d["issuer"] or "", "tasks": d["tasks"],
         "page": f"doc/{name}" if (name := document_page_name(d["document_key"])) in pages
                 else None,
         "url": safe_href(d["url"])}
        for d in documents
    ]
    render("explorer.html", out / "explorer.html", docs_json=charts.script_json(explorer_rows),
           n_documents=len(documents), n_pages=len(paged),
           doc_types=sorted({r["type"] for r in explorer_rows if r["type"]}),
           regions=sorted({r["region"] for r in explorer_rows}),
           years=sorted({r["date"][:4] for r in explorer_rows if r["date"]}, reverse=True),
           flags=sorted({f.strip() for r in explorer_rows for f in r["flags"].split(",")
                         if f.strip()}))

    doc_dir = out / "doc"
    if doc_dir.exists():  # drop pages of documents that are no longer current or capped
        for page in doc_dir.glob("*.html"):
            if page.name not in built:
                page.unlink()
    template = env.get_template("document.html")
    for name, d in pages.items():
        if name in built:
            continue
        _write(doc_dir / name,
               template.render(root="../", doc=d, tree=trees.get(d["document_key"], []),
                               period=_period(d), href=safe_href(d["url"]), **common))
    _write(out / PAGE_MANIFEST, json.dumps(fingerprints, sort_keys=True))
    return out / "index.html"


# A document page depends only on its own version (document_key hashes url, content and
# version), its index row, the templates and the report link: when none of those changed
# since the last build, the page on disk is reused, so a nightly run with a handful of new
# documents re-renders a handful of pages, not thousands (bench/dashboard.py, 1M tasks:
# rebuild_unchanged_s 2.1 s against build_s 6.1 s).
PAGE_MANIFEST = "doc-pages.json"


def _templates_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def report_link_of(reports_dir: str | os.PathLike[str] | None, out: Path) -> str | None:
    if reports_dir is None or not (Path(reports_dir) / "index.html").exists():
        return None
    return Path(os.path.relpath(Path(reports_dir) / "index.html", out)).as_posix()


def _page_fingerprint(templates: str, doc: Row, report_link: str | None, this_year: int) -> str:
    payload = json.dumps([dict(doc), report_link, this_year], sort_keys=True, default=str)
    return hashlib.sha256((templates + payload).encode()).hexdigest()[:32]


def _reusable_pages(out: Path, fingerprints: dict[str, str]) -> set[str]:
    """The page names whose page on disk was built from the same fingerprint."""
    try:
        previous = json.loads((out / PAGE_MANIFEST).read_text(encoding="utf-8"))
        on_disk = set(os.listdir(out / "doc"))  # one listing, not a stat per page
    except (OSError, ValueError):
        return set()
    return {name for name, fp in fingerprints.items()
            if previous.get(name) == fp and name in on_disk}
