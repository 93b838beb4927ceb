package sqlmig_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	migratedb "github.com/golang-migrate/migrate/v4/database"
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/generated/introspection"
	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// dialect is one database under test and how to look inside it.
type dialect struct {
	name   string
	goose  goose.Dialect
	driver string
	dsn    func(t *testing.T) string
	// labels returns the enum's labels in database order; nil when the
	// dialect has no enum type (SQLite).
	labels func(t *testing.T, db *sql.DB) []string
	// columnOf returns whether table.column is NOT NULL and its default.
	columnOf func(t *testing.T, db *sql.DB, table, column string) (notNull bool, def string)
	migrate  func(db *sql.DB) (migratedb.Driver, error)
}

var dialects = []dialect{
	{
		name: "postgres", goose: goose.DialectPostgres, driver: "pgx", dsn: func(t *testing.T) string { return testdb.Postgres(t) },
		labels: func(t *testing.T, db *sql.DB) []string {
			return strs(t, db, `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'node_state' ORDER BY e.enumsortorder`)
		},
		columnOf: func(t *testing.T, db *sql.DB, table, column string) (bool, string) {
			return columnMeta(t, db, `SELECT is_nullable = 'NO', COALESCE(column_default, '') FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`, table, column)
		},
		migrate: func(db *sql.DB) (migratedb.Driver, error) { return migratepgx.WithInstance(db, &migratepgx.Config{}) },
	},
	{
		name: "mysql", goose: goose.DialectMySQL, driver: "mysql", dsn: func(t *testing.T) string { return testdb.MySQL(t) },
		labels: func(t *testing.T, db *sql.DB) []string {
			typ := strs(t, db, `SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'nodes' AND COLUMN_NAME = 'state'`)
			if len(typ) != 1 {
				t.Fatalf("column type: %q", typ)
			}
			var out []string
			for _, m := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(typ[0], -1) {
				out = append(out, m[1])
			}
			return out
		},
		columnOf: func(t *testing.T, db *sql.DB, table, column string) (bool, string) {
			return columnMeta(t, db, `SELECT IS_NULLABLE = 'NO', COALESCE(COLUMN_DEFAULT, '') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, table, column)
		},
		migrate: func(db *sql.DB) (migratedb.Driver, error) {
			return migratemysql.WithInstance(db, &migratemysql.Config{})
		},
	},
	{
		name: "sqlite", goose: goose.DialectSQLite3, driver: "sqlite",
		dsn: func(t *testing.T) string {
			return "file:" + filepath.Join(t.TempDir(), "test.db") + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)"
		},
		columnOf: func(t *testing.T, db *sql.DB, table, column string) (bool, string) {
			return columnMeta(t, db, `SELECT "notnull" = 1, COALESCE(dflt_value, '') FROM pragma_table_info(?) WHERE name = ?`, table, column)
		},
		migrate: func(db *sql.DB) (migratedb.Driver, error) {
			return migratesqlite.WithInstance(db, &migratesqlite.Config{})
		},
	},
}

// runner applies migrations with a real migration tool.
type runner interface {
	up(t *testing.T)
	tryUp() error
	upTo(t *testing.T, v int64)
	downTo(v int64) error
	version(t *testing.T) int64
}

type gooseRunner struct{ p *goose.Provider }

func (r gooseRunner) up(t *testing.T) {
	t.Helper()
	if _, err := r.p.Up(context.Background()); err != nil {
		t.Fatalf("goose up: %v", err)
	}
}

// tryUp is up, returning the error.
func (r gooseRunner) tryUp() error {
	_, err := r.p.Up(context.Background())
	return err
}

func (r gooseRunner) upTo(t *testing.T, v int64) {
	t.Helper()
	if _, err := r.p.UpTo(context.Background(), v); err != nil {
		t.Fatalf("goose up to %d: %v", v, err)
	}
}

func (r gooseRunner) downTo(v int64) error {
	_, err := r.p.DownTo(context.Background(), v)
	return err
}

func (r gooseRunner) version(t *testing.T) int64 {
	v, err := r.p.GetDBVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type migrateRunner struct{ m *migrate.Migrate }

func (r migrateRunner) up(t *testing.T) {
	t.Helper()
	if err := r.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		t.Fatalf("migrate up: %v", err)
	}
}

// tryUp is up, returning the error.
func (r migrateRunner) tryUp() error {
	if err := r.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return nil
}

func (r migrateRunner) upTo(t *testing.T, v int64) {
	t.Helper()
	if err := r.m.Migrate(uint(v)); err != nil {
		t.Fatalf("migrate up to %d: %v", v, err)
	}
}

func (r migrateRunner) downTo(v int64) error {
	before, _, _ := r.m.Version()
	var err error
	if v == 0 {
		err = r.m.Down()
	} else {
		err = r.m.Migrate(uint(v))
	}
	if err != nil {
		// golang-migrate marks the target version dirty; the failed Down
		// changed nothing, so the version it started from is still right.
		if _, dirty, verr := r.m.Version(); verr == nil && dirty {
			r.m.Force(int(before))
		}
	}
	return err
}

func (r migrateRunner) version(t *testing.T) int64 {
	v, _, err := r.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return int64(v)
}

func TestGooseScenario(t *testing.T) {
	h := buildHistory(t, "goose")
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := open(t, d)
			scenario(t, d, db, newRunner(t, d, db, "goose", h.dir(d.name)), h)
		})
	}
}

func TestGolangMigrateScenario(t *testing.T) {
	h := buildHistory(t, "golang-migrate")
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := open(t, d)
			scenario(t, d, db, newRunner(t, d, db, "golang-migrate", h.dir(d.name)), h)
		})
	}
}

// newRunner applies the migrations in fsys to db with format's tool.
func newRunner(t *testing.T, d dialect, db *sql.DB, format string, fsys fs.FS) runner {
	t.Helper()
	if format == "goose" {
		p, err := goose.NewProvider(d.goose, db, fsys)
		if err != nil {
			t.Fatal(err)
		}
		return gooseRunner{p}
	}
	src, err := iofs.New(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	drv, err := d.migrate(db)
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, d.name, drv)
	if err != nil {
		t.Fatal(err)
	}
	return migrateRunner{m}
}

func open(t *testing.T, d dialect) *sql.DB {
	t.Helper()
	db, _ := openURL(t, d)
	return db
}

// connect opens url, closed when the test ends.
func connect(t *testing.T, d dialect, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open(d.driver, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if d.name == "sqlite" {
		// One connection: SQLite serialises writers anyway, and the guard's
		// temporary table must be seen by the statements that follow it.
		db.SetMaxOpenConns(1)
	}
	return db
}

// openURL is open, also returning the database's URL.
func openURL(t *testing.T, d dialect) (*sql.DB, string) {
	t.Helper()
	url := d.dsn(t)
	db := connect(t, d, url)
	// The table is the application's; fsmgen only adds and changes the
	// state column.
	mustExec(t, db, `CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, note VARCHAR(20))`)
	mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid) VALUES (?)`), "before-fsmgen")
	return db, url
}

