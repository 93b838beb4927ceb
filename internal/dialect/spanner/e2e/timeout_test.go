package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/spanner"
	wrench "github.com/cloudspannerecosystem/wrench/pkg/spanner"
	"google.golang.org/api/iterator"
)

// timeoutsDir is the Spanner migrations of a door timeout's life, which
// the generator's golden test keeps (internal/gen/sqlmig/spanner_test.go).
const timeoutsDir = "../../../gen/sqlmig/testdata/spanner_timeouts"

// timeoutVersions are the spec's versions there: how many files each
// wrote, the labels it leaves, the states whose rows have a deadline
// (none: no deadline column), and whether the note field is there.
var timeoutVersions = []struct {
	files         int
	labels, group []string
	note          bool
}{
	{1, []string{"closed", "opened", "held"}, nil, false},
	{3, []string{"closed", "opened", "held"}, []string{"opened"}, false},
	{1, []string{"closed", "opened", "held"}, []string{"opened", "held"}, false},
	{5, []string{"closed", "opened", "paused"}, []string{"opened", "paused"}, true},
	{3, []string{"closed", "opened", "paused"}, nil, true},
}

// TestWrenchTimeouts applies a timeout's migrations with wrench, one
// version of the spec at a time, with rows written behind the Store in
// every state before each: a timeout added, its states widened, one of
// them renamed (and a field added), the timeout dropped; then every Down, and every Up again.
// After each version a row has a deadline exactly when its state is in
// the timeout's, a deadline once started is never started again (the
// rename keeps it), and the sweep's index is there exactly when the
// column is.
func TestWrenchTimeouts(t *testing.T) {
	ctx := context.Background()
	files := 0
	for _, v := range timeoutVersions {
		files += v.files
	}
	w, db, migs := wrenchDB(t, timeoutsDir, files, "CREATE TABLE doors (id STRING(36) NOT NULL) PRIMARY KEY (id)")
	started := map[string]time.Time{}
	check := func(v int, when string) {
		t.Helper()
		deadlinesFollowStates(t, db, v, when, started)
	}
	write := func(v int) {
		for _, l := range timeoutVersions[v].labels {
			if err := put(ctx, db, "doors", fmt.Sprintf("v%d-%s", v, l), l); err != nil {
				t.Fatal(err)
			}
		}
	}
	// schemas[k] is the schema after file k: each file's Down must leave
	// the schema the file before it left, so that a rollback can stop
	// after any file.
	schemas := []string{schemaOf(t, db)}
	up := func() {
		for v, tv := range timeoutVersions {
			if v > 0 {
				write(v - 1)
			}
			for range tv.files {
				if err := w.ExecuteMigrations(ctx, migs, 1, versionTable, wrench.PriorityTypeUnspecified, nil); err != nil {
					t.Fatalf("up to the spec's version %d: %v", v+1, err)
				}
				schemas = append(schemas, schemaOf(t, db))
			}
			check(v, "up")
		}
	}
	up()
	last := files
	for v := len(timeoutVersions) - 1; v > 0; v-- {
		write(v)
		for range timeoutVersions[v].files {
			if err := down(ctx, w, timeoutsDir, last); err != nil {
				t.Fatalf("down of version %d: %v", last, err)
			}
			if got := schemaOf(t, db); got != schemas[last-1] {
				t.Errorf("the Down of version %d leaves\n%s\nnot what version %d left:\n%s", last, got, last-1, schemas[last-1])
			}
			last--
			if err := w.SetSchemaMigrationVersion(ctx, uint(last), false, versionTable); err != nil {
				t.Fatal(err)
			}
		}
		check(v-1, "down")
	}
	if err := down(ctx, w, timeoutsDir, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.SetSchemaMigrationVersion(ctx, 0, false, versionTable); err != nil {
		t.Fatal(err)
	}
	clear(started)
	schemas = schemas[:1]
	up()
}

// schemaOf lists the columns, constraints and indexes of the database's
// tables but wrench's.
func schemaOf(t *testing.T, db *spanner.Client) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT CONCAT('column ', TABLE_NAME, '.', COLUMN_NAME, ' ', SPANNER_TYPE) FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = '' AND TABLE_NAME != '" + versionTable + "'",
		"SELECT CONCAT('constraint ', TABLE_NAME, '.', CONSTRAINT_NAME) FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = '' AND CONSTRAINT_TYPE = 'CHECK' AND NOT STARTS_WITH(CONSTRAINT_NAME, 'CK_IS_NOT_NULL_')",
		"SELECT CONCAT('index ', TABLE_NAME, '.', INDEX_NAME) FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_SCHEMA = '' AND INDEX_TYPE = 'INDEX'",
	} {
		it := db.Single().Query(context.Background(), spanner.Statement{SQL: q + " ORDER BY 1"})
		err := it.Do(func(row *spanner.Row) error {
			var line string
			err := row.Columns(&line)
			b.WriteString(line + "\n")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// deadlinesFollowStates checks the doors after the spec's version v:
// deadlines in the timeout's states only, each as it was first started
// (started, kept across checks), and the due index when there is a
// deadline column.
func deadlinesFollowStates(t *testing.T, db *spanner.Client, v int, when string, started map[string]time.Time) {
	t.Helper()
	ctx := context.Background()
	group := timeoutVersions[v].group
	column := func(name string) bool {
		return scalar(t, db, spanner.Statement{SQL: "SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'doors' AND COLUMN_NAME = @c", Params: map[string]any{"c": name}}) == 1
	}
	if column("note") != timeoutVersions[v].note {
		t.Errorf("%s to version %d: the note column is there: %v", when, v+1, !timeoutVersions[v].note)
	}
	index := scalar(t, db, spanner.Statement{SQL: "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_NAME = 'doors' AND INDEX_NAME = 'doors_open_until_due' AND INDEX_STATE = 'READ_WRITE'"})
	if (index == 1) != (group != nil) {
		t.Errorf("%s to version %d: %d due indexes", when, v+1, index)
	}
	if group == nil {
		if column("open_until") {
			t.Errorf("%s to version %d: the deadline column is there", when, v+1)
		}
		clear(started)
		return
	}
	it := db.Single().Query(ctx, spanner.Statement{SQL: "SELECT id, state, open_until FROM doors"})
	defer it.Stop()
	rows := 0
	for {
		row, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var key, state string
		var dl spanner.NullTime
		if err := row.Columns(&key, &state, &dl); err != nil {
			t.Fatal(err)
		}
		rows++
		in := slices.Contains(group, state)
		switch {
		case in != dl.Valid:
			t.Errorf("%s to version %d: %s in %s has deadline %v", when, v+1, key, state, dl)
		case !in:
			delete(started, key)
		case !started[key].IsZero() && !started[key].Equal(dl.Time):
			t.Errorf("%s to version %d: %s in %s: its deadline %v was started again, at %v", when, v+1, key, state, started[key], dl.Time)
		default:
			started[key] = dl.Time
		}
	}
	if rows == 0 {
		t.Errorf("%s to version %d: no rows to check", when, v+1)
	}
}
