"""Task lineage in the warehouse: `fact_task_lineage` kept up to date by the load (issue #28).

The load calls `update_lineage` with the documents a batch added: their item-level tasks
are matched (`warehouse.lineage.compute_lineage`) against a pool read from the warehouse:
the current documents of the same series, of the same years in the parent regions and in
the child regions, and, one step further, the series and parents of those (so every
document whose rows are recomputed sees its whole pool). The rows of each returned task
replace its stored rows (`merge_incremental` semantics), so a load run twice writes the
same rows as once, and documents loaded night by night give the rows of one batch load.
`rebuild_lineage` recomputes the table from all current documents (`reprocess`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import polars as pl

from warehouse.agencies import Region, region_chains
from warehouse.db import registered, run, transaction, writer
from warehouse.lineage import DEFAULT_CONFIG, TASK_COLUMNS, LineageConfig, compute_lineage

# Item-level tasks: leaf nodes below the preamble (level >= 1 with no child node).
_ITEM_TASKS = """
with tasks as (
    select * from fact_task where document_key in (select document_key from _lineage_docs)
)

select
    t.task_key,
    t.document_key,
    d.series_key,
    gh_doc_year(d.publish_date, d.period_start_year, d.document_date) as year,
    d.region_key,
    coalesce(t.text, t.heading, '') as text
from tasks as t
join dim_document as d using (document_key)
anti join tasks as c on c.document_key = t.document_key and c.parent_node_id = t.node_id
where d.is_current and t.level >= 1
order by t.document_key, t.node_ordinal
"""

_CURRENT_DOCS = """
select document_key, series_key, region_key,
       gh_doc_year(publish_date, period_start_year, document_date) as year
from dim_document where is_current
"""


def _ancestors(chains: dict[int, list[Region]], region_key: int | None) -> list[int]:
    if region_key is None:
        return []
    return [r.region_key for r in chains.get(region_key, [])[1:]]


def _task_frame(con: duckdb.DuckDBPyConnection, doc_keys: Iterable[int],
                chains: dict[int, list[Region]]) -> pl.DataFrame:
    """The item-level tasks of `doc_keys` as a lineage task frame (keys as strings)."""
    keys = pl.DataFrame({"document_key": sorted(set(doc_keys))},
                        schema={"document_key": pl.Int64})
    with registered(con, _lineage_docs=keys.to_arrow()):
        frame = con.sql(_ITEM_TASKS).pl()
    # ancestors per distinct region (few), joined on: not a list built per task
    regions = frame.get_column("region_key").drop_nulls().unique().to_list()
    parents = pl.DataFrame(
        {"region_key": regions,
         "parent_region_key": [[str(k) for k in _ancestors(chains, r)] or None
                               for r in regions]},
        schema={"region_key": pl.Int64, "parent_region_key": pl.List(pl.String)})
    frame = frame.join(parents, on="region_key", how="left", maintain_order="left")
    return frame.with_columns(
        pl.col("task_key").cast(pl.String), pl.col("document_key").cast(pl.String),
        pl.col("series_key").cast(pl.String), pl.col("region_key").cast(pl.String),
    ).select(TASK_COLUMNS)


def _related(docs: pl.DataFrame, seeds: set[int], chains: dict[int, list[Region]]
             ) -> set[int]:
    """Documents sharing a series with `seeds`, or of the same year in an ancestor or a
    descendant region of a seed's region."""
    series = {s for k, s in docs.select("document_key", "series_key").iter_rows()
              if k in seeds and s is not None}
    seed_places: set[tuple[int, int]] = set()  # (region, year) of seeds and their ancestors
    below: set[tuple[int, int]] = set()        # (region, year) of seeds, to find descendants
    for key, region, year in docs.select("document_key", "region_key", "year").iter_rows():
        if key in seeds and region is not None and year is not None:
            below.add((region, year))
            seed_places.update((a, year) for a in _ancestors(chains, region))
    out: set[int] = set()
    for key, s, region, year in docs.select(
            "document_key", "series_key", "region_key", "year").iter_rows():
        same_series = s is not None and s in series
        related_place = region is not None and year is not None and (
            (region, year) in seed_places or (region, year) in below
            or any((a, year) in below for a in _ancestors(chains, region)))
        if same_series or related_place:
            out.add(key)
    return out


def _store(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Replace the stored rows of every task in `rows` by its rows there."""
    frame = rows.with_columns(pl.col("task_key").cast(pl.Int64),
                              pl.col("match_task_key").cast(pl.Int64))
    with registered(con, _lineage_rows=frame.to_arrow()):
        run(con, "DELETE FROM fact_task_lineage WHERE task_key IN "
                 "(SELECT DISTINCT task_key FROM _lineage_rows)")
        run(con, "INSERT INTO fact_task_lineage SELECT task_key, match_task_key, relation, "
                 "score, method FROM _lineage_rows ORDER BY task_key, relation, match_task_key")


def update_lineage(con: duckdb.DuckDBPyConnection, new_documents: Iterable[int],
                   config: LineageConfig = DEFAULT_CONFIG) -> int:
    """Lineage rows for the tasks of `new_documents` (current versions a load just added)
    and the stored tasks they affect; returns the rows written. Rows of tasks whose
    document is no longer current are removed."""
    # the versions this load closed (_doc_changes: the batch just merged)
    run(con, "DELETE FROM fact_task_lineage WHERE task_key IN (SELECT task_key FROM fact_task "
             "WHERE document_key IN (SELECT old_document_key FROM _doc_changes "
             "WHERE status = 'changed'))")
    seeds = set(new_documents)
    if not seeds:
        return 0
    chains = region_chains(con.sql("select * from dim_region").pl())
    docs = con.sql(_CURRENT_DOCS).pl()
    first = _related(docs, seeds, chains) - seeds
    pool_docs = first | _related(docs, first, chains)
    new = _task_frame(con, seeds, chains)
    pool = _task_frame(con, pool_docs - seeds, chains)
    rows = compute_lineage(new, pool, config)
    _store(con, rows)
    return rows.height


def rebuild_lineage(con: duckdb.DuckDBPyConnection,
                    config: LineageConfig = DEFAULT_CONFIG) -> int:
    """Recompute fact_task_lineage from every current document (`reprocess`)."""
    chains = region_chains(con.sql("select * from dim_region").pl())
    docs = con.sql(_CURRENT_DOCS).pl()
    tasks = _task_frame(con, docs.get_column("document_key").to_list(), chains)
    rows = compute_lineage(tasks, None, config)
    run(con, "DELETE FROM fact_task_lineage")
    _store(con, rows)
    return rows.height


def rebuild_lineage_at(path: str | Path, config: LineageConfig = DEFAULT_CONFIG) -> int:
    """`rebuild_lineage` on the warehouse at `path`, in one transaction of its own writer."""
    with writer(path) as con, transaction(con):
        return rebuild_lineage(con, config)
