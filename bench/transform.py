"""Benchmark: `transform.parse_document` throughput vs bare OpenCC t2s, and peak memory.

The corpus is generated on the fly from realistic variants of the five reference seeds
(region and year swaps, full-width punctuation, page chrome and credits, dropped items,
traditional script), one document at a time, so memory must stay flat as the corpus grows.
Each corpus size runs in its own subprocess so peak RSS (ru_maxrss) is comparable across
sizes; inside each run every document is converted by OpenCC `t2s` alone (the baseline) and
parsed, timing only those two calls.

It also times a floor: the whole-text passes that any parse meeting the issue makes, done
by C code with no rules around them (NFC check, script sample, OpenCC for a traditional
document, line split and join, UTF-8 encoding and SHA-256 content hash, theme scan), plus
creating the parse's record objects bare. What the floor leaves of the 3x budget is what
all the Python rules (numbering, clauses, targets, chrome, metadata) may spend.

    .venv/bin/python bench/transform.py [--quick]      # ~5 MB quick, >=50 MB full

Ends with one JSON line: {"bench": "transform", "figures", "baseline", "ratio", ...}.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import resource
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder heads sys.path, and bench/html.py or this very file
# would shadow the stdlib `html` and the `transform` package; import from the repo root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from transform.facts import scan_themes  # noqa: E402
from transform.patterns import TRADITIONAL_OR_RARE_WIDTH  # noqa: E402
from transform.records import Document, Node, Target, Unit  # noqa: E402
from transform.text import SCRIPT_SAMPLE  # noqa: E402

if TYPE_CHECKING:
    from opencc import OpenCC

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
REGIONS = ROOT / "transform" / "data" / "regions.csv"
TARGET_RATIO = 3.0
MEMORY_TOLERANCE = 1.15  # peak RSS of the largest corpus within 15% of the smallest
_YEAR = re.compile(r"20[0-4][0-9]")
_WIDE = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；"})
_CHROME = ["【字体:大 中 小】", "打印本页 关闭窗口", "- 全部留言", "- 评论", "- 有用(3)",
           "扫一扫在手机打开当前页", "上一篇:关于开展普法宣传的通知", "下一篇:2022年工作总结"]
_CREDITS = ["编辑:李明", "校对:王芳", "责编:赵强", "审核:陈刚"]


def _cities() -> list[str]:
    with REGIONS.open(encoding="utf-8") as fh:
        return [r["name"][:-1] for r in csv.DictReader(fh)
                if r["level"] == "city" and r["name"].endswith("市")]


def _shift_year(shift: int, match: re.Match[str]) -> str:
    return str(int(match.group(0)) + shift)


def iter_corpus(total_bytes: int, seed: int = 7) -> Iterator[str]:
    """Yield document variants until `total_bytes` (UTF-8) have been produced."""
    rng = random.Random(seed)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    cities = _cities()
    produced = 0
    while produced < total_bytes:
        text = rng.choice(seeds)
        city = rng.choice(cities)
        text = text.replace("湘潭", city).replace("盐城", city).replace("西崗", city)
        shift = rng.randint(-3, 3)
        text = _YEAR.sub(partial(_shift_year, shift), text)
        lines = text.split("\n")
        if rng.random() < 0.3:  # a mirror that drops a paragraph or two
            for _ in range(rng.randint(1, 2)):
                lines.pop(rng.randrange(1, len(lines)))
        if rng.random() < 0.4:
            lines = [ln.translate(_WIDE) for ln in lines]
        if rng.random() < 0.5:
            lines += rng.sample(_CHROME, 3) + rng.sample(_CREDITS, 2)
        if rng.random() < 0.2:  # a page that repeats its opening (list + detail extracts)
            lines = lines[:3] + lines
        doc = "\n".join(lines)
        produced += len(doc.encode("utf-8"))
        yield doc


def floor_passes(doc: str, parsed: Document, converter: OpenCC) -> None:
    """The C-level passes and bare records of a parse of `doc` (see the module docstring)."""
    unicodedata.is_normalized("NFC", doc)
    TRADITIONAL_OR_RARE_WIDTH.findall(doc, 0, SCRIPT_SAMPLE)
    if parsed.original_script == "traditional":
        converter.convert(doc)
    body = "\n".join(doc.split("\n"))
    hashlib.sha256(body.encode("utf-8")).hexdigest()
    scan_themes(body)
    for node in parsed.nodes:
        Node(node.id, node.parent_id, node.level, node.label, node.number, node.heading, "")
        for u in node.units:
            Unit(u.role, u.name, u.canonical, u.is_generic, u.clause_no)
        for t in (*node.targets, *node.deadlines):
            Target(t.kind, t.text, t.value, t.unit, t.deadline_year)


def worker(megabytes: float) -> dict[str, float]:
    import opencc

    from transform import parse_document

    converter = opencc.OpenCC("t2s")
    parse_document("一、热身\n(一)导入模块。")  # imports and caches outside the timing
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parse_s = opencc_s = floor_s = 0.0
    nbytes = docs = units = 0
    for doc in iter_corpus(int(megabytes * 1_000_000)):
        t0 = time.perf_counter()
        converter.convert(doc)
        t1 = time.perf_counter()
        parsed = parse_document(doc)
        t2 = time.perf_counter()
        floor_passes(doc, parsed, converter)
        t3 = time.perf_counter()
        opencc_s += t1 - t0
        parse_s += t2 - t1
        floor_s += t3 - t2
        nbytes += len(doc.encode("utf-8"))
        docs += 1
        units += sum(len(n.units) for n in parsed.nodes)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mb": nbytes / 1e6, "docs": docs, "units": units, "parse_s": parse_s,
            "opencc_s": opencc_s, "floor_s": floor_s,
            "rss_start_mb": rss_start / 1024, "rss_peak_mb": rss_peak / 1024}


def run_size(megabytes: float) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(megabytes)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~5 MB instead of 50 MB")
    parser.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(worker(args.worker)))
        return
    full = 5.0 if args.quick else 50.0
    runs = []
    for size in (full / 4, full / 2, full):
        result = run_size(size)
        runs.append(result)
        print(f"corpus {result['mb']:7.1f} MB  {result['docs']:6d} docs  "
              f"parse {result['mb'] / result['parse_s']:6.1f} MB/s  "
              f"opencc t2s {result['mb'] / result['opencc_s']:6.1f} MB/s  "
              f"floor {result['floor_s'] / result['opencc_s']:4.2f}x  "
              f"peak RSS {result['rss_peak_mb']:6.1f} MB", file=sys.stderr)
    big = runs[-1]
    ratio = big["parse_s"] / big["opencc_s"]
    memory_flat = runs[-1]["rss_peak_mb"] <= runs[0]["rss_peak_mb"] * MEMORY_TOLERANCE
    print(json.dumps({
        "bench": "transform",
        "figures": {
            "corpus_mb": round(big["mb"], 1),
            "docs": big["docs"],
            "unit_mentions": big["units"],
            "parse_mb_s": round(big["mb"] / big["parse_s"], 2),
            "peak_rss_mb_by_corpus_mb": {
                str(round(r["mb"], 1)): round(r["rss_peak_mb"], 1) for r in runs
            },
            "memory_flat": memory_flat,
            "floor_ratio": round(big["floor_s"] / big["opencc_s"], 2),
        },
        "baseline": {
            "name": "opencc t2s alone over the same documents",
            "opencc_mb_s": round(big["mb"] / big["opencc_s"], 2),
        },
        "ratio": round(ratio, 2),
        "target": f"parse time <= {TARGET_RATIO:g}x bare OpenCC t2s; peak RSS flat "
                  f"(largest corpus within {MEMORY_TOLERANCE:.0%} of smallest)",
        "meets_target": ratio <= TARGET_RATIO and memory_flat,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
