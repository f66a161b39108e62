"""The pipeline as plain functions: fetch -> parse -> gate -> load, no Prefect involved.

Flows (flows/harvest.py, flows/nightly.py) wrap these in tasks; `bench/nightly.py` calls
them directly to measure Prefect's own overhead. Heavy data crosses between steps as typed
records (`RawPage`, `Document`) and polars frames; the raw archive on disk is the durable
hand-over, so `reprocess` can rebuild everything downstream of it.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.config import DataPaths
from transform.records import Document, RawPage
from warehouse.frames import BatchFrames, concat_frames, documents_to_frames

if TYPE_CHECKING:
    from extract.warcread import DamagedRecord

QUARANTINE_COLUMNS = ("source", "url", "reason", "detail")
# Quarantine reason and run-summary count for archived records that cannot be read back.
ARCHIVE_DAMAGED = "archive_damaged"
# Article pages shorter than this with attachments are treated as covers for the attachment.
COVER_MAX_CHARS = 200
# Articles parsed and gated at a time. Parsed documents and the gate's frames cost a few
# hundred KB each while alive; accepted ones are kept as load frames (about 25 KB), so a
# site's memory follows this chunk, not the site (bench/site_memory.py).
PARSE_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SiteRequest:
    """What to harvest: a profile (name or path) plus per-run overrides (all optional)."""

    site: str
    base_url: str | None = None  # replaces {base_url} in demo profiles
    delay: float | None = None
    max_pages: int | None = None
    since: dt.date | None = None
    allow_hosts: tuple[str, ...] = ()
    start_url: str | None = None  # generic profile: a list page to start from
    revalidate_all: bool = False  # every known page now, not on the revisit rotation


@dataclass(slots=True)
class SiteBatch:
    """Everything one site's run produced before loading; returned by workers to the loader."""

    site: str
    run_id: str
    counts: dict[str, int] = field(default_factory=dict)
    frames: BatchFrames = field(default_factory=lambda: documents_to_frames([]))  # accepted
    quarantined: pl.DataFrame = field(default_factory=lambda: empty_quarantine())
    dq_results: pl.DataFrame | None = None
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    error: str | None = None
    # Parsed but not yet gated: a small site's documents, waiting to share one validation
    # with other small sites (`gate_together`). None once gated.
    ungated: list[Document] | None = None
    # List pages the harvest read without finding an article link on them.
    empty_lists: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LoadSummary:
    site: str
    new: int
    changed: int
    unchanged: int
    quarantined: int
    # Archive manifests the warehouse could not load (name: why), as of this load.
    bad_manifests: tuple[str, ...] = ()


def new_run_id(now: dt.datetime | None = None) -> str:
    """Sortable by start time (microseconds), unique by its random suffix.

    `pending_pages` relies on the order: runs that started before the last completed one
    are done.
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}"


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in QUARANTINE_COLUMNS})


def quarantine_frame(rows: Iterable[tuple[str, str, str, str]]) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return empty_quarantine()
    return pl.DataFrame(rows, schema={c: pl.String for c in QUARANTINE_COLUMNS}, orient="row")


def damage_quarantine(damaged: Iterable[DamagedRecord]) -> pl.DataFrame:
    """Quarantine rows for archived records that could not be read back (skipped, not
    parsed): keyed by the record's URL, or by its place in the archive when unknown."""
    return quarantine_frame(("archive", d.url or d.where, ARCHIVE_DAMAGED, d.detail)
                            for d in damaged)


# ---------------------------------------------------------------- extract


def load_site_profile(request: SiteRequest):  # -> extract.profile.SiteProfile
    from extract.profile import generic_profile, load_profile

    if request.start_url:
        return generic_profile(request.start_url, allow_hosts=request.allow_hosts)
    return load_profile(request.site, base_url=request.base_url)


