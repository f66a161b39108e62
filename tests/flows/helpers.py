"""Helpers for flow tests: compare two warehouses by content; read the shipped automation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import yaml

AUTOMATIONS = Path(__file__).resolve().parents[2] / "flows" / "automations.yaml"

# Tables whose rows describe content (not when or how often it was fetched): two runs that
# saw the same pages must agree on all of them, column by column.
CONTENT_COLUMNS: dict[str, str] = {
    "dim_document": "url, content_hash, version, is_current, title, doc_type, region_key",
    "fact_task": "task_key, document_key, node_id, level, heading, text",
    "bridge_task_agency": "task_key, clause_no, agency_key, role, written_name",
    "bridge_task_theme": "task_key, theme_key",
    "fact_target": "task_key, kind, value, unit, deadline_year, text",
    "dim_agency": "agency_key, canonical_name, kind",
}


def content_fingerprint(db_path: Path) -> dict[str, tuple[int, str]]:
    """(row count, md5 over sorted rows) per content table."""
    out: dict[str, tuple[int, str]] = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for table, cols in CONTENT_COLUMNS.items():
            count, digest = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) "
                f"FROM (SELECT CAST(ROW({cols}) AS VARCHAR) AS r FROM {table})"
            ).fetchone() or (0, "")
            out[table] = (int(count), str(digest))
    return out


def shipped_automation() -> dict[str, Any]:
    """The one automation flows/automations.yaml declares, as `prefect automation create`
    reads it."""
    (only,) = yaml.safe_load(AUTOMATIONS.read_text(encoding="utf-8"))["automations"]
    return dict(only)
