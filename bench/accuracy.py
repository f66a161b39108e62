"""Benchmark: `govharvest parse` accuracy on real documents it was not built from.

Scores `transform.parse_document` (what `govharvest parse` calls) on the real-world corpus
(tests/fixtures/realworld: 44 documents, 33 `dev` and 11 `holdout`, each as text and 17 also
as HTML) against its hand annotations. The measures and their definitions are in
tests/transform/realworld.py; in short: title, publish_date and period exact (>= 0.95 each),
documents with a chrome line left (0), level-1 heading recall over headings the excerpt does
not cut (>= 0.97), level-2 count exact (>= 0.95), unit (role, agency) micro F1 (>= 0.97) and
body text coverage (>= 0.98).

Every text in the corpus is an excerpt (the first ~600-930 characters of its page), so the
whole-document measures (items, units, coverage) are measured on excerpts; only one document
has responsibility clauses (8 pairs), so unit F1 says little. The HTML pages are
reconstructed from the stored text, not the sites' templates.

    .venv/bin/python bench/accuracy.py [--quick] [--split dev|holdout|all]

--quick scores the text files only. Prints the weakest documents to stderr and ends with one
JSON line: {"bench": "accuracy", "figures", "baseline", "ratio", "target", "meets_target"};
`ratio` is the weakest measure's figure over its target (>= 1 when every target is met).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder heads sys.path, and bench/html.py would shadow the
# stdlib `html`; import from the repo root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from tests.transform.realworld import (  # noqa: E402
    MAX_CHROME_DOCS,
    TARGETS,
    cases,
    score_case,
    shortfalls,
    summarize,
    weakest,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="text files only (no HTML)")
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="dev")
    args = parser.parse_args()

    selected = [c for c in cases(args.split) if not (args.quick and c.kind == "html")]
    t0 = time.perf_counter()
    scores = [score_case(c) for c in selected]
    elapsed = time.perf_counter() - t0
    figures = summarize(scores)
    by_kind = {kind: summarize([s for s in scores if s.kind == kind])
               for kind in ("text", "html") if any(s.kind == kind for s in scores)}
    worst = weakest(scores)
    for row in worst:
        print(f"{row['doc']}: " + "; ".join(row["problems"]), file=sys.stderr)
    short = shortfalls(figures)
    ratio = min(figures[key] / target for key, target in TARGETS.items())
    print(json.dumps({
        "bench": "accuracy",
        "figures": {**figures, "split": args.split, "by_kind": by_kind,
                    "parse_s": round(elapsed, 2), "weakest": worst, "shortfalls": short},
        "baseline": {**TARGETS, "chrome_docs": MAX_CHROME_DOCS},
        "ratio": round(ratio, 4),
        "target": "title, publish_date, period >= 0.95; chrome_docs 0; heading_recall >= 0.97; "
                  "item_count >= 0.95; unit_f1 >= 0.97; text_coverage >= 0.98",
        "meets_target": not short,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
