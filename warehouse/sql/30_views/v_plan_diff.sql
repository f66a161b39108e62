-- Grain: one row per (series, year, relation) over current plans: how a plan's item-level
-- tasks relate to the previous plan of its series (prev_year; NULL for a series' first
-- plan, whose tasks are all new). relation: carried_over, revised, new (tasks of this
-- plan) or dropped (tasks of the previous plan no task here continues). headings: the
-- tasks' headings (their text's start when a task has none) in document order.
CREATE OR REPLACE VIEW v_plan_diff AS
with documents as (
    select
        document_key,
        series_key,
        predecessor_document_key,
        gh_doc_year(publish_date, period_start_year, document_date) as year
    from dim_document
    where is_current and series_key is not null
),

task_relations as (
    -- one series relation per task: carried_over beats revised (merged tasks have several rows)
    select task_key, min(relation) as relation
    from fact_task_lineage
    where relation in ('carried_over', 'revised', 'new')
    group by task_key
),

present as (
    select d.document_key, r.relation, r.task_key
    from task_relations as r
    join fact_task as t using (task_key)
    join documents as d using (document_key)
),

dropped as (
    select successor_document_key as document_key, 'dropped' as relation, task_key
    from v_dropped_tasks
),

rows as (
    select * from present
    union all
    select * from dropped
),

final as (
    select
        d.series_key,
        s.name                                  as series_name,
        d.year,
        p.year                                  as prev_year,
        r.relation,
        count(*)                                as task_count,
        list(coalesce(nullif(t.heading, ''), left(t.text, 40))
             order by t.document_key, t.node_ordinal) as headings
    from rows as r
    join documents as d using (document_key)
    join fact_task as t on t.task_key = r.task_key
    left join documents as p on p.document_key = d.predecessor_document_key
    left join dim_plan_series as s on s.series_key = d.series_key
    group by d.series_key, s.name, d.year, p.year, r.relation
)

select * from final;
