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

	"github.com/fsmgen/fsmgen/internal/cli"
)

// The machines below store values that SQL, goose and golang-migrate each
// read in their own way: quotes, backslashes (an escape character to
// MySQL), "--" (a comment to goose's statement splitter), ";", "/*", "%"
// (a placeholder to PostgreSQL's RAISE) and "$$" (the end of a PostgreSQL
// DO block).

const goldenCases = "../../cli/testdata/generate"

// valueStep is one edit of a spec, and whether it must add a migration.
type valueStep struct {
	spec     string
	migrates bool
}

// adversarialSteps evolves the adversarial golden case: a key renamed with
// its value kept (no migration), then a value renamed, a state added whose
// value the Down guard must quote, and a state removed.
func adversarialSteps(t *testing.T) []valueStep {
	b, err := os.ReadFile(filepath.Join(goldenCases, "adversarial_values", "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v1 := string(b)
	v2 := strings.ReplaceAll(v1, "      finish: done\n", "      finish: finished\n")
	v2 = mustReplace(t, v2, "  done:\n", "  finished:\n    renamed_from: done\n")
	// running's new value differs from cancelled's in an accent only.
	v3 := mustReplace(t, v2, `    value: "it's \"running\""`, `    value: "<b>cancelled</b> #1 {x} : ; cafe"`)
	v3 = mustReplace(t, v3, "      fail: failed\n", "      fail: queued\n      pause: paused\n")
	v3 = cut(t, v3, "  failed:\n", "  finished:\n")
	v3 = mustReplace(t, v3, "  finished:\n", "  paused:\n    value: \"Paused 50% $$ (by \\\"ops\\\") -- /* C:\\\\tmp\"\n    doc: held\n    transitions:\n      start: running\n      retry: queued\n  finished:\n")
	v3 = mustReplace(t, v3, "events:\n", "events:\n  pause:\n    doc: hold it\n")
	v3 = mustReplace(t, v3, "\nsql:\n", "\nremoved:\n  failed:\n    rows_to: queued\nsql:\n")
	return []valueStep{{v1, true}, {v2, false}, {v3, true}}
}

func TestAdversarialValuesApplyEverywhere(t *testing.T) {
	steps := adversarialSteps(t)
	for _, format := range []string{"goose", "golang-migrate"} {
		t.Run(format, func(t *testing.T) {
			h := valueHistory(t, format, steps)
			// The renamed value keeps its rows; the removed state's rows
			// move to queued.
			h.follow = map[string]string{
				`it's "running"`: "<b>cancelled</b> #1 {x} : ; cafe",
				`back\slash \\ and 100% $$ ` + "`code`" + ` | pipe`: "Queued -- not yet /* started */",
			}
			exerciseAll(t, h)
		})
	}
}

// TestRealMachinesApplyEverywhere applies the golden cases written from
// real machines, with their stored spellings.
func TestRealMachinesApplyEverywhere(t *testing.T) {
	for _, c := range []string{"ironic_provision", "taskflow_task", "taskflow_flow", "taskflow_job", "http_transaction"} {
		b, err := os.ReadFile(filepath.Join(goldenCases, c, "spec.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"goose", "golang-migrate"} {
			t.Run(c+"/"+format, func(t *testing.T) {
				exerciseAll(t, valueHistory(t, format, []valueStep{{string(b), true}}))
			})
		}
	}
}

// valueHistory is a migration history generated from steps, with the
// labels (values) the enum holds after each version.
type valueHist struct {
	history
	format        string
	table, column string
	// follow maps a label to the one its rows hold after the last
	// version, for labels renamed or removed on the way.
	follow map[string]string
}

func valueHistory(t *testing.T, format string, steps []valueStep) *valueHist {
	t.Helper()
	h := &valueHist{history: history{out: t.TempDir()}, format: format}
	for i, st := range steps {
		text := st.spec
		if format != "goose" {
			text = mustReplace(t, text, "\nsql:\n", "\nsql:\n  format: "+format+"\n")
		}
		spec := filepath.Join(t.TempDir(), "spec.yaml")
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		before := countSQL(t, h.out)
		if code, _, stderr := run("generate", "-spec", spec, "-out", h.out); code != cli.ExitOK {
			t.Fatalf("step %d: generate exited %d: %s", i+1, code, stderr)
		}
		if added := countSQL(t, h.out) - before; (added > 0) != st.migrates {
			t.Fatalf("step %d: generate added %d migration files; want a migration: %v", i+1, added, st.migrates)
		}
		m, err := cli.Load(spec)
		if err != nil {
			t.Fatal(err)
		}
		h.table, h.column = m.SQL.Columns[0].Table, m.SQL.Columns[0].Column
		if st.migrates {
			h.sets = append(h.sets, statesOf(t, spec))
		}
	}
	return h
}

func exerciseAll(t *testing.T, h *valueHist) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := connect(t, d, d.dsn(t))
			mustExec(t, db, "CREATE TABLE "+ident(d, h.table)+" (id VARCHAR(20) PRIMARY KEY)")
			exercise(t, d, db, newRunner(t, d, db, h.format, h.dir(d.name)), h)
		})
	}
}

func ident(d dialect, s string) string {
	if d.name == "mysql" {
		return "`" + s + "`"
	}
	return `"` + s + `"`
}

