package sqlmig_test

import (
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
)

// The labels of ironic-inspector's node_state before aborting, in its
// migrations' order.
var inspectorLabels = []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling"}

// inspectorSchema is ironic-inspector's nodes table as its alembic
// migrations leave it before the aborting state (d2e48801c8ef added
// version_id and state NOT NULL DEFAULT 'finished' to the table the
// initial migration created), in each dialect.
func inspectorSchema(dialect string, check bool, order []string) []string {
	labels := "'" + strings.Join(order, "', '") + "'"
	cols := "uuid VARCHAR(36) PRIMARY KEY, started_at %[1]s, finished_at %[1]s, error TEXT, version_id VARCHAR(36) DEFAULT '', state %[2]s NOT NULL DEFAULT 'finished'"
	switch dialect {
	case "postgres":
		return []string{"CREATE TYPE node_state AS ENUM (" + labels + ")", fmt.Sprintf("CREATE TABLE nodes ("+cols+")", "TIMESTAMP", "node_state")}
	case "mysql":
		return []string{fmt.Sprintf("CREATE TABLE nodes ("+cols+")", "DATETIME(6)", "ENUM("+labels+")")}
	}
	state := "VARCHAR(10)"
	if check {
		// SQLAlchemy's Enum without a native type on SQLite.
		state += " CHECK (state IN (" + labels + "))"
	}
	return []string{fmt.Sprintf("CREATE TABLE nodes ("+cols+")", "DATETIME", state), "CREATE INDEX nodes_state ON nodes (state)"}
}

// adoptSpec is the seed's spec with aborting, taking over the existing
// column instead of adding it.
func adoptSpec(t *testing.T, format string) string {
	t.Helper()
	v2 := specVersions(t, format)[1]
	return mustReplace(t, v2, "  dialects:", "  adopt: ["+strings.Join(inspectorLabels, ", ")+"]\n  dialects:")
}

func openInspector(t *testing.T, d dialect, check bool) *sql.DB {
	t.Helper()
	return openInspectorIn(t, d, check, inspectorLabels)
}

