package dialect_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

// TestFieldsEveryType adds a field of every type with the dialect's own
// DDL, then writes and reads each through the store's statements: a
// created row's defaults and values, the state's set picked by the state
// a row leaves, an option over it, NULL, and the clock.
func TestFieldsEveryType(t *testing.T) {
	null := dialect.Value{Null: true}
	tab := dialect.Table{Name: "doors", Key: "id", Column: "state", Enum: "door_state", Fields: []dialect.Field{
		{Name: "note", Type: "text", Default: dialect.Value{Text: "it's new; -- ok"}, Sets: map[string]dialect.Value{"opened": {Text: "opened"}}},
		{Name: "opens", Type: "int", Default: dialect.Value{Int: -1}, Sets: map[string]dialect.Value{"opened": {Int: 1}}},
		{Name: "locked", Type: "bool", Default: dialect.Value{Bool: true}, Sets: map[string]dialect.Value{"opened": {Bool: false}}},
		{Name: "opened_at", Type: "timestamp", Default: null, Sets: map[string]dialect.Value{"opened": {Now: true}}},
		{Name: "photo", Type: "bytes", Default: null, Sets: map[string]dialect.Value{"opened": null}},
	}}
	arcs := []dialect.Arc{{From: "closed", To: "opened"}}
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
			db.SetMaxOpenConns(1)
			if c.name == "postgres" {
				mustExec(t, db, `CREATE TYPE door_state AS ENUM ('closed', 'opened')`)
			}
			mustExec(t, db, fmt.Sprintf(`CREATE TABLE doors (id VARCHAR(10) PRIMARY KEY, state %s NOT NULL)`, c.col))
			mustExec(t, db, `INSERT INTO doors (id, state) VALUES ('old', 'closed')`)
			runs := 2 // each statement runs again
			if c.name == "sqlite" {
				runs = 1 // a migration is one transaction
			}
			for _, f := range tab.Fields {
				for range runs {
					for _, q := range d.AddField(tab, f) {
						mustExec(t, db, q)
					}
				}
			}
			type row struct {
				State    string
				Note     string
				Opens    int64
				Locked   bool
				OpenedAt sql.Null[time.Time]
				Photo    []byte
			}
			get := func(key string) row {
				t.Helper()
				var r row
				if err := db.QueryRow(d.GetStmt(tab, false).SQL, key).Scan(&r.State, &r.Note, &r.Opens, &r.Locked, &r.OpenedAt, &r.Photo); err != nil {
					t.Fatal(err)
				}
				return r
			}
			if got, want := get("old"), (row{State: "closed", Note: "it's new; -- ok", Opens: -1, Locked: true}); !equal(got, want) {
				t.Fatalf("a row there before the fields: %+v, want %+v", got, want)
			}
			// Create: the default where nothing is set; the photo by an option.
			create, _ := d.CreateStmt(tab)
			exec(t, db, create, map[dialect.Arg][]any{dialect.ArgKey: {"new"}, dialect.ArgTo: {"closed"}, dialect.ArgField + 4: {1, []byte{0, 1, 2}}})
			if got, want := get("new"), (row{State: "closed", Note: "it's new; -- ok", Opens: -1, Locked: true, Photo: []byte{0, 1, 2}}); !equal(got, want) {
				t.Fatalf("created: %+v, want %+v", got, want)
			}
			// Fire: what opened sets, but for the note, which an option sets.
			exec(t, db, d.FireStmt(tab, "open", arcs, false), map[dialect.Arg][]any{dialect.ArgKey: {"new"}, dialect.ArgNonce: {int64(1<<40 + 7)}, dialect.ArgField + 0: {1, "by hand"}})
			got := get("new")
			if want := (row{State: "opened", Note: "by hand", Opens: 1, Locked: false, OpenedAt: got.OpenedAt}); !equal(got, want) || !got.OpenedAt.Valid || time.Since(got.OpenedAt.V).Abs() > time.Hour {
				t.Fatalf("opened: %+v", got)
			}
			// Move (the Store passes the state's set): the clock, and back to NULL.
			move := d.MoveStmt(tab)
			exec(t, db, move, map[dialect.Arg][]any{dialect.ArgKey: {"old"}, dialect.ArgFrom: {"closed"}, dialect.ArgTo: {"opened"}, dialect.ArgNonce: {int64(1<<40 + 8)}, dialect.ArgEvent: {"open"},
				dialect.ArgField + 3: {2, nil}, dialect.ArgField + 2: {1, false}})
			if got := get("old"); got.State != "opened" || !got.OpenedAt.Valid || got.Locked || got.Opens != -1 {
				t.Fatalf("moved: %+v", got)
			}
			exec(t, db, move, map[dialect.Arg][]any{dialect.ArgKey: {"old"}, dialect.ArgFrom: {"opened"}, dialect.ArgTo: {"closed"}, dialect.ArgNonce: {int64(1<<40 + 9)}, dialect.ArgEvent: {"close"},
				dialect.ArgField + 3: {1, nil}})
			if got := get("old"); got.State != "closed" || got.OpenedAt.Valid {
				t.Fatalf("moved back with opened_at cleared: %+v", got)
			}
			// A Down drops a field only while every row holds its default.
			for i, f := range tab.Fields {
				guard, drop := d.DropField(tab, f)
				if f.Name == "photo" {
					if _, err := db.Exec(`UPDATE doors SET photo = `+d.Placeholder(1)+` WHERE id = 'new'`, []byte{7}); err != nil {
						t.Fatal(err)
					}
				}
				// As in a migration that stops there: nothing stays.
				tx, err := db.Begin()
				if err != nil {
					t.Fatal(err)
				}
				err = execAll(tx, guard)
				tx.Rollback()
				if err == nil {
					t.Fatalf("the guard of %s passed while row new holds a value of it", f.Name)
				}
				mustExec(t, db, fmt.Sprintf(`UPDATE doors SET %s = %s`, d.QuoteIdent(f.Name), []string{"'it''s new; -- ok'", "-1", "TRUE", "NULL", "NULL"}[i]))
				for range runs {
					if err := execAll(db, append(guard, drop...)); err != nil {
						t.Fatalf("dropping %s: %v", f.Name, err)
					}
				}
			}
			if _, err := db.Exec(`SELECT note FROM doors`); err == nil {
				t.Fatal("the fields' columns are still there")
			}
		})
	}
}

func execAll(db interface {
	Exec(string, ...any) (sql.Result, error)
}, stmts []string) error {
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

func equal(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }

// exec runs st with the values of its parameters: a field's are its mode
// and value; every other field's mode is 0.
func exec(t *testing.T, db *sql.DB, st dialect.Stmt, vals map[dialect.Arg][]any) {
	t.Helper()
	var args []any
	for _, a := range st.Args {
		v, ok := vals[a]
		switch {
		case ok:
		case a >= dialect.ArgField:
			v = []any{0, nil}
		case a == dialect.ArgEvent:
			v = []any{"open"}
		default:
			t.Fatalf("no value for argument %d of %s", a, st.SQL)
		}
		args = append(args, v...)
	}
	if _, err := db.Exec(st.SQL, args...); err != nil {
		t.Fatalf("%s: %v", st.SQL, err)
	}
}
