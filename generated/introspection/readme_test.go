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

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/generated/introspection"
)

type node struct{ UUID string }

// finished is the README's example: the seed's finished(event, error)
// with the Store. TestREADMEExampleIsTested keeps the README's blocks
// equal to the lines between the markers.
func finished(ctx context.Context, db *sql.DB, store *introspection.Store, node node, ev introspection.Event, errText string) error {
	// README begin finished
	opt := introspection.ClearError()
	if errText != "" {
		opt = introspection.SetError(errText)
	}
	_, _, err := store.Fire(ctx, db, node.UUID, ev, opt)
	return err // a refused move wrote nothing, fields included
	// README end
}

// processed is the README's example of a move in the caller's
// transaction.
func processed(ctx context.Context, db *sql.DB, store *introspection.Store, node node, note string) error {
	// README begin tx
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, _, err := store.Fire(ctx, tx, node.UUID, introspection.EventProcess); err != nil {
		return err // the node was not in a state that may process: nothing written
	}
	if _, err := tx.ExecContext(ctx, `UPDATE nodes SET note = $1 WHERE uuid = $2`, note, node.UUID); err != nil {
		return err // the move rolls back with it
	}
	return tx.Commit()
	// README end
}

// readmeRow is what the README's examples change in a row.
type readmeRow struct {
	State      introspection.State
	FinishedAt bool
	Error      sql.NullString
	Note       sql.NullString
	History    int
}

