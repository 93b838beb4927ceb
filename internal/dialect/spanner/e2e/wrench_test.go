package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/spanner"
	wrench "github.com/cloudspannerecosystem/wrench/pkg/spanner"
	"google.golang.org/api/iterator"
)

// dir is the Spanner migrations the generator's golden test keeps (the
// seed's versions; internal/gen/sqlmig/spanner_test.go).
const dir = "../../../gen/sqlmig/testdata/spanner"

// versionTable is wrench's default.
const versionTable = "SchemaMigrations"

// want is what each version leaves: the labels a row may hold, and the
// default.
var want = func() map[int]struct {
	labels []string
	def    string
} {
	base := []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling"}
	with := func(ls []string, add ...string) []string { return append(slices.Clone(ls), add...) }
	without := func(ls []string, l string) []string {
		return slices.DeleteFunc(slices.Clone(ls), func(x string) bool { return x == l })
	}
	v2 := with(base, "aborting")
	v3 := with(v2, "paused")
	v4 := with(v3, "reprocessing") // both spellings while the rows move
	v6 := without(v4, "reapplying")
	v8 := without(v6, "aborting")
	type w = struct {
		labels []string
		def    string
	}
	return map[int]w{1: {base, "finished"}, 2: {v2, "finished"}, 3: {v3, "finished"}, 4: {v4, "finished"},
		5: {v4, "finished"}, 6: {v6, "finished"}, 7: {v6, "finished"}, 8: {v8, "finished"}, 9: {v8, "starting"}}
}()

// gone are the labels whose rows a version's Up moved away.
var gone = map[int]string{5: "reapplying", 7: "aborting"}

