-- Grain: one row per target or deadline of a current document version that has a due year:
-- its own deadline year, else the latest deadline named in the same task, else the end of
-- the document's period (due_year_source says which).
CREATE OR REPLACE VIEW v_targets_due AS
with documents as (
    select * from dim_document where is_current
),

tasks as (
    select * from fact_task
),

targets as (
    select * from fact_target
),

task_deadlines as (
    select task_key, max(deadline_year) as task_deadline_year
    from targets
    where kind = 'deadline'
    group by task_key
),

leads as (
    select
        m.task_key,
        string_agg(distinct a.canonical_name, '、' order by a.canonical_name) as lead_agencies
    from bridge_task_agency as m
    semi join targets using (task_key)  -- only tasks that have targets: keeps the view cheap
    join dim_agency as a using (agency_key)
    where m.role in ('lead', 'responsible')
    group by m.task_key
),

final as (
    select
        coalesce(g.deadline_year, td.task_deadline_year, d.period_end_year) as due_year,
        case
            when g.deadline_year is not null then 'target'
            when td.task_deadline_year is not null then 'task'
            else 'period'
        end                             as due_year_source,
        g.kind,
        g.value,
        g.unit,
        g.text                          as target_text,
        g.task_key,
        t.heading                       as task_heading,
        l.lead_agencies,
        d.document_key,
        d.title                         as document_title,
        d.url,
        d.region_key,
        r.name                          as region_name
    from targets as g
    join tasks as t using (task_key)
    join documents as d using (document_key)
    left join task_deadlines as td using (task_key)
    left join leads as l using (task_key)
    left join dim_region as r on r.region_key = d.region_key
    where coalesce(g.deadline_year, td.task_deadline_year, d.period_end_year) is not null
)

select * from final;