// exercise goes up version by version, writing a row in every state of
// each, checks what the database accepts, goes down to nothing (clearing
// the rows a Down guard names, after checking that it refused) and up
// again. Rows are never lost, and always hold a label of the version the
// database is at.
func exercise(t *testing.T, d dialect, db *sql.DB, r runner, h *valueHist) {
	tbl, col := ident(d, h.table), ident(d, h.column)
	insert := rebind(d, "INSERT INTO "+tbl+" (id, "+col+") VALUES (?, ?)")
	rows := func() map[string]string {
		got := map[string]string{}
		rs, err := db.Query("SELECT id, CAST(" + col + " AS VARCHAR(64)) FROM " + tbl)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var id, label string
			if err := rs.Scan(&id, &label); err != nil {
				t.Fatal(err)
			}
			got[id] = label
		}
		return got
	}
	checkSet := func(v int, wantRows map[string]string) {
		t.Helper()
		labels := h.sets[v-1]
		for _, l := range append(slices.Clone(labels), "bogus", strings.ToUpper(labels[0])+"x") {
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.Exec(insert, "probe", l)
			tx.Rollback()
			if (err == nil) != slices.Contains(labels, l) {
				t.Fatalf("version %d: label %q accepted = %v (%v)", v, l, err == nil, err)
			}
		}
		got := rows()
		for id, l := range got {
			if !slices.Contains(labels, l) {
				t.Fatalf("version %d: row %s holds %q, not a label of the version", v, id, l)
			}
		}
		if wantRows != nil {
			if diff := cmp.Diff(wantRows, got); diff != "" {
				t.Fatalf("version %d: rows (-want +got):\n%s", v, diff)
			}
		}
	}

	n := len(h.sets)
	want := map[string]string{}
	for v := 1; v <= n; v++ {
		r.upTo(t, int64(v))
		for id, l := range want {
			if to, ok := h.follow[l]; ok && v == n {
				want[id] = to
			}
		}
		checkSet(v, want)
		for i, l := range h.sets[v-1] {
			id := fmt.Sprintf("v%d-%d", v, i)
			mustExec(t, db, insert, id, l)
			want[id] = l
		}
		checkSet(v, want)
	}
	total := len(want)
	for v := n; v >= 1; v-- {
		if err := r.downTo(int64(v - 1)); err != nil {
			if v == 1 || !strings.Contains(err.Error(), "rows in") {
				t.Fatalf("down from %d: %v", v, err)
			}
			if got := r.version(t); got != int64(v) {
				t.Fatalf("the refused Down left version %d, want %d", got, v)
			}
			for id, l := range rows() {
				if !slices.Contains(h.sets[v-2], l) && !slices.ContainsFunc(h.sets[v-2], func(old string) bool { return h.follow[old] == l }) {
					mustExec(t, db, rebind(d, "DELETE FROM "+tbl+" WHERE id = ?"), id)
					total--
				}
			}
			if err := r.downTo(int64(v - 1)); err != nil {
				t.Fatalf("down from %d once the guarded rows are gone: %v", v, err)
			}
		}
		if v > 1 {
			checkSet(v-1, nil)
			if got := len(rows()); got != total {
				t.Fatalf("down to %d: %d rows, want %d", v-1, got, total)
			}
		}
	}
	r.up(t)
	got := rows()
	if len(got) != total {
		t.Fatalf("up again: %d rows, want %d", len(got), total)
	}
	checkSet(n, nil)
	var def string
	for _, l := range got {
		if def == "" {
			def = l
		} else if l != def {
			t.Fatalf("up again: rows hold %q and %q, want the default on every row", def, l)
		}
	}
}

// TestEnforcementWithValues turns on the store's history table and its
// transition triggers for the adversarial machine: the triggers compare
// and report its values, which must stay literals in every dialect's
// trigger or function body.
func TestEnforcementWithValues(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenCases, "adversarial_values", "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := mustReplace(t, string(b), "\nsql:\n", "\nsql:\n  key: id\n  history: job_history\n  enforce: transitions\n")
	h := valueHistory(t, "goose", []valueStep{{text, true}})
	const (
		queued  = "Queued -- not yet /* started */"
		running = `it's "running"`
		failed  = `back\slash \\ and 100% $$ ` + "`code`" + ` | pipe`
	)
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := connect(t, d, d.dsn(t))
			tbl := ident(d, "jobs")
			mustExec(t, db, "CREATE TABLE "+tbl+" (id VARCHAR(20) PRIMARY KEY)")
			r := newRunner(t, d, db, "goose", h.dir(d.name))
			r.up(t)
			update := rebind(d, "UPDATE "+tbl+" SET "+ident(d, "state")+" = ? WHERE id = ?")
			mustExec(t, db, rebind(d, "INSERT INTO "+tbl+" (id, "+ident(d, "state")+") VALUES (?, ?)"), "j", queued)
			mustExec(t, db, update, running, "j")
			mustExec(t, db, update, failed, "j")
			_, err = db.Exec(update, running, "j")
			if err == nil || !strings.Contains(err.Error(), "not a transition of job_state") {
				t.Fatalf("the illegal move %q -> %q: %v", failed, running, err)
			}
			if d.name != "sqlite" && !strings.Contains(err.Error(), failed) { // SQLite's message is a constant
				t.Errorf("the refusal does not name the state as stored: %v", err)
			}
			_, err = db.Exec(rebind(d, "INSERT INTO "+tbl+" (id, "+ident(d, "state")+") VALUES (?, ?)"), "k", running)
			if err == nil || !strings.Contains(err.Error(), "not an entry state of job_state") {
				t.Fatalf("an insert in %q: %v", running, err)
			}
			if err := r.downTo(0); err != nil {
				t.Fatalf("down to 0: %v", err)
			}
			r.up(t)
		})
	}
}
