"""The quality gate: validate a batch of parsed documents, split accepted from quarantined.

A document failing any *blocking* expectation (see `blocking.yaml`) is not accepted: it gets
one quarantine row per failed blocking expectation (`reason` = expectation name, `detail` =
the observed value that failed). Warnings never block: such documents load with their
quality flags. Every expectation is also reported per site as dq_result rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from expectations.config import QualityConfig, load_config
from expectations.context import get_context
from expectations.features import NO_SITE, document_features, latest_publish_date
from expectations.suites import documents as documents_suite
from expectations.validate import Outcome, run_suite
from transform.records import Document

DQ_SCHEMA: dict[str, Any] = {
    "run_id": pl.String, "run_at": pl.Datetime("us"), "suite": pl.String,
    "expectation": pl.String, "table_or_batch": pl.String, "success": pl.Boolean,
    "observed": pl.String, "element_count": pl.Int64, "unexpected_count": pl.Int64,
}
QUARANTINE_SCHEMA: dict[str, Any] = {
    "source": pl.String, "url": pl.String, "reason": pl.String, "detail": pl.String,
}
DETAIL_MAX = 300  # characters of observed value kept in a quarantine row
OBSERVED_SAMPLES = 3


@dataclass(slots=True)
class GateResult:
    accepted: list[Document]
    quarantined: pl.DataFrame  # source, url, reason, detail
    results: pl.DataFrame  # dq_result columns


def utc_now() -> dt.datetime:
    """Naive UTC, as the warehouse stores TIMESTAMP columns."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _show(value: Any) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return "null"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return str(value)


def _detail(features: pd.DataFrame, row: int, name: str) -> str:
    column = documents_suite.EVIDENCE.get(name)
    if column is None:
        return ""
    return f"{column}={_show(features.at[row, column])}"[:DETAIL_MAX]


def gate_documents(
    docs: Sequence[Document],
    *,
    run_id: str,
    gx_dir: Path,
    config: QualityConfig | None = None,
    sites: Sequence[str] | None = None,
) -> GateResult:
    """Validate `docs` with the documents suite; keep those that fail nothing blocking.

    `sites` names the harvested site of each document (default: its source site, the
    host); results are reported per site, and gate quarantine rows carry it as `source`."""
    config = config or load_config()
    if not docs:
        return GateResult([], pl.DataFrame(schema=QUARANTINE_SCHEMA),
                          pl.DataFrame(schema=DQ_SCHEMA))
    if sites is not None and len(sites) != len(docs):
        raise ValueError(f"{len(sites)} site names for {len(docs)} documents")
    run_at = utc_now()
    features = document_features(docs)
    if sites is not None:
        features["site"] = list(sites)
    outcomes = run_suite(
        get_context(gx_dir), documents_suite.build_suite(), features, run_id=run_id,
        parameters=documents_suite.parameters(latest_publish_date()),
    )
    blocked: dict[int, list[tuple[str, str]]] = {}
    for outcome in outcomes:
        if outcome.success or not config.is_blocking(documents_suite.SUITE, outcome.name):
            continue
        for row in outcome.failed_rows:
            reasons = blocked.setdefault(row, [])
            if all(reason != outcome.name for reason, _ in reasons):
                reasons.append((outcome.name, _detail(features, row, outcome.name)))
    quarantine = [
        {"source": features.at[row, "site"], "url": docs[row].url or f"(no url #{row})",
         "reason": reason, "detail": detail}
        for row, reasons in sorted(blocked.items()) for reason, detail in reasons
    ]
    return GateResult(
        accepted=[d for i, d in enumerate(docs) if i not in blocked],
        quarantined=pl.DataFrame(quarantine, schema=QUARANTINE_SCHEMA),
        results=_per_site_results(outcomes, features, run_id=run_id, run_at=run_at),
    )


def site_batch(site: str) -> str:
    """`table_or_batch` of a site's documents-suite rows in dq_result: documents:<site>."""
    return f"{documents_suite.SUITE}:{site}"


def _per_site_results(outcomes: list[Outcome], features: pd.DataFrame, *, run_id: str,
                      run_at: dt.datetime) -> pl.DataFrame:
    """One dq_result row per (expectation, site): `table_or_batch` = documents:<site>."""
    sites = features["site"].fillna(NO_SITE)
    site_sizes = sites.value_counts().to_dict()
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for outcome in outcomes:
        failed_by_site: dict[str, list[int]] = {}
        for row in outcome.failed_rows:
            failed_by_site.setdefault(str(sites.iat[row]), []).append(row)
        for site, size in site_sizes.items():
            failed = failed_by_site.get(str(site), [])
            key = (outcome.name, str(site))
            entry = merged.setdefault(key, {
                "run_id": run_id, "run_at": run_at, "suite": documents_suite.SUITE,
                "expectation": outcome.name, "table_or_batch": site_batch(str(site)),
                "success": True, "observed": [], "element_count": int(size),
                "unexpected_count": 0, "_rows": set(),
            })
            entry["_rows"].update(failed)
            for row in failed[:OBSERVED_SAMPLES]:
                sample = _detail(features, row, outcome.name)
                if sample not in entry["observed"]:
                    entry["observed"].append(sample)
    rows = []
    for entry in merged.values():
        failed_rows = entry.pop("_rows")
        entry["unexpected_count"] = len(failed_rows)
        entry["success"] = not failed_rows
        entry["observed"] = "; ".join(entry["observed"][:OBSERVED_SAMPLES]) or None
        rows.append(entry)
    return pl.DataFrame(rows, schema=DQ_SCHEMA)


def merge_results(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """dq_result rows of several gate runs over one site's chunks as if it were one batch:
    one row per (expectation, batch), counts summed, the first run's samples and time."""
    frames = [p for p in parts if p.height]
    if not frames:
        return pl.DataFrame(schema=DQ_SCHEMA)
    keys = ["run_id", "suite", "expectation", "table_or_batch"]
    return (
        pl.concat(frames)
        .group_by(keys, maintain_order=True)
        .agg(pl.col("run_at").min(), pl.col("success").all(),
             pl.col("observed").drop_nulls().first(),
             pl.col("element_count").sum(), pl.col("unexpected_count").sum())
        .select(list(DQ_SCHEMA))
    )
