package sqlmig_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/golden"
)

// ajar is a state value beyond ASCII, which a latin1 column cannot hold.
const ajar = "entrebâillée"

// doorSpec is a MySQL-only machine: shut and opened, and with a value a
// third state, ajar, that has it. sqlKeys are its sql keys.
func doorSpec(value, sqlKeys string) string {
	s := "version: 1\nmachine: door\ninitial: shut\nstates:\n" +
		"  shut:\n    doc: shut\n    transitions:\n      open: opened\n"
	if value != "" {
		s += "      push: ajar\n  ajar:\n    doc: ajar\n    value: " + value + "\n    transitions:\n      close: shut\n"
	}
	s += "  opened:\n    doc: open\n    transitions:\n      close: shut\n" +
		"events:\n  open:\n    doc: open\n  close:\n    doc: close\n"
	if value != "" {
		s += "  push:\n    doc: push it a little\n"
	}
	return s + "sql:\n" + sqlKeys
}

// doorsSQL are doorSpec's usual sql keys.
const doorsSQL = "  enum: door_state\n  table: doors\n  column: state\n  default: shut\n  dialects: [mysql]\n"

// doorsDB is an empty MariaDB database (latin1 tables, as MariaDB before
// 11.6 creates them) on one connection, with goose over out's migrations.
func doorsDB(t *testing.T, out string) (*sql.DB, gooseRunner) {
	t.Helper()
	d := dialectNamed("mysql")
	db := connect(t, d, d.dsn(t))
	db.SetMaxOpenConns(1) // session settings below hold for the migrations
	p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join(out, "migrations", "mysql")))
	if err != nil {
		t.Fatal(err)
	}
	return db, gooseRunner{p}
}

func collation(t *testing.T, db *sql.DB) string {
	t.Helper()
	c := strs(t, db, `SELECT CONCAT(COLLATION_NAME, '') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'doors' AND COLUMN_NAME = 'state'`)
	if len(c) != 1 {
		t.Fatalf("collation of doors.state: %q", c)
	}
	return c[0]
}

// TestMySQLCharsetNoCopy: fsmgen adds the column as utf8mb4_bin, so a
// later state beyond ASCII is appended in place. The session allows only
// ALGORITHM=INSTANT for every ALTER the migrations run (MariaDB's
// alter_algorithm), so a statement that copied the table would fail.
func TestMySQLCharsetNoCopy(t *testing.T) {
	out := generateAll(t, []string{doorSpec("", doorsSQL), doorSpec(ajar, doorsSQL)})
	hist, err := os.ReadFile(filepath.Join(out, "migrations", "mysql", "door_state.fsmgen.json"))
	if err != nil || !strings.Contains(string(hist), `"collation": "utf8mb4_bin"`) {
		t.Fatalf("the history does not record the column's character set (%v):\n%s", err, hist)
	}
	db, r := doorsDB(t, out)
	mustExec(t, db, `CREATE TABLE doors (id INT PRIMARY KEY)`)
	mustExec(t, db, `SET SESSION alter_algorithm = 'INSTANT'`)
	r.upTo(t, 1)
	if c := collation(t, db); c != "utf8mb4_bin" {
		t.Fatalf("the new column's collation is %s, want utf8mb4_bin", c)
	}
	mustExec(t, db, `INSERT INTO doors (id, state) VALUES (1, 'shut'), (2, 'opened')`)
	// The control: converting the column is refused in this session.
	_, err = db.Exec(`ALTER TABLE doors MODIFY COLUMN state ENUM('shut', 'opened', '` + ajar + `') CHARACTER SET latin1 NOT NULL DEFAULT 'shut'`)
	if errCode(err) != "1846" {
		t.Fatalf("a conversion under alter_algorithm=INSTANT: %v, want 1846 (not INSTANT)", err)
	}

	r.up(t)
	mustExec(t, db, `INSERT INTO doors (id, state) VALUES (3, ?)`, ajar)
	want := map[string]int{"shut": 1, "opened": 1, ajar: 1}
	if diff := cmp.Diff(want, countsOf(t, db, "doors", "state")); diff != "" {
		t.Fatalf("rows after adding %s (-want +got):\n%s", ajar, diff)
	}
	mustExec(t, db, `DELETE FROM doors WHERE id = 3`)
	if err := r.downTo(1); err != nil {
		t.Fatalf("down: %v", err)
	}
	r.up(t)
	if c := collation(t, db); c != "utf8mb4_bin" {
		t.Fatalf("after down and up the collation is %s", c)
	}
	mustExec(t, db, `INSERT INTO doors (id, state) VALUES (3, ?)`, ajar)
	if diff := cmp.Diff(want, countsOf(t, db, "doors", "state")); diff != "" {
		t.Fatalf("rows after down and up (-want +got):\n%s", diff)
	}
}

