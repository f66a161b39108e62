"""Table contracts: one Arrow schema per warehouse table, under one schema version.

The DDL in `warehouse/sql/` must match these contracts (a test checks it); a new column
is an explicit decision: add it to the SQL and here, and bump `SCHEMA_VERSION`.
`BATCH_SCHEMAS` are the frames `warehouse.frames` builds from `Document`s and the load
path registers into DuckDB (the sources of the `10_staging` views).
"""

from __future__ import annotations

import pyarrow as pa

# 2: dim_document gains doc_number, index_no and source (the front matter of issue #25),
# added last to older warehouses in place.
# 3: agencies as bodies of a place (dim_agency rekeyed, region_key/agency_name/unplaced),
# plan series (dim_plan_series; dim_document.series_key, predecessor_document_key) and task
# lineage (fact_task_lineage), issue #28.
SCHEMA_VERSION = 3

_S = pa.string()
_I32 = pa.int32()
_I64 = pa.int64()
_F64 = pa.float64()
_B = pa.bool_()
_D = pa.date32()
_TS = pa.timestamp("us")
_TSZ = pa.timestamp("us", tz="UTC")

# Year partitions in the Parquet export: facts and bridges go under year=YYYY/ (0 = unknown).
PARTITIONED_TABLES: tuple[str, ...] = (
    "fact_task",
    "bridge_task_agency",
    "bridge_task_theme",
    "fact_target",
)

TABLES: dict[str, pa.Schema] = {
    "dim_region": pa.schema([
        ("region_key", _I64), ("name", _S), ("admin_level", _S), ("parent_region_key", _I64),
        ("path", _S),
    ]),
    "dim_agency": pa.schema([
        ("agency_key", _I64), ("name", _S), ("canonical_name", _S), ("is_generic", _B),
        ("level", _S), ("kind", _S), ("region_key", _I64), ("agency_name", _S),
        ("unplaced", _B),
    ]),
    "dim_plan_series": pa.schema([
        ("series_key", _I64), ("name", _S), ("issuer", _S), ("region_key", _I64),
        ("doc_type", _S), ("first_year", _I32), ("last_year", _I32),
        ("document_count", _I32),
    ]),
    "dim_date": pa.schema([
        ("date_key", _I32), ("date", _D), ("year", _I32), ("quarter", _I32), ("month", _I32),
    ]),
    "dim_theme": pa.schema([("theme_key", _I64), ("name", _S)]),
    "dim_document": pa.schema([
        ("document_key", _I64), ("url", _S), ("source_site", _S), ("title", _S),
        ("doc_type", _S), ("issuer", _S), ("region_key", _I64), ("publish_date", _D),
        ("document_date", _D), ("period_start_year", _I32), ("period_end_year", _I32),
        ("original_script", _S), ("quality_flags", pa.list_(_S)), ("content_hash", _S),
        ("version", _I32), ("valid_from", _TS), ("valid_to", _TS), ("is_current", _B),
        ("region_name", _S), ("load_run_id", _S), ("doc_number", _S), ("index_no", _S),
        ("source", _S), ("series_key", _I64), ("predecessor_document_key", _I64),
    ]),
    "fact_task": pa.schema([
        ("task_key", _I64), ("document_key", _I64), ("node_id", _S), ("parent_node_id", _S),
        ("level", _I32), ("label", _S), ("number", _I32), ("heading", _S), ("text", _S),
        ("char_count", _I32), ("region_key", _I64), ("publish_date_key", _I32),
        ("period_start_year", _I32), ("period_end_year", _I32), ("node_ordinal", _I32),
    ]),
    "bridge_task_agency": pa.schema([
        ("task_key", _I64), ("clause_no", _I32), ("agency_key", _I64), ("role", _S),
        ("written_name", _S), ("mention_no", _I32),
    ]),
    "bridge_task_theme": pa.schema([("task_key", _I64), ("theme_key", _I64)]),
    "fact_task_lineage": pa.schema([
        ("task_key", _I64), ("match_task_key", _I64), ("relation", _S), ("score", _F64),
        ("method", _S),
    ]),
    "fact_target": pa.schema([
        ("task_key", _I64), ("kind", _S), ("value", _F64), ("unit", _S),
        ("deadline_year", _I32), ("text", _S), ("target_no", _I32),
    ]),
    "quarantine": pa.schema([
        ("source", _S), ("url", _S), ("reason", _S), ("detail", _S), ("first_seen", _TS),
        ("last_seen", _TS),
    ]),
    "run_log": pa.schema([
        ("run_id", _S), ("site", _S), ("started_at", _TS), ("finished_at", _TS),
        ("pages_fetched", _I64), ("new_docs", _I64), ("changed_docs", _I64),
        ("not_modified", _I64), ("failed", _I64), ("blocked", _I64), ("out_of_scope", _I64),
        ("quarantined", _I64), ("status", _S), ("too_large", _I64), ("timeout", _I64),
    ]),
    "dq_result": pa.schema([
        ("run_id", _S), ("run_at", _TS), ("suite", _S), ("expectation", _S),
        ("table_or_batch", _S), ("success", _B), ("observed", _S), ("element_count", _I64),
        ("unexpected_count", _I64),
    ]),
    "archive_index": pa.schema([
        ("url", _S), ("site", _S), ("kind", _S), ("fetched_at", _TSZ), ("status", _I32),
        ("digest", _S), ("warc_file", _S), ("offset", _I64), ("length", _I64), ("etag", _S),
        ("last_modified", _S), ("run_id", _S),
    ]),
    "fetch_log": pa.schema([
        ("run_id", _S), ("site", _S), ("url", _S), ("attempted_at", _TSZ), ("outcome", _S),
        ("status", _I32), ("attempts", _I32), ("elapsed_ms", _I64), ("detail", _S),
    ]),
}

