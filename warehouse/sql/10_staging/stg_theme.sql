with source as (
    select * from batch_theme
),

renamed as (
    select distinct
        batch_seq,
        node_id,
        trim(theme)                         as theme_name
    from source
    where nullif(trim(theme), '') is not null
)

select * from renamed
