package sqlmig_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

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
	if code, _, stderr := run("check", "-spec", lastSpec(out), "-out", out); code != cli.ExitOK {
		t.Fatalf("check exited %d after the reorder: %s", code, stderr)
	}
	// A reorder beside another change: the migration makes that change
	// alone, and says nothing of an order.
	out = generateAll(t, []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"),
		severalSpec(reorderedAdd, nil, "", severalV1Cols, "goose"),
	})
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		b, err := os.ReadFile(filepath.Join(out, "migrations", d, "00002_add_paused.sql"))
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if !strings.Contains(string(b), "\n-- node_state: add paused\n") {
			t.Errorf("%s: the title is not the add's alone:\n%s", d, b)
		}
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
				db, r := seededAtFirst(t, d, format, out)
				state := countsOf(t, db, "nodes", "state")
				upDownUp(t, r, 1, func(i int, up bool) {
					want := severalSets[0]
					if up {
						want = reorderedAdd
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
				})
				if d.labels != nil && slices.Equal(typ, reorderedAdd) {
					t.Fatal("the type follows the spec's order: the reorder rewrote it")
				}
			})
		}
	}
}

// seededAtFirst opens d, applies the first of out's migrations for it with
// format and writes a row in every state of the first set.
func seededAtFirst(t *testing.T, d dialect, format, out string) (*sql.DB, runner) {
	t.Helper()
	db := open(t, d)
	r := newRunner(t, d, db, format, os.DirFS(filepath.Join(out, "migrations", d.name)))
	r.upTo(t, 1)
	for _, s := range severalSets[0] {
		mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state, target) VALUES (?, ?, ?)`), "row-"+s, s, s)
	}
	return db, r
}

// upDownUp migrates all the way up, down to version bottom and up again,
// calling check after each step with whether the step went up.
func upDownUp(t *testing.T, r runner, bottom int64, check func(step int, up bool)) {
	t.Helper()
	for i := range 3 {
		if i == 1 {
			if err := r.downTo(bottom); err != nil {
				t.Fatalf("down to %d: %v", bottom, err)
			}
		} else {
			r.up(t)
		}
		check(i, i != 1)
	}
}

// inTypeOrder returns labels in the order of typ, the database's.
func inTypeOrder(typ, labels []string) []string {
	return slices.DeleteFunc(slices.Clone(typ), func(l string) bool { return !slices.Contains(labels, l) })
}

var (
	// compacted is reordered without aborting, whose rows move to error:
	// the label stays in the type, forbidden, until a compaction.
	compacted      = []string{"error", "starting", "finished", "reapplying", "waiting"}
	removeAborting = "removed:\n  aborting:\n    rows_to: error\n"
)

// compactSpecs are: the first set, then the new order without aborting,
// then the same with sql.compact.
func compactSpecs(t *testing.T, format string) []string {
	v2 := severalSpec(compacted, nil, removeAborting, severalV1Cols, format)
	return []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, format),
		v2,
		mustReplace(t, v2, "sql:\n", "sql:\n  compact: true\n"),
	}
}

// TestCompact: sql.compact makes the type exactly the spec's states in
// the spec's order (PostgreSQL by a new type, MySQL by restating the
// ENUM), with rows in every state, and its Down gives back the type the
// history had, the removed label forbidden again; up, down, up, with
// both tools. SQLite has no type: it gets no migration.
func TestCompact(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		out := generateAll(t, compactSpecs(t, format))
		if n := countSQL(t, filepath.Join(out, "migrations", "sqlite")); n != 2*map[string]int{"goose": 1, "golang-migrate": 2}[format] {
			t.Fatalf("%s: sqlite has %d migration files, want none for the compaction", format, n)
		}
		for _, d := range dialects {
			t.Run(format+"/"+d.name, func(t *testing.T) {
				db, r := seededAtFirst(t, d, format, out)
				mustExec(t, db, `INSERT INTO nodes (uuid) VALUES ('defaulted')`)
				r.upTo(t, 2)
				state, target := countsOf(t, db, "nodes", "state"), countsOf(t, db, "nodes", "target")
				if d.labels == nil {
					return
				}
				upDownUp(t, r, 2, func(i int, up bool) { // 3 is the compaction
					want := severalSets[0]
					if up {
						want = compacted
					}
					if diff := cmp.Diff(want, d.labels(t, db)); diff != "" {
						t.Fatalf("step %d: type (-want +live):\n%s", i, diff)
					}
					expectColumns(t, d, db, inTypeOrder(want, compacted), severalV1Cols)
					expectCounts(t, db, "nodes", "state", state)
					expectCounts(t, db, "nodes", "target", target)
				})
			})
		}
	}
}

// TestCompactRecompilesTriggers: PostgreSQL keeps in each session the
// trigger function as it compiled it, naming the type by its OID. The
// compaction replaces the type, so it writes the function anew in the
// same transaction, up and down: otherwise a session that had written
// the table before fails every write after (XX000 cache lookup failed
// for type) until it reconnects. MySQL's compaction copies the table,
// its triggers and the fire function with it: a session that moved a
// row by the function before moves one by it after.
func TestCompactRecompilesTriggers(t *testing.T) {
	state := severalV1Cols[:1]
	v2 := severalSpec(compacted, nil, removeAborting, state, "goose")
	specs := []string{severalSpec(severalSets[0], nil, "", state, "goose"), v2, mustReplace(t, v2, "sql:\n", "sql:\n  compact: true\n")}
	for i := range specs {
		specs[i] = mustReplace(t, specs[i], "sql:\n", "sql:\n  key: uuid\n  history: nodes_history\n  enforce: transitions\n  fire_function: true\n")
	}
	specs[0] = strings.Replace(specs[0], "  fire_function: true\n", "", 1)
	out := generateAll(t, specs)
	for _, d := range dialects[:2] {
		t.Run(d.name, func(t *testing.T) {
			db := open(t, d)
			r := newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name)))
			r.upTo(t, 2)
			mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('a', 'error')`)
			ctx := context.Background()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			write := func(when string) {
				t.Helper()
				if _, err := conn.ExecContext(ctx, `UPDATE nodes SET state = state`); err != nil {
					t.Fatalf("%s: a session that wrote before: %v", when, err)
				}
				if d.name != "mysql" {
					return
				}
				// One step along the cycle, whatever the state.
				var arc int
				if err := conn.QueryRowContext(ctx, fireCall(t, out)).Scan(&arc); err != nil || arc == 0 {
					t.Fatalf("%s: the fire function in a session that called it before: arc %d, %v", when, arc, err)
				}
			}
			write("before the compaction")
			r.up(t)
			write("after the compaction")
			if err := r.downTo(2); err != nil {
				t.Fatal(err)
			}
			write("after its Down")
		})
	}
}

