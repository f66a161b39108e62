"""The compiled theme scan finds exactly what a regex of the vocabulary finds.

`facts.scan_themes` runs an Aho-Corasick automaton (leftmost-longest) instead of the regex
alternation of every spelling, longest first; both must agree on every text, including
texts with characters outside the BMP (the automaton works on UTF-8, offsets are str
indices).
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from transform import facts

_LONGEST_FIRST = sorted(facts.theme_vocabulary(), key=len, reverse=True)
_REFERENCE = re.compile("|".join(map(re.escape, _LONGEST_FIRST)))
# Characters of the spellings (so hits and near misses are frequent), quotes, and a few
# others, including an astral one that takes four UTF-8 bytes and one str index.
_ALPHABET = "".join(sorted(set("".join(facts.theme_vocabulary())))) + '"“”,。\n a😀'
_VOCAB = sorted(facts.theme_vocabulary())


def _reference(text: str) -> list[tuple[int, str]]:
    vocabulary = facts.theme_vocabulary()
    return [(m.start(), vocabulary[m.group(0)]) for m in _REFERENCE.finditer(text)]


_texts = st.lists(
    st.one_of(st.sampled_from(_VOCAB), st.text(_ALPHABET, max_size=6)), max_size=12
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_theme_scan_matches_the_regex_alternation(text: str) -> None:
    assert facts.scan_themes(text) == _reference(text)


def test_overlapping_spellings_take_the_longest_at_the_leftmost_start() -> None:
    text = "😀推进法治政府建设和“八五”普法,八五普法"
    assert facts.scan_themes(text) == _reference(text)
    assert [pos for pos, _ in facts.scan_themes(text)] == [
        m.start() for m in _REFERENCE.finditer(text)
    ]
    assert len(facts.scan_themes(text)) >= 2


def test_scanning_leaves_the_text_without_a_utf8_copy() -> None:
    # CPython caches a str's UTF-8 form once a C extension asks for it; a document's text
    # must not grow by that cache because its themes were scanned.
    text = "".join(("推进法治政府建设" * 500, "八五普法"))
    size = sys.getsizeof(text)
    assert facts.scan_themes(text)
    assert sys.getsizeof(text) == size
