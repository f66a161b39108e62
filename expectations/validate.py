"""Run one suite over one pandas frame through a GX validation definition; return plain
outcomes.

Suites and validation definitions are registered in the context once per process
(re-registered only when a suite's expectations change), so a nightly run pays GX's setup
cost once. Results are stored by the validation definition under `gx/` for Data Docs.
There is no Checkpoint around it: with no actions to run, a checkpoint only re-checks
that the definition and suite match the stored ones, which the definition's own run
already does (bench/validate.py times a run both ways).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from expectations.context import PANDAS_SOURCE, context_file_lock, pandas_batch_definition

if TYPE_CHECKING:
    import great_expectations as gx
    from great_expectations.data_context import AbstractDataContext

INDEX_COLUMN = "doc_index"


class ValidationError(RuntimeError):
    """An expectation could not be evaluated (a bug or a schema mismatch, never bad data)."""


@dataclass(slots=True)
class Outcome:
    """One expectation's result over one batch."""

    name: str  # meta["name"], what blocking.yaml configures
    expectation_type: str
    column: str | None
    success: bool
    element_count: int
    unexpected_count: int
    observed: Any = None  # observed_value for aggregate expectations
    failed_rows: list[int] = field(default_factory=list)  # INDEX_COLUMN values of failures


_REGISTERED: dict[tuple[int, str], tuple[str, Any]] = {}
_LOCK = threading.Lock()
# One validation at a time per process: a pandas data source shares one execution engine
# whose loaded batch is keyed by batch id, so two threads validating the same suite at once
# could each read the other's frame. Runs are short; flows may call from worker threads.
_RUN_LOCK = threading.Lock()



def _fingerprint(suite: gx.ExpectationSuite) -> str:
    """The suite's expectations as configured (GX's ids, given when stored, left out)."""
    configs = [e.configuration.to_json_dict() for e in suite.expectations]
    for config in configs:
        config.pop("id", None)
    return json.dumps(configs, sort_keys=True, default=str)


def _validation_definition(ctx: AbstractDataContext, suite: gx.ExpectationSuite) -> Any:
    import great_expectations as gx

    fingerprint = _fingerprint(suite)
    key = (id(ctx), suite.name)
    with _LOCK:
        cached = _REGISTERED.get(key)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        vd = _stored_definition(ctx, suite.name, fingerprint)
        if vd is None:
            stored = ctx.suites.add_or_update(suite)
            batch = pandas_batch_definition(ctx, suite.name)
            vd = ctx.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=stored))
        _REGISTERED[key] = (fingerprint, vd)
        return vd


def _stored_definition(ctx: AbstractDataContext, name: str, fingerprint: str) -> Any:
    """The definition an earlier process registered, if it still matches the suite: reading
    it is ~7x cheaper than registering again (a nightly run is a fresh process)."""
    from great_expectations.exceptions import DataContextError

    try:
        vd = ctx.validation_definitions.get(name)
        asset = vd.data.data_asset
        matches = (vd.suite.name == name and asset.name == name
                   and asset.datasource.name == PANDAS_SOURCE
                   and _fingerprint(vd.suite) == fingerprint)
    except (DataContextError, LookupError, ValueError):  # missing, or its parts are
        return None
    return vd if matches else None


def _exception_message(info: Any) -> str | None:
    """GX reports errors flat or keyed by metric id; either way surface the first message."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _failed_rows(index_list: Any, index_column: str = INDEX_COLUMN) -> list[int]:
    """`index_column` values from an unexpected_index_list (GX 1.24 gives [{col: [values]}])."""
    rows: list[int] = []
    for item in index_list or []:
        value = item.get(index_column) if isinstance(item, dict) else item
        if isinstance(value, list | tuple):
            rows.extend(int(v) for v in value)
        elif value is not None:
            rows.append(int(value))
    return sorted(set(rows))


def result_format(frame: pd.DataFrame, index_column: str = INDEX_COLUMN,
                  label_columns: Sequence[str] = ()) -> dict[str, Any]:
    """GX's result format for `frame`: failing rows by `index_column` when it has one.

    With `label_columns`, Data Docs list each failing row with those columns and its values
    (meant for small frames, such as the table checks); otherwise values are left out of
    the stored result (a document batch's texts would bloat it)."""
    indexed = index_column in frame.columns
    fmt: dict[str, Any] = {"result_format": "COMPLETE" if indexed else "SUMMARY",
                           "exclude_unexpected_values": indexed and not label_columns}
    if indexed:
        fmt["unexpected_index_column_names"] = [index_column, *label_columns]
    return fmt


def run_suite(
    ctx: AbstractDataContext,
    suite: gx.ExpectationSuite,
    frame: pd.DataFrame,
    *,
    run_id: str,
    run_time: dt.datetime | None = None,
    parameters: dict[str, Any] | None = None,
    index_column: str = INDEX_COLUMN,
    label_columns: Sequence[str] = (),
) -> list[Outcome]:
    """Validate `frame` against `suite`; failures are located by the frame's `index_column`
    (an integer column) and shown in Data Docs with its `label_columns` (see result_format)."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.exceptions import ResourceFreshnessAggregateError

    identifier = RunIdentifier(run_name=run_id, run_time=run_time or dt.datetime.now(dt.UTC))
    # Several processes (Dask workers, a CLI next to a flow) share one file context: hold
    # its file lock while registering and running, and if another process removed or
    # replaced what we registered since we cached it, register it again and retry once.
    with _RUN_LOCK, context_file_lock(ctx):
        for attempt in (1, 2):
            definition = _validation_definition(ctx, suite)
            try:
                result = definition.run(
                    batch_parameters={"dataframe": frame},
                    expectation_parameters=parameters or {},
                    result_format=result_format(frame, index_column, label_columns),
                    run_id=identifier,
                )
                break
            except ResourceFreshnessAggregateError:
                if attempt == 2:
                    raise
                with _LOCK:
                    _REGISTERED.pop((id(ctx), suite.name), None)
    outcomes: list[Outcome] = []
    for r in result.results:
        config = r.expectation_config
        if message := _exception_message(r.exception_info):
            raise ValidationError(f"{suite.name}/{(config.meta or {}).get('name')}: "
                                  f"{message}")
        res = r.result or {}
        rows = _failed_rows(res.get("unexpected_index_list"), index_column)
        element_count = res.get("element_count")
        outcomes.append(Outcome(
            name=str((config.meta or {}).get("name") or config.type),
            expectation_type=config.type,
            column=config.kwargs.get("column"),
            success=bool(r.success),
            element_count=int(element_count if element_count is not None else len(frame)),
            unexpected_count=int(res.get("unexpected_count") or (0 if r.success else 1)),
            observed=res.get("observed_value"),
            failed_rows=rows,
        ))
    return outcomes
