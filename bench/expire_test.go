package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/bench/internal/harness"
	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
)

// BenchmarkExpire sweeps the seed's timeout: EXPIRE_ROWS rows (1,000,000
// unless set), a tenth of them due, while 4 writers move rows of their
// own round the introspection cycle. One op is one sweep of every due row
// with Expire(…, 1000) until none is left; it reports rows timed out per
// second and the writers' longest move, and their longest move without a
// sweep, as long again after it (the control). After the ops, deadlines
// fall due one after another at half that rate for 5 s while a sweeper
// calls Expire every 50 ms, as RunExpiry would: it reports how late the
// 99th percentile of rows and the latest were timed out after their
// deadline.
func BenchmarkExpire(b *testing.B) {
	rows := 1000000
	if v, err := strconv.Atoi(os.Getenv("EXPIRE_ROWS")); err == nil && v > 0 {
		rows = v
	}
	due := rows / 10
	for _, d := range storeDialects {
		b.Run("db="+d.name, func(b *testing.B) {
			ctx := context.Background()
			db := d.open(b)
			if _, err := db.Exec(`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, version_id VARCHAR(36) NOT NULL DEFAULT '')`); err != nil {
				b.Fatal(err)
			}
			p, err := goose.NewProvider(d.goose, db, os.DirFS("../generated/migrations/"+d.name))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Up(ctx); err != nil {
				b.Fatal(err)
			}
			// The rows, in the initial state; the due ones get a deadline
			// in the past below, both as the table's owner (a service
			// creates rows with Create, which a million calls would take
			// minutes to do).
			if err := harness.AsOwner(ctx, db, d.name, fmt.Sprintf(seedRows[d.name], rows)); err != nil {
				b.Fatal(err)
			}
			st := fsmpkg.NewStore(d.store)
			var expired int
			var sweeping time.Duration
			var stall, control time.Duration
			var mu sync.Mutex
			// writers moves rows of their own until stop closes, keeping
			// their longest move in *longest.
			writers := func(stop chan struct{}, longest *time.Duration) *sync.WaitGroup {
				var wg sync.WaitGroup
				for w := range 4 {
					wg.Go(func() {
						for i := 0; ; i++ {
							select {
							case <-stop:
								return
							default:
							}
							key := fmt.Sprintf("n%07d", due+w*100+i%100)
							start := time.Now()
							if _, _, err := st.Fire(ctx, db, key, storeCycle[(i/100)%len(storeCycle)]); err != nil && !errors.Is(err, fsmpkg.ErrInvalidTransition) {
								b.Error(err)
								return
							}
							mu.Lock()
							*longest = max(*longest, time.Since(start))
							mu.Unlock()
						}
					})
				}
				return &wg
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				if err := harness.AsOwner(ctx, db, d.name, fmt.Sprintf(`UPDATE nodes SET state = 'waiting', timeout_at = %s WHERE uuid < 'n%07d'`, past(d.name), due)); err != nil {
					b.Fatal(err)
				}
				settle(b, db, d.name)
				stop := make(chan struct{})
				wg := writers(stop, &stall)
				b.StartTimer()
				start := time.Now()
				for {
					out, err := st.Expire(ctx, db, time.Now(), 1000)
					if err != nil {
						b.Fatal(err)
					}
					if len(out) == 0 {
						break
					}
					expired += len(out)
				}
				took := time.Since(start)
				sweeping += took
				b.StopTimer()
				close(stop)
				wg.Wait()
				// The control: the writers alone for as long, so that a
				// stall the machine or the database gives writers anyway
				// is not taken for the sweep's.
				stop = make(chan struct{})
				wg = writers(stop, &control)
				time.Sleep(took)
				close(stop)
				wg.Wait()
				b.StartTimer()
			}
			rate := float64(expired) / sweeping.Seconds()
			b.ReportMetric(rate, "rows/s")
			b.ReportMetric(float64(stall.Microseconds())/1000, "max-stall-ms")
			b.ReportMetric(float64(control.Microseconds())/1000, "control-stall-ms")
			b.StopTimer()
			p99, worst := lateness(b, ctx, db, d.name, st, min(due, int(rate/2*5)), time.Duration(float64(time.Second)/(rate/2)))
			b.ReportMetric(float64(p99.Microseconds())/1000, "late-p99-ms")
			b.ReportMetric(float64(worst.Microseconds())/1000, "late-max-ms")
		})
	}
}

