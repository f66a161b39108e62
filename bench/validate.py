"""Benchmark: validating the warehouse vs loading the same data.

Data: `bench.lib.synth.synth_frames` (realistic variants of the five parsed seeds; 1,000,000
task rows, --quick 50,000) loaded by the project's load path into a fresh DuckDB file.
Measured side by side in one run:

- load (baseline): `warehouse.load.load_frames` of the frames;
- table checks: `expectations.tables.validate_warehouse` over every table: DuckDB computes
  the key / relationship / version / band aggregates in one query, GX judges them in one
  validation of a frame with a row per check (one suite per table until 2026-12-06; the
  JSON keys keep their `table_suites_*` names so runs stay comparable). Timed cold (fresh
  GX context, suite registered) and warm;
- for scale, the rejected alternative on one table: pulling fact_task's keys into a pandas
  batch and running GX's not-null + unique expectations on it;
- documents suite over the current documents read back from the warehouse (what
  `govharvest validate --suite documents` does), in bounded batches;
- the fixed cost of one documents-suite run over a quiet night's batch (the five seeds):
  as `expectations.validate.run_suite` runs it, through a GX validation definition, beside
  a GX Checkpoint around the same definition (how it ran before 2026-12-05), alternating
  runs, median of each. Reported, not judged.

GX's import (~10 s here, once per process) is paid before timing. Target: the table suites
(cold) cost no more than the load. Ends with one JSON line.

Run: .venv/bin/python bench/validate.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is sys.path[0] and bench/html.py would shadow the stdlib `html`
# module that GX's dependencies import; import project modules from the root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402

import duckdb  # noqa: E402

from bench.lib.synth import synth_frames  # noqa: E402
from warehouse.db import connect  # noqa: E402
from warehouse.load import load_frames  # noqa: E402

OUT = ROOT / "bench" / "out" / "validate"


def _fresh(path: Path) -> Path:
    if path.is_dir():
        shutil.rmtree(path)
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def _pandas_alternative(db: Path, gx_dir: Path) -> float:
    """Pull fact_task's keys into pandas and let GX check not-null + unique (rejected path)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from expectations.context import get_context
    from expectations.validate import run_suite

    suite = gx.ExpectationSuite(name="fact_task_pandas", expectations=[
        gxe.ExpectColumnValuesToNotBeNull(column="task_key", meta={"name": "pk_not_null"}),
        gxe.ExpectColumnValuesToBeUnique(column="task_key", meta={"name": "pk_unique"}),
    ])
    ctx = get_context(gx_dir)
    t0 = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.execute("SELECT task_key FROM fact_task").df()
    outcomes = run_suite(ctx, suite, frame, run_id="bench-pandas")
    assert all(o.success for o in outcomes)
    return time.perf_counter() - t0


