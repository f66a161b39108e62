"""Task lineage: which earlier task each item-level task continues (issue #28, item 3).

Pure functions over polars frames; no DuckDB connection, so the load step can call them
on a night's new documents and an existing pool.

A task is a row of a *task frame* (`TASK_COLUMNS`): `task_key`, `document_key`,
`series_key` (the plan series of its document), `year`, `region_key`, `parent_region_key`
(the region(s) whose same-year plans it may copy: a string or a list of strings, or null)
and `text` (the heading and body of the item, as the caller chooses).

For each task two pools are searched:
- **series**: the tasks of the previous plan of the same series (the documents of that
  series with the greatest year below the task's year);
- **parent**: the tasks of the same-year documents of the parent region(s).

A task whose normalised text equals a pool task's is matched by a dict lookup. Otherwise
candidates come from MinHash LSH over character n-gram shingles of the normalised text
(datasketch's affine32 permutations; signatures and band keys computed a plan at a time
with numpy, see `taskmatch.Signer`), one index per pool document, so a task is compared
with the few pool tasks sharing a band and never with the whole pool; a task still unmatched
queries an index of the pool's sentences (split parts). Each candidate is scored with
rapidfuzz (`decide`) and classified with the thresholds of `LineageConfig`.

Output rows (`LINEAGE_SCHEMA`): `task_key, match_task_key, relation, score, method`.
- `carried_over`: series match differing by at most `carried_over_max_edits` characters
  once numbering, clauses, punctuation and years are normalised away, with the same
  other numbers (near-identical);
- `revised`: series match with `fuzz.ratio >= revised_min` (`short_revised_min` when
  either text is shorter than `short_chars` and the two do not open with the same
  heading sentence, `heading`), or one text aligned inside the other
  (`fuzz.partial_ratio >= containment_min`): the same task reworded; or a split or merge;
- `copied_from_parent`: parent match by the same rules (method ends in `:verbatim` when the
  normalised texts are equal, `:localized` otherwise, `:split`/`:merged` for containment);
- `new`: no series match (`match_task_key` null; method `no_candidate` when the previous
  plan exists, `no_previous_plan` when the task's plan is the first of its series). A task
  with a parent copy but no series match gets both a `new` and a `copied_from_parent` row.
`dropped_tasks` derives the predecessor tasks with no successor.

Split and merged tasks: when the lengths differ a lot (shorter/longer below
`containment_max_length_ratio`) and the shorter text aligns inside the longer
(`fuzz.partial_ratio >= containment_min`, shorter side at least `containment_min_chars`
characters), the pair is a containment match: a new task that is *part* of a predecessor
is a `split` (each part links to the old task), a new task that *contains* predecessors is
`merged` and gets one row per contained predecessor. Both are relation `revised` (or
`copied_from_parent`), method `minhash+partial:split|merged`, score the partial ratio.

Incremental: `compute_lineage(new, pool)` returns rows for the new tasks and for the pool
tasks whose candidates changed because of the new documents (a later plan of a series
arriving before an earlier one, a parent plan arriving after its child). The caller
replaces the rows of every `task_key` returned. Matching all documents at once and
matching them night by night give the same rows (tests/warehouse/test_lineage.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from warehouse.taskmatch import (
    DEFAULT_CONFIG,
    RANK,
    BandIndex,
    Decision,
    LineageConfig,
    Signer,
    decide,
    heading,
    normalise,
    relation_of,
    sentence_norms,
)

__all__ = [
    "DEFAULT_CONFIG", "DROPPED_SCHEMA", "LINEAGE_SCHEMA", "RELATIONS", "TASK_COLUMNS",
    "LineageConfig", "compute_lineage", "decide", "dropped_tasks", "merge_incremental",
    "normalise",
]

TASK_COLUMNS: tuple[str, ...] = (
    "task_key", "document_key", "series_key", "year", "region_key", "parent_region_key",
    "text",
)
LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "task_key": pl.String(), "match_task_key": pl.String(), "relation": pl.String(),
    "score": pl.Float64(), "method": pl.String(),
}
DROPPED_SCHEMA: dict[str, pl.DataType] = {
    "task_key": pl.String(), "successor_document_key": pl.String(),
    "relation": pl.String(),
}
RELATIONS: tuple[str, ...] = ("carried_over", "revised", "copied_from_parent", "new")
SERIES_RELATIONS: tuple[str, ...] = ("carried_over", "revised")


def _as_keys(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),)


@dataclass(frozen=True)
class _Doc:
    key: str
    series_key: str | None
    year: int | None
    region_key: str | None
    parent_region_keys: tuple[str, ...]


class _PoolIndex:
    """One LSH index per pool document, built on first use and reused by every query."""

    def __init__(self, config: LineageConfig, tasks_by_doc: dict[str, list[str]],
                 norms: dict[str, str], texts: dict[str, str], signer: Signer) -> None:
        self.config = config
        self.texts = texts
        self.tasks_by_doc = tasks_by_doc
        self.norms = norms
        self.signer = signer
        self._indexes: dict[str, BandIndex] = {}
        self._exact: dict[str, dict[str, str]] = {}

    def evict(self, doc_key: str) -> None:
        """Forget a pool document's indexes once no remaining target needs them."""
        self._indexes.pop(doc_key, None)
        self._indexes.pop("\x00sentences:" + doc_key, None)
        self._exact.pop(doc_key, None)

    def exact(self, doc_key: str) -> dict[str, str]:
        """Normalised text -> first task with it: most carried-over tasks stop here."""
        found = self._exact.get(doc_key)
        if found is None:
            found = {}
            for task_key in self.tasks_by_doc.get(doc_key, []):
                found.setdefault(self.norms[task_key], task_key)
            self._exact[doc_key] = found
        return found

    def index(self, doc_key: str) -> BandIndex:
        lsh = self._indexes.get(doc_key)
        if lsh is None:
            keys = [k for k in self.tasks_by_doc.get(doc_key, [])
                    if len(self.norms[k]) >= self.config.min_chars]
            lsh = BandIndex(self.signer, keys, [self.norms[k] for k in keys])
            self._indexes[doc_key] = lsh
        return lsh

    def sentence_index(self, doc_key: str) -> BandIndex:
        """Index of the pool document's sentences; a hit names the task."""
        key = "\x00sentences:" + doc_key
        lsh = self._indexes.get(key)
        if lsh is None:
            items: list[str] = []
            norms: list[str] = []
            for task_key in self.tasks_by_doc.get(doc_key, []):
                for sentence in sentence_norms(self.texts[task_key], self.config):
                    items.append(task_key)
                    norms.append(sentence)
            lsh = BandIndex(self.signer, items, norms, sentences=True)
            self._indexes[key] = lsh
        return lsh


