"""Character-level differences between two versions of a task, for the lineage page.

Chinese has no spaces, so words are not a unit to diff on; characters are. The result is plain
segments; the template wraps them in <ins>/<del> and Jinja's autoescape escapes the scraped
text inside (nothing here is ever marked safe).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Op = Literal["same", "ins", "del"]


@dataclass(frozen=True, slots=True)
class Segment:
    op: Op
    text: str


def char_diff(old: str, new: str) -> list[Segment]:
    """`new` against `old`: unchanged runs, deleted runs of `old`, inserted runs of `new`.

    autojunk is off: a plan's common characters (的, 法, 治) are what the texts are made of,
    not noise to skip.
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Segment("same", new[j1:j2]))
            continue
        if tag in ("delete", "replace"):
            out.append(Segment("del", old[i1:i2]))
        if tag in ("insert", "replace"):
            out.append(Segment("ins", new[j1:j2]))
    return out