VIEWS: tuple[str, ...] = (
    "v_agency_tasks_by_year",
    "v_theme_trend",
    "v_targets_due",
    "v_document_changes",
    "v_current_documents",
    "v_current_totals",
    "v_dropped_tasks",
    "v_plan_diff",
    "v_task_lineage",
    "v_localization",
)
# fact_task_lineage.relation values (v_dropped_tasks adds "dropped").
LINEAGE_RELATIONS: tuple[str, ...] = ("carried_over", "revised", "copied_from_parent", "new")

# Frames registered for one load batch (names as the staging views read them). Child rows
# point at their document by batch_seq (its row in batch_document): an integer join key.
BATCH_SCHEMAS: dict[str, pa.Schema] = {
    "batch_document": pa.schema([
        ("url", _S), ("source_site", _S), ("title", _S), ("doc_type", _S), ("issuer", _S),
        ("region", _S), ("region_path", _S), ("publish_date", _D), ("document_date", _D),
        ("period_start_year", _I32), ("period_end_year", _I32), ("original_script", _S),
        ("quality_flags", pa.list_(_S)), ("content_hash", _S), ("batch_seq", _I32),
        ("doc_number", _S), ("index_no", _S), ("source", _S),
    ]),
    "batch_task": pa.schema([
        ("batch_seq", _I32), ("node_id", _S), ("parent_node_id", _S),
        ("level", _I32), ("label", _S), ("number", _I32), ("heading", _S), ("text", _S),
        ("node_ordinal", _I32),
    ]),
    "batch_unit": pa.schema([
        ("batch_seq", _I32), ("node_id", _S), ("mention_no", _I32),
        ("clause_no", _I32), ("role", _S), ("written_name", _S), ("canonical_name", _S),
        ("is_generic", _B),
    ]),
    "batch_target": pa.schema([
        ("batch_seq", _I32), ("node_id", _S), ("target_no", _I32), ("kind", _S),
        ("value", _F64), ("unit", _S), ("deadline_year", _I32), ("text", _S),
    ]),
    "batch_theme": pa.schema([
        ("batch_seq", _I32), ("node_id", _S), ("theme", _S),
    ]),
}

AGENCY_KINDS: tuple[str, ...] = (
    "party_committee",
    "government_department",
    "court",
    "procuratorate",
    "peoples_congress",
    "other",
)
AGENCY_LEVELS: tuple[str, ...] = ("province", "city", "district", "county", "town", "unknown")
ADMIN_LEVELS: tuple[str, ...] = ("province", "city", "district", "county", "town")
