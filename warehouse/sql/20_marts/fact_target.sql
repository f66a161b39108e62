-- Grain: one row per quantified target (kind percent/count) or deadline (kind deadline)
-- found in a node's own text; target_no orders them within the node.
CREATE TABLE IF NOT EXISTS fact_target (
    task_key       BIGINT NOT NULL,
    kind           VARCHAR NOT NULL,
    value          DOUBLE,
    unit           VARCHAR,
    deadline_year  INTEGER,
    text           VARCHAR,
    target_no      INTEGER NOT NULL
);