func scenario(t *testing.T, d dialect, db *sql.DB, r runner, h *history) {
	r.upTo(t, 2)
	if v := r.version(t); v != 2 {
		t.Fatalf("the seed's history ends at version %d, want 2", v)
	}
	expectSet(t, d, db, h.sets[1])
	var pre string
	if err := db.QueryRow(`SELECT state FROM nodes WHERE uuid = 'before-fsmgen'`).Scan(&pre); err != nil || pre != "finished" {
		t.Fatalf("a row older than the column holds %q (%v), want the default finished", pre, err)
	}

	// Rows in every state, written and read through the generated Go type.
	for _, s := range introspection.States() {
		if _, err := db.Exec(rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), "row-"+s.String(), s); err != nil {
			t.Fatalf("insert %v through Value: %v", s, err)
		}
		var got introspection.State
		if err := db.QueryRow(rebind(d, `SELECT state FROM nodes WHERE uuid = ?`), "row-"+s.String()).Scan(&got); err != nil {
			t.Fatalf("scan %v: %v", s, err)
		}
		if got != s {
			t.Fatalf("round trip: wrote %v, read %v", s, got)
		}
	}
	want := map[string]int{}
	for _, s := range h.sets[1] {
		want[s] = 1
	}
	want["finished"]++
	if diff := cmp.Diff(want, counts(t, db)); diff != "" {
		t.Fatalf("rows per state (-want +got):\n%s", diff)
	}
	if _, err := db.Exec(`INSERT INTO nodes (uuid, state) VALUES ('bad', 'bogus')`); err == nil {
		t.Fatal("an invalid state was accepted")
	}
	if _, err := db.Exec(`UPDATE nodes SET state = 'bogus' WHERE uuid = 'row-error'`); err == nil {
		t.Fatal("an update to an invalid state was accepted")
	}

	// The spec evolves: add paused, rename reapplying, remove aborting.
	r.up(t)
	if v := r.version(t); v != 5 {
		t.Fatalf("after the evolution the version is %d, want 5", v)
	}
	expectSet(t, d, db, h.sets[4])
	want["reprocessing"] = want["reapplying"]
	delete(want, "reapplying")
	want["error"] += want["aborting"]
	delete(want, "aborting")
	if diff := cmp.Diff(want, counts(t, db)); diff != "" {
		t.Fatalf("rows per state after add, rename, remove (-want +got):\n%s", diff)
	}
	mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('row-paused', 'paused')`)
	want["paused"] = 1

	// Down: version 4 brings aborting back (its old rows stay in error),
	// 3 renames back.
	for _, v := range []int64{4, 3} {
		if err := r.downTo(v); err != nil {
			t.Fatalf("down to %d: %v", v, err)
		}
		expectSet(t, d, db, h.sets[v-1])
	}
	want["reapplying"] = want["reprocessing"]
	delete(want, "reprocessing")
	if diff := cmp.Diff(want, counts(t, db)); diff != "" {
		t.Fatalf("rows per state after two Downs (-want +got):\n%s", diff)
	}
	// Down to 2 would drop paused while a row holds it: it must fail
	// loudly and change nothing.
	err := r.downTo(2)
	if err == nil || !strings.Contains(err.Error(), "has rows in paused") {
		t.Fatalf("down past paused with a paused row: err = %v, want the guard's message", err)
	}
	if v := r.version(t); v != 3 {
		t.Fatalf("the failed Down left version %d, want 3", v)
	}
	expectSet(t, d, db, h.sets[2])
	if diff := cmp.Diff(want, counts(t, db)); diff != "" {
		t.Fatalf("the failed Down changed rows (-want +got):\n%s", diff)
	}
	mustExec(t, db, `DELETE FROM nodes WHERE uuid = 'row-paused'`)
	delete(want, "paused")
	if err := r.downTo(2); err != nil {
		t.Fatalf("down to 2 once paused is empty: %v", err)
	}
	expectSet(t, d, db, h.sets[1])
	if err := r.downTo(1); err != nil {
		t.Fatalf("down to 1: %v", err)
	}
	expectSet(t, d, db, h.sets[0])
	if err := r.downTo(0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	total := 0
	for _, n := range want {
		total += n
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM nodes`).Scan(&n); err != nil || n != total {
		t.Fatalf("the application's rows: %d (%v), want %d", n, err, total)
	}

	// And up again: the column comes back with its default on every row.
	r.up(t)
	expectSet(t, d, db, h.sets[4])
	if diff := cmp.Diff(map[string]int{"finished": total}, counts(t, db)); diff != "" {
		t.Fatalf("rows per state after Up again (-want +got):\n%s", diff)
	}
}

