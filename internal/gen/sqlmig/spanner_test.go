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
	checkSpannerDir(t, spannerSpecs(t), "testdata/spanner")
}

// spannerTimeoutSpecs: a door without a timeout; with one over opened;
// over opened and held; held renamed paused, with a field added; the
// timeout dropped.
func spannerTimeoutSpecs(t *testing.T) []string {
	t.Helper()
	const door = `version: 1
machine: door
initial: closed
states:
  closed:
    doc: the door is shut
    transitions:
      open: opened
  opened:
    doc: the door is open
    transitions:
      hold: held
      close: closed
  held:
    doc: the door is held open
    transitions:
      close: closed
events:
  open:
    doc: open the door
  hold:
    doc: hold the door open
  close:
    doc: close the door
sql:
  enum: door_state
  table: doors
  column: state
  key: id
  dialects: [spanner]
`
	with := func(s, states string) string {
		return mustReplace(t, s, "sql:\n", "timeouts:\n  - {column: open_until, states: ["+states+"], after: 1h, event: close}\nsql:\n")
	}
	renamed := mustReplace(t, mustReplace(t, door, "  held:\n    doc:", "  paused:\n    renamed_from: held\n    doc:"), "hold: held", "hold: paused")
	renamed = mustReplace(t, renamed, "  key: id\n", "  key: id\n  fields:\n    note: {type: text, nullable: true}\n")
	return []string{door, with(door, "opened"), with(door, "opened, held"), with(renamed, "opened, paused"), renamed}
}

// TestSpannerTimeoutFiles keeps testdata/spanner_timeouts the directory
// the timeout's versions leave, which the emulator's tests apply.
func TestSpannerTimeoutFiles(t *testing.T) {
	checkSpannerDir(t, spannerTimeoutSpecs(t), "testdata/spanner_timeouts")
}

// checkSpannerDir keeps want the Spanner migrations of specs, one version
// after another.
func checkSpannerDir(t *testing.T, specs []string, want string) {
	t.Helper()
	out := filepath.Join(generateAll(t, specs), "migrations", "spanner")
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
