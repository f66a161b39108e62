"""Task policy: no task is retried. The fetcher retries each request itself and never raises
for network trouble, so a task retry on network exceptions (there was one) could never fire."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from extract.crawl import SiteUnavailable
from flows import pipeline, tasks
from flows.config import DataPaths


def test_no_task_is_retried() -> None:
    for task in (tasks.fetch_site, tasks.parse_and_gate, tasks.gate_together,
                 tasks.reprocess_site, tasks.load_batch, tasks.load_batches,
                 tasks.finish_outputs):
        assert task.retries == 0 and task.retry_condition_fn is None, task.name


@pytest.mark.slow
def test_a_site_that_refuses_connections_raises_no_network_error(tmp_path: Path) -> None:
    """What the fetch task can meet when the network fails: the site is unavailable for the
    run (its robots.txt unreachable), never a requests or socket exception."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # released: nobody listens there
    request = pipeline.SiteRequest(site="generic", start_url=f"http://127.0.0.1:{port}/list/",
                                   allow_hosts=("127.0.0.1",), delay=0)
    with pytest.raises(SiteUnavailable, match=r"robots\.txt unreachable"):
        pipeline.fetch_site(request, DataPaths(tmp_path / "data"), "run-1")
