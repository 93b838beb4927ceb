#!/usr/bin/env bash
# Runs BenchmarkStoreMove (PostgreSQL, 8 concurrent workers) and writes its
# section of the report (docs/benchmarks.md unless a path is given), between
# the store markers, leaving the rest of the file as it is. report.sh calls
# it; run it alone to refresh only these figures. COUNT sets the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
COUNT=${COUNT:-6}
out=${1:-docs/benchmarks.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. bench/lib.sh
load=$(cut -d' ' -f1-3 /proc/loadavg)

echo "store benchmark..." >&2
(cd bench && $GO test -run '^$' -bench '^BenchmarkStoreMove$' -benchtime=2s -count="$COUNT" .) >"$tmp/store.txt"

# Median moves/s per implementation.
awk '/^BenchmarkStoreMove/ { sub(/-[0-9]+$/, "", $1); split($1, p, "="); for (i = 3; i < NF; i++) if ($(i+1) == "moves/s") print p[2], $i }' "$tmp/store.txt" |
	median >"$tmp/store.med"
ratios=$(awk '{ m[$1] = $2 } END {
	printf "| Fire | %.0f | 1 |\n", m["Fire"]
	printf "| handwritten | %.0f | %.2f× |\n", m["handwritten"], m["Fire"] / m["handwritten"]
	printf "| handwritten+history | %.0f | %.2f× |\n", m["handwritten+history"], m["Fire"] / m["handwritten+history"]
}' "$tmp/store.med")

section="$tmp/section.md"
cat >"$section" <<MD
<!-- store: written by bench/store_report.sh -->
## Moving rows in the database

Figures from one run of \`bash bench/store_report.sh\` at commit $commit
(load average $load at start):

\`\`\`sh
cd bench && go test -run '^\$' -bench '^BenchmarkStoreMove\$' -benchtime=2s -count=$COUNT .
\`\`\`

One op is one move of a row of the seed's \`nodes\` table on PostgreSQL 15
(internal/testdb: local, fsync off), with the seed's migrations applied:
enforcement triggers on, \`nodes_history\` present. Eight workers move rows
of their own, each row round the cycle start, wait, process, finish, so
every call is a move. \`Fire\` is the generated Store (one statement: the
move and its history row); \`handwritten\` is the pattern it replaces,
\`BEGIN; SELECT … FOR UPDATE; Transition; UPDATE; COMMIT\`;
\`handwritten+history\` adds the history row Fire writes, the same work.

Medians of moves per second (target: Fire at least 2× the hand-written
pattern):

| impl | moves/s | Fire / impl |
|---|---|---|
$ratios

\`\`\`
$("$benchstat" -col /impl "$tmp/store.txt")
\`\`\`
<!-- /store -->
MD

touch "$out"
awk -v section="$section" '
	/^<!-- store: / { skip = 1; while ((getline line < section) > 0) print line; done = 1; next }
	/^<!-- \/store -->/ { skip = 0; next }
	!skip { print }
	END { if (!done) { print ""; while ((getline line < section) > 0) print line } }' "$out" >"$tmp/out.md"
cp "$tmp/out.md" "$out"
echo "wrote the store section of $out" >&2
