"""Benchmark: would compiling the parse to C meet the 3x target? bench/transform.py, twice.

The same corpus and worker as bench/transform.py, once on the transform package as it is
and once on a copy whose text-parse modules mypyc compiled to C extensions (mypyc comes
with mypy; building needs setuptools and a C compiler, so it is a bench-only experiment,
not how the project installs). Each run is its own subprocess, side by side in one
invocation; the ratio is parse time over bare OpenCC t2s in each.

    .venv/bin/python bench/transform_compiled.py [--quick]   # ~5 MB quick, 50 MB full

Ends with one JSON line: {"bench": "transform_compiled", "figures", "baseline", ...}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "transform.py"
# Everything parse_document runs on text input; html/selectors/decode parse pages only.
MODULES = ("records", "patterns", "text", "gazetteer", "metadata", "structure", "clauses",
           "facts", "parse")
TARGET_RATIO = 3.0

# Imports the compiled package first, so bench/transform.py's own imports find it in
# sys.modules, then runs that file's worker as its __main__.
_RUN_WORKER = """
import runpy, sys
sys.path.insert(0, {path!r})
import transform.parse
assert transform.parse.__file__.endswith(".so"), transform.parse.__file__
sys.argv = [{bench!r}, "--worker", {mb!r}]
runpy.run_path({bench!r}, run_name="__main__")
"""


def compile_copy(into: Path) -> float:
    """Copy transform/ into `into` and compile MODULES with mypyc; returns build seconds."""
    shutil.copytree(ROOT / "transform", into / "transform",
                    ignore=shutil.ignore_patterns("__pycache__"))
    start = time.perf_counter()
    build = subprocess.run(
        [sys.executable, "-m", "mypyc", "--ignore-missing-imports",
         *(f"transform/{m}.py" for m in MODULES)],
        cwd=into, capture_output=True, text=True,
    )
    if build.returncode != 0:  # no C compiler, no setuptools: say which, not a traceback
        tail = (build.stderr or build.stdout).strip().splitlines()[-5:]
        raise SystemExit("mypyc build failed:\n" + "\n".join(tail))
    return time.perf_counter() - start


def run_worker(megabytes: float, compiled_root: Path | None) -> dict[str, float]:
    if compiled_root is None:
        command = [sys.executable, str(BENCH), "--worker", str(megabytes)]
    else:
        code = _RUN_WORKER.format(path=str(compiled_root), bench=str(BENCH), mb=str(megabytes))
        command = [sys.executable, "-c", code]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~5 MB instead of 50 MB")
    args = parser.parse_args()
    megabytes = 5.0 if args.quick else 50.0
    with tempfile.TemporaryDirectory(prefix="govharvest-mypyc-") as tmp:
        build_s = compile_copy(Path(tmp))
        pure = run_worker(megabytes, None)
        compiled = run_worker(megabytes, Path(tmp))
    ratios = {name: r["parse_s"] / r["opencc_s"] for name, r in
              (("pure", pure), ("mypyc", compiled))}
    for name, r in (("pure", pure), ("mypyc", compiled)):
        print(f"{name:6s} {r['mb']:6.1f} MB  parse {r['mb'] / r['parse_s']:6.1f} MB/s  "
              f"opencc t2s {r['mb'] / r['opencc_s']:6.1f} MB/s  "
              f"ratio {ratios[name]:4.2f}x", file=sys.stderr)
    print(json.dumps({
        "bench": "transform_compiled",
        "figures": {
            "corpus_mb": round(compiled["mb"], 1),
            "mypyc_parse_mb_s": round(compiled["mb"] / compiled["parse_s"], 2),
            "mypyc_ratio_to_opencc": round(ratios["mypyc"], 2),
            "parse_time_saved": round(1 - compiled["parse_s"] / pure["parse_s"], 3),
            "build_s": round(build_s, 1),
        },
        "baseline": {
            "name": "the same parse as pure Python, same corpus",
            "pure_parse_mb_s": round(pure["mb"] / pure["parse_s"], 2),
            "pure_ratio_to_opencc": round(ratios["pure"], 2),
        },
        "ratio": round(compiled["parse_s"] / pure["parse_s"], 3),
        "target": f"compiled parse time <= {TARGET_RATIO:g}x bare OpenCC t2s",
        "meets_target": ratios["mypyc"] <= TARGET_RATIO,
    }))


if __name__ == "__main__":
    main()
