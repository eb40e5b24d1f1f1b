# The two commands a newcomer needs: `make run` and `make test`. Both set up
# .venv from pyproject.toml on first use; nothing else is required.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run test generate check-generated migrate migration lint bench clean-data

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

## run: migrate, then serve the API with runners and reaper on 127.0.0.1:8080
run: setup
	@$(PY) -m custom.cli serve

## test: every test (unit, integration, contract, chaos) against a real PostgreSQL
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

## generate: render generated/ from spec/openapi.yaml with templates/
generate: setup
	$(PY) -m templates.generate

## check-generated: regenerate and fail when generated/ changed
check-generated: generate
	@git status --porcelain -- generated/ | grep . && { git diff --stat -- generated/; \
	  echo "generated/ is stale: run make generate and commit"; exit 1; } || true

## migrate: apply pending migrations
migrate: setup
	$(PY) -m custom.cli migrate

## migration: autogenerate a revision from the generated tables (make migration m="what")
migration: setup
	$(VENV)/bin/alembic revision --autogenerate -m "$(m)"

## lint: ruff over the hand-written code
lint: setup
	$(VENV)/bin/ruff check .

## bench: the benchmarks of bench/ (prints figures; never fails on a threshold)
bench: setup
	$(PY) -m bench $(BENCH_ARGS)

clean-data:
	rm -rf .data
