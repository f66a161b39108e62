-- Deterministic surrogate key: the first 60 bits of md5(natural key) as a positive BIGINT.
-- Stable across runs, machines and DuckDB versions (unlike hash()), so reloading the same
-- input in a fresh warehouse yields the same keys.
CREATE OR REPLACE MACRO gh_key(natural_key) AS
    ('0x' || left(md5(natural_key), 15))::BIGINT;

-- yyyymmdd integer key of dim_date; NULL for an unknown date.
CREATE OR REPLACE MACRO gh_date_key(d) AS
    CASE WHEN d IS NULL THEN NULL
         ELSE (year(d) * 10000 + month(d) * 100 + day(d))::INTEGER END;

-- A document's identity URL: its URL, or a content URN for documents parsed from a file.
CREATE OR REPLACE MACRO gh_doc_url(url, content_hash) AS
    coalesce(nullif(trim(url), ''), 'urn:' || content_hash);

-- The year a document speaks for: publish year, else its period's first year, else signing year.
CREATE OR REPLACE MACRO gh_doc_year(publish_date, period_start_year, document_date) AS
    cast(coalesce(year(publish_date), period_start_year, year(document_date)) as integer);
