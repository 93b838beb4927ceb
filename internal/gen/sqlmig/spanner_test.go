package sqlmig_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/golden"
)

// spannerSpecs are the seed's five versions (create, add aborting, add
// paused, rename reapplying, remove aborting with rows_to) with spanner as
// the one dialect and a history of the moves, and a sixth that changes the
// default state.
func spannerSpecs(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, s := range specVersions(t, "goose") {
		s = mustReplace(t, s, "dialects: [postgres, mysql, sqlite]", "dialects: [spanner]")
		out = append(out, mustReplace(t, s, "  column: state\n", "  column: state\n  key: uuid\n  history: nodes_history\n"))
	}
	last := out[len(out)-1]
	return append(out, mustReplace(t, last, "  column: state\n", "  column: state\n  default: starting\n"))
}

// TestSpannerFiles keeps testdata/spanner the directory the six versions
// leave: golden, and applied by wrench on the emulator (package
// internal/dialect/spanner/e2e). Each file holds one kind of statement,
// schema or rows, as wrench takes them.
func TestSpannerFiles(t *testing.T) {
	out := filepath.Join(generateAll(t, spannerSpecs(t)), "migrations", "spanner")
	const want = "testdata/spanner"
	got := snapshotNames(t, out)
	if *golden.Update {
		for _, name := range snapshotNames(t, want) {
			if !slices.Contains(got, name) {
				os.Remove(filepath.Join(want, name))
			}
		}
	}
	for _, name := range got {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join(want, name), b)
	}
	if extra := snapshotNames(t, want); len(extra) != len(got) {
		t.Errorf("%s holds %v, want %v", want, extra, got)
	}
}

// snapshotNames lists the files in dir, sorted.
func snapshotNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestSpannerDocSpec: docs/spanner.md's spec generates Spanner migrations
// beside PostgreSQL's.
func TestSpannerDocSpec(t *testing.T) {
	page, err := os.ReadFile("../../../docs/spanner.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(page), "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	out := generateAll(t, []string{block})
	for _, p := range []string{"migrations/spanner/00001_create_door_state.up.sql", "migrations/postgres/00001_create_door_state.sql"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Error(err)
		}
	}
}
