// Package online measures how generated migrations treat a busy table: a
// nodes table with FSMGEN_ONLINE_ROWS rows (two tables referencing it by
// foreign key, an index on the state column, a history table of five past
// moves per row and enforced transitions) takes every change kind of the
// enum and of the Store's columns (a field, a field the history records,
// a timeout added, moved to other states and dropped), and a compaction
// that rewrites it, up and down; a table whose column was made by hand
// takes its adoption (history, enforcement, a state added) up, down and
// up again. Each runs with goose and with golang-migrate
// (FSMGEN_ONLINE_RUNNER picks one) on PostgreSQL 15 and MariaDB while four
// writers move rows, insert rows referencing them and record moves in the
// history (but for the adoption's table), and a fifth session tries a
// move no version allows every 10 ms, on loopback; the removal is
// tried first behind another session's long open read transaction, where
// it must give up at its lock timeout. It reports each migration's
// duration, the longest write stall, the 99th percentile of the writes,
// the writers' errors, and checksums of the rows no writer touches before
// and after; with FSMGEN_ONLINE_RUNS, the largest figures of that many
// runs, each on fresh databases.
//
// It is a harness, not a timed test: it asserts only that the data and the
// errors are as documented. `make bench-online` runs it on 1,000,000 rows
// and writes docs/online-migrations-figures.md (docs/online-migrations.md
// reads them); without FSMGEN_ONLINE_ROWS it runs on 12,000 rows as a
// smoke test.
package online

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // mysql
	"github.com/golang-migrate/migrate/v4"
	migratedb "github.com/golang-migrate/migrate/v4/database"
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/bench/internal/harness"
	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	writers = 4
	hot     = 10000 // writers touch rows 1..hot only
)

// version is one spec of the history: its states, renames, removals and
// default, and the change it makes, as the report names it.
type version struct {
	change  string
	states  []string
	renamed map[string]string // new: old
	removed map[string]string // old: rows_to
	def     string
	// none: the database needs nothing, so generate writes no migration.
	none bool
	// cycle orders the next transitions, when not states (a reorder
	// keeps the transitions, which enforcement would migrate).
	cycle []string
	// field adds a nullable text column the moves may set (sql.fields),
	// recorded: also in every history row (history_fields); timeout
	// starts a deadline column on entering these states (timeouts).
	field, recorded bool
	timeout         []string
	// compact asks for the type in the spec's order (sql.compact);
	// adopt lists the labels of a column that exists (sql.adopt).
	compact bool
	adopt   []string
}

// withStore is the last enum version with a change of the Store's columns
// on top.
func withStore(change string, field, recorded bool, timeout ...string) version {
	v := versions0[len(versions0)-1]
	v.change, v.none, v.field, v.recorded, v.timeout = change, false, field, recorded, timeout
	return v
}

var versions = append(versions0,
	withStore("add a field", true, false),
	withStore("record the field in the history", true, true),
	withStore("add a timeout", true, true, "waiting", "processing"),
	withStore("change the timeout's states", true, true, "waiting"),
	withStore("drop the timeout", true, true),
	compaction,
)

// compaction makes the type the reorder's order, without the retired
// label: the one change that rewrites (PostgreSQL) or copies (MariaDB)
// the table.
var compaction = func() version {
	v := withStore("compaction (sql.compact: the table rewritten)", true, true)
	v.compact = true
	return v
}()

// adopted is the second version taking over the first's column, made by
// hand, with the history table and the triggers: how a service starts
// using fsmgen.
var adopted = func() version {
	v := versions0[1]
	v.change, v.adopt = "adoption of the existing column (history, enforced transitions, a state added)", versions0[0].states
	return v
}()

