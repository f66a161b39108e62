"""Benchmark: a full nightly run vs an incremental one, and Prefect's own overhead.

On a demo site of at least 2,000 documents (--quick: 200), measured in one process:

1. full: the `nightly` flow on an empty data directory (once here and once in 3; the
   ratios divide by the faster of the two);
2. incremental: the site then publishes 0.5% new and revises 0.5% of its documents
   (`DemoSite.churn`, revisions spread over the whole archive), and `nightly` runs again
   on the same data directory with the default revisit policy: every new document is
   found; a revision of an old page only when tonight is its rotation night (the rest
   within `revisit_days`, or `revisit_aged_days` for a page list-dated over
   `revisit_aged_after_days` ago), and the figures say how many were caught. The night runs
   INCREMENTAL_REPEATS times, each from the same state (the data directory put back in
   place from a snapshot, so every run sees the paths its GX context and Data Docs were
   configured with), and the median counts. The same night also runs once as plain
   functions from that state, which gives Prefect's overhead on a small night. Target:
   incremental wall time <= 10% of the full run. Each run's HTTP requests (from the
   warehouse's run_log) are printed too: a night's fetch cost follows them, and the
   revisit rotation sets most of them.
2a. where an incremental night goes: the site churns as much again and the same pipeline
   runs once more as plain functions, serially, each stage timed (fetch and parse summed
   over the sites; the gate the small sites share, with any big site's gate inside its
   parse; the load of every batch; then the steps of `finish_outputs`, whose Parquet export
   runs beside the report and dashboard, so its seconds overlap theirs, and the
   `outputs_wall` they took together). Reported, not judged.
2b. revalidate-all: `nightly(revalidate_all=True)` right after, as a weekly full check
   would run: a conditional GET for every known page; it catches the remaining revisions.
   Reported beside the target, not part of it.
3. overhead: the same pipeline (fetch+parse per site on a thread pool, the small sites'
   shared gate, serial loads,
   then checks/export/report/dashboard) called as plain functions, then as the `nightly`
   flow, each on a fresh data directory against the same site. Target: <= 20% overhead.

Prefect runs against a temporary local API (prefect_test_harness), started before any
timing. The demo site runs in a process of its own (bench/lib/remote_site.py), as a real
site would, so its request handling is not billed to the harvest; politeness delays are
zero: the site is our own, on 127.0.0.1.
Run: .venv/bin/python bench/nightly.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ heading sys.path would let bench/html.py shadow the stdlib `html`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from functools import partial  # noqa: E402

SITES = ["demo-hunan", "demo-trs", "demo-hanweb"]
# The stages of the split that follow one another (the output steps are inside outputs_wall).
WALL_STAGES = ("fetch", "parse", "gate", "load", "outputs_wall")
# The incremental flow runs this many times from the same state and counts by its median:
# a Prefect 3.8 flow run ends by joining its heartbeat thread, which sleeps in whole
# seconds, so a run's wall time rounds up to the next second of that thread's clock (a
# night whose work takes 1.9 s ends at 2.1 s, one of 2.05 s at 3.1 s).
INCREMENTAL_REPEATS = 5


def plain_nightly(base_url: str, data_dir: Path) -> int:
    """The nightly pipeline without Prefect: same steps, same concurrency, same outputs."""
    from flows import outputs, pipeline
    from flows.config import DataPaths
    from warehouse.runs import completed_runs

    paths = DataPaths(data_dir)
    run_id = pipeline.new_run_id()
    done = completed_runs(paths.warehouse)
    requests = [pipeline.SiteRequest(site=s, base_url=base_url, delay=0) for s in SITES]

    def work(req: pipeline.SiteRequest) -> pipeline.SiteBatch:
        result = pipeline.fetch_site(req, paths, run_id)
        return pipeline.parse_and_gate(req, result, paths, run_id,
                                       done.get(req.site, frozenset()), share_gate=True)

    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(work, requests))
    small = [b for b in batches if b.ungated is not None]  # as the flow: one shared gate
    new = sum(pipeline.load_batch(b, paths).new for b in batches if b.ungated is None)
    if small:
        gated = pipeline.gate_together(small, run_id=run_id, paths=paths)
        new += sum(s.new for s in pipeline.load_batches(gated, paths))
    outputs.finish_outputs(paths, run_id)
    return new


def flow_nightly(base_url: str, data_dir: Path, revalidate_all: bool = False) -> tuple[int, int]:
    from flows.harvest import nightly

    result = nightly(sites=SITES, data_dir=str(data_dir), base_url=base_url, delay=0,
                     revalidate_all=revalidate_all)
    sites = result["sites"].values()
    return sum(s["new"] for s in sites), sum(s["changed"] for s in sites)


def staged_nightly(base_url: str, data_dir: Path) -> dict[str, float]:
    """One night as plain functions, serially, with the seconds of each stage."""
    from flows import outputs, pipeline
    from flows.config import DataPaths
    from warehouse.runs import completed_runs

    paths = DataPaths(data_dir)
    run_id = pipeline.new_run_id()
    done = completed_runs(paths.warehouse)
    stages: dict[str, float] = {}

    def stage(name: str, fn, *args):  # type: ignore[no-untyped-def]
        seconds, out = timed(fn, *args)
        stages[name] = stages.get(name, 0.0) + seconds
        return out

    batches = []
    for site in SITES:
        req = pipeline.SiteRequest(site=site, base_url=base_url, delay=0)
        fetched = stage("fetch", pipeline.fetch_site, req, paths, run_id)
        batches.append(stage("parse", partial(
            pipeline.parse_and_gate, req, fetched, paths, run_id, done.get(site, frozenset()),
            share_gate=True)))
    gated = stage("gate", partial(pipeline.gate_together, batches, run_id=run_id, paths=paths))
    stage("load", pipeline.load_batches, gated, paths)
    stage("outputs_wall", outputs.finish_outputs, paths, run_id, stages)
    return {name: round(seconds, 3) for name, seconds in stages.items()}


def restore(snapshot: Path, data_dir: Path) -> None:
    """Put the data directory back as `snapshot` holds it, at the same path (GX's context
    and Data Docs site record absolute paths: a copy elsewhere would re-render its pages)."""
    shutil.rmtree(data_dir)
    shutil.copytree(snapshot, data_dir)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 documents instead of 2,000")
    parser.add_argument("--documents", type=int, metavar="N",
                        help="site size (default 2,000; --quick 200): larger sites show how "
                             "the incremental night's fixed cost amortises")
    args = parser.parse_args()
    scale = args.documents or (200 if args.quick else 2000)

    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    from prefect.testing.utilities import prefect_test_harness

    from bench.lib.remote_site import RemoteDemoSite
    from bench.lib.runs import requests_per_run

    with tempfile.TemporaryDirectory() as tmp, prefect_test_harness(server_startup_timeout=180):
        root = Path(tmp)
        # Warm-up: imports, the GX context and DuckDB's first connections cost seconds once
        # per process; pay them before timing so "full" measures work, not start-up.
        with RemoteDemoSite(scale=5, slow_seconds=0.0) as warmup:
            plain_nightly(warmup.base_url, root / "warmup")
        with RemoteDemoSite(scale=scale, slow_seconds=0.0) as site:
            docs = site.documents
            full_s, (full_new, _) = timed(flow_nightly, site.base_url, root / "nightly")
            n_churn = max(1, round(docs * 0.005))
            added, revised = site.churn(new=n_churn, changed=n_churn)
            # The same night from the same state, once as plain functions, then as a flow
            # (its duration is quantised, see INCREMENTAL_REPEATS); the last flow run's
            # state is what the revalidate-all night starts from.
            night = root / "nightly"
            shutil.copytree(night, root / "snapshot")
            inc_plain_s, _ = timed(plain_nightly, site.base_url, night)
            inc_runs = []
            for _ in range(INCREMENTAL_REPEATS):
                restore(root / "snapshot", night)
                run_s, (inc_new, inc_changed) = timed(flow_nightly, site.base_url, night)
                inc_runs.append(run_s)
            inc_s = statistics.median(inc_runs)
            all_s, (_, all_changed) = timed(flow_nightly, site.base_url, night, True)
            site.churn(new=n_churn, changed=n_churn)
            split = staged_nightly(site.base_url, root / "nightly")
            full_req, inc_req, all_req, _ = requests_per_run(root / "nightly")
            plain_s, plain_new = timed(plain_nightly, site.base_url, root / "plain")
            flow_s, (flow_new, _) = timed(flow_nightly, site.base_url, root / "flow")

    # Two full flow runs from an empty data directory are timed (the first, and the one of
    # the overhead comparison); the ratios divide by the faster, so one slow full run on
    # this shared machine cannot flatter the incremental night.
    full_best = min(full_s, flow_s)
    inc_ratio = inc_s / full_best
    overhead = flow_s / plain_s - 1
    figures = {
        "site_documents": docs,
        "full_seconds": round(full_s, 2),
        "full_best_seconds": round(full_best, 2),
        "full_new_documents": full_new,
        "incremental_seconds": round(inc_s, 2),
        "incremental_runs_seconds": [round(t, 2) for t in inc_runs],
        "incremental_new_documents": inc_new,
        "incremental_changed_documents": inc_changed,
        "incremental_ratio": round(inc_ratio, 3),
        "site_new_documents": len(added),
        "site_revised_documents": len(revised),
        "incremental_plain_seconds": round(inc_plain_s, 2),
        "incremental_prefect_overhead": round(inc_s / inc_plain_s - 1, 3),
        "incremental_split_seconds": split,
        "full_requests": full_req,
        "incremental_requests": inc_req,
        "revalidate_all_requests": all_req,
        "revalidate_all_seconds": round(all_s, 2),
        "revalidate_all_changed_documents": all_changed,
        "revalidate_all_ratio": round(all_s / full_best, 3),
        "flow_seconds": round(flow_s, 2),
        "plain_seconds": round(plain_s, 2),
        "prefect_overhead": round(overhead, 3),
        "plain_new_documents": plain_new,
        "flow_new_documents": flow_new,
    }
    print(f"full nightly:        {full_s:7.1f} s  ({full_new} new documents of {docs}; "
          f"the faster of two full runs {full_best:.1f} s divides the ratios)")
    print(f"incremental nightly: {inc_s:7.1f} s  (median of "
          + ", ".join(f"{t:.1f}" for t in inc_runs) + f"; {inc_new} of {len(added)} new, "
          f"{inc_changed} of "
          f"{len(revised)} revisions tonight)  ratio {inc_ratio:.3f}")
    print(f"HTTP requests: full {full_req}, incremental {inc_req}, revalidate all {all_req}")
    print(f"incremental as plain functions: {inc_plain_s:.1f} s  (Prefect overhead "
          f"{inc_s / inc_plain_s - 1:+.1%})")
    print("incremental night, serial, by stage: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in split.items())
          + f" (wall {sum(split.get(k, 0.0) for k in WALL_STAGES):.1f} s)")
    print(f"revalidate all:      {all_s:7.1f} s  ({all_changed} more revisions)"
          f"  ratio {all_s / full_best:.3f}")
    print(f"plain functions:     {plain_s:7.1f} s   as Prefect flow: {flow_s:7.1f} s"
          f"  overhead {overhead:+.1%}")
    print(json.dumps({
        "bench": "nightly",
        "figures": figures,
        "baseline": {"full_seconds": round(full_best, 2), "plain_seconds": round(plain_s, 2)},
        "ratio": round(inc_ratio, 3),
        "target": "incremental <= 10% of full; Prefect overhead <= 20%",
        "meets_target": bool(inc_ratio <= 0.10 and overhead <= 0.20),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
