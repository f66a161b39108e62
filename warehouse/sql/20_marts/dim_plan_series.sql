-- Grain: one row per plan series: the current documents of one issuer in one region (or, when the issuer
-- is missing, of one region and doc_type) over the years (issue #28 item 2).
-- series_key = gh_key('issuer|' || place || '|' || issuer || '|' || doc_type) or
-- gh_key('region|' || place || '|' || doc_type), place = region_key, or for a plan the gazetteer
-- cannot place its title with years masked; rebuilt by every load that adds documents.
CREATE TABLE IF NOT EXISTS dim_plan_series (
    series_key      BIGINT PRIMARY KEY,
    name            VARCHAR NOT NULL,
    issuer          VARCHAR,
    region_key      BIGINT,
    doc_type        VARCHAR NOT NULL,
    first_year      INTEGER,
    last_year       INTEGER,
    document_count  INTEGER NOT NULL
);
