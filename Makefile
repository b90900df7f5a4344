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

.PHONY: build
build: ## Build bin/kpanda
	go build -o $(BIN)/kpanda ./cmd/kpanda

.PHONY: k8s-bin
k8s-bin: ## Build the local-cluster binaries into bin/k8s (~13 min the first time, then nothing)
	@hack/k8s-bin.sh

.PHONY: run
run: build k8s-bin ## Run the whole system on this machine: a global and $(MEMBERS) member clusters
	$(BIN)/kpanda dev --members $(MEMBERS)

.PHONY: test
test: k8s-bin ## Run every unit and integration test against real local clusters
	go test $(TEST_FLAGS) ./...

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