// TestCompactNamesDependents: the compaction replaces the PostgreSQL type.
// With a view, a partial index, a CHECK constraint and another table's
// column using it, the migration names them all before anything changes,
// instead of failing on the first with PostgreSQL's own message.
func TestCompactNamesDependents(t *testing.T) {
	out := generateAll(t, compactSpecs(t, "goose"))
	d := dialectNamed("postgres")
	db := open(t, d)
	p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join(out, "migrations", d.name)))
	if err != nil {
		t.Fatal(err)
	}
	r := gooseRunner{p}
	r.upTo(t, 2)
	for _, q := range []string{
		`CREATE VIEW busy AS SELECT uuid FROM nodes WHERE state <> 'finished'`,
		`CREATE INDEX nodes_errors ON nodes (uuid) WHERE state = 'error'`,
		`ALTER TABLE nodes ADD CONSTRAINT no_waiting_target CHECK (target <> 'waiting' OR uuid <> '')`,
		`CREATE TABLE audit (id int, state node_state)`,
	} {
		mustExec(t, db, q)
	}
	if _, err = p.Up(context.Background()); err == nil {
		t.Fatal("the compaction replaced the type under its dependents")
	}
	for _, want := range []string{"column audit.state", "view or rule busy", "index nodes_errors", "constraint no_waiting_target on nodes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %s: %v", want, err)
		}
	}
	if v := r.version(t); v != 2 {
		t.Fatalf("version %d after the refusal, want 2", v)
	}
	if diff := cmp.Diff(severalSets[0], d.labels(t, db)); diff != "" {
		t.Fatalf("the refusal changed the type (-want +live):\n%s", diff)
	}
}

