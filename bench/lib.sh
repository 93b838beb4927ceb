# Shared by the benchmark report scripts; sourced, not run. Expects GO set
# and the working directory at the repository root.

# benchstat, pinned (golang.org/x/perf has no release tags): its output
# format goes into docs/benchmarks.md.
benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da
benchstat=$(command -v benchstat || true)
if [ -z "$benchstat" ]; then
	$GO install "golang.org/x/perf/cmd/benchstat@$benchstat_version"
	benchstat="$($GO env GOPATH)/bin/benchstat"
fi

# commit names what the figures were measured on.
commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain -- . ':!docs/benchmarks.md')" ]; then
	commit="$commit plus uncommitted changes"
fi

# median prints "key median" for every key, from lines of "key value".
median() {
	sort -k1,1 -k2,2g | awk '
		function flush() { if (n) print k, (n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2) }
		$1 != k { flush(); k = $1; n = 0 }
		{ v[++n] = $2 }
		END { flush() }'
}

# put_section replaces, in the report $1, the section between the markers
# <!-- $2: ... --> and <!-- /$2 --> with the file $3 (which carries both
# markers), or appends it when the report has none; the rest stays.
put_section() {
	touch "$1"
	awk -v section="$3" -v name="$2" '
		index($0, "<!-- " name ": ") == 1 { skip = 1; while ((getline line < section) > 0) print line; done = 1; next }
		$0 == "<!-- /" name " -->" { skip = 0; next }
		!skip { print }
		END { if (!done) { print ""; while ((getline line < section) > 0) print line } }' "$1" >"$1.new"
	mv "$1.new" "$1"
}
