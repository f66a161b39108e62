-- Grain: one row per theme name (e.g. 枫桥经验, 营商环境); theme_key = gh_key(name).
CREATE TABLE IF NOT EXISTS dim_theme (
    theme_key  BIGINT PRIMARY KEY,
    name       VARCHAR NOT NULL UNIQUE
);
