package sqlmig_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	migratedb "github.com/golang-migrate/migrate/v4/database"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/internal/cli"
	mysqldialect "github.com/fsmgen/fsmgen/internal/dialect/mysql"
)

// gooseOn opens d with the application's nodes table and a goose provider
// over the scenario's history.
func gooseOn(t *testing.T, d dialect, h *history) (*sql.DB, gooseRunner) {
	t.Helper()
	db := open(t, d)
	p, err := goose.NewProvider(d.goose, db, h.dir(d.name))
	if err != nil {
		t.Fatal(err)
	}
	return db, gooseRunner{p}
}

func dialectNamed(name string) dialect {
	for _, d := range dialects {
		if d.name == name {
			return d
		}
	}
	panic(name)
}

// TestPostgresDependents: every change kind, up and down, while a view, a
// partial index, a CHECK constraint and a second column use the type. A
// type swap fails on each of them; changes in place do not care.
func TestPostgresDependents(t *testing.T) {
	h := buildHistory(t, "goose")
	d := dialectNamed("postgres")
	db, url := openURL(t, d)
	p, err := goose.NewProvider(d.goose, db, h.dir(d.name))
	if err != nil {
		t.Fatal(err)
	}
	r := gooseRunner{p}
	r.upTo(t, 2)
	for _, q := range []string{
		`CREATE VIEW busy AS SELECT uuid, state FROM nodes WHERE state <> 'finished'`,
		`CREATE INDEX nodes_error ON nodes (uuid) WHERE state = 'error'`,
		`ALTER TABLE nodes ADD CONSTRAINT starting_has_no_note CHECK (state <> 'starting' OR note IS NULL)`,
		`CREATE TABLE audit (id int PRIMARY KEY, state node_state NOT NULL)`,
		`INSERT INTO audit VALUES (1, 'reapplying'), (2, 'aborting')`,
		`INSERT INTO nodes (uuid, state) VALUES ('a', 'aborting'), ('r', 'reapplying')`,
	} {
		mustExec(t, db, q)
	}
	r.up(t)
	expectSet(t, d, db, h.sets[4])
	// The labels left in the type are fsmgen's own: verify agrees.
	if code, out, stderr := run("verify", "-db", url, "-spec", h.specs[4], "-out", h.out); code != cli.ExitOK {
		t.Fatalf("verify after online changes: exit %d: %s%s", code, out, stderr)
	}
	for _, v := range []int64{4, 3, 2, 1} {
		if err := r.downTo(v); err != nil {
			t.Fatalf("down to %d with dependents: %v", v, err)
		}
	}
	r.up(t)
	expectSet(t, d, db, h.sets[4])
	got := strs(t, db, `SELECT uuid || '=' || state FROM busy ORDER BY uuid`)
	if strings.Join(got, " ") != "a=error r=reprocessing" {
		t.Fatalf("the view reads %q", got)
	}
	// The second column keeps its rows: only the bound column moves, and a
	// rename renames the label wherever it is used.
	if got := strings.Join(strs(t, db, `SELECT state::text FROM audit ORDER BY id`), " "); got != "reprocessing aborting" {
		t.Fatalf("the second column holds %q", got)
	}
}

