package introspection_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/generated/introspection"
)

type node struct{ UUID string }

// finished is the README's example: the seed's finished(Events.finish)
// with the Store. TestREADMEExampleIsTested keeps the README's block equal
// to the lines between the markers.
func finished(ctx context.Context, db *sql.DB, store *introspection.Store, node node, now time.Time, errText string) error {
	// README begin finished
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, _, err := store.Fire(ctx, tx, node.UUID, introspection.EventFinish); err != nil {
		return err // the node was not in a state that may finish: nothing written
	}
	if _, err := tx.ExecContext(ctx, `UPDATE nodes SET finished_at = $1, error = $2 WHERE uuid = $3`, now, errText, node.UUID); err != nil {
		return err // the move rolls back with it
	}
	return tx.Commit()
	// README end
}

// sweepOne is the README's sweeper: it times out the node's introspection
// if it is still the one that was read.
func sweepOne(ctx context.Context, db *sql.DB, store *introspection.Store, uuid string, expired func(string) bool) error {
	// README begin sweep
	row, err := store.Get(ctx, db, uuid)
	if err != nil {
		return err
	}
	if row.State == introspection.StateWaiting && expired(uuid) {
		_, err = store.MoveAt(ctx, db, uuid, row.Version, introspection.EventTimeout)
		if errors.Is(err, introspection.ErrStale) {
			return nil // it moved since the read: not the introspection that expired
		}
	}
	return err
	// README end
}

// TestREADMESweep runs the sweeper on SQLite: a node that finished and
// started again between the sweeper's read and its move is left alone.
func TestREADMESweep(t *testing.T) {
	ctx := context.Background()
	db := readmeDB(t)
	store := introspection.NewStore(introspection.SQLite)
	if err := store.Create(ctx, db, "n", introspection.StateStarting); err != nil {
		t.Fatal(err)
	}
	fire := func(evs ...introspection.Event) {
		t.Helper()
		for _, ev := range evs {
			if _, _, err := store.Fire(ctx, db, "n", ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	fire(introspection.EventWait)
	// Between the read and the move, the node leaves waiting and is back.
	restarted := func(string) bool {
		fire(introspection.EventProcess, introspection.EventFinish, introspection.EventStart, introspection.EventWait)
		return true
	}
	if err := sweepOne(ctx, db, store, "n", restarted); err != nil {
		t.Fatal(err)
	}
	if r, _ := store.Get(ctx, db, "n"); r.State != introspection.StateWaiting {
		t.Fatalf("the sweeper moved the restarted introspection to %v", r.State)
	}
	if err := sweepOne(ctx, db, store, "n", func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if r, _ := store.Get(ctx, db, "n"); r.State != introspection.StateError {
		t.Fatalf("an expired introspection is in %v, want error", r.State)
	}
}

// readmeDB opens a SQLite database with the seed's migrations applied to
// a nodes table with the columns the examples use. The CHECK lets a test
// make an update fail.
func readmeDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE nodes (uuid TEXT PRIMARY KEY, finished_at TEXT, error TEXT CHECK (error <> 'refused'), version_id TEXT NOT NULL DEFAULT '')`); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS(filepath.Join("..", "migrations", "sqlite")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestREADMEFinished runs the example on SQLite: the move and the row's
// other update commit together, or neither is written.
func TestREADMEFinished(t *testing.T) {
	ctx := context.Background()
	db := readmeDB(t)
	if _, err := db.Exec(`INSERT INTO nodes (uuid, state) VALUES ('n1', 'starting'), ('n2', 'starting')`); err != nil {
		t.Fatal(err)
	}
	store := introspection.NewStore(introspection.SQLite)
	for _, ev := range []introspection.Event{introspection.EventWait, introspection.EventProcess} {
		if _, _, err := store.Fire(ctx, db, "n1", ev); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		State      introspection.State
		FinishedAt sql.NullString
		Error      sql.NullString
		History    int
	}
	read := func(key string) row {
		t.Helper()
		var r row
		err := db.QueryRow(`SELECT state, finished_at, error, (SELECT count(*) FROM nodes_history h WHERE h.uuid = n.uuid) FROM nodes n WHERE uuid = ?`, key).
			Scan(&r.State, &r.FinishedAt, &r.Error, &r.History)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	now := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)

	// n2 is starting, which may not finish: nothing is written.
	before := read("n2")
	if err := finished(ctx, db, store, node{"n2"}, now, ""); !errors.Is(err, introspection.ErrInvalidTransition) {
		t.Fatalf("finished from starting: %v, want ErrInvalidTransition", err)
	}
	if diff := cmp.Diff(before, read("n2")); diff != "" {
		t.Errorf("a refused move wrote (-before +after):\n%s", diff)
	}

	// The second statement fails: the move rolls back with it.
	before = read("n1")
	if err := finished(ctx, db, store, node{"n1"}, now, "refused"); err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Fatalf("finished with a refused update: %v, want the CHECK's error", err)
	}
	if diff := cmp.Diff(before, read("n1")); diff != "" {
		t.Errorf("a failed update left the move written (-before +after):\n%s", diff)
	}

	// Both statements succeed: both are committed, with one history row.
	if err := finished(ctx, db, store, node{"n1"}, now, "none"); err != nil {
		t.Fatal(err)
	}
	want := before
	want.State, want.Error, want.History = introspection.StateFinished, sql.NullString{String: "none", Valid: true}, before.History+1
	got := read("n1")
	if !got.FinishedAt.Valid {
		t.Errorf("finished_at was not written")
	}
	got.FinishedAt = want.FinishedAt
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after a committed finish (-want +got):\n%s", diff)
	}
}

// TestREADMEExampleIsTested fails when a README.md example and the lines
// between its markers in this file differ.
func TestREADMEExampleIsTested(t *testing.T) {
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, anchor string }{
		{"finished", "`finished(Events.finish)` becomes:\n\n  ```go\n"},
		{"sweep", "introspection of a node that finished and started\n  again between its read and its move:\n\n  ```go\n"},
	} {
		_, body, ok := bytes.Cut(src, []byte("\t// README begin "+c.name+"\n"))
		body, _, ok2 := bytes.Cut(body, []byte("\t// README end\n"))
		if !ok || !ok2 {
			t.Fatalf("readme_test.go: no README begin %s/end markers", c.name)
		}
		_, block, ok := bytes.Cut(readme, []byte(c.anchor))
		block, _, ok2 = bytes.Cut(block, []byte("  ```\n"))
		if !ok || !ok2 {
			t.Fatalf("README.md: no go block after %q", c.anchor)
		}
		if diff := cmp.Diff(dedent(string(body), "\t"), dedent(string(block), "  ")); diff != "" {
			t.Errorf("README.md's %s example differs from the tested one in readme_test.go (-tested +README):\n%s", c.name, diff)
		}
	}
}

// dedent removes prefix from the start of every line.
func dedent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
	}
	return strings.Join(lines, "")
}
