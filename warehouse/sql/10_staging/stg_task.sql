with source as (
    select * from batch_task
),

renamed as (
    select
        batch_seq,
        node_id,
        parent_node_id,
        cast(level as integer)              as level,
        label,
        cast(number as integer)             as number,
        coalesce(heading, '')               as heading,
        coalesce(text, '')                  as text,
        cast(length(coalesce(text, '')) as integer) as char_count,
        cast(node_ordinal as integer)       as node_ordinal
    from source
)

select * from renamed