// TestConcurrentWriterOfRemovedLabel: a writer keeps inserting the label a
// migration removes (rows_to) or renames away. The migration must succeed,
// leave no row in the old label, and the writer may only see the errors the
// README lists as the application's to handle.
func TestConcurrentWriterOfRemovedLabel(t *testing.T) {
	h := buildHistory(t, "goose")
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			d := dialectNamed(name)
			db, url := openURL(t, d)
			p, err := goose.NewProvider(d.goose, db, h.dir(d.name))
			if err != nil {
				t.Fatal(err)
			}
			r := gooseRunner{p}
			r.upTo(t, 3)
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			var n, bad atomic.Int64
			var firstBad atomic.Value
			for _, label := range []string{"aborting", "reapplying"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ctx.Err() == nil; i++ {
						_, err := db.ExecContext(ctx, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), label+"-"+strconv.Itoa(i), label)
						switch {
						case err == nil:
							n.Add(1)
						case ctx.Err() != nil, expectedWriterError(err):
						default:
							bad.Add(1)
							firstBad.CompareAndSwap(nil, err.Error())
						}
					}
				}()
			}
			_, err = r.p.Up(context.Background())
			stop()
			wg.Wait()
			if err != nil {
				t.Fatalf("goose up under a writer: %v", err)
			}
			if bad.Load() > 0 {
				t.Fatalf("%d writer errors outside the documented ones, first: %v", bad.Load(), firstBad.Load())
			}
			c := counts(t, db)
			if c["aborting"] != 0 || c["reapplying"] != 0 || c[""] != 0 {
				t.Fatalf("rows left in removed or renamed labels after %d writes: %v", n.Load(), c)
			}
			expectSet(t, d, db, h.sets[4])
			// Labels left behind are fsmgen's own: verify agrees.
			if code, out, stderr := run("verify", "-db", url, "-spec", h.specs[4], "-out", h.out); code != cli.ExitOK {
				t.Fatalf("verify after the changes: exit %d: %s%s", code, out, stderr)
			}
		})
	}
}

// expectedWriterError is what a writer of a label that is being removed or
// renamed may get: the label is no longer valid (PostgreSQL 22P02 invalid
// input value, 23514 the constraint; MySQL 1644 the triggers, 1265 data
// truncated in strict
// mode), or a lock wait ended (55P03, 1205).
func expectedWriterError(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "22P02" || pe.Code == "23514" || pe.Code == "55P03"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1265 || me.Number == 1205 || me.Number == 1644
	}
	return false
}

// TestBlockedDownLeavesNothing: a Down stopped by its guard leaves neither
// a guard procedure (MySQL) nor a changed constraint (PostgreSQL) behind.
func TestBlockedDownLeavesNothing(t *testing.T) {
	h := buildHistory(t, "goose")
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			d := dialectNamed(name)
			db, r := gooseOn(t, d, h)
			r.upTo(t, 3)
			before := fsmgenObjects(t, d, db)
			mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('p', 'paused')`)
			if err := r.downTo(2); err == nil || !strings.Contains(err.Error(), "has rows in paused") {
				t.Fatalf("down past paused: %v, want the guard's message", err)
			}
			if after := fsmgenObjects(t, d, db); after != before {
				t.Fatalf("the blocked Down left objects behind:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			expectSet(t, d, db, h.sets[2])
		})
	}
}

// removalDone checks that the removal of aborting (version 4 of
// buildHistory) went through: the database holds version 4's states and
// no row is left in aborting.
func removalDone(t *testing.T, d dialect, db *sql.DB, h *history) {
	t.Helper()
	expectSet(t, d, db, h.sets[4])
	if c := counts(t, db); c["aborting"] != 0 {
		t.Fatalf("rows left in aborting: %v", c)
	}
}

// mysqlBeforeRemoval is a MySQL database at the history's version 4 under
// goose, with rows a1 and a2 in aborting, which version 5 removes.
func mysqlBeforeRemoval(t *testing.T) (dialect, *sql.DB, gooseRunner, *history) {
	t.Helper()
	h := buildHistory(t, "goose")
	d := dialectNamed("mysql")
	db, r := gooseOn(t, d, h)
	r.upTo(t, 4)
	mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('a1', 'aborting'), ('a2', 'aborting')`)
	return d, db, r, h
}

// TestMySQLFailedMoveLeavesNothing: the application's own trigger refuses
// one row's move, so a batch of the move fails inside the move's
// procedure. The procedure is gone all the same, the error reaches the tool
// as the trigger raised it, and the migration runs again once the trigger
// lets the row go.
func TestMySQLFailedMoveLeavesNothing(t *testing.T) {
	d, db, r, h := mysqlBeforeRemoval(t)
	mustExec(t, db, "CREATE TRIGGER app_keep_a2 BEFORE UPDATE ON nodes FOR EACH ROW\n"+
		"BEGIN\n    IF NEW.uuid = 'a2' AND NOT (NEW.state <=> OLD.state) THEN\n"+
		"        SIGNAL SQLSTATE '45001' SET MYSQL_ERRNO = 1644, MESSAGE_TEXT = 'a2 is kept by the application';\n    END IF;\nEND")
	err := r.tryUp()
	if err == nil || errCode(err) != "1644" || !strings.Contains(err.Error(), "(45001): a2 is kept by the application") {
		t.Fatalf("the move of a kept row: %v, want the application's error as it raised it", err)
	}
	noRoutinesLeft(t, db, "the failed move")
	mustExec(t, db, `DROP TRIGGER app_keep_a2`)
	r.up(t)
	removalDone(t, d, db, h)
}

