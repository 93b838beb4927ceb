package sqlmig_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fieldsSpecs are the seed with the store, then with fields added (one
// migration), with one field dropped from the spec (no migration: its
// column and values stay), and with it back (none either).
func fieldsSpecs(t *testing.T, format string) []string {
	t.Helper()
	store := mustReplace(t, specVersions(t, format)[1], "\nsql:\n", "\nsql:\n"+storeKeys)
	fields := store + seedFieldsBlock
	retired := mustReplace(t, fields, "    error: {type: text, nullable: true}\n", "")
	return []string{store, fields, retired, fields}
}

func TestFieldMigrationsGoose(t *testing.T)         { fieldsScenario(t, "goose") }
func TestFieldMigrationsGolangMigrate(t *testing.T) { fieldsScenario(t, "golang-migrate") }

// fieldsScenario adds fields to a table with rows in every state, and
// checks that a Down drops them only while no row holds a value of them.
func fieldsScenario(t *testing.T, format string) {
	out := generateAll(t, fieldsSpecs(t, format))
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			dir := filepath.Join(out, "migrations", d.name)
			files, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var migrations []string
			for _, f := range files {
				if strings.HasSuffix(f.Name(), ".sql") {
					migrations = append(migrations, f.Name())
				}
			}
			want := 2
			if format != "goose" {
				want = 4 // up and down files
			}
			if len(migrations) != want {
				t.Fatalf("the four versions wrote %v; want the create and one that adds the fields", migrations)
			}
			db := open(t, d)
			r := newRunner(t, d, db, format, os.DirFS(dir))
			r.upTo(t, 1)
			for i, s := range specLabels(t, fieldsSpecs(t, format)[0]) {
				key := fmt.Sprint("n", i)
				mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid) VALUES (?)`), key)
				move(t, d, db, key, s, false)
			}
			r.upTo(t, 2)
			type fields struct {
				Started  sql.NullString
				Error    sql.NullString
				Attempts int64
			}
			read := func() map[string]fields {
				rows, err := db.Query(`SELECT uuid, started_at, error, attempts FROM nodes`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				got := map[string]fields{}
				for rows.Next() {
					var k string
					var f fields
					if err := rows.Scan(&k, &f.Started, &f.Error, &f.Attempts); err != nil {
						t.Fatal(err)
					}
					got[k] = f
				}
				return got
			}
			rows := read()
			for k, f := range rows {
				if f != (fields{}) {
					t.Fatalf("row %s after the fields were added: %+v; want NULLs and the default 0", k, f)
				}
			}
			for _, c := range []struct{ set, clear, field string }{
				{`UPDATE nodes SET error = 'lost' WHERE uuid = 'n1'`, `UPDATE nodes SET error = NULL`, "error"},
				{`UPDATE nodes SET attempts = 3 WHERE uuid = 'n2'`, `UPDATE nodes SET attempts = 0`, "attempts"},
			} {
				mustExec(t, db, c.set)
				if err := r.downTo(1); err == nil || !strings.Contains(err.Error(), "hold values of "+c.field) {
					t.Fatalf("down with a value of %s: %v", c.field, err)
				}
				if v := r.version(t); v != 2 {
					t.Fatalf("a refused Down left version %d", v)
				}
				if len(read()) == 0 {
					t.Fatal("the refused Down dropped the columns")
				}
				mustExec(t, db, c.clear)
			}
			if err := r.downTo(1); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`SELECT started_at FROM nodes`); err == nil {
				t.Fatal("the Down left the fields' columns")
			}
			r.upTo(t, 2)
			if got := read(); len(got) != len(rows) {
				t.Fatalf("up again: %d rows, had %d", len(got), len(rows))
			}
		})
	}
}
