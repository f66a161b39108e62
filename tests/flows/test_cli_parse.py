"""`govharvest parse`: the JSON contract, the text tree, and exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import SEEDS_DIR, expected

runner = CliRunner()
SEED = SEEDS_DIR / "004-xiangtan-2021-2025-plan.txt"
NODE_KEYS = {"id", "parent_id", "level", "label", "number", "heading", "text", "units",
             "targets", "deadlines", "themes"}


def test_json_output_follows_the_contract() -> None:
    result = runner.invoke(app, ["parse", str(SEED), "--url", "http://x.example/a.html"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    want = expected(SEED.stem)
    assert out["title"] == want["title"]
    assert out["publish_date"] == "2022-11-22"
    assert out["period"] == {"start_year": 2021, "end_year": 2025}
    assert out["original_script"] == "simplified"
    assert out["url"] == "http://x.example/a.html"
    assert out["text"].startswith("为贯彻落实")
    assert set(out["nodes"][0]) >= NODE_KEYS
    assert {"role", "name", "canonical"} <= set(out["nodes"][4]["units"][0])
    assert "湘潭" in result.stdout  # ensure_ascii=False: Chinese stays readable


def test_text_format_prints_an_outline() -> None:
    result = runner.invoke(app, ["parse", str(SEED), "--format", "text"])
    assert result.exit_code == 0
    assert "implementation_plan" in result.stdout
    assert "n2.1" in result.stdout and "lead: 市委依法治市办" in result.stdout


def test_empty_file_gives_a_flagged_record(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["parse", str(empty)])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["quality_flags"] == ["empty_body"] and out["nodes"] == []


@pytest.mark.parametrize("kind", ["directory", "missing", "binary"])
def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, kind: str) -> None:
    target = {"directory": tmp_path, "missing": tmp_path / "nope.txt",
              "binary": tmp_path / "x.bin"}[kind]
    if kind == "binary":
        target.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20)
    result = runner.invoke(app, ["parse", str(target)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error:")


def test_help_describes_the_command() -> None:
    result = runner.invoke(app, ["parse", "--help"])
    assert result.exit_code == 0
    assert "--format" in result.stdout and "--url" in result.stdout


def test_html_page_in_gbk_parses_like_the_text(tmp_path: Path) -> None:
    from demo.families import render_article

    text = SEED.read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_bytes(render_article(
        "hanweb", title=expected(SEED.stem)["title"], body_text=text,
        publish_date="2022-11-22", publish_time="09:15", source="湘潭市司法局", encoding="gbk"))
    from_page = json.loads(runner.invoke(app, ["parse", str(page)]).stdout)
    from_text = json.loads(runner.invoke(app, ["parse", str(SEED)]).stdout)
    assert from_page["publish_date"] == from_text["publish_date"] == "2022-11-22"
    shape = [(n["id"], n["heading"], len(n["units"])) for n in from_page["nodes"]]
    assert shape == [(n["id"], n["heading"], len(n["units"])) for n in from_text["nodes"]]