def fetch_site(request: SiteRequest, paths: DataPaths, run_id: str, *, progress: bool = False):
    """Fetch and archive one site; returns extract's HarvestResult (new/changed pages only)."""
    from extract.crawl import harvest

    profile = load_site_profile(request)
    return harvest(
        profile,
        paths.archive,
        run_id=run_id,
        max_pages=request.max_pages,
        since=request.since,
        delay=request.delay,
        allow_hosts=request.allow_hosts,
        progress=progress,
        settings={"revisit_days": 1} if request.revalidate_all else None,
    )


# ---------------------------------------------------------------- transform


def parse_pages(
    pages: Sequence[RawPage],
    *,
    body_selectors: Sequence[str] = (),
    archive_dir: Path | None = None,
    attachments: Iterable[RawPage] = (),
) -> tuple[list[Document], pl.DataFrame]:
    """Parse archived pages into Documents; failures become quarantine rows, never crashes.

    An article that is only a cover for an attachment (short body, linked PDF/DOC) is
    parsed from the attachment's text but keeps the article's URL and title. The
    attachment comes from this batch (`pages` and `attachments`) or, when it did not
    change, from the archive.
    """
    from transform import UnreadableInput, parse_document

    sites = {p.site for p in pages}
    lookup = _AttachmentLookup(
        {p.url: p for p in (*attachments, *pages) if p.kind == "attachment"}, archive_dir,
        site=sites.pop() if len(sites) == 1 else None)
    docs: list[Document] = []
    bad: list[tuple[str, str, str, str]] = []
    for page in pages:
        if page.kind != "article":
            continue
        try:
            doc = parse_document(
                page.body,
                url=page.url,
                content_type=page.header("content-type"),
                body_selectors=body_selectors,
            )
            doc = _prefer_attachment(doc, page, lookup)
        except UnreadableInput as exc:
            bad.append(("parse", page.url, "unreadable_input", str(exc)))
            continue
        except Exception as exc:  # a parser bug must cost one document, not the run
            bad.append(("parse", page.url, f"parse_error:{type(exc).__name__}", str(exc)[:500]))
            continue
        doc.raw_digest = page.digest
        docs.append(doc)
    return docs, quarantine_frame(bad)


class _AttachmentLookup:
    """Attachments by URL: this batch's first, then the latest archived version (of the
    batch's site when it has one: a site's crawl archives the attachments it links)."""

    def __init__(self, batch: dict[str, RawPage], archive_dir: Path | None,
                 site: str | None = None) -> None:
        self.batch = batch
        self.archive_dir = archive_dir
        self.site = site
        self._archived: dict[str, dict[str, Any]] | None = None  # read on the first miss

    def get(self, url: str) -> RawPage | None:
        if url in self.batch or self.archive_dir is None:
            return self.batch.get(url)
        from extract.archive import read_record
        from extract.attachments import AttachmentError, as_text_page
        from extract.warcread import ArchiveDamage

        row = self._archived_rows().get(url)
        if row is None:
            return None
        try:  # a damaged attachment leaves its cover page as it is, like a missing one
            page = read_record(self.archive_dir, row["warc_file"], row["offset"],
                               site=row["site"])
            return as_text_page(page)
        except (AttachmentError, ArchiveDamage):
            return None

    def _archived_rows(self) -> dict[str, dict[str, Any]]:
        """Latest archived attachment per URL, read once per batch, not once per cover page."""
        from extract.archive import page_records

        if self._archived is None:
            self._archived = {}
            if self.archive_dir is not None and (self.archive_dir / "index").exists():
                rows = page_records(self.archive_dir, site=self.site, kinds=("attachment",))
                self._archived = {row["url"]: row for row in rows.iter_rows(named=True)}
        return self._archived


def _prefer_attachment(doc: Document, page: RawPage, attachments: _AttachmentLookup) -> Document:
    from extract.attachments import extract_text
    from transform import parse_document

    if len(doc.text) >= COVER_MAX_CHARS or not doc.attachments:
        return doc
    for url in doc.attachments:
        att = attachments.get(url)
        if att is None:
            continue
        text = extract_text(att.body, content_type=att.header("content-type"), url=att.url)
        if not text.strip():
            continue
        parsed = parse_document(text, url=page.url, source_site=doc.source_site)
        parsed.title = parsed.title or doc.title
        parsed.publish_date = parsed.publish_date or doc.publish_date
        parsed.issuer = parsed.issuer or doc.issuer
        parsed.attachments = list(doc.attachments)
        parsed.quality_flags = sorted({*parsed.quality_flags, "from_attachment"})
        return parsed
    return doc


