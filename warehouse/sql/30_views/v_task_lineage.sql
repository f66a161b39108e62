-- Grain: one row per (task, step) of a task's chain back through its series: step 0 is
-- the task itself, step 1 its predecessor, ... following its best carried_over/revised
-- match (highest score, then smallest key; a merged task follows its best part).
-- relation and score say how ancestor_task_key continues its own predecessor (the row at
-- step + 1): carried_over or revised, or new where the chain begins. Filter on task_key.
CREATE OR REPLACE VIEW v_task_lineage AS
with recursive best as (
    select task_key, match_task_key, relation, score
    from fact_task_lineage
    where relation in ('carried_over', 'revised', 'new')
    qualify row_number() over (
        partition by task_key
        order by (relation = 'new'), score desc nulls last, match_task_key) = 1
),

chain(task_key, step, ancestor_task_key) as (
    select task_key, 0, task_key from best
    union all
    select c.task_key, c.step + 1, b.match_task_key
    from chain as c
    join best as b on b.task_key = c.ancestor_task_key
    where b.match_task_key is not null and c.step < 50
),

final as (
    select
        c.task_key,
        c.step,
        c.ancestor_task_key,
        gh_doc_year(d.publish_date, d.period_start_year, d.document_date) as year,
        t.heading,
        t.text,
        b.relation,
        b.score
    from chain as c
    join fact_task as t on t.task_key = c.ancestor_task_key
    join dim_document as d using (document_key)
    left join best as b on b.task_key = c.ancestor_task_key
)

select * from final;
