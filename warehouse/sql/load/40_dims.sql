-- Themes, dates and agencies the new versions use that the dimensions lack.
INSERT INTO dim_theme
with used as (
    select distinct th.theme_name as name
    from stg_theme as th
    semi join _new_versions as c using (batch_seq)
)

select gh_key(name) as theme_key, name
from used
anti join dim_theme using (name)
order by name;

INSERT INTO dim_date
with used as (
    select distinct publish_date as date
    from _new_versions
    where publish_date is not null
    union
    select distinct document_date
    from _new_versions
    where document_date is not null
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

-- Every canonical name the batch mentions, alias-resolved and keyed once, so the unit
-- mentions join a small table instead of hashing each mention. load.py classifies and
-- inserts the names dim_agency lacks.
CREATE OR REPLACE TEMP TABLE _agency_names AS
with mentioned as (
    select canonical_name as batch_name, bool_or(is_generic) as is_generic
    from stg_unit
    semi join _new_versions using (batch_seq)
    where nullif(canonical_name, '') is not null
    group by canonical_name
)

select
    m.batch_name,
    coalesce(al.canonical, m.batch_name)            as canonical_name,
    gh_key(coalesce(al.canonical, m.batch_name))    as agency_key,
    m.is_generic
from mentioned as m
left join agency_alias as al on al.written = m.batch_name;
