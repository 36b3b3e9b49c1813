# trennwand — developer entry points. `make` alone lists the targets.

GO  ?= go
BIN ?= bin/trennwand

# What `trennwand version` reports: the tag (or commit) described by git, the commit and
# its time. Override them for a release build: make build VERSION=v1.0.0
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null)
# step-ca's database backends that trennwand never opens (it keeps the CA's tables in its
# own database): leaving them out makes the binary smaller.
TAGS    ?= nobadger nobbolt nomysql nopgx
PKG     := github.com/trennwand/trennwand/buildinfo
LDFLAGS := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).date=$(DATE)

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
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/trennwand

run: ## run the server on the embedded defaults (SQLite, ./data) in demo mode
	$(GO) run ./cmd/trennwand serve --demo
