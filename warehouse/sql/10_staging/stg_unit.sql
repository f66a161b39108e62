with source as (
    select * from batch_unit
),

renamed as (
    select
        batch_seq,
        node_id,
        cast(mention_no as integer)         as mention_no,
        cast(clause_no as integer)          as clause_no,
        role,
        trim(written_name)                  as written_name,
        trim(canonical_name)                as canonical_name,
        coalesce(is_generic, false)         as is_generic
    from source
)

select * from renamed
