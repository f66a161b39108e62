"""Markdown and table summaries of a run, for Prefect artifacts and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flows.pipeline import LoadSummary


@dataclass(slots=True)
class SiteOutcome:
    site: str
    counts: dict[str, int] = field(default_factory=dict)
    load: LoadSummary | None = None
    dq_passed: int = 0
    dq_failed: int = 0
    error: str | None = None
    empty_lists: list[str] = field(default_factory=list)  # list pages with no article link


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
