package bench

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

// BenchmarkDeadlines starts a new timeout's deadlines in a table of
// DEADLINE_ROWS rows (1,000,000 unless set), the last tenth of them (by
// key, and as inserted) in the timeout's state, as in a service whose
// recent rows are in progress, with the statements the timeout's
// migration runs (the dialect's Deadlines, batch by batch): one op is the
// whole backfill. docs/benchmarks.md says how each dialect's batches
// choose their rows.
func BenchmarkDeadlines(b *testing.B) {
	rows := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("DEADLINE_ROWS")); err == nil && v > 0 {
		rows = v
	}
	ctx := context.Background()
	for _, d := range []struct {
		name, driver, ts string
		dsn              func(testing.TB) string
		// session lets the recursive query that fills the table go deep.
		session string
	}{
		{"postgres", "pgx", "timestamptz", testdb.Postgres, "SELECT 1"},
		{"mysql", "mysql", "DATETIME(6)", testdb.MySQL, "SET SESSION max_recursive_iterations = 100000000"},
	} {
		b.Run("db="+d.name, func(b *testing.B) {
			db, err := sql.Open(d.driver, d.dsn(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			// One connection: MySQL's procedure reports its error through
			// session variables.
			conn, err := db.Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			for _, q := range []string{
				d.session,
				`CREATE TABLE t (k VARCHAR(36) PRIMARY KEY, state VARCHAR(20) NOT NULL, dl ` + d.ts + ` NULL)`,
				`INSERT INTO t (k, state) WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + strconv.Itoa(rows) + `) SELECT CONCAT('node-', LPAD(CAST(i AS VARCHAR(8)), 8, '0')), CASE WHEN i > ` + strconv.Itoa(rows-rows/10) + ` THEN 'waiting' ELSE 'finished' END FROM n`,
			} {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			stmts, _ := dialects.For(d.name).Deadlines(dialect.Table{Name: "t", Key: "k", Column: "state"}, dialect.Field{Name: "dl", Type: "timestamp"}, []string{"waiting"}, 3_600_000_000)
			for b.Loop() {
				b.StopTimer()
				if _, err := conn.ExecContext(ctx, `UPDATE t SET dl = NULL WHERE dl IS NOT NULL`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, q := range stmts {
					if _, err := conn.ExecContext(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
			}
			var missing int
			if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE dl IS NULL AND state = 'waiting'`).Scan(&missing); err != nil || missing != 0 {
				b.Fatalf("%d rows without a deadline (%v)", missing, err)
			}
		})
	}
}
