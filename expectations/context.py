"""One Great Expectations file context per data directory, created once and reused.

GX context creation (and the first import of GX) is slow, so callers share one context per
`gx/` directory for the life of the process: `get_context(gx_dir)` caches it. The context is a
*file* context so validation results persist under `gx/` and Data Docs can be rebuilt from
them on every run. Analytics are switched off before GX is imported (no network here) and
progress bars are disabled (they would spam the CLI and the Prefect logs).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

PANDAS_SOURCE = "govharvest"  # the one pandas data source all our frames go through

_CONTEXTS: dict[Path, AbstractDataContext] = {}
_LOCK = threading.Lock()


def get_context(gx_dir: Path) -> AbstractDataContext:
    """The cached file context rooted at `gx_dir` (created with its config on first use)."""
    key = Path(gx_dir).expanduser().resolve()
    with _LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            with _folder_lock(key):  # another process may be creating the same context
                ctx = _create(key)
            _CONTEXTS[key] = ctx
        return ctx


def _create(gx_dir: Path) -> AbstractDataContext:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # Stored suites name our custom expectations; GX resolves them through its registry,
    # which they join on import. Without this a process that only builds Data Docs fails.
    import expectations.custom  # noqa: F401

    gx_dir.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="file", context_root_dir=str(gx_dir))
    changed = False
    if ctx.config.analytics_enabled is not False:
        ctx.config.analytics_enabled = False
        changed = True
    bars = ctx.variables.progress_bars  # a ProgressBarsConfig when new, a dict once reloaded
    globally = bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)
    if globally is not False:
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        changed = True
    if changed:
        ctx.variables.save()
    return ctx


def context_file_lock(ctx: AbstractDataContext) -> contextlib.AbstractContextManager[None]:
    """Exclusive lock on the context's folder, across processes (flock on a lock file)."""
    return _folder_lock(Path(str(ctx.root_directory)))


@contextlib.contextmanager
def _folder_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".govharvest.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pandas_batch_definition(ctx: AbstractDataContext, asset_name: str):  # type: ignore[no-untyped-def]
    """The whole-dataframe batch definition of asset `asset_name` (created on first use)."""
    from great_expectations.datasource.fluent import PandasDatasource

    try:
        source = ctx.data_sources.get(PANDAS_SOURCE)
    except (KeyError, ValueError):
        source = ctx.data_sources.add_pandas(PANDAS_SOURCE)
    if not isinstance(source, PandasDatasource):
        raise TypeError(f"GX data source {PANDAS_SOURCE!r} is a {type(source).__name__}, "
                        "not the pandas source govharvest validates frames with")
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition("whole")
    except (KeyError, ValueError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole")
