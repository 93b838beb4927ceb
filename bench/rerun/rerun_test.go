// Package rerun fails every migration of a machine with a history table
// and enforced transitions at each of its statements in turn, on a nodes
// table of FSMGEN_RERUN_ROWS rows while four writers insert rows and
// update others, and runs it again with the real tool, as an operator
// would after a lock timeout or a lost connection. fsmgen verify, against
// the changed version's history, must flag every failed Up before the run
// again (a failed Down only when it changed something), and agree after
// it (after a Down, once the Up has run again); the rows must be those a
// clean run leaves. At the end no write a writer saw committed may be
// missing.
//
// goose runs on PostgreSQL and MariaDB: the tool's connections fail the
// k-th statement sent to the database, for every k up to one past the
// migration's last. golang-migrate sends a PostgreSQL file as one
// statement, so there the tool's connection is killed (as by a server
// restart) at points spread over a clean run. Both directions run.
//
// It is a harness, not a timed test: `make bench-rerun` runs it on 200,000
// rows and writes docs/rerun-figures.md; without FSMGEN_RERUN_ROWS it runs
// on 2,000 rows and one change kind as a smoke test.
package rerun

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/bench/internal/harness"
	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	writers = 4
	hot     = 1000 // writers update rows r1..r<hot>
	kills   = 8    // points at which golang-migrate's connection is killed
)

func rows() int {
	if n, err := strconv.Atoi(os.Getenv("FSMGEN_RERUN_ROWS")); err == nil && n > hot {
		return n
	}
	return 2 * hot
}

func full() bool { return os.Getenv("FSMGEN_RERUN_ROWS") != "" }

// version is one spec of the history.
type version struct {
	change  string
	states  []string
	renamed map[string]string // new: old
	removed map[string]string // old: rows_to
	def     string
}

