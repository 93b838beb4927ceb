package sqlmig_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

// boundColumn is one column a spec of the several-columns scenario binds.
type boundColumn struct {
	table, column string
	nullable      bool
	def           string // "" for none
}

// severalSpec writes a machine whose states cycle through labels, bound
// to cols, with extra lines (removed:, renamed_from) spliced in.
func severalSpec(labels []string, renamedFrom map[string]string, removed string, cols []boundColumn, format string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nmachine: several\ninitial: %s\nstates:\n", labels[0])
	for i, l := range labels {
		fmt.Fprintf(&b, "  %s:\n    doc: a state\n", l)
		if old := renamedFrom[l]; old != "" {
			fmt.Fprintf(&b, "    renamed_from: %s\n", old)
		}
		fmt.Fprintf(&b, "    transitions:\n      go: %s\n", labels[(i+1)%len(labels)])
	}
	b.WriteString("events:\n  go:\n    doc: next\n")
	b.WriteString(removed)
	fmt.Fprintf(&b, "sql:\n  enum: node_state\n  format: %s\n  dialects: [postgres, mysql, sqlite]\n  columns:\n", format)
	for _, c := range cols {
		fmt.Fprintf(&b, "    - table: %s\n      column: %s\n", c.table, c.column)
		if c.nullable {
			b.WriteString("      nullable: true\n")
		}
		if c.def != "" {
			fmt.Fprintf(&b, "      default: %s\n", c.def)
		}
	}
	return b.String()
}

var (
	// nodes.state as the seed has it, and a nullable target beside it, as
	// ironic keeps provision_state and target_provision_state.
	severalV1Cols = []boundColumn{
		{table: "nodes", column: "state", def: "finished"},
		{table: "nodes", column: "target", nullable: true},
	}
	// Version 2 also binds another table's column, with its own default.
	severalV2Cols = append(slices.Clone(severalV1Cols), boundColumn{table: "audit", column: "state", def: "waiting"})
	severalSets   = [][]string{
		{"starting", "waiting", "finished", "error", "reapplying", "aborting"},
		{"starting", "waiting", "paused", "finished", "error", "reapplying", "aborting"},
		{"starting", "waiting", "paused", "finished", "error", "reprocessing"},
	}
)

func severalSpecs(format string) []string {
	return []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, format),
		severalSpec(severalSets[1], nil, "", severalV2Cols, format),
		severalSpec(severalSets[2], map[string]string{"reprocessing": "reapplying"},
			"removed:\n  aborting:\n    rows_to: error\n", severalV2Cols, format),
	}
}

func generateAll(t *testing.T, specs []string) string {
	t.Helper()
	out := t.TempDir()
	// One path for every version, as a user edits one spec: the package
	// files record it.
	spec := lastSpec(out)
	for i, text := range specs {
		writeFile(t, spec, text)
		if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("version %d: generate exited %d: %s", i+1, code, stderr)
		}
	}
	return out
}

// lastSpec is where generateAll keeps the spec of out's last version.
func lastSpec(out string) string { return out + ".yaml" }

func TestSeveralColumnsGoose(t *testing.T) {
	out := generateAll(t, severalSpecs("goose"))
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := openSeveral(t, d)
			p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join(out, "migrations", d.name)))
			if err != nil {
				t.Fatal(err)
			}
			severalScenario(t, d, db, gooseRunner{p})
		})
	}
}

func TestSeveralColumnsGolangMigrate(t *testing.T) {
	out := generateAll(t, severalSpecs("golang-migrate"))
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := openSeveral(t, d)
			severalScenario(t, d, db, newRunner(t, d, db, "golang-migrate", os.DirFS(filepath.Join(out, "migrations", d.name))))
		})
	}
}

func openSeveral(t *testing.T, d dialect) *sql.DB {
	t.Helper()
	db := open(t, d)
	mustExec(t, db, `CREATE TABLE audit (uuid VARCHAR(36) PRIMARY KEY)`)
	mustExec(t, db, `INSERT INTO audit (uuid) VALUES ('before-fsmgen')`)
	return db
}

