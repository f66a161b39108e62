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

-- Every (place, canonical name) the batch mentions, alias-resolved, so the unit mentions
-- join a small table instead of placing each mention. load.py places each pair on its
-- document's region (warehouse.agencies.place_agency) into _agency_keys and inserts the
-- bodies dim_agency lacks.
CREATE OR REPLACE TEMP TABLE _agency_names AS
with mentioned as (
    select c.region_key, u.canonical_name as batch_name, bool_or(u.is_generic) as is_generic
    from stg_unit as u
    join _new_versions as c using (batch_seq)
    where nullif(u.canonical_name, '') is not null
    group by c.region_key, u.canonical_name
)

select
    m.region_key,
    m.batch_name,
    coalesce(al.canonical, m.batch_name)            as canonical_name,
    m.is_generic
from mentioned as m
left join agency_alias as al on al.written = m.batch_name;