// lateness gives n rows deadlines step apart, starting a second from now,
// sweeps them every 50 ms as they fall due, and returns how late after
// its deadline the 99th percentile of rows, and the latest, was timed out.
func lateness(b *testing.B, ctx context.Context, db *sql.DB, dialect string, st *fsmpkg.Store, n int, step time.Duration) (p99, worst time.Duration) {
	b.Helper()
	// The statement's clock is t0 give or take its start.
	t0 := time.Now().Add(time.Second)
	if err := harness.AsOwner(ctx, db, dialect, fmt.Sprintf(spreadDeadlines[dialect], step.Microseconds(), n)); err != nil {
		b.Fatal(err)
	}
	settle(b, db, dialect)
	var late []time.Duration
	for len(late) < n {
		time.Sleep(50 * time.Millisecond)
		for {
			out, err := st.Expire(ctx, db, time.Now(), 1000)
			if err != nil {
				b.Fatal(err)
			}
			at := time.Now()
			for _, e := range out {
				i, err := strconv.Atoi(e.Key[1:])
				if err != nil {
					b.Fatal(err)
				}
				late = append(late, at.Sub(t0.Add(time.Duration(i)*step)))
			}
			if len(out) < 1000 {
				break
			}
		}
	}
	slices.Sort(late)
	return late[len(late)*99/100], late[len(late)-1]
}

// settle does the work the setup's bulk UPDATE leaves (PostgreSQL's dead
// row versions, SQLite's write-ahead log), so that a writer's move that
// would otherwise trigger it does not count it as waiting for the sweep.
// MySQL's purge of old row versions runs in the background and cannot be
// waited for: the sweeps read past the index entries it has not removed
// yet.
func settle(b *testing.B, db *sql.DB, dialect string) {
	b.Helper()
	q := map[string]string{"postgres": "VACUUM ANALYZE nodes", "sqlite": "PRAGMA wal_checkpoint(TRUNCATE)"}[dialect]
	if q == "" {
		return
	}
	if _, err := db.Exec(q); err != nil {
		b.Fatal(err)
	}
}

// seedRows inserts %d rows n0000000, n0000001, ... in the initial state.
var seedRows = map[string]string{
	"postgres": `INSERT INTO nodes (uuid) SELECT 'n' || lpad(i::text, 7, '0') FROM generate_series(0, %d - 1) AS i`,
	// MariaDB stops a recursion after 1,000 iterations: a thousand
	// squared rows at most.
	"mysql":  `INSERT INTO nodes (uuid) WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 999) SELECT CONCAT('n', LPAD(a.i * 1000 + b.i, 7, '0')) FROM s AS a, s AS b WHERE a.i * 1000 + b.i < %d`,
	"sqlite": `INSERT INTO nodes (uuid) WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < %d - 1) SELECT 'n' || printf('%%07d', i) FROM s`,
}

// spreadDeadlines puts the first %[2]d rows in waiting, row i with a
// deadline a second plus i times %[1]d microseconds from the statement's
// start.
var spreadDeadlines = map[string]string{
	"postgres": `UPDATE nodes SET state = 'waiting', timeout_at = now() + interval '1 second' + substr(uuid, 2)::bigint * %d * interval '1 microsecond' WHERE uuid < 'n' || lpad(%d::text, 7, '0')`,
	"mysql":    `UPDATE nodes SET state = 'waiting', timeout_at = CURRENT_TIMESTAMP(6) + INTERVAL 1 SECOND + INTERVAL (CAST(SUBSTR(uuid, 2) AS UNSIGNED) * %d) MICROSECOND WHERE uuid < CONCAT('n', LPAD(%d, 7, '0'))`,
	"sqlite":   `UPDATE nodes SET state = 'waiting', timeout_at = strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', printf('%%.6f seconds', 1 + CAST(substr(uuid, 2) AS INTEGER) * %d / 1000000.0)) WHERE uuid < 'n' || printf('%%07d', %d)`,
}

// past is a time before every deadline, as the dialect's clock writes it.
func past(dialect string) string {
	if dialect == "sqlite" {
		return "'2000-01-01 00:00:00.000'"
	}
	return "'2000-01-01 00:00:00'"
}
