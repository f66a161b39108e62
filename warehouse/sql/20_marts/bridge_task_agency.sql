-- Grain: one row per unit mention: a node's mention_no-th unit, in clause part clause_no.
-- An agency named in two clauses of one item has two rows: count tasks with
-- COUNT(DISTINCT task_key).
CREATE TABLE IF NOT EXISTS bridge_task_agency (
    task_key      BIGINT NOT NULL,
    clause_no     INTEGER NOT NULL,
    agency_key    BIGINT NOT NULL,
    role          VARCHAR NOT NULL,
    written_name  VARCHAR NOT NULL,
    mention_no    INTEGER NOT NULL
);
