"""Worker processes (Dask) share one GX file context: concurrent gates must all succeed."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from tests.conftest import SEED_NAMES, seed_text


def _gate_three_times(gx_dir: str) -> int:
    from expectations.gate import gate_documents
    from transform import parse_document

    docs = [parse_document(seed_text(n), url=f"http://x.example/{n}.html") for n in SEED_NAMES]
    accepted = 0
    for i in range(3):
        accepted += len(gate_documents(docs, run_id=f"r{i}", gx_dir=Path(gx_dir)).accepted)
    return accepted


@pytest.mark.slow
def test_two_processes_gating_into_one_context_both_succeed(tmp_path: Path) -> None:
    gx_dir = str(tmp_path / "gx")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_gate_three_times, [gx_dir, gx_dir])
    assert results == [15, 15]


def test_a_suite_another_process_removed_is_registered_again_and_run(tmp_path: Path) -> None:
    import great_expectations as gx
    import pandas as pd

    from expectations.context import get_context
    from expectations.validate import run_suite

    def suite(maximum: int) -> gx.ExpectationSuite:
        s = gx.ExpectationSuite(name="amounts")
        s.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
            column="amount", min_value=0, max_value=maximum, meta={"name": "amount_range"}))
        return s

    gx_dir = tmp_path / "gx"
    frame = pd.DataFrame({"doc_index": [0, 1], "amount": [5, 50]})
    ctx = get_context(gx_dir)
    assert [o.success for o in run_suite(ctx, suite(100), frame, run_id="r1")] == [True]
    # Another process (its own context on the same folder) removes what this one registered.
    other = gx.get_context(mode="file", context_root_dir=str(gx_dir))
    other.validation_definitions.delete("amounts")
    other.suites.delete("amounts")

    [outcome] = run_suite(ctx, suite(100), frame, run_id="r2")

    assert (outcome.success, outcome.failed_rows) == (True, [])
    [outcome] = run_suite(ctx, suite(10), frame, run_id="r3")
    assert (outcome.success, outcome.failed_rows) == (False, [1])


def _amounts(maximum: int):  # type: ignore[no-untyped-def]
    import great_expectations as gx

    return gx.ExpectationSuite(name="amounts", expectations=[
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="amount", min_value=0, max_value=maximum, meta={"name": "amount_range"})])


def _fresh_process_context(gx_dir: Path):  # type: ignore[no-untyped-def]
    """What a new process sees: its own context on the folder, nothing registered yet."""
    import great_expectations as gx

    return gx.get_context(mode="file", context_root_dir=str(gx_dir))


def test_a_new_process_reuses_the_stored_definition_without_writing(tmp_path: Path) -> None:
    import pandas as pd

    from expectations.context import get_context
    from expectations.validate import run_suite

    gx_dir = tmp_path / "gx"
    frame = pd.DataFrame({"doc_index": [0, 1], "amount": [5, 50]})
    run_suite(get_context(gx_dir), _amounts(100), frame, run_id="r1")
    stored = sorted((gx_dir / "validation_definitions").iterdir()) + sorted(
        (gx_dir / "expectations").glob("*.json"))
    written = {p: p.stat().st_mtime_ns for p in stored}

    [outcome] = run_suite(_fresh_process_context(gx_dir), _amounts(100), frame, run_id="r2")

    assert outcome.success
    assert {p: p.stat().st_mtime_ns for p in stored} == written


def test_a_new_process_with_a_changed_suite_registers_it_again(tmp_path: Path) -> None:
    import pandas as pd

    from expectations.context import get_context
    from expectations.validate import run_suite

    gx_dir = tmp_path / "gx"
    frame = pd.DataFrame({"doc_index": [0, 1], "amount": [5, 50]})
    run_suite(get_context(gx_dir), _amounts(100), frame, run_id="r1")

    [outcome] = run_suite(_fresh_process_context(gx_dir), _amounts(10), frame, run_id="r2")

    assert (outcome.success, outcome.failed_rows) == (False, [1])
    [stored] = _fresh_process_context(gx_dir).suites.all()
    assert stored.expectations[0].max_value == 10
