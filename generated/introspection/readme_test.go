package introspection_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/generated/introspection"
)

type node struct{ UUID string }

// README begin service
// Inspector runs introspections through the generated Store.
type Inspector struct {
	DB    *sql.DB
	Store *introspection.Store // introspection.NewStore(introspection.Postgres, ...)
}

// Start begins an introspection: a new node is created in starting, a
// known one starts again. Entering starting stamps started_at and clears
// finished_at and error in the same statement (the state's set:), and
// starts the timeout's deadline.
func (in *Inspector) Start(ctx context.Context, uuid, actor string) error {
	err := in.Store.Create(ctx, in.DB, uuid, introspection.StateStarting, introspection.WithActor(actor))
	if errors.Is(err, introspection.ErrExists) {
		_, _, err = in.Store.Fire(ctx, in.DB, uuid, introspection.EventStart, introspection.WithActor(actor))
	}
	return err
}

// Finish ends it by ev (finish or error) with the error text, if any:
// ironic-inspector's finished(). A refused move writes nothing.
func (in *Inspector) Finish(ctx context.Context, uuid string, ev introspection.Event, errText string) error {
	opt := introspection.ClearError()
	if errText != "" {
		opt = introspection.SetError(errText)
	}
	_, _, err := in.Store.Fire(ctx, in.DB, uuid, ev, opt)
	return err
}

// Sweep times out the introspections past their deadline, every minute
// until ctx ends: ironic-inspector's clean_up().
func (in *Inspector) Sweep(ctx context.Context) error {
	return in.Store.RunExpiry(ctx, in.DB, time.Minute, 100)
}

// README end

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

// TestREADMEExampleIsTested fails when an example of README.md or
// docs/store.md and the lines between its markers in the tests differ.
func TestREADMEExampleIsTested(t *testing.T) {
	for _, c := range []struct {
		doc, src, name, anchor string
		// indent is the block's in the page, tab its code's in the test.
		indent, tab string
	}{
		{"README.md", "readme_test.go", "service", "that starts, finishes and times out introspections is then:\n\n```go\n", "", ""},
		{"README.md", "pgx_test.go", "pgx", "`*pgx.Conn` and `pgx.Tx`:\n\n  ```go\n", "  ", "\t"},
		{"docs/store.md", "readme_test.go", "finished", "`finished(Events.finish)` becomes:\n\n  ```go\n", "  ", "\t"},
		{"docs/store.md", "readme_test.go", "tx", "the row's other changes: they commit or roll back together:\n\n  ```go\n", "  ", "\t"},
		{"docs/store.md", "readme_test.go", "sweep", "introspection of a node that finished and started\n  again between its read and its move:\n\n  ```go\n", "  ", "\t"},
	} {
		src, err := os.ReadFile(c.src)
		if err != nil {
			t.Fatal(err)
		}
		page, err := os.ReadFile(filepath.Join("..", "..", c.doc))
		if err != nil {
			t.Fatal(err)
		}
		_, body, ok := bytes.Cut(src, []byte(c.tab+"// README begin "+c.name+"\n"))
		body, _, ok2 := bytes.Cut(body, []byte(c.tab+"// README end\n"))
		if !ok || !ok2 {
			t.Fatalf("%s: no README begin %s/end markers", c.src, c.name)
		}
		_, block, ok := bytes.Cut(page, []byte(c.anchor))
		block, _, ok2 = bytes.Cut(block, []byte(c.indent+"```\n"))
		if !ok || !ok2 {
			t.Fatalf("%s: no go block after %q", c.doc, c.anchor)
		}
		// gofmt keeps a blank line between the last declaration and the
		// end marker.
		tested := strings.TrimRight(dedent(string(body), c.tab), "\n") + "\n"
		if diff := cmp.Diff(tested, dedent(string(block), c.indent)); diff != "" {
			t.Errorf("%s's %s example differs from the tested one in %s (-tested +%s):\n%s", c.doc, c.name, c.src, c.doc, diff)
		}
	}
}

// dedent removes prefix from the start of every line.
func dedent(s, prefix string) string {
	if prefix == "" {
		return s
	}
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

// TestREADMEServiceOnEveryDatabase runs the README's service on
// PostgreSQL, MariaDB and SQLite: introspections start (a new node and a
// known one), finish with and without an error, and time out in the
// sweep; the history names who started each.
func TestREADMEServiceOnEveryDatabase(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			in := &Inspector{DB: s.db, Store: introspection.NewStore(s.dialect, introspection.WithTimeoutAtAfter(100*time.Millisecond))}
			for _, uuid := range []string{"svc-ok", "svc-failed", "svc-late"} {
				if err := in.Start(ctx, uuid, "api"); err != nil {
					t.Fatal(err)
				}
			}
			for _, uuid := range []string{"svc-ok", "svc-failed"} {
				for _, ev := range []introspection.Event{introspection.EventWait, introspection.EventProcess} {
					if _, _, err := in.Store.Fire(ctx, s.db, uuid, ev); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := in.Finish(ctx, "svc-ok", introspection.EventFinish, ""); err != nil {
				t.Fatal(err)
			}
			if err := in.Finish(ctx, "svc-failed", introspection.EventError, "ramdisk lost"); err != nil {
				t.Fatal(err)
			}
			if err := in.Finish(ctx, "svc-failed", introspection.EventFinish, ""); !errors.Is(err, introspection.ErrInvalidTransition) {
				t.Fatalf("finish from error: %v", err)
			}
			// The failed one starts again, and is swept with the late one
			// once their deadlines pass; the finished one has none.
			if err := in.Start(ctx, "svc-failed", "operator"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(150 * time.Millisecond)
			sweep, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if err := in.Sweep(sweep); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Sweep returned %v, want its context's end", err)
			}
			for uuid, want := range map[string]struct {
				state introspection.State
				err   string
			}{"svc-ok": {introspection.StateFinished, ""}, "svc-failed": {introspection.StateError, "Introspection timeout"}, "svc-late": {introspection.StateError, "Introspection timeout"}} {
				r, err := in.Store.Get(ctx, s.db, uuid)
				if err != nil {
					t.Fatal(err)
				}
				if r.State != want.state || r.Error.V != want.err || r.Error.Valid != (want.err != "") || !r.FinishedAt.Valid || !r.StartedAt.Valid || r.TimeoutAt.Valid {
					t.Errorf("%s: %+v, want %v with error %q, both times and no deadline", uuid, r, want.state, want.err)
				}
			}
			var actors []string
			rows, err := s.db.Query(s.bind(`SELECT actor FROM nodes_history WHERE uuid = ? AND to_state = 'starting' ORDER BY seq`), "svc-failed")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var a string
				if err := rows.Scan(&a); err != nil {
					t.Fatal(err)
				}
				actors = append(actors, a)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(actors, []string{"api", "operator"}) {
				t.Errorf("svc-failed started by %q, want api, then operator", actors)
			}
		})
	}
}
