-- Resolve each region the batch names to a dim_region row:
-- 1. its gazetteer path, when the parser was certain of it (鼓楼区 in 南京市鼓楼区…);
-- 2. else the most specific region whose name ends the written name (大连市西岗区 -> 西岗区),
--    when exactly one region fits that well (a bare 鼓楼区 fits four: no guess);
-- 3. else a top-level row of its own, keyed by the written name, so every document keeps a
--    region_key and a later batch naming it the same way lands on the same row.
CREATE OR REPLACE TEMP TABLE _region_match AS
with named as (
    select distinct region_name, region_path
    from stg_document
    where region_name is not null
),

by_path as (
    select n.region_name, n.region_path, r.region_key
    from named as n
    join dim_region as r on r.path = n.region_path
),

suffix_fits as (
    select
        n.region_name,
        n.region_path,
        r.region_key,
        length(r.name) as fit,
        max(length(r.name)) over (partition by n.region_name, n.region_path) as best_fit
    from named as n
    join dim_region as r on ends_with(n.region_name, r.name)
    anti join by_path as p on p.region_name = n.region_name
        and p.region_path is not distinct from n.region_path
),

by_name as (
    select region_name, region_path, any_value(region_key) as region_key
    from suffix_fits
    where fit = best_fit
    group by region_name, region_path
    having count(*) = 1
)

select n.region_name, n.region_path,
       coalesce(p.region_key, s.region_key, gh_key(n.region_name)) as region_key,
       p.region_key is null and s.region_key is null as is_unplaced
from named as n
left join by_path as p on p.region_name = n.region_name
    and p.region_path is not distinct from n.region_path
left join by_name as s on s.region_name = n.region_name
    and s.region_path is not distinct from n.region_path;

INSERT INTO dim_region
with unplaced as (
    select distinct region_name from _region_match where is_unplaced
),

final as (
    select
        gh_key(region_name)     as region_key,
        region_name             as name,
        case
            when ends_with(region_name, '省') then 'province'
            when ends_with(region_name, '县') then 'county'
            when ends_with(region_name, '镇') or ends_with(region_name, '乡')
                 or ends_with(region_name, '街道') then 'town'
            when ends_with(region_name, '市') then 'city'
            else 'district'
        end                     as admin_level,
        cast(null as bigint)    as parent_region_key,
        region_name             as path
    from unplaced
)

select final.* from final anti join dim_region using (region_key)
order by region_key;
