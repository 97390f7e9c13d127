# Every target is documented with `## …`; `make` (or `make help`) lists them.
# The flow: demo → reports → (notebooks, send).
# Variables: DB, OUT, PERIOD, AS_OF, BUSINESS, JOBS (worker processes), FORCE=1 (re-render all),
# DRY_RUN=1 (send: write .eml files), INSTALL=1 (schedule: install the cron entry).

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
JOBS ?=
JOBS_ARGS := $(if $(JOBS),--jobs $(JOBS)) $(if $(FORCE),--force)

.DEFAULT_GOAL := help
.PHONY: help install system-deps test-deps demo reports report notebooks lab send schedule test \
	lint bench bench-render bench-ingest bench-concurrency bench-api bench-a11y bench-cluster clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# What WeasyPrint (PDF reports) needs from the system: pango and fonts (DejaVu for the report,
# Noto CJK and colour emoji so that Japanese titles and emoji in posts are not drawn as empty
# boxes); and for the accessibility and portal browser tests, Debian's chromium (driven by playwright: no browser
# download), a Java runtime for the Nu HTML Checker and npm for the checkers (any java and npm
# on PATH will do).
# Installed with apt-get when missing and running as root (a fresh Debian machine, CI);
# otherwise says what to install.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-cjk \
	fonts-noto-color-emoji chromium poppler-utils
# chromium: prints the PDF reports (the default PDF engine, on every machine that renders
# them, cluster workers included) and the phone-width tests measure the HTML in it (driven
# by Python playwright with executable_path=/usr/bin/chromium; no browser download); the
# fonts serve both PDF engines; poppler-utils:
# pdftotext -bbox reads back where each word of a PDF landed

system-deps: ## Install chromium, pango and fonts (PDF reports), java and npm (tests) when missing (apt-get, as root)
	@command -v dpkg-query >/dev/null || { echo "not Debian: make sure pango and DejaVu fonts are installed"; exit 0; }; \
	missing=""; for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "PDF reports and tests need:$$missing — run: sudo apt-get install$$missing"; exit 1; fi; \
	echo "installing$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing

install: system-deps $(STAMP) ## Create .venv and install the project (runs again when pyproject.toml changes)

# The accessibility tests' checkers (tests/browser.py), from npm into a git-ignored folder:
# axe-core (injected into Chromium) and the W3C Nu HTML Checker (vnu.jar, run with java).
# --ignore-scripts: vnu-jar's install script would fetch a Java runtime; we use the system's.
NPM_DIR := .cache/npm
NPM_PACKAGES := axe-core@4.14.1 vnu-jar@26.9.27
NPM_STAMP := $(NPM_DIR)/.installed-$(subst @,-,$(subst $(eval) ,_,$(NPM_PACKAGES)))

$(NPM_STAMP):
	@command -v npm >/dev/null || { echo "the accessibility tests need npm (apt-get install npm)"; exit 1; }
	npm install --prefix $(NPM_DIR) --no-audit --no-fund --ignore-scripts --no-save $(NPM_PACKAGES)
	@touch $(NPM_STAMP)

test-deps: system-deps $(NPM_STAMP) ## Install the accessibility checkers (axe-core, vnu-jar) into .cache/npm

demo: install ## Build the demo warehouse and every demo business's report
	$(BIN)/analytics demo --db $(DB) $(if $(AS_OF),--as-of $(AS_OF))
	$(BIN)/analytics report --all --db $(DB) --out $(OUT) $(PERIOD_ARGS)
	@echo; echo "Open file://$(abspath $(OUT))/index.html in a browser, or a PDF:"; \
	ls -1t $(OUT)/*/*/report.pdf | head -5

reports: install ## Every business's HTML, PDF and JSON report (each one's last complete week, or month for a monthly cadence; PERIOD=… AS_OF=… JOBS=…)
	$(BIN)/analytics report --all --db $(DB) --out $(OUT) $(PERIOD_ARGS) $(JOBS_ARGS)