// TestCharsetKeyIsTakenOver: a history written when the column's
// collation was recorded under "charset" is read as before, check says
// the history is stale, and generate records the same collation under
// "collation", writing no migration.
func TestCharsetKeyIsTakenOver(t *testing.T) {
	out := generateAll(t, []string{doorSpec("", doorsSQL), doorSpec(ajar, doorsSQL)})
	hp := filepath.Join(out, "migrations", "mysql", "door_state.fsmgen.json")
	b, err := os.ReadFile(hp)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, hp, mustReplace(t, string(b), `"collation": "utf8mb4_bin"`, `"charset": "utf8mb4_bin"`))
	before := snapshot(t, out)
	if code, _, _ := run("check", "-spec", lastSpec(out), "-out", out); code != cli.ExitFail {
		t.Errorf("check passed on a history with the old key")
	}
	if code, _, stderr := run("generate", "-spec", lastSpec(out), "-out", out); code != cli.ExitOK {
		t.Fatal(stderr)
	}
	after := snapshot(t, out)
	for p := range after {
		if p != hp && after[p] != before[p] {
			t.Errorf("%s changed or appeared", p)
		}
	}
	if after[hp] != string(b) {
		t.Errorf("the history as generate rewrote it:\n%s\nwant:\n%s", after[hp], b)
	}
}

// TestMySQLCharsetConversionRefused: a column that keeps its table's
// character set (adopted with ASCII labels, or added by fsmgen before
// histories recorded character sets) would be converted, a copy of the
// table, by the first label beyond ASCII: generate refuses, positioned,
// and writes nothing, unless sql.compact allows the copy.
func TestMySQLCharsetConversionRefused(t *testing.T) {
	var got []string
	refuse := func(name, out, text string) {
		t.Helper()
		spec := filepath.Join(t.TempDir(), "states.yaml")
		writeFile(t, spec, text)
		stderr := expectRefusal(t, spec, out, regexp.QuoteMeta(spec)+`:\d+:3: mysql: state "ajar" has the value "`+ajar+`", beyond ASCII, but doors.state keeps its table's character set`)
		got = append(got, "# "+name+"\n"+strings.ReplaceAll(strings.ReplaceAll(stderr, spec, "states.yaml"), out, "OUT"))
	}
	refuse("adopted", t.TempDir(), doorSpec(ajar, doorsSQL+"  adopt: [shut, opened]\n"))

	// A history from before character sets were recorded.
	out := generateAll(t, []string{doorSpec("", doorsSQL)})
	hp := filepath.Join(out, "migrations", "mysql", "door_state.fsmgen.json")
	b, err := os.ReadFile(hp)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, hp, strings.Replace(string(b), ",\n      \"collation\": \"utf8mb4_bin\"", "", 1))
	refuse("recorded before character sets", out, doorSpec(ajar, doorsSQL))
	golden.Check(t, "testdata/charset_refused.golden", []byte(strings.Join(got, "\n")))
}

// TestMySQLCharsetConversionCompact: with sql.compact the adopted latin1
// column is converted, which copies the table (refused under
// alter_algorithm=INSTANT); afterwards it is utf8mb4_bin, recorded so, and
// holds the new label.
func TestMySQLCharsetConversionCompact(t *testing.T) {
	out := generateAll(t, []string{doorSpec(ajar, doorsSQL+"  adopt: [shut, opened]\n  compact: true\n")})
	hist, err := os.ReadFile(filepath.Join(out, "migrations", "mysql", "door_state.fsmgen.json"))
	if err != nil || !strings.Contains(string(hist), `"collation": "utf8mb4_bin"`) {
		t.Fatalf("the history does not record the conversion (%v):\n%s", err, hist)
	}
	db, r := doorsDB(t, out)
	mustExec(t, db, `CREATE TABLE doors (id INT PRIMARY KEY, state ENUM('shut', 'opened') NOT NULL DEFAULT 'shut')`)
	mustExec(t, db, `INSERT INTO doors VALUES (1, 'shut'), (2, 'opened')`)
	mustExec(t, db, `SET SESSION alter_algorithm = 'INSTANT'`)
	if err := r.tryUp(); errCode(err) != "1846" {
		t.Fatalf("the conversion under alter_algorithm=INSTANT: %v, want 1846: it copies the table", err)
	}
	mustExec(t, db, `SET SESSION alter_algorithm = DEFAULT`)
	r.up(t)
	if c := collation(t, db); c != "utf8mb4_bin" {
		t.Fatalf("the converted column's collation is %s", c)
	}
	mustExec(t, db, `INSERT INTO doors VALUES (3, ?)`, ajar)
	if diff := cmp.Diff(map[string]int{"shut": 1, "opened": 1, ajar: 1}, countsOf(t, db, "doors", "state")); diff != "" {
		t.Fatalf("rows after the conversion (-want +got):\n%s", diff)
	}
}

