-- Grain: one row per structural node (preamble/closing, section, item, ...) of one document
-- version. Natural key document_key + node_id; task_key = gh_key(document_key|node_id).
-- No index: keys are unique by construction and the load path never inserts a version twice.
CREATE TABLE IF NOT EXISTS fact_task (
    task_key           BIGINT NOT NULL,
    document_key       BIGINT NOT NULL,
    node_id            VARCHAR NOT NULL,
    parent_node_id     VARCHAR,
    level              INTEGER NOT NULL,
    label              VARCHAR,
    number             INTEGER,
    heading            VARCHAR,
    text               VARCHAR,
    char_count         INTEGER,
    region_key         BIGINT,
    publish_date_key   INTEGER,
    period_start_year  INTEGER,
    period_end_year    INTEGER,
    node_ordinal       INTEGER    -- position of the node in document order
);
