"""`govharvest` command-line entry point.

Importing a command module registers its commands on the shared app; the modules are
listed here so `govharvest --help` shows every stage.

The command modules import the stages (Prefect, Great Expectations, polars, the pipeline)
inside each command, not at the top: `govharvest --help` and the quick commands must not
pay seconds of imports for the commands they do not run. The rest of flows/ imports at the
top.
"""

from __future__ import annotations

import os

from flows.cli import archive as _archive  # noqa: F401  (archive verify, archive reindex)
from flows.cli import core as _core  # noqa: F401  (--version, doctor)
from flows.cli import dashboard as _dashboard  # noqa: F401  (dashboard)
from flows.cli import demosite as _demosite  # noqa: F401  (demo-site)
from flows.cli import harvest as _harvest  # noqa: F401  (harvest, nightly, reprocess, demo)
from flows.cli import parse as _parse  # noqa: F401  (parse)
from flows.cli import profile as _profile  # noqa: F401  (profile suggest)
from flows.cli import validate as _validate  # noqa: F401  (validate)
from flows.cli import warehouse as _warehouse  # noqa: F401  (sql, export parquet)
from flows.cli.app import app

# Prefect defaults for a command-line run on a small, offline machine; users' own
# settings win. The ephemeral API needs more than the default 20 s to start on 2 busy cores,
# and its telemetry would try to resolve a host this network cannot reach.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def main() -> None:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    app()


__all__ = ["app", "main"]
