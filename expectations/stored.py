"""Current documents read back from the warehouse, for re-running the documents suite.

The warehouse keeps no body column: a document's text is rebuilt as its nodes' own texts in
document order (preamble, sections, items, closing), which is what the parser split the body
into. Units come from `bridge_task_agency` (canonical names via `dim_agency`). Documents are
yielded in bounded batches so validating a large warehouse never holds it all in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from transform.records import Document, Node, Unit

BATCH_DOCUMENTS = 2000

_DOCS = """
SELECT document_key, url, source_site, title, doc_type, issuer, publish_date, document_date,
       period_start_year, period_end_year, original_script, quality_flags, content_hash
FROM dim_document WHERE is_current ORDER BY document_key
"""
_TASKS = """
SELECT t.document_key, t.task_key, t.node_id, t.parent_node_id, t.level, t.label, t.number,
       t.heading, t.text
FROM fact_task t JOIN _keys k USING (document_key)
ORDER BY t.document_key, t.node_ordinal, t.node_id
"""
_UNITS = """
SELECT b.task_key, b.role, b.written_name, coalesce(a.canonical_name, b.written_name) AS canonical,
       coalesce(a.is_generic, false) AS is_generic, b.clause_no
FROM bridge_task_agency b
JOIN fact_task t USING (task_key) JOIN _keys k ON k.document_key = t.document_key
LEFT JOIN dim_agency a USING (agency_key)
ORDER BY b.task_key, b.mention_no
"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    frame = pl.from_arrow(con.sql(sql).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def iter_current_documents(db_path: Path, *, batch_size: int = BATCH_DOCUMENTS
                           ) -> Iterator[list[Document]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        docs = _frame(con, _DOCS)
        for start in range(0, docs.height, batch_size):
            chunk = docs.slice(start, batch_size)
            con.register("_keys", chunk.select("document_key").to_arrow())
            try:
                tasks = _frame(con, _TASKS)
                units = _frame(con, _UNITS)
            finally:
                con.unregister("_keys")
            yield _documents(chunk, tasks, units)


def _documents(docs: pl.DataFrame, tasks: pl.DataFrame, units: pl.DataFrame) -> list[Document]:
    units_by_task: dict[int, list[Unit]] = {}
    for task_key, role, name, canonical, generic, clause_no in units.iter_rows():
        units_by_task.setdefault(task_key, []).append(
            Unit(role=role, name=name, canonical=canonical, is_generic=bool(generic),
                 clause_no=int(clause_no or 0)))
    nodes_by_doc: dict[int, list[Node]] = {}
    for doc_key, task_key, node_id, parent, level, label, number, heading, text in \
            tasks.iter_rows():
        nodes_by_doc.setdefault(doc_key, []).append(Node(
            id=node_id, parent_id=parent, level=int(level), label=label, number=number,
            heading=heading or "", text=text or "", units=units_by_task.get(task_key, [])))
    out = []
    for row in docs.iter_rows(named=True):
        nodes = nodes_by_doc.get(row["document_key"], [])
        out.append(Document(
            url=row["url"], source_site=row["source_site"], title=row["title"],
            publish_date=row["publish_date"], publish_time=None,
            document_date=row["document_date"], issuer=row["issuer"], region=None,
            doc_type=row["doc_type"] or "other",
            period_start_year=row["period_start_year"], period_end_year=row["period_end_year"],
            original_script=row["original_script"] or "simplified",
            quality_flags=list(row["quality_flags"] or []),
            text="\n".join(n.text for n in nodes if n.text), nodes=nodes,
            content_hash=row["content_hash"] or "",
        ))
    return out
