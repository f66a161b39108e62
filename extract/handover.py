"""The archive as the hand-over to the later stages: what they read back from it.

The archive is the durable hand-over between fetching and loading, so a run that dies after
fetching is finished by the next one (`pending_pages`), a reprocess rebuilds everything
from it (`archived_sites`, `index_unindexed`), and a cover page whose attachment did not
change finds the attachment's text there (`AttachmentTexts`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from extract.archive import iter_pages, page_records, read_index, read_record
from extract.attachments import AttachmentError, as_text_page, extract_text
from extract.reindex import reindex, unindexed
from extract.warcread import ArchiveDamage, DamagedRecord
from transform.records import RawPage


def pending_pages(archive_dir: Path, site: str, done: Collection[str], run_id: str,
                  on_damage: Callable[[DamagedRecord], None] | None = None) -> list[RawPage]:
    """Pages archived by earlier runs of `site` that never got loaded (a crash, a failed
    parse task); `done` are its runs that did get loaded, `run_id` the current one.

    Without them, the next run would see only 304s for those pages. Records that cannot be
    read back are skipped and handed to `on_damage`.
    """
    if not (archive_dir / "index").exists():
        return []
    # A completed run also loaded whatever was pending before it, so everything archived
    # up to the latest completed run is done (run ids sort by their start time).
    last_done = max(done, default="")
    runs = read_index(archive_dir, site)["run_id"].unique()
    skip = {r for r in runs.to_list() if r <= last_done} | {run_id}
    return list(iter_pages(archive_dir, site=site, skip_runs=skip, on_damage=on_damage))


def archived_sites(archive_dir: Path) -> list[str]:
    """Every site with records in the archive, by name."""
    return sorted(read_index(archive_dir).get_column("site").unique().to_list())


def index_unindexed(archive_dir: Path) -> dict[str, list[DamagedRecord]]:
    """Index the WARC files no index manifest covers (a deleted or damaged manifest, a run
    killed before its writer closed): the WARC files are the source of truth, so their
    sites and pages must not vanish from a reprocess. Returns, per site, the records those
    files held that could not be read."""
    if not (missing := unindexed(archive_dir)):
        return {}
    done = reindex(archive_dir, only=missing)
    damaged: dict[str, list[DamagedRecord]] = {}
    for record in done.damaged:
        damaged.setdefault(done.sites.get(record.warc_file, ""), []).append(record)
    return damaged


class AttachmentTexts:
    """Attachment text by URL, for `transform.cover`: this batch's attachments first, then
    the latest archived version (of the batch's site when it has one: a site's crawl
    archives the attachments it links)."""

    def __init__(self, batch: Iterable[RawPage], archive_dir: Path | None,
                 site: str | None = None) -> None:
        self.batch = {p.url: p for p in batch if p.kind == "attachment"}
        self.archive_dir = archive_dir
        self.site = site
        self._archived: dict[str, dict[str, Any]] | None = None  # read on the first miss

    def __call__(self, url: str) -> str | None:
        page = self.page(url)
        if page is None:
            return None
        return extract_text(page.body, content_type=page.header("content-type"), url=page.url)

    def page(self, url: str) -> RawPage | None:
        """The attachment as a text page, or None when neither the batch nor the archive
        has a readable one."""
        if url in self.batch or self.archive_dir is None:
            return self.batch.get(url)
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
        if self._archived is None:
            self._archived = {}
            if self.archive_dir is not None and (self.archive_dir / "index").exists():
                rows = page_records(self.archive_dir, site=self.site, kinds=("attachment",))
                self._archived = {row["url"]: row for row in rows.iter_rows(named=True)}
        return self._archived
