-- Over src_fetch_log: every archive/fetchlog/*.parquet manifest, read by name.
with source as (
    select * from src_fetch_log
),

renamed as (
    select distinct
        cast(run_id as varchar)             as run_id,
        cast(site as varchar)               as site,
        cast(url as varchar)                as url,
        cast(attempted_at as timestamptz)   as attempted_at,
        cast(outcome as varchar)            as outcome,
        cast(status as integer)             as status,
        cast(attempts as integer)           as attempts,
        cast(elapsed_ms as bigint)          as elapsed_ms,
        cast(detail as varchar)             as detail
    from source
)

select * from renamed
