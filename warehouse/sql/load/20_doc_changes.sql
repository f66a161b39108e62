-- Classify each batch document against the current versions: new, changed or unchanged.
-- A URL given twice in one batch keeps its last occurrence.
CREATE OR REPLACE TEMP TABLE _doc_changes AS
with batch as (
    select *
    from stg_document
    qualify row_number() over (partition by url order by batch_seq desc) = 1
),

current_versions as (
    select url, content_hash, document_key from dim_document where is_current
),

history as (
    select url, max(version) as max_version from dim_document group by url
),

classified as (
    select
        b.*,
        rm.region_key,
        c.document_key                      as old_document_key,
        case
            when c.url is null then 'new'
            when c.content_hash = b.content_hash then 'unchanged'
            else 'changed'
        end                                 as status,
        cast(coalesce(h.max_version, 0) + 1 as integer) as new_version
    from batch as b
    left join current_versions as c using (url)
    left join history as h using (url)
    left join _region_match as rm
        on rm.region_name = b.region_name and rm.region_path is not distinct from b.region_path
)

select
    *,
    case
        when status = 'unchanged' then old_document_key
        else gh_key(url || '|' || content_hash || '|' || new_version)
    end as document_key
from classified;

-- The versions this batch adds (new or changed documents).
CREATE OR REPLACE TEMP TABLE _new_versions AS
select * from _doc_changes where status <> 'unchanged';