// versions0 are the enum's own changes.
var versions0 = []version{
	{change: "create", states: []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling"}, def: "finished"},
	{change: "add a state at the end", states: []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling", "aborting"}, def: "finished"},
	{change: "add a state in the middle", states: []string{"starting", "waiting", "paused", "processing", "finished", "error", "reapplying", "enrolling", "aborting"}, def: "finished"},
	{change: "rename", states: []string{"starting", "waiting", "paused", "processing", "finished", "error", "reprocessing", "enrolling", "aborting"}, renamed: map[string]string{"reprocessing": "reapplying"}, def: "finished"},
	{change: "remove (rows_to)", states: []string{"starting", "waiting", "paused", "processing", "finished", "error", "reprocessing", "enrolling"}, renamed: map[string]string{"reprocessing": "reapplying"}, removed: map[string]string{"aborting": "error"}, def: "finished"},
	{change: "default change", states: []string{"starting", "waiting", "paused", "processing", "finished", "error", "reprocessing", "enrolling"}, renamed: map[string]string{"reprocessing": "reapplying"}, removed: map[string]string{"aborting": "error"}, def: "waiting"},
	{change: "reorder", states: []string{"error", "finished", "starting", "waiting", "paused", "processing", "reprocessing", "enrolling"}, renamed: map[string]string{"reprocessing": "reapplying"}, removed: map[string]string{"aborting": "error"}, def: "waiting", none: true,
		cycle: []string{"starting", "waiting", "paused", "processing", "finished", "error", "reprocessing", "enrolling"}},
}

// writerLoop is the cycle the writers move rows along, among states every
// version has: with enforced transitions each of their moves is legal.
var writerLoop = map[string]string{"waiting": "processing", "processing": "finished", "finished": "error", "error": "waiting"}

// writerMove is the writers' UPDATE: a row in the loop moves on, any
// other keeps its state (which the triggers let through).
const writerMove = `UPDATE nodes SET state = CASE state WHEN 'waiting' THEN 'processing' WHEN 'processing' THEN 'finished' WHEN 'finished' THEN 'error' WHEN 'error' THEN 'waiting' ELSE state END, note = ? WHERE id = ?`

// spec is v's spec, with the seed's store keys: a history table and
// enforced transitions, whose triggers every migration keeps on.
func (v version) spec(format string) string {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: bench\ninitial: starting\nstates:\n")
	cycle := v.cycle
	if cycle == nil {
		cycle = v.states
	}
	for _, s := range v.states {
		fmt.Fprintf(&b, "  %s:\n    doc: state %s\n", s, s)
		if old := v.renamed[s]; old != "" {
			fmt.Fprintf(&b, "    renamed_from: %s\n", old)
		}
		i := slices.Index(cycle, s)
		fmt.Fprintf(&b, "    transitions:\n      next: %s\n", cycle[(i+1)%len(cycle)])
		if to := writerLoop[s]; to != "" {
			fmt.Fprintf(&b, "      loop: %s\n", to)
		}
	}
	b.WriteString("events:\n  next:\n    doc: move on\n  loop:\n    doc: the writers' moves\n")
	if len(v.removed) > 0 {
		b.WriteString("removed:\n")
		for old, to := range v.removed {
			fmt.Fprintf(&b, "  %s:\n    doc: gone\n    rows_to: %s\n", old, to)
		}
	}
	if v.timeout != nil {
		fmt.Fprintf(&b, "timeouts:\n  - column: due_at\n    states: [%s]\n    after: 1h\n    event: next\n", strings.Join(v.timeout, ", "))
	}
	fmt.Fprintf(&b, "sql:\n  enum: node_state\n  table: nodes\n  column: state\n  key: id\n  history: nodes_history\n  enforce: transitions\n  default: %s\n  format: %s\n  dialects: [postgres, mysql]\n", v.def, format)
	if v.field {
		b.WriteString("  fields:\n    error: {type: text, nullable: true}\n")
	}
	if v.recorded {
		b.WriteString("  history_fields: [error]\n")
	}
	if v.compact {
		b.WriteString("  compact: true\n")
	}
	if v.adopt != nil {
		fmt.Fprintf(&b, "  adopt: [%s]\n", strings.Join(v.adopt, ", "))
	}
	return b.String()
}

// history generates the migrations of vs in order, as a user would, in
// format's layout, and returns for each dialect's directory how many
// migrations each version added (PostgreSQL builds an index in one of its
// own).
func history(t *testing.T, format string, vs []version) (string, map[string][]int) {
	out := t.TempDir()
	added := map[string][]int{}
	for i, v := range vs {
		spec := filepath.Join(t.TempDir(), "states.yaml")
		if err := os.WriteFile(spec, []byte(v.spec(format)), 0o644); err != nil {
			t.Fatal(err)
		}
		before := migrations(t, out)
		var stdout, stderr strings.Builder
		if code := cli.Run([]string{"generate", "-spec", spec, "-out", out}, &stdout, &stderr); code != 0 {
			t.Fatalf("version %d: generate: %s", i+1, stderr.String())
		}
		after := migrations(t, out)
		for _, dir := range []string{"postgres", "mysql"} {
			n := after[dir] - before[dir]
			if (n == 0) != v.none {
				t.Fatalf("version %d (%s): generate added %d %s migrations", i+1, v.change, n, dir)
			}
			added[dir] = append(added[dir], n)
		}
	}
	return out, added
}

// migrations counts the migrations under out, per dialect's directory
// (golang-migrate's Up files, goose's files).
func migrations(t *testing.T, out string) map[string]int {
	files, err := filepath.Glob(filepath.Join(out, "migrations", "*", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, f := range files {
		if !strings.HasSuffix(f, ".down.sql") {
			n[filepath.Base(filepath.Dir(f))]++
		}
	}
	return n
}

type db struct {
	name  string
	dir   string  // the dialect's migrations directory
	sql   *sql.DB // the writers' pool
	tool  *sql.DB // the migration tool's: its session settings stay its own
	goose goose.Dialect
	// migrate is golang-migrate's driver for the tool's pool.
	migrate func() (migratedb.Driver, error)
	// refused is the code of the enforcement triggers' refusal.
	refused string
	schema  []string // run before the first migration
	fill    []string // after it: rows in every state, index, foreign keys
	past    []string // and the history's past moves
	// column makes the first version's column by hand, for adoption.
	column []string
	// sum returns a checksum of the rows no writer touches, with states
	// mapped by the CASE expression mapping (of "state").
	sum func(mapping string) string
}

func rows() int {
	if n, err := strconv.Atoi(os.Getenv("FSMGEN_ONLINE_ROWS")); err == nil && n > hot {
		return n
	}
	return hot + 2000
}

// pastMoves is how many moves per row the history holds before the first
// change, between the states of the first version (firstLabels), a
// seventh of them from and another to the one the rename renames.
const pastMoves = 5

var firstLabels = "'" + strings.Join(versions0[0].states, "', '") + "'"

func postgres(t *testing.T) *db {
	d := &db{name: "PostgreSQL", dir: "postgres", goose: goose.DialectPostgres, refused: "23514"}
	dsn := testdb.Postgres(t)
	d.sql, d.tool = open(t, "pgx", dsn), open(t, "pgx", dsn)
	d.migrate = func() (migratedb.Driver, error) { return migratepgx.WithInstance(d.tool, &migratepgx.Config{}) }
	n := rows()
	d.schema = []string{
		`CREATE TABLE nodes (id bigint PRIMARY KEY, uuid text NOT NULL, note text)`,
		fmt.Sprintf(`INSERT INTO nodes SELECT g, md5(g::text), 'n' || g FROM generate_series(1, %d) g`, n),
	}
	d.fill = []string{
		`UPDATE nodes SET state = (ARRAY['starting','waiting','processing','finished','error','reapplying','enrolling'])[1 + id % 7]::node_state`,
		`CREATE INDEX nodes_state ON nodes (state)`,
		`CREATE TABLE ports (id bigserial PRIMARY KEY, node_id bigint NOT NULL REFERENCES nodes (id))`,
		`CREATE TABLE events (id bigserial PRIMARY KEY, node_id bigint NOT NULL REFERENCES nodes (id), at timestamptz NOT NULL DEFAULT now())`,
		fmt.Sprintf(`INSERT INTO ports (node_id) SELECT g FROM generate_series(1, %d, 10) g`, n),
		`VACUUM ANALYZE nodes`,
	}
	d.past = []string{
		fmt.Sprintf(`INSERT INTO nodes_history (id, from_state, to_state, event) SELECT (1 + g %% %d)::text, (ARRAY[%s])[1 + g %% 7], (ARRAY[%s])[1 + (g + 1) %% 7], 'next' FROM generate_series(1, %d) g`, n, firstLabels, firstLabels, pastMoves*n),
		`VACUUM ANALYZE nodes_history`,
	}
	d.column = []string{
		`CREATE TYPE node_state AS ENUM (` + firstLabels + `)`,
		`ALTER TABLE nodes ADD COLUMN state node_state NOT NULL DEFAULT 'finished'`,
	}
	d.sum = func(mapping string) string {
		return fmt.Sprintf(`SELECT count(*) || ' ' || sum(hashtext(id || ':' || (%s) || ':' || note)::bigint) FROM nodes WHERE id > %d`, mapping, hot)
	}
	return d
}

func mariadb(t *testing.T) *db {
	d := &db{name: "MariaDB", dir: "mysql", goose: goose.DialectMySQL, refused: "1644"}
	dsn := testdb.MySQL(t)
	d.sql, d.tool = open(t, "mysql", dsn), open(t, "mysql", dsn)
	d.migrate = func() (migratedb.Driver, error) { return migratemysql.WithInstance(d.tool, &migratemysql.Config{}) }
	n := rows()
	d.schema = []string{
		`CREATE TABLE nodes (id BIGINT PRIMARY KEY, uuid VARCHAR(36) NOT NULL, note VARCHAR(40)) ENGINE=InnoDB`,
		fmt.Sprintf(`INSERT INTO nodes SELECT seq, MD5(seq), CONCAT('n', seq) FROM seq_1_to_%d`, n),
	}
	d.fill = []string{
		`UPDATE nodes SET state = ELT(1 + id % 7, 'starting','waiting','processing','finished','error','reapplying','enrolling')`,
		`CREATE INDEX nodes_state ON nodes (state)`,
		`CREATE TABLE ports (id BIGINT AUTO_INCREMENT PRIMARY KEY, node_id BIGINT NOT NULL, FOREIGN KEY (node_id) REFERENCES nodes (id))`,
		`CREATE TABLE events (id BIGINT AUTO_INCREMENT PRIMARY KEY, node_id BIGINT NOT NULL, at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), FOREIGN KEY (node_id) REFERENCES nodes (id))`,
		fmt.Sprintf(`INSERT INTO ports (node_id) SELECT seq FROM seq_1_to_%d_step_10`, n),
	}
	d.past = []string{
		fmt.Sprintf(`INSERT INTO nodes_history (id, from_state, to_state, event) SELECT 1 + seq %% %d, ELT(1 + seq %% 7, %s), ELT(1 + (seq + 1) %% 7, %s), 'next' FROM seq_1_to_%d`, n, firstLabels, firstLabels, pastMoves*n),
	}
	d.column = []string{`ALTER TABLE nodes ADD COLUMN state ENUM(` + firstLabels + `) NOT NULL DEFAULT 'finished'`}
	d.sum = func(mapping string) string {
		return fmt.Sprintf(`SELECT CONCAT(COUNT(*), ' ', SUM(CRC32(CONCAT_WS(':', id, %s, note)))) FROM nodes WHERE id > %d`, mapping, hot)
	}
	return d
}

func open(t *testing.T, driver, dsn string) *sql.DB {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(writers + 4)
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

// asOwner runs q past the enforcement triggers.
func (d *db) asOwner(t *testing.T, q string) {
	if err := harness.AsOwner(context.Background(), d.sql, d.dir, q); err != nil {
		t.Fatalf("%s: %s: %v", d.name, q, err)
	}
}

func (d *db) one(t *testing.T, q string) string {
	var s sql.NullString
	if err := d.sql.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %s: %v", d.name, q, err)
	}
	return s.String
}

// write is one writer's operation: when it started, how long it took, and
// its error's code ("" when it succeeded).
type write struct {
	start time.Time
	took  time.Duration
	code  string
}

// load runs the writers until stop and returns their operations; they
// record moves in the history table when there is one (history).
func load(d *db, history bool, stop <-chan struct{}) func() [][]write {
	var wg sync.WaitGroup
	out := make([][]write, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := 1 + r.IntN(hot)
				q, args := writerMove, []any{"w" + strconv.Itoa(i), id}
				switch i % 3 {
				case 1:
					q, args = `INSERT INTO events (node_id) VALUES (?)`, []any{id}
				case 2:
					if !history {
						break
					}
					q, args = `INSERT INTO nodes_history (id, from_state, to_state, event) VALUES (?, 'waiting', 'processing', 'loop')`, []any{strconv.Itoa(id)}
				}
				if d.goose == goose.DialectPostgres {
					q = harness.Dollars(q)
				}
				start := time.Now()
				_, err := d.sql.Exec(q, args...)
				out[w] = append(out[w], write{start, time.Since(start), harness.Code(err)})
			}
		}()
	}
	return func() [][]write { wg.Wait(); return out }
}

// illegalMove is a move no version of the harness allows, processing to
// starting, on a row no writer touches.
const illegalMove = `UPDATE nodes SET state = 'starting' WHERE id = ? AND state = 'processing'`

// probed counts the tries of illegalMove, those the database accepted,
// and its errors by code: the triggers' refusal (db.refused), or a lock
// timeout while a migration holds the table.
type probed struct {
	tried, accepted int
	errs            map[string]int
}

// probe tries illegalMove every 10 ms until stop, in sessions that do not
// ask for the bypass, on rows the fill put in processing (id % 7 = 2) past those the writers
// move: whatever migration runs, enforcement must refuse each. Rarely
// enough to leave the writers' figures alone.
func probe(d *db, stop <-chan struct{}) func() probed {
	done := make(chan probed, 1)
	q := illegalMove
	if d.goose == goose.DialectPostgres {
		q = harness.Dollars(q)
	}
	first := hot + 1 + (9-(hot+1)%7)%7
	go func() {
		r := rand.New(rand.NewPCG(uint64(writers), 1))
		p := probed{errs: map[string]int{}}
		for {
			select {
			case <-stop:
				done <- p
				return
			case <-time.After(10 * time.Millisecond):
			}
			res, err := d.sql.Exec(q, first+7*r.IntN((rows()-first)/7+1))
			p.tried++
			if c := harness.Code(err); c != "" {
				p.errs[c]++
			} else if n, _ := res.RowsAffected(); n > 0 {
				p.accepted++
			}
		}
	}()
	return func() probed { return <-done }
}

// retryable are the writer errors the README tells applications to retry:
// lock timeouts, and MySQL's deadlock between a writer and a batch of a
// row move (rare: seen in about one smoke run in four under load, none in
// eight quiet ones). The report counts them per migration.
var retryable = []string{"55P03", "1205", "1213"}

type step struct {
	dialect, runner, change string
	took                    time.Duration
	stall, p99              time.Duration
	writes                  int
	errs                    map[string]int
	err                     error
}

// window measures the writes that overlap [from, to]: the longest one, or
// the longest gap between two writes of one writer, whichever is longer,
// and the 99th percentile of their durations.
func window(ops [][]write, from, to time.Time) (stall, p99 time.Duration, n int, errs map[string]int) {
	errs = map[string]int{}
	var took []time.Duration
	for _, ws := range ops {
		last := from
		for _, w := range ws {
			end := w.start.Add(w.took)
			if end.Before(from) || w.start.After(to) {
				continue
			}
			n++
			took = append(took, w.took)
			if w.code != "" {
				errs[w.code]++
			}
			began := w.start
			if began.Before(from) {
				began = from
			}
			stall = max(stall, end.Sub(began), w.start.Sub(last))
			last = end
		}
	}
	if len(took) > 0 {
		slices.Sort(took)
		p99 = took[(len(took)-1)*99/100]
	}
	return stall, p99, n, errs
}

// runners are the migration tools the harness runs, each on fresh
// databases: FSMGEN_ONLINE_RUNNER names one, or both run.
func runners() []string {
	if r := os.Getenv("FSMGEN_ONLINE_RUNNER"); r != "" {
		return []string{r}
	}
	return []string{"goose", "golang-migrate"}
}

// tool applies one migration at a time, as a deploy would.
type tool struct {
	up, down func() error
	// recover makes the tool ready to run a migration that failed (up or
	// down) again: golang-migrate records the version it was heading to,
	// dirty (README: migrate force the version it started from).
	recover func(up bool) error
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
			recover: func(bool) error { return nil },
		}
	}
	src, err := iofs.New(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	drv, err := d.migrate()
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, d.dir, drv)
	if err != nil {
		t.Fatal(err)
	}
	return tool{
		up:   func() error { return m.Steps(1) },
		down: func() error { return m.Steps(-1) },
		recover: func(up bool) error {
			v, dirty, err := m.Version()
			if err != nil || !dirty {
				return fmt.Errorf("golang-migrate after a failed migration: version %d, dirty %v (%v)", v, dirty, err)
			}
			if up {
				return m.Force(int(v) - 1)
			}
			return m.Force(int(v) + 1)
		},
	}
}