// TestMySQLMoveOutlivesDeadlocks: InnoDB rolls back a batch of a row
// move that lost a deadlock to a writer (1213); the batch runs again, up
// to mysqldialect.DeadlockRetries times in a row, and the error reaches the tool
// after that. An application trigger raises the deadlock's error for the
// first moving row of as many batches as a counter in a MEMORY table,
// which the rollback leaves counted.
func TestMySQLMoveOutlivesDeadlocks(t *testing.T) {
	d, db, r, h := mysqlBeforeRemoval(t)
	mustExec(t, db, `CREATE TABLE app_deadlocks (n INT) ENGINE=MEMORY`)
	mustExec(t, db, fmt.Sprintf(`INSERT INTO app_deadlocks VALUES (%d)`, mysqldialect.DeadlockRetries+1))
	mustExec(t, db, "CREATE TRIGGER app_deadlock BEFORE UPDATE ON nodes FOR EACH ROW\n"+
		"BEGIN\n    IF NOT (NEW.state <=> OLD.state) AND (SELECT n FROM app_deadlocks) > 0 THEN\n"+
		"        UPDATE app_deadlocks SET n = n - 1;\n"+
		"        SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction';\n    END IF;\nEND")
	if err := r.tryUp(); errCode(err) != "1213" {
		t.Fatalf("a batch that lost %d deadlocks in a row: %v, want 1213", mysqldialect.DeadlockRetries+1, err)
	}
	noRoutinesLeft(t, db, "the move given up")
	if c := counts(t, db); c["aborting"] != 2 {
		t.Fatalf("rows after the move given up: %v, want both still in aborting", c)
	}
	mustExec(t, db, fmt.Sprintf(`UPDATE app_deadlocks SET n = %d`, mysqldialect.DeadlockRetries))
	r.up(t)
	var n int
	if err := db.QueryRow(`SELECT n FROM app_deadlocks`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("deadlocks left to raise: %d (%v), want 0 (each batch run again)", n, err)
	}
	removalDone(t, d, db, h)
}

// TestMySQLMoveBehindRowLock: a removal's row move waits for a row lock
// an open transaction holds. The transaction locks a row of another table,
// which an application trigger on nodes locks too for one moving row, so
// that it holds no metadata lock on nodes and the migration's DDL goes
// through. The batch that waits gives up after a second (1205) instead of
// innodb_lock_wait_timeout's 50 s, holding the locks of the batch's other
// rows no longer than that; the migration leaves nothing behind and goes
// through once the transaction ends.
func TestMySQLMoveBehindRowLock(t *testing.T) {
	d, db, r, h := mysqlBeforeRemoval(t)
	mustExec(t, db, `CREATE TABLE app_holds (id INT PRIMARY KEY)`)
	mustExec(t, db, `INSERT INTO app_holds VALUES (1)`)
	mustExec(t, db, "CREATE TRIGGER app_hold_a2 BEFORE UPDATE ON nodes FOR EACH ROW\n"+
		"BEGIN\n    IF NEW.uuid = 'a2' THEN\n        SELECT id INTO @held FROM app_holds WHERE id = 1 FOR UPDATE;\n    END IF;\nEND")
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT id FROM app_holds WHERE id = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = r.tryUp()
	took := time.Since(start)
	if errCode(err) != "1205" || took > 5*time.Second {
		t.Fatalf("the move behind a held row: %v after %v, want 1205 within seconds", err, took)
	}
	noRoutinesLeft(t, db, "the failed move")
	tx.Rollback()
	r.up(t)
	removalDone(t, d, db, h)
}