def _check_columns(frame: pl.DataFrame, name: str) -> None:
    missing = [c for c in TASK_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks columns {missing}; needs {list(TASK_COLUMNS)}")


def _documents(tasks: pl.DataFrame) -> dict[str, _Doc]:
    docs: dict[str, _Doc] = {}
    first = tasks.unique("document_key", keep="first", maintain_order=True)
    for row in first.select("document_key", "series_key", "year", "region_key",
                            "parent_region_key").iter_rows():
        docs[row[0]] = _Doc(row[0], row[1], row[2], row[3], _as_keys(row[4]))
    return docs


def _predecessors(docs: dict[str, _Doc]) -> dict[str, tuple[str, ...]]:
    """Document -> the documents of the previous year present in its series."""
    by_series: dict[str, list[_Doc]] = {}
    for doc in docs.values():
        if doc.series_key is not None and doc.year is not None:
            by_series.setdefault(doc.series_key, []).append(doc)
    out: dict[str, tuple[str, ...]] = {}
    for members in by_series.values():
        years = sorted({d.year for d in members if d.year is not None})
        for doc in members:
            earlier = [y for y in years if doc.year is not None and y < doc.year]
            if earlier:
                prev = earlier[-1]
                out[doc.key] = tuple(sorted(d.key for d in members if d.year == prev))
    return out


def _parents(docs: dict[str, _Doc]) -> dict[str, tuple[str, ...]]:
    """Document -> the same-year documents of its parent region(s)."""
    by_region_year: dict[tuple[str, int], list[str]] = {}
    for doc in docs.values():
        if doc.region_key is not None and doc.year is not None:
            by_region_year.setdefault((doc.region_key, doc.year), []).append(doc.key)
    out: dict[str, tuple[str, ...]] = {}
    for doc in docs.values():
        if doc.year is None:
            continue
        found = [k for region in doc.parent_region_keys
                 for k in by_region_year.get((region, doc.year), []) if k != doc.key]
        if found:
            out[doc.key] = tuple(sorted(found))
    return out


def _best_rows(task_key: str, pool: str, candidates: Sequence[str], norms: dict[str, str],
               heads: dict[str, str | None], config: LineageConfig
               ) -> list[tuple[str, str, str, float, str]]:
    """The row(s) for one task in one pool: the best match, or every merged predecessor."""
    decided: list[tuple[str, Decision]] = []
    head = heads[task_key]
    for cand in candidates:
        same_heading = head is not None and head == heads[cand]
        decision = decide(norms[task_key], norms[cand], config, same_heading)
        if decision is not None:
            decided.append((cand, decision))
    if not decided:
        return []
    # Best first: identical > reworded > containment, then score, then key (deterministic).
    decided.sort(key=lambda cd: (-RANK[cd[1].kind], -cd[1].score, cd[0]))
    best_key, best = decided[0]
    chosen = [(best_key, best)]
    if best.kind == "merged":
        chosen += [cd for cd in decided[1:] if cd[1].kind == "merged"][: config.max_merged - 1]
    rows = []
    for cand, decision in chosen:
        relation, method = relation_of(pool, decision, config)
        rows.append((task_key, cand, relation, round(decision.score / 100, 4), method))
    return rows


def _sentence_candidates(index: _PoolIndex, pool_docs: Sequence[str], texts: list[str]
                         ) -> list[set[str]]:
    """Pool tasks sharing an LSH bucket with any sentence of each text."""
    owner: list[int] = []
    sentences: list[str] = []
    for i, text in enumerate(texts):
        for sentence in sentence_norms(text, index.config):
            owner.append(i)
            sentences.append(sentence)
    found: list[set[str]] = [set() for _ in texts]
    if not sentences:
        return found
    keys = index.signer.band_keys(index.signer.signatures(sentences), sentences=True)
    for doc in pool_docs:
        for i, hits in zip(owner, index.sentence_index(doc).query_many(keys), strict=True):
            found[i] |= hits
    return found


def compute_lineage(new: pl.DataFrame, pool: pl.DataFrame | None = None,
                    config: LineageConfig = DEFAULT_CONFIG) -> pl.DataFrame:
    """Lineage rows for the tasks of `new` matched against `pool` (and each other).

    Returns rows for every task of `new` plus every pool task whose candidate documents
    include a new document; the caller replaces the stored rows of those task keys.
    """
    _check_columns(new, "new")
    frames = [new.select(TASK_COLUMNS)]
    if pool is not None and pool.height:
        _check_columns(pool, "pool")
        new_keys = new.get_column("task_key")
        kept = pool.select(TASK_COLUMNS).filter(~pl.col("task_key").is_in(new_keys.implode()))
        frames.insert(0, kept)
    tasks = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]

    docs = _documents(tasks)
    preds = _predecessors(docs)
    parents = _parents(docs)
    new_docs = set(new.get_column("document_key").unique().to_list())
    # Target documents: the new ones, and those whose predecessor or parent set is new.
    targets = {d for d in docs if d in new_docs
               or new_docs.intersection(preds.get(d, ()))
               or new_docs.intersection(parents.get(d, ()))}

    norms: dict[str, str] = {}
    heads: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    tasks_by_doc: dict[str, list[str]] = {}
    for task_key, doc_key, text in tasks.select("task_key", "document_key", "text").iter_rows():
        texts[task_key] = text or ""
        norms[task_key] = normalise(text or "")
        heads[task_key] = heading(text or "", config)
        tasks_by_doc.setdefault(doc_key, []).append(task_key)

    signer = Signer(config)
    index = _PoolIndex(config, tasks_by_doc, norms, texts, signer)
    # Each pool document's index is built once and dropped after its last use: targets are
    # visited by (parent region, region, year) so a city's plans serve all its counties
    # and then go (at 1M tasks, keeping every index held ~3 GB; bench/lineage.py).
    def order(doc_key: str) -> tuple[str, str, int, str]:
        doc = docs[doc_key]
        return (doc.parent_region_keys[0] if doc.parent_region_keys else "",
                doc.region_key or "", doc.year or 0, doc_key)

    ordered = sorted(targets, key=order)
    uses: Counter[str] = Counter()
    for doc_key in ordered:
        uses.update(set(preds.get(doc_key, ())) | set(parents.get(doc_key, ())))
    rows: list[tuple[str | None, ...] | tuple[str, str, str, float, str]] = []
    for doc_key in ordered:
        pred_docs = preds.get(doc_key, ())
        parent_docs = parents.get(doc_key, ())
        keys = tasks_by_doc[doc_key]
        found: dict[str, dict[str, list[tuple[str, str, str, float, str]]]] = {
            k: {} for k in keys}
        pending: list[tuple[str, str]] = []
        for pool_name, pool_docs in (("series", pred_docs), ("parent", parent_docs)):
            if not pool_docs:
                continue
            exact_maps = [index.exact(d) for d in pool_docs]
            for task_key in keys:
                norm = norms[task_key]
                if len(norm) < config.min_chars:
                    continue
                hits = [m[norm] for m in exact_maps if norm in m]
                if hits:
                    relation, method = relation_of(pool_name, Decision("identical", 100.0),
                                                   config)
                    found[task_key][pool_name] = [(task_key, min(hits), relation, 1.0, method)]
                else:
                    pending.append((task_key, pool_name))
        for pool_name, pool_docs in (("series", pred_docs), ("parent", parent_docs)):
            waiting = [k for k, name in pending if name == pool_name]
            if not waiting:
                continue
            band_keys = signer.band_keys(signer.signatures([norms[k] for k in waiting]))
            candidates: list[set[str]] = [set() for _ in waiting]
            for d in pool_docs:
                for i, bucket in enumerate(index.index(d).query_many(band_keys)):
                    candidates[i] |= bucket
            unmatched: list[str] = []
            for task_key, cand in zip(waiting, candidates, strict=True):
                best = _best_rows(task_key, pool_name, sorted(cand), norms, heads, config)
                found[task_key][pool_name] = best
                if not best:
                    unmatched.append(task_key)
            if unmatched and config.sentence_fallback:
                more = _sentence_candidates(index, pool_docs, [texts[k] for k in unmatched])
                for task_key, cand in zip(unmatched, more, strict=True):
                    found[task_key][pool_name] = _best_rows(
                        task_key, pool_name, sorted(cand), norms, heads, config)
        for task_key in keys:
            if found[task_key].get("series"):
                rows.extend(found[task_key]["series"])
            else:
                method = "no_candidate" if pred_docs else "no_previous_plan"
                rows.append((task_key, None, "new", None, method))
            rows.extend(found[task_key].get("parent", []))
        for used in set(pred_docs) | set(parent_docs):
            uses[used] -= 1
            if uses[used] == 0:
                index.evict(used)
    return pl.DataFrame(rows, schema=LINEAGE_SCHEMA, orient="row").sort(
        "task_key", "relation", "match_task_key", nulls_last=True)


