"""Worker processes (Dask) share one GX file context: concurrent gates must all succeed."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from tests.conftest import SEED_NAMES, seed_text


def _gate_three_times(gx_dir: str) -> int:
    from expectations.gate import gate_documents
    from transform import parse_document

    docs = [parse_document(seed_text(n), url=f"http://x.example/{n}.html") for n in SEED_NAMES]
    accepted = 0
    for i in range(3):
        accepted += len(gate_documents(docs, run_id=f"r{i}", gx_dir=Path(gx_dir)).accepted)
    return accepted


def test_two_processes_gating_into_one_context_both_succeed(tmp_path: Path) -> None:
    gx_dir = str(tmp_path / "gx")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_gate_three_times, [gx_dir, gx_dir])
    assert results == [15, 15]
