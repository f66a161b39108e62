"""Parse-time defects reach quarantine through the pipeline's own parse -> gate path.

A page whose tree lost text (``html_truncated``, issue 24 item 3) or whose bytes read as
Chinese under no decoding (``encoding_damage``, item 13) is quarantined with that reason and
the observed evidence; the good pages of the same batch load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

import polars as pl

from expectations.config import load_config
from flows.config import DataPaths
from flows.pipeline import parse_and_gate_pages
from tests.conftest import seed_text
from tests.transform.test_decode_big5 import as_big5, seed_page, traditional
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


def test_pages_no_encoding_reads_as_chinese_are_quarantined_encoding_damage(
        tmp_path: Path) -> None:
    name = "004-xiangtan-2021-2025-plan"
    plan = seed_text(name)
    big5 = seed_page(name, traditional(plan), "湘潭市法治建设實施方案", "big5", declare=False)
    gbk = seed_page(name, plan, "湘潭市法治建设实施方案", "gbk", declare=False)
    rng = random.Random(13)
    noise = bytes(rng.randrange(0x81, 0xFF) for _ in range(4000))
    random_page = gbk.replace(plan.splitlines()[5].encode("gbk"), noise)
    mixed = gbk[: len(gbk) // 2] + as_big5(traditional(plan))[: len(gbk) // 2]
    pages = [raw_page("big5.html", big5), raw_page("random.html", random_page),
             raw_page("mixed.html", mixed)]
    reasons, rows, accepted = gated(pages, tmp_path)
    assert "big5.html" not in reasons and accepted == 1
    assert "encoding_damage" in reasons["random.html"]
    assert "encoding_damage" in reasons["mixed.html"]
    details = rows.filter(pl.col("reason") == "encoding_damage")["detail"].to_list()
    assert all(d.startswith("mojibake_evidence=gb18030 common_share=0.") for d in details)
