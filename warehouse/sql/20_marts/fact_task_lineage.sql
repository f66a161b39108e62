-- Grain: one row per (task, relation, matched task) for item-level tasks (leaf nodes of
-- level >= 1) of current documents (issue #28 item 3, warehouse.lineage). relation is
-- carried_over / revised (match in the previous plan of the series), copied_from_parent
-- (match in a same-year plan of a parent region) or new (no series match; match_task_key
-- NULL). Dropped tasks are the view v_dropped_tasks. Computed by the load for new documents
-- and the stored tasks they affect; rebuilt whole by `reprocess`.
CREATE TABLE IF NOT EXISTS fact_task_lineage (
    task_key        BIGINT NOT NULL,
    match_task_key  BIGINT,
    relation        VARCHAR NOT NULL,
    score           DOUBLE,
    method          VARCHAR NOT NULL
);
