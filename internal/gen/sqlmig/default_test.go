package sqlmig_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNewDefaultAcceptedThroughout runs a change that adds a state and
// makes it the default, and its Down, one statement at a time, and after
// each statement inserts a row that takes the column's default, as an
// application's writers would between two statements of the migration.
// Every such row must be accepted: a default set before the constraint
// (PostgreSQL) or the triggers (MySQL) allow it would refuse them until
// they do, for as long as the statements in between wait for their locks.
func TestNewDefaultAcceptedThroughout(t *testing.T) {
	cols := func(def string) []boundColumn { return []boundColumn{{table: "nodes", column: "state", def: def}} }
	specs := []string{
		severalSpec([]string{"starting", "finished"}, nil, "", cols("finished"), "goose"),
		// A first change, so that the constraint or triggers exist.
		severalSpec([]string{"starting", "waiting", "finished"}, nil, "", cols("finished"), "goose"),
		severalSpec([]string{"starting", "waiting", "paused", "finished"}, nil, "", cols("paused"), "goose"),
	}
	for i := range specs {
		specs[i] = strings.Replace(specs[i], "dialects: [postgres, mysql, sqlite]", "dialects: [postgres, mysql]", 1)
	}
	out := generateAll(t, specs)
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			d := dialectNamed(name)
			db := open(t, d)
			dir := filepath.Join(out, "migrations", name)
			newRunner(t, d, db, "goose", os.DirFS(dir)).upTo(t, 2)
			matches, err := filepath.Glob(filepath.Join(dir, "00003_*.sql"))
			if err != nil || len(matches) != 1 {
				t.Fatalf("the third migration: %v %v", matches, err)
			}
			file, err := os.ReadFile(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			up, down, _ := strings.Cut(string(file), "-- +goose Down")
			ctx := context.Background()
			conn, err := db.Conn(ctx) // the migration's session
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			n := 0
			for _, dir := range []struct{ name, text string }{{"up", up}, {"down", down}} {
				for _, stmt := range gooseStatements(dir.text) {
					if _, err := conn.ExecContext(ctx, stmt); err != nil {
						t.Fatalf("%s: %v\n%s", dir.name, err, stmt)
					}
					n++
					uuid := "d" + strconv.Itoa(n)
					if _, err := db.ExecContext(ctx, rebind(d, `INSERT INTO nodes (uuid) VALUES (?)`), uuid); err != nil {
						t.Fatalf("%s: a row taking the default was refused after\n%s\n: %v", dir.name, stmt, err)
					}
					mustExec(t, db, rebind(d, `DELETE FROM nodes WHERE uuid = ?`), uuid)
				}
			}
		})
	}
}

// gooseStatements splits one direction of a goose file fsmgen wrote into
// its statements, which blank lines separate and none contains.
func gooseStatements(text string) []string {
	var out []string
	for _, chunk := range strings.Split(text, "\n\n") {
		var lines []string
		for _, l := range strings.Split(chunk, "\n") {
			if !strings.HasPrefix(l, "--") {
				lines = append(lines, l)
			}
		}
		if s := strings.TrimSpace(strings.Join(lines, "\n")); s != "" {
			out = append(out, s)
		}
	}
	return out
}
