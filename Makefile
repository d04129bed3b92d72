# kafka-enterprise-orders: the two commands a new machine needs are
# `make run` (the whole platform, embedded) and `make test` (every check).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO      ?= go
BUF     := $(GO) tool -modfile=tools.mod buf
GOFILES  = $(shell git ls-files '*.go' | grep -v '^gen/')
GENERATED = gen gateway/openapi clients/typescript/src/gen clients/python/src/orders_client/gen web/src/gen web/dist compose/db/init.sql
# The interpreter the Python client's virtual environment is made from (3.11 or newer).
PYTHON  ?= python3

.PHONY: run test setup kafka generate lint fmt-check observability-check drift breaking vet vulncheck sbom web-test python-test gotest gotest-real fuzz build clean

## run: the whole platform in one process (embedded Kafka, Schema Registry, Postgres, gocaves Couchbase)
run: setup bin/gocaves
	$(GO) run ./cmd/orders dev

## kafka: a real 3-node Apache Kafka cluster on loopback (then: orders dev --kafka-bootstrap …)
kafka: setup
	$(GO) run ./cmd/orders kafka --nodes 3

## setup: the Debian packages the build and tests need, when missing (scripts/setup.sh)
setup:
	bash scripts/setup.sh

## test: set-up, lint, promtool on the alert rules, generated-code drift, breaking-change check, vet, govulncheck,
## SBOM, the dashboard's component tests, the Python client's tests, race tests on the embedded broker (with
## the clients' examples against a dev stack), the reliability suite again on a real 3-node Apache Kafka
## cluster, fuzz smoke
test: setup lint observability-check drift breaking vet vulncheck sbom web-test python-test gotest gotest-real fuzz

## build: the orders binary in bin/
build:
	$(GO) build -o bin/orders ./cmd/orders

## generate: Go code, OpenAPI, TypeScript and Python clients from proto/ (and the dashboard's TypeScript in
## web/src/gen); the dashboard's build in web/dist; init.sql from the catalog
generate:
	$(BUF) generate
	PYTHON=$(PYTHON) bash scripts/generate-clients.sh
	bash scripts/build-web.sh
	$(GO) run ./cmd/orders seed-sql > compose/db/init.sql

## lint: buf lint (STANDARD) and gofmt
lint: fmt-check
	$(BUF) lint

## observability-check: promtool checks the Compose observability profile's Prometheus config and alert
## rules, and runs the rules' unit tests (scripts/promtool-check.sh)
observability-check: setup
	bash scripts/promtool-check.sh

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [[ -n "$$out" ]]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## drift: fail when `make generate` changes anything that is committed
drift: generate
	@if [[ -n "$$(git status --porcelain -- $(GENERATED))" ]]; then \
	  echo "generated code is stale; run 'make generate' and commit:"; git status --porcelain -- $(GENERATED); \
	  git --no-pager diff --stat -- $(GENERATED); exit 1; fi

## breaking: buf breaking against the previous commit of main (or main on a branch)
breaking:
	bash scripts/breaking.sh

vet:
	$(GO) vet ./...

## vulncheck: govulncheck against a pinned Go vulnerability database (scripts/vulncheck.sh)
vulncheck:
	bash scripts/vulncheck.sh

## sbom: CycloneDX SBOM of the production build in bin/orders.cdx.json (scripts/sbom.sh)
sbom:
	bash scripts/sbom.sh

## web-test: the dashboard's component tests (Vitest in Node, no browser; web/src/**/*.test.ts*)
web-test:
	bash scripts/build-web.sh --deps-only
	cd web && npm test

## python-test: the Python client's tests (pytest, mypy --strict) in clients/python/.venv-python, which
## scripts/python-venv.sh makes, or makes again when requirements-dev.txt or pyproject.toml changed. The tests
## that run the examples against a dev stack need ORDERS_ORDER_URL; gotest runs the examples with this
## environment against a stack of its own (clients/).
python-test:
	PYTHON=$(PYTHON) bash scripts/python-venv.sh
	cd clients/python && .venv-python/bin/python -m pytest

gotest: bin/gocaves
	CI=$${CI:-} GOCAVES_BIN=$(CURDIR)/bin/gocaves $(GO) test -race -count=1 -timeout 30m ./...

## gotest-real: the reliability suite, the dev stack and the broker fault tests (e2e/) on a real
## 3-node Apache Kafka cluster (one per test binary), the contracts on a real Schema Registry
## (Apicurio). Skipped here: tests whose outcome does not depend on the broker (rules, config,
## serde, buf, the realism and bulk loads, RPC error codes, buf curl, tokens, TLS, the dashboard).
REAL_KAFKA_PKGS = ./internal/stream/ ./internal/contracts/ ./services/... ./e2e/
REAL_KAFKA_SKIP = TestContractsPassLint|TestBreakingChangeDetection|TestSyntheticLoadIsRealistic|TestBulkLoad|TestSerde|TestConfig|TestCheckKey|TestEachRuleFires|TestVelocityWindowAndDuplicates|TestRulesFile|TestAcksConfirm|TestDashboardInABrowser|TestErrors|TestBufCurl|TestRPCsNeedATokenWithTheRightScope|TestTheStackServesTLS
gotest-real: bin/gocaves
	CI=$${CI:-} ORDERS_TEST_KAFKA=real GOCAVES_BIN=$(CURDIR)/bin/gocaves $(GO) test -count=1 -p 2 -timeout 40m \
	  -skip '$(REAL_KAFKA_SKIP)' $(REAL_KAFKA_PKGS)

## fuzz: each fuzz target briefly, on top of its seed corpus (a failure counts when its input reproduces)
FUZZTIME ?= 10s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

clean:
	rm -rf bin .data

include mk/gocaves.mk
