"""Typed records that cross stage boundaries.

Extract produces `RawPage`s; transform turns one into a `Document` (a tree of `Node`s with
their `Unit`s, `Target`s and themes); the warehouse flattens `Document`s into frames.
Nothing crosses a module boundary as a free dict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

Role = Literal["lead", "participant", "responsible"]
DocType = Literal["work_plan", "work_points", "implementation_plan", "summary", "notice", "other"]
Script = Literal["simplified", "traditional"]
TargetKind = Literal["percent", "count", "deadline"]

ROLES: tuple[str, ...] = ("lead", "participant", "responsible")
DOC_TYPES: tuple[str, ...] = (
    "work_plan",
    "work_points",
    "implementation_plan",
    "summary",
    "notice",
    "other",
)


def sha256_digest(body: bytes) -> str:
    """A body's digest as records carry it: "sha256:<hex>"."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def header_value(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header `name` in (name, value) pairs; names are case-insensitive."""
    low = name.lower()
    return next((value for key, value in headers if key.lower() == low), None)


def url_host(url: str | None) -> str | None:
    """The host name in `url`; None when it has none or does not parse."""
    if not url:
        return None
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RawPage:
    """One fetched response, exactly as archived (body bytes undecoded)."""

    url: str
    site: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: dt.datetime
    digest: str  # "sha256:<hex>" of body
    kind: Literal["list", "article", "attachment", "robots", "other"] = "article"
    referer: str | None = None  # list page or article that linked here

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)


@dataclass(slots=True)
class Unit:
    """One agency named in one responsibility clause part."""

    role: Role
    name: str  # as written, after normalization
    canonical: str  # alias-resolved name
    is_generic: bool = False  # e.g. 市政府其他有关部门, 区各部门
    clause_no: int = 0  # 1-based index of the clause part within its node


@dataclass(slots=True)
class Target:
    """A quantified target or a deadline found in a node's own text."""

    kind: TargetKind
    text: str  # the matched span, e.g. "100%", "不少于60学时", "2022年底前"
    value: float | None = None  # 100.0, 60.0; None for deadlines
    unit: str | None = None  # "%", "学时", "个"; None for deadlines
    deadline_year: int | None = None


@dataclass(slots=True)
class Node:
    """One structural node: preamble/closing (level 0), section (1), item (2), ..."""

    id: str  # stable within the document, e.g. "n1", "n1.3", "pre", "close"
    parent_id: str | None
    level: int
    label: str | None  # the numeral as written ("一", "3", "①"); None for unnumbered
    number: int | None  # its integer value (1-based order); None for level 0
    heading: str  # first sentence without the final 。
    text: str  # the node's own text, heading line included, children excluded
    subtree_text: str = ""  # own text plus all descendants', in document order
    units: list[Unit] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # percent / count
    deadlines: list[Target] = field(default_factory=list)  # kind == "deadline"
    themes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """A parsed, normalized document; the unit the warehouse versions."""

    url: str | None
    source_site: str | None
    title: str | None
    publish_date: dt.date | None
    publish_time: str | None  # "HH:MM"
    document_date: dt.date | None  # signing date
    issuer: str | None
    region: str | None  # as the document writes it: 西岗区
    doc_type: str  # one of DOC_TYPES
    period_start_year: int | None
    period_end_year: int | None
    original_script: Script
    quality_flags: list[str]
    text: str  # the normalized body (cover notice and chrome removed)
    nodes: list[Node]
    content_hash: str  # "sha256:<hex>" of `text`; identifies a version
    cover_notice: str | None = None
    credits: dict[str, str] = field(default_factory=dict)  # 编辑 -> 王怀实
    flag_details: dict[str, Any] = field(default_factory=dict)  # e.g. pinyin count, positions
    redactions: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # attachment URLs
    raw_digest: str | None = None  # digest of the archived bytes this came from
    region_path: str | None = None  # the region's gazetteer path when certain: 辽宁省/大连市/西岗区
    doc_number: str | None = None  # 文号: 西政办〔2020〕20号
    index_no: str | None = None  # 索引号 of a disclosure page
    source: str | None = None  # 来源 / 发布机构 as the page prints it

    def to_json(self) -> dict[str, Any]:
        """The `govharvest parse` JSON contract."""
        period = (
            {"start_year": self.period_start_year, "end_year": self.period_end_year}
            if self.period_start_year is not None
            else None
        )
        return {
            "title": self.title,
            "publish_date": self.publish_date.isoformat() if self.publish_date else None,
            "publish_time": self.publish_time,
            "document_date": self.document_date.isoformat() if self.document_date else None,
            "issuer": self.issuer,
            "source": self.source,
            "doc_number": self.doc_number,
            "index_no": self.index_no,
            "region": self.region,
            "region_path": self.region_path,
            "source_site": self.source_site,
            "url": self.url,
            "doc_type": self.doc_type,
            "period": period,
            "original_script": self.original_script,
            "quality_flags": list(self.quality_flags),
            "flag_details": self.flag_details,
            "credits": self.credits,
            "redactions": self.redactions,
            "cover_notice": self.cover_notice,
            "content_hash": self.content_hash,
            "text": self.text,
            "nodes": [
                {
                    "id": n.id,
                    "parent_id": n.parent_id,
                    "level": n.level,
                    "label": n.label,
                    "number": n.number,
                    "heading": n.heading,
                    "text": n.text,
                    "units": [
                        {"role": u.role, "name": u.name, "canonical": u.canonical,
                         "is_generic": u.is_generic, "clause_no": u.clause_no}
                        for u in n.units
                    ],
                    "targets": [asdict(t) for t in n.targets],
                    "deadlines": [asdict(t) for t in n.deadlines],
                    "themes": list(n.themes),
                }
                for n in self.nodes
            ],
        }
