# The two commands a newcomer needs: `make run` and `make test`. Both set up
# .venv from pyproject.toml on first use; nothing else is required.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml clients/python/pyproject.toml | cksum | cut -d' ' -f1)
TS := clients/typescript
TS_DEPS := $(TS)/node_modules/.package-lock.json
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

# The operator console (ui/): node_modules from package-lock.json (npm ci), and a build
# in ui/dist stamped with the sources it was built from; both redone only on change.
UI := ui
NPM ?= npm
UI_DEPS := $(UI)/node_modules/.installed-$(shell cat $(UI)/package-lock.json | cksum | cut -d' ' -f1)
UI_SOURCES := $(sort $(shell find $(UI)/src $(UI)/index.html $(UI)/vite.config.ts \
	$(UI)/tsconfig.json $(UI)/package-lock.json -type f -not -name '*.test.*'))
UI_BUILD := $(UI)/dist/.built-$(shell cat $(UI_SOURCES) | cksum | cut -d' ' -f1)
NODE_OK := node -e 'const [a, b] = process.versions.node.split(".").map(Number); \
	process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null

.PHONY: setup run test generate check-generated migrate migration lint bench clean-data \
	ts-build ui-deps console console-if-node

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

$(UI_DEPS): $(UI)/package-lock.json
	@$(NODE_OK) || { echo "the console needs Node.js 20.19 or newer (with npm)"; exit 1; }
	cd $(UI) && $(NPM) ci --no-audit --no-fund --loglevel=error
	@rm -f $(UI)/node_modules/.installed-*
	@touch $@

ui-deps: $(UI_DEPS)

$(UI_BUILD): $(UI_DEPS)
	cd $(UI) && $(NPM) run --silent build
	@touch $@

## console: build the operator console into ui/dist (the service serves it at /)
console: $(UI_BUILD)

# make run and make test build the console when Node.js is there, and go on without
# it (the API serves; / says how to build the console) when it is not
console-if-node:
	@if $(NODE_OK); then $(MAKE) --no-print-directory console \
	  || echo "!! the console build failed: the API serves without it (make console to retry)"; \
	else echo "!! Node.js 20.19+ not found: serving without the console (see README)"; fi

## run: migrate, then serve the API (/v1) and the console (/) with runners and reaper on 127.0.0.1:8080
run: setup console-if-node
	@$(PY) -m custom.cli serve

## test: every test (unit, integration, contract, chaos, console) against a real PostgreSQL
## (the Node worker tests need Node 20 + npm: the TypeScript client is built first)
test: setup console-if-node
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory ts-build; \
	  else echo "npm not found: the TypeScript worker tests will be skipped"; fi
	$(PY) -m pytest $(PYTEST_ARGS)

## generate: render generated/, the clients of clients/ and the console's API client from spec/openapi.yaml
generate: setup $(TS_DEPS) ui-deps
	$(PY) -m templates.generate
	$(PY) -m templates.clients
	cd $(UI) && $(NPM) run --silent generate

GENERATED := generated/ clients/ $(UI)/src/api/generated.ts

## check-generated: regenerate and fail when generated/, a client or the console's client changed
check-generated: generate
	@git status --porcelain -- $(GENERATED) | grep . && { git diff --stat -- $(GENERATED); \
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
