"""Benchmark: the idempotent warehouse load vs bare Arrow CTAS vs naive executemany.

Data: `bench.lib.synth.synth_frames` — realistic variants of the five parsed seeds with at
least N task rows (1,000,000; --quick 50,000) plus their unit-mention, theme and target
rows. Measured side by side in one run, on fresh DuckDB files (same storage version):

- load path: `warehouse.load.load_frames` (staging views, SCD2 classification, key
  derivation, dimension upserts, all facts) as one transaction, then the same call again
  (every document unchanged: must write nothing);
- bare: `CREATE TABLE t AS SELECT * FROM arrow_table` of the same five frames;
- executemany: a naive parameterised INSERT of a 10,000-row slice of the task frame.

Load path and bare insert: best of two fresh runs each. Also times each documented view
query (docs/warehouse.md) on the loaded data.
Target: load path <= 3x the bare Arrow insert. Ends with one JSON line.

Run: .venv/bin/python bench/load.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, bench/ heads sys.path and bench/html.py would shadow the stdlib `html`
# (imported by third-party packages), so drop it before importing anything else.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402

import duckdb  # noqa: E402

from bench.lib.synth import synth_frames  # noqa: E402
from warehouse.db import STORAGE_VERSION, connect  # noqa: E402
from warehouse.load import load_frames  # noqa: E402

OUT = ROOT / "bench" / "out" / "load"
EXECUTEMANY_ROWS = 10_000
TARGET_RATIO = 3.0
REPEATS = 2

# The example query of each view in docs/warehouse.md (current_date pinned to a data year).
VIEW_QUERIES: dict[str, str] = {
    "v_agency_tasks_by_year": (
        "SELECT agency_name, sum(task_count) AS lead_tasks FROM v_agency_tasks_by_year "
        "WHERE year = 2022 AND role = 'lead' GROUP BY agency_name "
        "ORDER BY lead_tasks DESC, agency_name LIMIT 3"),
    "v_theme_trend": (
        "SELECT theme, year, task_count FROM v_theme_trend "
        "WHERE theme IN ('枫桥经验', '营商环境') AND year BETWEEN 2021 AND 2025 "
        "ORDER BY theme, year"),
    "v_targets_due": (
        "SELECT region_name, task_heading, kind, target_text, lead_agencies FROM v_targets_due "
        "WHERE due_year = 2023 ORDER BY region_name, task_heading"),
    "v_document_changes": (
        "SELECT url, version, title, task_count_delta, valid_from FROM v_document_changes "
        "WHERE change_kind = 'revised' AND valid_from >= TIMESTAMP '2024-01-01' "
        "ORDER BY valid_from"),
}


def _fresh(name: str) -> Path:
    path = OUT / name
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 tasks instead of 1M")
    args = parser.parse_args()
    n_tasks = 50_000 if args.quick else 1_000_000
    OUT.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    frames = synth_frames(n_tasks)
    synth_s = time.perf_counter() - started
    counts = {name: frame.height for name, frame in frames.as_dict().items()}
    total_rows = sum(counts.values())
    print(f"synthesised {counts} in {synth_s:.1f}s", file=sys.stderr)

    # Best of REPEATS fresh runs for both sides: the machine is shared, so one run is noisy.
    load_s = bare_s = float("inf")
    for rep in range(REPEATS):
        # Load path: migrations applied up front so only the load is timed.
        db = _fresh(f"load_path_{rep}.duckdb")
        connect(db).close()
        t0 = time.perf_counter()
        stats = load_frames(db, frames, run_id="bench")
        load_s = min(load_s, time.perf_counter() - t0)
        assert stats.new == counts["batch_document"]

        # Bare Arrow CTAS of the same rows.
        bare_db = _fresh(f"bare_{rep}.duckdb")
        con = duckdb.connect(str(bare_db),
                             config={"storage_compatibility_version": STORAGE_VERSION})
        t0 = time.perf_counter()
        for name, frame in frames.as_dict().items():
            arrow_table = frame.to_arrow()  # read below by DuckDB's replacement scan
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM arrow_table").fetchall()
        bare_s = min(bare_s, time.perf_counter() - t0)
        con.close()
        bare_db.unlink()

    t0 = time.perf_counter()
    rerun = load_frames(db, frames, run_id="bench-rerun")
    rerun_s = time.perf_counter() - t0
    assert rerun.unchanged == counts["batch_document"] and rerun.new == 0

    # Naive executemany on a 10,000-row slice of the task frame.
    many_db = _fresh("executemany.duckdb")
    con = duckdb.connect(str(many_db), config={"storage_compatibility_version": STORAGE_VERSION})
    task_slice = frames.task.head(EXECUTEMANY_ROWS)
    arrow_table = task_slice.head(0).to_arrow()  # noqa: F841
    con.execute("CREATE TABLE batch_task AS SELECT * FROM arrow_table").fetchall()
    rows = task_slice.rows()
    marks = ", ".join("?" for _ in task_slice.columns)
    t0 = time.perf_counter()
    con.executemany(f"INSERT INTO batch_task VALUES ({marks})", rows)
    many_s = time.perf_counter() - t0
    con.close()

    # Documented view queries on the loaded warehouse.
    view_ms: dict[str, float] = {}
    view_rows: dict[str, int] = {}
    con = connect(db, read_only=True)
    for view, sql in VIEW_QUERIES.items():
        t0 = time.perf_counter()
        view_rows[view] = len(con.execute(sql).fetchall())
        view_ms[view] = round((time.perf_counter() - t0) * 1000, 1)
    con.close()

    ratio = load_s / bare_s
    result = {
        "bench": "load",
        "figures": {
            "tasks": counts["batch_task"],
            "rows_total": total_rows,
            "rows_by_frame": counts,
            "load_path_s": round(load_s, 3),
            "load_path_rows_per_s": round(total_rows / load_s),
            "rerun_unchanged_s": round(rerun_s, 3),
            "executemany_rows": EXECUTEMANY_ROWS,
            "executemany_s": round(many_s, 3),
            "executemany_rows_per_s": round(EXECUTEMANY_ROWS / many_s),
            "synth_s": round(synth_s, 2),
            "view_query_ms": view_ms,
            "view_query_rows": view_rows,
        },
        "baseline": {
            "bare_arrow_ctas_s": round(bare_s, 3),
            "bare_arrow_ctas_rows_per_s": round(total_rows / bare_s),
        },
        "ratio": round(ratio, 2),
        "target": f"idempotent load <= {TARGET_RATIO:g}x bare Arrow CTAS of the same rows",
        "meets_target": ratio <= TARGET_RATIO,
    }
    shutil.rmtree(OUT, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
