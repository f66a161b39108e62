"""Responsibility clauses: who leads, who takes part, who is responsible, per node.

Recognised forms (after normalization):
- bracketed, in ( ) [ ] 【】 〔〕: "(责任单位:A、B)", "(牵头单位:A;参加单位:B,C)";
  unit names may nest brackets ("市人民政府各部门党组(党委)");
- a clause on a line of its own: "责任单位:A、B";
- inline: "(A、B牵头,C按职责分工负责)" -> lead A, B; responsible C ("配合/参与" -> participant);
- a clause cut off by the end of the text is kept and flagged `truncated_clause`.
A role word without a colon ("…牵头部门的推进职责") is prose, not a clause.

Units are split on 、 , ; outside brackets; the "按职责分工(分别)负责" suffix is dropped; an
empty entry ("牵头单位:、综合治理办") is dropped and flagged `empty_unit_entry`.
Canonical names come from data/agency_aliases.csv, after the general rule
人民政府 -> 政府 and without a trailing "等单位"; generic entries are marked.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from transform import patterns as P
from transform.records import Role, Unit

DATA = Path(__file__).parent / "data"
_BRACKETS = re.compile(r"[()\[\]【】〔〕\n]")
_OPENERS = "([【〔"


@dataclass(slots=True)
class ClauseResult:
    units: list[Unit] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    with (DATA / "agency_aliases.csv").open(encoding="utf-8") as fh:
        return {row["alias"]: row["canonical"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=4096)
def canonical_name(name: str) -> str:
    table = aliases()
    if name in table:
        return table[name]
    base = P.UNIT_ETC.sub("", name) or name
    base = P.PEOPLES_GOVT.sub("政府", base)
    return table.get(base, base)


def is_generic(name: str) -> bool:
    return P.GENERIC_UNIT.search(name) is not None


def split_units(text: str) -> list[str]:
    """Split on 、 , ; at bracket depth 0; entries are stripped, empties kept as ""."""
    if not any(c in text for c in "([【〔"):
        return [s.strip() for s in re.split(r"[、,;]", text)]
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):  # unit lists are short; this loop is off the hot path
        if ch in "([【〔":
            depth += 1
        elif ch in ")]】〕":
            depth = max(0, depth - 1)
        elif ch in P.UNIT_SEPARATORS and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out


def clean_unit(raw: str) -> str:
    name = P.UNIT_TRAILING.sub("", raw)
    name = P.DUTY_SUFFIX.sub("", name)
    return P.UNIT_TRAILING.sub("", name)


def _match_close(text: str, start: int) -> tuple[int, bool]:
    """Index just past the bracket closing the one at `start`; (end, truncated)."""
    depth = 0
    for m in _BRACKETS.finditer(text, start):
        ch = m.group(0)
        if ch == "\n":
            return m.start(), True
        if ch in _OPENERS:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end(), False
    return len(text), True


def _add(result: ClauseResult, role: str, units_text: str, clause_no: int) -> None:
    for raw in split_units(units_text):
        name = clean_unit(raw)
        if not name:
            result.flags.add("empty_unit_entry")
            continue
        result.units.append(
            Unit(_role(role), name, canonical_name(name), is_generic(name), clause_no)
        )


def _role(word: str) -> Role:
    return P.ROLE_OF[word]  # type: ignore[return-value]


def find_units(text: str) -> ClauseResult:
    """All clause parts of one node's own text, in order, as Units."""
    result = ClauseResult()
    spans: list[tuple[int, int, str, str | None]] = []  # (start, end, inner, inline verb)
    if ":" in text:
        for m in P.CLAUSE_OPEN.finditer(text):
            if spans and m.start() < spans[-1][1]:
                continue
            end, truncated = _match_close(text, m.start())
            if truncated:
                result.flags.add("truncated_clause")
            inner = text[m.start() + 1 : end - (0 if truncated else 1)]
            spans.append((m.start(), end, inner, None))
        for m in P.CLAUSE_LINE.finditer(text):
            line_end = text.find("\n", m.start())
            line_end = len(text) if line_end < 0 else line_end
            spans.append((m.start(), line_end, text[m.start() : line_end], None))
    if "牵头" in text:
        for m in P.INLINE_CLAUSE.finditer(text):
            spans.append((m.start(), m.end(), m.group(0), "inline"))
    spans.sort()
    clause_no = 0
    last_end = -1
    for start, end, inner, kind in spans:
        if start < last_end:
            continue
        last_end = end
        if kind == "inline":
            m = P.INLINE_CLAUSE.fullmatch(inner)
            assert m is not None
            clause_no += 1
            _add(result, "牵头单位", m["lead"], clause_no)
            if m["rest"]:
                clause_no += 1
                role = "参加单位" if m["verb"] in ("配合", "参与", "参加") else "责任单位"
                _add(result, role, m["rest"], clause_no)
            continue
        for part in P.CLAUSE_PART.finditer(inner):
            clause_no += 1
            _add(result, part["role"], part["units"], clause_no)
    return result
