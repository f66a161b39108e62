"""Targets, deadlines and themes, with the offset where each was found.

- Percent targets: "100%", "99.6%" (value, unit "%").
- Counts with a measure word: "不少于60学时", "2期以上", "35个" (value, unit, qualifiers kept
  in `text`); years ("2022年") are never counts because 年 is not a measure word here.
- Deadlines: "2022年底前", "2024年年底", "到2025年", "2023年6月底前" (deadline_year).
- Themes: the controlled vocabulary in data/themes.yaml (theme -> spellings). A spelling
  written with curly quotes (“八五”普法) also matches with straight quotes and without them.

The `scan_*` functions return (offset, item) pairs so a whole document is scanned once and
the items assigned to nodes by offset; `find_*` are the per-text conveniences.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import ahocorasick_rs
import yaml

from transform import patterns as P
from transform.records import Target

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def _spellings() -> tuple[tuple[str, str], ...]:
    """(spelling, theme) pairs; quote variants expanded."""
    raw: dict[str, list[str]] = yaml.safe_load((DATA / "themes.yaml").read_text(encoding="utf-8"))
    pairs: dict[str, str] = {}
    for theme, spellings in raw.items():
        for spelling in [theme, *spellings]:
            plain = spelling.replace("“", "").replace("”", "")
            straight = spelling.replace("“", '"').replace("”", '"')
            for variant in (spelling, plain, straight):
                pairs.setdefault(variant, theme)
    return tuple(pairs.items())


@lru_cache(maxsize=1)
def theme_vocabulary() -> dict[str, str]:
    """Every accepted spelling -> its theme."""
    return dict(_spellings())


@lru_cache(maxsize=1)
def _theme_automaton() -> tuple[ahocorasick_rs.AhoCorasick, tuple[str, ...]]:
    """(automaton over every spelling, theme per spelling index).

    Leftmost-longest, non-overlapping: the same hits as the regex trie of the spellings
    (`patterns.literal_trie`), found in one compiled pass instead of a regex scan.
    """
    pairs = _spellings()
    automaton = ahocorasick_rs.AhoCorasick(
        [s for s, _ in pairs],
        matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        implementation=ahocorasick_rs.Implementation.DFA,  # small vocabulary: fastest scan
    )
    return automaton, tuple(theme for _, theme in pairs)


@lru_cache(maxsize=1)
def _theme_automaton_utf8() -> ahocorasick_rs.BytesAhoCorasick:
    """`_theme_automaton` over UTF-8 bytes (same spelling indices).

    UTF-8 is self-synchronising, so a spelling matches bytes only at a character start, and
    two spellings matching at one start are prefixes of each other: leftmost-longest picks
    the same spellings as over characters.
    """
    return ahocorasick_rs.BytesAhoCorasick(
        [s.encode("utf-8") for s, _ in _spellings()],
        matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        implementation=ahocorasick_rs.Implementation.DFA,
    )


def theme_hits_utf8(data: bytes) -> tuple[list[int], list[str]]:
    """`theme_hits` over a text's UTF-8 bytes; offsets are byte offsets.

    For a caller that encodes the text anyway (the content hash): the str scan would encode
    it again and map every offset back to a str index.
    """
    _, themes = _theme_automaton()
    matches = _theme_automaton_utf8().find_matches_as_indexes(data)
    return list(map(_START, matches)), list(map(themes.__getitem__, map(_INDEX, matches)))


def theme_hits(text: str) -> tuple[list[int], list[str]]:
    """`scan_themes` as two parallel lists (offsets, themes), built without a Python loop."""
    automaton, themes = _theme_automaton()
    # The library reads a str through its UTF-8 form, which CPython then keeps inside that
    # str for its lifetime (+1.5x for Chinese text). Scan a throwaway copy (a memcpy), so
    # the caller's text, usually kept as Document.text, does not carry it.
    haystack = "".join((text, ""))
    # (pattern index, start, end); offsets are str indices (mapped back from UTF-8).
    matches = automaton.find_matches_as_indexes(haystack)
    return list(map(_START, matches)), list(map(themes.__getitem__, map(_INDEX, matches)))


_INDEX, _START = itemgetter(0), itemgetter(1)


def scan_themes(text: str) -> list[tuple[int, str]]:
    offsets, themes = theme_hits(text)
    return list(zip(offsets, themes, strict=True))


def find_themes(text: str) -> list[str]:
    return list(dict.fromkeys(theme for _, theme in scan_themes(text)))


def _number_start(text: str, end: int) -> int:
    """Start of the number `[0-9]+(?:.[0-9]+)?` ending at `end`, as the forward regex
    (leftmost, greedy) would find it; `end` itself when no digit precedes it."""
    i = end
    while i and "0" <= text[i - 1] <= "9":
        i -= 1
    if i != end and i >= 2 and text[i - 1] == "." and "0" <= text[i - 2] <= "9":
        i -= 1
        while i and "0" <= text[i - 1] <= "9":
            i -= 1
    return i


def digit_run_ends(text: str) -> list[int]:
    """End offsets of the runs of ASCII digits in `text`, in order."""
    # Every character becomes one byte (so offsets hold), then digits "0", the rest " ".
    marks = text.encode("ascii", "replace").translate(P.DIGITS_AS_ZERO)
    return [m.end() for m in P.ZERO_RUN.finditer(marks)]


def scan_targets(text: str) -> list[tuple[int, Target]]:
    out: list[tuple[int, Target]] = []
    pos = text.find("%")
    while pos >= 0:  # str.find runs at memchr speed; percent signs are few
        start = _number_start(text, pos)
        if start != pos:
            percent = float(text[start:pos])
            out.append((start, Target("percent", text[start : pos + 1], percent, "%")))
        pos = text.find("%", pos + 1)
    last_end, size = 0, len(text)
    for at in digit_run_ends(text):  # a count's unit starts right after its digits
        if at == size or text[at] not in P.COUNT_UNIT_FIRST or at < last_end:
            continue  # no measure word here, or inside the previous count (its suffix)
        unit = P.COUNT_UNIT.match(text, at)
        if unit is None:
            continue
        start, last_end = _number_start(text, at), unit.end()
        if start and text[start - 1].isdigit():
            continue  # the tail of a longer number (e.g. after a circled digit)
        value = float(text[start:at])
        for prefix in P.COUNT_PREFIXES:
            if text.startswith(prefix, start - len(prefix)) and start >= len(prefix):
                start -= len(prefix)
                break
        out.append((start, Target("count", text[start : unit.end()], value, unit["unit"])))
    out.sort(key=lambda item: item[0])
    return out


def find_targets(text: str) -> list[Target]:
    return [t for _, t in scan_targets(text)]


def scan_deadlines(text: str) -> list[tuple[int, Target]]:
    if "年" not in text:
        return []
    out = []
    for m in P.DEADLINE_YEAR.finditer(text):
        start, end = m.start() - 4, m.end()
        if start and text[start - 1].isdigit():
            continue
        year = int(text[start : end - 1])
        lead = None
        if start and text[start - 1] in P.DEADLINE_BEFORE_LAST:  # most years have no lead
            lead = next((w for w in P.DEADLINE_BEFORE if text.startswith(w, start - len(w))
                         and start >= len(w)), None)
        tail = P.DEADLINE_AFTER.match(text, end)
        if lead is not None:
            # "到2025年", "到2025年底前": the tail (if any) belongs to the same deadline.
            stop = tail.end() if tail and not tail.group(0)[0].isdigit() else end
            out.append((start - len(lead), Target("deadline", text[start - len(lead) : stop],
                                                  deadline_year=year)))
        elif tail is not None:
            out.append((start, Target("deadline", text[start : tail.end()], deadline_year=year)))
    return out


def find_deadlines(text: str) -> list[Target]:
    return [t for _, t in scan_deadlines(text)]
