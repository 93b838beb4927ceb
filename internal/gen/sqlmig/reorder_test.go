package sqlmig_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsmgen/fsmgen/internal/cli"
)

var (
	// reordered is severalSets[0] with error moved first and waiting last.
	reordered = []string{"error", "starting", "finished", "reapplying", "aborting", "waiting"}
	// reorderedAdd adds paused after error, in the new order.
	reorderedAdd = []string{"error", "paused", "starting", "finished", "reapplying", "aborting", "waiting"}
	// The type each database holds after both: PostgreSQL puts paused
	// after error (ADD VALUE ... AFTER), MySQL at the end of the ENUM.
	reorderedAddType = map[string][]string{
		"postgres": {"starting", "waiting", "finished", "error", "paused", "reapplying", "aborting"},
		"mysql":    {"starting", "waiting", "finished", "error", "reapplying", "aborting", "paused"},
	}
)

// recordedTarget reads what a dialect's history records: the states in
// the spec's order and the database's type.
func recordedTarget(t *testing.T, out, dialect string) (states, typ []string, hasType bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "migrations", dialect, "node_state.fsmgen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		States []string
		Type   []string
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	if h.Type == nil {
		return h.States, h.States, false
	}
	return h.States, h.Type, true
}

// TestReorderWritesNothing: the database needs nothing for a new order of
// the same states, so no migration is written (none that would describe
// a change that did not happen), the history records the spec's order
// beside the database's, and check is green.
func TestReorderWritesNothing(t *testing.T) {
	out := generateAll(t, []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"),
		severalSpec(reordered, nil, "", severalV1Cols, "goose"),
	})
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		if n := countSQL(t, filepath.Join(out, "migrations", d)); n != 1 {
			t.Errorf("%s: %d migrations after a reorder, want the first alone", d, n)
		}
		states, typ, hasType := recordedTarget(t, out, d)
		if diff := cmp.Diff(reordered, states); diff != "" {
			t.Errorf("%s: recorded states (-want +got):\n%s", d, diff)
		}
		switch {
		case d == "sqlite" && hasType:
			t.Errorf("sqlite: the history records a type %v; SQLite has none", typ)
		case d != "sqlite":
			if diff := cmp.Diff(severalSets[0], typ); diff != "" {
				t.Errorf("%s: recorded type (-want +got):\n%s", d, diff)
			}
		}
	}
	spec := filepath.Join(t.TempDir(), "states.yaml")
	writeFile(t, spec, severalSpec(reordered, nil, "", severalV1Cols, "goose"))
	if code, _, stderr := run("check", "-spec", spec, "-out", out); code != cli.ExitOK {
		t.Fatalf("check exited %d after the reorder: %s", code, stderr)
	}
}

// TestAddAfterReorder: a state added after a reorder lands where the
// history says the database puts it, and the migration applies with rows
// in every state, up, down and up again, on every database and tool.
func TestAddAfterReorder(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		out := generateAll(t, []string{
			severalSpec(severalSets[0], nil, "", severalV1Cols, format),
			severalSpec(reordered, nil, "", severalV1Cols, format),
			severalSpec(reorderedAdd, nil, "", severalV1Cols, format),
		})
		for _, d := range dialects {
			t.Run(format+"/"+d.name, func(t *testing.T) {
				_, typ, _ := recordedTarget(t, out, d.name)
				if want := reorderedAddType[d.name]; want != nil {
					if diff := cmp.Diff(want, typ); diff != "" {
						t.Fatalf("recorded type (-want +got):\n%s", diff)
					}
				}
				db := open(t, d)
				r := newRunner(t, d, db, format, os.DirFS(filepath.Join(out, "migrations", d.name)))
				r.upTo(t, 1)
				for _, s := range severalSets[0] {
					mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state, target) VALUES (?, ?, ?)`), "row-"+s, s, s)
				}
				state := countsOf(t, db, "nodes", "state")
				for i, want := range [][]string{reorderedAdd, severalSets[0], reorderedAdd} {
					if i == 1 {
						if err := r.downTo(1); err != nil {
							t.Fatalf("down: %v", err)
						}
					} else {
						r.up(t)
					}
					// In the database's order: probes check the set.
					expectColumns(t, d, db, inTypeOrder(typ, want), severalV1Cols)
					expectCounts(t, db, "nodes", "state", state)
					if d.labels != nil {
						// The Down leaves paused in the type, forbidden.
						if diff := cmp.Diff(typ, d.labels(t, db)); diff != "" {
							t.Fatalf("step %d: the type is not the history's (-history +live):\n%s", i, diff)
						}
					}
				}
				if d.labels != nil && slices.Equal(typ, reorderedAdd) {
					t.Fatal("the type follows the spec's order: the reorder rewrote it")
				}
			})
		}
	}
}

// inTypeOrder returns labels in the order of typ, the database's.
func inTypeOrder(typ, labels []string) []string {
	return slices.DeleteFunc(slices.Clone(typ), func(l string) bool { return !slices.Contains(labels, l) })
}