// TestCompactWithNothingToCompact: with sql.compact set and the type
// already the spec's, generate writes nothing; alongside a change that
// leaves the type otherwise, the one migration does both and says so.
func TestCompactWithNothingToCompact(t *testing.T) {
	v1 := mustReplace(t, severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"), "sql:\n", "sql:\n  compact: true\n")
	v2 := mustReplace(t, severalSpec(severalSets[1], nil, "", severalV1Cols, "goose"), "sql:\n", "sql:\n  compact: true\n")
	out := generateAll(t, []string{v1, v1})
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		if n := countSQL(t, filepath.Join(out, "migrations", d)); n != 1 {
			t.Errorf("%s: %d migrations, want the first alone", d, n)
		}
	}
	out = generateAll(t, []string{v1, v2})
	for d, want := range map[string]string{
		"postgres": "00002_add_paused.sql", // in place, where the spec puts it
		"mysql":    "00002_compact_node_state_add_paused.sql",
		"sqlite":   "00002_add_paused.sql",
	} {
		b, err := os.ReadFile(filepath.Join(out, "migrations", d, want))
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if d == "mysql" && !strings.Contains(string(b), "-- node_state: compact (copies every bound table): the type holds exactly starting, waiting, paused, finished, error, reapplying, aborting, in this order, and add paused\n") {
			t.Errorf("mysql: the title does not say what the migration does:\n%s", b)
		}
	}
}

// TestBindKeepsTheType: a column bound after a removal gets the type the
// others have: on MySQL the same ENUM, in the same order, the removed
// label included and forbidden by its triggers; verify agrees on every
// column.
func TestBindKeepsTheType(t *testing.T) {
	specs := []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"),
		severalSpec(compacted, nil, removeAborting, severalV1Cols, "goose"),
		severalSpec(compacted, nil, removeAborting, severalV2Cols, "goose"),
	}
	out := generateAll(t, specs)
	spec := filepath.Join(t.TempDir(), "states.yaml")
	writeFile(t, spec, specs[2])
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db, url := openURL(t, d)
			mustExec(t, db, `CREATE TABLE audit (uuid VARCHAR(36) PRIMARY KEY)`)
			newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name))).up(t)
			_, typ, _ := recordedTarget(t, out, d.name)
			if d.name == "mysql" {
				live := strs(t, db, `SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit' AND COLUMN_NAME = 'state'`)
				if want := "enum('" + strings.Join(typ, "','") + "')"; len(live) != 1 || live[0] != want {
					t.Fatalf("audit.state is %q, want %s", live, want)
				}
			}
			for l, want := range map[string]bool{"aborting": false, "error": true} {
				_, err := db.Exec(rebind(d, `INSERT INTO audit (uuid, state) VALUES (?, ?)`), "probe-"+l, l)
				if (err == nil) != want {
					t.Errorf("audit.state accepts %s: %v, want %v", l, err == nil, want)
				}
			}
			if code, stdout, stderr := run("verify", "-db", url, "-spec", spec, "-out", out); code != cli.ExitOK {
				t.Fatalf("verify exited %d: %s%s", code, stdout, stderr)
			}
		})
	}
}

