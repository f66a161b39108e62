"""The pipeline as plain functions: fetch -> parse -> gate -> load, no Prefect involved.

Flows (flows/harvest.py, flows/maintenance.py) wrap these in tasks; `bench/nightly.py` calls
them directly to measure Prefect's own overhead. Each step is a stage's function; this
module only sequences them per site. Heavy data crosses between steps as typed records
(`RawPage`, `Document`, `SiteBatch`) and polars frames; the raw archive on disk is the
durable hand-over, so `reprocess` can rebuild everything downstream of it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from expectations.gate import (
    QUARANTINE_SCHEMA,
    GateResult,
    gate_documents,
    merge_results,
    site_batch,
)
from extract.archive import iter_pages
from extract.crawl import HarvestResult, harvest
from extract.handover import AttachmentTexts, pending_pages
from extract.profile import DetailRules, ProfileError, SiteProfile, generic_profile, load_profile
from extract.warcread import DamagedRecord
from flows.config import DataPaths
from transform import UnreadableInput, parse_document
from transform.cover import prefer_attachment
from transform.records import Document, RawPage
from warehouse.frames import BatchFrames, concat_frames, documents_to_frames
from warehouse.runs import LoadSummary, SiteLoad, load_sites

QUARANTINE_COLUMNS = tuple(QUARANTINE_SCHEMA)
# Quarantine reason and run-summary count for archived records that cannot be read back.
ARCHIVE_DAMAGED = "archive_damaged"
# Articles parsed and gated at a time. Parsed documents and the gate's frames cost a few
# hundred KB each while alive; accepted ones are kept as load frames (about 25 KB), so a
# site's memory follows this chunk, not the site (bench/site_memory.py).
PARSE_CHUNK = 500
# Detail rules of a page whose site has no profile (any more): the defaults.
DEFAULT_DETAIL = DetailRules.model_validate({})


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

    def for_load(self) -> SiteLoad:
        return SiteLoad(self.site, self.run_id, self.frames, self.quarantined, self.dq_results,
                        self.counts, self.started_at, self.error)


@dataclass(slots=True)
class Gated:
    """What parse and gate made of one site's pages: load frames and the side tables."""

    frames: BatchFrames
    quarantined: pl.DataFrame
    dq_results: pl.DataFrame
    ungated: list[Document] | None = None  # see SiteBatch.ungated


def new_run_id(now: dt.datetime | None = None) -> str:
    """Sortable by start time (microseconds), unique by its random suffix.

    `extract.handover.pending_pages` relies on the order: runs that started before the last
    completed one are done.
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}"


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def quarantine_frame(rows: Iterable[tuple[str, str, str, str]]) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return empty_quarantine()
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA, orient="row")


def damage_quarantine(damaged: Iterable[DamagedRecord]) -> pl.DataFrame:
    """Quarantine rows for archived records that could not be read back (skipped, not
    parsed): keyed by the record's URL, or by its place in the archive when unknown."""
    return quarantine_frame(("archive", d.url or d.where, ARCHIVE_DAMAGED, d.detail)
                            for d in damaged)


def _with_damage(counts: dict[str, int], damaged: list[DamagedRecord]) -> dict[str, int]:
    return {**counts, ARCHIVE_DAMAGED: len(damaged)} if damaged else dict(counts)


# ---------------------------------------------------------------- extract


def load_site_profile(request: SiteRequest) -> SiteProfile:
    if request.start_url:
        return generic_profile(request.start_url, allow_hosts=request.allow_hosts)
    return load_profile(request.site, base_url=request.base_url)


def fetch_site(request: SiteRequest, paths: DataPaths, run_id: str, *,
               progress: bool = False) -> HarvestResult:
    """Fetch and archive one site; its HarvestResult holds the new and changed pages."""
    return harvest(
        load_site_profile(request),
        paths.archive,
        run_id=run_id,
        max_pages=request.max_pages,
        since=request.since,
        delay=request.delay,
        allow_hosts=request.allow_hosts,
        progress=progress,
        settings={"revisit_days": 1} if request.revalidate_all else None,
    )


# ---------------------------------------------------------------- transform and validate


