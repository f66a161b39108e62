-- Plan series (issue #28 item 2): current documents of one issuer, region and doc_type (or
-- of one region and doc_type when the issuer is missing) over the years. A plan the
-- gazetteer cannot place stands in its series by its title with the years masked
-- ("竹料镇YYYY年法治建设工作要点"): one site's unplaced plans of many places are not one series,
-- and plans keep their title pattern from year to year. Recomputed over all
-- current documents on each load that adds versions: one row per document, cheap next to
-- the facts. A document's predecessor is the current document of its series with the
-- greatest earlier year (the smallest key when several share that year).
CREATE OR REPLACE TEMP TABLE _series_members AS
with documents as (
    select
        document_key,
        nullif(trim(issuer), '')                                           as issuer,
        region_key,
        doc_type,
        gh_doc_year(publish_date, period_start_year, document_date)        as year,
        case when region_key is null then
            regexp_replace(regexp_replace(coalesce(title, ''), '\s+', '', 'g'),
                           '(19|20)\d[\dxX]', 'YYYY', 'g')
        end                                                                as title_stem
    from dim_document
    where is_current
),

placed as (
    select *, coalesce(cast(region_key as varchar), 'title:' || title_stem, '') as place
    from documents
)

select
    *,
    case
        -- an issuer's name may be generic (区依法治区办): its series stays in its place
        when issuer is not null then gh_key('issuer|' || place || '|' || issuer || '|' || doc_type)
        else gh_key('region|' || place || '|' || doc_type)
    end as series_key
from placed;

DELETE FROM dim_plan_series;

INSERT INTO dim_plan_series
with series as (
    -- issuer, place and doc_type make the key, so they are one value per series
    select
        series_key,
        any_value(issuer)                           as issuer,
        any_value(region_key)                       as region_key,
        any_value(doc_type)                         as doc_type,
        any_value(title_stem)                       as title_stem,
        min(year)                                   as first_year,
        max(year)                                   as last_year,
        cast(count(*) as integer)                   as document_count
    from _series_members
    group by series_key
)

select
    s.series_key,
    case
        when s.region_key is null and s.title_stem <> ''
            then coalesce(s.issuer || ' ', '') || s.title_stem
        -- one issuer (a city's 司法局 site) may publish the plans of many places: its
        -- series are told apart by the place, unless the issuer's name already says it
        when s.issuer is not null and r.name is not null and not contains(s.issuer, r.name)
            then s.issuer || ' ' || r.name || ' ' || s.doc_type
        else coalesce(s.issuer, r.name, '(no region)') || ' ' || s.doc_type
    end                                             as name,
    s.issuer,
    s.region_key,
    s.doc_type,
    s.first_year,
    s.last_year,
    s.document_count
from series as s
left join dim_region as r using (region_key)
order by s.series_key;

UPDATE dim_document
SET series_key = p.series_key, predecessor_document_key = p.predecessor_document_key
FROM (
    with years as (
        select series_key, year, min(document_key) as first_key
        from _series_members
        where year is not null
        group by series_key, year
    ),

    previous as (
        select
            series_key,
            year,
            lag(first_key) over (partition by series_key order by year) as predecessor_document_key
        from years
    )

    select m.document_key, m.series_key, pr.predecessor_document_key
    from _series_members as m
    left join previous as pr using (series_key, year)
) AS p
WHERE dim_document.document_key = p.document_key
  AND (dim_document.series_key IS DISTINCT FROM p.series_key
       OR dim_document.predecessor_document_key IS DISTINCT FROM p.predecessor_document_key);
