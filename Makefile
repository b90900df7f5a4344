# kpanda — `make help` lists the verbs.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

BIN        := $(CURDIR)/bin
TOOLS_BIN  := $(BIN)/tools
GOLANGCI   := $(TOOLS_BIN)/golangci-lint
CONTROLLER_GEN := $(TOOLS_BIN)/controller-gen
# Integration tests start real clusters (~5 s, ~330 MB each); packages run one at a time so a
# two-core machine is not asked to boot a dozen clusters at once.
TEST_FLAGS ?= -p 1 -count=1 -timeout 30m
MEMBERS    ?= 2

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: ui
ui: ## Build the web console into web/dist/app (embedded by the next go build; needs Node.js and npm)
	@if command -v npm >/dev/null 2>&1; then \
	  cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build; \
	else \
	  echo "warning: npm not found: the web console is not built; kpanda will serve a page saying to run make ui (install Node.js and npm)"; \
	fi

.PHONY: build
build: ui ## Build bin/kpanda (with the web console)
	go build -o $(BIN)/kpanda ./cmd/kpanda

.PHONY: k8s-bin
k8s-bin: ## Build the local-cluster binaries into bin/k8s (~13 min the first time, then nothing)
	@hack/k8s-bin.sh

.PHONY: run
run: build k8s-bin ## Run the whole system on this machine: a global and $(MEMBERS) member clusters
	$(BIN)/kpanda dev --members $(MEMBERS)

.PHONY: test
test: k8s-bin ui ## Run every unit and integration test against real local clusters, the console's unit tests and its browser test
	@command -v npx >/dev/null 2>&1 || { echo "make test needs Node.js 20+ and npm for the web console's tests"; exit 1; }
	cd web && npx vitest run
	KPANDA_BROWSER_TEST=required go test $(TEST_FLAGS) ./...

.PHONY: bench
bench: k8s-bin ## Run the benchmarks of test/bench and print their figures
	go test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 30m ./test/bench/...

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Write deepcopy functions and CRD YAML from the types in api/
	$(CONTROLLER_GEN) object paths=./api/...
	$(CONTROLLER_GEN) crd paths=./api/... output:crd:artifacts:config=config/crd

.PHONY: lint
lint: $(GOLANGCI) generate ## gofmt, go vet, golangci-lint, and generated files up to date
	@git diff --quiet -- api config || { echo "generated files are stale: run make generate and commit"; git diff --stat -- api config; exit 1; }
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	$(GOLANGCI) run ./...

$(GOLANGCI): hack/tools/lint/go.mod hack/tools/lint/go.sum
	cd hack/tools/lint && go build -o $(GOLANGCI) github.com/golangci/golangci-lint/v2/cmd/golangci-lint

$(CONTROLLER_GEN): hack/tools/controller-gen/go.mod hack/tools/controller-gen/go.sum
	cd hack/tools/controller-gen && go build -o $(CONTROLLER_GEN) sigs.k8s.io/controller-tools/cmd/controller-gen

.PHONY: clean
clean: ## Remove built binaries (bin/k8s included) and the dev work directory
	rm -rf $(BIN) .kpanda-dev