// runs is how many times every change runs on fresh databases
// (FSMGEN_ONLINE_RUNS, 1 unless set): the report keeps the largest figure
// of each.
func runs() int {
	if n, err := strconv.Atoi(os.Getenv("FSMGEN_ONLINE_RUNS")); err == nil && n > 0 {
		return n
	}
	return 1
}

func TestOnline(t *testing.T) {
	var report []step
	for _, runner := range runners() {
		out, added := history(t, runner, versions)
		adoptOut, adoptAdded := history(t, runner, []version{adopted})
		for _, mk := range []func(*testing.T) *db{postgres, mariadb} {
			var each, adoptions [][]step
			for range runs() {
				d := mk(t)
				each = append(each, online(t, d, runner, out, added[d.dir]))
				adoptions = append(adoptions, adoption(t, mk(t), runner, adoptOut, adoptAdded[d.dir][0]))
			}
			report = append(report, largest(each)...)
			report = append(report, largest(adoptions)...)
		}
	}
	writeReport(t, report)
}

// largest merges the steps of several runs of the same changes: each
// figure the largest of the runs, the writes and their errors summed.
func largest(runs [][]step) []step {
	out := slices.Clone(runs[0])
	for _, r := range runs[1:] {
		for i, s := range r {
			o := &out[i]
			if o.change != s.change {
				// A retried migration is named for its retry: keep both.
				o.change += " / " + s.change
			}
			o.took, o.stall, o.p99 = max(o.took, s.took), max(o.stall, s.stall), max(o.p99, s.p99)
			o.writes += s.writes
			errs := maps.Clone(o.errs)
			for c, n := range s.errs {
				if errs == nil {
					errs = map[string]int{}
				}
				errs[c] += n
			}
			o.errs = errs
			if o.err == nil {
				o.err = s.err
			}
		}
	}
	return out
}

