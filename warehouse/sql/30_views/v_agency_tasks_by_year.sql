-- Grain: one row per (year, region, agency, role) over current document versions.
-- task_count counts distinct tasks; mention_count counts unit mentions (clause parts).
CREATE OR REPLACE VIEW v_agency_tasks_by_year AS
with documents as (
    select * from dim_document where is_current
),

tasks as (
    select * from fact_task
),

mentions as (
    select * from bridge_task_agency
),

agencies as (
    select * from dim_agency
),

regions as (
    select * from dim_region
),

joined as (
    select
        gh_doc_year(d.publish_date, d.period_start_year, d.document_date) as year,
        d.region_key,
        m.agency_key,
        m.role,
        m.task_key,
        d.document_key
    from mentions as m
    join tasks as t using (task_key)
    join documents as d using (document_key)
),

final as (
    select
        j.year,
        j.region_key,
        r.name                               as region_name,
        j.agency_key,
        a.canonical_name                     as agency_name,
        a.kind                               as agency_kind,
        a.level                              as agency_level,
        a.is_generic,
        j.role,
        count(distinct j.task_key)           as task_count,
        count(*)                             as mention_count,
        count(distinct j.document_key)       as document_count
    from joined as j
    join agencies as a using (agency_key)
    left join regions as r using (region_key)
    group by all
)

select * from final;