var versions = []version{
	{change: "create, with history and triggers", states: []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling"}, def: "finished"},
	{change: "add", states: []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling", "aborting"}, def: "finished"},
	{change: "rename", states: []string{"starting", "waiting", "processing", "finished", "error", "reprocessing", "enrolling", "aborting"}, renamed: map[string]string{"reprocessing": "reapplying"}, def: "finished"},
	{change: "remove with rows_to", states: []string{"starting", "waiting", "processing", "finished", "error", "reprocessing", "enrolling"}, renamed: map[string]string{"reprocessing": "reapplying"}, removed: map[string]string{"aborting": "error"}, def: "finished"},
	{change: "default change", states: []string{"starting", "waiting", "processing", "finished", "error", "reprocessing", "enrolling"}, renamed: map[string]string{"reprocessing": "reapplying"}, removed: map[string]string{"aborting": "error"}, def: "waiting"},
}

// spec is v's spec: each state moves on to the next, and the writers'
// inserts enter at starting.
func (v version) spec(format string) string {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: bench\ninitial: starting\nentry: [enrolling]\nstates:\n")
	for i, s := range v.states {
		fmt.Fprintf(&b, "  %s:\n    doc: state %s\n", s, s)
		if old := v.renamed[s]; old != "" {
			fmt.Fprintf(&b, "    renamed_from: %s\n", old)
		}
		fmt.Fprintf(&b, "    transitions:\n      next: %s\n", v.states[(i+1)%len(v.states)])
	}
	b.WriteString("events:\n  next:\n    doc: move on\n")
	if len(v.removed) > 0 {
		b.WriteString("removed:\n")
		for old, to := range v.removed {
			fmt.Fprintf(&b, "  %s:\n    doc: gone\n    rows_to: %s\n", old, to)
		}
	}
	fmt.Fprintf(&b, "sql:\n  enum: node_state\n  table: nodes\n  column: state\n  key: uuid\n  history: nodes_history\n  enforce: transitions\n  default: %s\n  format: %s\n  dialects: [postgres, mysql]\n", v.def, format)
	return b.String()
}

// histories generates, for each version, the history up to it in its own
// directory, with the spec that ends it: what verify compares a database
// at that version with.
func histories(t *testing.T, format string) (outs, specs []string) {
	for i := range versions {
		out := t.TempDir()
		for _, v := range versions[:i+1] {
			spec := filepath.Join(t.TempDir(), "states.yaml")
			if err := os.WriteFile(spec, []byte(v.spec(format)), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr strings.Builder
			if code := cli.Run([]string{"generate", "-spec", spec, "-out", out}, &stdout, &stderr); code != 0 {
				t.Fatalf("version %d: generate: %s", i+1, stderr.String())
			}
			if v.change == versions[i].change {
				specs = append(specs, spec)
			}
		}
		outs = append(outs, out)
	}
	return outs, specs
}

// injector fails the statement its connections send after the first
// failAt-1, once; 0 fails none.
type injector struct {
	failAt, sent atomic.Int64
}

var errInjected = errors.New("injected failure: the connection was lost")

func (in *injector) next() error {
	n := in.sent.Add(1)
	if k := in.failAt.Load(); k > 0 && n == k {
		return errInjected
	}
	return nil
}

func (in *injector) arm(k int64) { in.sent.Store(0); in.failAt.Store(k) }

// failing wraps a driver so that its connections' statements pass
// through an injector.
type failing struct {
	driver.Driver
	in *injector
}

type conn interface {
	driver.Conn
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnBeginTx
	driver.ConnPrepareContext
}

type failingConn struct {
	conn
	in *injector
}

func (f failing) Open(name string) (driver.Conn, error) {
	c, err := f.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return failingConn{c.(conn), f.in}, nil
}

// ResetSession and IsValid let the pool drop a connection the server
// ended, as it does without the wrapper.
func (c failingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c failingConn) IsValid() bool {
	v, ok := c.conn.(driver.Validator)
	return !ok || v.IsValid()
}

func (c failingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.in.next(); err != nil {
		return nil, err
	}
	return c.conn.ExecContext(ctx, q, args)
}

var (
	pgInjector, myInjector = &injector{}, &injector{}
	registerOnce           sync.Once
)

func register() {
	registerOnce.Do(func() {
		sql.Register("pgx-failing", failing{stdlib.GetDefaultDriver(), pgInjector})
		sql.Register("mysql-failing", failing{&mysql.MySQLDriver{}, myInjector})
	})
}

// db is one database under test.
type db struct {
	name, dir string
	dsn       string
	sql       *sql.DB // the writers' pool
	tool      *sql.DB // the migration tool's: one connection, through an injector
	in        *injector
	goose     goose.Dialect
	schema    []string
	// mapped returns, for rows r%, a checksum of the key and the state
	// (mapped as the change maps it, or as it is for "state").
	mapped func(mapping string) string
	// kill ends the tool's session from another one.
	kill func() error
	// spread puts the rows in every state of the first version; seed
	// puts those a removal moves back in the removed state.
	spread, seed string
}

func postgres(t *testing.T) *db {
	d := &db{name: "PostgreSQL", dir: "postgres", dsn: testdb.Postgres(t), in: pgInjector, goose: goose.DialectPostgres}
	d.sql, d.tool = open(t, "pgx", d.dsn, writers+2), open(t, "pgx-failing", d.dsn, 1)
	d.schema = []string{
		`CREATE TABLE nodes (uuid varchar(36) PRIMARY KEY, note bigint NOT NULL DEFAULT 0)`,
		fmt.Sprintf(`INSERT INTO nodes (uuid) SELECT 'r' || g FROM generate_series(1, %d) g`, rows()),
	}
	d.mapped = func(mapping string) string {
		// As text: a CASE naming a label the type does not have yet
		// would not parse.
		return `SELECT count(*) || ' ' || sum(hashtext(uuid || ':' || (` + mapping + `))::bigint) FROM (SELECT uuid, state::text AS state FROM nodes WHERE uuid LIKE 'r%') n`
	}
	d.kill = func() error {
		_, err := d.sql.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fsmgen-rerun-tool'`)
		return err
	}
	d.spread = `UPDATE nodes SET state = (ARRAY['starting','waiting','processing','finished','error','reapplying','enrolling'])[1 + substr(uuid, 2)::int % 7]::node_state`
	d.seed = `UPDATE nodes SET state = 'aborting' WHERE uuid LIKE 'r%' AND substr(uuid, 2)::int % 10 = 3`
	return d
}

func mariadb(t *testing.T) *db {
	d := &db{name: "MariaDB", dir: "mysql", dsn: testdb.MySQL(t), in: myInjector, goose: goose.DialectMySQL}
	d.sql, d.tool = open(t, "mysql", d.dsn, writers+2), open(t, "mysql-failing", d.dsn, 1)
	d.schema = []string{
		`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, note BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB`,
		fmt.Sprintf(`INSERT INTO nodes (uuid) SELECT CONCAT('r', seq) FROM seq_1_to_%d`, rows()),
	}
	d.mapped = func(mapping string) string {
		return `SELECT CONCAT(COUNT(*), ' ', SUM(CRC32(CONCAT_WS(':', uuid, ` + mapping + `)))) FROM nodes WHERE uuid LIKE 'r%'`
	}
	d.spread = `UPDATE nodes SET state = ELT(1 + CAST(SUBSTRING(uuid, 2) AS UNSIGNED) % 7, 'starting','waiting','processing','finished','error','reapplying','enrolling')`
	d.seed = `UPDATE nodes SET state = 'aborting' WHERE uuid LIKE 'r%' AND CAST(SUBSTRING(uuid, 2) AS UNSIGNED) % 10 = 3`
	return d
}

func open(t *testing.T, driver, dsn string, conns int) *sql.DB {
	if driver == "pgx-failing" {
		dsn += "&application_name=fsmgen-rerun-tool"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(conns)
	t.Cleanup(func() { db.Close() })
	return db
}

func (d *db) exec(t *testing.T, qs ...string) {
	for _, q := range qs {
		if _, err := d.sql.Exec(q); err != nil {
			t.Fatalf("%s: %s: %v", d.name, q, err)
		}
	}
}

func (d *db) one(t *testing.T, q string) string {
	var s sql.NullString
	if err := d.sql.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %s: %v", d.name, q, err)
	}
	return s.String
}

// asOwner runs q past the enforcement triggers.
func (d *db) asOwner(t *testing.T, q string) {
	if err := harness.AsOwner(context.Background(), d.sql, d.dir, q); err != nil {
		t.Fatalf("%s: %s: %v", d.name, q, err)
	}
}

// tool is the migration tool, one migration at a time.
type tool struct {
	up, down func() error
	// recover readies the tool to run a failed migration again:
	// golang-migrate's force of the version it started from.
	recover func(from int64) error
	// reopen starts golang-migrate again after its connection was
	// killed; nil for goose.
	reopen func() error
	// version is the version the tool records, and whether it marks it
	// dirty.
	version func() (int, bool)
}

func newTool(t *testing.T, d *db, runner, out string) tool {
	dir := os.DirFS(filepath.Join(out, "migrations", d.dir))
	ctx := context.Background()
	if runner == "goose" {
		p, err := goose.NewProvider(d.goose, d.tool, dir)
		if err != nil {
			t.Fatal(err)
		}
		return tool{
			up:      func() error { _, err := p.UpByOne(ctx); return err },
			down:    func() error { _, err := p.Down(ctx); return err },
			recover: func(int64) error { return nil },
			version: func() (int, bool) { v, _ := p.GetDBVersion(ctx); return int(v), false },
		}
	}
	// golang-migrate holds one connection for as long as it runs: after
	// that connection is lost, the operator starts it again, on a new
	// pool (Close closes the old one).
	start := func() (*migrate.Migrate, error) {
		src, err := iofs.New(dir, ".")
		if err != nil {
			return nil, err
		}
		drv, err := migratepgx.WithInstance(open(t, "pgx-failing", d.dsn, 1), &migratepgx.Config{})
		if err != nil {
			return nil, err
		}
		return migrate.NewWithInstance("iofs", src, d.dir, drv)
	}
	m, err := start()
	if err != nil {
		t.Fatal(err)
	}
	reopen := func() error {
		m.Close()
		m, err = start()
		return err
	}
	return tool{
		up:   func() error { return m.Steps(1) },
		down: func() error { return m.Steps(-1) },
		recover: func(from int64) error {
			if err := reopen(); err != nil {
				return err
			}
			return m.Force(int(from))
		},
		reopen:  reopen,
		version: func() (int, bool) { v, dirty, _ := m.Version(); return int(v), dirty },
	}
}

// writes is what the writers saw committed.
type writes struct {
	inserted []string         // keys
	note     map[string]int64 // per row, the last note set
	errs     map[string]int   // error codes
	n        int
}

// load runs the writers until stop: each sets increasing notes on its
// own rows, and one time in four inserts a row in an entry state.
func load(d *db, stop <-chan struct{}) func() []writes {
	var wg sync.WaitGroup
	out := make([]writes, writers)
	for w := range writers {
		out[w] = writes{note: map[string]int64{}, errs: map[string]int{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for i := int64(1); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%d-%d", w, i)
				q, args := `INSERT INTO nodes (uuid, state) VALUES (?, 'starting')`, []any{key}
				update := i%4 != 0
				if update {
					key = fmt.Sprintf("r%d", 1+w+writers*r.IntN(hot/writers))
					q, args = `UPDATE nodes SET note = ? WHERE uuid = ?`, []any{i, key}
				}
				if d.goose == goose.DialectPostgres {
					q = harness.Dollars(q)
				}
				_, err := d.sql.Exec(q, args...)
				out[w].n++
				switch {
				case err != nil:
					out[w].errs[harness.Code(err)]++
				case update:
					out[w].note[key] = i
				default:
					out[w].inserted = append(out[w].inserted, key)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	return func() []writes { wg.Wait(); return out }
}

// retryable are the writer errors the README tells applications to retry.
var retryable = []string{"55P03", "40P01", "1205", "1213"}

// result is one change kind's figures.
type result struct {
	dialect, runner, change, dir string
	failures, flagged, agreed    int
	took                         time.Duration
}

func TestRerun(t *testing.T) {
	register()
	var report []result
	for _, c := range []struct {
		runner string
		mk     func(*testing.T) *db
	}{{"goose", postgres}, {"goose", mariadb}, {"golang-migrate", postgres}} {
		outs, specs := histories(t, c.runner)
		d := c.mk(t)
		report = append(report, rerun(t, d, c.runner, outs, specs)...)
	}
	writeReport(t, report)
}

// rerun takes d through every change, failing each migration at every
// point, up and down, with the writers on.
func rerun(t *testing.T, d *db, runner string, outs, specs []string) []result {
	tl := newTool(t, d, runner, outs[len(outs)-1])
	verify := func(v int) error {
		var stdout, stderr strings.Builder
		if code := cli.Run([]string{"verify", "-db", d.dsn, "-spec", specs[v-1], "-out", outs[v-1]}, &stdout, &stderr); code != 0 {
			return errors.New(stderr.String())
		}
		return nil
	}
	d.exec(t, d.schema...)
	if err := tl.up(); err != nil {
		t.Fatal(err)
	}
	d.asOwner(t, d.spread)
	stop := make(chan struct{})
	wait := load(d, stop)

	var report []result
	from, to := 1, len(versions)
	if !full() {
		from, to = 3, 4 // the smoke test: the removal only
		for v := 2; v <= from; v++ {
			if err := tl.up(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for v := from + 1; v <= to; v++ {
		ver := versions[v-1]
		for _, dir := range []string{"up", "down"} {
			res := result{dialect: d.name, runner: runner, change: ver.change, dir: dir}
			start := time.Now()
			run, back, want := tl.up, tl.down, v-1
			if dir == "down" {
				run, back, want = tl.down, tl.up, v
			}
			// want is the version the database is at before the run.
			// golang-migrate's kills are spread over a clean run's time.
			var clean time.Duration
			if runner != "goose" {
				t0 := time.Now()
				if err := run(); err != nil {
					t.Fatal(err)
				}
				clean = time.Since(t0)
				if err := back(); err != nil {
					t.Fatal(err)
				}
			}
			for k := int64(1); ; k++ {
				if len(ver.removed) > len(versions[v-2].removed) && dir == "up" {
					d.asOwner(t, d.seed)
				}
				before := d.one(t, d.mapped(mapping(v, dir)))
				failed := fail(t, d, runner, run, k, clean)
				if tl.reopen != nil {
					// Its connection was killed, whether it had finished
					// or not.
					if err := tl.reopen(); err != nil {
						t.Fatal(err)
					}
				}
				// Killed after its last statement, golang-migrate has
				// finished the migration all the same: nothing is half
				// done.
				at := v
				if dir == "down" {
					at = v - 1
				}
				if got, dirty := tl.version(); failed && got == at && !dirty {
					failed = false
				}
				if !failed {
					break // the run went through: k is past its last statement
				}
				// verify compares with version v's history, the one
				// checked in while v is deployed or rolled back.
				res.failures++
				if verify(v) != nil {
					res.flagged++
				}
				if err := tl.recover(int64(want)); err != nil {
					t.Fatalf("%s %s %s: recover: %v", d.name, runner, ver.change, err)
				}
				if err := run(); err != nil {
					t.Fatalf("%s %s %s %s, failed at %d and run again: %v", d.name, runner, ver.change, dir, k, err)
				}
				if after := d.one(t, d.mapped("state")); dir == "up" && after != before {
					t.Errorf("%s %s %s, failed at %d and run again: rows r%% are %s, a clean run leaves %s", d.name, runner, ver.change, k, after, before)
				}
				// Up again after a down: at version v, verify must agree
				// either way.
				if dir == "down" {
					if err := back(); err != nil {
						t.Fatalf("%s %s %s %s: up after the down: %v", d.name, runner, ver.change, dir, err)
					}
				}
				if err := verify(v); err != nil {
					t.Errorf("%s %s %s %s, failed at %d and run again: verify: %v", d.name, runner, ver.change, dir, k, err)
				} else {
					res.agreed++
				}
				if runner != "goose" && k >= kills {
					break
				}
				if dir == "up" {
					if err := back(); err != nil {
						t.Fatalf("%s %s %s %s: the way back: %v", d.name, runner, ver.change, dir, err)
					}
				}
			}
			res.took = time.Since(start)
			report = append(report, res)
			// A down stopped before its first change leaves version v
			// as it was, which verify rightly accepts; the rerun test
			// of make test checks that it flags every other.
			if dir == "up" && res.flagged != res.failures || res.agreed != res.failures {
				t.Errorf("%s %s %s %s: verify flagged %d and agreed after %d of %d failures", d.name, runner, ver.change, dir, res.flagged, res.agreed, res.failures)
			}
		}
		// The down loop ends at v-1, or for golang-migrate at v after
		// its last kill: on to v.
		if got, _ := tl.version(); got < v {
			if err := tl.up(); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	lost(t, d, runner, wait())
	return report
}

// fail runs f with a failure at point k and reports whether it failed:
// goose's k-th statement; golang-migrate's connection killed at the k-th
// of kills points spread over clean, the time a run takes.
func fail(t *testing.T, d *db, runner string, f func() error, k int64, clean time.Duration) bool {
	if runner == "goose" {
		d.in.arm(k)
		err := f()
		d.in.arm(0)
		if err != nil && !errors.Is(err, errInjected) {
			t.Fatalf("%s: failed at %d, not by the injection: %v", d.name, k, err)
		}
		return err != nil
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	time.Sleep(clean * time.Duration(k) / (kills + 1))
	if err := d.kill(); err != nil {
		t.Fatal(err)
	}
	return <-done != nil
}

// mapping is the state a row must hold after version v's change, in
// SQL, for a row holding state before it.
func mapping(v int, dir string) string {
	if dir == "down" {
		return "state" // rows are not compared after a down
	}
	now, prev := versions[v-1], versions[v-2]
	var b strings.Builder
	for n, o := range now.renamed {
		if prev.renamed[n] == "" {
			fmt.Fprintf(&b, " WHEN '%s' THEN '%s'", o, n)
		}
	}
	for o, n := range now.removed {
		if prev.removed[o] == "" {
			fmt.Fprintf(&b, " WHEN '%s' THEN '%s'", o, n)
		}
	}
	if b.Len() == 0 {
		return "state"
	}
	return "CASE state" + b.String() + " ELSE state END"
}

// lost checks every write the writers saw committed.
func lost(t *testing.T, d *db, runner string, ws []writes) {
	notes := map[string]int64{}
	rs, err := d.sql.Query(`SELECT uuid, note FROM nodes`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var k string
		var n int64
		if err := rs.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		notes[k] = n
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, w := range ws {
		for _, k := range w.inserted {
			if _, ok := notes[k]; !ok {
				missing++
			}
		}
		for k, n := range w.note {
			if notes[k] < n {
				missing++
			}
		}
		for c, n := range w.errs {
			if !slices.Contains(retryable, c) {
				t.Errorf("%s: writers got %s ×%d, which is not a documented retryable error", d.name, c, n)
			}
		}
	}
	n := 0
	for _, w := range ws {
		n += w.n
	}
	t.Logf("%s, %s: %d writes, %d committed writes missing", d.name, runner, n, missing)
	if missing > 0 {
		t.Errorf("%s: %d committed writes are missing", d.name, missing)
	}
}

func writeReport(t *testing.T, rs []result) {
	var b strings.Builder
	b.WriteString("| database | runner | change | direction | failures | verify flagged before the run again | verify agreed after it | time |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d | %.1f s |\n", r.dialect, r.runner, r.change, r.dir, r.failures, r.flagged, r.agreed, r.took.Seconds())
	}
	t.Logf("%d rows, %d writers:\n%s", rows(), writers, b.String())
	if p := os.Getenv("FSMGEN_RERUN_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