func severalScenario(t *testing.T, d dialect, db *sql.DB, r runner) {
	r.upTo(t, 1)
	expectColumns(t, d, db, severalSets[0], severalV1Cols)
	// Rows in every state in state, every state and NULL in target.
	for i, s := range severalSets[0] {
		mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state, target) VALUES (?, ?, ?)`), fmt.Sprint("row-", i), s, s)
		mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), fmt.Sprint("null-", i), s)
	}
	state := map[string]int{"finished": 1}
	target := map[string]int{"NULL": 1 + len(severalSets[0])}
	for _, s := range severalSets[0] {
		state[s] += 2
		target[s]++
	}
	expectCounts(t, db, "nodes", "state", state)
	expectCounts(t, db, "nodes", "target", target)

	// Version 2 adds paused and binds audit.state; version 3 renames
	// reapplying and removes aborting, whose rows move to error in every
	// column (PostgreSQL replaces the type under three columns).
	r.up(t)
	if v := r.version(t); v != 3 {
		t.Fatalf("version %d after up, want 3", v)
	}
	expectColumns(t, d, db, severalSets[2], severalV2Cols)
	mustExec(t, db, `INSERT INTO audit (uuid, state) VALUES ('audit-paused', 'paused')`)
	for _, m := range []map[string]int{state, target} {
		m["reprocessing"], m["error"] = m["reapplying"], m["error"]+m["aborting"]
		delete(m, "reapplying")
		delete(m, "aborting")
	}
	expectCounts(t, db, "nodes", "state", state)
	expectCounts(t, db, "nodes", "target", target)
	expectCounts(t, db, "audit", "state", map[string]int{"waiting": 1, "paused": 1})

	// Down to 2 renames back and brings aborting back (rows stay in error).
	if err := r.downTo(2); err != nil {
		t.Fatalf("down to 2: %v", err)
	}
	expectColumns(t, d, db, severalSets[1], severalV2Cols)
	for _, m := range []map[string]int{state, target} {
		m["reapplying"] = m["reprocessing"]
		delete(m, "reprocessing")
	}
	expectCounts(t, db, "nodes", "state", state)
	expectCounts(t, db, "nodes", "target", target)

	// Down to 1 drops paused, which a target holds: the guard stops it.
	mustExec(t, db, `UPDATE nodes SET target = 'paused' WHERE uuid = 'row-0'`)
	if err := r.downTo(1); err == nil || !strings.Contains(err.Error(), "nodes.state or nodes.target has rows in paused") {
		t.Fatalf("down past paused with a paused target: err = %v, want the guard's message", err)
	}
	expectColumns(t, d, db, severalSets[1], severalV2Cols)
	mustExec(t, db, `UPDATE nodes SET target = NULL WHERE uuid = 'row-0'`)
	target["NULL"]++
	target["starting"]--
	// audit.state is dropped with its column: fsmgen added it.
	if err := r.downTo(1); err != nil {
		t.Fatalf("down to 1: %v", err)
	}
	expectColumns(t, d, db, severalSets[0], severalV1Cols)
	if hasColumn(t, db, "audit", "state") {
		t.Fatal("the Down of the binding kept audit.state")
	}
	expectCounts(t, db, "nodes", "state", state)
	expectCounts(t, db, "nodes", "target", target)
	if err := r.downTo(0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if hasColumn(t, db, "nodes", "state") || hasColumn(t, db, "nodes", "target") {
		t.Fatal("the first migration's Down kept a column")
	}
	r.up(t)
	expectColumns(t, d, db, severalSets[2], severalV2Cols)
	n := len(severalSets[0])*2 + 1
	expectCounts(t, db, "nodes", "state", map[string]int{"finished": n})
	expectCounts(t, db, "nodes", "target", map[string]int{"NULL": n})
	expectCounts(t, db, "audit", "state", map[string]int{"waiting": 2})
}

// expectColumns checks that each of cols accepts exactly labels (and NULL
// when nullable), in order where the database keeps one, with its default.
func expectColumns(t *testing.T, d dialect, db *sql.DB, labels []string, cols []boundColumn) {
	t.Helper()
	if d.labels != nil {
		got := liveLabels(t, d, db, labels)
		if diff := cmp.Diff(labels, got); diff != "" {
			t.Fatalf("enum labels (-want +got):\n%s", diff)
		}
	}
	for _, c := range cols {
		// The value is inlined: a prepared statement's parameter keeps the
		// type it was prepared with, which a type swap drops.
		probe := func(v string) bool {
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			_, err = tx.Exec(fmt.Sprintf(`INSERT INTO %s (uuid, %s) VALUES ('probe', %s)`, c.table, c.column, v))
			return err == nil
		}
		for _, l := range append(slices.Clone(labels), "reprocessing", "reapplying", "paused", "aborting", "bogus") {
			if got, want := probe("'"+l+"'"), slices.Contains(labels, l); got != want {
				t.Fatalf("%s.%s accepts %q = %v, want %v", c.table, c.column, l, got, want)
			}
		}
		if got := probe("NULL"); got != c.nullable {
			t.Fatalf("%s.%s accepts NULL = %v, want %v", c.table, c.column, got, c.nullable)
		}
		notNull, def := d.columnOf(t, db, c.table, c.column)
		if notNull == c.nullable || (c.def == "") != (def == "" || strings.EqualFold(def, "NULL")) || !strings.Contains(def, c.def) {
			t.Fatalf("%s.%s: not null %v, default %q; want nullable %v, default %q", c.table, c.column, notNull, def, c.nullable, c.def)
		}
	}
}

func expectCounts(t *testing.T, db *sql.DB, table, column string, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if n == 0 {
			delete(want, k)
		}
	}
	if diff := cmp.Diff(want, countsOf(t, db, table, column)); diff != "" {
		t.Fatalf("rows of %s per %s (-want +got):\n%s", table, column, diff)
	}
}

func hasColumn(t *testing.T, db *sql.DB, table, column string) bool {
	t.Helper()
	// A new text each time: pgx would reuse a plan cached before a
	// migration changed the table's columns.
	snapshots++
	rows, err := db.QueryContext(context.Background(), fmt.Sprintf(`SELECT * FROM %s WHERE %d = 0`, table, snapshots))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(names, column)
}

// TestMySQLEnumBudgetApplies creates, on MariaDB, an ENUM as large as
// fsmgen allows in a table with other columns and an index: the budget
// must leave room for them.
func TestMySQLEnumBudgetApplies(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: big\ninitial: s0\nstates:\n")
	const n = 937 // 937 labels of 63 bytes: 59,968 of the 60,000 bytes allowed
	for i := range n {
		name := fmt.Sprintf("s%d", i)
		fmt.Fprintf(&b, "  %s:\n    doc: one\n    value: %s\n    transitions:\n      next: s%d\n", name, name+strings.Repeat("x", 63-len(name)), (i+1)%n)
	}
	b.WriteString("events:\n  next:\n    doc: on\nsql:\n  enum: big_state\n  table: jobs\n  column: state\n  dialects: [mysql]\n")
	out := generateAll(t, []string{b.String()})
	db, err := sql.Open("mysql", testdb.MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec(t, db, `CREATE TABLE jobs (id BIGINT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(255) NOT NULL, owner VARCHAR(255), created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, note TEXT, KEY by_owner (owner, created_at))`)
	p, err := goose.NewProvider(goose.DialectMySQL, db, os.DirFS(filepath.Join(out, "migrations", "mysql")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatalf("an ENUM within fsmgen's budget does not apply: %v", err)
	}
}
