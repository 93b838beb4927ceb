package introspection_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/generated/introspection"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

// mariaDB returns a new MariaDB database whose nodes table has key column
// keyType, with the seed's migrations applied.
func mariaDB(t *testing.T, keyType string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", testdb.MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE nodes (uuid ` + keyType + ` PRIMARY KEY, version_id VARCHAR(36) NOT NULL DEFAULT '')`); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectMySQL, db, os.DirFS(filepath.Join("..", "migrations", "mysql")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// transactions is how many transactions the session of conn began.
func transactions(t *testing.T, conn *sql.Conn) int {
	t.Helper()
	var name string
	var n int
	if err := conn.QueryRowContext(context.Background(), `SHOW SESSION STATUS LIKE 'Com_begin'`).Scan(&name, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFireFunction moves rows on MariaDB by Fire, Move and Expire through
// the seed's fire function (sql.fire_function), and the same moves, with
// the same options, in a database whose function was dropped, where they
// take their transactions: every call returns the same, and the rows and
// their history end the same. The function's call begins no transaction, rolls
// back with a caller's, and is not used where the key column's collation
// would make it find the row by a scan.
func TestFireFunction(t *testing.T) {
	ctx := context.Background()
	withFn, without := mariaDB(t, "VARCHAR(36)"), mariaDB(t, "VARCHAR(36)")
	var fn string
	if err := without.QueryRow(`SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'FUNCTION'`).Scan(&fn); err != nil {
		t.Fatal(err)
	}
	if _, err := without.Exec("DROP FUNCTION `" + fn + "`"); err != nil {
		t.Fatal(err)
	}
	dbs := []*sql.DB{withFn, without}
	stores := []*introspection.Store{introspection.NewStore(introspection.MySQL), introspection.NewStore(introspection.MySQL)}
	const rows = 8
	for _, db := range dbs {
		for k := range rows {
			if err := stores[0].Create(ctx, db, "n"+strconv.Itoa(k), introspection.StateFinished); err != nil {
				t.Fatal(err)
			}
		}
	}
	options := []func(i int) introspection.Option{
		func(i int) introspection.Option { return introspection.SetError("e" + strconv.Itoa(i)) },
		func(int) introspection.Option { return introspection.ClearError() },
		func(int) introspection.Option { return introspection.SetStartedAtNow() },
		func(int) introspection.Option {
			return introspection.SetFinishedAt(time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC))
		},
		func(i int) introspection.Option { return introspection.WithActor("a" + strconv.Itoa(i)) },
		func(i int) introspection.Option { return introspection.WithReason("r" + strconv.Itoa(i)) },
	}
	r := rand.New(rand.NewPCG(1, 2))
	events := introspection.Events()
	for i := range 600 {
		key := "n" + strconv.Itoa(r.IntN(rows+1)) // n8 is no row
		ev := events[r.IntN(len(events))]
		var opts []introspection.Option
		for range r.IntN(3) {
			opts = append(opts, options[r.IntN(len(options))](i))
		}
		type result struct {
			From, To                    introspection.State
			NotFound, Transition, Stale bool
		}
		// A third of the calls are Moves from a state the caller guessed.
		move := r.IntN(3) == 0
		guess := introspection.States()[r.IntN(int(introspection.NumStates))]
		var got [2]result
		for j, db := range dbs {
			var from, to introspection.State
			var err error
			if move {
				from = guess
				to, err = stores[j].Move(ctx, db, key, guess, ev, opts...)
			} else {
				from, to, err = stores[j].Fire(ctx, db, key, ev, opts...)
			}
			got[j] = result{From: from, To: to, NotFound: errors.Is(err, introspection.ErrNotFound), Transition: errors.Is(err, introspection.ErrInvalidTransition), Stale: errors.Is(err, introspection.ErrStale)}
			if err != nil && !got[j].NotFound && !got[j].Transition && !got[j].Stale {
				t.Fatalf("call %d: Fire or Move(%s, %v): %v", i, key, ev, err)
			}
		}
		if d := cmp.Diff(got[1], got[0]); d != "" {
			t.Fatalf("call %d: Fire(%s, %v) with the function differs from without (-without +with):\n%s", i, key, ev, d)
		}
	}
	// A sweep of every deadline, in the function's Expire and the
	// transaction's.
	var expired [2][]introspection.Expired
	for j, db := range dbs {
		var err error
		if expired[j], err = stores[j].Expire(ctx, db, time.Now().Add(2*time.Hour), 100); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(expired[j], func(a, b introspection.Expired) int { return strings.Compare(a.Key, b.Key) })
	}
	if len(expired[0]) == 0 {
		t.Error("the sweep found no due row")
	}
	if d := cmp.Diff(expired[1], expired[0], cmp.Comparer(func(a, b error) bool { return (a == nil) == (b == nil) })); d != "" {
		t.Errorf("Expire with the function differs from without (-without +with):\n%s", d)
	}
	// The times the database's clock wrote differ; whether it wrote one
	// does not.
	const rowsQuery = `SELECT uuid, state, version_id <> '', started_at IS NULL, finished_at IS NULL, finished_at <=> '2026-01-02 03:04:05.000006', timeout_at IS NULL, COALESCE(error, '-') FROM nodes ORDER BY uuid`
	const historyQuery = `SELECT uuid, from_state, to_state, event, COALESCE(error, '-'), COALESCE(actor, '-'), COALESCE(reason, '-') FROM nodes_history ORDER BY uuid, seq`
	for _, q := range []string{rowsQuery, historyQuery} {
		var all [2][]string
		for j, db := range dbs {
			rs, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rs.Columns()
			for rs.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rs.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				all[j] = append(all[j], fmt.Sprintf("%s", vals))
			}
			if err := rs.Err(); err != nil {
				t.Fatal(err)
			}
			rs.Close()
		}
		if len(all[0]) < rows {
			t.Fatalf("%s: %d rows", q, len(all[0]))
		}
		if d := cmp.Diff(all[1], all[0]); d != "" {
			t.Errorf("%s: with the function differs from without (-without +with):\n%s", q, d)
		}
	}

	// One call, no transaction: the session begins none with the function,
	// one without.
	for j, want := range []int{0, 1} {
		conn, err := dbs[j].Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stores[j].Fire(ctx, conn, "n0", introspection.EventAbort) // from waiting, or refused
		before := transactions(t, conn)
		if _, _, err := stores[j].Fire(ctx, conn, "n0", introspection.EventReapply); err != nil && !errors.Is(err, introspection.ErrInvalidTransition) {
			t.Fatal(err)
		}
		if n := transactions(t, conn) - before; n != want {
			t.Errorf("database %d: Fire began %d transactions, want %d", j, n, want)
		}
		if err := stores[j].Create(ctx, conn, "c0", introspection.StateFinished); err != nil {
			t.Fatal(err)
		}
		before = transactions(t, conn)
		if _, err := stores[j].Move(ctx, conn, "c0", introspection.StateFinished, introspection.EventStart); err != nil {
			t.Fatal(err)
		}
		if n := transactions(t, conn) - before; n != want {
			t.Errorf("database %d: Move began %d transactions, want %d", j, n, want)
		}
		conn.Close()
	}

	// In a caller's transaction the function's move and history row roll
	// back with it.
	var history int
	count := func() int {
		var n int
		if err := withFn.QueryRow(`SELECT COUNT(*) FROM nodes_history`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	history = count()
	tx, err := withFn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := stores[0].Create(ctx, tx, "t0", introspection.StateFinished); err != nil {
		t.Fatal(err)
	}
	if _, to, err := stores[0].Fire(ctx, tx, "t0", introspection.EventStart); err != nil || to != introspection.StateStarting {
		t.Fatalf("Fire in a transaction: %v, %v", to, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != history {
		t.Errorf("history rows: %d after a rolled back transaction, %d before", n, history)
	}

	// The function dropped while the Store uses it, as a later migration
	// would: Fire takes its transaction and moves the row all the same.
	if _, err := withFn.Exec("DROP FUNCTION `" + fn + "`"); err != nil {
		t.Fatal(err)
	}
	if err := stores[0].Create(ctx, withFn, "g0", introspection.StateFinished); err != nil {
		t.Fatal(err)
	}
	if _, to, err := stores[0].Fire(ctx, withFn, "g0", introspection.EventStart); err != nil || to != introspection.StateStarting {
		t.Fatalf("Fire after the function was dropped: %v, %v", to, err)
	}

	// A key of another collation than the function's parameter, which
	// has the database's: Fire takes its transaction.
	var collation string
	if err := withFn.QueryRow(`SELECT @@collation_database`).Scan(&collation); err != nil {
		t.Fatal(err)
	}
	other := "CHARACTER SET latin1 COLLATE latin1_bin"
	if collation == "latin1_bin" {
		other = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	}
	latin := mariaDB(t, "VARCHAR(36) "+other)
	st := introspection.NewStore(introspection.MySQL)
	if err := st.Create(ctx, latin, "l0", introspection.StateFinished); err != nil {
		t.Fatal(err)
	}
	conn, err := latin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := transactions(t, conn)
	if _, to, err := st.Fire(ctx, conn, "l0", introspection.EventStart); err != nil || to != introspection.StateStarting {
		t.Fatalf("Fire on a key of %s: %v, %v", other, to, err)
	}
	if n := transactions(t, conn) - before; n != 1 {
		t.Errorf("Fire on a key of %s, the database's being %s, began %d transactions, want 1: the function would scan the table", other, collation, n)
	}
}
