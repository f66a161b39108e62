-- One row per schema version applied to this file (see warehouse/schema.py SCHEMA_VERSION).
CREATE TABLE IF NOT EXISTS warehouse_schema_version (
    version     INTEGER PRIMARY KEY,
    checksum    VARCHAR NOT NULL,  -- sha256 of the SQL applied, to spot edited migrations
    applied_at  TIMESTAMP NOT NULL
);
