package introspection_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fsmgen/fsmgen/generated/introspection"
)

// TestPgxStore runs the PgxStore on a *pgxpool.Pool and in a pgx.Tx: the
// same answers as the Store's, fields and versions included, and under
// concurrent moves a history that replays every row.
func TestPgxStore(t *testing.T) {
	ctx := context.Background()
	s := openStores(t)[0]
	if s.name != "postgres" {
		t.Fatal("the first store is not PostgreSQL's")
	}
	pool, err := pgxpool.New(ctx, s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := introspection.NewPgxStore()

	if _, err := st.Get(ctx, pool, "p"); !errors.Is(err, introspection.ErrNotFound) {
		t.Fatalf("Get of no row: %v", err)
	}
	if err := st.Create(ctx, pool, "p", introspection.StateStarting); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, pool, "p", introspection.StateStarting); !errors.Is(err, introspection.ErrExists) {
		t.Fatalf("Create of a taken key: %v", err)
	}
	r0, err := st.Get(ctx, pool, "p")
	if err != nil {
		t.Fatal(err)
	}
	if r0.State != introspection.StateStarting || !r0.StartedAt.Valid || len(r0.Version) != 36 {
		t.Fatalf("Get after Create: %+v", r0)
	}
	if from, to, err := st.Fire(ctx, pool, "p", introspection.EventWait); err != nil || from != introspection.StateStarting || to != introspection.StateWaiting {
		t.Fatalf("Fire wait: %v -> %v, %v", from, to, err)
	}
	if _, _, err := st.Fire(ctx, pool, "p", introspection.EventFinish); !errors.Is(err, introspection.ErrInvalidTransition) {
		t.Fatalf("Fire finish from waiting: %v", err)
	}
	if _, err := st.Move(ctx, pool, "p", introspection.StateStarting, introspection.EventWait); !errors.Is(err, introspection.ErrStale) {
		t.Fatalf("a stale Move: %v", err)
	}
	if _, err := st.MoveAt(ctx, pool, "p", r0.Version, introspection.EventTimeout); !errors.Is(err, introspection.ErrStale) {
		t.Fatalf("MoveAt at a version the row left: %v", err)
	}
	r1, err := st.Get(ctx, pool, "p")
	if err != nil {
		t.Fatal(err)
	}
	// In the caller's transaction: rolled back, nothing stays.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := st.MoveAt(ctx, tx, "p", r1.Version, introspection.EventTimeout, introspection.SetError("Introspection timeout"))
	if err != nil {
		t.Fatal(err)
	}
	if moved.State != introspection.StateError || moved.Error.V != "Introspection timeout" || !moved.FinishedAt.Valid {
		t.Fatalf("MoveAt in a pgx.Tx: %+v", moved)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Get(ctx, pool, "p"); got != r1 {
		t.Fatalf("a rolled back move left %+v, was %+v", got, r1)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM nodes_history WHERE uuid = 'p'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("history of p: %d rows (%v), want the creation and one move", n, err)
	}
	// p waits since it was created: its deadline is the group's.
	out, err := st.Expire(ctx, pool, time.Now().Add(2*time.Hour), 10)
	if err != nil || len(out) != 1 || out[0].Key != "p" || out[0].From != introspection.StateWaiting || out[0].To != introspection.StateError {
		t.Fatalf("Expire: %+v, %v", out, err)
	}
	if r, _ := st.Get(ctx, pool, "p"); r.State != introspection.StateError || r.Error.V != "Introspection timeout" || r.TimeoutAt.Valid {
		t.Fatalf("p after Expire: %+v", r)
	}

	// Concurrent moves from the pool and in transactions.
	const rows, workers = 30, 8
	for i := range rows {
		s.exec(t, `INSERT INTO nodes (uuid) VALUES (?)`, fmt.Sprintf("node-%02d", i))
	}
	var movedN atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 29))
			for i := range 300 {
				key := fmt.Sprintf("node-%02d", rng.IntN(rows))
				ev := introspection.Events()[rng.IntN(int(introspection.NumEvents))]
				var err error
				switch i % 3 {
				case 0:
					_, _, err = st.Fire(ctx, pool, key, ev)
				case 1:
					err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
						_, _, err := st.Fire(ctx, tx, key, ev)
						return err
					})
				case 2:
					var r introspection.Row
					if r, err = st.Get(ctx, pool, key); err == nil {
						_, err = st.MoveAt(ctx, pool, key, r.Version, ev)
					}
				}
				switch {
				case err == nil:
					movedN.Add(1)
				case errors.Is(err, introspection.ErrInvalidTransition), errors.Is(err, introspection.ErrStale):
				default:
					t.Errorf("%s %v: %v", key, ev, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := replayHistory(t, s, rows); got != movedN.Load() || got == 0 {
		t.Fatalf("history holds %d moves, the calls reported %d", got, movedN.Load())
	}
}

// TestPgxExpireRace is TestStoreExpire's race through the PgxStore and a
// *pgxpool.Pool: 10,000 rows, deadlines of a few milliseconds.
func TestPgxExpireRace(t *testing.T) {
	ctx := context.Background()
	s := openStores(t)[0]
	if s.name != "postgres" {
		t.Fatal("the first store is not PostgreSQL's")
	}
	pool, err := pgxpool.New(ctx, s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	after := 5 * time.Millisecond
	st := introspection.NewPgxStore(introspection.WithTimeoutAtAfter(after))
	ops := raceOps{
		create: func(keys []string) error {
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				for _, k := range keys {
					if err := st.Create(ctx, tx, k, introspection.StateStarting); err != nil {
						return err
					}
				}
				return nil
			})
		},
		fire: func(key string, ev introspection.Event) error {
			_, _, err := st.Fire(ctx, pool, key, ev)
			return err
		},
		expire: func(now time.Time, limit int) ([]introspection.Expired, error) {
			return st.Expire(ctx, pool, now, limit)
		},
		get: func(key string) (introspection.Row, error) { return st.Get(ctx, pool, key) },
	}
	expireRace(t, s, ops, "z", 10000, after, after)
}

