package introspection_test

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/generated/introspection"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// storeDB is one database under test with the seed's migrations applied.
type storeDB struct {
	name    string
	dialect introspection.Dialect
	db      *sql.DB
	// bind rewrites ? placeholders for the dialect.
	bind func(string) string
	dsn  string
}

var storeDialects = []struct {
	name    string
	dialect introspection.Dialect
	goose   goose.Dialect
	driver  string
	dsn     func(t testing.TB) string
}{
	{"postgres", introspection.Postgres, goose.DialectPostgres, "pgx", testdb.Postgres},
	{"mysql", introspection.MySQL, goose.DialectMySQL, "mysql", testdb.MySQL},
	{"sqlite", introspection.SQLite, goose.DialectSQLite3, "sqlite", func(t testing.TB) string {
		// IMMEDIATE: a transaction takes the write lock when it begins, so
		// that concurrent transactions wait for each other (busy_timeout)
		// instead of failing when a read would have to become a write.
		return "file:" + filepath.Join(t.TempDir(), "test.db") + "?_pragma=busy_timeout(20000)&_pragma=journal_mode(wal)&_txlock=immediate"
	}},
}

// openStores returns every dialect's database, each with ironic-inspector's
// nodes table and the generated migrations applied by goose.
func openStores(t *testing.T) []storeDB {
	t.Helper()
	var out []storeDB
	for _, d := range storeDialects {
		dsn := d.dsn(t)
		db, err := sql.Open(d.driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Exec(`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, started_no VARCHAR(40), version_id VARCHAR(36) NOT NULL DEFAULT '')`); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join("..", "migrations", d.name)))
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		if _, err := p.Up(context.Background()); err != nil {
			t.Fatalf("%s: goose up: %v", d.name, err)
		}
		bind := func(q string) string { return q }
		if d.name == "postgres" {
			bind = pgBind
		}
		out = append(out, storeDB{d.name, d.dialect, db, bind, dsn})
	}
	return out
}

func pgBind(q string) string {
	var b []byte
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b = append(b, '$')
			b = strconv.AppendInt(b, int64(n), 10)
			continue
		}
		b = append(b, q[i])
	}
	return string(b)
}

func (s storeDB) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := s.db.Exec(s.bind(q), args...); err != nil {
		t.Fatalf("%s: %s: %v", s.name, q, err)
	}
}

