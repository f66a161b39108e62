with source as (
    select * from batch_target
),

renamed as (
    select
        batch_seq,
        node_id,
        cast(target_no as integer)          as target_no,
        kind,
        cast(value as double)               as value,
        nullif(trim(unit), '')              as unit,
        cast(deadline_year as integer)      as deadline_year,
        text
    from source
)

select * from renamed