// online runs every change up and down on d with runner's tool: version
// i's added[i] migrations at a time.
func online(t *testing.T, d *db, runner, out string, added []int) []step {
	d.exec(t, d.schema...)
	m := &migrating{t: t, d: d, runner: runner, tl: newTool(t, d, runner, out)}
	// upTo[i] is the number of migrations up to version i's.
	upTo := make([]int, len(added))
	for i, n := range added {
		upTo[i] = n
		if i > 0 {
			upTo[i] += upTo[i-1]
		}
	}
	if err := m.to(upTo[0])(); err != nil {
		t.Fatal(err)
	}
	// The rows' states are set as the table's owner would repair them,
	// past the triggers.
	d.asOwner(t, d.fill[0])
	d.exec(t, d.fill[1:]...)
	d.exec(t, d.past...)

	stop := make(chan struct{})
	wait := load(d, true, stop)
	probes := probe(d, stop)
	time.Sleep(500 * time.Millisecond) // the writers' steady state
	m.run(versions[1].change, m.to(upTo[1]), true)
	// Rows for the removal to move, on rows no writer touches.
	d.asOwner(t, fmt.Sprintf(`UPDATE nodes SET state = 'aborting' WHERE id > %d AND id %% 10 = 3`, hot))
	before := d.one(t, d.sum(`CASE WHEN state = 'aborting' THEN 'error' ELSE state END`))
	// The past moves that name the state the rename renames: none once it
	// ran, as many as before once its Down ran (the writers record other
	// states).
	const named = `SELECT COUNT(*) FROM nodes_history WHERE from_state = 'reapplying' OR to_state = 'reapplying'`
	pastBefore := d.one(t, named)
	time.Sleep(time.Second) // the writers' steady state again
	for i, v := range versions[2:] {
		up := m.to(upTo[i+2])
		if len(v.removed) > len(versions[i+1].removed) {
			m.marks = append(m.marks, behindReader(t, d, v.change, up))
			if err := m.tl.recover(true); err != nil {
				t.Fatalf("%s, %s: %v", d.name, runner, err)
			}
		}
		if v.none {
			m.run(v.change+" (no migration: nothing to run)", func() error { return nil }, true)
			continue
		}
		m.run(v.change, up, true)
		if len(v.renamed) > len(versions[i+1].renamed) {
			if n := d.one(t, named); n != "0" {
				t.Errorf("%s, %s: %s: %s past moves still name reapplying", d.name, runner, v.change, n)
			}
		}
	}
	for i := len(versions) - 1; i >= 1; i-- {
		if !versions[i].none {
			m.run("Down of "+versions[i].change, m.to(upTo[i-1]), false)
		}
	}
	if d.goose == goose.DialectPostgres {
		m.marks = append(m.marks, control(t, d))
	}
	close(stop)
	ops := wait()
	p := probes()
	if p.accepted > 0 || p.errs[d.refused] == 0 {
		t.Errorf("%s, %s: illegal moves: %+v; want them refused (%s), none accepted", d.name, runner, p, d.refused)
	}
	for c := range p.errs {
		if c != d.refused && !slices.Contains(retryable, c) {
			t.Errorf("%s, %s: an illegal move failed with %s, neither refused nor a documented retryable error", d.name, runner, c)
		}
	}
	after := d.one(t, d.sum(`state`))
	if pastAfter := d.one(t, named); pastAfter != pastBefore {
		t.Errorf("%s, %s: past moves naming reapplying: %s before the changes, %s after their Downs", d.name, runner, pastBefore, pastAfter)
	}
	if before != after {
		t.Errorf("%s, %s: rows no writer touched changed: checksum %s before, %s after", d.name, runner, before, after)
	}
	return append(m.report(ops),
		step{dialect: d.name, runner: runner, change: "checksum " + before + " before, " + after + " after"},
		step{dialect: d.name, runner: runner, change: "illegal moves (processing to starting) tried every 10 ms meanwhile, without the bypass: none accepted (the writes not refused found no row in processing)", writes: p.tried, errs: p.errs})
}

