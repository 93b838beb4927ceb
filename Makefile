# The README's two commands: `make generate` and `make test`.
GO ?= go

.PHONY: generate check test deps fmt-check vet docs

# Regenerate everything under generated/ from spec/states.yaml.
generate:
	$(GO) generate ./...

# Regenerate, then render the DOT diagrams to SVG with Graphviz's dot. The
# SVGs are checked in for the README but left out of check: their bytes
# depend on the Graphviz version.
docs:
	$(GO) run ./cmd/fsmgen generate -render svg

# Fail with a diff when checked-in output is stale.
check:
	$(GO) run ./cmd/fsmgen check

# The whole suite, as CI runs it.
test: deps fmt-check vet check
	$(GO) test -count=1 ./...

deps:
	bash .ci/deps

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
