-- Grain: one row: the size of the current document versions (documents, sites, tasks,
-- targets, and the distinct agencies their tasks name).
CREATE OR REPLACE VIEW v_current_totals AS
with documents as (
    select * from v_current_documents
),

named_agencies as (
    select count(distinct m.agency_key) as agency_count
    from bridge_task_agency as m
    join fact_task as t using (task_key)
    semi join documents as d using (document_key)
),

final as (
    select
        count(*)                                        as document_count,
        count(distinct d.source_site)                   as site_count,
        coalesce(sum(d.task_count), 0)::bigint          as task_count,
        coalesce(sum(d.target_count), 0)::bigint        as target_count,
        (select agency_count from named_agencies)       as agency_count
    from documents as d
)

select * from final;
