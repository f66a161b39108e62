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
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from transform import patterns as P
from transform.records import Role, Unit

DATA = Path(__file__).parent / "data"


@dataclass(slots=True)
class ClauseResult:
    units: list[Unit] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    positions: list[int] = field(default_factory=list)  # clause start offset, per unit


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    with (DATA / "agency_aliases.csv").open(encoding="utf-8") as fh:
        return {row["alias"]: row["canonical"] for row in csv.DictReader(fh)}


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
    if P.BRACKET_OPEN.search(text) is None:
        return [s.strip() for s in P.UNIT_SPLIT.split(text)]
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


_TRAILING_CHARS = " 。.,;、"
_TRAILING_TUPLE = tuple(_TRAILING_CHARS)


def clean_unit(raw: str) -> str:
    name = raw.rstrip(_TRAILING_CHARS) if raw.endswith(_TRAILING_TUPLE) else raw
    if name.endswith("负责"):
        name = P.DUTY_SUFFIX.sub("", name).rstrip(_TRAILING_CHARS)
    return name


def _match_close(text: str, start: int) -> tuple[int, bool]:
    """Index just past the bracket closing the one at `start`; (end, truncated)."""
    depth = 0
    for m in P.BRACKET_OR_BREAK.finditer(text, start):
        ch = m.group(0)
        if ch == "\n":
            return m.start(), True
        if ch in P.CLAUSE_OPENERS:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end(), False
    return len(text), True


# Unit lists recur across items and documents: without this cache, parsing the corpus of
# bench/transform.py takes ~1.25x the CPU time.
@lru_cache(maxsize=8192)
def _named_entries(units_text: str) -> tuple[tuple[tuple[str, str, bool], ...], bool]:
    """(name, canonical, generic) per non-empty entry of a unit list; True if one was empty."""
    names = [clean_unit(entry) for entry in split_units(units_text)]
    named = tuple((name, canonical_name(name), is_generic(name)) for name in names if name)
    return named, len(named) < len(names)


def _role(word: str) -> Role:
    return P.ROLE_OF[word]  # type: ignore[return-value]


Span = tuple[int, int, list[tuple[str, str]]]  # (start, end, [(role word, unit list text)])


def _clause_spans(text: str, flags: set[str]) -> list[Span]:
    """Every clause with its parts, in document order (overlaps not yet resolved)."""
    spans: list[Span] = []
    end = 0
    for mark in P.ROLE_COLON.finditer(text):
        at = mark.start()
        if at < end:
            continue  # a later part of a clause already taken
        j = at - 1
        while j >= 0 and text[j] == " ":
            j -= 1
        if j >= 0 and text[j] in P.CLAUSE_OPENERS:
            end, truncated = _match_close(text, j)
            if truncated:
                flags.add("truncated_clause")
            spans.append((j, end, split_parts(text[j + 1 : end - (0 if truncated else 1)])))
        elif j < 0 or text[j] == "\n":
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            spans.append((at, end, split_parts(text[at:end])))
    for hint in P.INLINE_HINT.finditer(text):
        lo = max(0, hint.start() - P.INLINE_LOOKBACK)
        opener = text.rfind("(", lo, hint.start())
        if opener >= 0 and (inline := P.INLINE_CLAUSE.match(text, opener)) is not None:
            spans.append((inline.start(), inline.end(), _inline_parts(inline)))
    spans.sort(key=_SPAN_ORDER)
    return spans


_SPAN_ORDER = itemgetter(0, 1)


def _inline_parts(m: re.Match[str]) -> list[tuple[str, str]]:
    """"(X、Y牵头,Z按职责分工负责)": lead X, Y; Z responsible (配合/参与/参加: participant)."""
    parts = [("牵头单位", m["lead"].removeprefix("由"))]
    if m["rest"]:
        role = "参加单位" if m["verb"] in ("配合", "参与", "参加") else "责任单位"
        parts.append((role, m["rest"]))
    return parts


def split_parts(inner: str) -> list[tuple[str, str]]:
    """A clause's "role:units" parts; a part's units end before the next role word and the
    spaces and one separator (; , 。) in front of it, the last part's at the end."""
    found = list(P.ROLE_COLON.finditer(inner))
    parts = []
    for k, m in enumerate(found):
        begin = m.end()
        if k + 1 < len(found):
            end = found[k + 1].start()
            while end > begin and inner[end - 1].isspace():
                end -= 1
            if end > begin and inner[end - 1] in P.PART_SEPARATORS:
                end -= 1
        else:
            end = len(inner) - 1 if inner.endswith("\n") else len(inner)
        parts.append((m["role"], inner[begin:end]))
    return parts


def _parts(text: str, flags: set[str]) -> Iterator[tuple[int, str, str]]:
    """(clause start, role word, unit list text) for every clause part, in order; of
    overlapping clauses the one starting first wins."""
    last_end = -1
    for start, end, parts in _clause_spans(text, flags):
        if start < last_end:
            continue
        last_end = end
        for role, units_text in parts:
            yield start, role, units_text


def find_units(text: str) -> ClauseResult:
    """All clause parts of a text, in order, as Units (clause_no counts parts from 1)."""
    result = ClauseResult()
    if ":" not in text and "牵头" not in text:
        return result
    units, positions = result.units, result.positions
    for clause_no, (pos, role, units_text) in enumerate(_parts(text, result.flags), 1):
        kind = _role(role)
        named, empty = _named_entries(units_text)
        if empty:
            result.flags.add("empty_unit_entry")
        for name, canonical, generic in named:
            units.append(Unit(kind, name, canonical, generic, clause_no))
            positions.append(pos)
    return result


def units_by_node(
    text: str, starts: Sequence[int]
) -> tuple[list[tuple[int, list[Unit]]], set[str]]:
    """Units of a text made of nodes starting at `starts`, grouped by node in order.

    Returns ([(node index, units)], flags). A clause belongs to the node holding its start;
    clause_no counts a node's clause parts that name at least one unit, from 1.
    """
    flags: set[str] = set()
    groups: list[tuple[int, list[Unit]]] = []
    if ":" not in text and "牵头" not in text:
        return groups, flags
    node, part_no, last_end = -1, 0, -1
    units: list[Unit] = []
    for start, end, parts in _clause_spans(text, flags):
        if start < last_end:
            continue  # overlaps a clause that starts earlier (as in _parts)
        last_end = end
        owner = -1  # the node holding the clause, looked up once it names a unit
        for role, units_text in parts:
            named, empty = _named_entries(units_text)
            if empty:
                flags.add("empty_unit_entry")
            if not named:
                continue
            if owner < 0 and (owner := bisect_right(starts, start) - 1) != node:
                node, part_no, units = owner, 0, []
                groups.append((node, units))
            part_no += 1
            kind = P.ROLE_OF[role]
            units += [Unit(kind, n, c, g, part_no) for n, c, g in named]  # type: ignore[arg-type]
    return groups, flags
