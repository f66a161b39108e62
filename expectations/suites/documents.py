"""The `documents` suite: parsed documents before load, one row per document.

`EVIDENCE` names, per expectation, the feature column whose value explains a failure; it
becomes the quarantine `detail` and the dq_result `observed` sample.
"""

from __future__ import annotations

import datetime as dt

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.custom import (
    ExpectColumnValuesToBeSubsetsOfSet,
    ExpectColumnValuesToHaveNoPinyinAnnotation,
    ExpectColumnValuesToHaveNoTraditionalOnlyChars,
)
from transform.records import ROLES

SUITE = "documents"
# Plans must have sections; summaries and notices may be running prose.
PLAN_TYPES: tuple[str, ...] = ("work_plan", "work_points", "implementation_plan")
# Suite parameters bound at run time (GX coerces literal date strings to `date`, which
# pandas' datetime64 column cannot be compared with, so both bounds are datetimes).
EARLIEST_PUBLISH_PARAM = "earliest_publish_date"
LATEST_PUBLISH_PARAM = "latest_publish_date"
EARLIEST_PUBLISH_DATE = dt.datetime(2000, 1, 1)


def parameters(latest: dt.datetime) -> dict[str, dt.datetime]:
    return {EARLIEST_PUBLISH_PARAM: EARLIEST_PUBLISH_DATE, LATEST_PUBLISH_PARAM: latest}

EVIDENCE: dict[str, str] = {
    "body_not_empty": "body_length",
    "plan_has_sections": "level1_count",
    "no_residual_pinyin": "pinyin_sample",
    "no_traditional_chars": "traditional_sample",
    "no_decoding_fffd": "fffd_introduced",
    "document_key_present": "content_hash",
    "url_unique_in_batch": "url",
    "node_parents_resolve": "orphan_nodes",
    "publish_date_in_range": "publish_date",
    "unit_roles_allowed": "unit_roles",
    "unit_clauses_attached": "unattached_clauses",
    "numbering_contiguous": "numbering_sample",
    "numbering_not_repaired": "numbering_repaired",
    "no_source_encoding_damage": "fffd_source",
    "no_redactions": "redaction_count",
    "title_present": "title",
    "html_truncated": "html_text_kept",
    "encoding_damage": "mojibake_evidence",
}


def _named(name: str, expectation: gxe.Expectation) -> gxe.Expectation:
    expectation.meta = {**(expectation.meta or {}), "name": name}
    return expectation


def expectations() -> list[gxe.Expectation]:
    return [
        _named("body_not_empty", gxe.ExpectColumnValuesToBeBetween(
            column="body_length", min_value=1)),
        _named("plan_has_sections", gxe.ExpectColumnValuesToBeBetween(
            column="level1_count", min_value=1,
            row_condition=Column("doc_type").is_in(list(PLAN_TYPES)))),
        _named("no_residual_pinyin", ExpectColumnValuesToHaveNoPinyinAnnotation(column="text")),
        _named("no_traditional_chars",
               ExpectColumnValuesToHaveNoTraditionalOnlyChars(column="text")),
        _named("no_decoding_fffd", gxe.ExpectColumnValuesToBeBetween(
            column="fffd_introduced", min_value=0, max_value=0)),
        _named("document_key_present", gxe.ExpectColumnValuesToNotBeNull(column="url")),
        _named("document_key_present", gxe.ExpectColumnValuesToNotBeNull(
            column="content_hash")),
        _named("url_unique_in_batch", gxe.ExpectColumnValuesToBeUnique(column="url")),
        _named("node_parents_resolve", gxe.ExpectColumnValuesToBeBetween(
            column="orphan_nodes", min_value=0, max_value=0)),
        _named("publish_date_in_range", gxe.ExpectColumnValuesToBeBetween(
            column="publish_date", min_value={"$PARAMETER": EARLIEST_PUBLISH_PARAM},
            max_value={"$PARAMETER": LATEST_PUBLISH_PARAM})),
        _named("unit_roles_allowed", ExpectColumnValuesToBeSubsetsOfSet(
            column="unit_roles", value_set=list(ROLES))),
        _named("unit_clauses_attached", gxe.ExpectColumnValuesToBeBetween(
            column="unattached_clauses", min_value=0, max_value=0)),
        _named("numbering_contiguous", gxe.ExpectColumnValuesToBeBetween(
            column="numbering_gaps", min_value=0, max_value=0,
            row_condition=Column("numbering_repaired") == False)),  # noqa: E712
        _named("numbering_not_repaired", gxe.ExpectColumnValuesToBeInSet(
            column="numbering_repaired", value_set=[False])),
        _named("no_source_encoding_damage", gxe.ExpectColumnValuesToBeInSet(
            column="encoding_damage", value_set=[False])),
        _named("no_redactions", gxe.ExpectColumnValuesToBeBetween(
            column="redaction_count", min_value=0, max_value=0)),
        _named("title_present", gxe.ExpectColumnValuesToNotBeNull(
            column="title", row_condition=Column("from_profile") == True)),  # noqa: E712
        _named("html_truncated", gxe.ExpectColumnValuesToBeInSet(
            column="html_truncated", value_set=[False])),
        _named("encoding_damage", gxe.ExpectColumnValuesToBeInSet(
            column="mojibake", value_set=[False])),
    ]


def build_suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(name=SUITE, expectations=expectations())
