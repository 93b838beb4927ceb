package sqlmig_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	migratedb "github.com/golang-migrate/migrate/v4/database"
	"github.com/google/go-cmp/cmp"

	"github.com/fsmgen/fsmgen/internal/cli"
)

// rerunSpecs are one spec per change kind, in order, each with the store's
// history and enforced transitions from the second on: the enum created;
// a state added with the history table and the triggers; a state added;
// a rename; a removal with rows_to; a default change; a change of the
// transitions alone; a compaction; fields added with MySQL's fire
// function; history columns added, which replace it; enforcement
// stopped; the function, a field and a history column retired; both
// back; a column the table has adopted as a field.
func rerunSpecs(t *testing.T, format string) (specs, kinds []string) {
	t.Helper()
	v := specVersions(t, format)
	for i := range v {
		v[i] = mustReplace(t, v[i], "dialects: [postgres, mysql, sqlite]", "dialects: [postgres, mysql]")
	}
	with := func(s string) string { return mustReplace(t, s, "\nsql:\n", "\nsql:\n"+storeKeys) }
	def := mustReplace(t, with(v[4]), "  enforce: transitions\n", "  enforce: transitions\n  default: starting\n")
	moves := mustReplace(t, def, "      finish: finished\n      timeout: error\n  finished:", "      abort: starting\n      finish: finished\n      timeout: error\n  finished:")
	compact := mustReplace(t, moves, "  enforce: transitions\n", "  enforce: transitions\n  compact: true\n")
	// The fields come with MySQL's fire function, which the history
	// columns then replace.
	fields := mustReplace(t, compact, "  compact: true\n", "  compact: true\n  fire_function: true\n") + seedFieldsBlock
	histCols := mustReplace(t, fields, "  history: nodes_history\n", "  history: nodes_history\n  history_fields: [error]\n  history_notes: [actor]\n")
	unenforce := mustReplace(t, histCols, "  enforce: transitions\n", "")
	retired := mustReplace(t, mustReplace(t, mustReplace(t, unenforce, "  fire_function: true\n", ""), "  history_notes: [actor]\n", ""), "    attempts: {type: int, default: 0}\n", "")
	reenforce := mustReplace(t, retired, "  compact: true\n", "  compact: true\n  enforce: transitions\n  fire_function: true\n")
	// The table's own note column, which the setup creates.
	adoptField := mustReplace(t, reenforce, "    error: {type: text, nullable: true}\n", "    error: {type: text, nullable: true}\n    note: {type: text, nullable: true, adopt: true}\n")
	return []string{v[0], with(v[1]), with(v[2]), with(v[3]), with(v[4]), def, moves, compact, fields, histCols, unenforce, retired, reenforce, adoptField},
		[]string{"create", "add with history and triggers", "add", "rename", "remove with rows_to", "default", "transitions", "compact", "fields and fire function", "history columns, fire function replaced", "enforcement stopped", "fire function, a field and a history column retired", "enforcement and fire function again", "a field adopted"}
}

// seedFieldsBlock declares fields of each kind the seed does not: one not
// nullable, with a default the rows already there take.
const seedFieldsBlock = `  fields:
    started_at: {type: timestamp, nullable: true}
    error: {type: text, nullable: true}
    attempts: {type: int, default: 0}
`

// rerunSeq is one sequence of specs whose migrations are stopped half
// way, from those of spec first (1-based) on; setup brings a new database
// to the last version before them, with rows.
type rerunSeq struct {
	specs, kinds []string
	first        int64
	setup        func(t *testing.T, d dialect, db *sql.DB, r runner)
}

