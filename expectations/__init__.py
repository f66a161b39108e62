"""govharvest stage: expectations (data quality with Great Expectations 1.x).

Public API:
- `expectations.gate.gate_documents(docs, *, run_id, gx_dir, config=None) -> GateResult`:
  the documents suite over a parsed batch before load; `.accepted`, `.quarantined`
  (source, url, reason, detail) and `.results` (dq_result rows).
- `expectations.tables.validate_warehouse(db_path, *, run_id, gx_dir) -> pl.DataFrame`:
  the table suites after load (dq_result rows); `blocking_failures(results)` picks the
  rows that should fail a run.
- `expectations.report.build_reports(db_path, gx_dir, reports_dir) -> Path`: Data Docs
  (offline, vendored assets) and the summary `reports/index.html`.
- `expectations.ondemand.validate_stored(...)`: what `govharvest validate` runs.

Severities live in `expectations/blocking.yaml` (`expectations.config.load_config`).
"""