// pgxFinish is the README's PgxStore example: a move in the caller's
// pgx.Tx with its other writes.
func pgxFinish(ctx context.Context, pool *pgxpool.Pool, uuid, note string, timeout time.Duration) error {
	// README begin pgx
	store := introspection.NewPgxStore(introspection.WithTimeoutAtAfter(timeout))
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, _, err := store.Fire(ctx, tx, uuid, introspection.EventFinish, introspection.WithActor("conductor")); err != nil {
			return err // nothing written
		}
		_, err := tx.Exec(ctx, `UPDATE nodes SET note = $1 WHERE uuid = $2`, note, uuid)
		return err // the move commits or rolls back with it
	})
	// README end
}

// TestREADMEPgx runs the README's pgx example: the move and the note
// commit together, or neither does.
func TestREADMEPgx(t *testing.T) {
	ctx := context.Background()
	s := openStores(t)[0]
	pool, err := pgxpool.New(ctx, s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `ALTER TABLE nodes ADD COLUMN IF NOT EXISTS note text CHECK (note <> 'refused')`); err != nil {
		t.Fatal(err)
	}
	st := introspection.NewPgxStore()
	for _, uuid := range []string{"pgx-ok", "pgx-refused"} {
		if err := st.Create(ctx, pool, uuid, introspection.StateStarting); err != nil {
			t.Fatal(err)
		}
		for _, ev := range []introspection.Event{introspection.EventWait, introspection.EventProcess} {
			if _, _, err := st.Fire(ctx, pool, uuid, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := pgxFinish(ctx, pool, "pgx-ok", "done", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := pgxFinish(ctx, pool, "pgx-ok", "again", time.Hour); err != nil {
		t.Fatal(err) // finished may finish again
	}
	if err := pgxFinish(ctx, pool, "pgx-refused", "refused", time.Hour); err == nil {
		t.Fatal("a refused note committed")
	}
	for uuid, want := range map[string]string{"pgx-ok": "finished again", "pgx-refused": "processing <nil>"} {
		var st introspection.State
		var note *string
		if err := pool.QueryRow(ctx, `SELECT state, note FROM nodes WHERE uuid = $1`, uuid).Scan(&st, &note); err != nil {
			t.Fatal(err)
		}
		got := st.String() + " <nil>"
		if note != nil {
			got = st.String() + " " + *note
		}
		if got != want {
			t.Errorf("%s: %s, want %s", uuid, got, want)
		}
	}
}

// With RegisterPgxTypes on each connection, pgx takes a []State parameter
// and decodes the enum's arrays, and the PgxStore works as before.
func TestPgxRegisteredTypes(t *testing.T) {
	ctx := context.Background()
	s := openStores(t)[0]
	cfg, err := pgxpool.ParseConfig(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AfterConnect = introspection.RegisterPgxTypes
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := introspection.NewPgxStore()
	for _, k := range []string{"a", "b"} {
		if err := st.Create(ctx, pool, k, introspection.StateStarting); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.Fire(ctx, pool, "b", introspection.EventWait); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM nodes WHERE state = ANY($1)`, []introspection.State{introspection.StateWaiting, introspection.StateError}).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows in waiting or error: %d, %v; want 1", n, err)
	}
	var got []introspection.State
	if err := pool.QueryRow(ctx, `SELECT array_agg(state ORDER BY uuid) FROM nodes`).Scan(&got); err != nil || fmt.Sprint(got) != "[starting waiting]" {
		t.Fatalf("the states as an array: %v, %v", got, err)
	}
	if r, err := st.Get(ctx, pool, "b"); err != nil || r.State != introspection.StateWaiting {
		t.Fatalf("Get: %+v, %v", r, err)
	}
}
