"""Does decoded text read as Chinese? The measure that tells a right decoding from mojibake.

Every Big5 byte pair is also a valid GBK pair, so a Big5 page with no charset declared
decodes without a single error as GB18030, into rare characters, kana, box drawing and
private-use code points. What such text lacks is common characters. The measure: among the
*judged* characters (ideographs, kana, bopomofo, hangul, Greek and Cyrillic letters, private
use: what a wrong double-byte decoding turns into), the share that are common Chinese
characters, i.e. level 1 of GB2312 (the 3,755 most frequent simplified characters) or of
Big5 (the 5,401 most frequent traditional ones). Both sets are frequency-based standards,
read here from Python's own codecs, so the measure is not fitted to any text of ours.

In stretches of 200 judged characters, right decodings score 0.94 or more (the reference
documents in both scripts, the region gazetteer's 3,000 place names, the demo pages); wrong
ones at most 0.52 (Big5 read as GB18030), 0.66 (GBK read as Big5) and 0.48 (random bytes).
MIN_COMMON_SHARE sits nearer the wrong side: a text crowded with rare names (the five
rarest county names, repeated) still scores 0.72. A share of function characters (的, 是,
在 ...) separates less well: lists and headings have few. The text is judged in stretches
of about WINDOW judged characters and its worst stretch counts, so a page garbled only in
part still fails. Below MIN_JUDGED judged characters there is too little to tell, and the
text is not judged at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Ideographs (with extensions and compatibility forms), radicals, kana, bopomofo, hangul,
# Greek and Cyrillic, private use (planes 0, 15, 16). Latin letters are not judged: pinyin
# with tone marks is ordinary in these pages.
_NOT_JUDGED = re.compile(
    "[^\u0370-\u052f\u2e80-\u2fdf\u3040-\u312f\u3131-\u318e\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\ue000-\uf8ff\uf900-\ufaff\U00020000-\U0003134f"
    "\U000f0000-\U0010ffff]+"
)
WINDOW = 200  # judged characters per stretch
MIN_JUDGED = 80  # fewer judged characters than this: not judged
MIN_COMMON_SHARE = 0.7  # a stretch below this reads as mojibake


@dataclass(frozen=True, slots=True)
class Judgement:
    judged: int  # judged characters in the text
    worst_share: float  # lowest common-character share of any stretch

    @property
    def plausible(self) -> bool:
        return self.worst_share >= MIN_COMMON_SHARE


def _level_one(encoding: str, leads: range, trails: tuple[range, ...]) -> set[str]:
    found = set()
    for lead in leads:
        for trail in (t for part in trails for t in part):
            try:
                found.add(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return found


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """GB2312 level 1 (rows 16-55) and Big5 level 1 (A440-C67E) ideographs."""
    gb2312 = _level_one("gb2312", range(0xB0, 0xD8), (range(0xA1, 0xFF),))
    big5 = _level_one("big5", range(0xA4, 0xC7), (range(0x40, 0x7F), range(0xA1, 0xFF)))
    big5 = {c for c in big5 if "\u4e00" <= c <= "\u9fff"}  # A440-C67E holds only ideographs
    return frozenset(gb2312 | big5)


@lru_cache(maxsize=1)
def _drop_common() -> dict[int, None]:
    # str.translate counts them in C: 0.7 ms instead of 1.2 ms for a 12,000-character plan,
    # judged on every GB page.
    return dict.fromkeys(map(ord, common_chars()))


def judge(text: str) -> Judgement | None:
    """How Chinese `text` reads, or None when it holds too few judged characters."""
    chars = _NOT_JUDGED.sub("", text)
    total = len(chars)
    if total < MIN_JUDGED:
        return None
    drop = _drop_common()
    stretches = max(1, total // WINDOW)  # each stretch holds WINDOW to 2 x WINDOW characters
    worst = 1.0
    for i in range(stretches):
        part = chars[i * total // stretches : (i + 1) * total // stretches]
        worst = min(worst, (len(part) - len(part.translate(drop))) / len(part))
    return Judgement(total, round(worst, 3))
