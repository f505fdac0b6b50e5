"""Operations: the Prometheus ``/metrics`` endpoint and the liveness/readiness checks.

Stands above every app (it reads their tables at scrape time, by model name); only ``config``
imports it (an import-linter contract in pyproject.toml).
"""