# ---------------------------------------------------------------- validate


def gate(docs: Sequence[Document], *, run_id: str, paths: DataPaths,
         sites: Sequence[str] | None = None):
    """Run the document suite; returns expectations' GateResult. `sites` names each
    document's harvested site (results are reported per site)."""
    from expectations.gate import gate_documents

    return gate_documents(docs, run_id=run_id, gx_dir=paths.gx, sites=sites)


@dataclass(slots=True)
class Gated:
    """What parse and gate made of one site's pages: load frames and the side tables."""

    frames: BatchFrames
    quarantined: pl.DataFrame
    dq_results: pl.DataFrame
    ungated: list[Document] | None = None  # see SiteBatch.ungated


def parse_and_gate_pages(
    articles: Iterable[RawPage],
    *,
    run_id: str,
    paths: DataPaths,
    body_selectors: Sequence[str] = (),
    attachments: Sequence[RawPage] = (),
    chunk: int = PARSE_CHUNK,
    site: str | None = None,
    share_gate: bool = False,
) -> Gated:
    """Parse and gate articles `chunk` at a time; accepted documents become load frames as
    each chunk is done, so only one chunk of `Document`s is alive at once.

    `site` names the harvested site in the gate's results. With `share_gate`, articles that
    fit in one chunk are parsed but left `ungated`: a validation costs ~0.2 s however few
    documents it sees, so a night's small sites share one (`gate_together`)."""
    from expectations.gate import merge_results

    frames: list[BatchFrames] = []
    quarantined: list[pl.DataFrame] = []
    results: list[pl.DataFrame] = []
    pending: list[RawPage] = []

    def parse() -> list[Document]:
        docs, parse_bad = parse_pages(pending, body_selectors=body_selectors,
                                      archive_dir=paths.archive, attachments=attachments)
        pending.clear()
        quarantined.append(parse_bad)
        return docs

    def flush() -> None:
        docs = parse()
        gated = gate(docs, run_id=run_id, paths=paths,
                     sites=None if site is None else [site] * len(docs))
        frames.append(documents_to_frames(gated.accepted))
        quarantined.append(gated.quarantined.select(QUARANTINE_COLUMNS))
        results.append(gated.results)

    for page in articles:
        if page.kind == "article":
            pending.append(page)
            if len(pending) >= chunk:
                flush()
    if share_gate and not frames:
        docs = parse()
        return Gated(documents_to_frames([]), pl.concat(quarantined), merge_results([]),
                     ungated=docs)
    if pending or not frames:
        flush()
    return Gated(concat_frames(frames), pl.concat(quarantined), merge_results(results))


def gate_together(batches: Sequence[SiteBatch], *, run_id: str,
                  paths: DataPaths) -> list[SiteBatch]:
    """Gate the documents several sites left `ungated` in one validation; each such batch
    gets its accepted load frames, its quarantine rows and its own per-site dq_result rows
    (batches already gated pass through as they are)."""
    from expectations.gate import site_batch

    waiting = [b for b in batches if b.ungated is not None]
    docs = [doc for b in waiting for doc in b.ungated or ()]
    gated = gate(docs, run_id=run_id, paths=paths,
                 sites=[b.site for b in waiting for _ in b.ungated or ()])
    accepted = {id(doc) for doc in gated.accepted}
    for batch in waiting:
        mine = gated.quarantined.filter(pl.col("source") == batch.site)
        batch.frames = documents_to_frames([d for d in batch.ungated or () if id(d) in accepted])
        batch.quarantined = pl.concat([batch.quarantined, mine.select(QUARANTINE_COLUMNS)])
        batch.dq_results = gated.results.filter(
            pl.col("table_or_batch") == site_batch(batch.site))
        batch.ungated = None
    return list(batches)