// TestWrenchScenario applies the seed's migrations with wrench, one
// version at a time, with rows in every state the version allows; then
// every Down, as `wrench apply` would, back to nothing; then every Up
// again. After each step the column takes exactly the version's labels,
// and each Down leaves the schema the version before it left.
// A Down that would strand rows fails, changing nothing, until they are
// gone.
func TestWrenchScenario(t *testing.T) {
	ctx := context.Background()
	w, db, migs := wrenchDB(t, dir, len(want), "CREATE TABLE nodes (uuid STRING(64) NOT NULL) PRIMARY KEY (uuid)")
	step := func(n int) error {
		return w.ExecuteMigrations(ctx, migs, n, versionTable, wrench.PriorityTypeUnspecified, nil)
	}
	// schemas[v] is the schema after version v: each version's Down must
	// leave the one before.
	schemas := map[int]string{0: schemaOf(t, db)}
	up := func(straggle bool) {
		for v := 1; v <= len(want); v++ {
			err := step(1)
			if straggle && v == 6 {
				// A writer that still spells reapplying wrote it after
				// version 5 moved the rows: version 6 fails, changing
				// nothing, and runs again after version 5 (wrench migrate
				// set 4, then up).
				if err == nil || !strings.Contains(err.Error(), "violated") {
					t.Fatalf("up to version 6 with a row in reapplying: %v, want the check constraint violated", err)
				}
				check(t, db, 5)
				if err := w.SetSchemaMigrationVersion(ctx, 4, false, versionTable); err != nil {
					t.Fatal(err)
				}
				err = step(2)
			}
			if err != nil {
				t.Fatalf("up to version %d: %v", v, err)
			}
			if l, ok := gone[v]; ok {
				if n := count(t, db, l); n != 0 {
					t.Errorf("version %d left %d rows in %s", v, n, l)
				}
				// A rename respells the past moves; a removal's stay as
				// they happened.
				if n := countHistory(t, db, l); (n == 0) != (l == "reapplying") {
					t.Errorf("version %d left %d past moves naming %s", v, n, l)
				}
			}
			check(t, db, v)
			schemas[v] = schemaOf(t, db)
			if straggle && v == 5 {
				if err := put(ctx, db, "nodes", "straggler", "reapplying"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	up(true)
	var refused []int
	for v := len(want); v >= 1; v-- {
		if err := down(ctx, w, dir, v); err != nil {
			if !strings.Contains(err.Error(), "violated") {
				t.Fatalf("down of version %d: %v", v, err)
			}
			refused = append(refused, v)
			check(t, db, v) // nothing changed
			deleteStragglers(t, db, v-1)
			if err := down(ctx, w, dir, v); err != nil {
				t.Fatalf("down of version %d, again: %v", v, err)
			}
		}
		if err := w.SetSchemaMigrationVersion(ctx, uint(v-1), false, versionTable); err != nil {
			t.Fatal(err)
		}
		if got := schemaOf(t, db); got != schemas[v-1] {
			t.Errorf("the Down of version %d leaves\n%s\nnot what version %d left:\n%s", v, got, v-1, schemas[v-1])
		}
		if l, ok := gone[v]; ok {
			// The rename's Down spells its past moves the old way again.
			if renamed := "reprocessing"; l == "reapplying" && countHistory(t, db, renamed) != 0 {
				t.Errorf("the Down of version %d left past moves naming %s", v, renamed)
			}
		}
		if v > 1 {
			check(t, db, v-1)
		}
	}
	// The Downs that take a label away while rows hold it: paused and
	// aborting, which check wrote, and the new spelling reprocessing; and
	// the one that drops the history while it holds moves.
	if !slices.Equal(refused, []int{4, 3, 2, 1}) {
		t.Errorf("Downs refused at versions %v, want 4, 3, 2 and 1", refused)
	}
	up(false)
}

// wrenchDB creates a database holding ddl, with wrench's version table,
// and returns wrench's client of it, Spanner's, and the migrations in
// dir, which must be files of them.
func wrenchDB(t *testing.T, dir string, files int, ddl string) (*wrench.Client, *spanner.Client, wrench.Migrations) {
	t.Helper()
	name := newDatabase(t, ddl)
	ctx := context.Background()
	w, err := wrench.NewClient(ctx, &wrench.Config{Project: project, Instance: instName, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	db, err := spanner.NewClient(ctx, "projects/"+project+"/instances/"+instName+"/databases/"+name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	migs, err := wrench.ReadMigrations(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) != files {
		t.Fatalf("wrench reads %d migrations in %s, want %d", len(migs), dir, files)
	}
	if err := w.EnsureMigrationTable(ctx, versionTable); err != nil {
		t.Fatal(err)
	}
	return w, db, migs
}

// down applies version v's Down file in dir as `wrench apply --ddl` or
// `--dml --partitioned` does; a file without statements is skipped.
func down(ctx context.Context, w *wrench.Client, dir string, v int) error {
	matches, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("%05d_*.down.sql", v)))
	if len(matches) != 1 {
		return fmt.Errorf("version %d: %d down files", v, len(matches))
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		return err
	}
	var stmts []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "--") {
			stmts = append(stmts, line)
		}
	}
	switch {
	case len(stmts) == 0:
		return nil
	case strings.HasPrefix(stmts[0], "UPDATE"):
		_, err = w.ApplyDMLFile(ctx, matches[0], b, true, wrench.PriorityTypeUnspecified)
	default:
		err = w.ApplyDDLFile(ctx, matches[0], b, nil)
	}
	return err
}

// check writes a row in each of version v's labels (kept for the steps
// after, but for the label the version moved rows off), and wants a label outside them refused and a row without a
// state to take the default.
func check(t *testing.T, db *spanner.Client, v int) {
	t.Helper()
	ctx := context.Background()
	for _, l := range want[v].labels {
		key := fmt.Sprintf("v%d-%s", v, l)
		if err := put(ctx, db, "nodes", key, l); err != nil {
			t.Errorf("version %d: writing %s: %v", v, l, err)
		}
		// And a past move into it, for the renames to respell.
		if _, err := db.Apply(ctx, []*spanner.Mutation{spanner.InsertOrUpdate("nodes_history", []string{"uuid", "seq", "from_state", "to_state", "event", "moved_at"}, []any{key, 1, "", l, "", time.Now()})}); err != nil {
			t.Fatal(err)
		}
		if l == gone[v] { // taken, but no writer spells it any more
			if _, err := db.Apply(ctx, []*spanner.Mutation{spanner.Delete("nodes", spanner.Key{key})}); err != nil {
				t.Fatal(err)
			}
		}
	}
	all := []string{"aborting", "paused", "reapplying", "reprocessing", "bogus", "Starting", ""}
	for _, l := range all {
		if slices.Contains(want[v].labels, l) {
			continue
		}
		if err := put(ctx, db, "nodes", "refused", l); err == nil {
			t.Errorf("version %d: %q was taken", v, l)
		} else if !strings.Contains(err.Error(), "violated") {
			t.Errorf("version %d: %q refused with %v, want the check constraint", v, l, err)
		}
	}
	key := fmt.Sprintf("v%d-default", v)
	if _, err := db.Apply(ctx, []*spanner.Mutation{spanner.Delete("nodes", spanner.Key{key}), spanner.Insert("nodes", []string{"uuid"}, []any{key})}); err != nil {
		t.Fatalf("version %d: a row without a state: %v", v, err)
	}
	row, err := db.Single().ReadRow(ctx, "nodes", spanner.Key{key}, []string{"state"})
	var got string
	if err == nil {
		err = row.Columns(&got)
	}
	if err != nil || got != want[v].def {
		t.Errorf("version %d: a row without a state holds %q (%v), want %q", v, got, err, want[v].def)
	}
}

// put writes a row of key in label behind the Store: the nodes' (uuid)
// or the doors' (id).
func put(ctx context.Context, db *spanner.Client, table, key, label string) error {
	keyCol := map[string]string{"nodes": "uuid", "doors": "id"}[table]
	_, err := db.Apply(ctx, []*spanner.Mutation{spanner.InsertOrUpdate(table, []string{keyCol, "state"}, []any{key, label})})
	return err
}

func count(t *testing.T, db *spanner.Client, label string) int64 {
	t.Helper()
	return scalar(t, db, spanner.Statement{SQL: "SELECT COUNT(*) FROM nodes WHERE state = @l", Params: map[string]any{"l": label}})
}

func scalar(t *testing.T, db *spanner.Client, stmt spanner.Statement) int64 {
	t.Helper()
	var n int64
	it := db.Single().Query(context.Background(), stmt)
	defer it.Stop()
	row, err := it.Next()
	if err == nil {
		err = row.Columns(&n)
	}
	if err != nil && err != iterator.Done {
		t.Fatal(err)
	}
	return n
}

// deleteStragglers deletes the rows in labels version v lacks, as an
// operator does before the Down that refused runs again; before the
// history goes (v 0), the past moves.
func deleteStragglers(t *testing.T, db *spanner.Client, v int) {
	t.Helper()
	stmt := spanner.Statement{SQL: "DELETE FROM nodes WHERE state NOT IN UNNEST(@labels)", Params: map[string]any{"labels": want[v].labels}}
	if v == 0 {
		stmt = spanner.Statement{SQL: "DELETE FROM nodes_history WHERE TRUE"}
	}
	if _, err := db.PartitionedUpdate(context.Background(), stmt); err != nil {
		t.Fatal(err)
	}
}

// countHistory counts the past moves that name label.
func countHistory(t *testing.T, db *spanner.Client, label string) int64 {
	t.Helper()
	return scalar(t, db, spanner.Statement{SQL: "SELECT COUNT(*) FROM nodes_history WHERE from_state = @l OR to_state = @l", Params: map[string]any{"l": label}})
}
