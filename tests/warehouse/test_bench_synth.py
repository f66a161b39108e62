"""bench/lib/synth.py: the benchmark warehouse other benchmarks reuse is realistic and sized."""

from __future__ import annotations

from pathlib import Path

from bench.lib.synth import build_benchmark_warehouse, synth_frames
from tests.warehouse.factories import annotated_documents
from tests.warehouse.helpers import query, scalar


def test_variants_reach_the_requested_task_count_with_varied_keys() -> None:
    frames = synth_frames(3_000, base=annotated_documents())
    assert frames.task.height >= 3_000
    docs = frames.document
    assert docs["url"].n_unique() == docs.height == docs["content_hash"].n_unique()
    assert docs["region"].n_unique() > 5
    assert docs["publish_date"].dt.year().n_unique() > 3
    assert set(frames.task["batch_seq"].unique()) == set(docs["batch_seq"])


def test_build_benchmark_warehouse_loads_through_the_load_path(tmp_path: Path) -> None:
    db = build_benchmark_warehouse(tmp_path / "bench.duckdb", n_tasks=2_000)
    assert scalar(db, "SELECT count(*) FROM fact_task") >= 2_000
    assert scalar(db, "SELECT count(*) - count(DISTINCT task_key) FROM fact_task") == 0
    # Local agencies carry their variant's city: 市司法局 -> <city>市司法局.
    names = [r[0] for r in query(db, "SELECT canonical_name FROM dim_agency "
                                     "WHERE canonical_name LIKE '%市司法局'")]
    assert len(names) > 1
    assert query(db, "SELECT count(*) > 0 FROM v_agency_tasks_by_year") == [(True,)]
