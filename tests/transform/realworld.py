"""Score `govharvest parse` on the real-world corpus (tests/fixtures/realworld) against its
hand annotations. Used by tests/transform/test_accuracy.py and bench/accuracy.py.

Every document is parsed as text (text/NNN.txt) and, when the corpus has it, as HTML
(html/NNN.html), with `transform.parse_document`, the function `govharvest parse` calls.
Each parse is one scored case. The measures (all over cases):

- title: the parsed title equals the annotated `title` or one of `title_alternates`, after
  removing whitespace (a null title is right only when the annotation is null).
- publish_date, period: exact equality with the annotation (null included).
- chrome_docs: cases where an annotated chrome line survives into the body text or into
  any node (a body line equal to it, or one containing it when it is 8+ characters long).
  `cover_docs` counts the same for cover-notice lines, `title_docs` for title lines left as
  lines of their own (a title is also quoted in prose, which is no leak).
- heading_recall: annotated level-1 headings that are not `partial`, found as the heading
  of a level-1 node with the same number.
- item_count: cases whose number of level-2 nodes is the annotated level-2 count; on an
  excerpt whose last item is cut (`level2_complete` < `level2`), the complete count is
  accepted too (the cut item may be too short to read as one).
- unit_f1: micro F1 of (role, agency) pairs over all cases (only 008 has any).
- text_coverage: the annotated body text is every line of the text file that is not a
  chrome, cover or title line (nor the annotated title where it is glued to the start of a
  line). Each such line is normalized the way the parser normalizes
  text and cut into sentences at 。; a sentence is kept when it occurs in the parsed body
  (whitespace ignored). Coverage is the share of body characters in kept sentences, over
  all cases (and per case for the weakest list).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transform import parse_document
from transform.records import Document
from transform.text import normalize_text, to_simplified

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "realworld"
_CONTAINS_MIN = 8  # a chrome line this long is also caught inside a longer body line

TARGETS: dict[str, float] = {
    "title": 0.95,
    "publish_date": 0.95,
    "period": 0.95,
    "heading_recall": 0.97,
    "item_count": 0.95,
    "unit_f1": 0.97,
    "text_coverage": 0.98,
}
MAX_CHROME_DOCS = 0


def _squash(text: str) -> str:
    return "".join(text.split())


def _norm(text: str, traditional: bool = False) -> str:
    """An annotation string in the parser's canonical form, whitespace removed. A line of a
    traditional document is converted even when it is too short to detect its script."""
    normalized = normalize_text(text).text
    return _squash(to_simplified(normalized) if traditional else normalized)


@dataclass(slots=True)
class Case:
    doc_id: str
    kind: str  # "text" | "html"
    path: Path
    expected: dict[str, Any]


@dataclass(slots=True)
class CaseScore:
    doc_id: str
    kind: str
    title: bool
    publish_date: bool
    period: bool
    chrome_left: list[str]
    cover_left: list[str]
    title_left: list[str]
    headings_found: int
    headings_total: int
    item_count_ok: bool
    items_parsed: int
    items_expected: int
    units_tp: int
    units_fp: int
    units_fn: int
    body_chars: int
    kept_chars: int
    problems: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.kept_chars / self.body_chars if self.body_chars else 1.0

    @property
    def failures(self) -> int:
        return (
            (not self.title) + (not self.publish_date) + (not self.period)
            + bool(self.chrome_left) + bool(self.cover_left)
            + (self.headings_total - self.headings_found) + (not self.item_count_ok)
            + self.units_fp + self.units_fn + (self.coverage < TARGETS["text_coverage"])
        )


def cases(split: str = "all") -> list[Case]:
    """The corpus cases of one split ("dev", "holdout" or "all"), text before HTML."""
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if split == "all" or r["split"].strip() == split]
    out: list[Case] = []
    for row in rows:
        doc_id = row["id"]
        expected = json.loads((CORPUS / "expected" / f"{doc_id}.json").read_text("utf-8"))
        out.append(Case(doc_id, "text", CORPUS / "text" / f"{doc_id}.txt", expected))
        html = CORPUS / "html" / f"{doc_id}.html"
        if html.is_file():
            out.append(Case(doc_id, "html", html, expected))
    return out


def _body_lines(doc: Document) -> list[str]:
    lines = [_squash(line) for line in doc.text.split("\n")]
    for node in doc.nodes:
        lines.extend(_squash(line) for line in node.text.split("\n"))
    return [line for line in lines if line]


def _left(wanted: list[str], lines: list[str], traditional: bool,
          contained: bool = True) -> list[str]:
    """The wanted lines found in the body: as a line, or (`contained`) inside a line."""
    left = []
    for raw in wanted:
        target = _norm(raw, traditional)
        if not target:
            continue
        if any(line == target or (contained and len(target) >= _CONTAINS_MIN and target in line)
               for line in lines):
            left.append(raw)
    return left


def _headings(doc: Document, exp: dict[str, Any]) -> tuple[int, int]:
    parsed = {(n.number, _squash(n.heading)) for n in doc.nodes if n.level == 1}
    wanted = [h for h in exp.get("level1", []) if not h.get("partial")]
    found = sum((h["number"], _norm(h["heading"])) in parsed for h in wanted)
    return found, len(wanted)


def _units(doc: Document, exp: dict[str, Any]) -> tuple[int, int, int]:
    got = {(u.role, u.name) for n in doc.nodes for u in n.units}
    want = {(c["role"], _norm(u)) for c in exp.get("unit_clauses", []) for u in c["units"]}
    got = {(role, _squash(name)) for role, name in got}
    return len(got & want), len(got - want), len(want - got)


def _coverage(case: Case, doc: Document) -> tuple[int, int]:
    exp = case.expected
    excluded = {_squash(x) for key in ("chrome_lines", "cover_lines", "title_lines")
                for x in exp.get(key, [])}
    raw_lines = (CORPUS / "text" / f"{case.doc_id}.txt").read_text("utf-8").split("\n")
    body = _squash(doc.text)
    traditional = exp.get("original_script") == "traditional"
    title = _norm(exp["title"]) if exp.get("title") else None
    total = kept = 0
    for raw in raw_lines:
        if not raw.strip() or _squash(raw) in excluded:
            continue
        line = _norm(raw, traditional)
        if title and line.startswith(title):  # a title glued to the text (025)
            line = line[len(title) :]
        for piece in line.split("。"):
            total += len(piece)
            kept += len(piece) if piece in body else 0
    return total, kept


def score_case(case: Case) -> CaseScore:
    doc = parse_document(case.path)
    exp = case.expected
    titles = {_norm(t) for t in [exp.get("title"), *exp.get("title_alternates", [])] if t}
    title_ok = (_squash(doc.title) in titles) if doc.title else not titles
    want_period = exp.get("period")
    got_period = doc.to_json()["period"]
    period_ok = (want_period == got_period) if want_period else got_period is None
    got_date = doc.publish_date.isoformat() if doc.publish_date else None
    lines = _body_lines(doc)
    traditional = exp.get("original_script") == "traditional"
    found, total = _headings(doc, exp)
    counts = exp["counts"]
    items = sum(1 for n in doc.nodes if n.level == 2)
    item_ok = items == counts["level2"] or (
        counts["level2_complete"] < counts["level2"] and items == counts["level2_complete"])
    tp, fp, fn = _units(doc, exp)
    body_chars, kept_chars = _coverage(case, doc)
    score = CaseScore(
        doc_id=case.doc_id, kind=case.kind, title=title_ok,
        publish_date=got_date == exp.get("publish_date"), period=period_ok,
        chrome_left=_left(exp.get("chrome_lines", []), lines, traditional),
        cover_left=_left(exp.get("cover_lines", []), lines, traditional),
        title_left=_left(exp.get("title_lines", []), lines, traditional, contained=False),
        headings_found=found, headings_total=total, item_count_ok=item_ok,
        items_parsed=items, items_expected=counts["level2"],
        units_tp=tp, units_fp=fp, units_fn=fn, body_chars=body_chars, kept_chars=kept_chars,
    )
    if not title_ok:
        score.problems.append(f"title {doc.title!r} != {exp.get('title')!r}")
    if not score.publish_date:
        score.problems.append(f"publish_date {got_date} != {exp.get('publish_date')}")
    if not period_ok:
        score.problems.append(f"period {got_period} != {want_period}")
    if score.chrome_left:
        score.problems.append(f"chrome left {score.chrome_left}")
    if score.cover_left:
        score.problems.append(f"cover lines left {score.cover_left}")
    if found < total:
        score.problems.append(f"headings {found}/{total}")
    if not item_ok:
        score.problems.append(f"items {items} != {counts['level2']}")
    if fp or fn:
        score.problems.append(f"units fp={fp} fn={fn}")
    if score.coverage < TARGETS["text_coverage"]:
        score.problems.append(f"coverage {score.coverage:.3f}")
    return score


def _share(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def summarize(scores: list[CaseScore]) -> dict[str, Any]:
    """Per-measure figures over all scored cases."""
    n = len(scores)
    tp = sum(s.units_tp for s in scores)
    fp = sum(s.units_fp for s in scores)
    fn = sum(s.units_fn for s in scores)
    precision, recall = _share(tp, tp + fp), _share(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "cases": n,
        "title": round(_share(sum(s.title for s in scores), n), 4),
        "publish_date": round(_share(sum(s.publish_date for s in scores), n), 4),
        "period": round(_share(sum(s.period for s in scores), n), 4),
        "chrome_docs": sum(bool(s.chrome_left) for s in scores),
        "cover_docs": sum(bool(s.cover_left) for s in scores),
        "title_docs": sum(bool(s.title_left) for s in scores),
        "heading_recall": round(_share(sum(s.headings_found for s in scores),
                                       sum(s.headings_total for s in scores)), 4),
        "item_count": round(_share(sum(s.item_count_ok for s in scores), n), 4),
        "unit_f1": round(f1, 4),
        "unit_pairs_expected": tp + fn,
        "text_coverage": round(_share(sum(s.kept_chars for s in scores),
                                      sum(s.body_chars for s in scores)), 4),
    }


def shortfalls(summary: dict[str, Any]) -> list[str]:
    """The measures below their targets, readably."""
    out = [f"{key} {summary[key]} < {target}" for key, target in TARGETS.items()
           if summary[key] < target]
    if summary["chrome_docs"] > MAX_CHROME_DOCS:
        out.append(f"chrome_docs {summary['chrome_docs']} > {MAX_CHROME_DOCS}")
    return out


def weakest(scores: list[CaseScore], k: int = 8) -> list[dict[str, Any]]:
    ranked = sorted((s for s in scores if s.problems), key=lambda s: (-s.failures, s.doc_id))
    return [{"doc": f"{s.doc_id}.{'txt' if s.kind == 'text' else 'html'}",
             "problems": s.problems} for s in ranked[:k]]
