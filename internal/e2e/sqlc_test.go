package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/fsmgen/fsmgen/internal/testdb"
)

// A service module generates with fsmgen (schema files and sqlc
// overrides), then with sqlc in each mode and engine against those files,
// and its tests put a row in every state through the generated Store,
// with the triggers on, and read each back, count it by state, take a
// second machine's nullable column to each of its states and back to
// NULL, and (PostgreSQL) select by an array of states, through sqlc's
// code.
func TestSqlc(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a service module")
	}
	sqlc := tool(t, "sqlc")
	dir := module(t, "testdata/sqlc")
	overrides := writeSqlcConfig(t, dir)
	run(t, dir, nil, sqlc, "generate")
	docsEntry(t, slices.DeleteFunc(slices.Clone(overrides["postgresql"]), func(o map[string]any) bool { return o["db_type"] != "node_state" }))

	env := []string{
		"E2E_POSTGRES=" + migrated(t, dir, "postgres", testdb.Postgres(t)),
		"E2E_POSTGRES_SQL=" + migrated(t, dir, "postgres", testdb.Postgres(t)),
		"E2E_MYSQL=" + migrated(t, dir, "mysql", testdb.MySQL(t)),
		"E2E_SQLITE=" + migrated(t, dir, "sqlite", "file:"+filepath.Join(dir, "test.db")+"?_pragma=busy_timeout(10000)&_txlock=immediate"),
	}
	run(t, dir, nil, "go", "mod", "tidy")
	run(t, dir, nil, "go", "vet", "./...")
	run(t, dir, env, "go", "test", "-count=1", "./...")
}

// writeSqlcConfig writes sqlc.yaml: PostgreSQL in both sql_package modes,
// MySQL and SQLite, each reading the application's schema and then
// fsmgen's, with the overrides fsmgen wrote for its engine.
func writeSqlcConfig(t *testing.T, dir string) map[string][]map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "db/schema/sqlc-overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var overrides map[string][]map[string]any
	if err := yaml.Unmarshal(b, &overrides); err != nil {
		t.Fatal(err)
	}
	entry := func(engine, dialect, pkg string, goOpts map[string]any) map[string]any {
		goOpts["package"], goOpts["out"], goOpts["overrides"] = pkg, "internal/"+pkg, overrides[engine]
		goOpts["query_parameter_limit"] = 2
		if len(overrides[engine]) == 0 {
			t.Fatalf("no %s overrides in:\n%s", engine, b)
		}
		return map[string]any{
			"engine":  engine,
			"schema":  []string{"app/" + dialect + ".sql", "db/schema/" + dialect + ".sql"},
			"queries": "queries/" + dialect + ".sql",
			"gen":     map[string]any{"go": goOpts},
		}
	}
	cfg := map[string]any{"version": "2", "sql": []any{
		entry("postgresql", "postgres", "pgq", map[string]any{"sql_package": "pgx/v5"}),
		entry("postgresql", "postgres", "pgsq", map[string]any{}),
		entry("mysql", "mysql", "myq", map[string]any{}),
		entry("sqlite", "sqlite", "liteq", map[string]any{}),
	}}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sqlc.yaml"), string(out))
	return overrides
}

// docsEntry holds docs/sqlc-ent.md's sqlc.yaml entry to what fsmgen wrote
// for the machine it describes, in a module like its.
func docsEntry(t *testing.T, want []map[string]any) {
	t.Helper()
	page, err := os.ReadFile("../../docs/sqlc-ent.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(page), "```yaml\nversion: \"2\"\n")
	block, _, _ = strings.Cut(block, "```")
	var cfg struct {
		SQL []struct {
			Gen struct {
				Go struct {
					Overrides []map[string]any
				}
			}
		}
	}
	if err := yaml.Unmarshal([]byte(block), &cfg); err != nil || len(cfg.SQL) != 1 {
		t.Fatalf("docs/sqlc-ent.md's sqlc.yaml entry: %v\n%s", err, block)
	}
	if diff := cmp.Diff(want, cfg.SQL[0].Gen.Go.Overrides); diff != "" {
		t.Errorf("docs/sqlc-ent.md's overrides differ from fsmgen's (-fsmgen +docs):\n%s", diff)
	}
}

// tool finds a program the test runs: the repository's bin/ (where
// .ci/deps installs it) first, then PATH. Missing, the test fails in CI
// and is skipped elsewhere.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := filepath.Abs(filepath.Join("../../bin", name)); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; bash .ci/deps installs it into bin/", name)
	}
	t.Skipf("%s is not installed; bash .ci/deps installs it into bin/", name)
	return ""
}
