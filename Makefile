# Everyday commands. `make demo` is the tour: seed, load and bill a sample data set.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_WAREHOUSE := warehouse/demo.duckdb
DEMO_DATA := data/sample

.PHONY: venv demo test lint bench dagster

venv: $(STAMP)

# Reinstalls only when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

demo: venv
	rm -rf $(DEMO_DATA) $(DEMO_WAREHOUSE)
	$(BIN)/billing seed $(DEMO_DATA) --subscriptions 2000 --seed 7 --start 2026-01-01 --days 90 --bad-rows 5
	$(BIN)/billing --warehouse $(DEMO_WAREHOUSE) load $(DEMO_DATA)
	$(BIN)/billing --warehouse $(DEMO_WAREHOUSE) run --as-of 2026-03-31
	@echo
	@echo "demo outputs:"
	@echo "  upstream files:  $(DEMO_DATA)/"
	@echo "  warehouse:       $(DEMO_WAREHOUSE) (schemas upstream and published)"
	@echo "  as Parquet:      $(BIN)/billing --warehouse $(DEMO_WAREHOUSE) export warehouse/demo-export"
	@echo "  in Dagster:      BILLING_WAREHOUSE=$(DEMO_WAREHOUSE) make dagster"

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python benchmarks/run.py

dagster: venv
	mkdir -p dagster_home
	DAGSTER_HOME=$(CURDIR)/dagster_home $(BIN)/dagster dev -w workspace.yaml
