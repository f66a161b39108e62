-- Grain: one row per document version, with what changed against the previous version.
CREATE OR REPLACE VIEW v_document_changes AS
with documents as (
    select * from dim_document
),

task_counts as (
    select document_key, count(*) as task_count
    from fact_task
    group by document_key
),

versions as (
    select
        d.url,
        d.title,
        d.version,
        d.document_key,
        d.content_hash,
        d.valid_from,
        d.valid_to,
        d.is_current,
        coalesce(tc.task_count, 0) as task_count,
        lag(d.content_hash) over w as previous_content_hash,
        lag(coalesce(tc.task_count, 0)) over w as previous_task_count,
        lag(d.title) over w as previous_title
    from documents as d
    left join task_counts as tc using (document_key)
    window w as (partition by d.url order by d.version)
),

final as (
    select
        url,
        version,
        case when version = 1 then 'added' else 'revised' end as change_kind,
        title,
        previous_title,
        content_hash,
        previous_content_hash,
        task_count,
        task_count - coalesce(previous_task_count, 0) as task_count_delta,
        valid_from,
        valid_to,
        is_current,
        document_key
    from versions
)

select * from final;
