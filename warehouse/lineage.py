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
with numpy, see `_Signer`), one index per pool document, so a task is compared with the
few pool tasks sharing a band and never with the whole pool; a task still unmatched
queries an index of the pool's sentences (split parts). Each candidate is scored with
rapidfuzz (`decide`) and classified with the thresholds of `LineageConfig`.

Output rows (`LINEAGE_SCHEMA`): `task_key, match_task_key, relation, score, method`.
- `carried_over`: series match differing by at most `carried_over_max_edits` characters
  once numbering, clauses, punctuation and years are normalised away, with the same
  other numbers (near-identical);
- `revised`: series match with `fuzz.ratio >= revised_min` (`short_revised_min` when
  either text is shorter than `short_chars`), or one text aligned inside the other
  (`fuzz.partial_ratio >= containment_min`): the same task reworded; or a split or merge;
- `copied_from_parent`: parent match by the same rules (method ends in `:verbatim` when it
  would be carried_over, `:localized` otherwise, `:split`/`:merged` for containment);
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

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from datasketch import MinHash
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

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

# Leading item numbering: （一） (1) 一、 1. 1、 ① and "第一条"-free forms; stripped because
# renumbering is the commonest change between years and says nothing about the task.
LEADING_NUMBERING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十百零〇\d]{1,4}[）)]|[一二三四五六七八九十百]{1,4}[、.．]"
    r"|\d{1,3}(?:[、.．](?!\d)|(?=[\u4e00-\u9fff]))|[①-⑳])\s*"
)
# Responsibility clauses "(牵头单位:…;参加单位:…)" and "[责任单位:…(…)…]": agencies are
# another dimension (bridge_task_agency); a re-ordered or localised agency list must not
# make a task look different, and two tasks sharing a long agency list must not look alike.
UNIT_CLAUSE = re.compile(
    r"[（(\[【〔]\s*(?:牵头|责任|参加|配合|主责|协办|承办|落实)(?:单位|部门)"
    r"(?:[^（()）\[\]【】〔〕]|[（(][^（()）]*[）)])*[）)\]】〕]"
)
# Everything that is not a CJK character, a Latin letter or a digit: punctuation, spaces,
# full-width symbols. Kept: Chinese characters (the text), letters and digits (targets).
NOT_TEXT = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]+")
# Calendar years (2023, 202x): bumped every year in a carried-over task ("2023年底前" ->
# "2024年底前"), so they are masked; other numbers are targets and kept.
YEAR = re.compile(r"(?<!\d)(?:19|20)\d[\dxX](?!\d)")
YEAR_MASK = "Y"
# Sentence ends, for the containment fallback index (split and merged tasks).
SENTENCE_END = re.compile(r"[。；;！!？?]")
NUMBER = re.compile(r"\d+")

_MASK32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(1_000_003)


