#!/usr/bin/env bash
# Runs the online-migration harness on a large table and writes its figures
# to docs/online-migrations-figures.md. ROWS sets the table's size, RUNNER
# the migration tool (goose or golang-migrate; both when unset), RUNS how
# many times each change runs on fresh databases (the report keeps the
# largest figure of each; 3 unless set). The
# sections that follow the figures in that file (## headings: statements
# timed by hand) are carried over.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-1000000}
runner=${RUNNER:-}
runs=${RUNS:-3}
out=${OUT:-docs/online-migrations-figures.md}
table=$(mktemp)
kept=$(mktemp)
trap 'rm -f "$table" "$kept"' EXIT
[ -f "$out" ] && sed -n '/^## /,$p' "$out" >"$kept"
(cd bench && CI=true FSMGEN_ONLINE_ROWS="$rows" FSMGEN_ONLINE_RUNNER="$runner" FSMGEN_ONLINE_RUNS="$runs" FSMGEN_ONLINE_REPORT="$table" \
	${GO:-go} test -count=1 -timeout 180m -run '^TestOnline$' -v ./online/)
{
	echo "<!-- Written by bench/online/run.sh; see docs/online-migrations.md. -->"
	echo "# Online migrations: figures"
	echo
	echo "\`ROWS=$rows RUNS=$runs${runner:+ RUNNER=$runner} make bench-online\` at $(git rev-parse --short HEAD): each change ran $runs times on fresh databases, and each figure is the largest of the runs (the writes and their errors are summed),"
	echo "$(nproc) CPU cores, $(uname -sm), PostgreSQL 15 and MariaDB $(mariadbd --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1),"
	echo "$rows rows in nodes, 4 writers on loopback, ${runner:-goose, then golang-migrate} (each on fresh databases)."
	echo
	cat "$table"
	if [ -s "$kept" ]; then
		echo
		cat "$kept"
	fi
} >"$out"
echo "wrote $out"
