package sqlmig_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// serverDialects are the dialects whose enforcement must hold against other
// roles: SQLite has none (whoever can write the file can drop triggers).
func serverDialects() []dialect { return dialects[:2] }

// enforcedDB is a database at version 3 of storeHistory (history and
// enforced transitions) with a row n in processing, and its URL.
func enforcedDB(t *testing.T, d dialect) (*sql.DB, string) {
	t.Helper()
	db, u := openURL(t, d)
	newRunner(t, d, db, "goose", os.DirFS(filepath.Join(storeHistory(t, "goose"), "migrations", d.name))).upTo(t, 3)
	mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), "n", "starting")
	mustExec(t, db, rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), "waiting", "n")
	mustExec(t, db, rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), "processing", "n")
	return db, u
}

// writerRole creates a login role that may only read, insert and update
// nodes, and returns a connection as that role. extra is appended to its
// URL's query (PostgreSQL) or set as its connection parameters (MySQL).
func writerRole(t *testing.T, d dialect, db *sql.DB, dbURL, name string, extra map[string]string) *sql.DB {
	t.Helper()
	var u string
	switch d.name {
	case "postgres":
		mustExec(t, db, fmt.Sprintf(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%[1]s') THEN CREATE ROLE %[1]s LOGIN; END IF; END $$`, name))
		mustExec(t, db, fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE ON nodes TO %s`, name))
		p, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		p.User = url.User(name)
		for k, v := range extra {
			// PathEscape: pgx reads "+" as itself, not as a space.
			p.RawQuery += "&" + url.QueryEscape(k) + "=" + strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
		}
		u = p.String()
	case "mysql":
		mustExec(t, db, fmt.Sprintf(`CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY 'pw'`, name))
		mustExec(t, db, fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE ON nodes TO '%s'@'%%'`, name))
		cfg, err := mysql.ParseDSN(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		cfg.User, cfg.Passwd = name, "pw"
		for k, v := range extra {
			if cfg.Params == nil {
				cfg.Params = map[string]string{}
			}
			cfg.Params[k] = v
		}
		u = cfg.FormatDSN()
	}
	return connect(t, d, u)
}

// TestOrdinaryWriterCannotBypass: a role that may only write the table
// cannot make an illegal move or insert, whatever setting the triggers
// read it sets, in a transaction or for its whole session; the migrating
// role (the owner, the triggers' definer) still can.
func TestOrdinaryWriterCannotBypass(t *testing.T) {
	for _, d := range serverDialects() {
		t.Run(d.name, func(t *testing.T) {
			db, u := enforcedDB(t, d)
			ctx := context.Background()
			role := "fsmgen_writer_" + strings.ReplaceAll(filepath.Base(t.TempDir()), "-", "")
			var sessions []struct {
				what string
				db   *sql.DB
				set  []string // run in the move's transaction first
			}
			add := func(what string, db *sql.DB, set ...string) {
				sessions = append(sessions, struct {
					what string
					db   *sql.DB
					set  []string
				}{what, db, set})
			}
			plain := writerRole(t, d, db, u, role, nil)
			switch d.name {
			case "postgres":
				add("SET LOCAL", plain, `SET LOCAL fsmgen.bypass = 'on'`)
				add("set_config for the session", plain, `SELECT set_config('fsmgen.bypass', 'on', false)`)
				add("SET for the session", plain, `SET fsmgen.bypass = on`)
				add("options in the connection", writerRole(t, d, db, u, role, map[string]string{"options": "-c fsmgen.bypass=on"}))
				add("a SET ROLE it may not", plain, `SET LOCAL ROLE postgres`, `SET LOCAL fsmgen.bypass = 'on'`)
			case "mysql":
				for _, v := range []string{"1", "0", "'off'", "'on'", "'1'", "TRUE", "''"} {
					add("@fsmgen_bypass = "+v, plain, "SET @fsmgen_bypass = "+v)
				}
			}
			for _, s := range sessions {
				for i, stmt := range []string{
					rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`),
					rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`),
				} {
					args := []any{"waiting", "n"} // processing -> waiting
					if i == 1 {
						args = []any{"x", "waiting"}
					}
					tx, err := s.db.BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					for _, set := range s.set {
						tx.ExecContext(ctx, set) // a setting it may not make fails; the write must fail either way
					}
					_, err = tx.ExecContext(ctx, stmt, args...)
					if err == nil {
						err = tx.Commit()
					} else {
						tx.Rollback()
					}
					if err == nil {
						t.Errorf("%s: a writer role made the illegal %q %v", s.what, stmt, args)
					}
				}
			}
			if got := counts(t, db); got["processing"] != 1 || got["waiting"] != 0 {
				t.Fatalf("rows per state after the attempts: %v", got)
			}
			// The migrating role still can, in its own transaction.
			if !move(t, d, db, "n", "waiting", false) {
				t.Fatal("the owner's bypass was refused")
			}
		})
	}
}

// TestSearchPathHijack: a role that can create objects in a schema on a
// privileged caller's search_path defines = for the enum; the trigger
// function, run for that caller, must not call it.
func TestSearchPathHijack(t *testing.T) {
	d := dialectNamed("postgres")
	db, _ := enforcedDB(t, d)
	role := "fsmgen_mallory_" + strings.ReplaceAll(filepath.Base(t.TempDir()), "-", "")
	for _, stmt := range []string{
		`CREATE ROLE ` + role,
		`GRANT CREATE, USAGE ON SCHEMA public TO ` + role,
		`SET ROLE ` + role,
		`CREATE TABLE hijacked (who text)`,
		`GRANT INSERT ON hijacked TO PUBLIC`,
		`CREATE FUNCTION public.evil_eq(node_state, node_state) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.hijacked VALUES (current_user); RETURN $1::text = $2::text; END $$`,
		`CREATE OPERATOR public.= (LEFTARG = node_state, RIGHTARG = node_state, FUNCTION = public.evil_eq)`,
		`RESET ROLE`,
	} {
		mustExec(t, db, stmt)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	for _, stmt := range []string{`SET search_path = "$user", public`, `UPDATE nodes SET note = 'x'`, `UPDATE nodes SET state = 'finished' WHERE uuid = 'n'`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if who := strs(t, db, `SELECT who FROM hijacked`); len(who) != 0 {
		t.Fatalf("the trigger called another role's operator as %q", who)
	}
}

// TestEnforcedWhileRowsMove: while a removal moves many rows (in batches
// that commit one by one), a writer keeps trying illegal moves and
// inserts in states that are no entry; none may be accepted, at any
// instant, and the migration still goes through. FSMGEN_ENFORCE_ROWS sets
// the rows moved (20,000 by default; docs/online-migrations.md gives a
// run at 100,000).
func TestEnforcedWhileRowsMove(t *testing.T) {
	rows := 20000
	if n, err := strconv.Atoi(os.Getenv("FSMGEN_ENFORCE_ROWS")); err == nil && n > 0 {
		rows = n
	}
	specs := specVersions(t, "goose")
	for i := range specs {
		specs[i] = mustReplace(t, specs[i], "\nsql:\n", "\nsql:\n"+storeKeys)
	}
	out := generateAll(t, specs)
	for _, d := range serverDialects() {
		t.Run(d.name, func(t *testing.T) {
			db, u := openURL(t, d)
			r := newRunner(t, d, db, "goose", os.DirFS(filepath.Join(out, "migrations", d.name)))
			r.upTo(t, 4)
			fill(t, d, db, rows, "r", "aborting")
			writer := writerRole(t, d, db, u, "fsmgen_w_"+strings.ReplaceAll(filepath.Base(t.TempDir()), "-", ""), nil)
			mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), "f", "finished")
			var accepted, tries atomic.Int64
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-done:
						return
					default:
					}
					// finished -> waiting is illegal in every version;
					// aborting -> finished too; waiting is no entry state.
					for _, w := range []struct {
						q    string
						args []any
					}{
						{`UPDATE nodes SET state = ? WHERE uuid = ?`, []any{"waiting", "f"}},
						{`UPDATE nodes SET state = ? WHERE uuid = ?`, []any{"finished", fmt.Sprintf("r%d", n%rows)}},
						{`INSERT INTO nodes (uuid, state) VALUES (?, ?)`, []any{fmt.Sprintf("w%d", n), "waiting"}},
					} {
						tries.Add(1)
						if _, err := writer.Exec(rebind(d, w.q), w.args...); err == nil {
							accepted.Add(1)
						}
					}
				}
			}()
			r.up(t)
			close(done)
			wg.Wait()
			if tries.Load() < 10 {
				t.Fatalf("the writer tried only %d times while the migration ran", tries.Load())
			}
			if n := accepted.Load(); n != 0 {
				t.Fatalf("%d of %d illegal writes were accepted while the migration ran", n, tries.Load())
			}
			t.Logf("%d rows moved; 0 of %d illegal writes accepted", rows, tries.Load())
			if got := counts(t, db); got["error"] != rows || got["aborting"] != 0 {
				t.Fatalf("rows per state after the removal: %v", got)
			}
		})
	}
}