@dataclass(frozen=True)
class LineageConfig:
    """Every knob of the matcher, with the defaults chosen on the labelled set.

    Chosen by `python bench/lineage.py --tune` on the development split of
    tests/fixtures/lineage/pairs.csv (the holdout was not used); see that folder's
    README.md for the figures. Scores are rapidfuzz scores in 0..100.
    """

    # Character n-gram size of the shingles fed to MinHash. 2 and 3 are both exact on the
    # dev pairs with 32 x 2 banding; 3 gives fewer candidates (plan vocabulary such as
    # 法治 建设 推进 makes unrelated tasks share many bigrams), so it is faster.
    shingle_n: int = 3
    # MinHash permutations and LSH banding (bands * rows <= num_perm). 32 bands of 2 rows
    # return a candidate at Jaccard 0.3 with p=0.95 and at 0.15 with p=0.52; 16 x 4 lost a
    # split and a merged dev pair.
    num_perm: int = 64
    lsh_bands: int = 32
    lsh_rows: int = 2
    seed: int = 1
    # Near-identical (carried_over / verbatim copy): at most this many characters inserted
    # or deleted (Indel distance, years masked) and the same non-year numbers (a changed
    # target, 5% -> 8%, is a revision however short the edit).
    carried_over_max_edits: int = 3
    # fuzz.ratio at or above which a candidate is the same task reworded.
    revised_min: float = 55.0
    # Containment (split/merged): the shorter text must align inside the longer one at
    # least this well (fuzz.partial_ratio) ...
    containment_min: float = 85.0
    # ... be at least this many normalised characters long ...
    containment_min_chars: int = 20
    # ... and the length ratio shorter/longer must be at most this (else it is a plain
    # ratio comparison).
    containment_max_length_ratio: float = 0.75
    # Short tasks: below short_chars normalised characters, a reworded match needs
    # ratio >= short_revised_min. One changed key word (执法 -> 复议, 政府 -> 社会) is a
    # different task, and in 30 characters it still leaves ratio 70-86.
    short_chars: int = 40
    short_revised_min: float = 92.0
    # Tasks whose normalised text is shorter than this never match (headings like 加强监督).
    min_chars: int = 6
    # Containment fallback: a task with no whole-text match queries a per-document index of
    # the pool's sentences with each of its sentences, so a split part (Jaccard with the
    # whole old task ~0.1, below what whole-text LSH finds) still meets its old task.
    sentence_fallback: bool = True
    # Banding of the sentence index: stricter than the whole-text one (a split part keeps
    # its sentences nearly verbatim; 16 x 4 finds Jaccard 0.5 with p=0.65, 0.7 with p=0.99)
    # so sentences sharing only plan vocabulary stay out of the candidates.
    sentence_lsh_bands: int = 16
    sentence_lsh_rows: int = 4
    # A merged task links to at most this many predecessors.
    max_merged: int = 4
    method_prefix: str = field(default="minhash")

    def __post_init__(self) -> None:
        for bands, rows in ((self.lsh_bands, self.lsh_rows),
                            (self.sentence_lsh_bands, self.sentence_lsh_rows)):
            if bands < 1 or rows < 1 or bands * rows > self.num_perm:
                raise ValueError(f"LSH banding {bands} x {rows} needs 1..{self.num_perm} "
                                 "permutations (num_perm)")
        if self.shingle_n < 1:
            raise ValueError("shingle_n must be at least 1")


DEFAULT_CONFIG = LineageConfig()


def normalise(text: str) -> str:
    """The text a task is compared on: no numbering, clauses, punctuation or whitespace."""
    text = LEADING_NUMBERING.sub("", text.strip())
    text = UNIT_CLAUSE.sub("", text)
    text = YEAR.sub(YEAR_MASK, text)
    return NOT_TEXT.sub("", text)


def sentence_norms(text: str, config: LineageConfig) -> list[str]:
    """Normalised sentences of a task long enough to stand as a split part."""
    parts = (normalise(s) for s in SENTENCE_END.split(UNIT_CLAUSE.sub("", text)))
    return [p for p in parts if len(p) >= config.containment_min_chars]


def shingles(norm: str, n: int) -> np.ndarray:
    """32-bit hashes of the character n-grams of a normalised text (deterministic)."""
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size < n:
        return codes & _MASK32
    h = codes[: codes.size - n + 1].copy()
    for i in range(1, n):
        h = ((h * _MIX) ^ codes[i: codes.size - n + 1 + i]) & _MASK32
    return h  # repeated shingles change no minimum, so no np.unique


