package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"

	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

// pgxRows is how many rows one op of BenchmarkPgxScan reads.
const pgxRows = 1000

// BenchmarkPgxScan reads pgxRows states through pgx: into a string (what a
// row's text costs), and into State on a connection without and with
// RegisterPgxTypes. Its allocs/row says what decoding a State costs on top
// of the query: pgx hands an unknown type's text to State.Scan as a new
// string each row, while the enum codec RegisterPgxTypes loads hands out
// one string per label.
func BenchmarkPgxScan(b *testing.B) {
	ctx := context.Background()
	url := testdb.Postgres(b)
	setup, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close(ctx)
	labels := fsmpkg.States()
	for _, q := range []string{
		`CREATE TYPE node_state AS ENUM ('starting', 'waiting', 'processing', 'finished', 'error', 'reapplying', 'enrolling', 'aborting')`,
		`CREATE TABLE nodes (uuid text PRIMARY KEY, state node_state NOT NULL)`,
	} {
		if _, err := setup.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for i := range pgxRows {
		if _, err := setup.Exec(ctx, `INSERT INTO nodes VALUES ($1, $2)`, fmt.Sprint(i), labels[i%len(labels)].String()); err != nil {
			b.Fatal(err)
		}
	}
	for _, v := range []struct {
		name     string
		register bool
		dest     func() any
	}{
		{"text", false, func() any { return new(string) }},
		{"State", false, func() any { return new(fsmpkg.State) }},
		{"State+registered", true, func() any { return new(fsmpkg.State) }},
	} {
		b.Run("into="+v.name, func(b *testing.B) {
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(ctx)
			if v.register {
				if err := fsmpkg.RegisterPgxTypes(ctx, conn); err != nil {
					b.Fatal(err)
				}
			}
			dest := v.dest()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				rows, err := conn.Query(ctx, `SELECT state FROM nodes`)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					if err := rows.Scan(dest); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if rows.Err() != nil || n != pgxRows {
					b.Fatalf("%d rows, %v", n, rows.Err())
				}
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*pgxRows), "allocs/row")
		})
	}
}
