"""Markdown and table summaries of a run, for Prefect artifacts and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from flows.pipeline import SiteBatch
from warehouse.runs import LoadSummary

LOAD_COUNTS = ("new", "changed", "unchanged", "quarantined")


@dataclass(slots=True)
class SiteOutcome:
    site: str
    counts: dict[str, int] = field(default_factory=dict)
    load: LoadSummary | None = None
    dq_passed: int = 0
    dq_failed: int = 0
    error: str | None = None
    empty_lists: list[str] = field(default_factory=list)  # list pages with no article link

    @classmethod
    def of(cls, batch: SiteBatch, load: LoadSummary | None = None) -> SiteOutcome:
        """A site's outcome from its batch (its quality results counted) and its load."""
        results = batch.dq_results
        passed = int(results.filter(pl.col("success")).height) if results is not None else 0
        failed = int(results.height - passed) if results is not None else 0
        return cls(site=batch.site, counts=batch.counts, load=load, dq_passed=passed,
                   dq_failed=failed, empty_lists=list(batch.empty_lists))

    def load_counts(self) -> dict[str, int]:
        """The warehouse's document counts (LOAD_COUNTS), none when the site did not load."""
        load = self.load
        return {"new": load.new, "changed": load.changed, "unchanged": load.unchanged,
                "quarantined": load.quarantined} if load else {}

    def result(self) -> dict[str, object]:
        """The site in a run's result: extract's page counts first (its new and changed
        pages also as pages_*), then the warehouse's document counts, which win on shared
        keys, then the error."""
        return {**self.counts, "pages_new": self.counts.get("new", 0),
                "pages_changed": self.counts.get("changed", 0),
                **dict.fromkeys(LOAD_COUNTS, 0), **self.load_counts(), "error": self.error}


def bad_manifests(outcomes: Sequence[SiteOutcome]) -> list[str]:
    """Archive manifests the warehouse could not load, as of the run's loads."""
    return sorted({m for o in outcomes if o.load for m in o.load.bad_manifests})


def new_documents(batch: SiteBatch) -> list[dict[str, str]]:
    """The documents a batch loaded, as rows of the run's new-documents table artifact."""
    return batch.frames.document.select(
        pl.lit(batch.site).alias("site"),
        pl.col("title").fill_null(""),
        pl.col("url").fill_null(""),
        pl.col("publish_date").dt.to_string("%Y-%m-%d").fill_null(""),
    ).to_dicts()


def _md_cell(value: object) -> str:
    # Scraped titles end up in tables: keep them from breaking the Markdown table.
    return str(value).replace("|", "\\|").replace("\n", " ")


def run_markdown(run_id: str, outcomes: Sequence[SiteOutcome], outputs: dict[str, str],
                 *, kind: str = "nightly") -> str:
    lines = [
        f"# govharvest {kind} run `{run_id}`",
        "",
        "| site | pages | new | changed | not modified | deferred | failed | too large "
        "| timeout | blocked "
        "| out of scope | archive damaged | quarantined | checks passed | checks failed "
        "| status |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        c = o.counts
        load = o.load
        lines.append(
            "| " + " | ".join(_md_cell(v) for v in (
                o.site, c.get("pages_fetched", 0), load.new if load else 0,
                load.changed if load else 0, c.get("not_modified", 0), c.get("deferred", 0),
                c.get("failed", 0), c.get("too_large", 0), c.get("timeout", 0),
                c.get("blocked", 0), c.get("out_of_scope", 0), c.get("archive_damaged", 0),
                load.quarantined if load else 0, o.dq_passed, o.dq_failed,
                f"error: {o.error}" if o.error else "ok",
            )) + " |"
        )
    if outputs:
        lines += ["", "## Outputs", ""]
        lines += [f"- **{name}**: `{path}`" for name, path in outputs.items()]
    bad = dict.fromkeys(m for o in outcomes if o.load for m in o.load.bad_manifests)
    if bad:
        lines += ["", "## Archive manifests not loaded", ""]
        lines += [f"- {_md_cell(m)}" for m in bad]
    empty = [(o.site, url) for o in outcomes for url in o.empty_lists]
    if empty:
        lines += ["", "## List pages with no articles (no_list_items)", ""]
        lines += [f"- **{_md_cell(site)}**: {_md_cell(url)}" for site, url in empty]
    failed = [o for o in outcomes if o.error]
    if failed:
        lines += ["", "## Why sites failed", ""]
        lines += [f"- **{_md_cell(o.site)}**: {_md_cell(o.error)}" for o in failed]
    return "\n".join(lines) + "\n"