def parse_pages(
    pages: Sequence[RawPage],
    *,
    detail: DetailRules = DEFAULT_DETAIL,
    archive_dir: Path | None = None,
    attachments: Iterable[RawPage] = (),
) -> tuple[list[Document], pl.DataFrame]:
    """Parse archived articles into Documents; failures become quarantine rows, never crashes.

    A cover page (`transform.cover`) is parsed from its attachment's text, taken from this
    batch (`pages` and `attachments`) or, when it did not change, from the archive.
    """
    sites = {p.site for p in pages}
    attachment_text = AttachmentTexts((*attachments, *pages), archive_dir,
                                      site=sites.pop() if len(sites) == 1 else None)
    docs: list[Document] = []
    bad: list[tuple[str, str, str, str]] = []
    for page in pages:
        if page.kind != "article":
            continue
        try:
            doc = parse_document(page.body, url=page.url, content_type=page.header("content-type"),
                                 body_selectors=detail.body_selectors)
            doc = prefer_attachment(doc, attachment_text, cover_max_chars=detail.cover_max_chars)
        except UnreadableInput as exc:
            bad.append(("parse", page.url, "unreadable_input", str(exc)))
            continue
        except Exception as exc:  # a parser bug must cost one document, not the run
            bad.append(("parse", page.url, f"parse_error:{type(exc).__name__}", str(exc)[:500]))
            continue
        doc.raw_digest = page.digest
        docs.append(doc)
    return docs, quarantine_frame(bad)


def gate(docs: Sequence[Document], *, run_id: str, paths: DataPaths,
         sites: Sequence[str] | None = None) -> GateResult:
    """Run the document suite. `sites` names each document's harvested site (results are
    reported per site)."""
    return gate_documents(docs, run_id=run_id, gx_dir=paths.gx, sites=sites)


def parse_and_gate_pages(
    articles: Iterable[RawPage],
    *,
    run_id: str,
    paths: DataPaths,
    detail: DetailRules = DEFAULT_DETAIL,
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
    frames: list[BatchFrames] = []
    quarantined: list[pl.DataFrame] = []
    results: list[pl.DataFrame] = []
    pending: list[RawPage] = []

    def parse() -> list[Document]:
        docs, parse_bad = parse_pages(pending, detail=detail, archive_dir=paths.archive,
                                      attachments=attachments)
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


def parse_and_gate(request: SiteRequest, result: HarvestResult, paths: DataPaths, run_id: str,
                   done_runs: frozenset[str] = frozenset(), *,
                   share_gate: bool = False) -> SiteBatch:
    """Parse one site's new pages, plus any an unfinished earlier run left, and gate them
    (with `share_gate`, a site small enough for one chunk is left `ungated`)."""
    profile = load_site_profile(request)
    fresh = {p.url for p in result.pages}
    damaged: list[DamagedRecord] = []
    leftovers = [p for p in pending_pages(paths.archive, profile.name, done_runs, run_id,
                                          damaged.append)
                 if p.url not in fresh]
    pages = [*leftovers, *result.pages]
    gated = parse_and_gate_pages(
        pages, run_id=run_id, paths=paths, detail=profile.detail,
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


def reprocess_site(site: str, paths: DataPaths, run_id: str,
                   damaged: Sequence[DamagedRecord] = ()) -> SiteBatch:
    """Rebuild one site's documents from the raw archive alone (no network).

    One site at a time, parsed a chunk at a time: memory follows the chunk and the site's
    load frames, not the archive. The site's profile, when it still exists, supplies its
    detail rules as in a harvest. A record that cannot be read back is skipped and
    quarantined (`archive_damaged`), with any `damaged` ones found while indexing.
    """
    try:
        detail = load_site_profile(SiteRequest(site=site)).detail
    except ProfileError:
        detail = DEFAULT_DETAIL  # a site whose profile is gone: the known containers and heuristics
    # Articles stream from the archive a chunk at a time; a cover page finds its
    # attachment through the archive index.
    found = list(damaged)
    gated = parse_and_gate_pages(iter_pages(paths.archive, site=site, kinds=("article",),
                                            on_damage=found.append),
                                 run_id=run_id, paths=paths, detail=detail, site=site)
    return SiteBatch(
        site=site,
        run_id=run_id,
        counts=_with_damage({"pages_fetched": 0}, found),
        frames=gated.frames,
        quarantined=pl.concat([damage_quarantine(found), gated.quarantined]),
        dq_results=gated.dq_results,
    )


# ---------------------------------------------------------------- load


def load_batch(batch: SiteBatch, paths: DataPaths, *, lineage: bool = True) -> LoadSummary:
    """Load one site's batch (see `load_batches`)."""
    return load_batches([batch], paths, lineage=lineage)[0]


def load_batches(batches: Sequence[SiteBatch], paths: DataPaths, *,
                 lineage: bool = True) -> list[LoadSummary]:
    """The single writer: gated batches into the warehouse (`warehouse.runs.load_sites`;
    without `lineage`, no task lineage for the new tasks: see `warehouse.load.load_batch`)."""
    if ungated := [b.site for b in batches if b.ungated is not None]:
        raise ValueError(f"batches not gated yet: {', '.join(ungated)} (gate_together first)")
    return load_sites([b.for_load() for b in batches], paths.warehouse, paths.archive,
                      lineage=lineage)
