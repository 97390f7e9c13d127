# Every target is documented with `## …`; `make` (or `make help`) lists them.
# The flow: demo → reports → (notebooks, send). Variables: DB, OUT, PERIOD, AS_OF, BUSINESS.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/warehouse.duckdb
OUT ?= reports
PERIOD ?=
AS_OF ?=
BUSINESS ?=
PERIOD_ARGS := $(if $(PERIOD),--period $(PERIOD)) $(if $(AS_OF),--as-of $(AS_OF))

.DEFAULT_GOAL := help
.PHONY: help install demo reports report notebooks lab test lint bench bench-ingest clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project (runs again when pyproject.toml changes)

demo: install ## Build the demo warehouse and every demo business's report
	$(BIN)/analytics demo --db $(DB) $(if $(AS_OF),--as-of $(AS_OF))
	$(BIN)/analytics report --all --db $(DB) --out $(OUT) $(PERIOD_ARGS)
	@echo "Reports are in $(OUT)/<business>/<period>/ — e.g. ls $(OUT)/*/"

reports: install ## Every business's report (last complete week; PERIOD=2026-W47 AS_OF=… to choose)
	$(BIN)/analytics report --all --db $(DB) --out $(OUT) $(PERIOD_ARGS)

report: install ## One business's report: make report BUSINESS=northwind-coffee [PERIOD=…]
	@test -n "$(BUSINESS)" || { echo "usage: make report BUSINESS=<id> [PERIOD=2026-W47]"; exit 2; }
	$(BIN)/analytics report --business $(BUSINESS) --db $(DB) --out $(OUT) $(PERIOD_ARGS)

notebooks: install ## Run the report notebook for every business (PERIOD=… AS_OF=… JOBS=…)
	$(BIN)/analytics notebook --all --db $(DB) --out $(OUT) $(PERIOD_ARGS) $(if $(JOBS),--jobs $(JOBS))

lab: install ## Open JupyterLab on notebooks/ with the project's own kernel
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/python -c "from analytics.notebook import ensure_kernel; ensure_kernel()"
	cd notebooks && ../$(BIN)/jupyter lab

test: install ## Run the test suite (what CI runs)
	$(BIN)/python -m pytest

lint: install ## Lint with ruff
	$(BIN)/ruff check analytics tests benchmarks

bench: install ## Benchmarks: 1,000 businesses (~9 M observations), prints figures
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/insight_accuracy.py
	$(BIN)/python benchmarks/bench_notebooks.py
	$(BIN)/python benchmarks/bench_ingest.py

bench-ingest: install ## Ingest benchmark alone: a 1 GB canonical CSV and its Parquet (SIZE_MB=…)
	$(BIN)/python benchmarks/bench_ingest.py $(if $(SIZE_MB),--size-mb $(SIZE_MB))

clean: ## Remove generated warehouses, reports and caches (keeps .venv)
	rm -rf data/*.duckdb data/*.wal data/rejects reports/*/ reports/index.html .pytest_cache
