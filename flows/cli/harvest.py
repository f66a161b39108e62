"""`govharvest harvest`, `nightly`, `reprocess` and `demo`: the pipeline from the shell."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.cli.app import DataDirOption, app
from flows.cli.demosite import DEFAULT_PORT, demo_site_class
from flows.cli.prefect_server import start_temporary_server
from flows.config import resolve_paths
from flows.datadir import data_dir_lock, require_archive, require_writable_warehouse

DEMO_SITES = ("demo-hunan", "demo-trs", "demo-hanweb", "demo-generic")
EXAMPLE_QUERIES = (
    ("Agencies leading the most tasks, by year and region",
     "SELECT year, region_name, agency_name, task_count FROM v_agency_tasks_by_year "
     "WHERE role = 'lead' AND NOT is_generic ORDER BY task_count DESC LIMIT 10"),
    ("Theme mentions over the years",
     "SELECT theme, year, task_count, document_count FROM v_theme_trend "
     "ORDER BY theme, year"),
    ("Targets and deadlines due by year",
     "SELECT due_year, kind, target_text, task_heading, lead_agencies FROM v_targets_due "
     "ORDER BY due_year LIMIT 20"),
)

SiteOpt = Annotated[
    str | None, typer.Option("--site", help="Profile name (sites/NAME.yaml) or path.")
]
SitesOpt = Annotated[
    list[str] | None,
    typer.Option("--site", help="Only these profiles (repeatable); default: every enabled one."),
]
StartUrlOpt = Annotated[
    str | None, typer.Option("--start-url", help="Generic profile: a list page URL.")
]
AllowHostOpt = Annotated[
    list[str] | None,
    typer.Option("--allow-host", help="Host the generic profile may fetch (repeatable). Naming "
                 "127.0.0.1 or localhost here is the only way loopback is allowed."),
]
MaxPagesOpt = Annotated[
    int | None, typer.Option("--max-pages", help="Fetch at most this many article pages.")
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Skip list entries published before YYYY-MM-DD.")
]
DelayOpt = Annotated[
    float | None, typer.Option("--delay", min=0, help="Per-host politeness delay in seconds.")
]
RevalidateAllOpt = Annotated[
    bool, typer.Option("--revalidate-all", help="Revalidate every known page now, not only "
                       "the ones the revisit rotation says are due.")
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", help="Base URL for profiles with a {base_url} placeholder."),
]

# Wide enough for the summary table when output goes to a file or CI log: its 14 columns
# take 173 characters with a short site name; at 160 Rich cut "quarantined" to "quarantin…".
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)


def _since_date(since: str | None) -> dt.date | None:
    if not since:
        return None
    try:
        return dt.date.fromisoformat(since)
    except ValueError as exc:
        raise typer.BadParameter(f"--since must be a date YYYY-MM-DD, got {since!r} ({exc})"
                                 ) from None


def _check_sites(names: list[str] | None, base_url: str | None) -> None:
    """Unknown or invalid profiles stop the command before anything starts."""
    from extract.profile import load_profile

    for name in names or ():
        load_profile(name, base_url=base_url)


def _summary_table(title: str, rows: dict[str, dict]) -> Table:
    table = Table(title=title)
    cols = ("pages_fetched", "new", "changed", "not_modified", "deferred", "failed",
            "too_large", "timeout", "blocked", "out_of_scope", "archive_damaged",
            "no_list_items", "quarantined")
    table.add_column("site")
    for c in cols:
        table.add_column(c.replace("_", " "), justify="right")
    for site, r in rows.items():
        table.add_row(site, *(str(r.get(c, 0)) for c in cols))
    return table


@app.command()
def harvest(
    site: SiteOpt = None,
    start_url: StartUrlOpt = None,
    allow_host: AllowHostOpt = None,
    data_dir: DataDirOption = None,
    max_pages: MaxPagesOpt = None,
    since: SinceOpt = None,
    delay: DelayOpt = None,
    base_url: BaseUrlOpt = None,
    revalidate_all: RevalidateAllOpt = False,
) -> None:
    """Fetch, archive, parse, validate and load one site; print what happened (exit code 1
    when the site is unavailable: its robots.txt unreachable, nothing fetched; or when a
    start URL yielded no article: its list pages are named as no_list_items)."""
    from extract.crawl import SiteUnavailable
    from flows import pipeline
    from warehouse.runs import completed_runs, record_failed_site

    if bool(site) == bool(start_url):
        raise typer.BadParameter("give exactly one of --site or --start-url")
    paths = resolve_paths(data_dir)
    request = pipeline.SiteRequest(
        site=site or (start_url or ""), base_url=base_url, delay=delay, max_pages=max_pages,
        since=_since_date(since), allow_hosts=tuple(allow_host or ()), start_url=start_url,
        revalidate_all=revalidate_all,
    )
    pipeline.load_site_profile(request)  # an unusable profile stops here, before the lock
    run_id = pipeline.new_run_id()
    with data_dir_lock(paths.root, "harvest"):
        require_writable_warehouse(paths)  # before any fetch, not at load
        try:
            result = pipeline.fetch_site(request, paths, run_id, progress=console.is_terminal)
        except SiteUnavailable as exc:  # nothing harvested: say why, in run_log too
            record_failed_site(paths.warehouse, request.site, run_id,
                               f"SiteUnavailable: {exc}")
            typer.echo(f"error: {request.site} unavailable this run ({run_id}): {exc}",
                       err=True)
            raise typer.Exit(1) from exc
        done = completed_runs(paths.warehouse).get(request.site, frozenset())
        batch = pipeline.parse_and_gate(request, result, paths, run_id, done)
        load = pipeline.load_batch(batch, paths)
    row = {**batch.counts, "new": load.new, "changed": load.changed,
           "quarantined": load.quarantined}
    console.print(_summary_table(f"harvest {batch.site} ({run_id})", {batch.site: row}))
    for url in result.empty_lists:
        console.print(f"no_list_items: {url}")
    if result.empty_columns:
        for url in result.empty_columns:
            typer.echo(f"error: no article found from start URL {url}", err=True)
        raise typer.Exit(1)


@app.command()
def nightly(
    site: SitesOpt = None,
    data_dir: DataDirOption = None,
    base_url: BaseUrlOpt = None,
    delay: DelayOpt = None,
    revalidate_all: RevalidateAllOpt = False,
) -> None:
    """Run the Prefect `nightly` flow once, here, now."""
    from flows.harvest import nightly as nightly_flow

    paths = resolve_paths(data_dir)
    _check_sites(site, base_url)
    # Taken here as well as in the flow, so a busy data directory is refused before the
    # Prefect server starts; the flow, run in this thread, takes it again.
    with data_dir_lock(paths.root, "nightly"):
        require_writable_warehouse(paths)
        start_temporary_server()
        result = nightly_flow(sites=list(site) if site else None, data_dir=str(paths.root),
                              base_url=base_url, delay=delay, revalidate_all=revalidate_all)
    console.print(_summary_table(f"nightly {result['run_id']}", result["sites"]))
    _print_bad_manifests(result.get("bad_manifests", ()))


@app.command()
def reprocess(data_dir: DataDirOption = None) -> None:
    """Rebuild the warehouse from the raw archive, with no network."""
    from flows.maintenance import reprocess as reprocess_flow

    paths = resolve_paths(data_dir)
    require_archive(paths)
    with data_dir_lock(paths.root, "reprocess"):
        require_writable_warehouse(paths)
        start_temporary_server()
        result = reprocess_flow(data_dir=str(paths.root))
    console.print(_summary_table(f"reprocess {result['run_id']}", result["per_site"]))
    console.print(f"{result['sites']} site(s): {result['new']} new, {result['changed']} changed, "
                  f"{result['unchanged']} unchanged, {result['quarantined']} quarantined "
                  f"({result['archive_damaged']} damaged archive records)")
    _print_bad_manifests(result.get("bad_manifests", ()))


def _print_bad_manifests(bad: list[str] | tuple[str, ...]) -> None:
    """Archive manifests the load left out (the rest loaded); `archive verify` says more."""
    for line in bad:
        console.print(f"archive manifest not loaded: {line}", markup=False)


@app.command()
def demo(
    data_dir: DataDirOption = None,
    revision: Annotated[int, typer.Option(help="Demo-site content revision to serve.")] = 1,
    port: Annotated[int, typer.Option(help="Port for the demo site; fixed so that archived "
                                      "URLs line up from one run to the next.")] = DEFAULT_PORT,
) -> None:
    """Serve the offline demo site, run `nightly` on it, and show where everything went."""
    site_class = demo_site_class()  # before Prefect loads: without demo/ it stops here
    from flows.harvest import nightly as nightly_flow

    paths = resolve_paths(data_dir)
    with data_dir_lock(paths.root, "demo"), \
            site_class(host="127.0.0.1", port=port, revision=revision) as site:
        console.print(f"demo site serving on {site.base_url}")
        require_writable_warehouse(paths)
        start_temporary_server()
        result = nightly_flow(sites=list(DEMO_SITES), data_dir=str(paths.root),
                              base_url=site.base_url)
    console.print(_summary_table(f"nightly {result['run_id']}", result["sites"]))
    new = sum(s.get("new", 0) for s in result["sites"].values())
    changed = sum(s.get("changed", 0) for s in result["sites"].values())
    console.print(f"[bold]{new} new and {changed} changed documents[/bold]")
    outputs = result["outputs"]
    for label, where in (("warehouse", paths.warehouse), ("parquet", paths.parquet),
                         ("quality report", outputs.get("report", paths.reports)),
                         ("dashboard", outputs.get("dashboard", paths.dashboard))):
        console.print(f"{label + ':':<16}{where}")
    console.print("\nTry:")
    gh = ".venv/bin/govharvest sql"
    dd = f" --data-dir {data_dir}" if data_dir else ""
    for title, sql in EXAMPLE_QUERIES:
        console.print(f"  # {title}\n  {gh} \"{sql}\"{dd}")


