"""Text normalization: one raw text in, one canonical simplified-Chinese text out.

Canonical form (the one documented choice, applied everywhere):
- Unicode NFC; traditional script converted with OpenCC `t2s` (`hk2s`/`tw2s` for pages
  from .hk/.mo/.tw hosts), only when the text is detected as traditional: detection counts
  script-exclusive characters with a C-speed regex over the first 8,000 characters.
- Half-width ASCII for `, : ; ( ) % . [ ]`, digits and Latin letters; Chinese `。、“”《》
  【】〔〕—` stay full-width, because they have no ASCII counterpart that keeps meaning
  (dashes are kept as written: `2020—2025年` and `2021-2025年` both occur in titles).
- One paragraph per line, lines trimmed, inner runs of spaces collapsed to one, no blank
  lines.
- Inline pinyin annotations removed (`現(xiàn)` -> `現`), counted in `pinyin_count`.
- Page chrome lines dropped; editorial credit lines moved to `credits`.
- Encoding damage is *detected* (positions in the output text), never repaired.

`normalize_text` is idempotent: its output normalizes to itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from transform import patterns as P

if TYPE_CHECKING:
    from opencc import OpenCC

# Below this many script-exclusive characters a text is too short to call traditional.
_MIN_TRADITIONAL_HITS = 3
SCRIPT_SAMPLE = 8_000  # characters inspected for script detection
_DAMAGE_CONTEXT = 4
_ASCII_BYTES = bytes(range(128))
_MOJIBAKE_MIN = 4  # same as the run length in patterns.DAMAGE_LATIN1


@dataclass(slots=True)
class NormalizedText:
    text: str
    script: str  # "simplified" | "traditional" (of the input)
    lines: list[str] = field(default_factory=list)  # text.split("\\n"), kept from the making
    pinyin_count: int = 0
    damage: list[dict[str, object]] = field(default_factory=list)  # {pos, text, near}
    credits: dict[str, str] = field(default_factory=dict)
    boilerplate: list[str] = field(default_factory=list)
    redactions: list[str] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        out = []
        if self.redactions:
            out.append("redacted")
        if self.pinyin_count:
            out.append("pinyin_annotations")
        if self.damage:
            out.append("encoding_damage")
        return out


# OpenCC configurations by source region: Hong Kong/Macao and Taiwan pages use regional
# character variants that the plain t2s table leaves alone.
_OPENCC_BY_SUFFIX = ((".hk", "hk2s"), (".mo", "hk2s"), (".tw", "tw2s"))


@lru_cache(maxsize=4)
def _converter(config: str) -> OpenCC:
    from opencc import OpenCC

    return OpenCC(config)


def opencc_config_for(host: str | None) -> str:
    """t2s, or the regional variant for a .hk/.mo/.tw host."""
    host = (host or "").lower().rstrip(".")
    return next((cfg for suffix, cfg in _OPENCC_BY_SUFFIX if host.endswith(suffix)), "t2s")


def detect_script(text: str) -> str:
    """'traditional' if traditional-only characters outnumber simplified-only ones."""
    return _script(len(P.TRADITIONAL_ONLY.findall(text, 0, SCRIPT_SAMPLE)), text)


def _script(traditional_hits: int, text: str) -> str:
    if traditional_hits < _MIN_TRADITIONAL_HITS:
        return "simplified"
    simplified_hits = len(P.SIMPLIFIED_ONLY.findall(text, 0, SCRIPT_SAMPLE))
    return "traditional" if traditional_hits > simplified_hits else "simplified"


def to_simplified(text: str, config: str = "t2s") -> str:
    return str(_converter(config).convert(text))


def remove_pinyin(text: str) -> tuple[str, int]:
    """Drop inline pinyin annotations; returns (text, number of annotations removed)."""
    if "（" not in text and P.PINYIN_HINT.search(text) is None:
        return text, 0
    # Each closing parenthesis removed is one annotation (a run "(a)(b)" annotates one
    # character twice), so count them before and after instead of calling back per match.
    before = text.count(")") + text.count("）")
    text = P.PINYIN_PLAIN.sub("", P.PINYIN_TONED.sub("", text))
    return text, before - text.count(")") - text.count("）")


def canonical_chars(text: str) -> str:
    """NFC plus the documented width choice and line-break unification."""
    return _canonical(text)[0]


def _canonical(text: str) -> tuple[str, int]:
    """(canonical_chars(text), traditional-only characters in its script sample)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    for wide, narrow in P.COMMON_FULLWIDTH:
        if wide in text:
            text = text.replace(wide, narrow)
    # One scan of the sample finds both the rare width characters and the traditional-only
    # ones; translating widths keeps every other character where it was.
    head = "".join(P.TRADITIONAL_OR_RARE_WIDTH.findall(text, 0, SCRIPT_SAMPLE))
    rare = len(P.RARE_WIDTH.findall(head)) if head else 0
    if rare or P.RARE_WIDTH.search(text, SCRIPT_SAMPLE) is not None:
        text = text.translate(P.FULLWIDTH_TABLE)
    return text, len(head) - rare