def _per_run_ms(gx_dir: Path, runs: int) -> tuple[float, float]:
    """Median ms of one documents-suite run over the five seed documents: through the
    validation definition `run_suite` uses, and through a Checkpoint wrapping it."""
    import datetime as dt
    import statistics

    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from bench.lib.synth import seed_documents
    from expectations.context import get_context
    from expectations.features import document_features, latest_publish_date
    from expectations.suites import documents
    from expectations.validate import result_format, run_suite

    ctx = get_context(gx_dir)
    frame = document_features(seed_documents())
    suite, parameters = documents.build_suite(), documents.parameters(latest_publish_date())
    run_suite(ctx, suite, frame, run_id="bench-warm", parameters=parameters)
    checkpoint = ctx.checkpoints.add_or_update(gx.Checkpoint(
        name="bench-documents", actions=[],
        validation_definitions=[ctx.validation_definitions.get(suite.name)],
        result_format=result_format(frame)))
    definition_s: list[float] = []
    checkpoint_s: list[float] = []
    for n in range(runs):
        t0 = time.perf_counter()
        run_suite(ctx, suite, frame, run_id=f"bench-vd-{n}", parameters=parameters)
        t1 = time.perf_counter()
        checkpoint.run(batch_parameters={"dataframe": frame}, expectation_parameters=parameters,
                       run_id=RunIdentifier(run_name=f"bench-cp-{n}",
                                            run_time=dt.datetime.now(dt.UTC)))
        definition_s.append(t1 - t0)
        checkpoint_s.append(time.perf_counter() - t1)
    return statistics.median(definition_s) * 1000, statistics.median(checkpoint_s) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 tasks instead of 1M")
    parser.add_argument("--skip-documents", action="store_true",
                        help="do not time the documents suite over the warehouse")
    args = parser.parse_args()
    n_tasks = 50_000 if args.quick else 1_000_000
    OUT.mkdir(parents=True, exist_ok=True)

    import great_expectations  # noqa: F401  (pay the one-off import before timing)

    from expectations.ondemand import validate_documents_in_warehouse
    from expectations.tables import validate_warehouse

    frames = synth_frames(n_tasks)
    counts = {name: frame.height for name, frame in frames.as_dict().items()}
    db = _fresh(OUT / "warehouse.duckdb")
    connect(db).close()  # migrations applied up front so only the load is timed
    t0 = time.perf_counter()
    load_frames(db, frames, run_id="bench")
    load_s = time.perf_counter() - t0
    print(f"loaded {counts} in {load_s:.1f}s", file=sys.stderr)

    gx_dir = _fresh(OUT / "gx")
    t0 = time.perf_counter()
    cold = validate_warehouse(db, run_id="bench-1", gx_dir=gx_dir)
    tables_cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = validate_warehouse(db, run_id="bench-2", gx_dir=gx_dir)
    tables_warm_s = time.perf_counter() - t0
    failed = cold.filter(~cold["success"]).select("suite", "expectation", "observed").rows()
    print(f"table suites: cold {tables_cold_s:.2f}s, warm {tables_warm_s:.2f}s, "
          f"{cold.height} checks, failed {failed}", file=sys.stderr)

    pandas_s = _pandas_alternative(db, gx_dir)
    docs_s = None
    doc_rows = None
    if not args.skip_documents:
        t0 = time.perf_counter()
        docs = validate_documents_in_warehouse(db, gx_dir=gx_dir, run_id="bench-docs")
        docs_s = time.perf_counter() - t0
        doc_rows = int(docs.filter(docs["expectation"] == "body_not_empty")["element_count"]
                       .sum())
        print(f"documents suite over {doc_rows} current documents: {docs_s:.1f}s",
              file=sys.stderr)

    definition_ms, checkpoint_ms = _per_run_ms(gx_dir, 5 if args.quick else 15)
    print(f"documents suite, one run over 5 documents: validation definition "
          f"{definition_ms:.0f} ms, checkpoint {checkpoint_ms:.0f} ms", file=sys.stderr)

    ratio = tables_cold_s / load_s
    print(json.dumps({
        "bench": "validate",
        "figures": {
            "tasks": counts["batch_task"],
            "rows_total": sum(counts.values()),
            "table_checks": cold.height,
            "table_checks_failed": len(failed),
            "table_suites_cold_s": round(tables_cold_s, 3),
            "table_suites_warm_s": round(tables_warm_s, 3),
            "fact_task_pandas_pull_pk_checks_s": round(pandas_s, 3),
            "documents_suite_s": None if docs_s is None else round(docs_s, 2),
            "documents_validated": doc_rows,
            "warm_rerun_rows": warm.height,
            "documents_suite_run_ms_5_docs": round(definition_ms),
        },
        "baseline": {"load_s": round(load_s, 3),
                     "documents_suite_run_ms_5_docs_via_checkpoint": round(checkpoint_ms)},
        "ratio": round(ratio, 3),
        "target": "table suites (cold) <= load time of the same data (ratio <= 1)",
        "meets_target": ratio <= 1.0,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