// openInspectorIn is openInspector with the type's labels in order.
func openInspectorIn(t *testing.T, d dialect, check bool, order []string) *sql.DB {
	t.Helper()
	db := connect(t, d, d.dsn(t))
	for _, q := range inspectorSchema(d.name, check, order) {
		mustExec(t, db, q)
	}
	for i, s := range inspectorLabels {
		mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, error, version_id, state) VALUES (?, ?, ?, ?)`), fmt.Sprint("node-", i), "e"+s, fmt.Sprint("v", i), s)
	}
	mustExec(t, db, `INSERT INTO nodes (uuid) VALUES ('defaulted')`)
	return db
}

var snapshots int

// snapshotRows is every row of nodes as text, the state included. Each
// query's text differs: pgx would reuse a plan cached before the Down gave
// the column its type back.
func snapshotRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	snapshots++
	return strs(t, db, fmt.Sprintf(`SELECT CONCAT_WS('|', uuid, COALESCE(error, '-'), version_id, CAST(state AS VARCHAR(64))) FROM nodes WHERE %d > 0 ORDER BY uuid`, snapshots))
}

// TestAdoptInspectorSchema takes over ironic-inspector's own nodes.state
// on every database: adopt and add aborting, down, up. No row is lost or
// changed, and the column survives every Down. Nothing rewrites the
// table: the type is the history's after the Up and stays so after the
// Down (aborting forbidden), which the adoption's check accepts when it
// runs again.
func TestAdoptInspectorSchema(t *testing.T) {
	cols := []boundColumn{{table: "nodes", column: "state", def: "finished"}}
	for _, format := range []string{"goose", "golang-migrate"} {
		out := generateAll(t, []string{adoptSpec(t, format)})
		for _, d := range dialects {
			t.Run(format+"/"+d.name, func(t *testing.T) {
				db := openInspector(t, d, false)
				before := snapshotRows(t, db)
				r := newRunner(t, d, db, format, os.DirFS(filepath.Join(out, "migrations", d.name)))
				_, typ, _ := recordedTarget(t, out, d.name)
				sameType := func(when string) {
					t.Helper()
					if d.labels == nil {
						return
					}
					if diff := cmp.Diff(typ, d.labels(t, db)); diff != "" {
						t.Fatalf("%s: the type is not the history's (-history +live):\n%s", when, diff)
					}
				}
				for i := range 2 {
					r.up(t)
					sameType("after the Up")
					expectColumns(t, d, db, inTypeOrder(typ, specLabels(t, adoptSpec(t, format))), cols)
					if diff := cmp.Diff(before, snapshotRows(t, db)); diff != "" {
						t.Fatalf("round %d: the Up changed rows (-before +after):\n%s", i, diff)
					}
					if err := r.downTo(0); err != nil {
						t.Fatalf("round %d: down: %v", i, err)
					}
					if !hasColumn(t, db, "nodes", "state") {
						t.Fatalf("round %d: the Down dropped the adopted column", i)
					}
					if d.name == "sqlite" {
						// As before fsmgen: no triggers, so any text.
						if notNull, def := d.columnOf(t, db, "nodes", "state"); !notNull || def != "'finished'" {
							t.Fatalf("round %d: after the Down: not null %v, default %q", i, notNull, def)
						}
					} else {
						sameType("after the Down")
						expectColumns(t, d, db, inspectorLabels, cols)
					}
					if diff := cmp.Diff(before, snapshotRows(t, db)); diff != "" {
						t.Fatalf("round %d: the Down changed rows (-before +after):\n%s", i, diff)
					}
				}
			})
		}
	}
}

// TestAdoptKeepsTheDatabasesOrder: a column whose labels come in another
// order than the spec's states is adopted in place: the type keeps its
// order (aborting goes in beside its neighbour on PostgreSQL, at the end on
// MySQL), as the history records, up, down and up again.
func TestAdoptKeepsTheDatabasesOrder(t *testing.T) {
	order := slices.Clone(inspectorLabels)
	slices.Reverse(order)
	spec := strings.Replace(adoptSpec(t, "goose"), "["+strings.Join(inspectorLabels, ", ")+"]", "["+strings.Join(order, ", ")+"]", 1)
	out := generateAll(t, []string{spec})
	for _, d := range dialects[:2] {
		t.Run(d.name, func(t *testing.T) {
			_, typ, _ := recordedTarget(t, out, d.name)
			if diff := cmp.Diff(order, inTypeOrder(typ, order)); diff != "" {
				t.Fatalf("the history's type reorders the adopted labels (-adopted +type):\n%s", diff)
			}
			db := openInspectorIn(t, d, false, order)
			before := snapshotRows(t, db)
			r := newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name)))
			upDownUp(t, r, 0, func(i int, _ bool) {
				if diff := cmp.Diff(typ, d.labels(t, db)); diff != "" {
					t.Fatalf("step %d: the type is not the history's (-history +live):\n%s", i, diff)
				}
				if diff := cmp.Diff(before, snapshotRows(t, db)); diff != "" {
					t.Fatalf("step %d changed rows (-before +after):\n%s", i, diff)
				}
			})
		})
	}
}

func specLabels(t *testing.T, text string) []string {
	t.Helper()
	spec := filepath.Join(t.TempDir(), "states.yaml")
	writeFile(t, spec, text)
	return statesOf(t, spec)
}

// TestAdoptRefusesAMismatch: when the live column is not what sql.adopt
// and the spec say, the first migration names every difference (SQLite:
// the first) and changes nothing.
func TestAdoptRefusesAMismatch(t *testing.T) {
	swapped := append([]string{"waiting", "starting"}, inspectorLabels[2:]...)
	spec := strings.Replace(adoptSpec(t, "goose"), "["+strings.Join(inspectorLabels, ", ")+"]", "["+strings.Join(swapped, ", ")+"]", 1)
	spec = mustReplace(t, spec, "  column: state\n", "  column: state\n  default: error\n")
	out := generateAll(t, []string{spec})
	want := map[string][]string{
		"postgres": {"cannot adopt: ", "type node_state has the labels {starting,waiting,", "sql.adopt says {waiting,starting,", "nodes.state defaults to 'finished'::node_state, the spec says 'error'::node_state"},
		"mysql":    {"cannot adopt: nodes.state: labels differ from sql.adopt; nodes.state: default 'finished' (spec: error)"},
		"sqlite":   {`cannot adopt: nodes.state must exist, be NOT NULL and default to "error"`},
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := openInspector(t, d, false)
			before := snapshotRows(t, db)
			r := newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name)))
			err := r.tryUp()
			for _, w := range want[d.name] {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("up: %v; want it to say %q", err, w)
				}
			}
			if v := r.version(t); v != 0 {
				t.Fatalf("the refused adoption left version %d", v)
			}
			if diff := cmp.Diff(before, snapshotRows(t, db)); diff != "" {
				t.Fatalf("the refused adoption changed rows (-before +after):\n%s", diff)
			}
			if d.labels != nil {
				if diff := cmp.Diff(inspectorLabels, d.labels(t, db)); diff != "" {
					t.Fatalf("the refused adoption changed the labels (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestAdoptSQLiteCheckConstraint: SQLAlchemy's Enum on SQLite keeps the
// labels in a CHECK constraint, which would reject aborting; changing it
// means rebuilding the application's table, so the migration says so and
// changes nothing. A column whose name starts with "check" is no
// constraint: that table is adopted.
func TestAdoptSQLiteCheckConstraint(t *testing.T) {
	out := generateAll(t, []string{adoptSpec(t, "goose")})
	d := dialects[2]
	for _, c := range []struct {
		name           string
		check, refused bool
		extra          string // a statement run after the schema's
	}{
		{name: "check", check: true, refused: true},
		{name: "check_lower_case_on_its_own_line", refused: true, extra: "ALTER TABLE nodes ADD COLUMN note TEXT\n\tcheck\n(note <> 'x')"},
		{name: "checked_at", extra: "ALTER TABLE nodes ADD COLUMN checked_at DATETIME"},
		{name: "quoted_check", extra: `ALTER TABLE nodes ADD COLUMN "check" TEXT`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openInspector(t, d, c.check)
			if c.extra != "" {
				mustExec(t, db, c.extra)
			}
			before := snapshotRows(t, db)
			r := newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name)))
			err := r.tryUp()
			if !c.refused {
				if err != nil {
					t.Fatalf("up: %v; want the table adopted", err)
				}
				if got := countsOf(t, db, "nodes", "state"); got["finished"] != 2 {
					t.Fatalf("rows after adopting: %v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "cannot adopt: nodes has a CHECK constraint, which would reject aborting; SQLite changes a CHECK only by rebuilding the table") {
				t.Fatalf("up: %v; want the CHECK constraint named", err)
			}
			if v := r.version(t); v != 0 {
				t.Fatalf("the refused adoption left version %d", v)
			}
			if diff := cmp.Diff(before, snapshotRows(t, db)); diff != "" {
				t.Fatalf("the refused adoption changed rows (-before +after):\n%s", diff)
			}
			if n := strs(t, db, `SELECT name FROM sqlite_master WHERE type = 'trigger'`); len(n) != 0 {
				t.Fatalf("the refused adoption left triggers %v", n)
			}
		})
	}
}

// TestAdoptMySQLBackslashLabel adopts an ENUM whose label holds a
// backslash and a quote: the catalog reports the column type with both
// escaped as in a literal, and the check must compare with that spelling.
func TestAdoptMySQLBackslashLabel(t *testing.T) {
	spec := "version: 1\nmachine: door\ninitial: shut\nstates:\n" +
		"  shut:\n    doc: shut\n    value: 'C:\\shut'\n    transitions:\n      open: opened\n" +
		"  opened:\n    doc: open\n    value: \"it's open\"\n    transitions:\n      close: shut\n" +
		"events:\n  open:\n    doc: open\n  close:\n    doc: close\n" +
		"sql:\n  enum: door_state\n  adopt: ['C:\\shut', \"it's open\"]\n  table: doors\n  column: state\n  dialects: [mysql]\n"
	path := filepath.Join(t.TempDir(), "states.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if code, _, stderr := run("generate", "-spec", path, "-out", out); code != cli.ExitOK {
		t.Fatalf("generate exited %d: %s", code, stderr)
	}
	db, err := sql.Open("mysql", dialects[1].dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	mustExec(t, db, `CREATE TABLE doors (id INT PRIMARY KEY, state ENUM('C:\\shut', 'it''s open') NOT NULL DEFAULT 'C:\\shut')`)
	mustExec(t, db, `INSERT INTO doors VALUES (1, 'C:\\shut'), (2, 'it''s open')`)
	p, err := goose.NewProvider(goose.DialectMySQL, db, os.DirFS(filepath.Join(out, "migrations", "mysql")))
	if err != nil {
		t.Fatal(err)
	}
	gooseRunner{p}.up(t)
	if diff := cmp.Diff(map[string]int{`C:\shut`: 1, "it's open": 1}, countsOf(t, db, "doors", "state")); diff != "" {
		t.Fatalf("rows after adopting (-want +got):\n%s", diff)
	}
}
