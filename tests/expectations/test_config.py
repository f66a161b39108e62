"""Severity configuration (blocking.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations.config import load_config
from expectations.suites.documents import EVIDENCE, build_suite


def test_defaults_block_what_normalization_broke_and_warn_on_what_the_source_carries() -> None:
    config = load_config()
    for name in ("body_not_empty", "plan_has_sections", "no_residual_pinyin",
                 "no_traditional_chars", "no_decoding_fffd", "document_key_present"):
        assert config.is_blocking("documents", name), name
    for name in ("no_source_encoding_damage", "no_redactions", "numbering_not_repaired",
                 "title_present"):
        assert not config.is_blocking("documents", name), name
    for name in ("primary_key_unique", "foreign_keys_resolve", "one_current_version"):
        assert config.is_blocking("dim_document", name), name
    assert not config.is_blocking("fact_task", "row_count_within_band")
    assert not config.is_blocking("documents", "an_unknown_expectation")


def test_every_documents_expectation_is_configured_and_has_evidence() -> None:
    names = {e.meta["name"] for e in build_suite().expectations}
    assert names == set(load_config().documents) == set(EVIDENCE)


def test_a_custom_file_overrides_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("documents:\n  title_present: block\nrow_count_band:\n"
                    "  min_ratio: 0.9\n  max_ratio: 1.5\n", encoding="utf-8")
    config = load_config(path)
    assert config.is_blocking("documents", "title_present")
    assert not config.is_blocking("documents", "body_not_empty")  # unlisted: warn
    assert (config.row_count_min_ratio, config.row_count_max_ratio) == (0.9, 1.5)


@pytest.mark.parametrize("text", [
    "documents:\n  body_not_empty: fatal\n",
    "row_count_band:\n  min_ratio: 2\n",
])
def test_invalid_configuration_is_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        load_config(path)
