#!/usr/bin/env bash
# Runs the online-migration harness on a large table and writes its figures
# to docs/online-migrations-figures.md. ROWS sets the table's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-1000000}
out=${OUT:-docs/online-migrations-figures.md}
table=$(mktemp)
trap 'rm -f "$table"' EXIT
(cd bench && CI=true FSMGEN_ONLINE_ROWS="$rows" FSMGEN_ONLINE_REPORT="$table" \
	${GO:-go} test -count=1 -timeout 90m -run '^TestOnline$' -v ./online/)
{
	echo "<!-- Written by bench/online/run.sh; see docs/online-migrations.md. -->"
	echo "# Online migrations: figures"
	echo
	echo "One run of \`ROWS=$rows make bench-online\` at $(git rev-parse --short HEAD),"
	echo "$(nproc) CPU cores, $(uname -sm), PostgreSQL 15 and MariaDB $(mariadbd --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1),"
	echo "$rows rows in nodes, 4 writers on loopback."
	echo
	cat "$table"
} >"$out"
echo "wrote $out"
