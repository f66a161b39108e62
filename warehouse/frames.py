"""Flatten `Document`s into the batch frames the load path registers (`BATCH_SCHEMAS`).

One pass over the documents collects plain column lists; polars builds each frame once
from them with the contract's schema (no per-row frame operations).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields

import polars as pl

from transform.records import Document
from warehouse.schema import BATCH_SCHEMAS


@dataclass(frozen=True, slots=True)
class BatchFrames:
    """One load batch: a document frame and its node-level child frames."""

    document: pl.DataFrame
    task: pl.DataFrame
    unit: pl.DataFrame
    target: pl.DataFrame
    theme: pl.DataFrame

    def as_dict(self) -> dict[str, pl.DataFrame]:
        return {
            "batch_document": self.document,
            "batch_task": self.task,
            "batch_unit": self.unit,
            "batch_target": self.target,
            "batch_theme": self.theme,
        }


_FRAME_NAMES = tuple(f.name for f in fields(BatchFrames))


def polars_schema(name: str) -> pl.Schema:
    return pl.DataFrame(BATCH_SCHEMAS[name].empty_table()).schema


def _frame(name: str, columns: dict[str, list[object]]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=polars_schema(name), strict=False)


def _append(columns: dict[str, list[object]], **values: object) -> None:
    for key, value in values.items():
        columns[key].append(value)


def documents_to_frames(docs: Sequence[Document]) -> BatchFrames:
    doc_cols: dict[str, list[object]] = {k: [] for k in BATCH_SCHEMAS["batch_document"].names}
    task_cols: dict[str, list[object]] = {k: [] for k in BATCH_SCHEMAS["batch_task"].names}
    unit_cols: dict[str, list[object]] = {k: [] for k in BATCH_SCHEMAS["batch_unit"].names}
    target_cols: dict[str, list[object]] = {k: [] for k in BATCH_SCHEMAS["batch_target"].names}
    theme_cols: dict[str, list[object]] = {k: [] for k in BATCH_SCHEMAS["batch_theme"].names}

    for seq, doc in enumerate(docs):
        _append(doc_cols, url=doc.url, source_site=doc.source_site, title=doc.title,
                doc_type=doc.doc_type, issuer=doc.issuer, region=doc.region,
                region_path=doc.region_path,
                publish_date=doc.publish_date, document_date=doc.document_date,
                period_start_year=doc.period_start_year, period_end_year=doc.period_end_year,
                original_script=doc.original_script, quality_flags=list(doc.quality_flags),
                content_hash=doc.content_hash, batch_seq=seq, doc_number=doc.doc_number,
                index_no=doc.index_no, source=doc.source)
        for ordinal, node in enumerate(doc.nodes):
            _append(task_cols, batch_seq=seq, node_id=node.id, parent_node_id=node.parent_id,
                    level=node.level, label=node.label, number=node.number,
                    heading=node.heading, text=node.text, node_ordinal=ordinal)
            for mention_no, unit in enumerate(node.units, start=1):
                _append(unit_cols, batch_seq=seq, node_id=node.id, mention_no=mention_no,
                        clause_no=unit.clause_no, role=unit.role, written_name=unit.name,
                        canonical_name=unit.canonical or unit.name, is_generic=unit.is_generic)
            for target_no, target in enumerate([*node.targets, *node.deadlines], start=1):
                _append(target_cols, batch_seq=seq, node_id=node.id, target_no=target_no,
                        kind=target.kind, value=target.value, unit=target.unit,
                        deadline_year=target.deadline_year, text=target.text)
            for theme in node.themes:
                _append(theme_cols, batch_seq=seq, node_id=node.id, theme=theme)

    return BatchFrames(
        document=_frame("batch_document", doc_cols),
        task=_frame("batch_task", task_cols),
        unit=_frame("batch_unit", unit_cols),
        target=_frame("batch_target", target_cols),
        theme=_frame("batch_theme", theme_cols),
    )


def concat_frames(parts: Sequence[BatchFrames]) -> BatchFrames:
    """One batch from several (each numbered from 0), batch_seq renumbered so each document
    keeps its child rows."""
    if not parts:
        return documents_to_frames([])
    columns: dict[str, list[pl.DataFrame]] = {name: [] for name in _FRAME_NAMES}
    offset = 0
    for part in parts:
        for name in _FRAME_NAMES:
            frame: pl.DataFrame = getattr(part, name)
            columns[name].append(
                frame.with_columns((pl.col("batch_seq") + offset).cast(pl.Int32)))
        offset += part.document.height
    return BatchFrames(**{name: pl.concat(frames) for name, frames in columns.items()})


def split_frames(frames: BatchFrames, size: int) -> Iterator[BatchFrames]:
    """Consecutive batches of at most `size` documents, each numbered from 0 like a batch of
    its own, children alongside."""
    for start in range(0, max(frames.document.height, 1), size):
        keep = pl.col("batch_seq").is_between(start, start + size - 1)
        yield BatchFrames(**{
            name: getattr(frames, name).filter(keep)
            .with_columns((pl.col("batch_seq") - start).cast(pl.Int32))
            for name in _FRAME_NAMES})