# ---------------------------------------------------------------- one site, end to end


def completed_runs(paths: DataPaths) -> dict[str, frozenset[str]]:
    """Per site, the runs whose pages reached the warehouse (run_log status ok)."""
    import duckdb

    if not paths.warehouse.exists():
        return {}
    from warehouse.db import connect

    try:
        con = connect(paths.warehouse, read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute("SELECT site, run_id FROM run_log WHERE status = 'ok'").fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for site, run in rows:
        out.setdefault(site, set()).add(run)
    return {site: frozenset(runs) for site, runs in out.items()}


def pending_pages(paths: DataPaths, site: str, done: frozenset[str], run_id: str,
                  damaged: list[DamagedRecord] | None = None) -> list[RawPage]:
    """Pages archived by earlier runs that never got loaded (a crash, a failed parse task).

    The archive is the hand-over between fetch and load, so a run that dies after fetching
    is finished by the next one, which would otherwise see only 304s for those pages.
    Records that cannot be read back are skipped and added to `damaged`.
    """
    from extract.archive import iter_pages, read_index

    if not (paths.archive / "index").exists():
        return []
    # A completed run also loaded whatever was pending before it, so everything archived
    # up to the latest completed run is done (run ids sort by their start time).
    last_done = max(done, default="")
    runs = read_index(paths.archive, site)["run_id"].unique()
    skip = {r for r in runs.to_list() if r <= last_done} | {run_id}
    return list(iter_pages(paths.archive, site=site, skip_runs=skip,
                           on_damage=None if damaged is None else damaged.append))


def parse_and_gate(request: SiteRequest, result, paths: DataPaths, run_id: str,  # type: ignore[no-untyped-def]
                   done_runs: frozenset[str] = frozenset(), *,
                   share_gate: bool = False) -> SiteBatch:
    """Parse one site's new pages, plus any an unfinished earlier run left, and gate them
    (with `share_gate`, a site small enough for one chunk is left `ungated`)."""
    profile = load_site_profile(request)
    fresh = {p.url for p in result.pages}
    damaged: list[DamagedRecord] = []
    leftovers = [p for p in pending_pages(paths, profile.name, done_runs, run_id, damaged)
                 if p.url not in fresh]
    pages = [*leftovers, *result.pages]
    gated = parse_and_gate_pages(
        pages, run_id=run_id, paths=paths, body_selectors=profile_body_selectors(profile),
        attachments=[p for p in pages if p.kind == "attachment"], site=profile.name,
        share_gate=share_gate)
    extract_bad = quarantine_frame(
        [("extract", url, "blocked", "anti-bot page or empty article body")
         for url in result.blocked_urls]
    )
    return SiteBatch(
        site=profile.name,
        run_id=run_id,
        counts=_with_damage(result.counts, damaged),
        empty_lists=list(result.empty_lists),
        frames=gated.frames,
        quarantined=pl.concat([extract_bad, damage_quarantine(damaged), gated.quarantined]),
        dq_results=gated.dq_results,
        ungated=gated.ungated,
    )


def _with_damage(counts: dict[str, int], damaged: list[DamagedRecord]) -> dict[str, int]:
    return {**counts, ARCHIVE_DAMAGED: len(damaged)} if damaged else dict(counts)


def harvest_and_parse(request: SiteRequest, paths: DataPaths, run_id: str) -> SiteBatch:
    """Everything a worker does for one site; loading is left to the single writer."""
    started = dt.datetime.now(dt.UTC)
    done = completed_runs(paths).get(request.site, frozenset())
    batch = parse_and_gate(request, fetch_site(request, paths, run_id), paths, run_id, done)
    batch.started_at = started
    return batch


def profile_body_selectors(profile) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return tuple(profile.detail.body_selectors)


def load_batch(batch: SiteBatch, paths: DataPaths) -> LoadSummary:
    """Load one site's batch (see `load_batches`)."""
    return load_batches([batch], paths)[0]


def load_batches(batches: Sequence[SiteBatch], paths: DataPaths) -> list[LoadSummary]:
    """The single writer: the batches' documents merged together (one merge costs ~0.06 s
    whether it holds 1 document or 1,000, so a night's small sites share one), then per
    batch its quarantine, quality results and run log, plus the archive manifests, all on
    one connection (opening and checkpointing the warehouse costs ~0.1 s more)."""
    from extract.archive import compact_manifests
    from warehouse.db import writer
    from warehouse.frames import split_frames
    from warehouse.load import (
        DEFAULT_BATCH_SIZE,
        MANIFEST_FOLDERS,
        document_statuses,
        load_archive_manifests,
        manifest_failures,
        manifest_ledger,
        record_compactions,
        record_dq_results,
        record_quarantine,
        record_run,
    )
    from warehouse.load import (
        load_batch as merge_batch,
    )

    if ungated := [b.site for b in batches if b.ungated is not None]:
        raise ValueError(f"batches not gated yet: {', '.join(ungated)} (gate_together first)")
    runs: dict[str, list[SiteBatch]] = {}
    for batch in batches:
        runs.setdefault(batch.run_id, []).append(batch)
    summaries: list[LoadSummary] = []
    with writer(paths.warehouse) as con:
        statuses: dict[str, str] = {}  # url -> new/changed/unchanged, to count per site
        for run_id, group in runs.items():
            combined = concat_frames([b.frames for b in group])
            for part in split_frames(combined, DEFAULT_BATCH_SIZE):
                if part.document.height:
                    merge_batch(con, part, run_id=run_id)
                    statuses.update(document_statuses(con))
        for batch in batches:
            record_quarantine(con, batch.quarantined)
            if batch.dq_results is not None:
                record_dq_results(con, batch.dq_results)
            counted = Counter(statuses.get(url) for url in batch.frames.document["url"])
            summaries.append(LoadSummary(batch.site, counted["new"], counted["changed"],
                                         counted["unchanged"], batch.quarantined.height))
        load_archive_manifests(con, paths.archive)
        if bad := tuple(f"{name}: {why}" for name, why in manifest_failures(con).items()):
            summaries = [replace(s, bad_manifests=bad) for s in summaries]
        for batch, summary in zip(batches, summaries, strict=True):
            # The site's worker is done with its manifests: merge the loaded ones if many.
            record_compactions(con, compact_manifests(
                paths.archive, batch.site, loaded=manifest_ledger(con),
                ledgered=MANIFEST_FOLDERS.values()))
            counts = batch.counts
            record_run(
                con,
                {
                    "run_id": batch.run_id,
                    "site": batch.site,
                    "started_at": batch.started_at,
                    "finished_at": dt.datetime.now(dt.UTC),
                    "pages_fetched": counts.get("pages_fetched", 0),
                    "new_docs": summary.new,
                    "changed_docs": summary.changed,
                    "not_modified": counts.get("not_modified", 0),
                    "failed": counts.get("failed", 0),
                    "blocked": counts.get("blocked", 0),
                    "out_of_scope": counts.get("out_of_scope", 0),
                    "too_large": counts.get("too_large", 0),
                    "timeout": counts.get("timeout", 0),
                    "quarantined": batch.quarantined.height,
                    "status": "failed" if batch.error else "ok",
                },
            )
    return summaries


def record_failed_site(site: str, run_id: str, error: str, paths: DataPaths) -> None:
    """A site whose harvest raised still leaves a run_log row saying why."""
    from warehouse.load import record_run

    now = dt.datetime.now(dt.UTC)
    record_run(
        paths.warehouse,
        {"run_id": run_id, "site": site, "started_at": now, "finished_at": now,
         "pages_fetched": 0, "new_docs": 0, "changed_docs": 0, "not_modified": 0,
         "failed": 0, "blocked": 0, "out_of_scope": 0, "quarantined": 0,
         "status": f"error: {error[:200]}", "too_large": 0, "timeout": 0},
    )


def archived_sites(paths: DataPaths) -> list[str]:
    """Every site with records in the archive, by name."""
    from extract.archive import read_index

    return sorted(read_index(paths.archive).get_column("site").unique().to_list())


def index_unindexed(paths: DataPaths) -> dict[str, list[DamagedRecord]]:
    """Index the WARC files no index manifest covers (a deleted or damaged manifest, a run
    killed before its writer closed): the WARC files are the source of truth, so their
    sites and pages must not vanish from a reprocess. Returns, per site, the records those
    files held that could not be read."""
    from extract.reindex import reindex, unindexed

    if not (missing := unindexed(paths.archive)):
        return {}
    done = reindex(paths.archive, only=missing)
    damaged: dict[str, list[DamagedRecord]] = {}
    for record in done.damaged:
        damaged.setdefault(done.sites.get(record.warc_file, ""), []).append(record)
    return damaged


def reprocess_site(site: str, paths: DataPaths, run_id: str,
                   damaged: Sequence[DamagedRecord] = ()) -> SiteBatch:
    """Rebuild one site's documents from the raw archive alone (no network).

    One site at a time, parsed a chunk at a time: memory follows the chunk and the site's
    load frames, not the archive. The site's profile, when it still exists, supplies its
    body selectors as in a harvest. A record that cannot be read back is skipped and
    quarantined (`archive_damaged`), with any `damaged` ones found while indexing.
    """
    from extract.archive import iter_pages
    from extract.profile import ProfileError

    try:
        selectors = profile_body_selectors(load_site_profile(SiteRequest(site=site)))
    except ProfileError:
        selectors = ()  # a site whose profile is gone: the known containers and heuristics
    # Articles stream from the archive a chunk at a time; a cover page finds its
    # attachment through the archive index.
    found = list(damaged)
    gated = parse_and_gate_pages(iter_pages(paths.archive, site=site, kinds=("article",),
                                            on_damage=found.append),
                                 run_id=run_id, paths=paths, body_selectors=selectors,
                                 site=site)
    return SiteBatch(
        site=site,
        run_id=run_id,
        counts=_with_damage({"pages_fetched": 0}, found),
        frames=gated.frames,
        quarantined=pl.concat([damage_quarantine(found), gated.quarantined]),
        dq_results=gated.dq_results,
    )


def finish_outputs(paths: DataPaths, run_id: str,
                   timings: dict[str, float] | None = None) -> dict[str, Path]:
    """After loading: warehouse checks, then the Parquet export beside the quality report
    and the dashboard.

    The export is DuckDB's own work and releases the GIL, so it runs on a second thread
    while the report and the dashboard (Python, mostly) run here. It starts once the checks
    have recorded their results, so the export holds them too, and nothing writes the
    warehouse while it runs. `timings`, if given, gets each step's own seconds (the export's
    overlap the others'); bench/nightly.py reports them."""
    from dashboards.build import build_dashboard
    from expectations.report import build_reports
    from expectations.tables import validate_warehouse
    from warehouse.export import export_parquet
    from warehouse.load import record_dq_results

    def timed(step: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        if timings is not None:
            timings[step] = timings.get(step, 0.0) + time.perf_counter() - start
        return out

    def check() -> None:
        results = validate_warehouse(paths.warehouse, run_id=run_id, gx_dir=paths.gx)
        if results.height:
            record_dq_results(paths.warehouse, results)

    timed("warehouse_suites", check)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet") as pool:
        export = pool.submit(timed, "parquet", export_parquet, paths.warehouse, paths.parquet)
        report = timed("reports", build_reports, paths.warehouse, paths.gx, paths.reports)
        dashboard = timed("dashboard", build_dashboard, paths.warehouse, paths.dashboard,
                          reports_dir=paths.reports)
        export.result()  # re-raises the export's error, if any
    return {"warehouse": paths.warehouse, "parquet": paths.parquet, "report": report,
            "dashboard": dashboard}