// adoption runs the adoption of d's column, made by hand as the first
// version's, up, down and up again (out holds its n migrations), while
// the writers move rows.
func adoption(t *testing.T, d *db, runner, out string, n int) []step {
	d.exec(t, d.schema...)
	d.exec(t, d.column...)
	d.exec(t, d.fill...)
	m := &migrating{t: t, d: d, runner: runner, tl: newTool(t, d, runner, out)}
	before := d.one(t, d.sum(`state`))
	stop := make(chan struct{})
	wait := load(d, false, stop)
	time.Sleep(500 * time.Millisecond) // the writers' steady state
	m.run(adopted.change, m.to(n), true)
	m.run("Down of the "+adopted.change, m.to(0), false)
	m.run(adopted.change+", again after its Down", m.to(n), true)
	close(stop)
	ops := wait()
	if after := d.one(t, d.sum(`state`)); after != before {
		t.Errorf("%s, %s: the adoption changed rows no writer touched: checksum %s before, %s after", d.name, runner, before, after)
	}
	return m.report(ops)
}

// migrating is one database's migrations under runner's tool, and the
// marks of those that ran.
type migrating struct {
	t       *testing.T
	d       *db
	runner  string
	tl      tool
	applied int // how many migrations succeeded
	marks   []mark
}