func readRow(t *testing.T, db *sql.DB, key string) readmeRow {
	t.Helper()
	var r readmeRow
	err := db.QueryRow(`SELECT state, finished_at IS NOT NULL, error, note, (SELECT count(*) FROM nodes_history h WHERE h.uuid = n.uuid) FROM nodes n WHERE uuid = ?`, key).
		Scan(&r.State, &r.FinishedAt, &r.Error, &r.Note, &r.History)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestREADMEFinished runs the examples on SQLite: the fields change with
// the move, and the row's other update commits with it, or nothing is
// written.
func TestREADMEFinished(t *testing.T) {
	ctx := context.Background()
	db := readmeDB(t)
	store := introspection.NewStore(introspection.SQLite)
	for _, key := range []string{"n1", "n2", "n3"} {
		if err := store.Create(ctx, db, key, introspection.StateStarting, introspection.SetError("stale text")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.Fire(ctx, db, key, introspection.EventWait); err != nil {
			t.Fatal(err)
		}
	}
	// n1 waits, which may not finish: nothing is written.
	before := readRow(t, db, "n1")
	if err := finished(ctx, db, store, node{"n1"}, introspection.EventFinish, ""); !errors.Is(err, introspection.ErrInvalidTransition) {
		t.Fatalf("finished from waiting: %v, want ErrInvalidTransition", err)
	}
	if diff := cmp.Diff(before, readRow(t, db, "n1")); diff != "" {
		t.Errorf("a refused move wrote (-before +after):\n%s", diff)
	}
	// The update after the move fails: the move rolls back with it.
	if err := processed(ctx, db, store, node{"n1"}, "refused"); err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Fatalf("processed with a refused update: %v, want the CHECK's error", err)
	}
	if diff := cmp.Diff(before, readRow(t, db, "n1")); diff != "" {
		t.Errorf("a failed update left the move written (-before +after):\n%s", diff)
	}
	// Both commit, with one history row.
	for _, key := range []string{"n1", "n2", "n3"} {
		if err := processed(ctx, db, store, node{key}, "seen"); err != nil {
			t.Fatal(err)
		}
	}
	if err := finished(ctx, db, store, node{"n1"}, introspection.EventFinish, ""); err != nil {
		t.Fatal(err)
	}
	if err := finished(ctx, db, store, node{"n2"}, introspection.EventError, "ramdisk lost"); err != nil {
		t.Fatal(err)
	}
	// n3's error is Create's option, which overrode starting's set.
	seen := sql.NullString{String: "seen", Valid: true}
	for key, want := range map[string]readmeRow{
		"n1": {State: introspection.StateFinished, FinishedAt: true, Note: seen, History: 4},
		"n2": {State: introspection.StateError, FinishedAt: true, Error: sql.NullString{String: "ramdisk lost", Valid: true}, Note: seen, History: 4},
		"n3": {State: introspection.StateProcessing, Error: sql.NullString{String: "stale text", Valid: true}, Note: seen, History: 3},
	} {
		if diff := cmp.Diff(want, readRow(t, db, key)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
	}
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
		_, err = store.MoveAt(ctx, db, uuid, row.Version, introspection.EventTimeout, introspection.SetError("Introspection timeout"))
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
	if _, err := db.Exec(`CREATE TABLE nodes (uuid TEXT PRIMARY KEY, note TEXT CHECK (note <> 'refused'), version_id TEXT NOT NULL DEFAULT '')`); err != nil {
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
		{"tx", "the row's other changes: they commit or roll back together:\n\n  ```go\n"},
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

// TestREADMEOnEveryDatabase runs the README's finished and sweeper
// examples on PostgreSQL, MariaDB and SQLite through database/sql (the
// transaction example's $n placeholders are PostgreSQL's and SQLite's;
// TestREADMEFinished runs it).
func TestREADMEOnEveryDatabase(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			store := introspection.NewStore(s.dialect)
			for _, key := range []string{"ok", "failed", "swept"} {
				if err := store.Create(ctx, s.db, key, introspection.StateStarting); err != nil {
					t.Fatal(err)
				}
				for _, ev := range []introspection.Event{introspection.EventWait, introspection.EventProcess} {
					if _, _, err := store.Fire(ctx, s.db, key, ev); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := finished(ctx, s.db, store, node{"ok"}, introspection.EventFinish, ""); err != nil {
				t.Fatal(err)
			}
			if err := finished(ctx, s.db, store, node{"failed"}, introspection.EventError, "ramdisk lost"); err != nil {
				t.Fatal(err)
			}
			if err := finished(ctx, s.db, store, node{"failed"}, introspection.EventFinish, ""); !errors.Is(err, introspection.ErrInvalidTransition) {
				t.Fatalf("finish from error: %v", err)
			}
			// swept waits, is read, and restarts before the sweeper moves.
			if _, err := store.Move(ctx, s.db, "swept", introspection.StateProcessing, introspection.EventFinish); err != nil {
				t.Fatal(err)
			}
			for _, ev := range []introspection.Event{introspection.EventStart, introspection.EventWait} {
				if _, _, err := store.Fire(ctx, s.db, "swept", ev); err != nil {
					t.Fatal(err)
				}
			}
			restarted := func(key string) bool {
				for _, ev := range []introspection.Event{introspection.EventProcess, introspection.EventFinish, introspection.EventStart, introspection.EventWait} {
					if _, _, err := store.Fire(ctx, s.db, key, ev); err != nil {
						t.Fatal(err)
					}
				}
				return true
			}
			if err := sweepOne(ctx, s.db, store, "swept", restarted); err != nil {
				t.Fatal(err)
			}
			if r, _ := store.Get(ctx, s.db, "swept"); r.State != introspection.StateWaiting {
				t.Fatalf("the sweeper moved a restarted introspection to %v", r.State)
			}
			if err := sweepOne(ctx, s.db, store, "swept", func(string) bool { return true }); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]struct {
				state introspection.State
				err   string
			}{"ok": {introspection.StateFinished, ""}, "failed": {introspection.StateError, "ramdisk lost"}, "swept": {introspection.StateError, "Introspection timeout"}} {
				r, err := store.Get(ctx, s.db, key)
				if err != nil {
					t.Fatal(err)
				}
				if r.State != want.state || r.Error.V != want.err || r.Error.Valid != (want.err != "") || !r.FinishedAt.Valid || !r.StartedAt.Valid {
					t.Errorf("%s: %+v, want %v with error %q and both times", key, r, want.state, want.err)
				}
			}
		})
	}
}
