"""Agency dimension rules: alias merging and kind/level classification of agency names.

The parser already resolves aliases into `Unit.canonical`; the load resolves canonical
names through the parser's alias table (transform/data/agency_aliases.csv) once more, so
the agency dimension merges them even for documents parsed before an alias was added.
Classification works on the canonical name's wording, checked in order (most specific first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from transform.clauses import aliases

# (kind, pattern) in priority order: a court's party group is still a court, etc.
_KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("court", re.compile(r"法院|法庭")),
    ("procuratorate", re.compile(r"检察")),
    ("peoples_congress", re.compile(r"人大")),
    # Mass organisations and societies: neither party nor government bodies.
    ("other", re.compile(
        r"团[省市区县]委|共青团|妇联|工会|科协|社科联|法学会|律师协会|红十字会")),
    # Party bodies: X委 + office (市委组织部, 区委依法治区办), 党委, 党工委, 纪委, 政法委.
    ("party_committee", re.compile(
        r"^(?:[省市区县镇乡]|各级|街道)?(?:委|党委|党工委)|纪委|监委|政法委|党校|党建|组织部|宣传部|统战部"
        r"|依法治[省市区县镇乡]办|党政")),
    ("government_department", re.compile(
        r"政府|局|厅|办公室|办$|委员会|委$|中心|所$|站$|队$|科$|股$|部门|管委会")),
)

# Level from the leading administrative prefix of the name.
_LEVEL_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("province", re.compile(r"^省")),
    ("city", re.compile(r"^(?:市|各市)")),
    ("district", re.compile(r"^(?:区|各区|开发区|经开区)")),
    ("county", re.compile(r"^(?:县|各县)")),
    ("town", re.compile(r"^(?:镇|乡|街道|各镇|各乡)")),
)


def canonical_name(name: str) -> str:
    """The alias-resolved spelling of an agency name."""
    cleaned = name.strip()
    return aliases().get(cleaned, cleaned)


def alias_frame() -> pl.DataFrame:
    """The parser's alias table as (written, canonical) rows, for the load's SQL."""
    table = aliases()
    return pl.DataFrame({"written": list(table), "canonical": list(table.values())},
                        schema={"written": pl.String, "canonical": pl.String})


def classify_kind(name: str) -> str:
    for kind, pattern in _KIND_RULES:
        if pattern.search(name):
            return kind
    return "other"


def classify_level(name: str) -> str:
    for level, pattern in _LEVEL_RULES:
        if pattern.search(name):
            return level
    return "unknown"


def agency_rows(names: Iterable[str], generic: Iterable[bool]) -> pl.DataFrame:
    """dim_agency rows (without keys) for distinct canonical names, classified."""
    frame = (
        pl.DataFrame({"canonical_name": list(names), "is_generic": list(generic)},
                     schema={"canonical_name": pl.String, "is_generic": pl.Boolean})
        .group_by("canonical_name")
        .agg(pl.col("is_generic").any())
        .sort("canonical_name")
    )
    return frame.with_columns(
        pl.col("canonical_name").alias("name"),
        pl.col("canonical_name").map_elements(classify_level, return_dtype=pl.String)
        .alias("level"),
        pl.col("canonical_name").map_elements(classify_kind, return_dtype=pl.String)
        .alias("kind"),
    ).select("name", "canonical_name", "is_generic", "level", "kind")
