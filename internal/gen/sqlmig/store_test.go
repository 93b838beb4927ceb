package sqlmig_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/cli"
	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	sqldialects "github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
)

// storeHistory generates, in order: the seed without the store (versions 1
// and 2), the seed turning on history and enforcement (3), a change of the
// transitions alone (4: processing may now be aborted), and enforcement
// turned off again (5), a rename (6).
func storeHistory(t *testing.T, format string) string {
	t.Helper()
	specs := specVersions(t, format)[:2]
	seed := mustReplace(t, specs[1], "\nsql:\n", "\nsql:\n"+storeKeys)
	more := mustReplace(t, seed, "      finish: finished\n      timeout: error\n  finished:", "      abort: aborting\n      finish: finished\n      timeout: error\n  finished:")
	off := mustReplace(t, more, "  enforce: transitions\n", "")
	renamed := strings.ReplaceAll(off, "reapplying", "reprocessing")
	renamed = mustReplace(t, renamed, "  reprocessing:\n", "  reprocessing:\n    renamed_from: reapplying\n")
	out := t.TempDir()
	for i, text := range append(specs, seed, more, off, renamed) {
		spec := filepath.Join(t.TempDir(), "states.yaml")
		writeFile(t, spec, text)
		if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("version %d: generate: %s", i+1, stderr)
		}
	}
	return out
}

func TestStoreMigrationsGoose(t *testing.T) {
	out := storeHistory(t, "goose")
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := open(t, d)
			storeScenario(t, d, db, newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name))))
		})
	}
}

func TestStoreMigrationsGolangMigrate(t *testing.T) {
	out := storeHistory(t, "golang-migrate")
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := open(t, d)
			storeScenario(t, d, db, newRunner(t, d, db, "golang-migrate", os.DirFS(filepath.Join(out, "migrations", d.name))))
		})
	}
}

func storeScenario(t *testing.T, d dialect, db *sql.DB, r runner) {
	r.upTo(t, 3)
	mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), "n", "starting")
	enforced(t, d, db, true)
	historyTable(t, d, db, true)
	if !move(t, d, db, "n", "processing", false) {
		t.Fatal("bypass: a forced move was refused")
	}
	if move(t, d, db, "n", "aborting", true) {
		t.Fatal("version 3: processing -> aborting was accepted")
	}
	// The bypass lasts one transaction (MySQL: until it is switched off).
	if move(t, d, db, "n", "starting", true) {
		t.Fatal("the bypass outlived its transaction")
	}

	r.upTo(t, 4)
	if !move(t, d, db, "n", "aborting", true) {
		t.Fatal("version 4: processing -> aborting was refused")
	}
	move(t, d, db, "n", "processing", false)
	if err := r.downTo(3); err != nil {
		t.Fatalf("down to 3: %v", err)
	}
	if move(t, d, db, "n", "aborting", true) {
		t.Fatal("down to 3: processing -> aborting was accepted")
	}
	enforced(t, d, db, true)
	r.upTo(t, 4)
	if !move(t, d, db, "n", "aborting", true) {
		t.Fatal("up to 4 again: processing -> aborting was refused")
	}

	r.upTo(t, 5)
	enforced(t, d, db, false)
	if err := r.downTo(4); err != nil {
		t.Fatalf("down to 4: %v", err)
	}
	move(t, d, db, "n", "starting", false)
	enforced(t, d, db, true)

	// A Down dropping the history table refuses while it holds a move,
	// before it changed anything.
	mustExec(t, db, `INSERT INTO nodes_history (uuid, from_state, to_state, event) VALUES ('n', 'starting', 'waiting', 'wait')`)
	if err := r.downTo(3); err != nil {
		t.Fatalf("down to 3: %v", err)
	}
	if err := r.downTo(2); err == nil || !strings.Contains(err.Error(), "nodes_history holds recorded moves") {
		t.Fatalf("down to 2 with history rows: %v", err)
	}
	if v := r.version(t); v != 3 {
		t.Fatalf("a refused Down left version %d, want 3", v)
	}
	if d.name == "mysql" {
		noRoutinesLeft(t, db, "the refused Down")
	}
	enforced(t, d, db, true)
	mustExec(t, db, `DELETE FROM nodes_history`)
	if err := r.downTo(2); err != nil {
		t.Fatalf("down to 2: %v", err)
	}
	enforced(t, d, db, false)
	historyTable(t, d, db, false)
	r.upTo(t, 5)
	historyTable(t, d, db, true)

	// A rename rewrites the state's spelling in past moves, both ways, in
	// more than two batches of them (dialect.BatchSize) on each side of
	// the rows of node n; other rows stay as they were.
	pastMoves(t, db, "a", sqldialect.BatchSize+1)
	mustExec(t, db, `INSERT INTO nodes_history (uuid, from_state, to_state, event) VALUES ('n', 'finished', 'reapplying', 'reapply'), ('n', 'reapplying', 'gone', 'x')`)
	pastMoves(t, db, "b", sqldialect.BatchSize+1)
	r.upTo(t, 6)
	historyRows(t, db, "finished reprocessing reapply", "reprocessing gone x")
	if n := strs(t, db, `SELECT COUNT(*) FROM nodes_history WHERE uuid <> 'n' AND (from_state <> 'reprocessing' OR to_state <> 'finished')`); n[0] != "0" {
		t.Fatalf("up to 6: %s past moves not respelled", n[0])
	}
	if err := r.downTo(5); err != nil {
		t.Fatalf("down to 5: %v", err)
	}
	historyRows(t, db, "finished reapplying reapply", "reapplying gone x")
	if n := strs(t, db, `SELECT COUNT(*) FROM nodes_history WHERE uuid <> 'n' AND (from_state <> 'reapplying' OR to_state <> 'finished')`); n[0] != "0" {
		t.Fatalf("down to 5: %s past moves not as they were", n[0])
	}
}