def dropped_tasks(lineage: pl.DataFrame, tasks: pl.DataFrame) -> pl.DataFrame:
    """Predecessor tasks with no successor: in a plan that has a later plan in its series
    (within `tasks`), no series row (carried_over/revised) of that later plan points at them.
    """
    _check_columns(tasks, "tasks")
    docs = _documents(tasks)
    preds = _predecessors(docs)
    task_doc = dict(tasks.select("task_key", "document_key").iter_rows())
    linked = set(
        lineage.filter(pl.col("relation").is_in(SERIES_RELATIONS))
        .select("task_key", "match_task_key").iter_rows()
    )
    succeeded: dict[str, set[str]] = {}
    for new_task, old_task in linked:
        succeeded.setdefault(task_doc.get(new_task, ""), set()).add(old_task)
    by_doc: dict[str, list[str]] = {}
    for task_key, doc_key in task_doc.items():
        by_doc.setdefault(doc_key, []).append(task_key)
    rows = []
    for successor, pred_docs in sorted(preds.items()):
        kept = succeeded.get(successor, set())
        for pred in pred_docs:
            for task_key in by_doc.get(pred, []):
                if task_key not in kept:
                    rows.append((task_key, successor, "dropped"))
    return pl.DataFrame(rows, schema=DROPPED_SCHEMA, orient="row").sort(
        "successor_document_key", "task_key")


def merge_incremental(stored: pl.DataFrame, update: pl.DataFrame) -> pl.DataFrame:
    """Stored rows with the rows of every task key in `update` replaced by `update`'s."""
    keys = update.get_column("task_key").unique()
    kept = stored.filter(~pl.col("task_key").is_in(keys.implode()))
    return pl.concat([kept, update]).sort("task_key", "relation", "match_task_key",
                                          nulls_last=True)
