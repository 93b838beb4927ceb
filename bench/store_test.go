package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// storeWorkers is the concurrency: eight clients moving rows at
// once, each with rows of its own (so the figures measure what one move
// costs, not how long clients queue for a shared row's lock).
const (
	storeWorkers  = 8
	rowsPerWorker = 64
)

// storeCycle is one successful introspection; every row walks it over and
// over, so every call is a move.
var storeCycle = []fsmpkg.Event{fsmpkg.EventStart, fsmpkg.EventWait, fsmpkg.EventProcess, fsmpkg.EventFinish}

// BenchmarkStoreMove compares, on PostgreSQL with the seed's schema
// (enforcement triggers on, the history table present), moves per second
// of the generated Store's Fire (one statement: the move and its history
// row) with the pattern it replaces: BEGIN; SELECT … FOR UPDATE;
// Transition; UPDATE; COMMIT, and that pattern with the history row added,
// the same work Fire does.
func BenchmarkStoreMove(b *testing.B) {
	db := storeDB(b)
	st := fsmpkg.NewStore(fsmpkg.Postgres)
	impls := []struct {
		name string
		move func(ctx context.Context, key string, ev fsmpkg.Event) error
	}{
		{"Fire", func(ctx context.Context, key string, ev fsmpkg.Event) error {
			_, _, err := st.Fire(ctx, db, key, ev)
			return err
		}},
		{"handwritten", func(ctx context.Context, key string, ev fsmpkg.Event) error {
			return handwritten(ctx, db, key, ev, false)
		}},
		{"handwritten+history", func(ctx context.Context, key string, ev fsmpkg.Event) error {
			return handwritten(ctx, db, key, ev, true)
		}},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, storeWorkers)
			b.ResetTimer()
			start := time.Now()
			for w := range storeWorkers {
				n := b.N / storeWorkers
				if w < b.N%storeWorkers {
					n++
				}
				wg.Go(func() {
					// Each worker keeps its rows' place in the cycle: the
					// rows start finished and go round in step.
					step := storeProgress[impl.name][w]
					for i := range n {
						key := fmt.Sprintf("%s-%d-%d", impl.name, w, i%rowsPerWorker)
						if err := impl.move(ctx, key, storeCycle[(step+i/rowsPerWorker)%len(storeCycle)]); err != nil {
							errs <- err
							return
						}
					}
					storeProgress[impl.name][w] = step + (n+rowsPerWorker-1)/rowsPerWorker
					if n%rowsPerWorker != 0 {
						// A partial round leaves rows out of step: finish it
						// so that the next run starts in step.
						for i := n; i%rowsPerWorker != 0; i++ {
							key := fmt.Sprintf("%s-%d-%d", impl.name, w, i%rowsPerWorker)
							if err := impl.move(ctx, key, storeCycle[(step+i/rowsPerWorker)%len(storeCycle)]); err != nil {
								errs <- err
								return
							}
						}
					}
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
		})
	}
}

// storeProgress is, per implementation and worker, how many rounds of the
// cycle its rows have made across the benchmark's runs.
var storeProgress = map[string]*[storeWorkers]int{
	"Fire": {}, "handwritten": {}, "handwritten+history": {},
}

// handwritten is the read-decide-write pattern the Store replaces.
func handwritten(ctx context.Context, db *sql.DB, key string, ev fsmpkg.Event, history bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var from fsmpkg.State
	if err := tx.QueryRowContext(ctx, `SELECT state FROM nodes WHERE uuid = $1 FOR UPDATE`, key).Scan(&from); err != nil {
		return err
	}
	to, err := fsmpkg.Transition(from, ev)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE nodes SET state = $1 WHERE uuid = $2`, to.String(), key); err != nil {
		return err
	}
	if history {
		if _, err := tx.ExecContext(ctx, `INSERT INTO nodes_history (uuid, from_state, to_state, event) VALUES ($1, $2, $3, $4)`,
			key, from.String(), to.String(), ev.String()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

var (
	storeOnce sync.Once
	storeConn *sql.DB
)

// storeDB is one PostgreSQL database with the seed's nodes table and the
// generated migrations, shared by every run of the benchmark.
func storeDB(b *testing.B) *sql.DB {
	storeOnce.Do(func() {
		db, err := sql.Open("pgx", testdb.Postgres(b))
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxIdleConns(storeWorkers)
		if _, err := db.Exec(`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, started_at TIMESTAMP)`); err != nil {
			b.Fatal(err)
		}
		p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("../generated/migrations/postgres"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Up(context.Background()); err != nil {
			b.Fatal(err)
		}
		for impl := range storeProgress {
			for w := range storeWorkers {
				for r := range rowsPerWorker {
					if _, err := db.Exec(`INSERT INTO nodes (uuid) VALUES ($1)`, fmt.Sprintf("%s-%d-%d", impl, w, r)); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		storeConn = db
	})
	if storeConn == nil {
		b.Fatal("no database")
	}
	return storeConn
}
