#!/usr/bin/env bash
# Runs every benchmark and writes the report (docs/benchmarks.md unless an
# output path is given). `make bench` calls it; it takes a few minutes.
# COUNT sets the runs per benchmark that benchstat summarises.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
COUNT=${COUNT:-10}
out=${1:-docs/benchmarks.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. bench/lib.sh

machine="$($GO version | cut -d' ' -f3-), $(uname -sm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

echo "transition benchmarks..." >&2
(cd bench && $GO test -run '^$' -bench '^(BenchmarkTransition|BenchmarkChain)$' -benchtime=200ms -count="$COUNT" .) >"$tmp/transition.txt"
echo "generator benchmarks..." >&2
$GO test -run '^$' -bench '^BenchmarkGenerate$' -count="$COUNT" ./internal/gen >"$tmp/generate.txt"
echo "compile benchmark..." >&2
$GO test -run '^$' -bench '^BenchmarkCompileGenerated$' -count=6 ./internal/gen >"$tmp/compile.txt"
echo "migration history size (200 generates)..." >&2
$GO test -run '^$' -bench '^BenchmarkHistorySize$' -benchtime=1x ./internal/gen >"$tmp/history.txt"
echo "startup benchmark (compiles a 10k-state package first)..." >&2
$GO test -run '^$' -bench '^BenchmarkStartup$' -count="$COUNT" ./internal/gen >"$tmp/startup.txt"

# nsop extracts "name ns/op" from benchmark output, without the -N suffix.
nsop() { awk '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); for (i = 3; i < NF; i++) if ($(i+1) == "ns/op") print $1, $i }' "$1"; }

nsop "$tmp/transition.txt" | median >"$tmp/transition.med"
nsop "$tmp/generate.txt" | median >"$tmp/generate.med"
nsop "$tmp/startup.txt" | median >"$tmp/startup.med"
startup_ratio=$(awk '/prog=empty/ { e = $2 } /prog=machine/ { m = $2 } END { printf "%.2f", m / e }' "$tmp/startup.med")

ratios=$(awk '
	# ratio is a / b to d decimals, or – where a stream has no a (chain).
	function ratio(a, b, d) { return a == "" ? "–" : sprintf("%." d "f×", a / b) }
	{ split($1, p, "/"); s = substr(p[2], 8); i = substr(p[3], 6); t[s, i] = $2; streams[s] = 1 }
	END {
		for (s in streams) {
			printf "| %s | %.2f× | %.2f× | %s | %s | %s |\n", s, t[s, "Transition"] / t[s, "table"], t[s, "Next"] / t[s, "table"], ratio(t[s, "Can"], t[s, "table"], 2), ratio(t[s, "looplab"], t[s, "Transition"], 0), ratio(t[s, "stateless"], t[s, "Transition"], 0)
		}
	}' "$tmp/transition.med" | sort)
scaling=$(awk '
	{ split($1, p, "="); n = p[2] + 0; t[n] = $2; if (n > max) max = n }
	END {
		for (n = 10; n < max; n *= 10) printf "| %d → %d states | %.1f× |\n", n, n * 10, t[n * 10] / t[n]
		printf "| %d states, absolute | %.2f s |\n", max, t[max] / 1e9
	}' "$tmp/generate.med")

mkdir -p "$(dirname "$out")"
{
	cat <<MD
# Benchmarks

Figures from one run of \`make bench\` at commit $commit.

Machine: $machine.
It is shared, so absolute times are noisy; compare the ratios, which come
from one run.

Reproduce with \`make bench\` (or \`COUNT=10 bash bench/report.sh\`), which
runs:

\`\`\`sh
cd bench && go test -run '^\$' -bench '^(BenchmarkTransition|BenchmarkChain)\$' -benchtime=200ms -count=$COUNT .
go test -run '^\$' -bench '^BenchmarkGenerate\$' -count=$COUNT ./internal/gen
go test -run '^\$' -bench '^BenchmarkCompileGenerated\$' -count=6 ./internal/gen
go test -run '^\$' -bench '^BenchmarkHistorySize\$' -benchtime=1x ./internal/gen
go test -run '^\$' -bench '^BenchmarkStartup\$' -count=$COUNT ./internal/gen
\`\`\`

## Transition speed

One op is one move of the introspection machine (generated/introspection)
on a precomputed stream of 2^20 (state, event) pairs: \`random\` draws both
uniformly (about 39% legal), \`legal\` draws uniformly from the legal pairs,
\`cycle\` repeats one successful introspection (finished, starting, waiting,
processing, finished); \`chain\` (BenchmarkChain) draws events uniformly and
starts each move from the state the one before reached, so that every move
waits for the last. \`table\` is a \`[NumStates][NumEvents]State\` array;
\`Transition\`, \`Can\` and \`Permitted().Has\` are the generated functions; \`pairmap\` is a
\`map[[2]uint8]State\`, \`namemap\` a \`map[string]map[string]string\`;
\`looplab\` (github.com/looplab/fsm v1.0.3) and \`stateless\`
(github.com/qmuntal/stateless v1.7.2) run the same machine with the state
reset from external storage before each event.

Medians, as ratios:

| stream | Transition / table | Next / table | Can / table | looplab / Transition | stateless / Transition |
|---|---|---|---|---|---|
$ratios

Targets: 0 allocs/op for the generated code on every stream; the
generated move within 1.1× of the table on every stream (\`Next\`, the
\`(State, bool)\` form; \`Transition\` builds an error value besides); both
libraries at least 25× slower than Transition on \`random\`.

\`benchstat -col /impl\`; each vs-base column compares with the table.
The generated code:

\`\`\`
$("$benchstat" -col /impl -filter '/impl:(table OR Transition OR Next OR Can OR Permitted) .unit:(sec/op OR allocs/op)' "$tmp/transition.txt")
\`\`\`

The peers:

\`\`\`
$("$benchstat" -col /impl -filter '/impl:(table OR pairmap OR namemap OR looplab OR stateless) .unit:(sec/op OR allocs/op)' "$tmp/transition.txt")
\`\`\`

## Generator speed and scale

Parse, validate and every emitter (\`gen.Generate\`) on synthetic machines
of 10 to 10k states, each with 10 transitions, over an alphabet of 100
events (internal/gen/gen_bench_test.go).

Growth of the median time per 10× states (target ≤ 12×; 10k states under
2 s):

| step | time |
|---|---|
$scaling

\`\`\`
$(cd "$tmp" && "$benchstat" -filter '.unit:(sec/op OR B/op)' generate.txt)
\`\`\`

## Compiling the generated package

\`go build\` of the package generated for a 1k-state and a 10k-state
machine of 100 events (its imports cached); \`peak-MB\` is the compiler's
largest resident set. Targets for 10k states: ≤ 10 s, ≤ 1 GB. The nested
switch \`next\`, which only the package's test reads, is in that test.

\`\`\`
$(cd "$tmp" && "$benchstat" compile.txt)
\`\`\`

## The migration history's size

An enforced machine with a history table grows one state at a time, from
2 states to 202, each a \`generate\` (internal/gen, BenchmarkHistorySize):
the megabytes of the 201 migrations each dialect then holds. Every change
of the rules restates them whole in its Up and its Down, so the history
grows with the square of the machine; a change that only adds rules (as
each here does) restates them once a direction, and on MySQL and SQLite
only the trigger whose rules changed. MySQL's triggers are named after
their text, so each is written once (the new one is created beside the
old one), and the enforced column has no states triggers. Target: 2 MB.

\`\`\`
$(grep '^BenchmarkHistorySize' "$tmp/history.txt")
\`\`\`

## Starting a program that imports a big machine

One op starts a program and waits for it to exit (internal/gen,
BenchmarkStartup): \`empty\` does nothing, \`machine\` imports the package
generated for a 10k-state, 100-event machine (the generator benchmark's
largest) and makes one move. Its transition table is static data the
compiler lays out, so the package has no init work: \`init-B\` is the heap its
init allocates as \`GODEBUG=inittrace=1\` reports it, \`binary-B\` the size of
the program. The benchmark also fails unless \`go build -gcflags=-m\` reports
that Transition inlines.

Targets: machine within 1.3× of empty; 0 bytes of init heap.

Median machine / empty: ${startup_ratio}×.

\`\`\`
$(cd "$tmp" && "$benchstat" -col /prog startup.txt)
\`\`\`
MD
} >"$out"
GO=$GO COUNT=$COUNT bash bench/store_report.sh "$out"
GO=$GO bash bench/expire_report.sh "$out"
GO=$GO bash bench/db_report.sh "$out"
echo "wrote $out" >&2
