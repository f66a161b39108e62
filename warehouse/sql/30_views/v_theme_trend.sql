-- Grain: one row per (theme, year) over current document versions.
CREATE OR REPLACE VIEW v_theme_trend AS
with documents as (
    select * from dim_document where is_current
),

tasks as (
    select * from fact_task
),

theme_links as (
    select * from bridge_task_theme
),

themes as (
    select * from dim_theme
),

final as (
    select
        th.name                                                            as theme,
        gh_doc_year(d.publish_date, d.period_start_year, d.document_date)  as year,
        count(distinct l.task_key)                                         as task_count,
        count(distinct d.document_key)                                     as document_count,
        count(distinct d.region_key)                                       as region_count
    from theme_links as l
    join themes as th using (theme_key)
    join tasks as t using (task_key)
    join documents as d using (document_key)
    group by all
)

select * from final;
