"""Documents -> one row of checkable features per document (the batch the documents suite sees).

Cheap per-document facts are computed here once; GX expectations then judge them. The
`text` column carries the normalized body so the custom pinyin / traditional-character
expectations inspect the text itself; the `*_sample` columns are short evidence strings used
as the quarantine `detail` (the body itself is never copied into results or reports).

U+FFFD: a replacement character is *introduced by decoding* unless the source itself carried
it. transform records source damage as the `encoding_damage` quality flag and may put the
number of replacement characters the source had in `flag_details["source_fffd_count"]`;
without that count, a flagged document's U+FFFDs are all attributed to the source.

Two parse-time defects block on their own flag: `html_truncated` (the parsed tree lost part of
the page's text; `flag_details` holds both weights) and `mojibake` (no decoding of the bytes
reads as Chinese; `flag_details` holds the codec and its common-character share).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import pandas as pd

from expectations.custom import pinyin_annotations, traditional_only_chars
from transform.records import Document, Node

SAMPLE_ITEMS = 5
FEATURE_COLUMNS: tuple[str, ...] = (
    "doc_index", "url", "site", "content_hash", "title", "from_profile", "doc_type", "text",
    "body_length", "residual_pinyin", "pinyin_sample", "traditional_count",
    "traditional_sample", "fffd_count", "fffd_source", "fffd_introduced", "encoding_damage",
    "redaction_count", "publish_date", "level1_count", "node_count", "unit_roles",
    "unattached_clauses", "orphan_nodes", "numbering_gaps", "numbering_sample",
    "numbering_repaired", "html_truncated", "html_text_kept", "mojibake", "mojibake_evidence",
)
NO_SITE = "(no site)"


def _numbering_gaps(nodes: Sequence[Node]) -> list[str]:
    """Parents whose numbered children do not run n, n+1, n+2, ... in document order.

    The start is free: many plans number items continuously across sections (section 二
    holds items 4-6), so only a gap, a repeat or a step back inside one parent counts.
    """
    children: dict[str | None, list[int]] = defaultdict(list)
    for node in nodes:
        if node.level >= 1 and node.number is not None:
            children[node.parent_id].append(node.number)
    bad = []
    for parent, numbers in children.items():
        if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            bad.append(f"{parent or 'root'}: {','.join(map(str, numbers[:8]))}")
    return bad


def _orphans(nodes: Sequence[Node]) -> set[str]:
    ids = {n.id for n in nodes}
    return {n.id for n in nodes if n.parent_id is not None and n.parent_id not in ids}


def _html_text_kept(doc: Document) -> str | None:
    """"kept/page" text weights of a truncated page, e.g. "812/10000"."""
    found = doc.flag_details.get("html_truncated")
    if not isinstance(found, dict):
        return None
    return f"{found.get('tree_weight')}/{found.get('page_weight')}"


def _mojibake_evidence(doc: Document) -> str | None:
    """The codec kept and the lowest share of common characters in any stretch of its text."""
    found = doc.flag_details.get("mojibake")
    if not isinstance(found, dict):
        return None
    return f"{found.get('encoding')} common_share={found.get('common_share')}"


def document_row(index: int, doc: Document) -> dict[str, object]:
    text = doc.text or ""
    pinyin = pinyin_annotations(text)
    trad = traditional_only_chars(text)
    fffd = text.count("\ufffd")
    damaged = "encoding_damage" in doc.quality_flags
    source_fffd = doc.flag_details.get("source_fffd_count")
    fffd_source = min(fffd, int(source_fffd)) if source_fffd is not None else (
        fffd if damaged else 0
    )
    orphans = _orphans(doc.nodes)
    gaps = _numbering_gaps(doc.nodes)
    roles = sorted({u.role for n in doc.nodes for u in n.units})
    unattached = sum(
        1 for n in doc.nodes for u in n.units if n.id in orphans or u.clause_no < 1
    )
    title = (doc.title or "").strip() or None
    return {
        "doc_index": index,
        "url": doc.url,
        "site": doc.source_site or NO_SITE,
        "content_hash": doc.content_hash or None,
        "title": title,
        "from_profile": doc.source_site is not None,
        "doc_type": doc.doc_type,
        "text": text,
        "body_length": len(text.strip()),
        "residual_pinyin": len(pinyin),
        "pinyin_sample": " ".join(pinyin[:SAMPLE_ITEMS]),
        "traditional_count": len(trad),
        "traditional_sample": "".join(trad[: SAMPLE_ITEMS * 2]),
        "fffd_count": fffd,
        "fffd_source": fffd_source,
        "fffd_introduced": fffd - fffd_source,
        "encoding_damage": damaged,
        "redaction_count": len(doc.redactions) or int("redacted" in doc.quality_flags),
        "publish_date": pd.Timestamp(doc.publish_date) if doc.publish_date else pd.NaT,
        "level1_count": sum(1 for n in doc.nodes if n.level == 1),
        "node_count": sum(1 for n in doc.nodes if n.level >= 1),
        "unit_roles": roles,
        "unattached_clauses": unattached,
        "orphan_nodes": len(orphans),
        "numbering_gaps": len(gaps),
        "numbering_sample": "; ".join(gaps[:SAMPLE_ITEMS]),
        "numbering_repaired": "numbering_repaired" in doc.quality_flags,
        "html_truncated": "html_truncated" in doc.quality_flags,
        "html_text_kept": _html_text_kept(doc),
        "mojibake": "mojibake" in doc.quality_flags,
        "mojibake_evidence": _mojibake_evidence(doc),
    }


def document_features(docs: Sequence[Document]) -> pd.DataFrame:
    """The feature frame, one row per document, `doc_index` = position in `docs`."""
    frame = pd.DataFrame([document_row(i, d) for i, d in enumerate(docs)],
                         columns=list(FEATURE_COLUMNS))
    frame["publish_date"] = pd.to_datetime(frame["publish_date"])
    return frame


def latest_publish_date(now: dt.datetime | None = None) -> dt.datetime:
    """Today (UTC) at midnight: publish dates are whole days, so anything later is future."""
    day = (now or dt.datetime.now(dt.UTC)).date()
    return dt.datetime.combine(day, dt.time())
