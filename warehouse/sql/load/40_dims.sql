-- Themes and dates the new versions use that the dimensions lack (agencies: see load.py).
INSERT INTO dim_theme
with used as (
    select distinct th.theme_name as name
    from stg_theme as th
    join _doc_changes as c using (url, content_hash)
    where c.status <> 'unchanged'
)

select gh_key(name) as theme_key, name
from used
anti join dim_theme using (name)
order by name;

INSERT INTO dim_date
with used as (
    select distinct publish_date as date
    from _doc_changes
    where status <> 'unchanged' and publish_date is not null
    union
    select distinct document_date
    from _doc_changes
    where status <> 'unchanged' and document_date is not null
)

select
    gh_date_key(date) as date_key,
    date,
    cast(year(date) as integer),
    cast(quarter(date) as integer),
    cast(month(date) as integer)
from used
anti join dim_date on dim_date.date_key = gh_date_key(used.date)
order by date_key;
