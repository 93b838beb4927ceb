#!/usr/bin/env bash
# Runs the rerun harness on a large table and writes its figures to
# docs/rerun-figures.md. ROWS sets the table's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-200000}
out=${OUT:-docs/rerun-figures.md}
table=$(mktemp)
log=$(mktemp)
trap 'rm -f "$table" "$log"' EXIT
(cd bench && CI=true FSMGEN_RERUN_ROWS="$rows" FSMGEN_RERUN_REPORT="$table" \
	${GO:-go} test -count=1 -timeout 180m -run '^TestRerun$' -v ./rerun/) | tee "$log"
{
	echo "<!-- Written by bench/rerun/run.sh; see docs/online-migrations.md. -->"
	echo "# Migrations failed at every statement and run again: figures"
	echo
	echo "One run of \`ROWS=$rows make bench-rerun\` at $(git rev-parse --short HEAD),"
	echo "$(nproc) CPU cores, $(uname -sm), PostgreSQL 15 and MariaDB $(mariadbd --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1),"
	echo "$rows rows in nodes (history table and enforced transitions on), 4 writers on loopback."
	echo "Each goose migration failed at its 1st, 2nd, … statement in turn; golang-migrate's"
	echo "connection killed at 8 points spread over a clean run. verify compares with the"
	echo "changed version's history: before the run again it flags every failed Up, and every"
	echo "failed Down that changed something (one stopped before its first change leaves the"
	echo "version as it was); after it (for a Down, once the Up has run again) it agrees. Writers' committed writes:"
	echo
	grep -o '[A-Za-z]*, [a-z-]*: [0-9]* writes, [0-9]* committed writes missing' "$log" | sed 's/^/- /'
	echo
	cat "$table"
} >"$out"
echo "wrote $out"
