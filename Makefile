# govharvest: `make demo` runs the nightly job on the offline demo site, `make test` the suite.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.installed
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON := $(PYTHON)

.PHONY: install demo test test-fast lint browser-deps clean-data bench

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# Re-sync only when the lock, the project metadata or this recipe changed; `uv sync --frozen`
# never re-resolves. Bytecode is compiled at install time: uv does not by default, and where
# PYTHONDONTWRITEBYTECODE is set every process would recompile GX, Prefect and scipy from
# source on import (14 s instead of 6 s here).
$(STAMP): uv.lock pyproject.toml Makefile | $(UV)
	$(UV) sync --frozen --compile-bytecode --extra dev --extra bench --extra dask
	touch $(STAMP)

# Headless Chromium and a CJK font for the browser tests (machines run as root).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: install browser-deps lint
	$(VENV)/bin/pytest

# The fast suite, for the edit-test loop: everything but the tests marked slow (servers,
# whole flows, SIGKILLs) or browser (Chromium); `make test` runs those too.
test-fast: install
	$(VENV)/bin/pytest -m "not slow and not browser"

demo: install
	$(VENV)/bin/govharvest demo

# Every bench runs even if one fails; the exit status says whether any did.
bench: install
	status=0; for b in bench/*.py; do $(VENV)/bin/python $$b --quick || status=1; done; exit $$status

clean-data:
	rm -rf data
