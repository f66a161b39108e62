"""Benchmark: peak memory of parsing, gating and loading one site, chunked vs whole-site.

One demo site (family hunan) is harvested into an archive at two sizes (about 2,300 and
6,900 articles; --quick 120 and 350 with chunk and load transaction scaled down). For
each size, two fresh child processes read the site's archived pages into memory (as a
harvest hands them over) and then:

- whole (baseline, the pipeline before chunking): parse every article into `Document`s,
  gate them all in one GX run, load them with `load_documents`;
- chunked (the pipeline now): `flows.pipeline.parse_and_gate_pages`, which parses and gates
  `PARSE_CHUNK` articles at a time and keeps accepted documents as load frames, then loads
  the frames as `load_batch` does, `DEFAULT_BATCH_SIZE` documents per transaction (the
  whole-site path loads in the same transactions).

Each child imports everything and runs a one-page warm-up first, so the figure is the peak
RSS the work adds over a warm process (ru_maxrss minus the RSS before the work). The growth
per 1,000 documents between the two sizes is what decides how large a site fits.
Target: chunked growth per 1,000 documents at most half the whole-site growth.
Run: .venv/bin/python bench/site_memory.py [--quick]
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
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

SITE = "demo-hunan"
TARGET_SHARE = 0.5


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, data_dir: Path, chunk: int, load_batch: int) -> dict[str, float]:
    """Parse, gate and load the archived site in this process; report its memory."""
    from extract.archive import iter_pages
    from flows import pipeline
    from flows.config import DataPaths
    from warehouse.load import load_documents, load_frames

    paths = DataPaths(data_dir)
    run_id = pipeline.new_run_id()
    pages = list(iter_pages(paths.archive, site=SITE))
    articles = [p for p in pages if p.kind == "article"]
    attachments = [p for p in pages if p.kind == "attachment"]
    # Warm-up: imports, the GX context and DuckDB's first connection, on one page.
    pipeline.parse_and_gate_pages(articles[:1], run_id=run_id, paths=paths)
    base = _rss_mb()
    start = time.perf_counter()
    target = DataPaths(data_dir / f"load-{mode}")
    target.root.mkdir()
    if mode == "whole":
        docs, _ = pipeline.parse_pages(articles, archive_dir=paths.archive,
                                       attachments=attachments)
        gated = pipeline.gate(docs, run_id=run_id, paths=paths)
        before_load = _peak_mb()
        stats = load_documents(target.warehouse, gated.accepted, run_id=run_id,
                               batch_size=load_batch)
    else:
        result = pipeline.parse_and_gate_pages(articles, run_id=run_id, paths=paths,
                                               attachments=attachments, chunk=chunk)
        before_load = _peak_mb()
        stats = load_frames(target.warehouse, result.frames, run_id=run_id,
                            batch_size=load_batch)
    seconds = time.perf_counter() - start
    return {"documents": len(articles), "loaded": stats.new,
            "peak_mb": round(_peak_mb() - base, 1),
            "peak_before_load_mb": round(before_load - base, 1), "seconds": round(seconds, 2)}


def _run_child(mode: str, data_dir: Path, chunk: int, load_batch: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(data_dir), str(chunk),
                          str(load_batch)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _archive(scale: int, data_dir: Path) -> None:
    from bench.lib.remote_site import RemoteDemoSite
    from extract.crawl import harvest
    from extract.profile import load_profile
    from flows import pipeline
    from flows.config import DataPaths

    with RemoteDemoSite(scale=scale, slow_seconds=0.0) as site:
        # Every list page: the profile's 50 per start URL would stop near 2,000 articles.
        harvest(load_profile(SITE, base_url=site.base_url), DataPaths(data_dir).archive,
                run_id=pipeline.new_run_id(), delay=0, settings={"max_list_pages": 10_000})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sites (about 120/350)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    if args.child:
        mode, data_dir, chunk, load_batch = args.child
        print(json.dumps(child(mode, Path(data_dir), int(chunk), int(load_batch))))
        return

    from flows.pipeline import PARSE_CHUNK
    from warehouse.load import DEFAULT_BATCH_SIZE

    # Both sizes above one load transaction, so what grows is what a site holds, not the
    # transaction; --quick scales chunk and transaction down with the sites.
    scales, chunk, load_batch = ((400, 1200), 25, 100) if args.quick else \
        ((8000, 24000), PARSE_CHUNK, DEFAULT_BATCH_SIZE)
    runs: dict[str, list[dict[str, float]]] = {"whole": [], "chunked": []}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            data_dir = Path(tmp) / str(scale)
            _archive(scale, data_dir)
            for mode in runs:
                runs[mode].append(_run_child(mode, data_dir, chunk, load_batch))
                r = runs[mode][-1]
                print(f"{mode:8s} {r['documents']:6.0f} documents: +{r['peak_mb']:7.1f} MB peak, "
                      f"{r['seconds']:6.2f} s")

    def growth(mode: str) -> float:
        small, large = runs[mode]
        return (large["peak_mb"] - small["peak_mb"]) / (large["documents"] - small["documents"]) \
            * 1000

    whole, chunked = growth("whole"), growth("chunked")
    ratio = chunked / whole if whole > 0 else float("inf")
    print(f"growth per 1,000 documents: chunked {chunked:.0f} MB vs whole-site {whole:.0f} MB")
    print(json.dumps({
        "bench": "site_memory",
        "figures": {"chunked": runs["chunked"], "chunked_mb_per_1000_docs": round(chunked, 1),
                    "parse_chunk": chunk, "load_batch": load_batch},
        "baseline": {"whole": runs["whole"], "whole_mb_per_1000_docs": round(whole, 1)},
        "ratio": round(ratio, 3),
        "target": f"chunked peak growth per 1,000 documents <= {TARGET_SHARE:.0%} of whole-site",
        "meets_target": bool(ratio <= TARGET_SHARE),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