// TestCompactDownIsGuarded: the Down of a compaction that also adds a
// state stops, changing nothing, while rows hold that state, like every
// Down; once they are gone it gives back the type the history had.
func TestCompactDownIsGuarded(t *testing.T) {
	out := generateAll(t, []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"),
		mustReplace(t, severalSpec(reorderedAdd, nil, "", severalV1Cols, "goose"), "sql:\n", "sql:\n  compact: true\n"),
	})
	for _, d := range dialects[:2] {
		t.Run(d.name, func(t *testing.T) {
			db := open(t, d)
			r := newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name)))
			r.up(t)
			if diff := cmp.Diff(reorderedAdd, d.labels(t, db)); diff != "" {
				t.Fatalf("type after the compaction (-want +live):\n%s", diff)
			}
			mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('held', 'paused')`)
			err := r.downTo(1)
			if err == nil || !strings.Contains(err.Error(), "cannot migrate: nodes.state or nodes.target has rows in paused") {
				t.Fatalf("down with a paused row: %v; want the guard's refusal", err)
			}
			if diff := cmp.Diff(reorderedAdd, d.labels(t, db)); diff != "" {
				t.Fatalf("the refused Down changed the type (-want +live):\n%s", diff)
			}
			mustExec(t, db, `DELETE FROM nodes WHERE uuid = 'held'`)
			if err := r.downTo(1); err != nil {
				t.Fatalf("down: %v", err)
			}
			if diff := cmp.Diff(severalSets[0], d.labels(t, db)); diff != "" {
				t.Fatalf("type after the Down (-want +live):\n%s", diff)
			}
		})
	}
}

// TestCompactWithRename: a compaction that also renames a state moves the
// rows of the old label to the new one while it replaces the type
// (PostgreSQL) or restates the ENUM (MySQL), and its Down moves them back,
// with both tools.
func TestCompactWithRename(t *testing.T) {
	renamed := []string{"error", "starting", "finished", "reprocessing", "aborting", "waiting"}
	for _, format := range []string{"goose", "golang-migrate"} {
		out := generateAll(t, []string{
			severalSpec(severalSets[0], nil, "", severalV1Cols, format),
			mustReplace(t, severalSpec(renamed, map[string]string{"reprocessing": "reapplying"}, "", severalV1Cols, format), "sql:\n", "sql:\n  compact: true\n"),
		})
		for _, d := range dialects[:2] {
			t.Run(format+"/"+d.name, func(t *testing.T) {
				db, r := seededAtFirst(t, d, format, out)
				before := map[string]map[string]int{"state": countsOf(t, db, "nodes", "state"), "target": countsOf(t, db, "nodes", "target")}
				upDownUp(t, r, 1, func(i int, up bool) {
					want := severalSets[0]
					if up {
						want = renamed
					}
					if diff := cmp.Diff(want, d.labels(t, db)); diff != "" {
						t.Fatalf("step %d: type (-want +live):\n%s", i, diff)
					}
					for column, counts := range before {
						counts = maps.Clone(counts)
						if up {
							counts["reprocessing"], counts["reapplying"] = counts["reapplying"], 0
						}
						expectCounts(t, db, "nodes", column, counts)
					}
				})
			})
		}
	}
}

// fireCall calls the fire function the MySQL migrations under out create
// with the event go of the compacted cycle, whose every state has one.
func fireCall(t *testing.T, out string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(out, "migrations", "mysql", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("CREATE FUNCTION IF NOT EXISTS `(node_state_fire_[0-9a-f]+)`")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := re.FindSubmatch(b); m != nil {
			lines := func(l []string) string { return "'\\n" + strings.Join(l, "\\n") + "\\n'" }
			targets := append(slices.Clone(compacted[1:]), compacted[0])
			return fmt.Sprintf("SELECT %s('a', 'go', %s, %s, '')", m[1], lines(compacted), lines(targets))
		}
	}
	t.Fatal("no fire function in the MySQL migrations")
	return ""
}