// to returns a move of the database to the first n migrations, one at a
// time, as a deploy would.
func (m *migrating) to(n int) func() error {
	return func() error {
		for m.applied != n {
			if m.applied < n {
				if err := m.tl.up(); err != nil {
					return err
				}
				m.applied++
				continue
			}
			if err := m.tl.down(); err != nil {
				return err
			}
			m.applied--
		}
		return nil
	}
}

// run runs a migration. One that gives up at its lock timeout is run
// again once, as the README tells operators to (autovacuum of a table
// with many changed rows can hold the lock longer than the timeout), and
// the report says so; the window covers both runs.
func (m *migrating) run(change string, f func() error, up bool) {
	from := time.Now()
	err := f()
	if c := harness.Code(err); slices.Contains(retryable, c) {
		if err := m.tl.recover(up); err != nil {
			m.t.Fatalf("%s, %s: %s: %v", m.d.name, m.runner, change, err)
		}
		change += " (run again: the first run gave up at " + c + ")"
		err = f()
	}
	m.marks = append(m.marks, mark{change: change, from: from, to: time.Now(), err: err})
	time.Sleep(300 * time.Millisecond)
}

// report measures the writes in ops during each mark and checks the
// migration's error and theirs.
func (m *migrating) report(ops [][]write) []step {
	var report []step
	for _, k := range m.marks {
		until := k.to
		if k.until.After(until) {
			until = k.until
		}
		stall, p99, n, errs := window(ops, k.from, until)
		report = append(report, step{m.d.name, m.runner, k.change, k.to.Sub(k.from), stall, p99, n, errs, k.err})
		if got := harness.Code(k.err); got != k.want {
			m.t.Errorf("%s, %s: %s: error %q (%v), want %q", m.d.name, m.runner, k.change, got, k.err, k.want)
		}
		for c := range errs {
			if !slices.Contains(retryable, c) {
				m.t.Errorf("%s, %s: %s: writers got %s, which is not a documented retryable error", m.d.name, m.runner, k.change, c)
			}
		}
	}
	return report
}

