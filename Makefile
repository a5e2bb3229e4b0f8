# `make demo` and `make test` work on a fresh clone: they install dependencies themselves
# (npm ci) whenever node_modules is missing or older than package-lock.json.
SHELL := /bin/bash
STAMP := node_modules/.dynaforge-deps-stamp

.PHONY: all deps build lint typecheck test test-unit test-cli demo bench clean

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

# Lint and typecheck first: an architecture violation fails the run before any test does.
test: lint typecheck test-unit test-cli

demo: build
	bash scripts/demo.sh

bench: deps
	npm run --silent bench

clean:
	rm -rf dist out test-results .bench demo-out