// rerunSeqs are the change kinds of rerunSpecs, after a first version
// with rows in every state, and the adoption of an existing column with
// the history table and the triggers at once.
func rerunSeqs(t *testing.T, format string) []rerunSeq {
	specs, kinds := rerunSpecs(t, format)
	adopt := mustReplace(t, mustReplace(t, adoptSpec(t, format), "dialects: [postgres, mysql, sqlite]", "dialects: [postgres, mysql]"), "\nsql:\n", "\nsql:\n"+storeKeys)
	timeouts, _ := timeoutSpecs(t, format)
	for i := range timeouts {
		timeouts[i] = mustReplace(t, timeouts[i], "dialects: [postgres, mysql, sqlite]", "dialects: [postgres, mysql]")
	}
	return []rerunSeq{
		{specs, kinds, 2, func(t *testing.T, d dialect, db *sql.DB, r runner) {
			mustExec(t, db, `CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, note VARCHAR(20))`)
			r.upTo(t, 1)
			for i, s := range allLabels[:len(allLabels)-1] {
				if slices.Contains(specLabels(t, specs[0]), s) {
					mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), fmt.Sprintf("s%d", i), s)
				}
			}
		}},
		{timeouts, []string{"store", "add timeout", "timeout states", "drop timeout"}, 2, func(t *testing.T, d dialect, db *sql.DB, r runner) {
			mustExec(t, db, `CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, note VARCHAR(20))`)
			r.upTo(t, 1)
			for i, s := range specLabels(t, timeouts[0]) {
				mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid) VALUES (?)`), fmt.Sprint("n", i))
				move(t, d, db, fmt.Sprint("n", i), s, false)
			}
		}},
		{[]string{adopt}, []string{"adopt with history and triggers"}, 1, func(t *testing.T, d dialect, db *sql.DB, r runner) {
			for _, q := range inspectorSchema(d.name, false, inspectorLabels) {
				mustExec(t, db, q)
			}
			for i, s := range inspectorLabels {
				mustExec(t, db, rebind(d, `INSERT INTO nodes (uuid, state) VALUES (?, ?)`), fmt.Sprint("node-", i), s)
			}
		}},
	}
}

// TestEveryStatementRunsAgain stops every migration of every change kind
// after each of its statements, in each direction, as a lock timeout or a
// killed server or client would, and then runs the same migration again
// with the real tool: it must go through and leave the schema and the rows
// exactly as a clean run does, and fsmgen verify must flag the stopped
// Up before it runs again and agree with the database after. goose runs
// PostgreSQL's online changes and every MySQL migration outside a
// transaction, statement by statement; golang-migrate runs PostgreSQL's
// as one block that commits after each statement, and its documented step
// after a failure is force, then up. Migrations that run in one
// transaction are all or nothing.
func TestEveryStatementRunsAgain(t *testing.T) {
	for _, c := range []struct{ dialect, format string }{{"postgres", "goose"}, {"mysql", "goose"}, {"postgres", "golang-migrate"}} {
		t.Run(c.dialect+"/"+c.format, func(t *testing.T) {
			t.Parallel()
			gooseSeqs := rerunSeqs(t, "goose")
			for i, seq := range rerunSeqs(t, c.format) {
				out := generateAll(t, seq.specs)
				gooseOut := generateAll(t, gooseSeqs[i].specs)
				d := dialectNamed(c.dialect)
				// A spec may write several migrations: each version is
				// its spec's, and verify agrees only after the last.
				last := specVersionsOf(t, seq.specs, d.name)
				first := int64(1)
				if seq.first > 1 {
					first = last[seq.first-2] + 1
				}
				for v := first; v <= last[len(last)-1]; v++ {
					up, down := migrationStatements(t, filepath.Join(gooseOut, "migrations", d.name), v)
					if len(up)+len(down) == 0 {
						continue // one transaction
					}
					k := slices.IndexFunc(last, func(l int64) bool { return l >= v })
					t.Run(fmt.Sprintf("%d %s", v, seq.kinds[k]), func(t *testing.T) {
						t.Parallel()
						url := d.dsn(t)
						db := connect(t, d, url)
						r := newRunner(t, d, db, c.format, os.DirFS(filepath.Join(out, "migrations", d.name)))
						seq.setup(t, d, db, r)
						if v > first {
							r.upTo(t, v-1)
						}
						var verify func() error
						if last[k] == v {
							verify = verifier(t, url, seq.specs, int64(k+1))
						}
						// Where both ends enforce transitions, every instant
						// between them does.
						const on = "  enforce: transitions\n"
						enforced := k > 0 && strings.Contains(seq.specs[k], on) && strings.Contains(seq.specs[k-1], on)
						rerunEach(t, d, db, r, c.format, v, up, down, verify, enforced)
					})
				}
			}
		})
	}
}

// verifier returns what fsmgen verify says of the database at url against
// the history of specs[:v]: nil when it agrees.
func verifier(t *testing.T, url string, specs []string, v int64) func() error {
	out := generateAll(t, specs[:v])
	spec := filepath.Join(t.TempDir(), "states.yaml")
	writeFile(t, spec, specs[v-1])
	return func() error {
		if code, stdout, stderr := run("verify", "-db", url, "-spec", spec, "-out", out); code != cli.ExitOK {
			return fmt.Errorf("exit %d: %s%s", code, stdout, stderr)
		}
		return nil
	}
}

// rerunEach stops version v after each of its statements, in each
// direction, and runs it again; db is at version v-1. verify checks the
// database against version v's history; nil when no history ends at v
// (its spec writes more after it). enforced: an ordinary writer's illegal
// move must be refused wherever the migration stopped.
func rerunEach(t *testing.T, d dialect, db *sql.DB, r runner, format string, v int64, up, down []string, verify func() error, enforced bool) {
	agrees, flags := verify, func() bool { return verify == nil || verify() != nil }
	if verify == nil {
		agrees = func() error { return nil }
	}
	// A clean run first: up, down and up again reach the states every
	// rerun must reach.
	r.upTo(t, v)
	mustDown(t, r, v-1)
	r.upTo(t, v)
	if err := agrees(); err != nil {
		t.Fatalf("verify after a clean run: %v", err)
	}
	after := schemaOf(t, d, db)
	mustDown(t, r, v-1)
	before := schemaOf(t, d, db)
	for _, dir := range []struct {
		name       string
		stmts      []string
		start, end []string
		from, to   int64
	}{{"up", up, before, after, v - 1, v}, {"down", down, after, before, v, v - 1}} {
		if dir.name == "down" {
			r.upTo(t, v)
		}
		for n := 1; n <= len(dir.stmts); n++ {
			partial(t, db, dir.stmts[:n])
			if enforced {
				refusesIllegalMove(t, db, fmt.Sprintf("%s stopped after statement %d of %d", dir.name, n, len(dir.stmts)))
			}
			if format != "goose" {
				// golang-migrate marks the version it was going to
				// dirty before it runs a file; the documented step is
				// to force the one it started from.
				if dir.to > 0 {
					markDirty(t, db, r, dir.to)
					if !flags() {
						t.Fatalf("%s stopped after statement %d of %d: verify does not flag the dirty version", dir.name, n, len(dir.stmts))
					}
				}
				forceTo(t, r, dir.from)
			}
			// An Up stopped half way is never recorded; a Down is
			// recorded only once it ends, so verify must see every
			// change it made before it stopped.
			if (dir.name == "up" || !cmp.Equal(dir.start, schemaOf(t, d, db))) && !flags() {
				t.Fatalf("%s stopped after statement %d of %d: verify agrees with the database\nlast statement run:\n%s", dir.name, n, len(dir.stmts), dir.stmts[n-1])
			}
			if dir.to > dir.from {
				r.upTo(t, dir.to)
				if err := agrees(); err != nil {
					t.Fatalf("up stopped after statement %d of %d and run again: verify: %v", n, len(dir.stmts), err)
				}
			} else if err := r.downTo(dir.to); err != nil {
				t.Fatalf("%s, run again after its statement %d of %d: %v\n%s", dir.name, n, len(dir.stmts), err, dir.stmts[n-1])
			}
			if diff := cmp.Diff(dir.end, schemaOf(t, d, db)); diff != "" {
				t.Fatalf("%s, stopped after statement %d of %d and run again, differs from a clean run (-want +got):\n%s\nlast statement run:\n%s", dir.name, n, len(dir.stmts), diff, dir.stmts[n-1])
			}
			// Back to where this direction starts.
			if dir.to > dir.from {
				mustDown(t, r, dir.from)
			} else {
				r.upTo(t, dir.from)
			}
			if diff := cmp.Diff(dir.start, schemaOf(t, d, db)); diff != "" {
				t.Fatalf("%s, after statement %d: the way back differs (-want +got):\n%s", dir.name, n, diff)
			}
		}
	}
}

// refusesIllegalMove tries a move no version of the rerun specs allows,
// finished to processing, as a writer without the bypass: the triggers
// must refuse it.
func refusesIllegalMove(t *testing.T, db *sql.DB, when string) {
	t.Helper()
	res, err := db.Exec(`UPDATE nodes SET state = 'processing' WHERE state = 'finished'`)
	if err == nil {
		n, _ := res.RowsAffected()
		t.Fatalf("%s: a writer moved %d row(s) finished -> processing, which no version allows (none: the check proves nothing)", when, n)
	}
	if !strings.Contains(err.Error(), "is not a transition") {
		t.Fatalf("%s: the illegal move failed otherwise than refused: %v", when, err)
	}
}

func mustDown(t *testing.T, r runner, v int64) {
	t.Helper()
	if err := r.downTo(v); err != nil {
		t.Fatalf("down to %d: %v", v, err)
	}
}

// markDirty leaves golang-migrate's record as a run that stopped in
// version v's file leaves it.
func markDirty(t *testing.T, db *sql.DB, r runner, v int64) {
	t.Helper()
	forceTo(t, r, v)
	mustExec(t, db, `UPDATE schema_migrations SET dirty = true`)
}

// forceTo is golang-migrate's force; before the first migration (v 0)
// its version is -1, none.
func forceTo(t *testing.T, r runner, v int64) {
	t.Helper()
	if v == 0 {
		v = int64(migratedb.NilVersion)
	}
	if err := r.(migrateRunner).m.Force(int(v)); err != nil {
		t.Fatal(err)
	}
}

// migrationStatements returns the statements of version v's goose file in
// dir, per direction; none when the file runs in one transaction, where a
// failure leaves nothing behind.
func migrationStatements(t *testing.T, dir string, v int64) (up, down []string) {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("%05d_*.sql", v)))
	if err != nil || len(matches) != 1 {
		t.Fatalf("version %d: %v %v", v, matches, err)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "-- +goose NO TRANSACTION") {
		return nil, nil
	}
	u, dn, _ := strings.Cut(string(b), "-- +goose Down")
	return gooseStatements(u), gooseStatements(dn)
}

// partial runs stmts in one session, as the runner would have before the
// statement after them failed.
func partial(t *testing.T, db *sql.DB, stmts []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("statement %d: %v\n%s", i+1, err, s)
		}
	}
}

// schemaOf describes everything the migrations own, and the rows per
// state, one sorted line each.
func schemaOf(t *testing.T, d dialect, db *sql.DB) []string {
	t.Helper()
	var qs []string
	switch d.name {
	case "postgres":
		qs = []string{
			`SELECT 'label ' || t.typname || ' ' || e.enumsortorder || ' ' || e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid`,
			`SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated ' || convalidated FROM pg_constraint WHERE conrelid = 'nodes'::regclass`,
			`SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger WHERE tgrelid = 'nodes'::regclass AND NOT tgisinternal`,
			`SELECT 'function ' || proname || ' ' || md5(prosrc) || ' ' || coalesce(array_to_string(proconfig, ','), '') FROM pg_proc WHERE pronamespace = 'public'::regnamespace`,
			`SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('goose_db_version', 'schema_migrations')`,
			`SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN ('goose_db_version', 'schema_migrations')`,
			`SELECT 'rows ' || coalesce(state::text, 'NULL') || ' ' || count(*) FROM nodes GROUP BY state`,
			`SELECT 'history rows ' || count(*) FROM nodes_history WHERE to_regclass('nodes_history') IS NOT NULL`,
		}
	case "mysql":
		qs = []string{
			`SELECT CONCAT('column ', TABLE_NAME, '.', COLUMN_NAME, ' ', COLUMN_TYPE, ' ', IS_NULLABLE, ' ', COALESCE(COLUMN_DEFAULT, 'none'), ' ', COALESCE(COLLATION_NAME, ''), ' ', COLUMN_COMMENT) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT IN ('goose_db_version', 'schema_migrations')`,
			`SELECT CONCAT('trigger ', TRIGGER_NAME, ' ', ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ', MD5(ACTION_STATEMENT)) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()`,
			`SELECT CONCAT('routine ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()`,
			`SELECT CONCAT('index ', TABLE_NAME, ' ', INDEX_NAME, ' ', SEQ_IN_INDEX, ' ', COLUMN_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT IN ('goose_db_version', 'schema_migrations')`,
			`SELECT CONCAT('rows ', COALESCE(CAST(state AS CHAR), 'NULL'), ' ', COUNT(*)) FROM nodes GROUP BY state`,
		}
	}
	var out []string
	for _, q := range qs {
		if strings.Contains(q, "nodes_history") && len(strs(t, db, `SELECT 1 FROM information_schema.tables WHERE table_name = 'nodes_history'`)) == 0 {
			continue
		}
		out = append(out, strs(t, db, q)...)
	}
	if d.name == "mysql" && len(strs(t, db, `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'nodes_history'`)) > 0 {
		out = append(out, strs(t, db, `SELECT CONCAT('history rows ', COUNT(*)) FROM nodes_history`)...)
	}
	slices.Sort(out)
	return out
}