// mark is one migration run: when it ran, its error, and the error code
// it must end with ("" for none). until, when later than to, extends the
// window whose writes are measured.
type mark struct {
	change          string
	from, to, until time.Time
	err             error
	want            string
}

// control writes a new version of every row no writer touches, in
// batches of 5,000 that commit one by one, as a deadline migration writes
// those in its states: the load without a lock any writer waits for. The
// writers' longest stall beside it is what the machine gives them while
// PostgreSQL writes that much, whatever a migration locks.
func control(t *testing.T, d *db) mark {
	from := time.Now()
	for lo := hot; lo < rows(); lo += 5000 {
		d.exec(t, fmt.Sprintf(`UPDATE nodes SET note = note WHERE id > %d AND id <= %d`, lo, lo+5000))
	}
	return mark{change: "control: every row no writer touches written again in batches of 5,000 (not a migration)", from: from, to: time.Now()}
}

// readerHold is how long the open read transaction of behindReader lasts:
// 8 s as in the measurement that motivated lock timeouts, 2 s in the smoke
// run that make test does.
func readerHold() time.Duration {
	if os.Getenv("FSMGEN_ONLINE_ROWS") != "" {
		return 8 * time.Second
	}
	return 2 * time.Second
}

// behindReader runs up while another session holds a read transaction open
// on nodes for readerHold, as a report or a long export would. The
// migration must give up at its lock timeout (55P03, 1205) rather than
// queue the writers behind it for as long as the reader stays; the writes
// are measured over the whole of the reader's transaction. It returns once
// the reader has ended.
func behindReader(t *testing.T, d *db, change string, up func() error) mark {
	ctx := context.Background()
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM nodes WHERE id <= 1000`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	hold := readerHold()
	ended := make(chan time.Time, 1)
	time.AfterFunc(hold, func() { tx.Rollback(); ended <- time.Now() })
	m := mark{change: fmt.Sprintf("%s, behind an open read transaction of %.0f s", change, hold.Seconds()), want: "55P03"}
	if d.goose == goose.DialectMySQL {
		m.want = "1205"
	}
	m.from = time.Now()
	m.err = up()
	m.to = time.Now()
	m.until = <-ended
	time.Sleep(300 * time.Millisecond)
	return m
}

func writeReport(t *testing.T, steps []step) {
	var b strings.Builder
	fmt.Fprintf(&b, "| database | runner | migration | duration | longest write stall | p99 write | writes | writer errors |\n|---|---|---|---|---|---|---|---|\n")
	for _, s := range steps {
		if s.writes == 0 && s.took == 0 {
			fmt.Fprintf(&b, "| %s | %s | %s | | | | | |\n", s.dialect, s.runner, s.change)
			continue
		}
		var errs []string
		for c, n := range s.errs {
			errs = append(errs, fmt.Sprintf("%s ×%d", c, n))
		}
		slices.Sort(errs)
		status := ""
		if s.err != nil {
			status = " (failed: " + harness.Code(s.err) + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s%s | %s | %s | %s | %d | %s |\n", s.dialect, s.runner, s.change, status, round(s.took), round(s.stall), round(s.p99), s.writes, strings.Join(errs, ", "))
	}
	t.Logf("%d rows, %d writers, %d run(s):\n%s", rows(), writers, runs(), b.String())
	if p := os.Getenv("FSMGEN_ONLINE_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func round(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}
