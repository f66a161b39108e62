-- Over src_archive_index: every archive/index/*.parquet manifest, read by name.
with source as (
    select * from src_archive_index
),

renamed as (
    select distinct
        cast(url as varchar)            as url,
        cast(site as varchar)           as site,
        cast(kind as varchar)           as kind,
        cast(fetched_at as timestamptz) as fetched_at,
        cast(status as integer)         as status,
        cast(digest as varchar)         as digest,
        cast(warc_file as varchar)      as warc_file,
        cast("offset" as bigint)        as "offset",
        cast(length as bigint)          as length,
        cast(etag as varchar)           as etag,
        cast(last_modified as varchar)  as last_modified,
        cast(run_id as varchar)         as run_id
    from source
)

select * from renamed
