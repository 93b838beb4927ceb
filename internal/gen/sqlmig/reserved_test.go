package sqlmig_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/internal/cli"
)

// reservedSpec names the enum, table, column and states after SQL reserved
// words (and Go keywords), so every statement fsmgen emits must quote them.
const reservedSpec = `version: 1
machine: reserved
initial: select
states:
  select:
    doc: an SQL keyword
    transitions:
      func: order
  order:
    doc: another
    transitions:
      func: user
  user:
    doc: a reserved word on PostgreSQL
    transitions:
      func: select
events:
  func:
    doc: a Go keyword
sql:
  enum: user
  table: order
  column: select
  dialects: [postgres, mysql, sqlite]
`

// reservedEvolved adds where, renames user to table and removes order,
// whose rows move to select.
var reservedEvolved = strings.NewReplacer(
	"      func: order\n", "      func: where\n",
	"  order:\n    doc: another\n    transitions:\n      func: user\n",
	"  where:\n    doc: added\n    transitions:\n      func: table\n",
	"  user:\n    doc: a reserved word on PostgreSQL\n",
	"  table:\n    doc: renamed\n    renamed_from: user\n",
	"sql:\n", "removed:\n  order:\n    rows_to: select\nsql:\n",
).Replace(reservedSpec)

func TestReservedWordsApplyEverywhere(t *testing.T) {
	out := t.TempDir()
	for i, text := range []string{reservedSpec, reservedEvolved} {
		spec := filepath.Join(t.TempDir(), "states.yaml")
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("spec %d: generate exited %d: %s", i+1, code, stderr)
		}
	}
	quote := map[string]string{"postgres": `"`, "mysql": "`", "sqlite": `"`}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			q := func(s string) string { return quote[d.name] + s + quote[d.name] }
			db, err := sql.Open(d.driver, d.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			mustExec(t, db, "CREATE TABLE "+q("order")+" (id VARCHAR(10) PRIMARY KEY)")
			p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join(out, "migrations", d.name)))
			if err != nil {
				t.Fatal(err)
			}
			r := gooseRunner{p}
			insert := rebind(d, "INSERT INTO "+q("order")+" (id, "+q("select")+") VALUES (?, ?)")
			countRows := func() map[string]int {
				got := map[string]int{}
				for _, s := range strs(t, db, "SELECT CAST("+q("select")+" AS CHAR(20)) FROM "+q("order")) {
					got[strings.TrimSpace(s)]++
				}
				return got
			}

			r.upTo(t, 1)
			for _, s := range []string{"select", "order", "user"} {
				mustExec(t, db, insert, "r-"+s, s)
			}
			if _, err := db.Exec(insert, "bad", "where"); err == nil {
				t.Fatal("a state of the next version was accepted by the first")
			}
			r.up(t)
			if diff := cmp.Diff(map[string]int{"select": 2, "table": 1}, countRows()); diff != "" {
				t.Fatalf("rows after rename and removal (-want +got):\n%s", diff)
			}
			mustExec(t, db, insert, "r-where", "where")
			if err := r.downTo(1); err == nil || !strings.Contains(err.Error(), "has rows in where") {
				t.Fatalf("down past where with a where row: %v", err)
			}
			mustExec(t, db, rebind(d, "DELETE FROM "+q("order")+" WHERE id = ?"), "r-where")
			if err := r.downTo(1); err != nil {
				t.Fatalf("down to 1: %v", err)
			}
			if diff := cmp.Diff(map[string]int{"select": 2, "user": 1}, countRows()); diff != "" {
				t.Fatalf("rows after Down (-want +got):\n%s", diff)
			}
			if err := r.downTo(0); err != nil {
				t.Fatalf("down to 0: %v", err)
			}
			r.up(t)
			if diff := cmp.Diff(map[string]int{"select": 3}, countRows()); diff != "" {
				t.Fatalf("rows after Up again (-want +got):\n%s", diff)
			}
		})
	}
}
