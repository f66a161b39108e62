"""Where govharvest keeps its state: one data directory, resolved once at the edge.

Precedence: `--data-dir` on the command line > `GOVHARVEST_DATA_DIR` > `./data`.
Stage code never reads this module; the CLI and the flows pass plain paths down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Environment-level settings (prefix GOVHARVEST_)."""

    model_config = SettingsConfigDict(env_prefix="GOVHARVEST_", extra="ignore")

    data_dir: Path = Path("data")


@dataclass(frozen=True, slots=True)
class DataPaths:
    """Every location under the data directory, derived from its root."""

    root: Path

    @property
    def archive(self) -> Path:  # WARC files and their Parquet index/fetch-log manifests
        return self.root / "archive"

    @property
    def warehouse(self) -> Path:  # the DuckDB file
        return self.root / "warehouse.duckdb"

    @property
    def parquet(self) -> Path:  # `govharvest export parquet`
        return self.root / "parquet"

    @property
    def reports(self) -> Path:  # data-quality summary and GX Data Docs
        return self.root / "reports"

    @property
    def gx(self) -> Path:  # Great Expectations file context
        return self.root / "gx"

    @property
    def dashboard(self) -> Path:  # static dashboard site
        return self.root / "dashboard"


def resolve_paths(data_dir: Path | None = None) -> DataPaths:
    root = data_dir if data_dir is not None else Settings().data_dir
    return DataPaths(root.expanduser().resolve())
