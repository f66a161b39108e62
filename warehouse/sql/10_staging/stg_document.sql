-- Staging models are SELECTs over one load batch (frames registered as batch_*); the load
-- path creates each as a TEMP view named after its file. Rename, cast, trim; no business rules.
with source as (
    select * from batch_document
),

renamed as (
    select
        gh_doc_url(url, content_hash)            as url,
        nullif(trim(source_site), '')            as source_site,
        nullif(trim(title), '')                  as title,
        coalesce(nullif(trim(doc_type), ''), 'other') as doc_type,
        nullif(trim(issuer), '')                 as issuer,
        nullif(trim(region), '')                 as region_name,
        nullif(trim(region_path), '')            as region_path,
        cast(publish_date as date)               as publish_date,
        cast(document_date as date)              as document_date,
        cast(period_start_year as integer)       as period_start_year,
        cast(period_end_year as integer)         as period_end_year,
        original_script,
        coalesce(quality_flags, []::varchar[])   as quality_flags,
        content_hash,
        batch_seq,
        nullif(trim(doc_number), '')             as doc_number,
        nullif(trim(index_no), '')               as index_no,
        nullif(trim(source), '')                 as source
    from source
)

select * from renamed