// TestAdoptMySQLCollation: an adopted column whose collation is neither
// the table's nor utf8mb4_bin would be converted by the first MODIFY,
// which names none: the adopt check refuses it and changes nothing.
func TestAdoptMySQLCollation(t *testing.T) {
	out := generateAll(t, []string{doorSpec("", doorsSQL+"  adopt: [shut, opened]\n")})
	db, r := doorsDB(t, out)
	mustExec(t, db, `CREATE TABLE doors (id INT PRIMARY KEY, state ENUM('shut', 'opened') CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL DEFAULT 'shut')`)
	err := r.tryUp()
	if err == nil || !strings.Contains(err.Error(), "cannot adopt: doors.state: collation utf8mb4_general_ci, not latin1_swedish_ci") {
		t.Fatalf("adopting a utf8mb4_general_ci column in a latin1 table: %v, want the collation named", err)
	}
	if v := r.version(t); v != 0 {
		t.Fatalf("the refused adoption left version %d", v)
	}
	mustExec(t, db, `ALTER TABLE doors MODIFY COLUMN state ENUM('shut', 'opened') NOT NULL DEFAULT 'shut'`)
	r.up(t)
}

// TestMySQLAppendExactLabel: the labels x and a.b are appended to an ENUM
// that holds x' and axb. A search for the quoted x finds it inside the
// catalog's quoted x' (its quote doubled), and a pattern a.b matches axb:
// either would take the new label for present and leave it out of the
// ENUM.
func TestMySQLAppendExactLabel(t *testing.T) {
	spec := func(more bool) string {
		s := "version: 1\nmachine: door\ninitial: shut\nstates:\n" +
			"  shut:\n    doc: shut\n    value: \"x'\"\n    transitions:\n      open: opened\n"
		if more {
			s += "      push: near\n  near:\n    doc: near\n    value: x\n    transitions:\n      close: shut\n" +
				"  dot:\n    doc: dot\n    value: a.b\n    transitions:\n      close: shut\n"
		}
		s += "  opened:\n    doc: open\n    value: axb\n    transitions:\n      close: shut\n"
		if more {
			s += "      tilt: dot\n"
		}
		s += "events:\n  open:\n    doc: open\n  close:\n    doc: close\n"
		if more {
			s += "  push:\n    doc: push\n  tilt:\n    doc: tilt\n"
		}
		return s + "sql:\n  enum: door_state\n  table: doors\n  column: state\n  dialects: [mysql]\n"
	}
	out := generateAll(t, []string{spec(false), spec(true)})
	db, r := doorsDB(t, out)
	mustExec(t, db, `CREATE TABLE doors (id INT PRIMARY KEY)`)
	r.upTo(t, 1)
	r.up(t)
	typ := strs(t, db, `SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'doors' AND COLUMN_NAME = 'state'`)
	if want := []string{`enum('x''','axb','x','a.b')`}; !slices.Equal(typ, want) {
		t.Fatalf("ENUM after appending x and a.b: %q, want %q", typ, want)
	}
	mustExec(t, db, `INSERT INTO doors VALUES (1, 'x'), (2, 'a.b')`)
	// Run again, as after a failure behind the ALTER: nothing is appended twice.
	mustExec(t, db, `DELETE FROM goose_db_version WHERE version_id = 2`)
	r.up(t)
	if got := strs(t, db, `SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'doors' AND COLUMN_NAME = 'state'`); !slices.Equal(got, typ) {
		t.Fatalf("ENUM after running the append again: %q, want %q", got, typ)
	}
}

