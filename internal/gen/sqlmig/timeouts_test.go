package sqlmig_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	sqldialects "github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// timeoutSpecs are the seed with the store, then with a timeout on
// starting and waiting, with the timeout on waiting and processing, and
// without it; groups holds each version's states ("" for none).
func timeoutSpecs(t *testing.T, format string) (specs []string, groups [][]string) {
	t.Helper()
	store := mustReplace(t, specVersions(t, format)[1], "\nsql:\n", "\nsql:\n"+storeKeys)
	timeout := func(states ...string) string {
		return store + "\ntimeouts:\n  - column: due_at\n    states: [" + strings.Join(states, ", ") + "]\n    after: 1h\n    event: timeout\n"
	}
	return []string{store, timeout("starting", "waiting"), timeout("waiting", "processing"), store},
		[][]string{nil, {"starting", "waiting"}, {"waiting", "processing"}, nil}
}

func TestTimeoutMigrationsGoose(t *testing.T)         { timeoutScenario(t, "goose") }
func TestTimeoutMigrationsGolangMigrate(t *testing.T) { timeoutScenario(t, "golang-migrate") }

// timeoutScenario adds, changes and drops a timeout on a table with rows
// in every state, more than two batches of them (dialect.BatchSize):
// after each spec's migrations, going up, down and up again, exactly the
// rows in the timeout's states have a deadline, and the index by which
// sweeps find them stands while the timeout does.
func timeoutScenario(t *testing.T, format string) {
	specs, groups := timeoutSpecs(t, format)
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			last := specVersionsOf(t, specs, d.name)
			dir := filepath.Join(generateAll(t, specs), "migrations", d.name)
			db := open(t, d)
			r := newRunner(t, d, db, format, os.DirFS(dir))
			r.upTo(t, last[0])
			labels := specLabels(t, specs[0])
			for i, s := range labels {
				key := fmt.Sprint("n", i)
				mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid) VALUES (?)`), key)
				move(t, d, db, key, s, false)
			}
			fill(t, d, db, 2*sqldialect.BatchSize+1, "f", labels...)
			check := func(k int) {
				t.Helper()
				cols := catalog(t, db, sqldialects.For(d.name).Catalog().Columns)
				idx := slices.Contains(catalog(t, db, sqldialects.For(d.name).Catalog().Indexes), "nodes_due_at_due")
				if groups[k] == nil {
					if slices.Contains(cols, "due_at") || idx {
						t.Fatalf("spec %d has no timeout; the table has due_at: %v, its index: %v", k+1, slices.Contains(cols, "due_at"), idx)
					}
					return
				}
				if !idx {
					t.Fatalf("spec %d: the deadline's index is missing", k+1)
				}
				var want []string
				for i, s := range labels {
					if slices.Contains(groups[k], s) {
						want = append(want, fmt.Sprint("n", i))
					}
				}
				got := strs(t, db, `SELECT uuid FROM nodes WHERE due_at IS NOT NULL AND uuid LIKE 'n%' ORDER BY uuid`)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("spec %d (timeout on %v): rows with a deadline %v, want %v", k+1, groups[k], got, want)
				}
				in := "state IN ('" + strings.Join(groups[k], "', '") + "')"
				wrong := strs(t, db, `SELECT COUNT(*) FROM nodes WHERE uuid LIKE 'f%' AND (due_at IS NULL AND `+in+` OR due_at IS NOT NULL AND NOT `+in+`)`)
				timed := strs(t, db, `SELECT COUNT(*) FROM nodes WHERE uuid LIKE 'f%' AND due_at IS NOT NULL`)
				if wrong[0] != "0" || timed[0] == "0" {
					t.Fatalf("spec %d (timeout on %v): %s filler rows with a deadline, %s of them (or without one) wrongly", k+1, groups[k], timed[0], wrong[0])
				}
			}
			for k := 1; k < len(specs); k++ {
				r.upTo(t, last[k])
				check(k)
			}
			for k := len(specs) - 2; k >= 0; k-- {
				if err := r.downTo(last[k]); err != nil {
					t.Fatalf("down to spec %d: %v", k+1, err)
				}
				check(k)
			}
			for k := 1; k < len(specs); k++ {
				r.upTo(t, last[k])
				check(k)
			}
		})
	}
}

// fill inserts n rows, keyed prefix0 and on, their states going round
// labels, bypassing enforcement as the owner.
func fill(t *testing.T, d dialect, db *sql.DB, n int, prefix string, labels ...string) {
	t.Helper()
	inTx(t, d, db, true, func(tx *sql.Tx) bool {
		for _, q := range inserts("nodes (uuid, state)", n, func(j int) string {
			return fmt.Sprintf("('%s%d', '%s')", prefix, j, labels[j%len(labels)])
		}) {
			if _, err := tx.Exec(q); err != nil {
				t.Fatalf("%s: %v", q[:60], err)
			}
		}
		return true
	})
}

// inserts are the INSERT statements, 500 rows each, that write n rows
// into the table and columns into names; row(j) is the j-th row's VALUES.
func inserts(into string, n int, row func(j int) string) []string {
	var out []string
	for i := 0; i < n; i += 500 {
		var rows []string
		for j := i; j < min(n, i+500); j++ {
			rows = append(rows, row(j))
		}
		out = append(out, "INSERT INTO "+into+" VALUES "+strings.Join(rows, ", "))
	}
	return out
}

// specVersionsOf returns, for each spec, the version of the last
// migration generating specs up to it writes in dialect's directory.
func specVersionsOf(t *testing.T, specs []string, dialect string) []int64 {
	t.Helper()
	var out []int64
	for k := range specs {
		files, err := os.ReadDir(filepath.Join(generateAll(t, specs[:k+1]), "migrations", dialect))
		if err != nil {
			t.Fatal(err)
		}
		var v int64
		for _, f := range files {
			n, err := strconv.ParseInt(strings.SplitN(f.Name(), "_", 2)[0], 10, 64)
			if err == nil {
				v = max(v, n)
			}
		}
		out = append(out, v)
	}
	return out
}

// catalog runs a catalog query on the table nodes, and returns the first
// column of the rows that are not marked invalid by a second one.
func catalog(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q, "nodes")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if len(vals) < 2 || vals[1].String == "1" {
			out = append(out, vals[0].String)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
