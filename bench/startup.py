"""Benchmark: how long a fresh process takes to import the nightly pipeline.

Every CLI call, `make demo`, the Prefect worker's flow-run process and each Dask worker is a
fresh interpreter that imports GX, Prefect, polars, DuckDB and plotly before doing any work.
`make install` compiles the environment's bytecode (`uv sync --compile-bytecode`); uv does
not by default, and where PYTHONDONTWRITEBYTECODE is set (this machine, many containers)
the interpreter then recompiles every imported module from source in every process.

Measured side by side in one run, alternating, each a fresh `python -c "import ..."`:

- with bytecode: the installed environment as `make install` leaves it;
- baseline, without: the same interpreter pointed at an empty bytecode cache
  (PYTHONPYCACHEPREFIX, with PYTHONDONTWRITEBYTECODE=1), which is what an install without
  compiled bytecode costs on every start.

Target: a start with bytecode takes at most 60% of one without. Ends with one JSON line.

Run: .venv/bin/python bench/startup.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What `govharvest nightly` imports before its first fetch.
MODULES = ("flows.harvest", "expectations.gate", "expectations.report", "dashboards.build",
           "warehouse.load", "warehouse.export")
TARGET_RATIO = 0.6


def _start(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import " + ", ".join(MODULES)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 starts each instead of 5")
    args = parser.parse_args()
    rounds = 2 if args.quick else 5
    base = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    base.pop("PYTHONPYCACHEPREFIX", None)
    with_bytecode: list[float] = []
    without: list[float] = []
    _start(base)  # warm the page cache so neither side pays for reading files off disk
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as empty:
            without.append(_start({**base, "PYTHONPYCACHEPREFIX": empty}))
        with_bytecode.append(_start(base))
    fast, slow = statistics.median(with_bytecode), statistics.median(without)
    print(f"import of the nightly pipeline in a fresh process: {fast:.2f}s with bytecode, "
          f"{slow:.2f}s without (median of {rounds})", file=sys.stderr)
    ratio = round(fast / slow, 3)
    print(json.dumps({
        "bench": "startup",
        "figures": {"start_with_bytecode_s": round(fast, 2), "starts": rounds,
                    "all_with_bytecode_s": [round(t, 2) for t in with_bytecode]},
        "baseline": {"name": "same imports, environment bytecode ignored",
                     "start_without_bytecode_s": round(slow, 2),
                     "all_without_bytecode_s": [round(t, 2) for t in without]},
        "ratio": ratio,
        "target": f"fresh-process start with bytecode <= {TARGET_RATIO}x of one without",
        "meets_target": ratio <= TARGET_RATIO,
    }))


if __name__ == "__main__":
    main()
