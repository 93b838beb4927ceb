package sqlmig_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
)

// reordered is severalSets[0] with error moved first and waiting last.
var reordered = []string{"error", "starting", "finished", "reapplying", "aborting", "waiting"}

// TestReorderIsNamedForWhatItDoes: a new order alone once wrote
// 00002_default_finished.sql, empty on PostgreSQL.
func TestReorderIsNamedForWhatItDoes(t *testing.T) {
	out := generateAll(t, []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"),
		severalSpec(reordered, nil, "", severalV1Cols, "goose"),
	})
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		p := filepath.Join(out, "migrations", d, "00002_reorder.sql")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		text := string(b)
		if !strings.Contains(text, "-- node_state: reorder to error, starting, finished, reapplying, aborting, waiting\n") {
			t.Errorf("%s: the title does not say what the migration does:\n%s", d, text)
		}
		up, down, _ := strings.Cut(strings.SplitN(text, "-- +goose Up\n", 2)[1], "-- +goose Down\n")
		if strings.TrimSpace(up) == "" || strings.TrimSpace(down) == "" {
			t.Errorf("%s: an empty direction:\n%s", d, text)
		}
		if d == "postgres" && strings.Contains(text, "NO TRANSACTION") {
			t.Errorf("postgres: replacing the type must run in one transaction:\n%s", text)
		}
	}
}

func TestReorderAppliesEverywhere(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		out := generateAll(t, []string{
			severalSpec(severalSets[0], nil, "", severalV1Cols, format),
			severalSpec(reordered, nil, "", severalV1Cols, format),
		})
		for _, d := range dialects {
			t.Run(format+"/"+d.name, func(t *testing.T) {
				db := open(t, d)
				r := newRunner(t, d, db, format, os.DirFS(filepath.Join(out, "migrations", d.name)))
				r.upTo(t, 1)
				for _, s := range severalSets[0] {
					mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state, target) VALUES (?, ?, ?)`), "row-"+s, s, s)
				}
				state, target := countsOf(t, db, "nodes", "state"), countsOf(t, db, "nodes", "target")
				for i, want := range [][]string{severalSets[0], reordered, severalSets[0], reordered} {
					switch i {
					case 1, 3:
						r.up(t)
					case 2:
						if err := r.downTo(1); err != nil {
							t.Fatalf("down: %v", err)
						}
					}
					// In the database's order, where it keeps one.
					expectColumns(t, d, db, want, severalV1Cols)
					expectCounts(t, db, "nodes", "state", state)
					expectCounts(t, db, "nodes", "target", target)
				}
			})
		}
	}
}

// TestReorderNamesDependents: a reorder still replaces the PostgreSQL type.
// With a view, a partial index, a CHECK constraint and another table's
// column using it, the migration names them all before anything changes,
// instead of failing on the first with PostgreSQL's own message.
func TestReorderNamesDependents(t *testing.T) {
	out := generateAll(t, []string{
		severalSpec(severalSets[0], nil, "", severalV1Cols, "goose"),
		severalSpec(reordered, nil, "", severalV1Cols, "goose"),
	})
	d := dialectNamed("postgres")
	db := open(t, d)
	p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join(out, "migrations", d.name)))
	if err != nil {
		t.Fatal(err)
	}
	r := gooseRunner{p}
	r.upTo(t, 1)
	for _, q := range []string{
		`CREATE VIEW busy AS SELECT uuid FROM nodes WHERE state <> 'finished'`,
		`CREATE INDEX nodes_errors ON nodes (uuid) WHERE state = 'error'`,
		`ALTER TABLE nodes ADD CONSTRAINT no_waiting_target CHECK (target <> 'waiting' OR uuid <> '')`,
		`CREATE TABLE audit (id int, state node_state)`,
	} {
		mustExec(t, db, q)
	}
	if _, err = p.Up(context.Background()); err == nil {
		t.Fatal("the reorder replaced the type under its dependents")
	}
	for _, want := range []string{"column audit.state", "view or rule busy", "index nodes_errors", "constraint no_waiting_target on nodes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %s: %v", want, err)
		}
	}
	if v := r.version(t); v != 1 {
		t.Fatalf("version %d after the refusal, want 1", v)
	}
	expectColumns(t, d, db, severalSets[0], severalV1Cols)
}
