-- Grain: one row per version of a document (SCD type 2). Natural key url + content_hash;
-- document_key = gh_key(url|content_hash|version). Exactly one is_current row per url.
CREATE TABLE IF NOT EXISTS dim_document (
    document_key       BIGINT PRIMARY KEY,
    url                VARCHAR NOT NULL,
    source_site        VARCHAR,
    title              VARCHAR,
    doc_type           VARCHAR NOT NULL,
    issuer             VARCHAR,
    region_key         BIGINT,
    publish_date       DATE,
    document_date      DATE,
    period_start_year  INTEGER,
    period_end_year    INTEGER,
    original_script    VARCHAR,
    quality_flags      VARCHAR[],
    content_hash       VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    valid_from         TIMESTAMP NOT NULL,
    valid_to           TIMESTAMP,
    is_current         BOOLEAN NOT NULL,
    region_name        VARCHAR,   -- the region as the document names it
    load_run_id        VARCHAR,   -- run that added this version
    doc_number         VARCHAR,   -- 文号, e.g. 西政办〔2020〕20号
    index_no           VARCHAR,   -- 索引号 of a disclosure page
    source             VARCHAR    -- 来源 / 发布机构 as the page prints it
);
-- Warehouses made before the front matter was parsed (schema version 1): the columns go
-- last so that old and new warehouses have one column order.
ALTER TABLE dim_document ADD COLUMN IF NOT EXISTS doc_number VARCHAR;
ALTER TABLE dim_document ADD COLUMN IF NOT EXISTS index_no VARCHAR;
ALTER TABLE dim_document ADD COLUMN IF NOT EXISTS source VARCHAR;
-- Schema version 3 (issue #28): the plan series and the previous current document of it.
ALTER TABLE dim_document ADD COLUMN IF NOT EXISTS series_key BIGINT;
ALTER TABLE dim_document ADD COLUMN IF NOT EXISTS predecessor_document_key BIGINT;
