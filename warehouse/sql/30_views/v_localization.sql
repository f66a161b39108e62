-- Grain: one row per current plan with item-level tasks: the share of its tasks copied from
-- a same-year plan of a parent region (copied_from_parent), the parent plan most copied
-- from, and the headings of the copied tasks it localized (method ending :localized, i.e.
-- reworded rather than verbatim), in document order.
CREATE OR REPLACE VIEW v_localization AS
with tasks as (
    select distinct l.task_key, t.document_key, t.node_ordinal, t.heading, t.text
    from fact_task_lineage as l
    join fact_task as t using (task_key)
),

copies as (
    select l.task_key, l.method, p.document_key as parent_document_key
    from fact_task_lineage as l
    join fact_task as p on p.task_key = l.match_task_key
    where l.relation = 'copied_from_parent'
),

per_task as (
    select
        t.document_key,
        t.task_key,
        t.node_ordinal,
        coalesce(nullif(t.heading, ''), left(t.text, 40))             as heading,
        count(c.task_key) > 0                                          as copied,
        bool_or(ends_with(c.method, ':localized'))                     as localized,
        mode(c.parent_document_key)                                    as parent_document_key
    from tasks as t
    left join copies as c using (task_key)
    group by all
),

per_plan as (
    select
        document_key,
        count(*)                                                       as task_count,
        count(*) filter (where copied)                                 as copied_count,
        mode(parent_document_key)                                      as parent_document_key,
        coalesce(list(heading order by node_ordinal) filter (where localized), [])
                                                                       as localized_headings
    from per_task
    group by document_key
),

final as (
    select
        p.document_key,
        d.title,
        coalesce(r.name, d.region_name)                                as region_name,
        gh_doc_year(d.publish_date, d.period_start_year, d.document_date) as year,
        p.parent_document_key,
        pd.title                                                       as parent_title,
        p.task_count,
        p.copied_count,
        round(p.copied_count / p.task_count, 4)                        as copied_share,
        p.localized_headings
    from per_plan as p
    join dim_document as d on d.document_key = p.document_key and d.is_current
    left join dim_region as r on r.region_key = d.region_key
    left join dim_document as pd on pd.document_key = p.parent_document_key
)

select * from final;
