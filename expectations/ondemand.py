"""`govharvest validate`: run suites over what is already in the warehouse.

The documents suite re-checks the current documents (read back in bounded batches, see
`expectations.stored`); the table suites check the tables. Results are dq_result rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from expectations.config import QualityConfig, load_config
from expectations.gate import DQ_SCHEMA, gate_documents
from expectations.stored import iter_current_documents
from expectations.suites.documents import SUITE as DOCUMENTS_SUITE
from expectations.suites.tables import TABLE_NAMES
from expectations.tables import validate_warehouse

SUITES: tuple[str, ...] = (DOCUMENTS_SUITE, *TABLE_NAMES)


def validate_documents_in_warehouse(db_path: Path, *, gx_dir: Path, run_id: str,
                                    config: QualityConfig | None = None) -> pl.DataFrame:
    """The documents suite over all current documents, merged to one row per (expectation, site)."""
    parts = [gate_documents(batch, run_id=run_id, gx_dir=gx_dir, config=config).results
             for batch in iter_current_documents(db_path)]
    if not parts:
        return pl.DataFrame(schema=DQ_SCHEMA)
    merged = pl.concat(parts).group_by(
        "run_id", "suite", "expectation", "table_or_batch", maintain_order=True
    ).agg(
        pl.col("run_at").min(),
        pl.col("success").all(),
        pl.col("observed").drop_nulls().first(),
        pl.col("element_count").sum(),
        pl.col("unexpected_count").sum(),
    )
    return merged.select(list(DQ_SCHEMA))


def validate_stored(db_path: Path, *, gx_dir: Path, run_id: str,
                    suites: Sequence[str] | None = None,
                    config: QualityConfig | None = None) -> pl.DataFrame:
    """Run the named suites (default: all) over the warehouse; dq_result rows."""
    config = config or load_config()
    wanted = list(suites) if suites else list(SUITES)
    unknown = sorted(set(wanted) - set(SUITES))
    if unknown:
        raise ValueError(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(SUITES)}")
    frames = []
    if DOCUMENTS_SUITE in wanted:
        frames.append(validate_documents_in_warehouse(db_path, gx_dir=gx_dir, run_id=run_id,
                                                      config=config))
    tables = tuple(s for s in wanted if s != DOCUMENTS_SUITE)
    if tables:
        frames.append(validate_warehouse(db_path, run_id=run_id, gx_dir=gx_dir, config=config,
                                         tables=tables))
    return pl.concat(frames) if frames else pl.DataFrame(schema=DQ_SCHEMA)
