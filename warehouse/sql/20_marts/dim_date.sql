-- Grain: one row per calendar day; date_key = yyyymmdd. Seeded 2000-2035, extended by loads.
CREATE TABLE IF NOT EXISTS dim_date (
    date_key  INTEGER PRIMARY KEY,
    date      DATE NOT NULL,
    year      INTEGER NOT NULL,
    quarter   INTEGER NOT NULL,
    month     INTEGER NOT NULL
);

INSERT INTO dim_date
with days as (
    select cast(d as date) as date
    from range(DATE '2000-01-01', DATE '2036-01-01', INTERVAL 1 DAY) as t(d)
),

keyed as (
    select
        gh_date_key(date)          as date_key,
        date,
        cast(year(date) as integer)    as year,
        cast(quarter(date) as integer) as quarter,
        cast(month(date) as integer)   as month
    from days
)

select keyed.*
from keyed
anti join dim_date using (date_key)
order by date_key;
