// Package e2e_test builds service modules the way a user would, with
// fsmgen and the tools around it, and runs their tests against live
// databases.
package e2e_test

import (
	"database/sql"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/internal/testdb"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
)

func TestMain(m *testing.M) { testdb.Main(m) }

// oldestGo is the oldest Go a user's module may declare and still pin
// fsmgen as a tool: what the README promises, and what fsmgen's go line,
// with every module its requirements bring along, must not exceed.
const oldestGo = "1.24"

// unpublished is the version the modules require fsmgen at; a replace
// directive points it at this checkout, as the proxy would serve it.
const unpublished = "v0.0.0-00010101000000-000000000000"

// A fresh go 1.24 module pins fsmgen with go get -tool, and the go line
// stays where it was, after go mod tidy too: no requirement of fsmgen's
// module (test-only ones included, since go get reads them all) asks for a
// newer Go. fsmgen init's starter then generates and vets under that go
// line, whose vet refuses standard library API newer than it.
func TestToolInOldestGoModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds fsmgen as a tool of a fresh module")
	}
	dir := goModule(t)
	goLine(t, dir, "go mod tidy", run(t, dir, nil, "go", "mod", "tidy"))
	run(t, dir, nil, "go", "tool", "fsmgen", "init")
	run(t, dir, nil, "go", "generate", "./...")
	run(t, dir, nil, "go", "vet", "./...")
	run(t, dir, nil, "go", "tool", "fsmgen", "check")
}

// goModule makes a module example.com/svc at go 1.24 that pins fsmgen, from
// this checkout, with go get -tool, and checks that its go line stayed.
func goModule(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/svc\n\ngo "+oldestGo+"\n\nrequire github.com/fsmgen/fsmgen "+unpublished+"\n\nreplace github.com/fsmgen/fsmgen => "+root+"\n")
	goLine(t, dir, "go get -tool", run(t, dir, nil, "go", "get", "-tool", "github.com/fsmgen/fsmgen/cmd/fsmgen@"+unpublished))
	return dir
}

// goLine fails the test when the module's go line is no longer oldestGo.
func goLine(t *testing.T, dir, after, out string) {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^(go|toolchain) .*$`).FindAllString(string(mod), -1); len(m) != 1 || strings.TrimSuffix(m[0], ".0") != "go "+oldestGo {
		// A module that provides a package only to the tests of
		// gopkg.in/yaml.v3 (which has no go line, so its tests count) is
		// missing from fsmgen's go.mod: tidy drops such a line, and the
		// user's tidy then takes that module's newest version.
		t.Fatalf("%s changed the module's Go version to %q; pin the module that needs it in fsmgen's go.mod\n%s", after, m, out)
	}
}

// module makes a service module (goModule) with testdata/common and the
// tree at testdata laid over it, the seed's spec as
// fsm/introspection.yaml, and a go:generate line for fsmgen, and runs go
// generate on it; it returns the module's directory.
func module(t *testing.T, testdata string) string {
	t.Helper()
	dir := goModule(t)
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
	spec, err := os.ReadFile("../../spec/states.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "fsm/introspection.yaml"), string(spec))
	write(t, filepath.Join(dir, "generate.go"), "package svc\n\n//go:generate go tool fsmgen generate\n")
	run(t, dir, nil, "go", "generate", ".")
	return dir
}

// run runs a command in dir with env added; go commands run with
// GOTOOLCHAIN=local, so that a requirement that needs a newer Go fails
// instead of fetching that Go, and with a proxy list that ends in an
// empty file proxy: the module proxy refuses the unpublished fsmgen with
// 403, which go does not take for "no such module" as it takes 404.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY="+proxy(t)), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func proxy(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(out)), ",")[0] + "|file://" + filepath.ToSlash(t.TempDir())
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

// migrated creates the application's table (app/<dialect>.sql under dir)
// in the database at url and applies fsmgen's migrations with goose; it
// returns url.
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
