with source as (
    select * from batch_theme
),

renamed as (
    select distinct
        gh_doc_url(url, content_hash)       as url,
        content_hash,
        node_id,
        trim(theme)                         as theme_name
    from source
    where nullif(trim(theme), '') is not null
)

select * from renamed
