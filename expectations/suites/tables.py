"""The warehouse table checks and the one GX suite that judges them.

Each table has its checks (keys, relationships, versions, the row-count band), and each check
is an aggregate DuckDB computes (see `expectations.tables`). GX judges them all in one
validation over a frame with one row per check: its observed value and the band it must lie
in (0..0 for a count of offending rows; the row-count band from the previous run). Two
expectations say "observed <= allowed_max" and "observed >= allowed_min" for every row, so
a failing check is a failing row, found in the result by its `check_no`.

Why rows, not a suite per table with an expectation per check (as before 2026-12-06): GX's
cost is per validation and per expectation (~6 ms each), not per row, so 9 validations of
33 expectations took ~0.27 s a night and rendered 9 Data Docs pages; one validation of two
expectations takes ~0.12 s and one page (bench/nightly.py's `warehouse_suites` stage).
In `dq_result`, `suite` stays the table's name and `expectation` the check's.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe

from warehouse.schema import LINEAGE_RELATIONS


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
    # Key columns that may be NULL (still part of the uniqueness check): a lineage row of a
    # new task has no matched task.
    nullable_key: tuple[str, ...] = ()
    # (column, accepted values): rows with another non-null value offend.
    accepted_values: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _fk(column: str, ref_table: str, ref_column: str | None = None) -> ForeignKey:
    return ForeignKey(column, ref_table, ref_column or column)


# Column names per issue 5 (warehouse/schema.py). Bridges key on the mention / target number.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("dim_region", ("region_key",),
              (_fk("parent_region_key", "dim_region", "region_key"),)),
    TableSpec("dim_agency", ("agency_key",), (_fk("region_key", "dim_region"),)),
    TableSpec("dim_plan_series", ("series_key",), (_fk("region_key", "dim_region"),)),
    TableSpec("dim_date", ("date_key",)),
    TableSpec("dim_theme", ("theme_key",)),
    TableSpec("dim_document", ("document_key",), (
        _fk("region_key", "dim_region"), _fk("series_key", "dim_plan_series"),
        _fk("predecessor_document_key", "dim_document", "document_key")),
              versioned=True, count_filter="is_current"),
    TableSpec("fact_task", ("task_key",), (
        _fk("document_key", "dim_document"), _fk("region_key", "dim_region"),
        _fk("publish_date_key", "dim_date", "date_key"))),
    TableSpec("bridge_task_agency", ("task_key", "clause_no", "mention_no"), (
        _fk("task_key", "fact_task"), _fk("agency_key", "dim_agency"))),
    TableSpec("bridge_task_theme", ("task_key", "theme_key"), (
        _fk("task_key", "fact_task"), _fk("theme_key", "dim_theme"))),
    TableSpec("fact_target", ("task_key", "target_no"), (_fk("task_key", "fact_task"),)),
    TableSpec("fact_task_lineage", ("task_key", "relation", "match_task_key"), (
        _fk("task_key", "fact_task"), _fk("match_task_key", "fact_task", "task_key")),
              nullable_key=("match_task_key",),
              accepted_values=(("relation", LINEAGE_RELATIONS),)),
)
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)

SUITE_NAME = "warehouse_tables"
# The columns of the frame the suite judges, one row per check.
CHECK_NO = "check_no"  # the row's number: GX reports failing rows by it
TABLE = "table"  # with CHECK, what Data Docs list for a failing row
CHECK = "check"
OBSERVED = "observed"
ALLOWED_MIN = "allowed_min"
ALLOWED_MAX = "allowed_max"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of a table: its name and the metric (a column of its metrics query) it judges."""

    name: str
    metric: str
    band_from_history: bool = False  # the row-count band from the previous run; else 0..0


def checks(spec: TableSpec) -> list[Check]:
    out = [Check("primary_key_not_null", "pk_null_rows"),
           Check("primary_key_unique", "pk_duplicate_rows")]
    out += [Check(f"foreign_keys_resolve({fk.column})", f"fk_orphans__{fk.column}")
            for fk in spec.foreign_keys]
    out += [Check(f"accepted_values({column})", f"unaccepted__{column}")
            for column, _ in spec.accepted_values]
    if spec.versioned:
        out += [Check("one_current_version", "urls_without_one_current"),
                Check("valid_from_before_valid_to", "invalid_validity_rows")]
    out.append(Check("row_count_within_band", "row_count", band_from_history=True))
    return out


def build_suite() -> gx.ExpectationSuite:
    """Every check's observed value within its allowed band (rows are checks)."""
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=[
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=ALLOWED_MAX, column_B=OBSERVED, or_equal=True,
            meta={"name": "observed_at_most_allowed_max"}),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=OBSERVED, column_B=ALLOWED_MIN, or_equal=True,
            meta={"name": "observed_at_least_allowed_min"}),
    ])
