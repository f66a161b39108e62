"""Thin Prefect task wrappers around flows.pipeline and flows.outputs: names and timeouts
only, no logic.

No task is retried. Fetching retries each request itself (extract.retry: backoff, Retry-After)
and never raises for network trouble: a page it cannot get is counted as failed and fetched
on the next run, and a site whose robots.txt stays unreachable (SiteUnavailable) is tried
again on the next run, not seconds later. Parsing and validating the same bytes again would
fail the same way, so those tasks fail fast. Caching is off:
inputs are whole page batches, and the archive already makes re-fetching unnecessary.
"""

from __future__ import annotations

import logging

from prefect import task
from prefect.cache_policies import NO_CACHE

from extract.crawl import HarvestResult
from extract.warcread import DamagedRecord
from flows import outputs, pipeline
from flows.config import DataPaths
from warehouse.runs import LoadSummary

FETCH_TIMEOUT_S = 3600
PARSE_TIMEOUT_S = 1800


class _ThreadTimeoutNotice(logging.Filter):
    """Drop Prefect's per-task notice that thread-pool timeouts cannot interrupt blocking IO.

    We know: every HTTP request has its own connect/read timeout in extract.http, so the
    task timeout is only the backstop for a run that keeps making progress for too long.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "running in a worker thread" not in record.getMessage()


logging.getLogger("prefect.task_runs").addFilter(_ThreadTimeoutNotice())


@task(name="fetch-site", retries=0, timeout_seconds=FETCH_TIMEOUT_S, cache_policy=NO_CACHE,
      task_run_name="fetch-{request.site}")
def fetch_site(request: pipeline.SiteRequest, paths: DataPaths, run_id: str) -> HarvestResult:
    return pipeline.fetch_site(request, paths, run_id)


@task(name="parse-and-gate", retries=0, timeout_seconds=PARSE_TIMEOUT_S, cache_policy=NO_CACHE,
      task_run_name="parse-{request.site}")
def parse_and_gate(
    request: pipeline.SiteRequest, harvest_result: HarvestResult, paths: DataPaths, run_id: str,
    done_runs: frozenset[str] = frozenset(), share_gate: bool = False,
) -> pipeline.SiteBatch:
    return pipeline.parse_and_gate(request, harvest_result, paths, run_id, done_runs,
                                   share_gate=share_gate)


@task(name="gate-together", retries=0, timeout_seconds=PARSE_TIMEOUT_S, cache_policy=NO_CACHE)
def gate_together(batches: list[pipeline.SiteBatch], paths: DataPaths,
                  run_id: str) -> list[pipeline.SiteBatch]:
    return pipeline.gate_together(batches, run_id=run_id, paths=paths)


@task(name="reprocess-site", retries=0, cache_policy=NO_CACHE, task_run_name="reprocess-{site}")
def reprocess_site(site: str, paths: DataPaths, run_id: str,
                   damaged: tuple[DamagedRecord, ...] = ()) -> pipeline.SiteBatch:
    return pipeline.reprocess_site(site, paths, run_id, damaged)


@task(name="load-batch", retries=0, cache_policy=NO_CACHE, task_run_name="load-{batch.site}")
def load_batch(batch: pipeline.SiteBatch, paths: DataPaths, lineage: bool = True) -> LoadSummary:
    return pipeline.load_batch(batch, paths, lineage=lineage)


@task(name="load-batches", retries=0, cache_policy=NO_CACHE)
def load_batches(batches: list[pipeline.SiteBatch],
                 paths: DataPaths) -> list[LoadSummary]:
    return pipeline.load_batches(batches, paths)


@task(name="finish-outputs", retries=0, cache_policy=NO_CACHE)
def finish_outputs(paths: DataPaths, run_id: str) -> dict[str, str]:
    return {k: str(v) for k, v in outputs.finish_outputs(paths, run_id).items()}
