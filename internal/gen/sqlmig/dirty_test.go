package sqlmig_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestGolangMigrateDirtyRecovery pins down what README promises after a
// Down the stranded-rows guard stopped: golang-migrate records the version
// the Down was heading to, dirty, although the guard changed nothing; the
// recovery is "migrate force" with the version the Down started from.
func TestGolangMigrateDirtyRecovery(t *testing.T) {
	out := generateAll(t, severalSpecs("golang-migrate")[:2])
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := openSeveral(t, d)
			m := newRunner(t, d, db, "golang-migrate", os.DirFS(filepath.Join(out, "migrations", d.name))).(migrateRunner).m
			if err := m.Up(); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('held', 'paused')`)
			if err := m.Migrate(1); err == nil || !strings.Contains(err.Error(), "has rows in paused") {
				t.Fatalf("down past paused: %v, want the guard's error", err)
			}
			v, dirty, err := m.Version()
			if err != nil || v != 1 || !dirty {
				t.Fatalf("after the stopped Down: version %d, dirty %v (%v); want 1, dirty, as README says", v, dirty, err)
			}
			// Nothing changed: the database is still at version 2.
			expectColumns(t, d, db, severalSets[1], severalV2Cols)
			// The recovery README gives: force the version the Down
			// started from, move the rows, run the Down again.
			if err := m.Force(2); err != nil {
				t.Fatal(err)
			}
			if v, dirty, _ := m.Version(); v != 2 || dirty {
				t.Fatalf("after force 2: version %d, dirty %v", v, dirty)
			}
			mustExec(t, db, `UPDATE nodes SET state = 'waiting' WHERE uuid = 'held'`)
			if err := m.Migrate(1); err != nil {
				t.Fatalf("the Down again: %v", err)
			}
			expectColumns(t, d, db, severalSets[0], severalV1Cols)
			if err := m.Up(); err != nil {
				t.Fatalf("up again: %v", err)
			}
			expectColumns(t, d, db, severalSets[1], severalV2Cols)
		})
	}
}

// TestMySQLFirstMigrationRunsAgain: MySQL cannot roll DDL back, so a
// failure after the first migration's DDL but before goose records its
// version leaves the column in place; running the Up again failed with
// "Duplicate column name". Both directions are run a second time, as goose
// would after such a failure.
func TestMySQLFirstMigrationRunsAgain(t *testing.T) {
	seed, err := os.ReadFile(repoSpec)
	if err != nil {
		t.Fatal(err)
	}
	for name, spec := range map[string]string{
		"several columns":      severalSpecs("goose")[1],
		"history and triggers": mustReplace(t, strings.Replace(string(seed), "dialects: [postgres, mysql, sqlite]", "dialects: [mysql]", 1), "  drivers: [database/sql, pgx]", "  drivers: [database/sql]"),
	} {
		t.Run(name, func(t *testing.T) {
			out := generateAll(t, []string{spec})
			d := dialects[1]
			db := openSeveral(t, d)
			p, err := goose.NewProvider(d.goose, db, os.DirFS(filepath.Join(out, "migrations", d.name)))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			up := func() {
				t.Helper()
				if _, err := p.UpTo(ctx, 1); err != nil {
					t.Fatalf("up: %v", err)
				}
			}
			down := func() {
				t.Helper()
				if _, err := p.DownTo(ctx, 0); err != nil {
					t.Fatalf("down: %v", err)
				}
			}
			up()
			mustExec(t, db, `DELETE FROM goose_db_version WHERE version_id = 1`)
			up()
			if !hasColumn(t, db, "nodes", "state") {
				t.Fatal("no state column after the Up ran twice")
			}
			down()
			mustExec(t, db, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, 1)`)
			down()
			if hasColumn(t, db, "nodes", "state") {
				t.Fatal("the state column outlived the Down run twice")
			}
			up()
		})
	}
}
