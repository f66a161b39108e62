-- SCD2: close the current version of changed documents, then add new versions.
UPDATE dim_document
SET valid_to = ctx.loaded_at, is_current = false
FROM _doc_changes AS c, _load_context AS ctx
WHERE dim_document.document_key = c.old_document_key
  AND c.status = 'changed';

INSERT INTO dim_document
with changes as (
    select * from _doc_changes where status <> 'unchanged'
),

ctx as (
    select * from _load_context
)

select
    c.document_key,
    c.url,
    c.source_site,
    c.title,
    c.doc_type,
    c.issuer,
    c.region_key,
    c.publish_date,
    c.document_date,
    c.period_start_year,
    c.period_end_year,
    c.original_script,
    c.quality_flags,
    c.content_hash,
    c.new_version       as version,
    ctx.loaded_at       as valid_from,
    cast(null as timestamp) as valid_to,
    true                as is_current,
    c.region_name,
    ctx.run_id          as load_run_id,
    c.doc_number,
    c.index_no,
    c.source,
    cast(null as bigint) as series_key,               -- set by 60_series
    cast(null as bigint) as predecessor_document_key
from changes as c
cross join ctx
order by c.document_key;
