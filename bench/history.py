"""Benchmark: does a quiet night cost more as the archive's history grows?

A nightly deployment runs every night for years, so whatever a night reads in full (archive
manifests, stored validation results, log tables) makes every later night slower. On a demo
site of 500 documents (--quick: 200) this runs one full `nightly` and then N quiet nights
(--nights, default 40; --quick 12) on the same data directory, the site publishing 3 new
and revising 3 old documents before each night, and times every night with the pipeline
called as plain functions (the steps `nightly` runs; Prefect's overhead is bench/nightly's
business).

Nights vary (how many sites changed, machine noise), so the trend is a least-squares line
through all nights. Baseline: the line's value at the first night. Figure: its value at the
last night, and its slope. Ratio: last / first. Target: at most 1.5 (a night's cost does
not grow with history; at --quick size, too few nights to tell). Not
all of any growth is history: the site grows by 3 articles a night, and each stays in the
nightly revisit set for `revisit_recent_days` (30) after it is published, so each night's
HTTP requests (pages fetched plus not-modified answers, from the warehouse's run_log) are
printed beside its seconds; `--new 0` keeps them constant and isolates history.
Run: .venv/bin/python bench/history.py [--quick] [--nights N]
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
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

TARGET = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 documents, 12 nights")
    parser.add_argument("--nights", type=int, help="quiet nights after the full one")
    parser.add_argument("--new", type=int, default=3,
                        help="articles published before each night (default 3; 0 keeps the "
                             "site's size and its recent-article revisit set constant)")
    args = parser.parse_args()
    documents = 200 if args.quick else 500
    nights = args.nights or (12 if args.quick else 40)
    logging.getLogger("urllib3").setLevel(logging.ERROR)

    from bench.lib.remote_site import RemoteDemoSite
    from bench.lib.runs import requests_per_run
    from bench.nightly import plain_nightly

    with tempfile.TemporaryDirectory() as tmp, \
            RemoteDemoSite(scale=documents, slow_seconds=0.0) as site:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        plain_nightly(site.base_url, data)
        full_s = time.perf_counter() - start
        seconds: list[float] = []
        for night in range(nights):
            site.churn(new=args.new, changed=3)
            start = time.perf_counter()
            plain_nightly(site.base_url, data)
            seconds.append(time.perf_counter() - start)
            print(f"night {night + 1:3d}: {seconds[-1]:6.2f} s", file=sys.stderr, flush=True)
        requests = requests_per_run(data)[1:]  # the full run first

    fit = statistics.linear_regression(range(1, nights + 1), seconds)
    first = fit.intercept + fit.slope
    last = fit.intercept + fit.slope * nights
    ratio = last / first
    print(json.dumps({
        "bench": "history",
        "figures": {"site_documents": site.documents, "nights": nights,
                    "new_per_night": args.new,
                    "full_seconds_with_startup": round(full_s, 2),
                    "fitted_last_night_seconds": round(last, 2),
                    "growth_per_night_seconds": round(fit.slope, 4),
                    "night_seconds": [round(s, 2) for s in seconds],
                    "night_requests": requests},
        "baseline": {"fitted_first_night_seconds": round(first, 2)},
        "ratio": round(ratio, 3),
        "target": f"fitted cost of the last quiet night <= {TARGET:g}x the first's",
        "meets_target": ratio <= TARGET,
    }))


if __name__ == "__main__":
    main()
