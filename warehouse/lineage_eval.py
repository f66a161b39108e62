"""Scores the lineage matcher on the hand-labelled pairs of tests/fixtures/lineage/.

Used by bench/lineage.py (figures, threshold grid) and tests/warehouse/test_lineage.py
(holdout gate). The pairs are matched the way the load step matches plans, not one pair
at a time: per context, every `left` text is a task of one pool plan and every `right`
text a task of the later plan (`series`: the same series one year later) or of a child
region's plan of the same year (`parent`). So each right text competes with all left
texts of its context, similar-vocabulary distractors included. A pair is predicted as the
relation of the row linking its right task to its left task, or `none`.

Gold labels map to relations: carried_over, revised, copied_from_parent as such; split
and merged to `revised` in the series context (to `copied_from_parent` in the parent
context); different to `none`. "carried_over+revised" scores a series link whatever its
grade: gold in {carried_over, revised, split, merged}, predicted carried_over or revised.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from warehouse.lineage import DEFAULT_CONFIG, LineageConfig, compute_lineage

PAIRS_CSV = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "lineage" / "pairs.csv"
LABELS: tuple[str, ...] = ("carried_over", "revised", "copied_from_parent", "different",
                           "split", "merged")
SCORED_RELATIONS: tuple[str, ...] = ("carried_over", "revised", "copied_from_parent",
                                     "carried_over+revised")


@dataclass(frozen=True)
class Pair:
    pair_id: str
    label: str
    context: str  # "series" or "parent"
    split: str  # "dev", "holdout" or "real" (quoted from real plans, never tuned on)
    left: str
    right: str


@dataclass(frozen=True)
class RelationScore:
    precision: float
    recall: float
    support: int  # gold pairs of this relation
    predicted: int  # pairs predicted as this relation


def load_pairs(path: Path = PAIRS_CSV, split: str | None = None) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as fh:
        pairs = [Pair(r["pair_id"], r["label"], r["context"], r["split"], r["left"], r["right"])
                 for r in csv.DictReader(fh)]
    return [p for p in pairs if split is None or p.split == split]


def _key(side: str, context: str, text: str) -> str:
    return f"{side}:{context}:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _gold(pair: Pair) -> str:
    if pair.label in ("split", "merged"):
        return "copied_from_parent" if pair.context == "parent" else "revised"
    return "none" if pair.label == "different" else pair.label


def predict(pairs: list[Pair], config: LineageConfig = DEFAULT_CONFIG
            ) -> dict[str, tuple[str, str]]:
    """pair_id -> (predicted relation or "none", method or "")."""
    rows: list[tuple[str, str, str, int, str, str | None, str]] = []
    seen: set[str] = set()
    for p in pairs:
        left: tuple[str, str, int, str, str | None]
        right: tuple[str, str, int, str, str | None]
        if p.context == "series":
            left = ("doc:series:2022", "series:S", 2022, "region:S", None)
            right = ("doc:series:2023", "series:S", 2023, "region:S", None)
        else:
            left = ("doc:parent:P", "series:P", 2023, "region:P", None)
            right = ("doc:parent:C", "series:C", 2023, "region:C", "region:P")
        for side, text, (doc, series, year, region, parent) in (("L", p.left, left),
                                                                 ("R", p.right, right)):
            key = _key(side, p.context, text)
            if key not in seen:
                seen.add(key)
                rows.append((key, doc, series, year, region, parent, text))
    tasks = pl.DataFrame(rows, orient="row", schema={
        "task_key": pl.String, "document_key": pl.String, "series_key": pl.String,
        "year": pl.Int32, "region_key": pl.String, "parent_region_key": pl.String,
        "text": pl.String})
    lineage = compute_lineage(tasks, None, config).filter(pl.col("match_task_key").is_not_null())
    links = {(t, m): (rel, method) for t, m, rel, method in
             lineage.select("task_key", "match_task_key", "relation", "method").iter_rows()}
    out: dict[str, tuple[str, str]] = {}
    for p in pairs:
        got = links.get((_key("R", p.context, p.right), _key("L", p.context, p.left)))
        out[p.pair_id] = got if got is not None else ("none", "")
    return out


def score(pairs: list[Pair], predicted: dict[str, tuple[str, str]]
          ) -> dict[str, RelationScore]:
    """Precision and recall per relation (and for carried_over+revised together)."""
    def members(relation: str, rel: str) -> bool:
        if relation == "carried_over+revised":
            return rel in ("carried_over", "revised")
        return rel == relation

    out: dict[str, RelationScore] = {}
    for relation in SCORED_RELATIONS:
        gold = {p.pair_id for p in pairs if members(relation, _gold(p))}
        pred = {p.pair_id for p in pairs if members(relation, predicted[p.pair_id][0])}
        hit = len(gold & pred)
        out[relation] = RelationScore(
            precision=round(hit / len(pred), 4) if pred else 1.0,
            recall=round(hit / len(gold), 4) if gold else 1.0,
            support=len(gold), predicted=len(pred))
    return out


def containment_recall(pairs: list[Pair], predicted: dict[str, tuple[str, str]]
                       ) -> dict[str, float]:
    """Share of split / merged pairs linked at all, and named split/merged by the method."""
    out: dict[str, float] = {}
    for label in ("split", "merged"):
        group = [p for p in pairs if p.label == label]
        if not group:
            continue
        linked = [p for p in group if predicted[p.pair_id][0] != "none"]
        named = [p for p in group if predicted[p.pair_id][1].endswith(label)]
        out[f"{label}_linked"] = round(len(linked) / len(group), 4)
        out[f"{label}_named"] = round(len(named) / len(group), 4)
    return out


def evaluate(split: str | None, config: LineageConfig = DEFAULT_CONFIG,
             path: Path = PAIRS_CSV) -> dict[str, object]:
    """Figures for one split ("dev", "holdout" or None for all pairs)."""
    pairs = load_pairs(path, split)
    predicted = predict(pairs, config)
    scores = score(pairs, predicted)
    errors = [(p.pair_id, p.label, predicted[p.pair_id][0]) for p in pairs
              if _gold(p) != predicted[p.pair_id][0]]
    return {
        "pairs": len(pairs),
        "scores": {k: vars(v) for k, v in scores.items()},
        "containment": containment_recall(pairs, predicted),
        "errors": errors,
    }


def meets_targets(figures: dict[str, object], precision: float = 0.95,
                  recall: float = 0.90) -> bool:
    """The issue's targets on carried_over+revised."""
    scores = figures["scores"]
    assert isinstance(scores, dict)
    combined = scores["carried_over+revised"]
    return bool(combined["precision"] >= precision and combined["recall"] >= recall)
