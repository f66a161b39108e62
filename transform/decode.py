"""Bytes -> text for fetched pages: HTTP charset, then <meta> charset, then detection.

Chinese government sites often serve GBK while declaring nothing, or declare GB2312 while
using characters only GBK/GB18030 have. Every GB-family label is widened to GB18030 (a
superset of both), so a correctly encoded page never decodes to U+FFFD.

A Big5 page decodes without error as GB18030 too, into mojibake. Any reading through a
Chinese double-byte codec is therefore judged (transform.mojibake): when it does not read as
Chinese, Big5 (big5, cp950, big5hkscs), GB18030, UTF-8 and charset-normalizer's candidates
are tried and the most plausible kept. When none reads as Chinese, the first reading is
kept with its `mojibake` share set, and the document is quarantined (encoding_damage).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace

from charset_normalizer import from_bytes

from transform import mojibake

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312", "gb_2312-80"}
# Readings that are judged for mojibake, and the alternatives tried, in order of preference.
_BIG5_FAMILY = ("big5", "cp950", "big5hkscs")
_JUDGED_CODECS = frozenset({"gb18030", *_BIG5_FAMILY})
_SNIFF_BYTES = 4096
# Up to one replacement per this many characters still counts as "that encoding, damaged".
_DAMAGE_RATIO = 200


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the Python codec actually used
    source: str  # "http" | "meta" | "bom" | "detected" | "damaged" | "fallback"
    # Set when no decoding reads as Chinese: the lowest common-character share of any
    # stretch of `text` (see transform.mojibake).
    mojibake: float | None = None


def _canonical(label: str) -> str | None:
    low = label.strip().lower()
    if low in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(low).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_FAMILY else name


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _canonical(match.group(1)) if match else None


def decode_bytes(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page body. A declared charset wins only if the bytes really are in it and,
    for a Chinese double-byte charset, if the text reads as Chinese."""
    return _plausible(body, _decode(body, content_type))


def _decode(body: bytes, content_type: str | None) -> Decoded:
    if body.startswith(codecs.BOM_UTF8):
        return Decoded(body[3:].decode("utf-8", errors="replace"), "utf-8", "bom")
    declared = [
        (charset_from_content_type(content_type), "http"),
        (_meta_charset(body), "meta"),
    ]
    for encoding, source in declared:
        if encoding and (text := _strict(body, encoding)) is not None:
            return Decoded(text, encoding, source)
    # Undeclared or wrongly declared: UTF-8 is self-validating, so try it before guessing.
    if (text := _strict(body, "utf-8")) is not None:
        return Decoded(text, "utf-8", "detected")
    if (text := _strict(body, "gb18030")) is not None:
        return Decoded(text, "gb18030", "detected")
    # A few damaged bytes in an otherwise UTF-8 or GB page: keep that reading, with the bad
    # bytes as U+FFFD for the quality flags, rather than let detection guess Thai or Korean.
    candidates = [declared[0][0], declared[1][0], "utf-8", "gb18030"]
    for encoding in dict.fromkeys(c for c in candidates if c):
        if (text := _damaged(body, encoding)) is not None:
            return Decoded(text, encoding, "damaged")
    best = from_bytes(body).best()
    if best is not None and best.encoding:
        encoding = _canonical(best.encoding) or best.encoding
        return Decoded(body.decode(encoding, errors="replace"), encoding, "detected")
    # Damaged bytes: keep what decodes and mark the rest, never guess a repair.
    fallback = declared[0][0] or declared[1][0] or "gb18030"
    return Decoded(body.decode(fallback, errors="replace"), fallback, "fallback")


def _plausible(body: bytes, decoded: Decoded) -> Decoded:
    """`decoded`, or the most Chinese-looking other reading when it looks like mojibake."""
    if decoded.encoding not in _JUDGED_CODECS:
        return decoded  # UTF-8 validates itself; other codecs are not Chinese readings
    judged = mojibake.judge(decoded.text)
    if judged is None or judged.plausible:
        return decoded
    best: tuple[tuple[bool, float], Decoded] | None = None
    for encoding in _alternatives(body, decoded.encoding):
        strict = _strict(body, encoding)
        text = strict if strict is not None else _damaged(body, encoding)
        found = mojibake.judge(text) if text is not None else None
        if text is None or found is None or not found.plausible:
            continue
        rank = (strict is not None, found.worst_share)  # error-free first, then most Chinese
        if best is None or rank > best[0]:
            best = (rank, Decoded(text, encoding, "detected" if strict is not None else "damaged"))
    if best is not None:
        return best[1]
    return replace(decoded, mojibake=judged.worst_share)


def _alternatives(body: bytes, tried: str) -> list[str]:
    """Other readings worth judging: Big5, GB18030, UTF-8 (a UTF-8 page declared GB2312 can
    be valid GB18030 too), then the detector's candidates."""
    detected = [_canonical(m.encoding) or m.encoding for m in from_bytes(body) if m.encoding]
    ordered = dict.fromkeys([*_BIG5_FAMILY, "gb18030", "utf-8", *detected])
    ordered.pop(tried, None)
    return list(ordered)


def _damaged(body: bytes, encoding: str) -> str | None:
    """`body` read with U+FFFD for undecodable bytes, if only a few fail."""
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return None
    return text if text.count("\ufffd") <= max(2, len(text) // _DAMAGE_RATIO) else None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    return _canonical(match.group(1).decode("ascii", "ignore")) if match else None
