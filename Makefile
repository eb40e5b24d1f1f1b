# The two commands a newcomer needs: `make run` and `make test`. Both set up
# .venv from pyproject.toml on first use; nothing else is required.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml clients/python/pyproject.toml | cksum | cut -d' ' -f1)
TS := clients/typescript
TS_DEPS := $(TS)/node_modules/.package-lock.json
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: setup run test generate check-generated migrate migration lint bench clean-data ts-build

$(STAMP): pyproject.toml clients/python/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]' -e clients/python
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

# the TypeScript client's tools (openapi-typescript, tsc), from its lock file
$(TS_DEPS): $(TS)/package-lock.json
	cd $(TS) && $(NPM_CI)

## ts-build: the npm package valkyr-client built to ESM + .d.ts in clients/typescript/dist
ts-build: $(TS_DEPS)
	cd $(TS) && npm run --silent build

## run: migrate, then serve the API with runners and reaper on 127.0.0.1:8080
run: setup
	@$(PY) -m custom.cli serve

## test: every test (unit, integration, contract, chaos) against a real PostgreSQL
## (the Node worker tests need Node 20 + npm: the TypeScript client is built first)
test: setup
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory ts-build; \
	  else echo "npm not found: the TypeScript worker tests will be skipped"; fi
	$(PY) -m pytest $(PYTEST_ARGS)

## generate: render generated/ and the clients of clients/ from spec/openapi.yaml
generate: setup $(TS_DEPS)
	$(PY) -m templates.generate
	$(PY) -m templates.clients

## check-generated: regenerate and fail when generated/ or a client changed
check-generated: generate
	@git status --porcelain -- generated/ clients/ | grep . && { git diff --stat -- generated/ clients/; \
	  echo "generated code is stale: run make generate and commit"; exit 1; } || true

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
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory ts-build; fi
	$(PY) -m bench $(BENCH_ARGS)

clean-data:
	rm -rf .data