report: install ## One business's report: make report BUSINESS=northwind-coffee [PERIOD=…]
	@test -n "$(BUSINESS)" || { echo "usage: make report BUSINESS=<id> [PERIOD=2026-W47]"; exit 2; }
	$(BIN)/analytics report --business $(BUSINESS) --db $(DB) --out $(OUT) $(PERIOD_ARGS) $(JOBS_ARGS)

notebooks: install ## Run the report notebook for every business (PERIOD=… AS_OF=… JOBS=…)
	$(BIN)/analytics notebook --all --db $(DB) --out $(OUT) $(PERIOD_ARGS) $(if $(JOBS),--jobs $(JOBS))

lab: install ## Open JupyterLab on notebooks/ with the project's own kernel
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/python -c "from analytics.notebooks import ensure_kernel; ensure_kernel()"
	cd notebooks && ../$(BIN)/jupyter lab

send: install ## Email every business its due reports (SMTP_* from the environment; DRY_RUN=1 to write .eml files)
	$(BIN)/analytics send --all --db $(DB) --out $(OUT) $(PERIOD_ARGS) $(if $(DRY_RUN),--dry-run)

schedule: install ## Print the cron entry that runs `make send` every morning (INSTALL=1 to install it)
	$(BIN)/analytics schedule --db $(DB) --out $(OUT) $(if $(INSTALL),--install)

# Two test processes (pytest-xdist): most of the suite waits on kernels, workers, browsers
# and servers starting, so two overlap well even on two cores. TEST_JOBS=0 runs in one.
TEST_JOBS ?= 2

test: install test-deps ## Run the test suite (what CI runs; TEST_JOBS=… processes, default 2)
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_JOBS)),-n $(TEST_JOBS))

lint: install ## Lint with ruff
	$(BIN)/ruff check analytics tests benchmarks

bench: install ## All benchmarks (report models, warehouse access, insight accuracy, notebooks, ingest, rendering, API, cluster)
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_concurrency.py
	$(BIN)/python benchmarks/bench_history.py
	$(BIN)/python benchmarks/insight_accuracy.py
	$(BIN)/python benchmarks/bench_notebooks.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_pdf_engine.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_a11y.py
	$(BIN)/python benchmarks/bench_cluster.py

bench-cluster: install ## Single machine against --cluster (LocalCluster of 1 and 2), and publish (BUSINESSES=…)
	$(BIN)/python benchmarks/bench_cluster.py $(if $(BUSINESSES),--businesses $(BUSINESSES))

bench-api: install ## API load test alone: 50 loopback clients on the 1,000-business warehouse (BUSINESSES=… SECONDS=…)
	$(BIN)/python benchmarks/bench_api.py $(if $(BUSINESSES),--businesses $(BUSINESSES)) $(if $(SECONDS),--seconds $(SECONDS))

bench-ingest: install ## Ingest benchmark alone: a 1 GB canonical CSV and its Parquet (SIZE_MB=…)
	$(BIN)/python benchmarks/bench_ingest.py $(if $(SIZE_MB),--size-mb $(SIZE_MB))

bench-concurrency: install ## How long report --all holds the warehouse, and the read path's cost (BUSINESSES=…)
	$(BIN)/python benchmarks/bench_concurrency.py $(if $(BUSINESSES),--businesses $(BUSINESSES))

bench-render: install ## Benchmark HTML+PDF rendering alone: 200 businesses, --jobs 1 and 2, before/after
	$(BIN)/python benchmarks/bench_render.py

bench-a11y: install ## What tagging and text alternatives cost per report (about a minute; SAMPLE=…)
	$(BIN)/python benchmarks/bench_a11y.py $(if $(SAMPLE),--sample $(SAMPLE))

clean: ## Remove generated warehouses, reports and caches (keeps .venv)
	rm -rf data/*.duckdb data/*.wal data/*.lock data/rejects reports/*/ reports/index.html .pytest_cache
