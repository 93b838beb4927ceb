package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	database "cloud.google.com/go/spanner/admin/database/apiv1"
	dbpb "cloud.google.com/go/spanner/admin/database/apiv1/databasepb"
	wrench "github.com/cloudspannerecosystem/wrench/pkg/spanner"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/schema"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
	_ "github.com/fsmgen/fsmgen/internal/verify/spannersql" // as cmd/fsmgen -tags spanner
)

// TestVerify: fsmgen verify reads a Spanner database's INFORMATION_SCHEMA
// and wrench's version table, and says what a hand changed.
func TestVerify(t *testing.T) {
	_, path := doorDatabase(t)
	ctx := context.Background()
	verify := func() (int, string) {
		var out, errs strings.Builder
		code := cli.Run([]string{"verify", "-spec", "door.yaml", "-out", ".", "-db", "spanner://" + path}, &out, &errs)
		return code, out.String() + errs.String()
	}
	if code, out := verify(); code != cli.ExitOK || !strings.Contains(out, "doors.state matches the spanner migration history of door_state") {
		t.Fatalf("verify of the migrated database: exit %d:\n%s", code, out)
	}
	dc, err := database.NewDatabaseAdminClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	ddl := func(stmts ...string) {
		t.Helper()
		op, err := dc.UpdateDatabaseDdl(ctx, &dbpb.UpdateDatabaseDdlRequest{Database: path, Statements: stmts})
		if err == nil {
			err = op.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	name := checkName(t)
	for _, c := range []struct {
		what string
		ddl  []string
		want string
	}{
		{"a label added by hand",
			[]string{"ALTER TABLE doors ADD CONSTRAINT by_hand CHECK (state IN ('closed', 'opened', 'locked', 'ajar'))", "ALTER TABLE doors DROP CONSTRAINT " + name},
			"CHECK constraint by_hand on doors allows (closed, opened, locked, ajar); the history says (closed, opened, locked)"},
		{"no constraint", []string{"ALTER TABLE doors DROP CONSTRAINT by_hand"},
			"no CHECK constraint keeps doors.state to (closed, opened, locked): any value can be written"},
		{"no history table", []string{"DROP TABLE door_moves"}, "history table door_moves does not exist"},
	} {
		ddl(c.ddl...)
		if code, out := verify(); code != cli.ExitFail || !strings.Contains(out, c.want) {
			t.Errorf("%s: verify exited %d:\n%s\nwant %q", c.what, code, out, c.want)
		}
	}
	w, err := wrench.NewClient(ctx, &wrench.Config{Project: project, Instance: instName, Database: path[strings.LastIndex(path, "/")+1:]})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.SetSchemaMigrationVersion(ctx, 1, false, versionTable); err != nil {
		t.Fatal(err)
	}
	if code, out := verify(); code != cli.ExitFail || !strings.Contains(out, "has not run here: SchemaMigrations records version 1") {
		t.Errorf("an older version: verify exited %d:\n%s", code, out)
	}
}

// checkName is the door column's constraint, as its migration names it.
func checkName(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("migrations/spanner/00001_create_door_state.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "ADD CONSTRAINT `")
	name, _, _ := strings.Cut(rest, "`")
	return name
}

// TestSchemaFile: the plain schema file fsmgen writes for spanner (a
// project's schema: spanner:) describes the database the migrations end
// at: applied to the bare table instead of them, verify finds nothing to
// say.
func TestSchemaFile(t *testing.T) {
	m, err := cli.Load("door.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := sqlmig.Schema(m, os.DirFS("."), nil, "spanner")
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for _, st := range strings.Split(string(schema.Emit(dialects.For("spanner"), []*dialect.Schema{sc})), ";\n") {
		var lines []string
		for _, l := range strings.Split(st, "\n") {
			if !strings.HasPrefix(l, "--") {
				lines = append(lines, l)
			}
		}
		if st := strings.TrimSpace(strings.Join(lines, "\n")); st != "" {
			stmts = append(stmts, st)
		}
	}
	name := newDatabase(t, append([]string{"CREATE TABLE doors (id STRING(36) NOT NULL, version INT64 NOT NULL DEFAULT (0)) PRIMARY KEY (id)"}, stmts...)...)
	var out, errs strings.Builder
	if code := cli.Run([]string{"verify", "-spec", "door.yaml", "-out", ".", "-db", "projects/" + project + "/instances/" + instName + "/databases/" + name}, &out, &errs); code != cli.ExitOK {
		t.Errorf("verify of the schema file's database: exit %d\n%s%s\nthe file:\n%s", code, out.String(), errs.String(), strings.Join(stmts, ";\n"))
	}
}
