"""Comparing two task texts: normalisation, MinHash LSH candidates, the rapidfuzz decision.

The text-reuse half of task lineage (`warehouse/lineage.py` decides which pools a task is
compared with). A task's text is normalised (numbering, responsibility clauses,
punctuation and years removed), shingled into character n-grams, signed with MinHash and
bucketed by LSH bands (`Signer`, `BandIndex`), so a task meets only the few pool tasks
sharing a band; each candidate is then judged by `decide` with the thresholds of
`LineageConfig`, and `relation_of` names the result for its pool.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from transform.patterns import HAN

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
NOT_TEXT = re.compile(rf"[^{HAN}A-Za-z0-9]+")
TEXT_CHAR = re.compile(rf"[{HAN}A-Za-z0-9]")
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
    # ... unless both tasks open with the same heading (the first sentence, "加强行政复议工作。",
    # at least this many normalised characters): the heading names the task and plans keep
    # it while rewording the body, so a short pair with one then needs only revised_min.
    heading_min_chars: int = 4
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


def heading(text: str, config: LineageConfig = DEFAULT_CONFIG) -> str | None:
    """The normalised first sentence of a task that goes on after it, or None."""
    head, *body = SENTENCE_END.split(LEADING_NUMBERING.sub("", text.strip()), maxsplit=1)
    norm = normalise(head)
    if not body or not TEXT_CHAR.search(body[0]) or len(norm) < config.heading_min_chars:
        return None
    return norm


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


class Signer:
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


class BandIndex:
    """LSH buckets of one plan: band keys sorted, so a whole plan's queries are answered
    by one binary search over the keys (the items sharing a key with a query are its
    candidates), instead of a dict lookup per band and task (bench/lineage.py)."""

    def __init__(self, signer: Signer, items: list[str], norms: list[str],
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


def decide(new_norm: str, old_norm: str, config: LineageConfig = DEFAULT_CONFIG,
           same_heading: bool = False) -> Decision | None:
    """Classify a (new, old) pair of normalised texts, or None when they differ.

    `same_heading`: both texts open with the same `heading` (lifts the short-task rule).
    """
    if len(new_norm) < config.min_chars or len(old_norm) < config.min_chars:
        return None
    ratio = fuzz.ratio(new_norm, old_norm)
    edits = Indel.distance(new_norm, old_norm, score_cutoff=config.carried_over_max_edits + 1)
    if (edits <= config.carried_over_max_edits
            and NUMBER.findall(new_norm) == NUMBER.findall(old_norm)):
        return Decision("identical", ratio)
    shorter, longer = sorted((len(new_norm), len(old_norm)))
    short = shorter < config.short_chars and not same_heading
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


RANK = {"identical": 3, "reworded": 2, "split": 1, "merged": 1}


def relation_of(pool: str, decision: Decision, config: LineageConfig = DEFAULT_CONFIG
                ) -> tuple[str, str]:
    """(relation, method) of a decision found in the `series` or `parent` pool."""
    if decision.kind in ("split", "merged"):
        method = f"{config.method_prefix}+partial:{decision.kind}"
    else:
        method = f"{config.method_prefix}+ratio"
    if pool == "parent":
        if decision.kind in ("split", "merged"):
            return "copied_from_parent", method
        # Verbatim only when the normalised texts are equal (ratio 100): the commonest
        # localisation, 全市 -> 全县 or 市委 -> 县委, is a one-character edit, which the
        # series pool still calls carried_over.
        verbatim = decision.kind == "identical" and decision.score >= 100.0
        return "copied_from_parent", method + (":verbatim" if verbatim else ":localized")
    return ("carried_over" if decision.kind == "identical" else "revised"), method
