-- Tasks, unit mentions, themes and targets of the new versions, keyed from natural keys:
-- task_key = gh_key(document_key|node_id), agency_key = gh_key(canonical_name).
INSERT INTO fact_task
with changes as (
    select * from _doc_changes where status <> 'unchanged'
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
join changes as c using (url, content_hash);

INSERT INTO bridge_task_agency
with changes as (
    select * from _doc_changes where status <> 'unchanged'
),

units as (
    select * from stg_unit where nullif(canonical_name, '') is not null
),

aliases as (
    select * from agency_alias
)

select
    gh_key(cast(c.document_key as varchar) || '|' || u.node_id)    as task_key,
    u.clause_no,
    gh_key(coalesce(al.canonical, u.canonical_name))               as agency_key,
    u.role,
    u.written_name,
    u.mention_no
from units as u
join changes as c using (url, content_hash)
left join aliases as al on al.written = u.canonical_name;

INSERT INTO bridge_task_theme
with changes as (
    select * from _doc_changes where status <> 'unchanged'
)

select
    gh_key(cast(c.document_key as varchar) || '|' || th.node_id)   as task_key,
    gh_key(th.theme_name)                                           as theme_key
from stg_theme as th
join changes as c using (url, content_hash);

INSERT INTO fact_target
with changes as (
    select * from _doc_changes where status <> 'unchanged'
)

select
    gh_key(cast(c.document_key as varchar) || '|' || g.node_id)    as task_key,
    g.kind,
    g.value,
    g.unit,
    g.deadline_year,
    g.text,
    g.target_no
from stg_target as g
join changes as c using (url, content_hash);