class _Signer:
    """MinHash signatures of many texts at once (datasketch's affine32 permutations).

    datasketch's own objects cost ~150 us per MinHash and ~300 us per MinHashLSH insert
    (32 bands) here, 45 min for 1M tasks (bench/lineage.py); the same scheme, h -> a*h + b
    mod 2^32 per permutation and the minimum per permutation, vectorised over a whole plan,
    and a dict of band keys per plan cost a few microseconds per task.
    """

    def __init__(self, config: LineageConfig) -> None:
        self.config = config
        a, b = MinHash(num_perm=config.num_perm, seed=config.seed).permutations
        self.a = np.asarray(a, dtype=np.uint32)
        self.b = np.asarray(b, dtype=np.uint32)
        rng = np.random.default_rng(config.seed)
        # Odd 64-bit multipliers fold the rows of a band into one key.
        size = max(config.lsh_rows, config.sentence_lsh_rows)
        self.fold = rng.integers(1, 2**63, size=size, dtype=np.uint64) | np.uint64(1)

    def signatures(self, norms: Sequence[str]) -> np.ndarray:
        """(len(norms), num_perm) uint32 MinHash signatures; every norm must be non-empty."""
        parts = [shingles(n, self.config.shingle_n).astype(np.uint32) for n in norms]
        lengths = np.fromiter((p.size for p in parts), dtype=np.int64, count=len(parts))
        flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
        with np.errstate(over="ignore"):
            permuted = flat[:, None] * self.a[None, :] + self.b[None, :]
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        return np.minimum.reduceat(permuted, starts, axis=0)

    def band_keys(self, signatures: np.ndarray, sentences: bool = False) -> np.ndarray:
        """(n, bands) uint64 keys: rows of one band folded, band number mixed in."""
        cfg = self.config
        bands, per = ((cfg.sentence_lsh_bands, cfg.sentence_lsh_rows) if sentences
                      else (cfg.lsh_bands, cfg.lsh_rows))
        rows = signatures[:, : bands * per].astype(np.uint64)
        rows = rows.reshape(len(signatures), bands, per)
        with np.errstate(over="ignore"):
            keys = (rows * self.fold[:per]).sum(axis=2, dtype=np.uint64)
            keys = keys + np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return keys


