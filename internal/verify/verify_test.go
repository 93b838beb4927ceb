package verify_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/pressly/goose/v3"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/testdb"
	"github.com/fsmgen/fsmgen/internal/verify"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	spec = "../../spec/states.yaml"
	out  = "../../generated"
)

// seeded applies the repository's checked-in migrations with goose to a
// new database and returns it with the URL verify is given.
func seeded(t *testing.T, dialect string, url func(dsn string) string) (*sql.DB, string) {
	t.Helper()
	db, dsn := applied(t, dialect, filepath.Join(out, "migrations", dialect), `CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY)`)
	return db, url(dsn)
}

// applied creates tables in a new database, applies the goose migrations
// in dir to it and returns it with its DSN.
func applied(t *testing.T, dialect, dir string, tables ...string) (*sql.DB, string) {
	t.Helper()
	var driver, dsn string
	var gd goose.Dialect
	switch dialect {
	case "postgres":
		driver, dsn, gd = "pgx", testdb.Postgres(t), goose.DialectPostgres
	case "mysql":
		driver, dsn, gd = "mysql", testdb.MySQL(t), goose.DialectMySQL
	case "sqlite":
		driver, dsn, gd = "sqlite", filepath.Join(t.TempDir(), "app.db"), goose.DialectSQLite3
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range tables {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	p, err := goose.NewProvider(gd, db, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

func run(args ...string) (int, string) {
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

func TestVerify(t *testing.T) {
	for _, c := range []struct {
		dialect, form string
		url           func(string) string
		hotfix        []string // a hand-applied change verify must catch
		want          string   // in verify's report of it
	}{
		{"postgres", "URL", func(d string) string { return d },
			[]string{`ALTER TYPE node_state ADD VALUE 'hotfix'`}, `label(s) (hotfix), which the history does not`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`ALTER TABLE nodes ALTER COLUMN state SET DEFAULT 'error'`}, `defaults to 'error'::node_state; the history says "finished"`},
		{"mysql", "golang-migrate URL", func(d string) string { return "mysql://" + d },
			[]string{"ALTER TABLE nodes MODIFY state ENUM('starting','waiting','processing','finished','error','reapplying','enrolling','aborting','hotfix') NOT NULL DEFAULT 'finished'"}, `label(s) (hotfix), which the history does not`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"ALTER TABLE nodes MODIFY state ENUM('starting','waiting','processing','finished','error','reapplying','enrolling','aborting') NULL DEFAULT 'finished'"}, `is nullable`},
		{"mysql", "URL with host:port", func(d string) string {
			return "mysql://" + strings.Replace(strings.Replace(d, "tcp(", "", 1), ")/", "/", 1)
		}, []string{"ALTER TABLE nodes ALTER COLUMN state SET DEFAULT 'error'"}, `defaults to 'error'`},
		{"sqlite", "sqlite:// URL", func(d string) string { return "sqlite://" + d },
			[]string{`DROP TRIGGER node_state_check_update`}, `trigger node_state_check_update on nodes is missing`},
		{"sqlite", "path", func(d string) string { return d },
			[]string{`DROP TRIGGER node_state_check_insert`, `CREATE TRIGGER node_state_check_insert BEFORE INSERT ON nodes FOR EACH ROW WHEN NEW.state NOT IN ('starting', 'hotfix') BEGIN SELECT RAISE(ABORT, 'no'); END`}, `allows (starting, hotfix)`},
		// The store's objects: a dropped or replaced trigger, function or
		// history table leaves moves unchecked or unrecorded. The seed's
		// MySQL triggers are named after their text (i5d220, ubf090).
		{"postgres", "URL", func(d string) string { return d },
			[]string{`DROP TRIGGER node_state_enforce ON nodes`}, `trigger node_state_enforce on nodes is missing`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`DROP TRIGGER node_state_enforce ON nodes`, `DROP FUNCTION node_state_enforce()`}, `trigger function node_state_enforce() is missing`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`CREATE OR REPLACE FUNCTION node_state_enforce() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`}, `trigger function node_state_enforce() differs`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`DROP TABLE nodes_history`}, `history table nodes_history does not exist`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"DROP TRIGGER node_state_enforce_ubf090"}, `trigger node_state_enforce_ubf090 on nodes is missing`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"DROP FUNCTION node_state_fire_47b0e"}, `function node_state_fire_47b0e is missing`},
		// A fire function of another text beside the history's: a
		// migration that replaces it stopped half way.
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"CREATE FUNCTION node_state_fire_00000() RETURNS INT DETERMINISTIC RETURN 0"}, `function node_state_fire_00000 is not the one the history records`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"DROP TRIGGER node_state_enforce_i5d220", "CREATE TRIGGER node_state_enforce_i5d220 BEFORE INSERT ON nodes FOR EACH ROW BEGIN END"}, `trigger node_state_enforce_i5d220 on nodes differs`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"ALTER TABLE nodes_history DROP COLUMN event"}, `history table nodes_history lacks column event`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{"ALTER TABLE nodes_history DROP COLUMN actor"}, `history table nodes_history lacks column actor`},
		{"sqlite", "path", func(d string) string { return d },
			[]string{`DROP TRIGGER node_state_enforce_insert`}, `trigger node_state_enforce_insert on nodes is missing`},
		// A migration that stopped half way: its twin trigger left
		// standing, or the runner's record of it missing.
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"CREATE TRIGGER node_state_enforce_ins_nx BEFORE INSERT ON nodes FOR EACH ROW BEGIN END"}, `trigger node_state_enforce_ins_nx on nodes, which a migration makes only while it replaces a trigger, is still there`},
		// MySQL names each trigger after its text: one of other rules
		// is the last migration's old trigger, never dropped.
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"CREATE TRIGGER node_state_enforce_u00000 BEFORE UPDATE ON nodes FOR EACH ROW BEGIN END"}, `trigger node_state_enforce_u00000 on nodes, which a migration makes only while it replaces a trigger, is still there`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"CREATE TRIGGER nodes_state_fsmgen_upd_next BEFORE UPDATE ON nodes FOR EACH ROW BEGIN END"}, `trigger nodes_state_fsmgen_upd_next on nodes, which a migration makes only while it replaces a trigger, is still there`},
		// The states triggers are named after their text: one of other
		// labels beside the history's is the old one of a migration that
		// stopped half way.
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{
				"CREATE TRIGGER nodes_state_fsmgen_u0a1b2 BEFORE UPDATE ON nodes FOR EACH ROW BEGIN IF NEW.state NOT IN ('starting') THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no'; END IF; END",
				"CREATE TRIGGER nodes_state_fsmgen_u0a1b3 BEFORE UPDATE ON nodes FOR EACH ROW BEGIN IF NEW.state NOT IN ('starting', 'waiting', 'processing', 'finished', 'error', 'reapplying', 'enrolling', 'aborting') THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no'; END IF; END",
			}, `trigger nodes_state_fsmgen_u0a1b2 on nodes, which a migration makes only while it replaces a trigger, is still there`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`ALTER TABLE nodes DROP COLUMN error`}, `column nodes.error (sql field error) is missing`},
		{"sqlite", "path", func(d string) string { return d },
			[]string{`ALTER TABLE nodes DROP COLUMN started_at`}, `column nodes.started_at (sql field started_at) is missing`},
		// A sweep's index: gone, or left invalid by a build that failed.
		{"postgres", "URL", func(d string) string { return d },
			[]string{`DROP INDEX nodes_timeout_at_due`}, `index nodes_timeout_at_due on nodes is missing`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'nodes_timeout_at_due'::regclass`}, `index nodes_timeout_at_due on nodes is invalid`},
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{"ALTER TABLE nodes DROP INDEX nodes_timeout_at_due"}, `index nodes_timeout_at_due on nodes is missing`},
		{"sqlite", "path", func(d string) string { return d },
			[]string{`DROP INDEX nodes_timeout_at_due`}, `index nodes_timeout_at_due on nodes is missing`},
		{"postgres", "URL", func(d string) string { return d },
			[]string{`DELETE FROM goose_db_version WHERE version_id = 10`}, `migration 00010_node_state_restate_triggers.sql (version 10) has not run here: goose_db_version records version 9 as the last applied`},
		{"sqlite", "path", func(d string) string { return d },
			[]string{`DELETE FROM goose_db_version WHERE version_id = 9`}, `(version 9) has not run here`},
		// An earlier migration goose never applied, though it applied
		// later ones (merged after they ran).
		{"mysql", "goose DSN", func(d string) string { return d },
			[]string{`DELETE FROM goose_db_version WHERE version_id = 5`}, `migration 00005_node_state_add_started_at_add_finished_at_add_error.sql (version 5) has not run here, though goose_db_version records later ones as applied`},
	} {
		t.Run(c.dialect+" "+c.form, func(t *testing.T) {
			db, url := seeded(t, c.dialect, c.url)
			caught(t, db, url, spec, out, c.hotfix, c.want)
		})
	}
}

// caught checks that verify agrees with the database the history built,
// then that it reports want once hotfix has changed it by hand.
func caught(t *testing.T, db *sql.DB, url, spec, out string, hotfix []string, want string) {
	t.Helper()
	if code, msg := run("verify", "-db", url, "-spec", spec, "-out", out); code != cli.ExitOK {
		t.Fatalf("verify of a database the history built: exit %d: %s", code, msg)
	}
	for _, q := range hotfix {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	code, msg := run("verify", "-db", url, "-spec", spec, "-out", out)
	if code != cli.ExitFail || !strings.Contains(msg, want) {
		t.Fatalf("verify after a hand-applied change: exit %d, want 1 and %q in:\n%s", code, want, msg)
	}
}

func TestOpenRejectsUnknownURLs(t *testing.T) {
	_, _, _, err := verify.Open("oracle://scott:tiger@db/x")
	if err == nil || strings.Contains(err.Error(), "tiger") {
		t.Fatalf("err = %v, want a refusal that hides the password", err)
	}
	if code, _ := run("verify", "-spec", spec, "-out", out); code != cli.ExitUsage {
		t.Fatalf("verify without -db: exit %d, want %d", code, cli.ExitUsage)
	}
}

// TestSpannerNeedsItsTag: without the spanner build tag the binary has no
// Spanner driver, and says how to build one that has (verify on Spanner
// is tested in internal/dialect/spanner/e2e).
func TestSpannerNeedsItsTag(t *testing.T) {
	for _, url := range []string{"spanner://projects/p/instances/i/databases/d", "projects/p/instances/i/databases/d"} {
		_, _, _, err := verify.Open(url)
		if err == nil || !strings.Contains(err.Error(), "build it with -tags spanner") {
			t.Errorf("Open(%s) = %v, want the build tag named", url, err)
		}
	}
}

// TestVerifySeveralColumns: every column the history binds is checked,
// a nullable one against having no default.
func TestVerifySeveralColumns(t *testing.T) {
	const several = "../cli/testdata/generate/several_columns/spec.yaml"
	out := t.TempDir()
	if code, msg := run("generate", "-spec", several, "-out", out); code != cli.ExitOK {
		t.Fatalf("generate: %s", msg)
	}
	for _, c := range []struct {
		dialect, hotfix, want string
	}{
		{"postgres", `ALTER TABLE nodes ALTER COLUMN target_provision_state SET DEFAULT 'enroll'`, `nodes.target_provision_state defaults to 'enroll'::provision_state; the history says it has no default`},
		{"mysql", `ALTER TABLE nodes ALTER COLUMN target_provision_state SET DEFAULT 'enroll'`, `nodes.target_provision_state defaults to 'enroll'; the history says it has no default`},
		{"sqlite", `DROP TRIGGER provision_state_nodes_target_provision_state_check_update`, `trigger provision_state_nodes_target_provision_state_check_update on nodes is missing`},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			db, dsn := applied(t, c.dialect, filepath.Join(out, "migrations", c.dialect),
				`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY)`, `CREATE TABLE node_history (id INTEGER PRIMARY KEY)`)
			code, msg := run("verify", "-db", dsn, "-spec", several, "-out", out)
			if code != cli.ExitOK || strings.Count(msg, "matches the") != 3 {
				t.Fatalf("verify of a database the history built: exit %d: %s", code, msg)
			}
			if _, err := db.Exec(c.hotfix); err != nil {
				t.Fatal(err)
			}
			if code, msg := run("verify", "-db", dsn, "-spec", several, "-out", out); code != cli.ExitFail || !strings.Contains(msg, c.want) {
				t.Fatalf("verify after a hand-applied change: exit %d, want 1 and %q in:\n%s", code, c.want, msg)
			}
		})
	}
}

// TestVerifyAdversarialLabels: labels with quotes and backslashes read
// back from the catalog as the spec wrote them, on every dialect (a
// backslash escapes only in MySQL's literals).
func TestVerifyAdversarialLabels(t *testing.T) {
	const adversarial = "../cli/testdata/generate/adversarial_values/spec.yaml"
	const migrations = "../cli/testdata/generate/adversarial_values/want"
	for _, dialect := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			_, dsn := applied(t, dialect, filepath.Join(migrations, "migrations", dialect), `CREATE TABLE jobs (id INTEGER PRIMARY KEY)`)
			if code, msg := run("verify", "-db", dsn, "-spec", adversarial, "-out", migrations); code != cli.ExitOK {
				t.Fatalf("verify of a database the history built: exit %d: %s", code, msg)
			}
		})
	}
}

// doorSpec is a machine whose states cycle through labels, stored in
// doors.state.
func doorSpec(labels ...string) string {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: door\ninitial: closed\nstates:\n")
	for i, l := range labels {
		b.WriteString("  " + l + ":\n    doc: a state\n    transitions:\n      next: " + labels[(i+1)%len(labels)] + "\n")
	}
	b.WriteString("events:\n  next:\n    doc: the next state\nsql:\n  enum: door_state\n  table: doors\n  column: state\n  dialects: [postgres, mysql]\n")
	return b.String()
}

// TestVerifyOrder: the database keeps the order its type grew in, which
// the history records; verify agrees after a reorder (which changes
// nothing) and after an add in the middle (which PostgreSQL puts next to
// its neighbour, MySQL at the end), and catches a reorder applied by
// hand.
func TestVerifyOrder(t *testing.T) {
	out := t.TempDir()
	spec := filepath.Join(t.TempDir(), "door.yaml")
	for _, labels := range [][]string{{"closed", "opened"}, {"opened", "closed"}, {"opened", "ajar", "closed"}} {
		if err := os.WriteFile(spec, []byte(doorSpec(labels...)), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, msg := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("generate %v: %s", labels, msg)
		}
	}
	for _, c := range []struct {
		dialect string
		hotfix  []string
	}{
		{"postgres", []string{
			`ALTER TYPE door_state RENAME TO door_state_old`,
			`CREATE TYPE door_state AS ENUM ('opened', 'ajar', 'closed')`,
			`ALTER TABLE doors ALTER COLUMN state DROP DEFAULT, ALTER COLUMN state TYPE door_state USING state::text::door_state, ALTER COLUMN state SET DEFAULT 'closed'`,
			`DROP TYPE door_state_old`,
		}},
		{"mysql", []string{"ALTER TABLE doors MODIFY state ENUM('opened','ajar','closed') NOT NULL DEFAULT 'closed' COMMENT 'fsmgen: door_state'"}},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			db, dsn := applied(t, c.dialect, filepath.Join(out, "migrations", c.dialect), `CREATE TABLE doors (id INTEGER PRIMARY KEY)`)
			caught(t, db, dsn, spec, out, c.hotfix, "orders its labels (opened, ajar, closed); the history says (closed, ")
		})
	}
}

// TestVerifyMySQLCollation: fsmgen adds MySQL columns as utf8mb4_bin and
// the history records it; a column converted by hand to its table's
// latin1 is a difference (the next migration that restates utf8mb4_bin
// would copy the table).
func TestVerifyMySQLCollation(t *testing.T) {
	out := t.TempDir()
	spec := filepath.Join(t.TempDir(), "door.yaml")
	if err := os.WriteFile(spec, []byte(doorSpec("closed", "opened")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, msg := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
		t.Fatalf("generate: %s", msg)
	}
	db, dsn := applied(t, "mysql", filepath.Join(out, "migrations", "mysql"), `CREATE TABLE doors (id INTEGER PRIMARY KEY)`)
	caught(t, db, dsn, spec, out, []string{"ALTER TABLE doors MODIFY state ENUM('closed','opened') CHARACTER SET latin1 NOT NULL DEFAULT 'closed' COMMENT 'fsmgen: door_state'"},
		"doors.state has collation latin1_swedish_ci; the history says utf8mb4_bin")
}

// TestVerifyDSNForms: verify takes a PostgreSQL DSN in libpq's keyword/value
// form (goose passes it to pgx as it is) and golang-migrate's pgx5://;
// a password never shows in what it prints, in any form; and a SQLite
// path that does not exist is an error, not a new empty file.
func TestVerifyDSNForms(t *testing.T) {
	_, url := seeded(t, "postgres", func(d string) string { return d })
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	kv := fmt.Sprintf("host=%s port=%s user=%s password=s3cret dbname=%s sslmode=disable", u.Hostname(), u.Port(), u.User.Username(), strings.TrimPrefix(u.Path, "/"))
	for _, dsn := range []string{kv, "pgx5://" + strings.TrimPrefix(url, "postgres://")} {
		if code, msg := run("verify", "-db", dsn, "-spec", spec, "-out", out); code != cli.ExitOK || strings.Contains(msg, "s3cret") {
			t.Fatalf("verify -db %q: exit %d:\n%s", dsn, code, msg)
		}
	}
	for _, dsn := range []string{
		"host=127.0.0.1 port=1 user=x password=s3cret dbname=x connect_timeout=1",
		"pgsql://u@h/db?sslmode=disable&password=s3cret",
		"oracle://scott:s3cret@db/x",
		"sqlite://" + filepath.Join(t.TempDir(), "typo.db"),
	} {
		code, msg := run("verify", "-db", dsn, "-spec", spec, "-out", out)
		if code == cli.ExitOK || strings.Contains(msg, "s3cret") {
			t.Errorf("verify -db %q: exit %d, want a failure that hides the password:\n%s", dsn, code, msg)
		}
	}
	typo := filepath.Join(t.TempDir(), "typo.db")
	run("verify", "-db", "sqlite://"+typo, "-spec", spec, "-out", out)
	if _, err := os.Stat(typo); err == nil {
		t.Fatal("verify created the SQLite file it was given")
	}
}

// TestVerifyRunnerVersion: a database whose last migration has not run,
// or stopped half way, is said to be so. golang-migrate's URL, with its
// own x-migrations-table, is what verify is given too.
func TestVerifyRunnerVersion(t *testing.T) {
	out := t.TempDir()
	spec := filepath.Join(t.TempDir(), "door.yaml")
	for _, labels := range [][]string{{"closed", "opened"}, {"closed", "opened", "ajar"}} {
		s := strings.Replace(doorSpec(labels...), "  dialects:", "  format: golang-migrate\n  dialects:", 1)
		if err := os.WriteFile(spec, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, msg := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("generate %v: %s", labels, msg)
		}
	}
	dsn := testdb.Postgres(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE doors (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	url := "pgx5://" + strings.TrimPrefix(dsn, "postgres://")
	if strings.Contains(url, "?") {
		url += "&x-migrations-table=door_versions"
	} else {
		url += "?x-migrations-table=door_versions"
	}
	src, err := iofs.New(os.DirFS(filepath.Join(out, "migrations", "postgres")), ".")
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	caught(t, db, url, spec, out, []string{`UPDATE door_versions SET dirty = true`}, `door_versions marks version 2 dirty: that migration stopped half way`)
	if _, err := db.Exec(`UPDATE door_versions SET dirty = false, version = 1`); err != nil {
		t.Fatal(err)
	}
	if code, msg := run("verify", "-db", url, "-spec", spec, "-out", out); code != cli.ExitFail || !strings.Contains(msg, "(version 2) has not run here: door_versions records version 1") {
		t.Fatalf("verify of a database at version 1 of 2: exit %d:\n%s", code, msg)
	}
	// Another table named with -table, which does not exist: verify
	// cannot tell, says nothing of versions, and finds the schema
	// (version 2's) as the history says.
	if code, msg := run("verify", "-db", url, "-table", "elsewhere", "-spec", spec, "-out", out); code != cli.ExitOK {
		t.Fatalf("verify -table elsewhere: exit %d:\n%s", code, msg)
	}
	if code, msg := run("verify", "-db", url, "-table", "x; DROP TABLE doors", "-spec", spec, "-out", out); code != cli.ExitFail || !strings.Contains(msg, "a name of letters") {
		t.Fatalf("verify -table with SQL in it: exit %d:\n%s", code, msg)
	}
}
