"""Targets, deadlines and themes found in one node's own text.

- Percent targets: "100%", "99.6%" (value, unit "%").
- Counts with a measure word: "不少于60学时", "2期以上", "35个" (value, unit, qualifiers kept
  in `text`); years ("2022年") are never counts because 年 is not a measure word here.
- Deadlines: "2022年底前", "2024年年底", "到2025年", "2023年6月底前" (deadline_year).
- Themes: the controlled vocabulary in data/themes.yaml (theme -> spellings). Curly or
  straight quotes inside a spelling are optional, so "八五"普法 and 八五普法 both count.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from transform import patterns as P
from transform.records import Target

DATA = Path(__file__).parent / "data"
_QUOTES = "“”\"'‘’"


@lru_cache(maxsize=1)
def _themes() -> tuple[re.Pattern[str], dict[str, str]]:
    raw: dict[str, list[str]] = yaml.safe_load((DATA / "themes.yaml").read_text(encoding="utf-8"))
    by_key: dict[str, str] = {}
    for theme, spellings in raw.items():
        for spelling in [theme, *spellings]:
            by_key[_strip_quotes(spelling)] = theme
    alternatives = []
    for key in sorted(by_key, key=len, reverse=True):
        alternatives.append(f"[{_QUOTES}]?".join(map(re.escape, key)))
    return re.compile("|".join(alternatives)), by_key


def _strip_quotes(text: str) -> str:
    return text.translate({ord(q): None for q in _QUOTES})


def theme_vocabulary() -> dict[str, str]:
    """Every accepted spelling (quotes removed) -> its theme."""
    return dict(_themes()[1])


def find_themes(text: str) -> list[str]:
    pattern, by_key = _themes()
    seen: dict[str, None] = {}
    for m in pattern.finditer(text):
        seen.setdefault(by_key[_strip_quotes(m.group(0))], None)
    return list(seen)


def find_targets(text: str) -> list[Target]:
    out: list[Target] = []
    if "%" in text:
        out.extend(
            Target("percent", m.group(0), float(m["value"]), "%")
            for m in P.PERCENT.finditer(text)
        )
    for m in P.COUNT.finditer(text):
        out.append(Target("count", m.group(0), float(m["value"]), m["unit"]))
    return out


def find_deadlines(text: str) -> list[Target]:
    if "年" not in text:
        return []
    out = []
    for m in P.DEADLINE.finditer(text):
        year = m["to"] or m["y"] or m["y2"]
        out.append(Target("deadline", m.group(0), deadline_year=int(year)))
    return out
