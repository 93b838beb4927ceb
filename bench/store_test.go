package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/bench/internal/harness"
	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// storeWorkers is the most clients moving rows at once, each with rows of
// its own (so the figures measure what one move costs, not how long
// clients queue for a shared row's lock). workerCounts are the runs: eight
// clients, where the machine's CPU is the limit, and one, where a move's
// latency is.
const (
	storeWorkers  = 8
	rowsPerWorker = 64
)

var workerCounts = []int{storeWorkers, 1}

// storeCycle is one successful introspection; every row walks it over and
// over, so every call is a move.
var storeCycle = []fsmpkg.Event{fsmpkg.EventStart, fsmpkg.EventWait, fsmpkg.EventProcess, fsmpkg.EventFinish}

// storeDialect is one database BenchmarkStoreMove runs on.
type storeDialect struct {
	name  string
	store fsmpkg.Dialect
	// open returns a new database with the seed's migrations applied.
	open  func(b *testing.B) *sql.DB
	goose goose.Dialect
	// bind turns ? placeholders into the dialect's.
	bind func(string) string
	// lock is what the hand-written read appends to lock the row.
	lock string
}

var storeDialects = []storeDialect{
	{name: "postgres", store: fsmpkg.Postgres, goose: goose.DialectPostgres, bind: harness.Dollars, lock: " FOR UPDATE",
		open: func(b *testing.B) *sql.DB { return openDB(b, "pgx", testdb.Postgres(b)) }},
	{name: "mysql", store: fsmpkg.MySQL, goose: goose.DialectMySQL, bind: same, lock: " FOR UPDATE",
		open: func(b *testing.B) *sql.DB { return openDB(b, "mysql", testdb.MySQL(b)) }},
	// WAL, a busy timeout and BEGIN IMMEDIATE, as the README tells a
	// service on SQLite to open it.
	{name: "sqlite", store: fsmpkg.SQLite, goose: goose.DialectSQLite3, bind: same,
		open: func(b *testing.B) *sql.DB {
			return openDB(b, "sqlite", "file:"+filepath.Join(b.TempDir(), "store.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		}},
}

func same(q string) string { return q }

// bareUpdate is the limit of a persisted move: the state alone, no read.
const bareUpdate = `UPDATE nodes SET state = ? WHERE uuid = ?`

func openDB(b *testing.B, driver, dsn string) *sql.DB {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxIdleConns(storeWorkers)
	return db
}

// storeImpls are the ways of making a move BenchmarkStoreMove compares:
// the generated Store's Fire (the move and its history row); the pattern
// it replaces, BEGIN; SELECT … FOR UPDATE; Transition; UPDATE; COMMIT,
// without and with the history row (the same work as Fire); and the bare
// UPDATE of the state alone in autocommit, no read: as database/sql's
// db.Exec sends it, and prepared once per connection, as the Store sends
// its statements, which is the limit of a persisted move (db.Exec sends
// a statement with parameters to MariaDB as a prepare, an execute and a
// close, and SQLite compiles it and its triggers again on every call).
var storeImpls = []string{"Fire", "handwritten", "handwritten+history", "bare", "bare-prepared"}

// BenchmarkStoreMove measures moves per second of each of storeImpls on
// PostgreSQL, MariaDB and SQLite with the seed's schema (enforcement
// triggers on, the history table present). Eight workers, then one, move
// rows of their own, each row round the cycle start, wait, process,
// finish, so every call is a move. Run it with -count=1 several times (as
// bench/store_report.sh does) so that the variants alternate round by
// round on a machine whose load changes.
func BenchmarkStoreMove(b *testing.B) {
	for _, d := range storeDialects {
		b.Run("db="+d.name, func(b *testing.B) {
			db := storeDB(b, d)
			st := fsmpkg.NewStore(d.store)
			bare, err := db.Prepare(d.bind(bareUpdate))
			if err != nil {
				b.Fatal(err)
			}
			defer bare.Close()
			moves := map[string]func(ctx context.Context, key string, from fsmpkg.State, ev fsmpkg.Event) error{
				"Fire": func(ctx context.Context, key string, _ fsmpkg.State, ev fsmpkg.Event) error {
					_, _, err := st.Fire(ctx, db, key, ev)
					return err
				},
				"handwritten": func(ctx context.Context, key string, _ fsmpkg.State, ev fsmpkg.Event) error {
					return handwritten(ctx, d, db, key, ev, false)
				},
				"handwritten+history": func(ctx context.Context, key string, _ fsmpkg.State, ev fsmpkg.Event) error {
					return handwritten(ctx, d, db, key, ev, true)
				},
				"bare": func(ctx context.Context, key string, from fsmpkg.State, ev fsmpkg.Event) error {
					to, err := fsmpkg.Transition(from, ev)
					if err != nil {
						return err
					}
					_, err = db.ExecContext(ctx, d.bind(bareUpdate), to.String(), key)
					return err
				},
				"bare-prepared": func(ctx context.Context, key string, from fsmpkg.State, ev fsmpkg.Event) error {
					to, err := fsmpkg.Transition(from, ev)
					if err != nil {
						return err
					}
					_, err = bare.ExecContext(ctx, to.String(), key)
					return err
				},
			}
			for _, workers := range workerCounts {
				b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
					for _, impl := range storeImpls {
						b.Run("impl="+impl, func(b *testing.B) {
							runMoves(b, workers, d.name+"/"+impl, impl, moves[impl])
						})
					}
				})
			}
		})
	}
}

// runMoves runs b.N moves over the first workers of storeWorkers and
// reports moves/s.
func runMoves(b *testing.B, workers int, progress, impl string, move func(ctx context.Context, key string, from fsmpkg.State, ev fsmpkg.Event) error) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	b.ResetTimer()
	start := time.Now()
	steps := storeProgress(progress)
	for w := range workers {
		n := b.N / workers
		if w < b.N%workers {
			n++
		}
		wg.Go(func() {
			// Each worker keeps its rows' place in the cycle: the rows
			// start finished and go round in step. A partial round is
			// finished, so that the next run starts in step.
			step := steps[w]
			i := 0
			for ; i < n || i%rowsPerWorker != 0; i++ {
				key := fmt.Sprintf("%s-%d-%d", impl, w, i%rowsPerWorker)
				at := (step + i/rowsPerWorker) % len(storeCycle)
				if err := move(ctx, key, storeFrom[at], storeCycle[at]); err != nil {
					errs <- err
					return
				}
			}
			steps[w] = step + i/rowsPerWorker
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "moves/s")
}

// storeFrom is the state each event of storeCycle leaves.
var storeFrom = []fsmpkg.State{fsmpkg.StateFinished, fsmpkg.StateStarting, fsmpkg.StateWaiting, fsmpkg.StateProcessing}

var (
	progressMu sync.Mutex
	progress   = map[string]*[storeWorkers]int{}
)

// storeProgress is, per database and implementation, how many rounds of
// the cycle each worker's rows have made across the benchmark's runs.
func storeProgress(key string) *[storeWorkers]int {
	progressMu.Lock()
	defer progressMu.Unlock()
	if progress[key] == nil {
		progress[key] = &[storeWorkers]int{}
	}
	return progress[key]
}

// timeoutGroup are the seed's timeout's states.
var timeoutGroup = map[fsmpkg.State]bool{fsmpkg.StateStarting: true, fsmpkg.StateWaiting: true, fsmpkg.StateProcessing: true}

// newToken is a version token as a hand-written service draws one.
func newToken() string {
	hi, lo := rand.Uint64(), rand.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0x0fff|0x4000, lo>>48&0x3fff|0x8000, lo&0xffffffffffff)
}

// handwritten is the read-decide-write pattern the Store replaces; with
// history, it writes all the Store's move writes: the version, the
// fields the state entered sets, the history row.
func handwritten(ctx context.Context, d storeDialect, db *sql.DB, key string, ev fsmpkg.Event, history bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var from fsmpkg.State
	var errText sql.NullString
	if err := tx.QueryRowContext(ctx, d.bind(`SELECT state, error FROM nodes WHERE uuid = ?`+d.lock), key).Scan(&from, &errText); err != nil {
		return err
	}
	to, err := fsmpkg.Transition(from, ev)
	if err != nil {
		return err
	}
	if !history {
		if _, err := tx.ExecContext(ctx, d.bind(`UPDATE nodes SET state = ? WHERE uuid = ?`), to.String(), key); err != nil {
			return err
		}
		return tx.Commit()
	}
	// What the Store's move writes besides the state: the seed's new
	// version token, what the state entered sets, the timeout's deadline
	// (started on entering its states, ended on leaving them), and the
	// history row with the error the move left.
	set := map[fsmpkg.State]string{
		fsmpkg.StateStarting: `, started_at = ?, finished_at = NULL, error = NULL`,
		fsmpkg.StateFinished: `, finished_at = ?`,
		fsmpkg.StateError:    `, finished_at = ?`,
	}[to]
	args := []any{to.String(), newToken()}
	if set != "" {
		args = append(args, time.Now().UTC())
	}
	if to == fsmpkg.StateStarting {
		errText = sql.NullString{}
	}
	switch in := timeoutGroup[to]; {
	case in && !timeoutGroup[from]:
		set += `, timeout_at = ?`
		args = append(args, time.Now().UTC().Add(time.Hour))
	case !in && timeoutGroup[from]:
		set += `, timeout_at = NULL`
	}
	if _, err := tx.ExecContext(ctx, d.bind(`UPDATE nodes SET state = ?, version_id = ?`+set+` WHERE uuid = ?`), append(args, key)...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.bind(`INSERT INTO nodes_history (uuid, from_state, to_state, event, error) VALUES (?, ?, ?, ?, ?)`),
		key, from.String(), to.String(), ev.String(), errText); err != nil {
		return err
	}
	return tx.Commit()
}

var (
	storeMu  sync.Mutex
	storeDBs = map[string]*sql.DB{}
)

// storeDB is one database per dialect with the seed's nodes table and the
// generated migrations, shared by every run of the benchmark.
func storeDB(b *testing.B, d storeDialect) *sql.DB {
	storeMu.Lock()
	defer storeMu.Unlock()
	if db := storeDBs[d.name]; db != nil {
		return db
	}
	db := d.open(b)
	if _, err := db.Exec(`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, version_id VARCHAR(36) NOT NULL DEFAULT '')`); err != nil {
		b.Fatal(err)
	}
	p, err := goose.NewProvider(d.goose, db, os.DirFS("../generated/migrations/"+d.name))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, impl := range storeImpls {
		for w := range storeWorkers {
			for r := range rowsPerWorker {
				if _, err := db.Exec(d.bind(`INSERT INTO nodes (uuid) VALUES (?)`), fmt.Sprintf("%s-%d-%d", impl, w, r)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	storeDBs[d.name] = db
	return db
}
