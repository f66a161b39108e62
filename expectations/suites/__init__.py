"""Expectation suites, one per stage or table and named after it, defined in code.

Each expectation carries `meta["name"]`: the short, stable name that `blocking.yaml`
configures and that dq_result / quarantine rows report.
"""
