#!/usr/bin/env bash
# Runs BenchmarkPgxScan and BenchmarkDeadlines (DEADLINE_ROWS, 1,000,000
# unless set) and writes their section of the report (docs/benchmarks.md
# unless a path is given), between the db markers, leaving the rest of the
# file as it is. report.sh calls it; run it alone to refresh only these.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
DEADLINE_ROWS=${DEADLINE_ROWS:-1000000}
out=${1:-docs/benchmarks.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. bench/lib.sh
load=$(cut -d' ' -f1-3 /proc/loadavg)

echo "pgx scan benchmark..." >&2
(cd bench && $GO test -run '^$' -bench '^BenchmarkPgxScan$' -benchtime=2000x -count=3 .) >"$tmp/pgx.txt"
echo "deadlines benchmark ($DEADLINE_ROWS rows)..." >&2
(cd bench && DEADLINE_ROWS=$DEADLINE_ROWS $GO test -run '^$' -bench '^BenchmarkDeadlines$' -benchtime=1x -count=2 -timeout 60m .) >"$tmp/deadlines.txt"

# range prints "key min–max" of a metric (the field before unit $2) per key.
range() {
	awk -v unit="$2" '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); for (i = 3; i < NF; i++) if ($(i+1) == unit) { k = $1; v = $i; if (!(k in lo) || v < lo[k]) lo[k] = v; if (!(k in hi) || v > hi[k]) hi[k] = v; order[++n] = k } }
		END { for (j = 1; j <= n; j++) { k = order[j]; if (!seen[k]++) print k, lo[k], hi[k] } }' "$1"
}
pgx_rows=$(paste <(range "$tmp/pgx.txt" allocs/row) <(range "$tmp/pgx.txt" ns/op) | awk '{ sub(/.*into=/, "", $1); printf "| %s | %.3f | %.0f–%.0f µs |\n", $1, $3, $5 / 1000, $6 / 1000 }')
deadline_rows=$(range "$tmp/deadlines.txt" ns/op | awk '{ sub(/.*db=/, "", $1); printf "| %s | %.2f–%.2f s |\n", $1, $2 / 1e9, $3 / 1e9 }')

section="$tmp/section.md"
cat >"$section" <<MD
<!-- db: written by bench/db_report.sh -->
## Decoding a State through pgx

\`BenchmarkPgxScan\` (bench/pgx_test.go) reads 1,000 rows of the enum column
through a \`*pgx.Conn\` per op: into a \`string\`, into a \`State\`, and into a
\`State\` on a connection that ran \`RegisterPgxTypes\`. Figures from one run
of \`bash bench/db_report.sh\` at commit $commit (load average $load at
start), 3 × 2,000 ops:

| into | allocations per row | time per op |
|---|---|---|
$pgx_rows

Scanning a \`State\` costs no allocation of its own once the enum type is
registered: pgx's own per-row cost (as for a \`string\`) is all there is,
since the enum codec hands \`Scan\` one string per label. Unregistered, pgx
makes a new string of each row's text for \`Scan\`: one more a row.

## Starting a new timeout's deadlines

\`BenchmarkDeadlines\` (bench/deadlines_test.go) runs the statements a
migration that adds a timeout runs to start the deadlines of the rows
already in its states, batch by batch (5,000 rows a batch, each its own
transaction), on a table of $DEADLINE_ROWS rows of which the last tenth
are in the timeout's state. Two runs:

| database | whole backfill |
|---|---|
$deadline_rows

On PostgreSQL a batch is a range of 64 pages of the table (a TID range
scan): one pass over the table, however the due rows are spread. Batches
chosen by the condition (`LIMIT 5000`) were as fast here, where the due
rows are the last tenth, but with them spread over the table and writers
on it they read past the rows earlier batches had changed, each batch
slower than the one before: 1.4 to 3.5 times the time in the online
harness (docs/online-migrations.md). On MariaDB a batch is still chosen by
the condition: batches over ranges of the key, which read each row once,
were four times slower with a tenth due (25 s against 5.9 s), since they
read and lock every range, due or not.
<!-- /db -->
MD

put_section "$out" db "$section"
echo "wrote the db section of $out" >&2
