"""govharvest stage: dashboards (a static, offline HTML site built from the warehouse marts).

Public API: `dashboards.build.build_dashboard(db_path, out_dir, *, reports_dir=None,
today=None, max_document_pages=2000) -> Path` (index.html); CLI `govharvest dashboard`.
Aggregates live in `dashboards.queries` (DuckDB SQL over the warehouse views `v_*`), figures
in `dashboards.charts`.
"""
