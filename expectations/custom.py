"""Custom expectations for Chinese government text, written the GX way (metric + expectation).

GX has no expectation for "no pinyin annotation left" or "no traditional-only character
left", so each is a column map metric (a per-row condition over the pandas execution engine)
plus a `ColumnMapExpectation` that uses it; they then behave like built-ins: `mostly`,
`unexpected_count`, row conditions and Data Docs rendering all work.

`UnexpectedRowsExpectation` (GX's SQL-template custom expectation) is not an option: it only
runs on SQL and Spark data sources, and our batches are pandas frames (see `expectations.tables`
for why).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, ClassVar

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

# A character followed by a parenthesised pinyin syllable: 現(xiàn), 学(xué), 将(jiang1);
# the character may itself be damaged ("W(xué)"). The syllable is lower case and needs a
# vowel, so "(ISO)" or "(一)" never match; a lower-case letter before it ("item(a)") is English.
PINYIN_ANNOTATION = re.compile(
    r"[^\sa-z()（）][(（]\s*"
    r"(?=[a-zü]*[aeiouüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[1-5]?"
    r"\s*[)）]"
)
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def is_traditional_only(char: str) -> bool:
    """True for a Han character that simplified Chinese writes differently.

    OpenCC's t2s alone over-reports: it maps 著 -> 着 or 乾 -> 干 although both are also
    standard simplified characters. A character counts as traditional-only when t2s changes it
    *and* it is outside GB2312 (the simplified national character set), e.g. 現, 學, 辦.
    """
    try:
        char.encode("gb2312")
        return False
    except UnicodeEncodeError:
        pass
    return bool(_t2s().convert(char) != char)


# Characters already classified, so a batch pays OpenCC once per distinct character and
# each document only a few C-level set operations.
_TRADITIONAL: set[str] = set()
_NOT_TRADITIONAL: set[str] = set()


def _traditional_in(text: str) -> set[str]:
    chars = set(text)
    for char in chars - _TRADITIONAL - _NOT_TRADITIONAL:
        (_TRADITIONAL if is_traditional_only(char) else _NOT_TRADITIONAL).add(char)
    return chars & _TRADITIONAL


def traditional_only_chars(text: str) -> list[str]:
    """The distinct traditional-only characters of `text`, in first-seen order."""
    return sorted(_traditional_in(text), key=text.index)


def has_traditional_only_chars(text: str) -> bool:
    return bool(_traditional_in(text))


def pinyin_annotations(text: str) -> list[str]:
    return PINYIN_ANNOTATION.findall(text)


# GX evaluates a map condition several times per expectation (count, index list, ...);
# str hashes are cached by CPython, so memoising on the text itself makes repeats O(1).
@lru_cache(maxsize=8192)
def _has_pinyin(text: str) -> bool:
    return PINYIN_ANNOTATION.search(text) is not None


@lru_cache(maxsize=8192)
def _has_traditional(text: str) -> bool:
    return has_traditional_only_chars(text)


def _as_text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


class ColumnValuesHaveNoPinyinAnnotation(ColumnMapMetricProvider):
    condition_metric_name = "column_values.no_pinyin_annotation"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return column.map(lambda v: not _has_pinyin(_as_text(v))).astype(bool)


class ColumnValuesHaveNoTraditionalOnlyChars(ColumnMapMetricProvider):
    condition_metric_name = "column_values.no_traditional_only_chars"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return column.map(lambda v: not _has_traditional(_as_text(v))).astype(bool)


class ColumnValuesAreSubsetsOfSet(ColumnMapMetricProvider):
    """Each cell is a list (e.g. a document's unit roles); every element must be in the set."""

    condition_metric_name = "column_values.subset_of_set"
    condition_value_keys = ("value_set",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, value_set: Any, **kwargs: Any) -> pd.Series:
        allowed = set(value_set)
        return column.map(lambda v: v is None or set(v) <= allowed).astype(bool)


class ExpectColumnValuesToHaveNoPinyinAnnotation(ColumnMapExpectation):
    """Expect no text cell to keep an inline pinyin annotation such as 現(xiàn)."""

    map_metric = "column_values.no_pinyin_annotation"
    success_keys = ("mostly",)
    description: str = "No residual pinyin annotation (e.g. 现(xiàn)) after normalization"
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "production", "tags": ["govharvest"]}


class ExpectColumnValuesToHaveNoTraditionalOnlyChars(ColumnMapExpectation):
    """Expect no text cell to keep a traditional-only character after t2s conversion."""

    map_metric = "column_values.no_traditional_only_chars"
    success_keys = ("mostly",)
    description: str = "No traditional-only character (e.g. 現, 學) left after conversion"
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "production", "tags": ["govharvest"]}


class ExpectColumnValuesToBeSubsetsOfSet(ColumnMapExpectation):
    """Expect every element of each list cell to be in `value_set`."""

    value_set: list[str]
    map_metric = "column_values.subset_of_set"
    success_keys = ("value_set", "mostly")
    description: str = "Every listed value is in the allowed set"
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "production", "tags": ["govharvest"]}
