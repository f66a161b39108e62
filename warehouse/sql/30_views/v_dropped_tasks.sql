-- Grain: one row per dropped task: an item-level task of a current plan whose series has
-- a later plan (the plan naming it predecessor_document_key) in which no task continues it
-- (no carried_over/revised row of fact_task_lineage points at it). Item-level tasks are
-- the tasks fact_task_lineage has rows for.
CREATE OR REPLACE VIEW v_dropped_tasks AS
with lineage as (
    select * from fact_task_lineage
),

successors as (
    select document_key as successor_document_key, predecessor_document_key, series_key
    from dim_document
    where is_current and predecessor_document_key is not null
),

old_tasks as (
    select distinct l.task_key, t.document_key
    from lineage as l
    join fact_task as t using (task_key)
),

continued as (
    select distinct t.document_key as successor_document_key, l.match_task_key as task_key
    from lineage as l
    join fact_task as t using (task_key)
    where l.relation in ('carried_over', 'revised')
),

final as (
    select
        o.task_key,
        o.document_key,
        s.successor_document_key,
        s.series_key
    from successors as s
    join old_tasks as o on o.document_key = s.predecessor_document_key
    anti join continued as c
        on c.successor_document_key = s.successor_document_key and c.task_key = o.task_key
)

select * from final;
