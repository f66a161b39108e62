-- Grain: one row per current document version, with its year (gh_doc_year), region name and
-- how many tasks (structural nodes) and targets it holds.
CREATE OR REPLACE VIEW v_current_documents AS
with documents as (
    select * from dim_document where is_current
),

task_counts as (
    select document_key, count(*) as task_count
    from fact_task
    group by document_key
),

target_counts as (
    select t.document_key, count(*) as target_count
    from fact_target as g
    join fact_task as t using (task_key)
    group by t.document_key
),

final as (
    select
        d.document_key,
        d.url,
        d.source_site,
        d.title,
        d.doc_type,
        d.issuer,
        gh_doc_year(d.publish_date, d.period_start_year, d.document_date) as year,
        d.publish_date,
        d.period_start_year,
        d.period_end_year,
        d.region_key,
        r.name                                  as region_name,
        d.quality_flags,
        d.version,
        coalesce(tc.task_count, 0)              as task_count,
        coalesce(gc.target_count, 0)            as target_count
    from documents as d
    left join task_counts as tc using (document_key)
    left join target_counts as gc using (document_key)
    left join dim_region as r on r.region_key = d.region_key
)

select * from final;
