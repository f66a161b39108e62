"""What a benchmark's runs did, read back from the warehouse they loaded."""

from __future__ import annotations

from pathlib import Path


def requests_per_run(data_dir: Path) -> list[int]:
    """HTTP requests (pages fetched plus not-modified answers) of each run in `data_dir`'s
    warehouse, oldest first."""
    from flows.config import DataPaths
    from warehouse.db import connect

    con = connect(DataPaths(data_dir).warehouse, read_only=True)
    try:
        rows = con.execute(
            "SELECT coalesce(sum(pages_fetched + not_modified), 0) FROM run_log "
            "GROUP BY run_id ORDER BY min(started_at)").fetchall()
    finally:
        con.close()
    return [int(n) for (n,) in rows]
