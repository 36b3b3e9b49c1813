# trennwand — developer entry points. `make` alone lists the targets.

GO  ?= go
BIN ?= bin/trennwand

.DEFAULT_GOAL := help
.PHONY: help test lint build run

help: ## list the targets
	@echo 'trennwand make targets:'
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-zA-Z_-]*:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: ## run all tests (SQLite and a throw-away PostgreSQL); ARGS="-run X" passes flags to go test
	scripts/test $(ARGS)

lint: ## gofmt, go vet and staticcheck
	scripts/lint

build: ## build the static binary into bin/trennwand
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/trennwand

run: ## run the server on the embedded defaults (SQLite, ./data) in demo mode
	$(GO) run ./cmd/trennwand serve --demo
