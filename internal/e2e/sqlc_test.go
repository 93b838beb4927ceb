// Package e2e_test builds a service module the way a user would, with
// fsmgen and the tools around it, and runs its tests against live
// databases.
package e2e_test

import (
	"bytes"
	"database/sql"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"
	"gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

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
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := module(t, root, "testdata/sqlc")
	overrides := writeSqlcConfig(t, dir)
	run(t, dir, nil, sqlc, "generate")
	docsEntry(t, root, slices.DeleteFunc(slices.Clone(overrides["postgresql"]), func(o map[string]any) bool { return o["db_type"] != "node_state" }))

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

// module lays out a service module from testdata/common and the tree at
// testdata, with the seed's spec and fsmgen from root, and runs
// fsmgen generate in it; it returns the module's directory, also the
// test's working directory from then on.
func module(t *testing.T, root, testdata string) string {
	t.Helper()
	dir := t.TempDir()
	for _, from := range []string{"testdata/common", testdata} {
		if err := os.CopyFS(dir, os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
	}
	// Go files are kept as .txt, out of the repository's build; tests go
	// to internal/check.
	var txt []string
	if err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if strings.HasSuffix(p, ".go.txt") {
			txt = append(txt, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range txt {
		to := strings.TrimSuffix(f, ".txt")
		if strings.HasSuffix(to, "_test.go") {
			to = filepath.Join(dir, "internal/check", filepath.Base(to))
		}
		write(t, to, "")
		if err := os.Rename(f, to); err != nil {
			t.Fatal(err)
		}
	}
	spec, err := os.ReadFile(filepath.Join(root, "spec/states.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "fsm/introspection.yaml"), string(spec))
	write(t, filepath.Join(dir, "go.mod"), "module example.com/svc\n\ngo 1.24\n\nrequire github.com/fsmgen/fsmgen v0.0.0-00010101000000-000000000000\n\nreplace github.com/fsmgen/fsmgen => "+root+"\n")
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := cli.Run([]string{"generate"}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("fsmgen generate: %s%s", stdout.String(), stderr.String())
	}
	return dir
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
func docsEntry(t *testing.T, root string, want []map[string]any) {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(root, "docs/sqlc-ent.md"))
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

// migrated creates the application's table in the database at url and
// applies fsmgen's migrations with goose; it returns url.
func migrated(t *testing.T, dir, dialect, url string) string {
	t.Helper()
	driver, gd := map[string]string{"postgres": "pgx", "mysql": "mysql", "sqlite": "sqlite"}[dialect], map[string]goose.Dialect{"postgres": goose.DialectPostgres, "mysql": goose.DialectMySQL, "sqlite": goose.DialectSQLite3}[dialect]
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	app, err := os.ReadFile(filepath.Join(dir, "app", dialect+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(app)); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(gd, db, os.DirFS(filepath.Join(dir, "db/migrations", dialect)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("%s: goose up: %v", dialect, err)
	}
	return url
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

func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
