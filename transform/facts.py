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

    Leftmost-longest, non-overlapping: the same hits as a regex alternation of the
    spellings, longest first.
    """
    pairs = _spellings()
    automaton = ahocorasick_rs.AhoCorasick(
        [s for s, _ in pairs],
        matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        implementation=ahocorasick_rs.Implementation.DFA,  # small vocabulary: fastest scan
    )
    return automaton, tuple(theme for _, theme in pairs)


def scan_themes(text: str) -> list[tuple[int, str]]:
    """(offset, theme) of every spelling found, in order."""
    automaton, themes = _theme_automaton()
    # The library reads a str through its UTF-8 form, which CPython then keeps inside that
    # str for its lifetime (+1.5x for Chinese text). Scan a throwaway copy (a memcpy), so
    # the caller's text, usually kept as Document.text, does not carry it.
    haystack = "".join((text, ""))
    # (pattern index, start, end); offsets are str indices (mapped back from UTF-8).
    return [(start, themes[index])
            for index, start, _ in automaton.find_matches_as_indexes(haystack)]


def find_themes(text: str) -> list[str]:
    return list(dict.fromkeys(theme for _, theme in scan_themes(text)))


def scan_targets(text: str) -> list[tuple[int, Target]]:
    out: list[tuple[int, Target]] = []
    for m in P.TARGET.finditer(text):
        start, value = m.start(), float(m["value"])
        if m["percent"]:
            out.append((start, Target("percent", m.group(0), value, "%")))
            continue
        if start and text[start - 1].isdigit():
            continue  # the tail of a longer number (e.g. after a circled digit)
        for prefix in P.COUNT_PREFIXES:
            if text.startswith(prefix, start - len(prefix)) and start >= len(prefix):
                start -= len(prefix)
                break
        out.append((start, Target("count", text[start : m.end()], value, m["unit"])))
    out.sort(key=lambda item: item[0])
    return out


def find_targets(text: str) -> list[Target]:
    return [t for _, t in scan_targets(text)]


def scan_deadlines(text: str) -> list[tuple[int, Target]]:
    out = []
    for m in P.DEADLINE_YEAR.finditer(text):
        start, end = m.span()
        if start and text[start - 1].isdigit():
            continue
        year = int(text[start : end - 1])
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
