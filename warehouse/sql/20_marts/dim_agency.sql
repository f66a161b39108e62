-- Grain: one row per canonical agency name (aliases merged); agency_key = gh_key(canonical_name).
CREATE TABLE IF NOT EXISTS dim_agency (
    agency_key      BIGINT PRIMARY KEY,
    name            VARCHAR NOT NULL,
    canonical_name  VARCHAR NOT NULL UNIQUE,
    is_generic      BOOLEAN NOT NULL,
    level           VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL
);
