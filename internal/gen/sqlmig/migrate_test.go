package sqlmig_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// TestGolangMigrateLocksEndWithTheirStatement: golang-migrate sends a
// whole file as one query, which PostgreSQL runs as one transaction unless
// the file commits after each statement; as one transaction, the ACCESS
// EXCLUSIVE lock of the removal's first ALTER TABLE would be held through
// the row moves and the VALIDATE, and every writer would wait for all of
// them. A trigger
// makes the move slow and records, from inside it, the locks the
// migration's session holds on nodes meanwhile and the transaction each row
// moves in (batches of 5,000, each committed); a writer updates a row the
// removal does not move.
func TestGolangMigrateLocksEndWithTheirStatement(t *testing.T) {
	const (
		moveTakes = 1500 * time.Millisecond
		stallMax  = time.Second
	)
	h := buildHistory(t, "golang-migrate")
	d := dialectNamed("postgres")
	db := open(t, d)
	r := newRunner(t, d, db, "golang-migrate", h.dir(d.name))
	r.upTo(t, 4)
	const moving = 12000
	mustExec(t, db, `INSERT INTO nodes (uuid, state) SELECT 'a' || g, 'aborting' FROM generate_series(1, $1::int) g`, moving)
	mustExec(t, db, `CREATE TABLE lock_probe (mode text NOT NULL)`)
	mustExec(t, db, `CREATE TABLE move_probe (xid bigint NOT NULL)`)
	mustExec(t, db, `CREATE FUNCTION probe_locks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state::text = 'aborting' THEN
        INSERT INTO move_probe VALUES (txid_current());
        IF OLD.uuid = 'a1' THEN
            INSERT INTO lock_probe SELECT mode FROM pg_locks
            WHERE pid = pg_backend_pid() AND relation = 'nodes'::regclass AND granted;
            PERFORM pg_sleep(`+strings.TrimSuffix(moveTakes.String(), "s")+`);
        END IF;
    END IF;
    RETURN NEW;
END
$$`)
	mustExec(t, db, `CREATE TRIGGER probe_locks BEFORE UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION probe_locks()`)

	stopWriter := writer(db, `UPDATE nodes SET note = $1 WHERE uuid = 'before-fsmgen'`, func(i int) any { return strconv.Itoa(i % 1000) })
	start := time.Now()
	r.up(t)
	took := time.Since(start)
	longest, writeErr := stopWriter()

	if took < moveTakes {
		t.Fatalf("the removal took %v, less than the probe's sleep: the trigger did not run", took)
	}
	modes := strs(t, db, `SELECT DISTINCT mode FROM lock_probe ORDER BY mode`)
	if len(modes) == 0 {
		t.Fatal("the probe recorded nothing: no row moved through it")
	}
	if slices.Contains(modes, "AccessExclusiveLock") {
		t.Fatalf("rows moved while the migration held ACCESS EXCLUSIVE on nodes (%q): an earlier statement's lock outlived it", modes)
	}
	var moved, batches int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT xid) FROM move_probe`).Scan(&moved, &batches); err != nil {
		t.Fatal(err)
	}
	if moved != moving || batches < moving/5000 {
		t.Fatalf("%d rows moved in %d transactions, want %d in committed batches of 5000", moved, batches, moving)
	}
	if longest > stallMax {
		t.Fatalf("a writer of an unrelated row waited %v while rows moved for %v", longest, moveTakes)
	}
	if writeErr != nil {
		t.Fatalf("a writer failed: %v", writeErr)
	}
	removalDone(t, d, db, h)
}

// TestNewDefaultLabelKeepsTheType: a state added and made the default in
// the same change. PostgreSQL refuses a label added in the same
// transaction, so a file run as one transaction had to replace the type
// (a rewrite under ACCESS EXCLUSIVE); committing between statements keeps
// it, with either tool.
func TestNewDefaultLabelKeepsTheType(t *testing.T) {
	cols := func(def string) []boundColumn { return []boundColumn{{table: "nodes", column: "state", def: def}} }
	v1 := []string{"starting", "waiting", "finished"}
	v2 := []string{"starting", "waiting", "paused", "finished"}
	d := dialectNamed("postgres")
	for _, format := range []string{"goose", "golang-migrate"} {
		t.Run(format, func(t *testing.T) {
			// SQLite cannot change a default (the table's definition keeps it).
			spec := func(labels []string, def string) string {
				return strings.Replace(severalSpec(labels, nil, "", cols(def), format), "dialects: [postgres, mysql, sqlite]", "dialects: [postgres]", 1)
			}
			out := generateAll(t, []string{spec(v1, "finished"), spec(v2, "paused")})
			db := open(t, d)
			r := newRunner(t, d, db, format, os.DirFS(filepath.Join(out, "migrations", d.name)))
			oid := func() string {
				// From the catalog: pgx caches the statement, and a
				// 'node_state'::regtype constant would stay in its plan.
				return strings.Join(strs(t, db, `SELECT oid::text FROM pg_type WHERE typname = 'node_state'`), "")
			}
			r.upTo(t, 1)
			before := oid()
			r.upTo(t, 2)
			if after := oid(); after != before {
				t.Fatalf("the type was replaced: oid %s before, %s after", before, after)
			}
			if _, def := d.columnOf(t, db, "nodes", "state"); !strings.Contains(def, "paused") {
				t.Fatalf("default after the change: %q, want paused", def)
			}
			mustExec(t, db, `INSERT INTO nodes (uuid) VALUES ('new')`)
			if got := strs(t, db, `SELECT state::text FROM nodes WHERE uuid = 'new'`); !slices.Equal(got, []string{"paused"}) {
				t.Fatalf("a new row holds %q, want paused", got)
			}
			mustExec(t, db, `DELETE FROM nodes WHERE uuid = 'new'`)
			if err := r.downTo(1); err != nil {
				t.Fatalf("down: %v", err)
			}
			if after := oid(); after != before {
				t.Fatalf("the Down replaced the type: oid %s before, %s after", before, after)
			}
			if _, def := d.columnOf(t, db, "nodes", "state"); !strings.Contains(def, "finished") {
				t.Fatalf("default after the Down: %q, want finished", def)
			}
			r.up(t)
		})
	}
}

// TestLockTimeoutIsReset: the migration's SET lock_timeout would outlive it
// on the tool's connection, which goose hands back to the application's
// pool and golang-migrate keeps for the next file.
func TestLockTimeoutIsReset(t *testing.T) {
	d := dialectNamed("postgres")
	const check = `DO $$ BEGIN IF current_setting('lock_timeout') <> '0' THEN RAISE EXCEPTION 'lock_timeout is %', current_setting('lock_timeout'); END IF; END $$`
	t.Run("goose", func(t *testing.T) {
		h := buildHistory(t, "goose")
		db := open(t, d)
		db.SetMaxOpenConns(1) // the connection goose ran on
		newRunner(t, d, db, "goose", h.dir(d.name)).up(t)
		mustExec(t, db, check)
	})
	t.Run("golang-migrate", func(t *testing.T) {
		h := buildHistory(t, "golang-migrate")
		db := open(t, d)
		drv, err := d.migrate(db)
		if err != nil {
			t.Fatal(err)
		}
		src, err := iofs.New(h.dir(d.name), ".")
		if err != nil {
			t.Fatal(err)
		}
		m, err := migrate.NewWithInstance("iofs", src, d.name, drv)
		if err != nil {
			t.Fatal(err)
		}
		migrateRunner{m}.up(t)
		// On the connection the migrations ran on.
		if err := drv.Run(strings.NewReader(check)); err != nil {
			t.Fatal(err)
		}
	})
}
