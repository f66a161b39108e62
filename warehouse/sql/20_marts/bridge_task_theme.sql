-- Grain: one row per (task, theme) the node's own text mentions.
CREATE TABLE IF NOT EXISTS bridge_task_theme (
    task_key   BIGINT NOT NULL,
    theme_key  BIGINT NOT NULL
);