// force sets a row's state whatever the triggers say, through the
// documented bypass, in one transaction.
func (s storeDB) force(t *testing.T, key string, st introspection.State) {
	t.Helper()
	d := dialects.For(s.name)
	tx, err := s.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(d.BypassOn()); err != nil {
		t.Fatalf("%s: bypass: %v", s.name, err)
	}
	if _, err := tx.Exec(s.bind(`UPDATE nodes SET state = ? WHERE uuid = ?`), st.String(), key); err != nil {
		t.Fatalf("%s: forced update: %v", s.name, err)
	}
	if off := d.BypassOff(); off != "" {
		if _, err := tx.Exec(off); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func (s storeDB) state(t *testing.T, key string) introspection.State {
	t.Helper()
	var st introspection.State
	if err := s.db.QueryRow(s.bind(`SELECT state FROM nodes WHERE uuid = ?`), key).Scan(&st); err != nil {
		t.Fatalf("%s: state of %s: %v", s.name, key, err)
	}
	return st
}

func TestStoreMoves(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect)
			s.exec(t, `INSERT INTO nodes (uuid) VALUES (?)`, "n1")

			from, to, err := st.Fire(ctx, s.db, "n1", introspection.EventStart)
			if err != nil || from != introspection.StateFinished || to != introspection.StateStarting {
				t.Fatalf("Fire(start) = %v, %v, %v; want finished, starting, nil", from, to, err)
			}
			// A move to the same state is a move too (MySQL reports no
			// affected row for it).
			s.force(t, "n1", introspection.StateFinished)
			if from, to, err := st.Fire(ctx, s.db, "n1", introspection.EventFinish); err != nil || from != introspection.StateFinished || to != introspection.StateFinished {
				t.Fatalf("Fire(finish) from finished = %v, %v, %v", from, to, err)
			}
			if to, err := st.Move(ctx, s.db, "n1", introspection.StateFinished, introspection.EventFinish); err != nil || to != introspection.StateFinished {
				t.Fatalf("Move(finished, finish) = %v, %v", to, err)
			}

			// Illegal: the error names the row's real state; nothing changes.
			s.force(t, "n1", introspection.StateWaiting)
			from, _, err = st.Fire(ctx, s.db, "n1", introspection.EventFinish)
			var te introspection.TransitionError
			if !errors.As(err, &te) || !errors.Is(err, introspection.ErrInvalidTransition) || te.From() != introspection.StateWaiting || from != introspection.StateWaiting {
				t.Fatalf("Fire(finish) in waiting = %v, %v; want a TransitionError from waiting", from, err)
			}
			if got := s.state(t, "n1"); got != introspection.StateWaiting {
				t.Fatalf("after a refused move the row is in %v", got)
			}

			// Not found.
			if _, _, err := st.Fire(ctx, s.db, "nope", introspection.EventStart); !errors.Is(err, introspection.ErrNotFound) || !errors.Is(err, sql.ErrNoRows) {
				t.Fatalf("Fire on a missing row: %v", err)
			}
			if _, err := st.Move(ctx, s.db, "nope", introspection.StateWaiting, introspection.EventStart); !errors.Is(err, introspection.ErrNotFound) {
				t.Fatalf("Move on a missing row: %v", err)
			}

			// Stale: the caller read finished, but the row is in waiting.
			if _, err := st.Move(ctx, s.db, "n1", introspection.StateFinished, introspection.EventStart); !errors.Is(err, introspection.ErrStale) {
				t.Fatalf("Move from a state the row left: %v", err)
			}
			if to, err := st.Move(ctx, s.db, "n1", introspection.StateWaiting, introspection.EventProcess); err != nil || to != introspection.StateProcessing {
				t.Fatalf("Move(waiting, process) = %v, %v", to, err)
			}
			// Move of an event the state it names does not allow.
			if _, err := st.Move(ctx, s.db, "n1", introspection.StateProcessing, introspection.EventStart); !errors.Is(err, introspection.ErrInvalidTransition) {
				t.Fatalf("Move(processing, start): %v", err)
			}

			// Inside the caller's transaction: a rollback undoes the move.
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Fire(ctx, tx, "n1", introspection.EventFinish); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			if got := s.state(t, "n1"); got != introspection.StateProcessing {
				t.Fatalf("after a rolled back move the row is in %v", got)
			}
		})
	}
}

var storeFull = flag.Bool("store.full", false, "run TestStoreConcurrent at the issue's full size: 16 workers firing 2,000 events each")

// TestStoreConcurrent fires random events from 16 workers at 50 rows,
// through *sql.DB and through the caller's *sql.Tx (some rolled back), and
// then checks the database against what the calls reported: every row's
// history replays through Transition, from the state it was inserted in,
// to its current state; the history holds one row per committed successful
// call; so no failed or rolled-back call wrote anything.
func TestStoreConcurrent(t *testing.T) {
	const workers, rows = 16, 50
	events := 500
	if *storeFull {
		events = 2000
	}
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect)
			for i := range rows {
				s.exec(t, `INSERT INTO nodes (uuid) VALUES (?)`, fmt.Sprintf("node-%02d", i))
			}
			var moved, refused, stale, rolledBack atomic.Int64
			start := time.Now()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 11))
					for i := range events {
						key := fmt.Sprintf("node-%02d", rng.IntN(rows))
						ev := introspection.Events()[rng.IntN(int(introspection.NumEvents))]
						var err error
						switch i % 4 {
						case 0:
							_, _, err = st.Fire(ctx, s.db, key, ev)
						case 1:
							err = fireInTx(ctx, s.db, st, key, ev, rng.IntN(4) == 0)
							if errors.Is(err, errRolledBack) {
								rolledBack.Add(1)
								continue
							}
						case 2:
							var from introspection.State
							if from, err = currentState(ctx, s, key); err == nil {
								_, err = st.Move(ctx, s.db, key, from, ev)
							}
						case 3:
							var r introspection.Row
							if r, err = st.Get(ctx, s.db, key); err == nil {
								_, err = st.MoveAt(ctx, s.db, key, r.Version, ev)
							}
						}
						switch {
						case err == nil:
							moved.Add(1)
						case errors.Is(err, introspection.ErrInvalidTransition):
							refused.Add(1)
						case errors.Is(err, introspection.ErrStale):
							stale.Add(1)
						default:
							t.Errorf("%s %v: %v", key, ev, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			t.Logf("%d calls in %v (%.0f/s): %d moved, %d refused, %d stale, %d rolled back",
				workers*events, elapsed.Round(time.Millisecond), float64(workers*events)/elapsed.Seconds(),
				moved.Load(), refused.Load(), stale.Load(), rolledBack.Load())
			if moved.Load() == 0 || refused.Load() == 0 {
				t.Fatalf("the run exercised too little: %d moved, %d refused", moved.Load(), refused.Load())
			}
			if n := replayHistory(t, s, rows); n != moved.Load() {
				t.Fatalf("history holds %d moves, the calls reported %d", n, moved.Load())
			}
		})
	}
}

