"""govharvest stage: dashboards."""
