"""Bytes -> text for fetched pages: HTTP charset, then <meta> charset, then detection.

Chinese government sites often serve GBK while declaring nothing, or declare GB2312 while
using characters only GBK/GB18030 have. Every GB-family label is widened to GB18030 (a
superset of both), so a correctly encoded page never decodes to U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312", "gb_2312-80"}
_SNIFF_BYTES = 4096
# Up to one replacement per this many characters still counts as "that encoding, damaged".
_DAMAGE_RATIO = 200


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the Python codec actually used
    source: str  # "http" | "meta" | "bom" | "detected" | "damaged" | "fallback"


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
    """Decode a page body. A declared charset wins only if the bytes really are in it."""
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
        text = body.decode(encoding, errors="replace")
        if text.count("\ufffd") <= max(2, len(text) // _DAMAGE_RATIO):
            return Decoded(text, encoding, "damaged")
    best = from_bytes(body).best()
    if best is not None and best.encoding:
        encoding = _canonical(best.encoding) or best.encoding
        return Decoded(body.decode(encoding, errors="replace"), encoding, "detected")
    # Damaged bytes: keep what decodes and mark the rest, never guess a repair.
    fallback = declared[0][0] or declared[1][0] or "gb18030"
    return Decoded(body.decode(fallback, errors="replace"), fallback, "fallback")


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    return _canonical(match.group(1).decode("ascii", "ignore")) if match else None
