"""Parse-time defects reach quarantine through the pipeline's own parse -> gate path.

A page whose tree lost text (``html_truncated``, issue 24 item 3) or whose bytes read as
Chinese under no decoding (``encoding_damage``, item 13) is quarantined with that reason and
the observed evidence; the good pages of the same batch load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl

from expectations.config import load_config
from flows.config import DataPaths
from flows.pipeline import parse_and_gate_pages
from tests.transform.test_html_depth import nested_page
from transform.records import RawPage


def raw_page(path: str, body: bytes, content_type: str = "text/html") -> RawPage:
    return RawPage(
        url=f"http://127.0.0.1/{path}", site="demo-trs", status=200,
        headers=(("Content-Type", content_type),), body=body,
        fetched_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        digest="sha256:" + hashlib.sha256(body).hexdigest(), kind="article")


def gated(pages: list[RawPage], tmp_path: Path) -> tuple[dict[str, set[str]], pl.DataFrame, int]:
    """(reasons by page name, quarantine rows, accepted documents)."""
    result = parse_and_gate_pages(pages, run_id="defects", paths=DataPaths(tmp_path / "data"),
                                  site="demo-trs")
    reasons: dict[str, set[str]] = {}
    for row in result.quarantined.to_dicts():
        reasons.setdefault(row["url"].rsplit("/", 1)[-1], set()).add(row["reason"])
    return reasons, result.quarantined, result.frames.document.height


def test_both_defects_block_by_default() -> None:
    config = load_config()
    assert config.is_blocking("documents", "html_truncated")
    assert config.is_blocking("documents", "encoding_damage")


def test_a_page_cut_by_deep_nesting_is_quarantined_html_truncated(tmp_path: Path) -> None:
    name = "004-xiangtan-2021-2025-plan"
    charset = "text/html; charset=utf-8"
    pages = [raw_page("flat.html", nested_page(name, 0), charset),
             raw_page("nested300.html", nested_page(name, 300), charset),
             raw_page("nested10000.html", nested_page(name, 10_000), charset)]
    reasons, rows, accepted = gated(pages, tmp_path)
    assert "html_truncated" in reasons["nested10000.html"]
    assert "flat.html" not in reasons and "nested300.html" not in reasons
    detail = rows.filter(pl.col("reason") == "html_truncated")["detail"].item()
    kept, page = detail.removeprefix("html_text_kept=").split("/")
    assert int(kept) < int(page) / 10
    assert accepted == 2
