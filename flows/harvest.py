"""Flows: `harvest_site` (one site end to end) and `nightly` (every enabled site)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from extract.profile import list_profiles
from flows import tasks
from flows.config import resolve_paths
from flows.datadir import data_dir_lock
from flows.pipeline import PARSE_CHUNK, SiteBatch, SiteRequest, new_run_id
from flows.summary import SiteOutcome, bad_manifests, new_documents, run_markdown
from warehouse.runs import completed_runs, record_failed_site

# Sites run concurrently; per-host politeness is enforced inside extract.http regardless.
SITE_CONCURRENCY = 4


class NothingLoaded(RuntimeError):
    """Every site failed: the run is marked Failed and the artifact says why."""


def _requests(sites: list[str], base_url: str | None, delay: float | None,
              max_pages: int | None, allow_hosts: list[str] | None,
              revalidate_all: bool = False) -> list[SiteRequest]:
    return [
        SiteRequest(site=s, base_url=base_url, delay=delay, max_pages=max_pages,
                    allow_hosts=tuple(allow_hosts or ()), revalidate_all=revalidate_all)
        for s in dict.fromkeys(sites)  # a site named twice runs once
    ]


def _enabled_sites() -> list[str]:
    return [p.name for p in list_profiles() if p.enabled]


def _run_sites(requests: list[SiteRequest], data_dir: str, build_outputs: bool) -> dict[str, Any]:
    logger = get_run_logger()
    paths = resolve_paths(Path(data_dir))
    run_id = new_run_id()
    logger.info("run %s: %d site(s) into %s", run_id, len(requests), paths.root)

    # Fan out fetch+parse per site; load serially in this process (one warehouse writer).
    # A parse is submitted only once its fetch is done: a task waiting on an upstream future
    # would hold a worker thread and keep the next site's fetch queued behind it. A site
    # with more than a chunk of articles is gated in its worker and loaded when ready; the
    # small ones (most sites on most nights) wait for each other, up to a chunk, and share
    # one validation and one warehouse session: both cost the same for 1 document as for 100.
    done = completed_runs(paths.warehouse)  # read before any writer opens the warehouse
    fetches: dict[PrefectFuture, SiteRequest] = {
        tasks.fetch_site.submit(req, paths, run_id): req for req in requests}
    parses: dict[PrefectFuture, SiteRequest] = {}
    unfetched: dict[str, BaseException] = {}  # a site whose fetch failed: its own error
    for fetched in as_completed(list(fetches)):
        req = fetches[fetched]
        error = fetched.result(raise_on_failure=False)  # done: this does not wait
        if isinstance(error, BaseException):  # its parse would only say "upstream failed"
            unfetched[req.site] = error
            continue
        # The fetch's future stands for its HarvestResult (Prefect resolves it, and records
        # the fetch as the parse's upstream); Prefect's stubs want the result's own type.
        parses[tasks.parse_and_gate.submit(  # type: ignore[call-overload]
            req, fetched, paths, run_id, done.get(req.site, frozenset()), share_gate=True)] = req

    outcomes: dict[str, SiteOutcome] = {}
    new_docs: list[dict[str, str]] = []
    waiting: list[SiteBatch] = []  # small sites, gated and loaded together

    def fail(site: str, exc: BaseException) -> None:
        logger.error("site %s failed: %s", site, exc)
        record_failed_site(paths.warehouse, site, run_id, f"{type(exc).__name__}: {exc}")
        outcomes[site] = SiteOutcome(site=site, error=f"{type(exc).__name__}: {exc}")

    def load(batches: list[SiteBatch]) -> None:
        if any(b.ungated is not None for b in batches):
            try:
                batches = tasks.gate_together(quote(batches), paths, run_id)  # type: ignore[call-overload]
            except Exception as exc:  # a failed shared gate fails its sites, not the run
                for batch in batches:
                    fail(batch.site, exc)
                return
        # quote(): a batch holds thousands of nested records; Prefect would otherwise walk
        # (and copy) all of them looking for futures before the task starts.
        loads = tasks.load_batches(quote(batches), paths)  # type: ignore[call-overload]
        for batch, summary in zip(batches, loads, strict=True):
            outcomes[batch.site] = SiteOutcome.of(batch, summary)
            new_docs.extend(new_documents(batch))

    for site, error in unfetched.items():
        fail(site, error)
    for future in as_completed(list(parses)):  # load whichever site is ready first
        req = parses[future]
        try:
            batch: SiteBatch = future.result()
        except Exception as exc:  # a failed site must not fail the others
            fail(req.site, exc)
            continue
        if batch.ungated is None:
            load([batch])
            continue
        waiting.append(batch)
        if sum(len(b.ungated or ()) for b in waiting) >= PARSE_CHUNK:
            load(waiting)
            waiting = []
    if waiting:
        load(waiting)
    outcomes = {req.site: outcomes[req.site] for req in requests}  # report in request order
    new_docs.sort(key=lambda d: (d["site"], d["url"]))

    loaded = [o for o in outcomes.values() if o.load is not None]
    outputs = tasks.finish_outputs(paths, run_id) if build_outputs and loaded else {}
    markdown = run_markdown(run_id, list(outcomes.values()), outputs)
    create_markdown_artifact(markdown, key="govharvest-run-summary",
                             description=f"govharvest run {run_id}")
    create_table_artifact(new_docs or [{"site": "", "title": "(no new documents)", "url": "",
                                        "publish_date": ""}],
                          key="govharvest-new-documents", description="Documents seen this run")
    if not loaded:
        raise NothingLoaded("no site could be loaded: " + "; ".join(
            f"{o.site}: {o.error}" for o in outcomes.values()))
    return {
        "run_id": run_id,
        "sites": {o.site: o.result() for o in outcomes.values()},
        "outputs": outputs,
        "bad_manifests": bad_manifests(loaded),
        "markdown": markdown,
    }


# Prefect's stubs type a fresh ThreadPoolTaskRunner as TaskRunner[Never]; it is fine at runtime.
@flow(name="harvest-site", task_runner=ThreadPoolTaskRunner(max_workers=2),  # type: ignore[arg-type]
      log_prints=True)
def harvest_site(site: str, data_dir: str = "data", base_url: str | None = None,
                 delay: float | None = None, max_pages: int | None = None,
                 allow_hosts: list[str] | None = None, build_outputs: bool = False,
                 revalidate_all: bool = False) -> dict[str, Any]:
    """Fetch -> archive -> parse -> validate -> load for one site.

    Known pages are revalidated on the revisit rotation (settings `revisit_recent_days`,
    `revisit_days`); `revalidate_all` revalidates every one of them in this run."""
    # Deployments enter here without the CLI: the flow holds the data directory itself.
    with data_dir_lock(resolve_paths(Path(data_dir)).root, "harvest-site flow"):
        return _run_sites(_requests([site], base_url, delay, max_pages, allow_hosts,
                                    revalidate_all), data_dir, build_outputs)


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=SITE_CONCURRENCY),  # type: ignore[arg-type]
      log_prints=True)
def nightly(sites: list[str] | None = None, data_dir: str = "data", base_url: str | None = None,
            delay: float | None = None, max_pages: int | None = None,
            allow_hosts: list[str] | None = None, revalidate_all: bool = False) -> dict[str, Any]:
    """Every enabled site (or `sites`), then Parquet, the quality report and the dashboard.

    `revalidate_all` sends a conditional GET for every known page instead of the night's
    share of the revisit rotation (a weekly full check, or after a site was down)."""
    names = sites or _enabled_sites()
    with data_dir_lock(resolve_paths(Path(data_dir)).root, "nightly flow"):
        return _run_sites(_requests(names, base_url, delay, max_pages, allow_hosts,
                                    revalidate_all), data_dir, True)
