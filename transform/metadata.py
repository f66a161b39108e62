"""Document metadata from normalized text: front matter, title, dates, region, type, period.

Front matter is what comes before the body and is not part of it:
- a cover notice: an addressee line ending in ":", a "现将《…》印发给你们" sentence, the
  signature and the signing date; the title is the 《…》 it forwards;
- a title line: a short first line that does not end a sentence and ends in a document
  word (方案, 计划, 要点, 通知…, optionally followed by a parenthesised period);
- source lines right under the title ("湘潭市司法局 xtsf.xiangtan.gov.cn 发布时间:…").
A trailing signature (issuer line + "2023年5月10日") is back matter and is taken too.

Document type (vocabulary in data/doc_types.yaml): the title's document word; else the
sentence announcing the document ("现提出人和镇2022年工作要点"); else an annual opener
"X年…工作的总体要求是" — the fixed first sentence of the 工作要点 genre issued by
依法治X committees, which state the year's 总体要求 and then list numbered 要点; else an
unnumbered article dense in achievement words (获评, 荣获, 近年来…) is a summary.
Region: the first chain of gazetteer names (transform/gazetteer.py) in the title, else in
the first body paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from transform import dates
from transform import patterns as P
from transform.gazetteer import RegionMention, gazetteer

DATA = Path(__file__).parent / "data"
_TITLE_MAX = 80
_META_LINE_MAX = 160
_SIGNATURE_MAX = 30
_FRONT_SCAN = 6  # lines inspected for a cover notice
_META_LINES = 3  # at most this many source/date lines under a title
_SUMMARY_MIN_CUES = 3


@dataclass(slots=True)
class FrontMatter:
    body: list[str]
    title: str | None = None
    cover_notice: str | None = None
    issuer: str | None = None
    document_date: dt.date | None = None
    publish_date: dt.date | None = None
    publish_time: str | None = None
    source_site: str | None = None
    removed: list[str] = field(default_factory=list)
    doc_number: str | None = None  # 文号
    index_no: str | None = None  # 索引号
    source: str | None = None  # 来源 / 发布机构 as printed


@lru_cache(maxsize=1)
def _doc_types() -> tuple[list[tuple[str, str]], re.Pattern[str]]:
    raw = yaml.safe_load((DATA / "doc_types.yaml").read_text(encoding="utf-8"))
    cues = raw.pop("summary_cues")
    words = [(w, kind) for kind, ws in raw.items() for w in ws]
    words.sort(key=lambda item: -len(item[0]))
    return words, re.compile("|".join(map(re.escape, cues)))


def is_title(line: str) -> bool:
    if len(line) > _TITLE_MAX or line.endswith(("。", ":", ";", ",")) or P.MARKER.match(line):
        return False
    core = P.TRAILING_PAREN.sub("", line)
    return bool(P.TITLE_TAIL.search(core))


def meta_line(line: str, fm: FrontMatter) -> bool:
    """Parse a source/date line under the title; False if the line is body text."""
    if len(line) > _META_LINE_MAX or "。" in line:
        return False
    pub, src = dates.PUBLISH_LINE.search(line), P.SOURCE_LABEL.search(line)
    if pub is None and src is None:
        return False
    if pub is not None:
        fm.publish_date, time = dates.match_date(pub)
        if time:
            fm.publish_time = time
    if host := P.DOMAIN.search(line):
        fm.source_site = host["host"]
    if src is not None:
        fm.issuer = src["src"]
    elif org := P.LEADING_ORG.match(line):
        fm.issuer = org["org"]
    return True


def split_front_matter(lines: list[str]) -> FrontMatter:
    fm = FrontMatter(body=lines)
    i = 0
    head = lines[:_FRONT_SCAN]
    cover_at = next((k for k, ln in enumerate(head) if P.COVER_TITLE.search(ln)), None)
    forwarding = bool(lines) and P.FORWARDING_TITLE.match(lines[0]) is not None
    if cover_at is not None and (P.ADDRESSEE_LINE.match(lines[0]) or forwarding):
        fm.title = P.COVER_TITLE.search(lines[cover_at])["title"]  # type: ignore[index]
        end = cover_at + 1
        for k in range(cover_at + 1, min(cover_at + 4, len(lines))):
            if (date := dates.date_line(lines[k])) is not None:
                fm.document_date = date
                signature = lines[k - 1] if k - 1 > cover_at else ""
                if signature and len(signature) <= _SIGNATURE_MAX and "。" not in signature:
                    fm.issuer = signature
                end = k + 1
                break
        fm.cover_notice = "\n".join(lines[:end])
        i = end
        if i < len(lines) and fm.title and fm.title in lines[i] and is_title(lines[i]):
            i += 1
    elif lines and is_title(lines[0]):
        fm.title, i = lines[0], 1
    meta_end = i + _META_LINES  # source/date lines sit right under the title (or open the text)
    while i < min(len(lines), meta_end) and meta_line(lines[i], fm):
        fm.removed.append(lines[i])
        i += 1
    fm.body = take_back_matter(lines[i:], fm)
    return fm


def is_signature(line: str) -> bool:
    """Whether the line above a signing date can be the signature (the issuer's name):
    short, no sentence, no outline numeral."""
    return len(line) <= _SIGNATURE_MAX and "。" not in line and not P.MARKER.match(line)


def take_back_matter(body: list[str], fm: FrontMatter) -> list[str]:
    """Body without its closing "issuer\n2023年5月10日" signature (recorded in `fm`)."""
    if len(body) >= 3 and (date := dates.date_line(body[-1])) is not None:
        sig = body[-2]
        if is_signature(sig):
            fm.document_date = fm.document_date or date
            fm.issuer = fm.issuer or sig
            fm.removed.extend(body[-2:])
            return body[:-2]
    return body


def detect_region(title: str | None, body: list[str]) -> RegionMention | None:
    for text in (title or "", body[0] if body else ""):
        if mention := gazetteer().find(text):
            return mention
    return None


def detect_doc_type(title: str | None, body: list[str], *, numbered: bool) -> str:
    words, cues = _doc_types()
    if title:
        core = P.TRAILING_PAREN.sub("", title)
        for word, kind in words:
            if core.endswith(word):
                return kind
        for word, kind in words:
            if word in core:
                return kind
    first = body[0] if body else ""
    if m := P.PROPOSE_DOC.search(first):
        return dict(words).get(m["kind"], "other")
    if P.WORK_POINTS_OPENER.match(first):
        return "work_points"
    if not numbered and len(cues.findall("\n".join(body[:3]))) >= _SUMMARY_MIN_CUES:
        return "summary"
    return "other"


def detect_period(title: str | None, body: list[str]) -> tuple[int | None, int | None]:
    """(start_year, end_year) the document covers; (None, None) when unknown/redacted."""
    candidates = [title] if title else []
    if body and (m := P.PROPOSE_DOC.search(body[0])):
        start = body[0].rfind("。", 0, m.start()) + 1
        # Years inside 《…》 belong to the documents the sentence cites, not to this one.
        candidates.append(P.QUOTED_SPAN.sub("", body[0][start : m.end()]))
    for text in candidates:
        if m := P.PERIOD_RANGE.search(text):
            a, b = int(m["a"]), int(m["b"])
            return (a, b) if a <= b else (b, a)
        if m := P.PERIOD_YEAR.search(text):
            return int(m["a"]), int(m["a"])
    if title and (m := P.FIVE_YEAR_PLAN.search(title)):
        start = P.FIVE_YEAR_START[m.group(1)]
        return start, start + 4
    if body:
        # "2023年,静海区坚持…" / "2020年是…之年": the year a report covers or a plan is for,
        # read from the first sentence (citations removed).
        first = P.QUOTED_SPAN.sub("", body[0].split("。", 1)[0])
        if m := P.OPENING_YEAR.search(first):
            return int(m["a"]), int(m["a"])
    return None, None
