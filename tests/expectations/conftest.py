"""Fixtures for the quality gate: one GX context per test session, seed-like Documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from transform.records import Document, Node, Unit

EXPECTED_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "expected"
SEEDS = (
    "000-district-plan-redacted",
    "001-yancheng-edz-2023-plan",
    "002-renhe-town-2022-points",
    "003-xigang-summary-traditional",
    "004-xiangtan-2021-2025-plan",
)


@pytest.fixture(scope="session")
def gx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by every test: `get_context` caches the (slow to create) context per path."""
    return tmp_path_factory.mktemp("data") / "gx"


def seed_document(name: str, *, site: str | None = "demo-hunan") -> Document:
    """A correct parse of seed `name`, built from its hand-made annotation."""
    exp: dict[str, Any] = json.loads((EXPECTED_DIR / f"{name}.json").read_text("utf-8"))
    nodes: list[Node] = []
    for sec in exp.get("level1", []):
        nodes.append(Node(f"n{sec['number']}", None, 1, sec["label"], sec["number"],
                          sec["heading"], f"{sec['label']}、{sec['heading']}"))
    for item in exp.get("level2", []):
        units = [
            Unit(role=c["role"], name=u, canonical=u, clause_no=1)
            for c in exp.get("unit_clauses", [])
            if c["section"] == item["parent"] and c["item"] == item["number"]
            for u in c["units"] if u
        ]
        nodes.append(Node(f"n{item['parent']}.{item['number']}", f"n{item['parent']}", 2,
                          str(item["number"]), item["number"], item["heading"],
                          item["heading"] + "。", units=units))
    text = "\n".join([exp.get("preamble_starts", "")] + [n.text for n in nodes])
    publish = exp.get("publish_date") or "2023-05-10"
    period = exp.get("period") or {}
    return Document(
        url=f"http://127.0.0.1/{name}.html", source_site=site, title=exp.get("title"),
        publish_date=dt.date.fromisoformat(publish), publish_time=None, document_date=None,
        issuer=exp.get("issuer"), region=exp.get("region"), doc_type=exp["doc_type"],
        period_start_year=period.get("start_year"), period_end_year=period.get("end_year"),
        original_script=exp["original_script"], quality_flags=list(exp["quality_flags"]),
        text=text, nodes=nodes,
        content_hash="sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        redactions=list(exp.get("redactions", [])),
    )


def rehash(doc: Document) -> Document:
    doc.content_hash = "sha256:" + hashlib.sha256(doc.text.encode()).hexdigest()
    return doc


@pytest.fixture
def seed_docs() -> list[Document]:
    return [seed_document(n) for n in SEEDS]
