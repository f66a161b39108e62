-- Tables fed from outside the document load: extract's manifests, the gate, the flows.

-- Grain: one row per archived response (a URL fetched in a run), from archive/index/*.parquet.
CREATE TABLE IF NOT EXISTS archive_index (
    url            VARCHAR,
    site           VARCHAR,
    kind           VARCHAR,
    fetched_at     TIMESTAMPTZ,
    status         INTEGER,
    digest         VARCHAR,
    warc_file      VARCHAR,
    "offset"       BIGINT,
    length         BIGINT,
    etag           VARCHAR,
    last_modified  VARCHAR,
    run_id         VARCHAR
);

-- Grain: one row per fetch attempt outcome (run, URL), from archive/fetchlog/*.parquet.
CREATE TABLE IF NOT EXISTS fetch_log (
    run_id        VARCHAR,
    site          VARCHAR,
    url           VARCHAR,
    attempted_at  TIMESTAMPTZ,
    outcome       VARCHAR,
    status        INTEGER,
    attempts      INTEGER,
    elapsed_ms    BIGINT,
    detail        VARCHAR
);

-- Grain: one row per (source, url, reason); re-quarantining updates last_seen and detail.
CREATE TABLE IF NOT EXISTS quarantine (
    source      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR,
    first_seen  TIMESTAMP NOT NULL,
    last_seen   TIMESTAMP NOT NULL,
    PRIMARY KEY (source, url, reason)
);

-- Grain: one row per (run_id, site); site NULL is the whole run.
CREATE TABLE IF NOT EXISTS run_log (
    run_id         VARCHAR NOT NULL,
    site           VARCHAR,
    started_at     TIMESTAMP,
    finished_at    TIMESTAMP,
    pages_fetched  BIGINT,
    new_docs       BIGINT,
    changed_docs   BIGINT,
    not_modified   BIGINT,
    failed         BIGINT,
    blocked        BIGINT,
    out_of_scope   BIGINT,
    quarantined    BIGINT,
    status         VARCHAR,
    too_large      BIGINT,  -- pages past the size cap: archived truncated, retried later
    timeout        BIGINT   -- responses past their time budget: the same
);
-- Warehouses made before too_large and timeout were counted (the columns go last so
-- that old and new warehouses have one column order).
ALTER TABLE run_log ADD COLUMN IF NOT EXISTS too_large BIGINT;
ALTER TABLE run_log ADD COLUMN IF NOT EXISTS timeout BIGINT;

-- Grain: one row per expectation evaluated in a run (append-only history).
CREATE TABLE IF NOT EXISTS dq_result (
    run_id            VARCHAR,
    run_at            TIMESTAMP,
    suite             VARCHAR,
    expectation       VARCHAR,
    table_or_batch    VARCHAR,
    success           BOOLEAN,
    observed          VARCHAR,
    element_count     BIGINT,
    unexpected_count  BIGINT
);

-- Grain: one row per archive manifest file loaded into archive_index or fetch_log (its path
-- under the archive directory and its size then), so a night reads only the manifests written
-- since the last load instead of the whole history; a rewritten manifest (a run id reused)
-- changes size and is read again. When the loader compacts a site's loaded manifests into
-- the newest one, the merged-away rows are deleted and the merged file's row takes its new size.
-- A manifest that could not be read (not Parquet, wrong schema) has its reason in `error`
-- (and loaded_at is when that was found); it is read again at the next load.
CREATE TABLE IF NOT EXISTS archive_manifest (
    manifest    VARCHAR NOT NULL PRIMARY KEY,
    size_bytes  BIGINT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    error       VARCHAR
);
-- Warehouses made before `error` existed.
ALTER TABLE archive_manifest ADD COLUMN IF NOT EXISTS error VARCHAR;
