# `make demo` and `make test` work on a fresh clone: they install dependencies themselves
# (npm ci) whenever node_modules is missing or older than package-lock.json. The editor tests
# (test-editor) install their tools (code-server, Chromium, Playwright) once, into a cache
# outside the clone (~/.cache/dynaforge-e2e, behind a version stamp).
SHELL := /bin/bash
STAMP := node_modules/.dynaforge-deps-stamp

.PHONY: all deps build lint typecheck test test-unit test-cli test-editor demo bench bench-editor clean

all: build

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(STAMP)

build: deps
	npm run --silent build

lint: deps
	npm run --silent lint

typecheck: deps
	npm run --silent typecheck

test-unit: deps
	npm run --silent test:unit

test-cli: build
	npm run --silent test:cli

# The VS Code face in a real editor (code-server) through a real browser (Chromium):
# extension-host integration tests and end-to-end journeys; screenshots in test-results/e2e/.
test-editor: deps
	bash test/e2e/e2e.sh

# Lint and typecheck first: an architecture violation fails the run before any test does.
test: lint typecheck test-unit test-cli test-editor

demo: build
	bash scripts/demo.sh

bench: deps
	npm run --silent bench

# The VS Code face on the same corpus in code-server: activation, tree render, outside changes.
bench-editor: deps
	bash test/e2e/e2e.sh bench

clean:
	rm -rf dist out test-results .bench demo-out
