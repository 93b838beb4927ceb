package sqlmig_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"

	sqldialects "github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// The schema file's statements, run on an empty database after the
// application's own tables, leave what the migrations leave: fsmgen
// verify, which compares a database with the migration history (types,
// labels and their order, columns, defaults, constraints, history table,
// fields, indexes and triggers), finds no difference. On MySQL the
// triggers and the fire function stay in the migrations (sqlc cannot read
// CREATE TRIGGER or CREATE FUNCTION), so verify must report them missing,
// and nothing else.
// mysqlTriggers is what verify says of the MySQL triggers and function
// the schema file leaves out.
var mysqlTriggers = regexp.MustCompile(`^fsmgen verify: the database differs|^  - (trigger \S+ on \S+ is missing|function \S+ is missing|\S+ keeps label\(s\) \(.*\) that left the spec, and no fsmgen triggers forbid them)`)

func TestSchemaFileIsWhatMigrationsLeave(t *testing.T) {
	cases := []struct {
		name, spec, out string
		base            map[string][]string // the application's tables, per dialect
	}{
		{
			name: "seed", spec: "../../../spec/states.yaml", out: "../../../generated",
			base: map[string][]string{
				"postgres": {`CREATE TABLE nodes (uuid text PRIMARY KEY, version_id text)`},
				"mysql":    {`CREATE TABLE nodes (uuid VARCHAR(36) PRIMARY KEY, version_id VARCHAR(36))`},
				"sqlite":   {`CREATE TABLE nodes (uuid TEXT PRIMARY KEY, version_id TEXT)`},
			},
		},
		{
			// Adopted labels closed and ajar; opened added before ajar,
			// which the spec then removed: it stays in the type, forbidden.
			name: "adopt", spec: "../../cli/testdata/generate/adopt/spec.yaml", out: "../../cli/testdata/generate/adopt/want",
			base: map[string][]string{
				"postgres": {`CREATE TYPE door_state AS ENUM ('closed', 'ajar')`, `CREATE TABLE doors (id int PRIMARY KEY, state door_state NOT NULL DEFAULT 'closed')`},
				"mysql":    {`CREATE TABLE doors (id int PRIMARY KEY, state ENUM('closed', 'ajar') NOT NULL DEFAULT 'closed')`},
				"sqlite":   {`CREATE TABLE doors (id INTEGER PRIMARY KEY, state TEXT NOT NULL DEFAULT 'closed')`},
			},
		},
	}
	for _, tc := range cases {
		m, err := cli.Load(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dialects {
			t.Run(tc.name+"/"+d.name, func(t *testing.T) {
				s, err := sqlmig.Schema(m, os.DirFS(tc.out), nil, d.name)
				if err != nil {
					t.Fatal(err)
				}
				url := d.dsn(t)
				db := connect(t, d, url)
				for _, stmt := range append(tc.base[d.name], sqldialects.For(d.name).SchemaDDL(*s)...) {
					mustExec(t, db, stmt)
				}
				code, stdout, stderr := run("verify", "-db", url, "-spec", tc.spec, "-out", tc.out)
				var unexpected []string
				for _, l := range strings.Split(strings.TrimSpace(stdout+stderr), "\n") {
					if !strings.Contains(l, " matches the ") && !(d.name == "mysql" && mysqlTriggers.MatchString(l)) {
						unexpected = append(unexpected, l)
					}
				}
				if len(unexpected) > 0 || code != cli.ExitOK && d.name != "mysql" {
					t.Errorf("verify of a database made from the schema file: exit %d\n%s%s", code, stdout, stderr)
				}
			})
		}
	}
}