var errRolledBack = errors.New("rolled back on purpose")

// fireInTx fires ev inside a transaction of its own, as a caller with
// other changes to make would, and rolls back instead of committing when
// told to.
func fireInTx(ctx context.Context, db *sql.DB, st *introspection.Store, key string, ev introspection.Event, rollback bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, _, err := st.Fire(ctx, tx, key, ev); err != nil {
		return err
	}
	if rollback {
		return errRolledBack
	}
	return tx.Commit()
}

func currentState(ctx context.Context, s storeDB, key string) (introspection.State, error) {
	var st introspection.State
	err := s.db.QueryRowContext(ctx, s.bind(`SELECT state FROM nodes WHERE uuid = ?`), key).Scan(&st)
	return st, err
}

// replayHistory checks every row's history against the machine and the
// row's current state, and returns how many moves it holds.
func replayHistory(t *testing.T, s storeDB, rows int) int64 {
	t.Helper()
	var total int64
	for i := range rows {
		key := fmt.Sprintf("node-%02d", i)
		rs, err := s.db.Query(s.bind(`SELECT from_state, to_state, event FROM nodes_history WHERE uuid = ? ORDER BY seq`), key)
		if err != nil {
			t.Fatal(err)
		}
		at := introspection.StateFinished // where every row was inserted
		for rs.Next() {
			var from, to introspection.State
			var ev introspection.Event
			if err := rs.Scan(&from, &to, &ev); err != nil {
				t.Fatal(err)
			}
			want, err := introspection.Transition(from, ev)
			if err != nil || want != to {
				t.Fatalf("%s: history records %v -%v-> %v, the machine says %v (%v)", key, from, ev, to, want, err)
			}
			if from != at {
				t.Fatalf("%s: history records a move from %v, but the row was in %v", key, from, at)
			}
			at = to
			total++
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
		if now := s.state(t, key); now != at {
			t.Fatalf("%s: history ends in %v, the row is in %v", key, at, now)
		}
	}
	return total
}

// TestStoreAfterTypeReplaced: on PostgreSQL the Store runs its statements
// as text, which pgx prepares and caches per connection. A migration that
// replaces the enum type (a compaction, which also replaces the trigger
// function, whose compiled plans held the old type) makes PostgreSQL
// refuse a cached statement (0A000, cached plan must not change result
// type): at most the first move after it fails, once, and the next goes
// through. Statements prepared through database/sql, which pgx names by
// their text, kept failing here.
func TestStoreAfterTypeReplaced(t *testing.T) {
	ctx := context.Background()
	s := openStores(t)[0]
	if s.name != "postgres" {
		t.Fatal("postgres first")
	}
	st := introspection.NewStore(s.dialect)
	s.exec(t, `INSERT INTO nodes (uuid, state) VALUES ('n', 'starting')`)
	for _, ev := range []introspection.Event{introspection.EventWait, introspection.EventProcess} {
		if _, _, err := st.Fire(ctx, s.db, "n", ev); err != nil {
			t.Fatal(err)
		}
	}
	var fn string
	if err := s.db.QueryRow(`SELECT pg_get_functiondef('node_state_enforce'::regproc)`).Scan(&fn); err != nil {
		t.Fatal(err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TYPE node_state RENAME TO node_state_old`,
		`CREATE TYPE node_state AS ENUM ('starting', 'waiting', 'processing', 'finished', 'error', 'reapplying', 'enrolling', 'aborting')`,
		`ALTER TABLE nodes ALTER COLUMN state DROP DEFAULT, ALTER COLUMN state TYPE node_state USING state::text::node_state, ALTER COLUMN state SET DEFAULT 'finished'`,
		`DROP TYPE node_state_old`,
		fn,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, ev := range []introspection.Event{introspection.EventFinish, introspection.EventStart, introspection.EventWait} {
		if _, _, err := st.Fire(ctx, s.db, "n", ev); err != nil {
			if failed++; failed > 1 {
				t.Fatalf("Fire %v after the type was replaced: %v", ev, err)
			}
			if _, _, err := st.Fire(ctx, s.db, "n", ev); err != nil {
				t.Fatalf("Fire %v again: %v", ev, err)
			}
		}
	}
	if got := s.state(t, "n"); got != introspection.StateWaiting {
		t.Fatalf("state %v, want waiting", got)
	}
	// A caller's transaction runs the statements as text, which pgx
	// caches per connection: there too the first run after the type was
	// replaced may fail, once.
	for try := 0; ; try++ {
		tx, err = s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = st.Fire(ctx, tx, "n", introspection.EventProcess)
		if err == nil {
			err = tx.Commit()
			break
		}
		tx.Rollback()
		if try > 0 {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestStorePreparedAcrossMigrations: on MySQL and SQLite the Store
// prepares its statements once per *sql.DB. A migration that replaces the
// table's triggers (Down and Up of the last one) while they are prepared
// changes nothing for it: both databases prepare again by themselves.
// Close closes them, and the Store prepares them again if used after.
func TestStorePreparedAcrossMigrations(t *testing.T) {
	ctx := context.Background()
	for i, s := range openStores(t) {
		if s.name == "postgres" {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect)
			s.exec(t, `INSERT INTO nodes (uuid, state) VALUES ('p', 'starting')`)
			fire := func(ev introspection.Event) {
				t.Helper()
				if _, _, err := st.Fire(ctx, s.db, "p", ev); err != nil {
					t.Fatalf("Fire %v: %v", ev, err)
				}
			}
			fire(introspection.EventWait)
			p, err := goose.NewProvider(storeDialects[i].goose, s.db, os.DirFS(filepath.Join("..", "migrations", s.name)))
			if err != nil {
				t.Fatal(err)
			}
			last, err := p.GetDBVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The last migration adds the fields the statements write: down
			// and up again, the statements prepared before meet new columns.
			if _, err := p.DownTo(ctx, last-1); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatal(err)
			}
			fire(introspection.EventProcess)
			fire(introspection.EventFinish)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			fire(introspection.EventStart)
			if got := s.state(t, "p"); got != introspection.StateStarting {
				t.Fatalf("state %v, want starting", got)
			}
		})
	}
}

// TestStoreCreate: Create inserts a row in an entry state with its first
// history row (from_state and event empty); a state that is no entry is
// refused before the database is asked; a key that is taken is ErrExists,
// and a caller's transaction goes on after it. Of eight concurrent Creates
// of one key, exactly one succeeds.
func TestStoreCreate(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect)
			if err := st.Create(ctx, s.db, "c1", introspection.StateStarting); err != nil {
				t.Fatal(err)
			}
			if got := s.state(t, "c1"); got != introspection.StateStarting {
				t.Fatalf("state %v, want starting", got)
			}
			if err := st.Create(ctx, s.db, "c2", introspection.StateWaiting); !errors.Is(err, introspection.ErrNotEntry) {
				t.Fatalf("Create in waiting: %v, want ErrNotEntry", err)
			}
			if err := st.Create(ctx, s.db, "c1", introspection.StateEnrolling); !errors.Is(err, introspection.ErrExists) {
				t.Fatalf("Create of a taken key: %v, want ErrExists", err)
			}
			if got := s.state(t, "c1"); got != introspection.StateStarting {
				t.Fatalf("the taken key's row is in %v now", got)
			}
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Create(ctx, tx, "c1", introspection.StateStarting); !errors.Is(err, introspection.ErrExists) {
				t.Fatalf("Create of a taken key in a transaction: %v", err)
			}
			if err := st.Create(ctx, tx, "c3", introspection.StateEnrolling); err != nil {
				t.Fatalf("Create after ErrExists in the same transaction: %v", err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var created, exists atomic.Int32
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					switch err := st.Create(ctx, s.db, "c4", introspection.StateStarting); {
					case err == nil:
						created.Add(1)
					case errors.Is(err, introspection.ErrExists):
						exists.Add(1)
					default:
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if created.Load() != 1 || exists.Load() != 7 {
				t.Fatalf("eight Creates of one key: %d created, %d ErrExists", created.Load(), exists.Load())
			}
			if _, _, err := st.Fire(ctx, s.db, "c1", introspection.EventWait); err != nil {
				t.Fatal(err)
			}
			var got []string
			rows, err := s.db.Query(s.bind(`SELECT uuid, from_state, to_state, event FROM nodes_history WHERE uuid IN ('c1', 'c2', 'c3', 'c4') ORDER BY uuid, seq`))
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k, f, to, ev string
				if err := rows.Scan(&k, &f, &to, &ev); err != nil {
					t.Fatal(err)
				}
				got = append(got, k+" "+f+">"+to+" "+ev)
			}
			want := []string{"c1 >starting ", "c1 starting>waiting wait", "c3 >enrolling ", "c4 >starting "}
			if !slices.Equal(got, want) {
				t.Fatalf("history %q, want %q", got, want)
			}
		})
	}
}

// TestStoreMoveAt checks the version-checked move: a row that moved since
// it was read is stale even when it is back in the state read, and a
// sweeper that reads rows and times them out never times out a row's next
// introspection.
func TestStoreMoveAt(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect)
			if _, err := st.Get(ctx, s.db, "none"); !errors.Is(err, introspection.ErrNotFound) {
				t.Fatalf("Get of no row: %v, want ErrNotFound", err)
			}
			if _, err := st.MoveAt(ctx, s.db, "none", "", introspection.EventWait); !errors.Is(err, introspection.ErrNotFound) {
				t.Fatalf("MoveAt of no row: %v, want ErrNotFound", err)
			}
			if err := st.Create(ctx, s.db, "m", introspection.StateStarting); err != nil {
				t.Fatal(err)
			}
			r0, err := st.Get(ctx, s.db, "m")
			if err != nil {
				t.Fatal(err)
			}
			if r0.State != introspection.StateStarting || len(r0.Version) != 36 {
				t.Fatalf("Get after Create: %+v, want starting and a token", r0)
			}
			r1, err := st.MoveAt(ctx, s.db, "m", r0.Version, introspection.EventWait)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := st.Get(ctx, s.db, "m"); r1.State != introspection.StateWaiting || r1.Version == r0.Version || got != r1 {
				t.Fatalf("MoveAt returned %+v; the row is %+v; it was %+v", r1, got, r0)
			}
			// The row leaves waiting and comes back: a sweeper holding r1 is stale.
			for _, ev := range []introspection.Event{introspection.EventAbort, introspection.EventAbortEnd, introspection.EventStart, introspection.EventWait} {
				if _, _, err := st.Fire(ctx, s.db, "m", ev); err != nil {
					t.Fatal(err)
				}
			}
			now, err := st.MoveAt(ctx, s.db, "m", r1.Version, introspection.EventTimeout)
			if !errors.Is(err, introspection.ErrStale) || now.State != introspection.StateWaiting || now.Version == r1.Version {
				t.Fatalf("MoveAt at a version the row has left: %+v, %v; want ErrStale and the row as it is", now, err)
			}
			if _, err := st.MoveAt(ctx, s.db, "m", now.Version, introspection.EventFinish); !errors.Is(err, introspection.ErrInvalidTransition) {
				t.Fatalf("MoveAt by an event waiting does not allow: %v", err)
			}
			if got, _ := st.Get(ctx, s.db, "m"); got != now {
				t.Fatalf("refused moves changed the row: %+v, was %+v", got, now)
			}
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.MoveAt(ctx, tx, "m", now.Version, introspection.EventTimeout); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.Get(ctx, s.db, "m"); got != now {
				t.Fatalf("a rolled back MoveAt left the row %+v, was %+v", got, now)
			}
			sweeperRace(t, s, st)
		})
	}
}

// sweeperRace runs workers that start introspections (a new started_no
// with each start, in the start's transaction) and finish them, against
// sweepers that read waiting rows and time them out with MoveAt. The
// sweeper's move and its read of started_no share a transaction, in which
// the move holds the row: the start it read must still be the row's.
func sweeperRace(t *testing.T, s storeDB, st *introspection.Store) {
	t.Helper()
	ctx := context.Background()
	const rows, workers, sweepers = 20, 4, 2
	for i := range rows {
		if err := st.Create(ctx, s.db, fmt.Sprintf("r-%02d", i), introspection.StateStarting); err != nil {
			t.Fatal(err)
		}
	}
	var starts atomic.Int64
	var timedOut, stale atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 17))
			for range 300 {
				key := fmt.Sprintf("r-%02d", rng.IntN(rows))
				for _, ev := range []introspection.Event{introspection.EventStart, introspection.EventWait, introspection.EventProcess, introspection.EventFinish} {
					tx, err := s.db.BeginTx(ctx, nil)
					if err != nil {
						t.Error(err)
						return
					}
					_, _, err = st.Fire(ctx, tx, key, ev)
					if err == nil && ev == introspection.EventStart {
						_, err = tx.ExecContext(ctx, s.bind(`UPDATE nodes SET started_no = ? WHERE uuid = ?`), strconv.FormatInt(starts.Add(1), 10), key)
					}
					if err != nil {
						tx.Rollback()
						if !errors.Is(err, introspection.ErrInvalidTransition) {
							t.Error(err)
							return
						}
						continue
					}
					if err := tx.Commit(); err != nil {
						t.Error(err)
						return
					}
					if ev == introspection.EventWait {
						// Long enough, at times, for a sweeper to read the
						// row and for the move after it to come first.
						time.Sleep(time.Duration(rng.IntN(1000)) * time.Microsecond)
					}
				}
			}
		}()
	}
	var swg sync.WaitGroup
	for range sweepers {
		swg.Add(1)
		go func() {
			defer swg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				for i := range rows {
					key := fmt.Sprintf("r-%02d", i)
					var r introspection.Row
					var started sql.NullString
					err := s.db.QueryRowContext(ctx, s.bind(`SELECT state, version_id, started_no FROM nodes WHERE uuid = ?`), key).Scan(&r.State, &r.Version, &started)
					if err != nil {
						t.Error(err)
						return
					}
					if r.State != introspection.StateWaiting {
						continue
					}
					tx, err := s.db.BeginTx(ctx, nil)
					if err != nil {
						t.Error(err)
						return
					}
					_, err = st.MoveAt(ctx, tx, key, r.Version, introspection.EventTimeout)
					var now sql.NullString
					if err == nil {
						err = tx.QueryRowContext(ctx, s.bind(`SELECT started_no FROM nodes WHERE uuid = ?`), key).Scan(&now)
					}
					tx.Commit()
					switch {
					case errors.Is(err, introspection.ErrStale):
						stale.Add(1)
					case err != nil:
						t.Error(err)
						return
					case now != started:
						t.Errorf("%s: timed out the introspection started at %v, having read the one started at %v", key, now.String, started.String)
					default:
						timedOut.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	swg.Wait()
	t.Logf("sweepers: %d timed out, %d stale", timedOut.Load(), stale.Load())
	if timedOut.Load() == 0 || stale.Load() == 0 {
		t.Fatalf("the race was not exercised: %d timed out, %d stale", timedOut.Load(), stale.Load())
	}
}

// fieldsRow is a row's state and fields, read in one statement.
type fieldsRow struct {
	State                 introspection.State
	StartedAt, FinishedAt sql.Null[time.Time]
	Error                 sql.NullString
}

func (s storeDB) fields(t *testing.T, key string) fieldsRow {
	t.Helper()
	var r fieldsRow
	err := s.db.QueryRow(s.bind(`SELECT state, started_at, finished_at, error FROM nodes WHERE uuid = ?`), key).Scan(&r.State, &r.StartedAt, &r.FinishedAt, &r.Error)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	return r
}

// TestStoreFields checks the fields a move sets in its own statement: what
// the state entered sets, the options that override it, nothing written
// by a refused move, and no reader that sees a state without its fields.
func TestStoreFields(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect)
			if err := st.Create(ctx, s.db, "f", introspection.StateStarting); err != nil {
				t.Fatal(err)
			}
			r := s.fields(t, "f")
			if !r.StartedAt.Valid || r.FinishedAt.Valid || r.Error.Valid {
				t.Fatalf("Create in starting: %+v; want started_at set by starting's set, the others NULL", r)
			}
			if err := st.Create(ctx, s.db, "g", introspection.StateEnrolling, introspection.SetError("from the ramdisk")); err != nil {
				t.Fatal(err)
			}
			if r := s.fields(t, "g"); r.StartedAt.Valid || r.Error.String != "from the ramdisk" {
				t.Fatalf("Create in enrolling with SetError: %+v", r)
			}
			for _, ev := range []introspection.Event{introspection.EventWait, introspection.EventProcess} {
				if _, _, err := st.Fire(ctx, s.db, "f", ev); err != nil {
					t.Fatal(err)
				}
			}
			if got := s.fields(t, "f"); got.StartedAt != r.StartedAt || got.FinishedAt.Valid || got.Error.Valid {
				t.Fatalf("moves into states that set nothing changed the fields: %+v, was %+v", got, r)
			}
			// A refused move writes no field either.
			before := s.fields(t, "f")
			if _, _, err := st.Fire(ctx, s.db, "f", introspection.EventWait, introspection.SetError("no")); !errors.Is(err, introspection.ErrInvalidTransition) {
				t.Fatalf("Fire wait from processing: %v", err)
			}
			if _, err := st.Move(ctx, s.db, "f", introspection.StateWaiting, introspection.EventProcess, introspection.SetError("no")); !errors.Is(err, introspection.ErrStale) {
				t.Fatalf("a stale Move: %v", err)
			}
			if got := s.fields(t, "f"); got != before {
				t.Fatalf("refused moves wrote fields: %+v, was %+v", got, before)
			}
			// An option overrides the state's set; the last of two wins.
			at := time.Date(2017, 3, 14, 15, 9, 26, 535897000, time.UTC)
			if _, _, err := st.Fire(ctx, s.db, "f", introspection.EventFinish, introspection.SetFinishedAtNow(), introspection.SetFinishedAt(at), introspection.SetError("kept")); err != nil {
				t.Fatal(err)
			}
			r = s.fields(t, "f")
			if !r.FinishedAt.V.Equal(at) || r.Error.String != "kept" {
				t.Fatalf("Fire finish with SetFinishedAt(%v), SetError: %+v", at, r)
			}
			// Move, whose target the Store knows: starting's set applies,
			// ClearError is what it sets anyway.
			if _, err := st.Move(ctx, s.db, "f", introspection.StateFinished, introspection.EventStart, introspection.ClearError()); err != nil {
				t.Fatal(err)
			}
			if got := s.fields(t, "f"); !got.StartedAt.Valid || got.StartedAt == before.StartedAt || got.FinishedAt.Valid || got.Error.Valid {
				t.Fatalf("Move into starting: %+v; want a new started_at, the others NULL", got)
			}
			row, err := st.Get(ctx, s.db, "f")
			if err != nil {
				t.Fatal(err)
			}
			moved, err := st.MoveAt(ctx, s.db, "f", row.Version, introspection.EventError, introspection.SetError("timed out"))
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := st.Get(ctx, s.db, "f"); got != moved || !moved.FinishedAt.Valid || moved.Error.V != "timed out" {
				t.Fatalf("MoveAt returned %+v; the row is %+v", moved, got)
			}
			fieldsFollowMoves(t, s, st)
		})
	}
}

// fieldsFollowMoves moves rows through the machine from several workers
// while readers check that no row's state is ever seen without its
// finished_at: NULL while an introspection runs, set once it ended.
func fieldsFollowMoves(t *testing.T, s storeDB, st *introspection.Store) {
	t.Helper()
	ctx := context.Background()
	const rows = 10
	for i := range rows {
		if err := st.Create(ctx, s.db, fmt.Sprintf("ff-%d", i), introspection.StateStarting); err != nil {
			t.Fatal(err)
		}
	}
	ended := map[introspection.State]bool{introspection.StateFinished: true, introspection.StateError: true, introspection.StateReapplying: true}
	done := make(chan struct{})
	var readers sync.WaitGroup
	var reads atomic.Int64
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				for i := range rows {
					var r fieldsRow
					err := s.db.QueryRow(s.bind(`SELECT state, started_at, finished_at, error FROM nodes WHERE uuid = ?`), fmt.Sprintf("ff-%d", i)).Scan(&r.State, &r.StartedAt, &r.FinishedAt, &r.Error)
					if err != nil {
						t.Error(err)
						return
					}
					reads.Add(1)
					if r.FinishedAt.Valid != ended[r.State] {
						t.Errorf("row ff-%d seen in %v with finished_at %v", i, r.State, r.FinishedAt)
						return
					}
				}
			}
		}()
	}
	var workers sync.WaitGroup
	for w := range 4 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 23))
			for range 400 {
				key := fmt.Sprintf("ff-%d", rng.IntN(rows))
				ev := introspection.Events()[rng.IntN(int(introspection.NumEvents))]
				if _, _, err := st.Fire(ctx, s.db, key, ev); err != nil && !errors.Is(err, introspection.ErrInvalidTransition) {
					t.Error(err)
					return
				}
			}
		}()
	}
	workers.Wait()
	close(done)
	readers.Wait()
	if reads.Load() == 0 {
		t.Fatal("no reads ran")
	}
}

// TestStoreHistoryColumns checks what the seed's history rows keep
// besides the move: the error the move left (history_fields) and who
// asked and why (history_notes), written by every call that moves a row,
// NULL where the call gives no note.
func TestStoreHistoryColumns(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect, introspection.WithTimeoutAtAfter(time.Hour))
			if err := st.Create(ctx, s.db, "h", introspection.StateStarting, introspection.WithActor("api"), introspection.WithReason("enrolled")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Fire(ctx, s.db, "h", introspection.EventError, introspection.SetError("ramdisk lost"), introspection.WithReason("first"), introspection.WithReason("last wins")); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Move(ctx, s.db, "h", introspection.StateError, introspection.EventStart, introspection.WithActor("operator")); err != nil {
				t.Fatal(err)
			}
			r, err := st.Get(ctx, s.db, "h")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.MoveAt(ctx, s.db, "h", r.Version, introspection.EventWait, introspection.WithActor("conductor")); err != nil {
				t.Fatal(err)
			}
			if out, err := st.Expire(ctx, s.db, time.Now().Add(2*time.Hour), 10); err != nil || len(out) != 1 {
				t.Fatalf("Expire: %v, %v", out, err)
			}
			rows, err := s.db.Query(s.bind(`SELECT to_state, error, actor, reason FROM nodes_history WHERE uuid = ? ORDER BY seq`), "h")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var to string
				var e, actor, reason sql.NullString
				if err := rows.Scan(&to, &e, &actor, &reason); err != nil {
					t.Fatal(err)
				}
				show := func(v sql.NullString) string {
					if !v.Valid {
						return "NULL"
					}
					return v.String
				}
				got = append(got, to+" "+show(e)+" "+show(actor)+" "+show(reason))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			want := []string{
				"starting NULL api enrolled",
				"error ramdisk lost NULL last wins",
				"starting NULL operator NULL", // starting clears the error
				"waiting NULL conductor NULL",
				"error Introspection timeout NULL NULL",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("history (-want +got):\n%s", diff)
			}
		})
	}
}

// On SQLite the Store queues its own writes on a *sql.DB: concurrent moves
// and sweeps succeed without a busy timeout, where each would otherwise
// fail at once with SQLITE_BUSY when another held the write lock.
func TestSQLiteStoreQueuesItsWrites(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "queue.db")+"?_pragma=journal_mode(wal)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, version_id VARCHAR(36) NOT NULL DEFAULT '')`); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS(filepath.Join("..", "migrations", "sqlite")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	s := introspection.NewStore(introspection.SQLite)
	const workers, moves = 8, 60
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("q%d", w)
			if err := s.Create(ctx, db, key, introspection.StateStarting); err != nil {
				errs <- err
				return
			}
			for i := range moves {
				cycle := []introspection.Event{introspection.EventWait, introspection.EventProcess, introspection.EventFinish, introspection.EventStart}
				if _, _, err := s.Fire(ctx, db, key, cycle[i%len(cycle)]); err != nil && !errors.Is(err, introspection.ErrInvalidTransition) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range moves {
			if _, err := s.Expire(ctx, db, time.Now().Add(2*time.Hour), 10); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a queued write failed: %v", err)
	}
}
