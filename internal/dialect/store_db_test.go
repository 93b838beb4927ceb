package dialect_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// TestVersionBump runs the store's statements for a table with a version
// column on each database: every move, to the same state included,
// increments it once; a refused move leaves it.
func TestVersionBump(t *testing.T) {
	tab := dialect.Table{Name: "doors", Key: "id", Column: "state", Enum: "door_state", Version: "lock_version"}
	arcs := []dialect.Arc{{From: "closed", To: "opened"}, {From: "opened", To: "opened"}}
	for _, c := range []struct {
		name, driver string
		dsn          func(testing.TB) string
		col          string
	}{
		{"postgres", "pgx", testdb.Postgres, "door_state"},
		{"mysql", "mysql", testdb.MySQL, "ENUM('closed', 'opened')"},
		{"sqlite", "sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "t.db") }, "TEXT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := dialects.For(c.name)
			db, err := sql.Open(c.driver, c.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1) // MySQL: LAST_INSERT_ID() is the connection's
			if c.name == "postgres" {
				mustExec(t, db, `CREATE TYPE door_state AS ENUM ('closed', 'opened')`)
			}
			mustExec(t, db, fmt.Sprintf(`CREATE TABLE doors (id VARCHAR(10) PRIMARY KEY, state %s NOT NULL, lock_version INTEGER NOT NULL DEFAULT 0)`, c.col))
			mustExec(t, db, `INSERT INTO doors (id, state) VALUES ('d', 'closed')`)
			fire := d.FireStmt(tab, "open", arcs, false)
			for i, want := range []string{"closed", "opened"} {
				from := run(t, db, d, fire, 0)
				if from != want {
					t.Fatalf("move %d: from %q, want %q", i+1, from, want)
				}
				if v := version(t, db); v != i+1 {
					t.Fatalf("after %d moves the version is %d", i+1, v)
				}
			}
			mustExec(t, db, `UPDATE doors SET state = 'closed' WHERE id = 'd'`)
			if from := run(t, db, d, d.FireStmt(tab, "open", arcs[1:], false), 0); from != "" {
				t.Fatalf("a refused move reported from %q", from)
			}
			if v := version(t, db); v != 2 {
				t.Fatalf("a refused move left the version at %d, want 2", v)
			}
			// At a version: only the one the row is at moves it.
			at := d.FireStmt(tab, "open", arcs, true)
			for _, stale := range []int{1, 3} {
				if from := run(t, db, d, at, stale); from != "" {
					t.Fatalf("a move at version %d, the row being at 2, moved from %q", stale, from)
				}
			}
			if from := run(t, db, d, at, 2); from != "closed" {
				t.Fatalf("a move at the row's version moved from %q, want closed", from)
			}
			if v := version(t, db); v != 3 {
				t.Fatalf("a move at version 2 left the version at %d, want 3", v)
			}
		})
	}
}

var calls int64

// run executes a Fire statement for key d (at version at, for one that
// checks it) and returns the state it moved
// from, "" when it did not move.
func run(t *testing.T, db *sql.DB, d dialect.Dialect, st dialect.Stmt, at int) string {
	t.Helper()
	// A new nonce per call, as the Store draws: the connection keeps the
	// last LAST_INSERT_ID, which must not pass for this call's.
	calls++
	nonce := int64(1<<39 + calls)
	var args []any
	for _, a := range st.Args {
		switch a {
		case dialect.ArgKey:
			args = append(args, "d")
		case dialect.ArgNonce:
			args = append(args, nonce)
		case dialect.ArgVersion:
			args = append(args, at)
		default:
			t.Fatalf("unexpected argument %d", a)
		}
	}
	if !d.UpdateReturning() {
		if _, err := db.Exec(st.SQL, args...); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRow(d.LastIDStmt().SQL).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if id>>16 != nonce {
			return ""
		}
		return []string{"closed", "opened"}[id&0xffff-1]
	}
	var from, to string
	err := db.QueryRow(st.SQL, args...).Scan(&from, &to)
	if err == sql.ErrNoRows {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return from
}

func version(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`SELECT lock_version FROM doors WHERE id = 'd'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
