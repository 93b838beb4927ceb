# The README's two commands: `make generate` and `make test`.
GO ?= go

.PHONY: generate check test deps fmt-check vet docs bench bench-smoke bench-online bench-rerun

# Regenerate everything the project file fsmgen.yaml lists (go generate ./...),
# and the door package the Spanner tests run (a module of its own).
generate:
	$(GO) generate ./...
	cd internal/dialect/spanner/e2e && $(GO) generate ./...

# Regenerate, then render the DOT diagrams to SVG with Graphviz's dot. The
# SVGs are checked in for the README but left out of check: their bytes
# depend on the Graphviz version.
docs:
	$(GO) run ./cmd/fsmgen generate -render svg

# Fail with a diff when checked-in output is stale.
check:
	$(GO) run ./cmd/fsmgen check

# The whole suite, as CI runs it. The Spanner migrations are applied by
# wrench on the emulator in a module of their own (its doc.go says why).
test: deps fmt-check vet check bench-smoke
	$(GO) test -count=1 ./...
	cd internal/dialect/spanner/e2e && $(GO) vet ./... && $(GO) test -count=1 ./...

deps:
	bash .ci/deps

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Every benchmark once, to prove they build and run; `go test ./...` does not
# reach the bench/ module. The figures come from `make bench`.
bench-smoke:
	$(GO) test -count=1 -short -run '^$$' -bench . -benchtime=1x ./internal/gen/
	cd bench && $(GO) vet ./... && EXPIRE_ROWS=2000 $(GO) test -count=1 -bench . -benchtime=1x ./...

# Run all benchmarks and write docs/benchmarks.md (several minutes).
bench:
	GO=$(GO) bash bench/report.sh docs/benchmarks.md

# Every change kind up and down on a busy 1,000,000-row table on PostgreSQL
# and MariaDB, and write docs/online-migrations-figures.md (several
# minutes; ROWS=... for another size). make test runs it on 12,000 rows.
bench-online:
	GO=$(GO) bash bench/online/run.sh

# Every migration of every change kind failed at each of its statements and
# run again on a busy 200,000-row table, on PostgreSQL and MariaDB, and
# write docs/rerun-figures.md (ROWS=... for another size). make test runs
# it on 2,000 rows.
bench-rerun:
	GO=$(GO) bash bench/rerun/run.sh