// pastMoves records n moves from reapplying to finished of nodes named
// prefix0 and on in the history table.
func pastMoves(t *testing.T, db *sql.DB, prefix string, n int) {
	t.Helper()
	for _, q := range inserts("nodes_history (uuid, from_state, to_state, event)", n, func(j int) string {
		return fmt.Sprintf("('%s%d', 'reapplying', 'finished', 'y')", prefix, j)
	}) {
		mustExec(t, db, q)
	}
}

func historyRows(t *testing.T, db *sql.DB, want ...string) {
	t.Helper()
	rows, err := db.Query(`SELECT from_state, to_state, event FROM nodes_history WHERE uuid = 'n' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var f, to, ev string
		if err := rows.Scan(&f, &to, &ev); err != nil {
			t.Fatal(err)
		}
		got = append(got, f+" "+to+" "+ev)
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("history rows: got %q, want %q", got, want)
	}
}

// enforced checks the raw-SQL rules: an illegal UPDATE and an INSERT
// outside the entry states fail with a message naming table, key and
// states; legal ones and unchanged states pass.
func enforced(t *testing.T, d dialect, db *sql.DB, on bool) {
	t.Helper()
	mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), "e", "finished")
	defer mustExec(t, db, `DELETE FROM nodes WHERE uuid = 'e' OR uuid = 'w'`)
	_, err := db.Exec(rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), "waiting", "e")
	if on && (err == nil || !strings.Contains(err.Error(), refusal(d, "nodes: row uuid = e: state finished -> waiting is not a transition of node_state"))) {
		t.Fatalf("illegal UPDATE finished -> waiting: %v", err)
	}
	if !on && err != nil {
		t.Fatalf("without enforcement, UPDATE finished -> waiting: %v", err)
	}
	if on {
		mustExec(t, db, rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), "starting", "e")
		mustExec(t, db, rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), "starting", "e")
		mustExec(t, db, `UPDATE nodes SET uuid = 'e' WHERE uuid = 'e'`)
	}
	_, err = db.Exec(rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), "w", "waiting")
	if on && (err == nil || !strings.Contains(err.Error(), refusal(d, "nodes: row uuid = w: cannot insert in state waiting, which is not an entry state of node_state"))) {
		t.Fatalf("INSERT in waiting: %v", err)
	}
	if !on && err != nil {
		t.Fatalf("without enforcement, INSERT in waiting: %v", err)
	}
}

// refusal is the triggers' message for full's refusal: on SQLite a
// constant, since SQLite before 3.47 reads only a literal in RAISE.
func refusal(d dialect, full string) string {
	if d.name != "sqlite" {
		return full
	}
	if strings.Contains(full, "cannot insert") {
		return "nodes: cannot insert a row in a state that is not an entry state of node_state"
	}
	return "nodes: the state change is not a transition of node_state"
}

// move sets the state of row key in one transaction, bypassing
// enforcement unless enforce is set, and reports whether it was accepted.
func move(t *testing.T, d dialect, db *sql.DB, key, state string, enforce bool) bool {
	t.Helper()
	return inTx(t, d, db, !enforce, func(tx *sql.Tx) bool {
		if _, err := tx.Exec(rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), state, key); err != nil {
			if !strings.Contains(err.Error(), "is not a transition of node_state") {
				t.Fatalf("move to %s: %v", state, err)
			}
			return false
		}
		return true
	})
}

// inTx runs body in one transaction, past enforcement as the owner with
// bypass, and commits it unless body reports false.
func inTx(t *testing.T, d dialect, db *sql.DB, bypass bool, body func(tx *sql.Tx) bool) bool {
	t.Helper()
	dl := sqldialects.For(d.name)
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if bypass {
		if _, err := tx.Exec(dl.BypassOn()); err != nil {
			t.Fatalf("bypass: %v", err)
		}
	}
	if !body(tx) {
		return false
	}
	if off := dl.BypassOff(); off != "" && bypass {
		if _, err := tx.Exec(off); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return true
}

func historyTable(t *testing.T, d dialect, db *sql.DB, exists bool) {
	t.Helper()
	_, err := db.Exec(`SELECT COUNT(*) FROM nodes_history`)
	if exists != (err == nil) {
		t.Fatalf("history table exists = %v, want %v (%v)", err == nil, exists, err)
	}
}

// TestHistoryTableStays refuses the spec changes a history table cannot
// follow without losing what it recorded.
func TestHistoryTableStays(t *testing.T) {
	seed := mustReplace(t, specVersions(t, "goose")[1], "\nsql:\n", "\nsql:\n"+storeKeys)
	spec, out := filepath.Join(t.TempDir(), "states.yaml"), t.TempDir()
	writeFile(t, spec, seed)
	if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
		t.Fatalf("generate: %s", stderr)
	}
	writeFile(t, spec, mustReplace(t, seed, "  history: nodes_history\n", ""))
	expectRefusal(t, spec, out, `sql history is "" but the migration history \(.*\) created the table "nodes_history"`)
	writeFile(t, spec, mustReplace(t, seed, "  key: uuid\n", "  key: id\n"))
	expectRefusal(t, spec, out, `sql key is "id" but the history table "nodes_history" records keys of "uuid"`)
}

// TestOnlyChangedTriggersAreRestated: a change of the moves alone
// restates the UPDATE trigger and leaves the INSERT trigger as it is. From
// triggers an older fsmgen wrote (an older form in the history) it
// restates both, so that none is left in the old form.
func TestOnlyChangedTriggersAreRestated(t *testing.T) {
	specs := specVersions(t, "goose")[:2]
	seed := mustReplace(t, specs[1], "\nsql:\n", "\nsql:\n"+storeKeys)
	more := mustReplace(t, seed, "      finish: finished\n      timeout: error\n  finished:", "      abort: aborting\n      finish: finished\n      timeout: error\n  finished:")
	triggers := map[string][2]*regexp.Regexp{
		"mysql":  {regexp.MustCompile("CREATE TRIGGER (IF NOT EXISTS )?`node_state_enforce_i"), regexp.MustCompile("CREATE TRIGGER (IF NOT EXISTS )?`node_state_enforce_u")},
		"sqlite": {regexp.MustCompile(`CREATE TRIGGER "node_state_enforce_insert"`), regexp.MustCompile(`CREATE TRIGGER "node_state_enforce_update"`)},
	}
	for _, outdated := range []bool{false, true} {
		out := t.TempDir()
		spec := filepath.Join(t.TempDir(), "states.yaml")
		for i, text := range append(specs, seed, more) {
			if i == 3 && outdated {
				for name := range triggers {
					olderForm(t, out, name)
				}
			}
			writeFile(t, spec, text)
			if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
				t.Fatalf("version %d: generate: %s", i+1, stderr)
			}
		}
		for name, tr := range triggers {
			files, err := filepath.Glob(filepath.Join(out, "migrations", name, "00004_*.sql"))
			if err != nil || len(files) != 1 {
				t.Fatalf("%s: version 4 is %v (%v)", name, files, err)
			}
			b, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			up, down, _ := strings.Cut(string(b), "-- +goose Down")
			for dir, text := range map[string]string{"up": up, "down": down} {
				if !tr[1].MatchString(text) {
					t.Errorf("%s %s (outdated %v): the UPDATE trigger is not restated", name, dir, outdated)
				}
				// The Down goes back to rules this fsmgen wrote, but on
				// MySQL an older form's triggers have other names (their
				// text's hash came with form 3), which verify looks for.
				if want := outdated && (dir == "up" || name == "mysql"); tr[0].MatchString(text) != want {
					t.Errorf("%s %s (outdated %v): INSERT trigger restated: %v, want %v", name, dir, outdated, !want, want)
				}
			}
		}
	}
}

// TestTriggersOfAnOlderFormAreReplaced: a history whose triggers a
// dialect now writes in another form gets one migration that replaces
// them, with the same rules, and records the new form; a history in the
// current form gets none.
func TestTriggersOfAnOlderFormAreReplaced(t *testing.T) {
	seed := mustReplace(t, specVersions(t, "goose")[1], "\nsql:\n", "\nsql:\n"+storeKeys)
	for _, name := range []string{"postgres", "mysql", "sqlite"} {
		form := sqldialects.For(name).EnforceForm()
		for _, older := range []bool{false, true} {
			out := t.TempDir()
			spec := filepath.Join(t.TempDir(), "states.yaml")
			writeFile(t, spec, seed)
			if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
				t.Fatalf("generate: %s", stderr)
			}
			dir := filepath.Join(out, "migrations", name)
			if older {
				olderForm(t, out, name)
			}
			before, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
			if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
				t.Fatalf("%s: generate again: %s", name, stderr)
			}
			after, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
			if !older {
				if len(after) != len(before) {
					t.Errorf("%s: in the current form, a second generate wrote %v", name, after[len(before):])
				}
				continue
			}
			want := "_restate_triggers.sql"
			if form-1 < 2 {
				want = "_harden_triggers.sql"
			}
			if len(after) != len(before)+1 || !strings.HasSuffix(after[len(after)-1], want) {
				t.Fatalf("%s: from form %d, the new migrations are %v, want one *%s", name, form-1, after[len(before):], want)
			}
			mig, err := os.ReadFile(after[len(after)-1])
			if err != nil {
				t.Fatal(err)
			}
			// The Down keeps the triggers in the new form, with the
			// same rules.
			up, _, _ := strings.Cut(string(mig), "-- +goose Down")
			if !strings.Contains(up, "'waiting'") {
				t.Errorf("%s: the Up does not restate the rules:\n%s", name, up)
			}
			// SQLite keeps the labels with triggers too, in the same form.
			if name == "sqlite" && !strings.Contains(up, `CREATE TRIGGER "node_state_check_update"`) {
				t.Errorf("%s: the Up does not restate the value triggers:\n%s", name, up)
			}
			if b, err := os.ReadFile(filepath.Join(dir, sqlmig.HistoryName("node_state"))); err != nil || !strings.Contains(string(b), fmt.Sprintf(`"form": %d`, form)) {
				t.Errorf("%s: the history does not record form %d (%v)", name, form, err)
			}
		}
	}
}

// TestOlderFormTriggersReplacedOnEveryDatabase applies the migration that
// replaces triggers of an older form on each database, with goose and
// golang-migrate, rows in every state: up, down and up again, verify
// agreeing after it, goose's stopped after each statement and run again;
// then the rules hold as before.
func TestOlderFormTriggersReplacedOnEveryDatabase(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		specs := specVersions(t, format)[:2]
		seed := mustReplace(t, specs[1], "\nsql:\n", "\nsql:\n"+storeKeys)
		for _, d := range dialects {
			t.Run(format+"/"+d.name, func(t *testing.T) {
				out := t.TempDir()
				spec := filepath.Join(t.TempDir(), "states.yaml")
				gen := func() {
					t.Helper()
					if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
						t.Fatalf("generate: %s", stderr)
					}
				}
				for _, text := range append(specs, seed) {
					writeFile(t, spec, text)
					gen()
				}
				dir := filepath.Join(out, "migrations", d.name)
				olderForm(t, out, d.name)
				gen()
				const v = 4 // the seed's two versions, the store's, then this
				var up, down []string
				if format == "goose" {
					up, down = migrationStatements(t, dir, v)
				}
				db, url := openURL(t, d)
				r := newRunner(t, d, db, format, os.DirFS(dir))
				r.upTo(t, 1)
				for _, s := range specLabels(t, specs[0]) {
					mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), s, s)
				}
				r.upTo(t, v-1)
				rerunEach(t, d, db, r, format, v, up, down, func() error {
					if code, stdout, stderr := run("verify", "-db", url, "-spec", spec, "-out", out); code != cli.ExitOK {
						return fmt.Errorf("exit %d: %s%s", code, stdout, stderr)
					}
					return nil
				}, true)
				if v := r.version(t); v != 4 {
					t.Fatalf("at version %d, want 4", v)
				}
				if !move(t, d, db, "starting", "waiting", true) {
					t.Error("starting -> waiting refused")
				}
				if move(t, d, db, "waiting", "finished", true) {
					t.Error("waiting -> finished let through")
				}
				if accepts(t, d, db, "bogus") {
					t.Error("a label the machine lacks let through")
				}
			})
		}
	}
}

// olderForm edits the seed's history of dialect name under out to record
// triggers of the form before the one the dialect writes now.
func olderForm(t *testing.T, out, name string) {
	t.Helper()
	p := filepath.Join(out, "migrations", name, sqlmig.HistoryName("node_state"))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	form := sqldialects.For(name).EnforceForm()
	writeFile(t, p, mustReplace(t, string(b), fmt.Sprintf(`"form": %d`, form), fmt.Sprintf(`"form": %d`, form-1)))
}

// TestStatesTriggersOfFixedNamesAreReplaced: an older fsmgen gave MySQL's
// states triggers fixed names, which a database built by its history
// still has, and verify accepts. The next change replaces them by
// triggers named after their text, also when it stopped after any of its
// statements and ran again.
func TestStatesTriggersOfFixedNamesAreReplaced(t *testing.T) {
	d := dialectNamed("mysql")
	specs := specVersions(t, "goose")[:3]
	out := t.TempDir()
	spec := filepath.Join(t.TempDir(), "states.yaml")
	gen := func(text string) {
		t.Helper()
		writeFile(t, spec, text)
		if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("generate: %s", stderr)
		}
	}
	db, url := openURL(t, d)
	verify := func() {
		t.Helper()
		if code, stdout, stderr := run("verify", "-db", url, "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("verify: exit %d: %s%s", code, stdout, stderr)
		}
	}
	// states returns the states triggers: name, event and body.
	states := func() [][3]string {
		t.Helper()
		rows, err := db.Query(`SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'nodes\_state\_fsmgen\_%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got [][3]string
		for rows.Next() {
			var r [3]string
			if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	// older gives the states triggers the older fsmgen's names.
	older := func() {
		t.Helper()
		ts := states()
		if len(ts) != 2 {
			t.Fatalf("states triggers at version 2: %v, want two", ts)
		}
		for _, r := range ts {
			fixed := map[string]string{"INSERT": "nodes_state_fsmgen_ins", "UPDATE": "nodes_state_fsmgen_upd"}[r[1]]
			mustExec(t, db, "CREATE TRIGGER "+fixed+" BEFORE "+r[1]+" ON nodes FOR EACH ROW "+r[2])
			mustExec(t, db, "DROP TRIGGER "+r[0])
		}
	}
	gen(specs[0])
	gen(specs[1])
	dir := filepath.Join(out, "migrations", d.name)
	r := newRunner(t, d, db, "goose", os.DirFS(dir))
	r.upTo(t, 1)
	for _, s := range specLabels(t, specs[0]) {
		mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`, s, s)
	}
	r.upTo(t, 2)
	older()
	verify()
	gen(specs[2])
	r = newRunner(t, d, db, "goose", os.DirFS(dir))
	r.upTo(t, 3)
	verify()
	want := schemaOf(t, d, db)
	up, _ := migrationStatements(t, dir, 3)
	for n := 1; n <= len(up); n++ {
		mustDown(t, r, 2)
		older()
		partial(t, db, up[:n])
		r.upTo(t, 3)
		verify()
		if diff := cmp.Diff(want, schemaOf(t, d, db)); diff != "" {
			t.Fatalf("stopped after statement %d of %d and run again, differs from a clean run (-want +got):\n%s", n, len(up), diff)
		}
	}
	for _, r := range states() {
		if strings.HasSuffix(r[0], "_ins") || strings.HasSuffix(r[0], "_upd") {
			t.Errorf("trigger %s of the older fsmgen is still there", r[0])
		}
	}
	if !accepts(t, d, db, "paused") {
		t.Error("paused, new at version 3, refused")
	}
	if accepts(t, d, db, "bogus") {
		t.Error("a label the machine lacks let through")
	}
}

// TestEnforcedColumnHasNoStatesTriggers: on MySQL the enforcement triggers
// keep the enforced column to the machine's labels, a retired one in its
// ENUM included, against a session whose lax sql_mode turns an unknown
// label into ”; the column then has no states triggers. They come back
// when enforcement stops, before its triggers go, and go again with its
// Down.
func TestEnforcedColumnHasNoStatesTriggers(t *testing.T) {
	d := dialectNamed("mysql")
	specs := specVersions(t, "goose")
	for i := 1; i < len(specs); i++ {
		specs[i] = mustReplace(t, specs[i], "\nsql:\n", "\nsql:\n"+storeKeys)
	}
	off := mustReplace(t, specs[4], "  enforce: transitions\n", "")
	out := generateAll(t, append(specs, off))
	dir := filepath.Join(out, "migrations", d.name)
	last := specVersionsOf(t, append(specs, off), d.name)
	db, _ := openURL(t, d)
	r := newRunner(t, d, db, "goose", os.DirFS(dir))
	r.upTo(t, 1)
	mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('w', 'waiting')`)
	r.upTo(t, last[4])
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET SESSION sql_mode = ''`); err != nil {
		t.Fatal(err)
	}
	states := func() int {
		t.Helper()
		return len(strs(t, db, `SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'nodes\_state\_fsmgen\_%'`))
	}
	refused := func(when string) {
		t.Helper()
		for _, q := range []string{
			`INSERT INTO nodes (uuid, state) VALUES ('x', 'aborting')`,
			`INSERT INTO nodes (uuid, state) VALUES ('x', 'bogus')`,
			`UPDATE nodes SET state = 'aborting' WHERE uuid = 'w'`,
			`UPDATE nodes SET state = 'bogus' WHERE uuid = 'w'`,
		} {
			if _, err := conn.ExecContext(ctx, q); err == nil {
				t.Errorf("%s: %s let through in a lax sql_mode", when, q)
			}
		}
	}
	if n := states(); n != 0 {
		t.Fatalf("enforced, the column has %d states triggers, want none", n)
	}
	refused("enforced, aborting retired")
	r.upTo(t, last[5])
	if n := states(); n != 2 {
		t.Fatalf("enforcement stopped: the column has %d states triggers, want 2", n)
	}
	refused("not enforced")
	if err := r.downTo(last[4]); err != nil {
		t.Fatal(err)
	}
	if n := states(); n != 0 {
		t.Fatalf("enforced again: the column has %d states triggers, want none", n)
	}
	refused("enforced again")
}
