"""The documents gate: what is quarantined, what is accepted, what only warns."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl

from expectations.config import load_config
from expectations.gate import gate_documents
from tests.expectations.conftest import SEEDS, rehash, seed_document
from transform.records import Document, Node


def _reasons(result_quarantine: pl.DataFrame) -> set[tuple[str, str]]:
    return {(r["url"].rsplit("/", 1)[-1], r["reason"]) for r in result_quarantine.to_dicts()}


def _failing(results: pl.DataFrame) -> set[str]:
    return set(results.filter(~pl.col("success"))["expectation"].to_list())


def broken(name: str, suffix: str, **changes: object) -> Document:
    doc = seed_document(name)
    doc.url = doc.url.replace(".html", f"-{suffix}.html")
    for key, value in changes.items():
        setattr(doc, key, value)
    return rehash(doc)


def test_correct_parses_of_the_five_seeds_are_all_accepted(gx_dir: Path,
                                                          seed_docs: list[Document]) -> None:
    result = gate_documents(seed_docs, run_id="good", gx_dir=gx_dir)
    assert len(result.accepted) == 5
    assert result.quarantined.is_empty()
    # What the sources themselves carry is reported as warnings, never blocks.
    assert _failing(result.results) == {
        "no_redactions",  # 000 has 202x / xxxx placeholders
        "numbering_not_repaired",  # 000 lost an item number
        "no_source_encoding_damage",  # 003's "??茖W"
        "title_present",  # 000 and 002 carry no title line
    }


def test_each_broken_document_is_quarantined_for_exactly_what_broke(gx_dir: Path) -> None:
    good = seed_document(SEEDS[4])
    plan = SEEDS[4]
    pinyin = broken(plan, "pinyin", text=good.text + "法治是中国式现(xiàn)代化的保障")
    traditional = broken(plan, "trad", text=good.text + "法治是中國式現代化的保障")
    future = broken(plan, "future", publish_date=dt.date(2099, 1, 1))
    ancient = broken(plan, "ancient", publish_date=dt.date(1999, 12, 31))
    empty = broken(plan, "empty", text="  ")
    fffd = broken(plan, "fffd", text=good.text + "依法\ufffd政")
    no_structure = broken(plan, "flat", nodes=[])
    no_hash = broken(plan, "nohash")
    no_hash.content_hash = ""
    orphan = broken(plan, "orphan", nodes=[*good.nodes, Node("n99.1", "n99", 2, "1", 1, "x", "x")])
    bad_role = broken(plan, "role")
    bad_role.nodes[12].units[0].role = "boss"  # type: ignore[assignment]
    batch = [good, pinyin, traditional, future, ancient, empty, fffd, no_structure, no_hash,
             orphan, bad_role]

    result = gate_documents(batch, run_id="broken", gx_dir=gx_dir)

    stem = plan
    assert _reasons(result.quarantined) == {
        (f"{stem}-pinyin.html", "no_residual_pinyin"),
        (f"{stem}-trad.html", "no_traditional_chars"),
        (f"{stem}-future.html", "publish_date_in_range"),
        (f"{stem}-ancient.html", "publish_date_in_range"),
        (f"{stem}-empty.html", "body_not_empty"),
        (f"{stem}-fffd.html", "no_decoding_fffd"),
        (f"{stem}-flat.html", "plan_has_sections"),
        (f"{stem}-nohash.html", "document_key_present"),
        (f"{stem}-orphan.html", "node_parents_resolve"),
        (f"{stem}-role.html", "unit_roles_allowed"),
    }
    assert [d.url for d in result.accepted] == [good.url]


def test_quarantine_rows_carry_the_observed_value(gx_dir: Path) -> None:
    plan = SEEDS[4]
    doc = broken(plan, "pinyin", text=seed_document(plan).text + "现(xiàn)代 学(xué)习")
    future = broken(plan, "future", publish_date=dt.date(2099, 1, 1))
    result = gate_documents([doc, future], run_id="detail", gx_dir=gx_dir)
    rows = {r["reason"]: r for r in result.quarantined.to_dicts()}
    assert rows["no_residual_pinyin"]["detail"] == "pinyin_sample=现(xiàn) 学(xué)"
    assert rows["no_residual_pinyin"]["source"] == "demo-hunan"
    assert rows["publish_date_in_range"]["detail"] == "publish_date=2099-01-01"


def test_fffd_carried_by_the_source_only_warns(gx_dir: Path) -> None:
    plan = SEEDS[4]
    damaged = broken(plan, "srcdamage", text=seed_document(plan).text + "依法\ufffd政",
                     quality_flags=["encoding_damage"])
    result = gate_documents([damaged], run_id="srcdamage", gx_dir=gx_dir)
    assert [d.url for d in result.accepted] == [damaged.url]
    assert _failing(result.results) == {"no_source_encoding_damage"}


def test_a_duplicate_url_in_one_batch_quarantines_both_versions(gx_dir: Path) -> None:
    one = seed_document(SEEDS[1])
    two = rehash(dataclasses.replace(one, text=one.text + "补充。"))
    result = gate_documents([one, two], run_id="dup", gx_dir=gx_dir)
    assert result.accepted == []
    assert set(result.quarantined["reason"]) == {"url_unique_in_batch"}


def test_severity_is_configuration(gx_dir: Path) -> None:
    strict = load_config().with_severity("documents", "title_present", "block")
    untitled = seed_document(SEEDS[2])  # 人和镇 points: no title line, but from a site profile
    from_file = seed_document(SEEDS[2], site=None)  # parsed from a local file: no title needed
    from_file.url = "file:///tmp/002.txt"
    result = gate_documents([untitled, from_file], run_id="strict", gx_dir=gx_dir,
                            config=strict)
    assert [d.url for d in result.accepted] == [from_file.url]
    assert result.quarantined.select("reason", "detail").to_dicts() == [
        {"reason": "title_present", "detail": "title=null"}]


def test_results_are_reported_per_site(gx_dir: Path) -> None:
    docs = [seed_document(SEEDS[4], site="a"), seed_document(SEEDS[0], site="b"),
            seed_document(SEEDS[1], site="b")]
    docs[2].text += "現"
    rehash(docs[2])
    results = gate_documents(docs, run_id="sites", gx_dir=gx_dir).results
    trad = results.filter(pl.col("expectation") == "no_traditional_chars").sort("table_or_batch")
    assert trad.select("table_or_batch", "success", "element_count",
                       "unexpected_count").to_dicts() == [
        {"table_or_batch": "documents:a", "success": True, "element_count": 1,
         "unexpected_count": 0},
        {"table_or_batch": "documents:b", "success": False, "element_count": 2,
         "unexpected_count": 1},
    ]
    assert trad["observed"].to_list() == [None, "traditional_sample=現"]
    assert set(results["run_id"]) == {"sites"}
    assert results.schema["run_at"] == pl.Datetime("us")


def test_an_empty_batch_validates_nothing(gx_dir: Path) -> None:
    result = gate_documents([], run_id="none", gx_dir=gx_dir)
    assert result.accepted == [] and result.quarantined.is_empty() and result.results.is_empty()


def test_batches_gated_from_parallel_threads_keep_their_own_results(gx_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    plan = SEEDS[4]
    batches = [[broken(plan, f"t{i}-{j}", text="" if j == i else seed_document(plan).text)
                for j in range(4)] for i in range(4)]  # batch i: only doc i is empty
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(
            lambda b: gate_documents(b[1], run_id=f"thread-{b[0]}", gx_dir=gx_dir),
            enumerate(batches)))
    for i, result in enumerate(results):
        assert result.quarantined["url"].to_list() == [batches[i][i].url]
        assert set(result.results["run_id"]) == {f"thread-{i}"}