def tidy_lines(text: str) -> str:
    """Collapse spaces, trim lines, drop blank lines (paragraph breaks survive as "\\n")."""
    return "\n".join(_tidy(text))


def _tidy(text: str) -> list[str]:
    """`tidy_lines` as its list of lines (all non-empty). Lines are trimmed with strip(" "):
    a bare strip() would also eat control characters."""
    lines = (line.strip(" ") for line in P.SPACES.sub(" ", text).split("\n"))
    return [line for line in lines if line]


def strip_chrome(text: str) -> tuple[str, dict[str, str], list[str]]:
    """Remove page chrome and credit lines; returns (text, credits, removed lines)."""
    kept, credits, removed = _strip_chrome(text.split("\n"))
    return (text if not removed else "\n".join(kept)), credits, removed


def _strip_chrome(lines: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """`strip_chrome` over a text's lines: (kept lines, credits, removed lines)."""
    removed: list[str] = []
    credits: dict[str, str] = {}
    kept: list[str] = []
    for line in lines:
        if len(line) <= P.CHROME_MAX_LINE:
            if (m := P.CREDIT_LINE.fullmatch(line)) is not None:
                credits[m.group(1)] = m.group(2).strip()
                removed.append(line)
                continue
            if P.CHROME_LINE.fullmatch(line) or P.EMPTY_LINE.fullmatch(line):
                removed.append(line)
                continue
        kept.append(line)
    return kept, credits, removed


def find_damage(text: str) -> list[dict[str, object]]:
    """Replacement characters, "??" runs next to Han text, Latin-1 mojibake; with positions."""
    hits: list[re.Match[str]] = []
    if "\ufffd" in text:
        hits.extend(P.DAMAGE_REPLACEMENT.finditer(text))
    if "?" in text and "??" in text:
        for m in P.DAMAGE_QUESTION.finditer(text):
            before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
            if P.DAMAGE_HAN_CONTEXT.match(before) or P.HAN_CHAR.match(after):
                hits.append(m)
    # A mojibake run needs 4 Latin-1 supplement characters: counting them first halves the
    # cost of damage detection (~2% of parse CPU time, bench/transform.py corpus).
    latin = text.encode("latin-1", "ignore")
    if len(latin.translate(None, _ASCII_BYTES)) >= _MOJIBAKE_MIN:
        hits.extend(P.DAMAGE_LATIN1.finditer(text))
    hits.sort(key=lambda m: m.start())
    out: list[dict[str, object]] = []
    for m in hits:
        lo, hi = max(0, m.start() - _DAMAGE_CONTEXT), m.end() + _DAMAGE_CONTEXT
        out.append({"pos": m.start(), "text": m.group(0), "near": text[lo:hi]})
    return out


def _is_ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def find_redactions(text: str) -> list[str]:
    """Distinct redaction placeholders in order of first appearance.

    202x-style years (2-3 digits + x); x/×-runs touching Han text or quotes; "*" before Han.
    """
    seen: dict[str, None] = {}
    present = [ch for ch in P.REDACTION_CHARS if ch in text]  # memchr-speed tests
    if not present:
        return []  # most documents stop here
    # A text usually holds one of the four characters: scanning for that literal alone saves
    # ~2.5% of parse CPU time (bench/transform.py corpus).
    seeds = P.REDACTION_SEED_OF[present[0]] if len(present) == 1 else P.REDACTION_SEED
    for m in seeds.finditer(text):
        start, end = m.span()
        token = m.group(0)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if token[0] == "*":
            if after and P.HAN_CHAR.match(after) and not (before.isalnum() or before == "*"):
                seen.setdefault(token, None)
            continue
        if _is_ascii_letter(after):
            continue
        digits = start
        while digits > 0 and text[digits - 1].isascii() and text[digits - 1].isdigit():
            digits -= 1
        if token[0] in "xX" and 2 <= start - digits <= 3 and len(token) <= 2:
            seen.setdefault(text[digits:end], None)
            continue
        if _is_ascii_letter(before) or before.isdigit():
            continue
        if (before and (P.HAN_CHAR.match(before) or before in "“\"")) or (
            after and (P.HAN_CHAR.match(after) or after in "”\"")
        ):
            seen.setdefault(token, None)
    return list(seen)


def normalize_text(raw: str, *, opencc_config: str = "t2s") -> NormalizedText:
    """Run the whole normalization; see the module docstring for the canonical form."""
    text, traditional_hits = _canonical(raw)
    script = _script(traditional_hits, text)
    text, pinyin = remove_pinyin(text)
    if script == "traditional":
        # Convert once per document, after pinyin removal so OpenCC sees clean text.
        text = to_simplified(text, opencc_config)
    # Dropping whole lines from tidy text leaves it tidy: no second tidy_lines pass.
    lines, credits, boilerplate = _strip_chrome(_tidy(text))
    text = "\n".join(lines)
    return NormalizedText(
        text=text,
        lines=lines,
        script=script,
        pinyin_count=pinyin,
        damage=find_damage(text),
        credits=credits,
        boilerplate=boilerplate,
        redactions=find_redactions(text),
    )
