package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/bench/internal/harness"
	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
)

// BenchmarkExpire sweeps the seed's timeout: EXPIRE_ROWS rows (100,000
// unless set), a tenth of them due, while 4 writers move rows of their
// own round the introspection cycle. One op is one sweep of every due row
// with Expire(…, 1000) until none is left; it reports rows timed out per
// second and the writers' longest move.
func BenchmarkExpire(b *testing.B) {
	rows := 100000
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
			// Rows are created as a service creates them; the due ones
			// get a deadline in the past below.
			st := fsmpkg.NewStore(d.store)
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			for i := range rows {
				if err := st.Create(ctx, tx, fmt.Sprintf("n%07d", i), fsmpkg.StateFinished); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			var expired int
			var stall time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				// The due rows: waiting since before their deadline. The
				// owner's bypass, as the row's history would not allow it.
				if err := harness.AsOwner(ctx, db, d.name, fmt.Sprintf(`UPDATE nodes SET state = 'waiting', timeout_at = %s WHERE uuid < 'n%07d'`, past(d.name), due)); err != nil {
					b.Fatal(err)
				}
				stop := make(chan struct{})
				var wg sync.WaitGroup
				var mu sync.Mutex
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
							stall = max(stall, time.Since(start))
							mu.Unlock()
						}
					})
				}
				b.StartTimer()
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
				b.StopTimer()
				close(stop)
				wg.Wait()
				b.StartTimer()
			}
			b.ReportMetric(float64(expired)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(stall.Microseconds())/1000, "max-stall-ms")
		})
	}
}

// past is a time before every deadline, as the dialect's clock writes it.
func past(dialect string) string {
	if dialect == "sqlite" {
		return "'2000-01-01 00:00:00.000'"
	}
	return "'2000-01-01 00:00:00'"
}