// TestMySQLBatchLeavesGapsOpen: while a batch of a row move holds its
// transaction open (an application trigger sleeps for one moving row),
// another session inserts a row with the label being moved, into the
// state index's gap between two rows the batch moves. Under REPEATABLE
// READ the batch holds next-key locks on that range and the insert waits
// for the batch to commit; each batch runs under READ COMMITTED, which
// takes no gap locks, so the insert goes through at once. The migration
// still moves every row, the one inserted meanwhile too, and the
// session's own isolation level is what it was.
func TestMySQLBatchLeavesGapsOpen(t *testing.T) {
	h := buildHistory(t, "goose")
	d := dialectNamed("mysql")
	db, url := openURL(t, d)
	db.SetMaxOpenConns(1) // the session the migrations run on
	p, err := goose.NewProvider(d.goose, db, h.dir(d.name))
	if err != nil {
		t.Fatal(err)
	}
	r := gooseRunner{p}
	r.upTo(t, 4)
	other := connect(t, d, url)
	mustExec(t, db, `CREATE INDEX nodes_state ON nodes (state)`)
	mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('a1', 'aborting'), ('a3', 'aborting')`)
	mustExec(t, db, "CREATE TRIGGER app_slow_a3 BEFORE UPDATE ON nodes FOR EACH ROW\n"+
		"BEGIN\n    IF NEW.uuid = 'a3' AND NOT (NEW.state <=> OLD.state) THEN\n        SELECT SLEEP(2) INTO @slept;\n    END IF;\nEND")
	var before string
	if err := db.QueryRow(`SELECT @@session.tx_isolation`).Scan(&before); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { done <- r.tryUp() }()
	// The batch's transaction is open once the trigger sleeps.
	var id int64
	for deadline := time.Now().Add(10 * time.Second); ; {
		err := other.QueryRow(`SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep'`).Scan(&id)
		if err == nil {
			break
		}
		if !errors.Is(err, sql.ErrNoRows) || time.Now().After(deadline) {
			t.Fatalf("waiting for the batch to sleep: %v (migration: %v)", err, <-done)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Read once: InnoDB refreshes INNODB_TRX only when it was not read for
	// 100 ms.
	var iso string
	if err := other.QueryRow(`SELECT trx_isolation_level FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ?`, id).Scan(&iso); err != nil {
		t.Fatalf("the batch's transaction: %v", err)
	}
	start := time.Now()
	_, err = other.Exec(`INSERT INTO nodes (uuid, state) VALUES ('a2', 'aborting')`)
	took := time.Since(start)
	if err := <-done; err != nil {
		t.Fatalf("the migration: %v", err)
	}
	if err != nil {
		t.Fatalf("the insert beside the batch: %v", err)
	}
	t.Logf("the insert beside the batch (%s) took %v", iso, took)
	if took > 500*time.Millisecond {
		t.Fatalf("the insert into a gap the batch scanned waited %v for the batch (its isolation level: %s), want < 500ms", took, iso)
	}
	if iso != "READ COMMITTED" {
		t.Fatalf("the batch ran under %s, want READ COMMITTED", iso)
	}
	removalDone(t, d, db, h)
	var after string
	if err := db.QueryRow(`SELECT @@session.tx_isolation`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("the migration left the session's isolation level at %s, was %s", after, before)
	}
}

// TestNonStrictSession: the tool's session is lax (an empty sql_mode),
// where MySQL stores the empty string for a value an ENUM lacks and only
// warns. Every generated migration makes its own session strict while it
// runs, and gives the session back as it found it.
func TestNonStrictSession(t *testing.T) {
	h := buildHistory(t, "goose")
	d := dialectNamed("mysql")
	db := open(t, d)
	db.SetMaxOpenConns(1) // the session the migrations ran on
	mustExec(t, db, `SET SESSION sql_mode = '', SESSION lock_wait_timeout = 7, SESSION innodb_lock_wait_timeout = 9`)
	p, err := goose.NewProvider(d.goose, db, h.dir(d.name))
	if err != nil {
		t.Fatal(err)
	}
	r := gooseRunner{p}
	r.upTo(t, 4)
	if c := counts(t, db); c[""] != 0 {
		t.Fatalf("rows turned into '': %v", c)
	}
	// The session is given back as it was: goose hands an application's
	// connection back to its pool.
	var mode string
	var lockWait, rowLockWait int
	if err := db.QueryRow(`SELECT @@SESSION.sql_mode, @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout`).Scan(&mode, &lockWait, &rowLockWait); err != nil {
		t.Fatal(err)
	}
	if mode != "" || lockWait != 7 || rowLockWait != 9 {
		t.Fatalf("after the migrations the session has sql_mode %q, lock_wait_timeout %d, innodb_lock_wait_timeout %d; want '', 7 and 9 as before", mode, lockWait, rowLockWait)
	}
	// While the next one runs, statement by statement on that session,
	// the session is strict up to its last statement, which gives it back.
	file, err := fs.Glob(h.dir(d.name), "00005_*.sql")
	if err != nil || len(file) != 1 {
		t.Fatalf("the fifth migration: %v %v", file, err)
	}
	text, err := fs.ReadFile(h.dir(d.name), file[0])
	if err != nil {
		t.Fatal(err)
	}
	up, _, _ := strings.Cut(string(text), "-- +goose Down")
	stmts := gooseStatements(up)
	for i, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%v\n%s", err, stmt)
		}
		if err := db.QueryRow(`SELECT @@SESSION.sql_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if strict := strings.Contains(mode, "STRICT_ALL_TABLES"); i >= 1 && strict != (i < len(stmts)-2) {
			t.Fatalf("after statement %d of %d the session's sql_mode is %q\n%s", i+1, len(stmts), mode, stmt)
		}
	}
}

// TestMySQLAppends: a state added in the middle of the spec goes at the end
// of the live ENUM, which MariaDB and MySQL change without copying the table
// (docs/online-migrations.md measures it), even when the add runs again
// after stopping half way; its Down leaves the label there, forbidden by
// triggers.
func TestMySQLAppends(t *testing.T) {
	h := buildHistory(t, "goose")
	d := dialectNamed("mysql")
	db, r := gooseOn(t, d, h)
	r.upTo(t, 3)
	want := append(slices.Clone(h.sets[1]), "paused")
	if got := d.labels(t, db); !slices.Equal(got, want) {
		t.Fatalf("ENUM after adding paused in the middle: %q, want it appended: %q", got, want)
	}
	mustExec(t, db, `DELETE FROM goose_db_version WHERE version_id = 3`)
	r.upTo(t, 3)
	if got := d.labels(t, db); !slices.Equal(got, want) {
		t.Fatalf("ENUM after running the add twice: %q, want %q", got, want)
	}
	if err := r.downTo(2); err != nil {
		t.Fatal(err)
	}
	if got := d.labels(t, db); !slices.Equal(got, want) {
		t.Fatalf("ENUM after the Down: %q, want %q", got, want)
	}
	expectSet(t, d, db, h.sets[1])
}

// fsmgenObjects lists the constraints (PostgreSQL) or routines and triggers
// with their bodies (MySQL) on the nodes table: what a migration changes
// besides the labels.
func fsmgenObjects(t *testing.T, d dialect, db *sql.DB) string {
	t.Helper()
	q := `SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'nodes'::regclass ORDER BY conname`
	if d.name == "mysql" {
		q = `SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() UNION ALL SELECT CONCAT('TRIGGER ', TRIGGER_NAME, ' ', ACTION_STATEMENT) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1`
	}
	return strings.Join(strs(t, db, q), "\n")
}

// TestMigrationBehindOpenReadTransaction: another session keeps a read
// transaction open on the table (ACCESS SHARE on PostgreSQL, a shared
// metadata lock on MariaDB) while a remove migration needs a stronger lock.
// The migration must give up after its lock timeout (55P03, 1205) instead of
// queueing every writer behind it for as long as the reader stays, change
// nothing, and succeed once the reader is gone. golang-migrate marks the
// version dirty: README's recovery, force the version before and run up
// again, must then go through.
func TestMigrationBehindOpenReadTransaction(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		h := buildHistory(t, format)
		for _, tc := range []struct {
			name string
			code string // the lock timeout's SQLSTATE or error number
		}{{"postgres", "55P03"}, {"mysql", "1205"}} {
			t.Run(format+"/"+tc.name, func(t *testing.T) { behindOpenReader(t, h, format, tc.name, tc.code) })
		}
	}
}

func behindOpenReader(t *testing.T, h *history, format, name, code string) {
	// The reader is let go after holdMax at the latest: a migration that
	// waited for it (no lock timeout) takes about that long, far above
	// failBound, and writers stall as long.
	const (
		holdMax   = 15 * time.Second
		failBound = 4 * time.Second
	)
	d := dialectNamed(name)
	db := open(t, d)
	r := newRunner(t, d, db, format, h.dir(d.name))
	r.upTo(t, 4)
	mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('a1', 'aborting'), ('a2', 'aborting')`)
	before := fsmgenObjects(t, d, db)
	beforeCounts := counts(t, db)

	ctx := context.Background()
	reader, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	tx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM nodes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	var release sync.Once
	end := func() { release.Do(func() { tx.Rollback() }) }
	watchdog := time.AfterFunc(holdMax, end)
	defer watchdog.Stop()
	defer end()

	// A writer beside the reader: its longest single write is the
	// stall the waiting migration causes.
	stopWriter := writer(db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, 'starting')`), func(i int) any { return "w-" + strconv.Itoa(i) })

	start := time.Now()
	err = r.tryUp()
	took := time.Since(start)
	// Writes go on while the reader is still open.
	time.Sleep(300 * time.Millisecond)
	longest, writeErr := stopWriter()
	end()

	t.Logf("the migration gave up after %v; longest write %v", took, longest)
	if err == nil {
		t.Fatalf("the migration went through behind an open read transaction after %v; want the lock timeout", took)
	}
	if got := errCode(err); got != code {
		t.Fatalf("the migration failed with %q (%v), want the lock timeout %s", got, err, code)
	}
	if took > failBound {
		t.Fatalf("the migration failed after %v, want it to give up within %v", took, failBound)
	}
	if longest > failBound {
		t.Fatalf("a writer stalled %v behind the waiting migration", longest)
	}
	if writeErr != nil {
		t.Fatalf("a writer failed: %v", writeErr)
	}
	if mr, ok := r.(migrateRunner); ok {
		if v, dirty, err := mr.m.Version(); v != 5 || !dirty {
			t.Fatalf("golang-migrate after the timed-out migration: version %d, dirty %v (%v); want 5, dirty, as README says", v, dirty, err)
		}
		if err := mr.m.Force(4); err != nil {
			t.Fatal(err)
		}
	}
	if v := r.version(t); v != 4 {
		t.Fatalf("version after the timed-out migration: %d, want 4", v)
	}
	if after := fsmgenObjects(t, d, db); after != before {
		t.Fatalf("the timed-out migration changed objects:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if c := counts(t, db); c["aborting"] != beforeCounts["aborting"] || c["error"] != beforeCounts["error"] {
		t.Fatalf("the timed-out migration moved rows: before %v, after %v", beforeCounts, c)
	}
	expectSet(t, d, db, h.sets[3])

	r.up(t)
	removalDone(t, d, db, h)
}

// errCode is the SQLSTATE (PostgreSQL) or error number (MySQL) of err, or "".
func errCode(err error) string {
	// golang-migrate's drivers keep the driver's error without wrapping it.
	var de migratedb.Error
	if errors.As(err, &de) {
		err = de.OrigErr
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return strconv.Itoa(int(me.Number))
	}
	return ""
}

// writer runs q with arg(i) every 5 ms until the returned stop, which
// gives the longest write and the first error.
func writer(db *sql.DB, q string, arg func(i int) any) (stop func() (time.Duration, error)) {
	ctx, cancel := context.WithCancel(context.Background())
	var longest time.Duration
	var first error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			start := time.Now()
			_, err := db.ExecContext(ctx, q, arg(i))
			if err != nil && ctx.Err() == nil && first == nil {
				first = err
			}
			longest = max(longest, time.Since(start))
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() (time.Duration, error) {
		cancel()
		<-done
		return longest, first
	}
}
