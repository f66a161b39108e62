"""Quality configuration: severities (block / warn) and thresholds, from `blocking.yaml`.

Defaults live in the YAML next to this module; a caller may pass another file or override
single severities in code (`QualityConfig.with_severity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml

Severity = Literal["block", "warn"]
DEFAULT_CONFIG = Path(__file__).with_name("blocking.yaml")
SEVERITIES: tuple[str, ...] = ("block", "warn")


@dataclass(frozen=True, slots=True)
class QualityConfig:
    documents: dict[str, Severity] = field(default_factory=dict)
    tables: dict[str, Severity] = field(default_factory=dict)
    row_count_min_ratio: float = 0.5
    row_count_max_ratio: float = 3.0

    def is_blocking(self, suite: str, expectation: str) -> bool:
        table = self.documents if suite == "documents" else self.tables
        return table.get(expectation, "warn") == "block"

    def with_severity(self, suite: str, expectation: str, severity: Severity) -> QualityConfig:
        if suite == "documents":
            return replace(self, documents={**self.documents, expectation: severity})
        return replace(self, tables={**self.tables, expectation: severity})


def load_config(path: Path | None = None) -> QualityConfig:
    raw = yaml.safe_load((path or DEFAULT_CONFIG).read_text(encoding="utf-8")) or {}
    sections: dict[str, dict[str, Severity]] = {}
    for section in ("documents", "tables"):
        entries = raw.get(section) or {}
        for name, severity in entries.items():
            if severity not in SEVERITIES:
                raise ValueError(f"{section}.{name}: severity must be block or warn, "
                                 f"got {severity!r}")
        sections[section] = dict(entries)
    band = raw.get("row_count_band") or {}
    config = QualityConfig(
        documents=sections["documents"],
        tables=sections["tables"],
        row_count_min_ratio=float(band.get("min_ratio", 0.5)),
        row_count_max_ratio=float(band.get("max_ratio", 3.0)),
    )
    if not 0 <= config.row_count_min_ratio <= 1 <= config.row_count_max_ratio:
        raise ValueError("row_count_band needs 0 <= min_ratio <= 1 <= max_ratio")
    return config
