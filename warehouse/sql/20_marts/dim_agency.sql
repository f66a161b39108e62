-- Grain: one row per body: an agency of one place (issue #28). A mention resolves to the
-- body of its document's place: 市司法局 in a 湘潭市 plan is 湘潭市司法局, 区司法局 in a
-- 雨湖区 plan 湘潭市雨湖区司法局, 省司法厅 in a city plan the province's (warehouse.agencies
-- .place_agency). agency_key = gh_key(coalesce(region path, '') || '|' || agency_name).
-- canonical_name is the generic form (市司法局), to compare one kind of body across places;
-- unplaced rows come from plans with no region (region_key NULL).
-- Warehouses of schema version <= 2 (keyed by canonical_name alone) are rebuilt in place
-- by warehouse.db._migrate_agencies before this file runs.
CREATE TABLE IF NOT EXISTS dim_agency (
    agency_key      BIGINT PRIMARY KEY,
    name            VARCHAR NOT NULL,
    canonical_name  VARCHAR NOT NULL,
    is_generic      BOOLEAN NOT NULL,
    level           VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    region_key      BIGINT,
    agency_name     VARCHAR NOT NULL,
    unplaced        BOOLEAN NOT NULL
);