// expectSet checks that exactly labels are accepted, in order where the
// database keeps one, and that the column kept NOT NULL and its default.
func expectSet(t *testing.T, d dialect, db *sql.DB, labels []string) {
	t.Helper()
	if d.labels != nil {
		got := liveLabels(t, d, db, labels)
		if diff := cmp.Diff(labels, got); diff != "" {
			t.Fatalf("enum labels (-want +got):\n%s", diff)
		}
	}
	for _, l := range append(slices.Clone(labels), allLabels...) {
		if got, want := accepts(t, d, db, l), slices.Contains(labels, l); got != want {
			t.Fatalf("state %q accepted = %v, want %v", l, got, want)
		}
	}
	notNull, def := d.columnOf(t, db, "nodes", "state")
	if !notNull || !strings.Contains(def, "finished") {
		t.Fatalf("column lost NOT NULL or its default: not null %v, default %q", notNull, def)
	}
}

var allLabels = []string{"starting", "waiting", "paused", "processing", "finished", "error", "reapplying", "reprocessing", "enrolling", "aborting", "bogus"}

func accepts(t *testing.T, d dialect, db *sql.DB, label string) bool {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.Exec(rebind(d, `INSERT INTO nodes (uuid, state) VALUES ('probe', ?)`), label)
	return err == nil
}

func counts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	return countsOf(t, db, "nodes", "state")
}

// countsOf counts the rows of table per value of column; NULL counts as
// "NULL".
func countsOf(t *testing.T, db *sql.DB, table, column string) map[string]int {
	t.Helper()
	// As text: pgx caches a statement's result types per connection, and a
	// migration that replaces the enum type gives the column a new one.
	rows, err := db.Query(fmt.Sprintf(`SELECT COALESCE(CAST(%s AS VARCHAR(64)), 'NULL'), COUNT(*) FROM %s GROUP BY %[1]s`, column, table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// noRoutinesLeft fails when the MySQL database keeps a stored routine:
// a migration's move procedure must be gone even when it failed, and
// guards are never procedures.
func noRoutinesLeft(t *testing.T, db *sql.DB, what string) {
	t.Helper()
	if left := strs(t, db, `SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()`); len(left) != 0 {
		t.Fatalf("%s left routines %q", what, left)
	}
}

func strs(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func columnMeta(t *testing.T, db *sql.DB, q string, args ...any) (bool, string) {
	t.Helper()
	var notNull bool
	var def string
	if err := db.QueryRow(q, args...).Scan(&notNull, &def); err != nil {
		t.Fatalf("column metadata: %v", err)
	}
	return notNull, def
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func rebind(d dialect, q string) string {
	if d.name != "postgres" {
		return q
	}
	n := 0
	return regexp.MustCompile(`\?`).ReplaceAllStringFunc(q, func(string) string { n++; return fmt.Sprintf("$%d", n) })
}

// liveLabels returns the enum's labels in database order, less those that
// left the spec: they stay in the type (PostgreSQL) or the ENUM (MySQL),
// forbidden by a constraint or triggers (the probes check that). MySQL
// appends new labels at the end (see TestMySQLAppends), so there they come
// in want's order when the set matches.
func liveLabels(t *testing.T, d dialect, db *sql.DB, want []string) []string {
	t.Helper()
	got := slices.DeleteFunc(d.labels(t, db), func(l string) bool { return !slices.Contains(want, l) })
	if d.name == "mysql" && len(got) == len(want) {
		slices.SortFunc(got, func(a, b string) int { return slices.Index(want, a) - slices.Index(want, b) })
	}
	return got
}
