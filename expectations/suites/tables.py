"""Warehouse table suites, one per table and named after it, over per-table metric frames.

The checks themselves are aggregates DuckDB computes (see `expectations.tables`); each suite
judges a one-row frame of those metrics with `ExpectColumnMaxToBeBetween`, so GX reports the
metric as its observed value and Data Docs show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations as gx
import great_expectations.expectations as gxe


@dataclass(frozen=True, slots=True)
class ForeignKey:
    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    versioned: bool = False  # SCD2: one current version per url, valid_from < valid_to
    count_filter: str | None = None  # which rows the row-count band follows


def _fk(column: str, ref_table: str, ref_column: str | None = None) -> ForeignKey:
    return ForeignKey(column, ref_table, ref_column or column)


# Column names per issue 5 (warehouse/schema.py). Bridges key on the mention / target number.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("dim_region", ("region_key",),
              (_fk("parent_region_key", "dim_region", "region_key"),)),
    TableSpec("dim_agency", ("agency_key",)),
    TableSpec("dim_date", ("date_key",)),
    TableSpec("dim_theme", ("theme_key",)),
    TableSpec("dim_document", ("document_key",), (_fk("region_key", "dim_region"),),
              versioned=True, count_filter="is_current"),
    TableSpec("fact_task", ("task_key",), (
        _fk("document_key", "dim_document"), _fk("region_key", "dim_region"),
        _fk("publish_date_key", "dim_date", "date_key"))),
    TableSpec("bridge_task_agency", ("task_key", "clause_no", "mention_no"), (
        _fk("task_key", "fact_task"), _fk("agency_key", "dim_agency"))),
    TableSpec("bridge_task_theme", ("task_key", "theme_key"), (
        _fk("task_key", "fact_task"), _fk("theme_key", "dim_theme"))),
    TableSpec("fact_target", ("task_key", "target_no"), (_fk("task_key", "fact_task"),)),
)
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)

ROW_COUNT_MIN = "row_count_min"
ROW_COUNT_MAX = "row_count_max"


@dataclass(frozen=True, slots=True)
class Check:
    """One expectation of a table suite: its name and the metric column it judges."""

    name: str
    metric: str
    bounded_by_parameters: bool = False
    meta: dict[str, str] = field(default_factory=dict)


def checks(spec: TableSpec) -> list[Check]:
    out = [Check("primary_key_not_null", "pk_null_rows"),
           Check("primary_key_unique", "pk_duplicate_rows")]
    out += [Check(f"foreign_keys_resolve({fk.column})", f"fk_orphans__{fk.column}")
            for fk in spec.foreign_keys]
    if spec.versioned:
        out += [Check("one_current_version", "urls_without_one_current"),
                Check("valid_from_before_valid_to", "invalid_validity_rows")]
    out.append(Check("row_count_within_band", "row_count", bounded_by_parameters=True))
    return out


def build_suite(spec: TableSpec) -> gx.ExpectationSuite:
    expectations: list[gxe.Expectation] = []
    for check in checks(spec):
        if check.bounded_by_parameters:  # the row-count band, set per run
            expectations.append(gxe.ExpectColumnMaxToBeBetween(
                column=check.metric, meta={"name": check.name},
                min_value={"$PARAMETER": ROW_COUNT_MIN},
                max_value={"$PARAMETER": ROW_COUNT_MAX}))
        else:  # a count of offending rows: must be zero
            expectations.append(gxe.ExpectColumnMaxToBeBetween(
                column=check.metric, meta={"name": check.name}, min_value=0, max_value=0))
    return gx.ExpectationSuite(name=spec.name, expectations=expectations)
