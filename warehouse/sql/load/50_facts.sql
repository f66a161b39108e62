-- Tasks, unit mentions, themes and targets of the new versions, keyed from natural keys:
-- task_key = gh_key(document_key|node_id); agency_key from _agency_keys (place, name).
-- Tasks find their document by batch_seq (an integer join against the small
-- _new_versions table) and hash their key inline. Mentions, themes and targets look the
-- key up in _task_keys: a join on (batch_seq, node_id) is cheaper than hashing again.
CREATE OR REPLACE TEMP TABLE _task_keys AS
select
    t.batch_seq,
    t.node_id,
    gh_key(cast(c.document_key as varchar) || '|' || t.node_id) as task_key
from stg_task as t
join _new_versions as c using (batch_seq);

INSERT INTO fact_task
with changes as (
    select * from _new_versions
),

tasks as (
    select * from stg_task
)

select
    gh_key(cast(c.document_key as varchar) || '|' || t.node_id) as task_key,
    c.document_key,
    t.node_id,
    t.parent_node_id,
    t.level,
    t.label,
    t.number,
    t.heading,
    t.text,
    t.char_count,
    c.region_key,
    gh_date_key(c.publish_date)     as publish_date_key,
    c.period_start_year,
    c.period_end_year,
    t.node_ordinal
from tasks as t
join changes as c using (batch_seq);

INSERT INTO bridge_task_agency
select
    k.task_key,
    u.clause_no,
    n.agency_key,
    u.role,
    u.written_name,
    u.mention_no
from stg_unit as u
join _task_keys as k using (batch_seq, node_id)
join _new_versions as c using (batch_seq)
join _agency_keys as n
    on n.batch_name = u.canonical_name and n.region_key is not distinct from c.region_key;

INSERT INTO bridge_task_theme
select
    k.task_key,
    gh_key(th.theme_name)   as theme_key
from stg_theme as th
join _task_keys as k using (batch_seq, node_id);

INSERT INTO fact_target
select
    k.task_key,
    g.kind,
    g.value,
    g.unit,
    g.deadline_year,
    g.text,
    g.target_no
from stg_target as g
join _task_keys as k using (batch_seq, node_id);
