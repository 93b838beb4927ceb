package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/testdb"
)

// A service module declares fsmgen's columns in its ent schema with the
// fields fsmgen generated (ent:), generates ent's code, and its tests put a
// row in every state through the Store with the triggers on, then read and
// filter them through ent, create a row with the column's default, take a
// second machine's nullable column to every state and back to NULL, and
// find that ent's migration diff leaves fsmgen's columns alone.
func TestEnt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a service module")
	}
	dir := module(t, "testdata/ent")
	// docs/sqlc-ent.md's schema, with the door column beside the state.
	page, err := os.ReadFile("../../docs/sqlc-ent.md")
	if err != nil {
		t.Fatal(err)
	}
	_, schema, _ := strings.Cut(string(page), "```go\npackage schema\n")
	schema, _, _ = strings.Cut(schema, "```")
	withDoor := strings.Replace(schema, "\t\tentfields.NodesState(),\n", "\t\tentfields.NodesState(),\n\t\tentfields.NodesDoor(),\n", 1)
	if withDoor == schema {
		t.Fatal("docs/sqlc-ent.md has no ent schema declaring entfields.NodesState()")
	}
	write(t, filepath.Join(dir, "ent/schema/node.go"), "package schema\n"+withDoor)
	// ent's own requirements pick the Atlas it was built with; go get
	// -u would take a newer one, which needs a newer Go.
	run(t, dir, nil, "go", "get", "entgo.io/ent@"+entVersion)
	run(t, dir, nil, "go", "generate", "./ent")
	// ent's migration diff needs SQLite's foreign keys on.
	env := []string{
		"E2E_POSTGRES=" + migrated(t, dir, "postgres", testdb.Postgres(t)),
		"E2E_SQLITE=" + migrated(t, dir, "sqlite", "file:"+filepath.Join(dir, "test.db")+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"),
	}
	run(t, dir, nil, "go", "mod", "tidy")
	run(t, dir, nil, "go", "vet", "./...")
	run(t, dir, env, "go", "test", "-count=1", "./internal/check")
}

// entVersion is the ent the test module takes.
const entVersion = "v0.14.5"