// TestMySQLLongMessages: with a label beyond ASCII, in a latin1
// database, every message MySQL raises fits MESSAGE_TEXT's 128
// characters, is cut between characters, and starts with what went wrong:
// the Down guard's, and the enforcement triggers' (which build theirs from
// the row). Short names keep the row first; names near their limits put
// the verdict first.
func TestMySQLLongMessages(t *testing.T) {
	id := strings.Repeat("1be2", 9)
	long := "półotwarte_" + strings.Repeat("ż", 24) // 59 bytes, 35 characters
	for _, c := range []struct {
		name, table, column, enum, label string
		entry, transition, guard         string // how the messages start
	}{
		{"short", "doors", "state", "door_state", "półotwarte",
			"doors: row id = " + id + ": cannot insert in state półotwarte, which is not an entry state of ",
			"doors: row id = " + id + ": state opened -> półotwarte is not a transition of door_state",
			"cannot migrate: doors.state has rows in półotwarte, which the target door_state lacks; move or delete them first"},
		{"long", "doors_" + strings.Repeat("t", 54), "state_" + strings.Repeat("c", 54), "door_state_" + strings.Repeat("e", 49), long,
			"not an entry state of door_state_" + strings.Repeat("e", 49) + ": " + long,
			"not a transition of door_state_" + strings.Repeat("e", 49) + ": opened -> " + long,
			"cannot migrate: rows in " + long + ", which the target "},
	} {
		t.Run(c.name, func(t *testing.T) {
			long := c.label
			keys := "  enum: " + c.enum + "\n  table: " + c.table + "\n  column: " + c.column + "\n  default: shut\n  key: id\n  enforce: transitions\n  dialects: [mysql]\n"
			out := generateAll(t, []string{doorSpec("", keys), doorSpec(long, keys)})
			db, r := doorsDB(t, out)
			mustExec(t, db, "CREATE TABLE "+c.table+" (id VARCHAR(36) PRIMARY KEY)")
			r.up(t)
			message := func(err error, verdict string) {
				t.Helper()
				var me *mysql.MySQLError
				if !errors.As(err, &me) || me.Number != 1644 {
					t.Fatalf("want a SIGNAL starting %q, got %v", verdict, err)
				}
				if n := utf8.RuneCountInString(me.Message); n > 128 || !utf8.ValidString(me.Message) || !strings.HasPrefix(me.Message, verdict) {
					t.Fatalf("message %q (%d characters), want at most 128, whole characters, starting %q", me.Message, n, verdict)
				}
			}
			_, err := db.Exec("INSERT INTO "+c.table+" (id, "+c.column+") VALUES (?, ?)", id, long)
			message(err, c.entry)
			mustExec(t, db, "INSERT INTO "+c.table+" (id) VALUES (?)", id)
			mustExec(t, db, "UPDATE "+c.table+" SET "+c.column+" = 'opened' WHERE id = ?", id)
			_, err = db.Exec("UPDATE "+c.table+" SET "+c.column+" = ? WHERE id = ?", long, id)
			message(err, c.transition)

			mustExec(t, db, "UPDATE "+c.table+" SET "+c.column+" = 'shut' WHERE id = ?", id)
			mustExec(t, db, "UPDATE "+c.table+" SET "+c.column+" = ? WHERE id = ?", long, id)
			message(r.downTo(1), c.guard)
		})
	}
}

// TestMySQLAppendNeverCopies: the column's collation was changed by hand
// after fsmgen created it as utf8mb4_bin. The next migration's append
// restates the recorded collation, which would convert the column, a copy
// of the table; it must fail instead (1846) and leave the column as it was.
func TestMySQLAppendNeverCopies(t *testing.T) {
	h := buildHistory(t, "goose")
	d := dialectNamed("mysql")
	db, r := gooseOn(t, d, h)
	r.upTo(t, 1)
	var typ, def string
	if err := db.QueryRow(`SELECT COLUMN_TYPE, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'nodes' AND COLUMN_NAME = 'state'`).Scan(&typ, &def); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "ALTER TABLE nodes MODIFY COLUMN state "+typ+" CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL DEFAULT "+def)
	err := r.tryUp()
	if errCode(err) != "1846" {
		t.Fatalf("the append on a column converted by hand: %v, want 1846 (not done instantly)", err)
	}
	if got := strs(t, db, `SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'nodes' AND COLUMN_NAME = 'state'`); len(got) != 1 || got[0] != "latin1_swedish_ci" {
		t.Fatalf("the column's collation after the failed append: %q, want it untouched", got)
	}
}
