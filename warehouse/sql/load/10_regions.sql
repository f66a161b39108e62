-- Regions named by the batch that match no seeded region (exact or as a suffix, e.g.
-- 大连市西岗区 -> 西岗区) become top-level rows, so every document keeps a region_key.
INSERT INTO dim_region
with named as (
    select distinct region_name from stg_document where region_name is not null
),

unmatched as (
    select n.region_name
    from named as n
    where not exists (
        select 1 from dim_region as r where ends_with(n.region_name, r.name)
    )
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
    from unmatched
)

select final.* from final anti join dim_region using (region_key)
order by region_key;