// TestLockTimeoutsComeFirst: in every migration of every change kind, no
// DDL runs before the statement that bounds the session's lock waits: a
// trigger's or a table's DDL queues for the table's lock like any ALTER,
// and without the bound it would wait behind a long transaction for as
// long as it lasts, with every writer of the table queued behind it.
func TestLockTimeoutsComeFirst(t *testing.T) {
	specs, _ := rerunSpecs(t, "goose")
	for _, seq := range [][]string{specs, {rerunSeqs(t, "goose")[1].specs[0]}} {
		out := generateAll(t, seq)
		for _, c := range []struct{ dialect, bound string }{{"postgres", "SET lock_timeout"}, {"mysql", "SET SESSION lock_wait_timeout"}} {
			files, err := filepath.Glob(filepath.Join(out, "migrations", c.dialect, "*.sql"))
			if err != nil || len(files) == 0 {
				t.Fatalf("%s: %v %v", c.dialect, files, err)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				up, down, _ := strings.Cut(string(b), "-- +goose Down")
				for _, part := range []string{up, down} {
					bounded := false
					for _, s := range gooseStatements(part) {
						if strings.HasPrefix(s, c.bound) {
							bounded = true
						}
						if ddl.MatchString(s) && !bounded {
							t.Errorf("%s: DDL before %q:\n%s", filepath.Base(f), c.bound, s)
						}
					}
				}
			}
		}
	}
}

var ddl = regexp.MustCompile(`(?i)^(ALTER|CREATE|DROP)\b`)
