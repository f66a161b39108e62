"""Benchmark: does a quiet night cost more as the archive's history grows?

A nightly deployment runs every night for years, so whatever a night reads in full (archive
manifests, stored validation results, log tables) makes every later night slower. On a demo
site of 500 documents (--quick: 200) this runs one full `nightly` and then N quiet nights
(--nights, default 40; --quick 12) on the same data directory, the site publishing 3 new
and revising 3 old documents before each night, and times every night with the pipeline
called as plain functions (the steps `nightly` runs; Prefect's overhead is bench/nightly's
business).

Baseline: the median of the first five quiet nights. Figure: the median of the last five.
Ratio: last / first. Target: at most 1.5 (a night's cost does not grow with history). Not
all of any growth is history: the site grows by 3 articles a night, and each stays in the
nightly revisit set for `revisit_recent_days` (30) after it is published.
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
WINDOW = 5  # nights at each end; their median, as nights vary with how many sites changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 documents, 12 nights")
    parser.add_argument("--nights", type=int, help="quiet nights after the full one")
    args = parser.parse_args()
    documents = 200 if args.quick else 500
    nights = args.nights or (12 if args.quick else 40)
    logging.getLogger("urllib3").setLevel(logging.ERROR)

    from bench.lib.remote_site import RemoteDemoSite
    from bench.nightly import plain_nightly

    with tempfile.TemporaryDirectory() as tmp, \
            RemoteDemoSite(scale=documents, slow_seconds=0.0) as site:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        plain_nightly(site.base_url, data)
        full_s = time.perf_counter() - start
        seconds: list[float] = []
        for night in range(nights):
            site.churn(new=3, changed=3)
            start = time.perf_counter()
            plain_nightly(site.base_url, data)
            seconds.append(time.perf_counter() - start)
            print(f"night {night + 1:3d}: {seconds[-1]:6.2f} s", file=sys.stderr, flush=True)

    first = statistics.median(seconds[:WINDOW])
    last = statistics.median(seconds[-WINDOW:])
    ratio = last / first
    print(json.dumps({
        "bench": "history",
        "figures": {"site_documents": site.documents, "nights": nights,
                    "full_seconds_with_startup": round(full_s, 2),
                    "last_nights_median_seconds": round(last, 2),
                    "growth_per_night_seconds": round((last - first) / max(1, nights - WINDOW), 4),
                    "night_seconds": [round(s, 2) for s in seconds]},
        "baseline": {"first_nights_median_seconds": round(first, 2)},
        "ratio": round(ratio, 3),
        "target": f"median of the last {WINDOW} quiet nights <= {TARGET:g}x the first {WINDOW}'s",
        "meets_target": ratio <= TARGET,
    }))


if __name__ == "__main__":
    main()