// TestOlderSQLiteReadsTheFile: Debian 12's sqlite3 (3.40) opens a database
// whose triggers the migrations created, and the triggers still refuse an
// illegal move there. A RAISE with an expression (SQLite 3.47) made it
// refuse the whole file: "malformed database schema".
func TestOlderSQLiteReadsTheFile(t *testing.T) {
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sqlite3 not found; CI is set, so this fails instead of skipping (Debian package sqlite3, bash .ci/deps)")
		}
		t.Skip("sqlite3 not found; install Debian package sqlite3 (bash .ci/deps)")
	}
	d := dialectNamed("sqlite")
	file := filepath.Join(t.TempDir(), "nodes.db")
	db := connect(t, d, "file:"+file)
	mustExec(t, db, `CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, note VARCHAR(20))`)
	newRunner(t, d, db, "goose", os.DirFS(filepath.Join(storeHistory(t, "goose"), "migrations", d.name))).upTo(t, 3)
	mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('n', 'finished')`)
	db.Close()
	sqlite := func(stmt string) (string, error) {
		out, err := exec.Command(cli, file, stmt).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	version, _ := sqlite("SELECT sqlite_version()")
	if out, err := sqlite("SELECT state FROM nodes"); err != nil || out != "finished" {
		t.Fatalf("sqlite3 %s cannot read the file: %v\n%s", version, err, out)
	}
	if out, err := sqlite("UPDATE nodes SET state = 'waiting' WHERE uuid = 'n'"); err == nil || !strings.Contains(out, "not a transition of node_state") {
		t.Fatalf("sqlite3 %s: the illegal move finished -> waiting: %v\n%s", version, err, out)
	}
	if out, err := sqlite("UPDATE nodes SET state = 'starting' WHERE uuid = 'n'"); err != nil {
		t.Fatalf("sqlite3 %s: the legal move finished -> starting: %v\n%s", version, err, out)
	}
}

// TestRulesFollowEnumChanges: with enforcement on from the first version,
// the seed's versions (a state added, another, a rename, a removal), then
// a state that only adds rules (archived, and error -> finished) and its
// removal, which only takes rules away, leave exactly each version's rules after every Up
// and every Down: a move between two of its labels passes exactly when
// the version's record allows it, and an insert exactly in its entry
// states. A change that only adds rules restates them once, before the
// labels change, one that only takes rules away once after: this holds
// those shortcuts to the rules.
func TestRulesFollowEnumChanges(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		t.Run(format, func(t *testing.T) { rulesFollow(t, format) })
	}
}

func rulesFollow(t *testing.T, format string) {
	specs := specVersions(t, format)
	last := specs[len(specs)-1]
	archived := mustReplace(t, last, "      reapply: reprocessing\n      start: starting\n  error:", "      reapply: reprocessing\n      start: starting\n      archive: archived\n  archived:\n    doc: kept for the record\n  error:")
	archived = mustReplace(t, archived, "      error: error\n      reapply: reprocessing\n", "      error: error\n      archive: finished\n      reapply: reprocessing\n")
	archived = mustReplace(t, archived, "\nevents:\n", "\nevents:\n  archive:\n    doc: archive the node\n")
	unarchived := mustReplace(t, last, "\nremoved:\n", "\nremoved:\n  archived:\n    doc: no longer kept\n    rows_to: finished\n")
	specs = append(specs, archived, unarchived)
	for i := range specs {
		specs[i] = mustReplace(t, specs[i], "\nsql:\n", "\nsql:\n"+storeKeys)
	}
	out := generateAll(t, specs)
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ends := specVersionsOf(t, specs, d.name)
			var rules []recordedRules
			for k := range specs {
				rules = append(rules, rulesOf(t, filepath.Join(generateAll(t, specs[:k+1]), "migrations", d.name)))
			}
			db := open(t, d)
			r := newRunner(t, d, db, format, os.DirFS(filepath.Join(out, "migrations", d.name)))
			for k := range specs {
				r.upTo(t, ends[k])
				rulesHold(t, d, db, rules[k], fmt.Sprintf("up to version %d", k+1))
			}
			for k := len(specs) - 2; k >= 0; k-- {
				mustExec(t, db, `DELETE FROM nodes`)
				if err := r.downTo(ends[k]); err != nil {
					t.Fatalf("down to version %d: %v", k+1, err)
				}
				rulesHold(t, d, db, rules[k], fmt.Sprintf("down to version %d", k+1))
			}
		})
	}
}

// recordedRules are a version's labels and the rules its migration
// history records.
type recordedRules struct {
	States []string `json:"states"`
	Store  struct {
		Enforce struct {
			Moves   [][2]string `json:"moves"`
			Entries []string    `json:"entries"`
		} `json:"enforce"`
	} `json:"store"`
}

func rulesOf(t *testing.T, dir string) recordedRules {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "node_state.fsmgen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r recordedRules
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Store.Enforce.Moves) == 0 {
		t.Fatalf("%s records no rules", dir)
	}
	return r
}

// rulesHold tries every insert and every move between two of r's labels,
// with enforcement on, and wants exactly r's allowed; each try rolls
// back.
func rulesHold(t *testing.T, d dialect, db *sql.DB, r recordedRules, when string) {
	t.Helper()
	mustExec(t, db, `DELETE FROM nodes`)
	for i, from := range r.States {
		key := fmt.Sprintf("r%d", i)
		_, err := db.Exec(rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), key, from)
		if entry := slices.Contains(r.Store.Enforce.Entries, from); (err == nil) != entry {
			t.Errorf("%s: an insert in %s: %v, want it accepted: %v", when, from, err, entry)
		}
		if err != nil {
			inTx(t, d, db, true, func(tx *sql.Tx) bool {
				_, err := tx.Exec(rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), key, from)
				if err != nil {
					t.Fatalf("%s: a forced insert in %s: %v", when, from, err)
				}
				return true
			})
		}
		for _, to := range r.States {
			if to == from {
				continue
			}
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.Exec(rebind(d, `UPDATE nodes SET state = ? WHERE uuid = ?`), to, key)
			tx.Rollback()
			if allowed := slices.Contains(r.Store.Enforce.Moves, [2]string{from, to}); (err == nil) != allowed {
				t.Errorf("%s: %s -> %s: %v, want it accepted: %v", when, from, to, err, allowed)
			}
		}
	}
}