class _BandIndex:
    """LSH buckets of one plan: band keys sorted, so a whole plan's queries are answered
    by one binary search over the keys (the items sharing a key with a query are its
    candidates), instead of a dict lookup per band and task (bench/lineage.py)."""

    def __init__(self, signer: _Signer, items: list[str], norms: list[str],
                 sentences: bool = False) -> None:
        self.items = items
        if items:
            matrix = signer.band_keys(signer.signatures(norms), sentences)
            keys = matrix.ravel()
            owners = np.repeat(np.arange(len(items)), matrix.shape[1])
            order = np.argsort(keys, kind="stable")
            self.keys, self.owners = keys[order], owners[order]
        else:
            self.keys = np.zeros(0, dtype=np.uint64)
            self.owners = np.zeros(0, dtype=np.int64)

    def query_many(self, band_keys: np.ndarray) -> list[set[str]]:
        """Candidate items for each row of a (queries, bands) key matrix."""
        n_queries, bands = band_keys.shape
        out: list[set[str]] = [set() for _ in range(n_queries)]
        if not self.items or not n_queries:
            return out
        flat = band_keys.ravel()
        lo = np.searchsorted(self.keys, flat, side="left")
        hi = np.searchsorted(self.keys, flat, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return out
        query_of = np.repeat(np.arange(flat.size) // bands, counts)
        # Positions lo[i], lo[i]+1, ..., hi[i]-1 for every key i, concatenated.
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        owners = self.owners[starts + np.arange(total)]
        pairs = np.unique(query_of * len(self.items) + owners)
        for query, owner in zip((pairs // len(self.items)).tolist(),
                                (pairs % len(self.items)).tolist(), strict=True):
            out[query].add(self.items[owner])
        return out


@dataclass(frozen=True)
class Decision:
    """How one new task relates to one candidate, before the pool kind names it."""

    kind: str  # "identical", "reworded", "split", "merged"
    score: float  # 0..100


def decide(new_norm: str, old_norm: str, config: LineageConfig = DEFAULT_CONFIG
           ) -> Decision | None:
    """Classify a (new, old) pair of normalised texts, or None when they differ."""
    if len(new_norm) < config.min_chars or len(old_norm) < config.min_chars:
        return None
    ratio = fuzz.ratio(new_norm, old_norm)
    edits = Indel.distance(new_norm, old_norm, score_cutoff=config.carried_over_max_edits + 1)
    if (edits <= config.carried_over_max_edits
            and NUMBER.findall(new_norm) == NUMBER.findall(old_norm)):
        return Decision("identical", ratio)
    shorter, longer = sorted((len(new_norm), len(old_norm)))
    short = shorter < config.short_chars
    threshold = config.short_revised_min if short else config.revised_min
    contained = (config.short_revised_min if short else config.containment_min)
    partial = 0.0
    # partial_ratio (~140 us on 300 characters, most of the matcher's time at 1M tasks) is
    # skipped when an upper bound is below the threshold: with m = LCS of the whole strings
    # = ratio*(len1+len2)/200, a window w shares at most min(m, |w|) characters with the
    # shorter text s, so its score 200*LCS/(|s|+|w|) <= 200*m/(|s|+m).
    common = ratio * (len(new_norm) + len(old_norm)) / 200
    bound = 200 * common / (shorter + common) if common else 0.0
    if shorter >= config.containment_min_chars and bound >= contained:
        partial = fuzz.partial_ratio(new_norm, old_norm, score_cutoff=contained)
        if partial >= contained and shorter / longer <= config.containment_max_length_ratio:
            return Decision("split" if len(new_norm) < len(old_norm) else "merged", partial)
    if ratio >= threshold:
        return Decision("reworded", ratio)
    if partial >= contained:
        # Similar lengths, one aligned inside the other: a sentence added or cut at an end.
        return Decision("reworded", partial)
    return None


_RANK = {"identical": 3, "reworded": 2, "split": 1, "merged": 1}


def relation_of(pool: str, decision: Decision, config: LineageConfig = DEFAULT_CONFIG
                ) -> tuple[str, str]:
    """(relation, method) of a decision found in the `series` or `parent` pool."""
    if decision.kind in ("split", "merged"):
        method = f"{config.method_prefix}+partial:{decision.kind}"
    else:
        method = f"{config.method_prefix}+ratio"
    if pool == "parent":
        suffix = {"identical": "verbatim", "reworded": "localized"}.get(decision.kind)
        return "copied_from_parent", method + (f":{suffix}" if suffix else "")
    return ("carried_over" if decision.kind == "identical" else "revised"), method


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
                 norms: dict[str, str], texts: dict[str, str], signer: _Signer) -> None:
        self.config = config
        self.texts = texts
        self.tasks_by_doc = tasks_by_doc
        self.norms = norms
        self.signer = signer
        self._indexes: dict[str, _BandIndex] = {}
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

    def index(self, doc_key: str) -> _BandIndex:
        lsh = self._indexes.get(doc_key)
        if lsh is None:
            keys = [k for k in self.tasks_by_doc.get(doc_key, [])
                    if len(self.norms[k]) >= self.config.min_chars]
            lsh = _BandIndex(self.signer, keys, [self.norms[k] for k in keys])
            self._indexes[doc_key] = lsh
        return lsh

    def sentence_index(self, doc_key: str) -> _BandIndex:
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
            lsh = _BandIndex(self.signer, items, norms, sentences=True)
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


def _best_rows(task_key: str, norm: str, pool: str, candidates: Sequence[str],
               norms: dict[str, str], config: LineageConfig
               ) -> list[tuple[str, str, str, float, str]]:
    """The row(s) for one task in one pool: the best match, or every merged predecessor."""
    decided: list[tuple[str, Decision]] = []
    for cand in candidates:
        decision = decide(norm, norms[cand], config)
        if decision is not None:
            decided.append((cand, decision))
    if not decided:
        return []
    # Best first: identical > reworded > containment, then score, then key (deterministic).
    decided.sort(key=lambda cd: (-_RANK[cd[1].kind], -cd[1].score, cd[0]))
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
    texts: dict[str, str] = {}
    tasks_by_doc: dict[str, list[str]] = {}
    for task_key, doc_key, text in tasks.select("task_key", "document_key", "text").iter_rows():
        texts[task_key] = text or ""
        norms[task_key] = normalise(text or "")
        tasks_by_doc.setdefault(doc_key, []).append(task_key)

    signer = _Signer(config)
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
                best = _best_rows(task_key, norms[task_key], pool_name, sorted(cand), norms,
                                  config)
                found[task_key][pool_name] = best
                if not best:
                    unmatched.append(task_key)
            if unmatched and config.sentence_fallback:
                more = _sentence_candidates(index, pool_docs, [texts[k] for k in unmatched])
                for task_key, cand in zip(unmatched, more, strict=True):
                    found[task_key][pool_name] = _best_rows(
                        task_key, norms[task_key], pool_name, sorted(cand), norms, config)
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
