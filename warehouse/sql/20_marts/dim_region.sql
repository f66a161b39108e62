-- Grain: one row per administrative area (province, city, district/county, town), seeded
-- from the gazetteer transform/data/regions.csv; region_key = gh_key(path), path like 广东省/广州市/白云区.
CREATE TABLE IF NOT EXISTS dim_region (
    region_key         BIGINT PRIMARY KEY,
    name               VARCHAR NOT NULL,
    admin_level        VARCHAR NOT NULL,
    parent_region_key  BIGINT,
    path               VARCHAR NOT NULL
);
