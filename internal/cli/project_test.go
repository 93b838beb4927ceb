package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seedSpec returns the repository's spec with replacements applied.
func seedSpec(t *testing.T, pairs ...string) string {
	t.Helper()
	b, err := os.ReadFile("../../spec/states.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Without the timeout, whose deadlines start in a migration of their
	// own: one migration per machine.
	text := regexp.MustCompile(`(?s)# ironic-inspector's clean_up.*?\n\n`).ReplaceAllString(string(b), "")
	return strings.NewReplacer(pairs...).Replace(text)
}

// twoMachineProject lays out a service with the seed machine as "order"
// and a copy as "payment", both in postgres and sqlite, sharing one
// migration directory per dialect.
func twoMachineProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"fsmgen.yaml": `version: 1
migrations:
  dirs:
    postgres: db/postgres
    sqlite: db/sqlite
machines:
  - spec: fsm/order.yaml
    dir: internal/order
  - spec: fsm/payment.yaml
    dir: internal/payment
`,
		"fsm/order.yaml":                      seedSpec(t, "machine: introspection", "machine: order", "enum: node_state", "enum: order_state", "table: nodes", "table: orders", "[postgres, mysql, sqlite]", "[postgres, sqlite]"),
		"fsm/payment.yaml":                    seedSpec(t, "machine: introspection", "machine: payment", "enum: node_state", "enum: payment_state", "table: nodes", "table: payments", "[postgres, mysql, sqlite]", "[postgres, sqlite]"),
		"db/postgres/00001_create_tables.sql": "-- +goose Up\nCREATE TABLE orders (id int);\n",
		"db/sqlite/00001_create_tables.sql":   "-- +goose Up\nCREATE TABLE orders (id int);\n",
	})
	return dir
}

func inDir(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	return run(t, args...)
}

// Two machines in sibling directories both started at 00001, and goose,
// with one version table, skipped the second in silence. In a project they
// share one directory and one sequence, after the service's own files.
func TestProjectMachinesShareOneSequence(t *testing.T) {
	dir := twoMachineProject(t)
	if code, _, stderr := inDir(t, dir, "generate"); code != ExitOK {
		t.Fatal(stderr)
	}
	tree := readTree(t, dir)
	for _, p := range []string{
		"internal/order/order.go", "internal/order/README.md", "internal/payment/payment.go",
		"db/postgres/00002_create_order_state.sql", "db/postgres/00003_create_payment_state.sql",
		"db/sqlite/00002_create_order_state.sql", "db/sqlite/00003_create_payment_state.sql",
		"db/postgres/order_state.fsmgen.json", "db/postgres/payment_state.fsmgen.json",
	} {
		if _, ok := tree[p]; !ok {
			t.Errorf("missing %s", p)
		}
	}
	if code, stdout, stderr := run(t, "check"); code != ExitOK {
		t.Errorf("check: %s%s", stdout, stderr)
	}
	if code, _, stderr := run(t, "validate"); code != ExitOK {
		t.Errorf("validate: %s", stderr)
	}
	// Found from a subdirectory too, as go generate runs there.
	if code, _, stderr := inDir(t, filepath.Join(dir, "internal/order"), "check"); code != ExitOK {
		t.Errorf("check from a subdirectory: %s", stderr)
	}
}

// A hand-written 00005 beside fsmgen's recorded 00005 made goose panic
// ("duplicate version 5 detected"). generate, check and validate all
// refuse it now, with the same message, and nothing changes on disk.
func TestProjectHandWrittenCollisionIsRefused(t *testing.T) {
	dir := twoMachineProject(t)
	if code, _, stderr := inDir(t, dir, "generate"); code != ExitOK {
		t.Fatal(stderr)
	}
	writeTree(t, filepath.Join(dir, "extra"), nil)
	if err := os.WriteFile(filepath.Join(dir, "db/postgres/00003_index_state.sql"), []byte("-- +goose Up\nSELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)
	want := "fsmgen: db/postgres/00003_index_state.sql has version 3, which fsmgen already gave to db/postgres/00003_create_payment_state.sql (recorded in db/postgres/payment_state.fsmgen.json)"
	for _, cmd := range []string{"validate", "check", "generate"} {
		code, _, stderr := run(t, cmd)
		if code != ExitFail || !strings.HasPrefix(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
	}
	if diff := len(readTree(t, dir)) - len(before); diff != 0 {
		t.Errorf("a refused run changed the project")
	}
}

// validate sees the migration history through the project file and
// reports, positioned, what generate would refuse.
func TestProjectValidateSeesHistory(t *testing.T) {
	dir := twoMachineProject(t)
	if code, _, stderr := inDir(t, dir, "generate"); code != ExitOK {
		t.Fatal(stderr)
	}
	b, _ := os.ReadFile("fsm/order.yaml")
	s := strings.Replace(string(b), "  aborting:\n", "  halting:\n", 1)
	s = strings.ReplaceAll(s, ": aborting\n", ": halting\n")
	if err := os.WriteFile("fsm/order.yaml", []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "validate")
	if code != ExitFail || !regexp.MustCompile(`^fsm/order.yaml:\d+:\d+: state "aborting" is in the migration history \(db/postgres/order_state.fsmgen.json\)`).MatchString(stderr) {
		t.Errorf("validate: exit %d, stderr %q", code, stderr)
	}
	if _, _, genErr := run(t, "generate"); genErr != stderr {
		t.Errorf("generate said %q, validate %q", genErr, stderr)
	}
}

func TestProjectFileProblemsArePositioned(t *testing.T) {
	for _, c := range []struct{ name, project, want string }{
		{"unknown key", "version: 1\nmachines:\n  - spec: a.yaml\n    dir: a\n    dri: b\n", `fsmgen.yaml:5:5: unknown machine key "dri" \(did you mean "dir"\?\)`},
		{"escaping dir", "version: 1\nmachines:\n  - spec: a.yaml\n    dir: ../elsewhere\n", `fsmgen.yaml:4:10: package directory "../elsewhere" must be a relative path inside the project's directory`},
		{"unknown dialect", "version: 1\nmigrations:\n  dirs:\n    postgre: db\nmachines:\n  - spec: a.yaml\n    dir: a\n", `fsmgen.yaml:4:5: unknown dialect "postgre" \(did you mean "postgres"\?\)`},
		{"spec outside the project", "version: 1\nmachines:\n  - spec: ../../etc/x.yaml\n    dir: a\n", `fsmgen.yaml:3:11: spec "../../etc/x.yaml" must be a relative path inside the project's directory`},
		{"shared dialect directory", "version: 1\nmigrations:\n  dirs:\n    postgres: db\n    mysql: ./db\nmachines:\n  - spec: a.yaml\n    dir: a\n", `fsmgen.yaml:5:12: migration directory db is also postgres's \(line 4\); each dialect needs its own`},
		{"format", "version: 1\nmigrations:\n  format: gose\nmachines:\n  - spec: a.yaml\n    dir: a\n", `fsmgen.yaml:3:11: migrations format must be one of goose, golang-migrate, not "gose" \(did you mean "goose"\?\)`},
		{"no machines", "version: 1\n", `fsmgen.yaml:1:1: the project lists no machines`},
		{"alias", "version: 1\nmachines:\n  - &m {spec: a.yaml, dir: a}\n  - *m\n", `fsmgen.yaml:3:5: YAML anchors and aliases are not supported in project files`},
		{"second document", "version: 1\nmachines: [{spec: a.yaml, dir: a}]\n---\nversion: 2\n", `fsmgen.yaml:4:1: a project file is a single YAML document`},
		{"control character", "version: 1\x01\n", `fsmgen.yaml:1:11: control character U\+0001 is not allowed in a project file`},
		{"machines not a list", "version: 1\nmachines: {spec: a.yaml}\n", `fsmgen.yaml:2:11: machines must be a list, not a mapping`},
		{"two machines, one dir", "version: 1\nmigrations: {dirs: {postgres: db}}\nmachines:\n  - {spec: a.yaml, dir: a}\n  - {spec: a.yaml, dir: a/}\n", `fsmgen.yaml:5:25: package directory a is also the one of the machine at line 4`},
		{"missing spec", "version: 1\nmachines:\n  - spec: nope.yaml\n    dir: a\n", `fsmgen.yaml:3:11: spec nope.yaml does not exist`},
		{"no dir for a dialect", "version: 1\nmachines:\n  - spec: a.yaml\n    dir: a\n", `a.yaml:\d+:\d+: dialect postgres has no migration directory: add it under migrations: dirs: in fsmgen.yaml`},
		{"format in the spec", "version: 1\nmigrations:\n  dirs: {postgres: db}\nmachines:\n  - spec: b.yaml\n    dir: a\n", `b.yaml:\d+:\d+: in a project, migration format and versions are set once for every machine`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{
				"fsmgen.yaml": c.project,
				"a.yaml":      "version: 1\nmachine: door\ninitial: a\nstates: {a: {doc: open, transitions: {go: b}}, b: {doc: shut}}\nevents: {go: {doc: move}}\nsql: {enum: door_state, table: doors, column: state, dialects: [postgres]}\n",
				"b.yaml":      "version: 1\nmachine: door\ninitial: a\nstates: {a: {doc: open, transitions: {go: b}}, b: {doc: shut}}\nevents: {go: {doc: move}}\nsql: {enum: door_state, table: doors, column: state, dialects: [postgres], format: goose}\n",
			})
			code, _, stderr := inDir(t, dir, "validate")
			if code != ExitFail || !regexp.MustCompile(`(?m)^`+c.want).MatchString(stderr) {
				t.Errorf("exit %d, stderr %q; want %q", code, stderr, c.want)
			}
		})
	}
}

// TestProjectSpecLinkLeaving: a spec inside the project that is a link to
// a file outside it is not read (its content would be echoed in errors).
func TestProjectSpecLinkLeaving(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{"fsmgen.yaml": "version: 1\nmachines:\n  - spec: a.yaml\n    dir: a\n"})
	writeTree(t, outside, map[string]string{"secret": "password: hunter2\n"})
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "a.yaml")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := inDir(t, dir, "validate")
	if code != ExitFail || !strings.Contains(stderr, `fsmgen.yaml:3:11: spec "a.yaml" is a link that leaves the project's directory`) || strings.Contains(stderr, "hunter2") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestNoProjectFile(t *testing.T) {
	code, _, stderr := inDir(t, t.TempDir(), "generate")
	if code != ExitFail || !strings.Contains(stderr, "no fsmgen.yaml in ") || !strings.Contains(stderr, "run fsmgen init") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// A renamed machine left its old package behind and check passed; a
// dropped dialect left its migrations. check fails on both; generate
// removes the old package's files and reports the migrations, which it
// never deletes.
func TestLeftoversOfARenamedMachineAndADroppedDialect(t *testing.T) {
	const specPath = "testdata/generate/minimal/spec.yaml"
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	old := filepath.Join(t.TempDir(), "spec.yaml")
	text := strings.Replace(string(b), "machine: door", "machine: gate", 1)
	text += "sql:\n  enum: gate_state\n  table: gates\n  column: state\n  dialects: [postgres, sqlite]\n"
	writeTree(t, filepath.Dir(old), map[string]string{"spec.yaml": text})
	if code, _, stderr := run(t, "generate", "-spec", old, "-out", out); code != ExitOK {
		t.Fatal(stderr)
	}
	hand := filepath.Join(out, "gate", "gate_test.go")
	if err := os.WriteFile(hand, []byte("package gate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// As generate -render svg leaves it, without fsmgen's mark.
	if err := os.WriteFile(filepath.Join(out, "gate", "gate.svg"), []byte("<svg/>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(text, "machine: gate", "machine: portal", 1)
	renamed = strings.Replace(renamed, "[postgres, sqlite]", "[postgres]", 1)
	if err := os.WriteFile(old, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "check", "-spec", old, "-out", out)
	if code != ExitFail || !strings.Contains(stdout, "--- "+filepath.ToSlash(out)+"/gate/gate.go\n+++ /dev/null") || !strings.Contains(stderr, "migrations/sqlite/gate_state.fsmgen.json is a migration history no machine of this run continues") || !strings.Contains(stderr, "it records "+filepath.ToSlash(out)+"/migrations/sqlite/00001_create_gate_state.sql.") {
		t.Fatalf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, "generate", "-spec", old, "-out", out)
	if code != ExitOK || !strings.Contains(stderr, "removed "+filepath.ToSlash(out)+"/gate/gate.go") || !strings.Contains(stderr, "migrations/sqlite/gate_state.fsmgen.json is a migration history no machine") {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	tree := readTree(t, out)
	for _, gone := range []string{"gate/gate.go", "gate/gate.dot", "gate/gate.svg", "gate/README.md"} {
		if _, ok := tree[gone]; ok {
			t.Errorf("%s is still there", gone)
		}
	}
	for _, kept := range []string{"gate/gate_test.go", "portal/portal.go", "migrations/sqlite/00001_create_gate_state.sql", "migrations/sqlite/gate_state.fsmgen.json", "migrations/postgres/00001_create_gate_state.sql"} {
		if _, ok := tree[kept]; !ok {
			t.Errorf("%s was removed", kept)
		}
	}
	// The stranded migrations keep check failing until a person decides.
	if code, _, _ := run(t, "check", "-spec", old, "-out", out); code != ExitFail {
		t.Errorf("check passes with stranded migrations")
	}

	// Adding the dialect back, after a change made without it, continues
	// its own history: its database is where the dialect was dropped.
	locked := strings.Replace(renamed, "events:\n", "  locked:\n    doc: bolted\n    transitions:\n      unlock: closed\nevents:\n  unlock:\n    doc: draw the bolt\n", 1)
	locked = strings.Replace(locked, "      open: opened\n", "      open: opened\n      lock: locked\n", 1)
	locked = strings.Replace(locked, "events:\n", "events:\n  lock:\n    doc: shoot the bolt\n", 1)
	writeTree(t, filepath.Dir(old), map[string]string{"spec.yaml": locked})
	if code, _, stderr := run(t, "generate", "-spec", old, "-out", out); code != ExitOK {
		t.Fatal(stderr)
	}
	writeTree(t, filepath.Dir(old), map[string]string{"spec.yaml": strings.Replace(locked, "[postgres]", "[postgres, sqlite]", 1)})
	if code, _, stderr := run(t, "generate", "-spec", old, "-out", out); code != ExitOK || stderr != "" {
		t.Fatalf("generate with the dialect back: exit %d, %s", code, stderr)
	}
	tree = readTree(t, out)
	for _, p := range []string{"migrations/postgres/00002_add_locked.sql", "migrations/sqlite/00002_add_locked.sql"} {
		if _, ok := tree[p]; !ok {
			t.Errorf("no %s", p)
		}
	}
	if code, stdout, stderr := run(t, "check", "-spec", old, "-out", out); code != ExitOK {
		t.Errorf("check: %s%s", stdout, stderr)
	}
}

// In a project the package directory stays when the machine is renamed:
// the old machine's files there go, the hand-written ones stay.
func TestProjectRenamedMachine(t *testing.T) {
	dir := twoMachineProject(t)
	if code, _, stderr := inDir(t, dir, "generate"); code != ExitOK {
		t.Fatal(stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "internal/order/order_extra.go"), []byte("package order\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile("fsm/order.yaml")
	if err := os.WriteFile("fsm/order.yaml", []byte(strings.Replace(string(b), "machine: order", "machine: purchase", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(t, "check"); code != ExitFail || !strings.Contains(stdout, "--- internal/order/order.go\n+++ /dev/null") {
		t.Errorf("check with the old machine's package: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "generate"); code != ExitOK || !strings.Contains(stderr, "removed internal/order/order.go") {
		t.Fatalf("generate: exit %d, %s", code, stderr)
	}
	tree := readTree(t, filepath.Join(dir, "internal/order"))
	if _, ok := tree["order.go"]; ok {
		t.Errorf("order.go is still there")
	}
	for _, p := range []string{"purchase.go", "order_extra.go"} {
		if _, ok := tree[p]; !ok {
			t.Errorf("no %s", p)
		}
	}
	// The history is the enum's: no new migration.
	if got := len(readTree(t, filepath.Join(dir, "db/postgres"))); got != 5 {
		t.Errorf("db/postgres holds %d files, want 5 (no new migration)", got)
	}
	if code, stdout, stderr := run(t, "check"); code != ExitOK {
		t.Errorf("check: %s%s", stdout, stderr)
	}
}

// A run for one spec never removes another's files: generate -spec at a
// project's root, whose output directory holds the project's packages,
// leaves them, while a renamed machine of that spec still loses its old
// package. A spec's name that could end a comment stays inside it.
func TestGenerateRemovesOnlyItsSpecsFiles(t *testing.T) {
	dir := twoMachineProject(t)
	other := "other --> a\nb.yaml"
	if err := os.WriteFile(filepath.Join(dir, other), []byte(seedSpec(t, "machine: introspection", "machine: gate", "  enum: node_state\n", "  enum: gate_state\n", "[postgres, mysql, sqlite]", "[postgres]")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := inDir(t, dir, "generate"); code != ExitOK {
		t.Fatal(stderr)
	}
	before := readTree(t, filepath.Join(dir, "internal"))
	if code, _, stderr := run(t, "generate", "-spec", other, "-out", "."); code != ExitOK {
		t.Fatal(stderr)
	}
	if diff := cmp.Diff(before, readTree(t, filepath.Join(dir, "internal"))); diff != "" {
		t.Fatalf("generate -spec %s -out . changed the project's packages:\n%s", other, diff)
	}
	md, err := os.ReadFile(filepath.Join(dir, "gate", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(md), "\n"); first != "<!-- Code generated by fsmgen from other%20-%2D%3E%20a%0Ab.yaml. DO NOT EDIT. -->" {
		t.Fatalf("README.md's first line: %q", first)
	}
	b, _ := os.ReadFile(other)
	if err := os.WriteFile(other, []byte(strings.Replace(string(b), "machine: gate", "machine: portal", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", "-spec", other, "-out", "."); code != ExitOK || !strings.Contains(stderr, "removed gate/gate.go") {
		t.Fatalf("generate after a rename: exit %d, %s", code, stderr)
	}
	if diff := cmp.Diff(before, readTree(t, filepath.Join(dir, "internal"))); diff != "" {
		t.Fatalf("the rename changed the project's packages:\n%s", diff)
	}
	if code, stdout, stderr := run(t, "check"); code != ExitOK {
		t.Errorf("check of the project: %s%s", stdout, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "version")
	if code != ExitOK || stdout != "fsmgen (devel)\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	fsmgen := func(v string) debug.Module { return debug.Module{Path: "github.com/fsmgen/fsmgen", Version: v} }
	for _, c := range []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: fsmgen("v1.2.3")}, "v1.2.3"}, // go install ...@v1.2.3
		{debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"}, Deps: []*debug.Module{{Path: "golang.org/x/mod", Version: "v0.1.0"}, ptr(fsmgen("v1.4.0"))}}, "v1.4.0"}, // go get -tool
		{debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"}, Deps: []*debug.Module{{Path: "github.com/fsmgen/fsmgen", Version: "v1.4.0", Replace: &debug.Module{Path: "../fsmgen"}}}}, "(devel)"},
	} {
		if got := versionIn(&c.info); got != c.want {
			t.Errorf("versionIn(%+v) = %q, want %q", c.info, got, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// init writes a starter that validates, generates and compiles as it is,
// and never overwrites.
func TestInit(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": "module example.com/shop\n\ngo 1.22\n"})
	if code, stdout, stderr := inDir(t, dir, "init"); code != ExitOK || !strings.Contains(stdout, "wrote fsmgen.yaml") {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, cmd := range []string{"validate", "generate", "check"} {
		if code, stdout, stderr := run(t, cmd); code != ExitOK {
			t.Fatalf("%s: %s%s", cmd, stdout, stderr)
		}
	}
	tree := readTree(t, dir)
	for _, p := range []string{"order/order.go", "order/generate.go", "migrations/00001_create_order_state.sql", "migrations/order_state.fsmgen.json"} {
		if _, ok := tree[p]; !ok {
			t.Errorf("no %s after init and generate", p)
		}
	}
	if !testing.Short() {
		cmd := exec.Command("go", "vet", "./...")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go vet in the starter module: %v\n%s", err, out)
		}
	}
	if code, _, stderr := run(t, "init"); code != ExitFail || !strings.Contains(stderr, "fsmgen.yaml already exists") {
		t.Errorf("second init: exit %d, %q", code, stderr)
	}
	if got := readTree(t, dir); len(got) != len(tree) {
		t.Errorf("a refused init changed the directory")
	}
}

// validate -spec -out sees the history in -out, as generate would.
func TestValidateSingleSpecSeesHistory(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "spec.yaml")
	out := t.TempDir()
	writeTree(t, filepath.Dir(spec), map[string]string{"spec.yaml": seedSpec(t)})
	if code, _, stderr := run(t, "generate", "-spec", spec, "-out", out); code != ExitOK {
		t.Fatal(stderr)
	}
	writeTree(t, filepath.Dir(spec), map[string]string{"spec.yaml": seedSpec(t, "  aborting:\n", "  halting:\n", ": aborting\n", ": halting\n")})
	if code, _, stderr := run(t, "validate", "-spec", spec); code != ExitOK {
		t.Errorf("validate without -out: exit %d, %s", code, stderr)
	}
	code, _, stderr := run(t, "validate", "-spec", spec, "-out", out)
	if code != ExitFail || !strings.Contains(stderr, `state "aborting" is in the migration history`) || !strings.HasPrefix(stderr, spec+":") {
		t.Errorf("validate -out: exit %d, %q", code, stderr)
	}
}

// Removing a machine from a project strands its history in the shared
// directory: check fails and generate says what to do. Deleting only the
// history retires the machine; its migrations stay in the sequence, and
// the other machine's next migration follows them.
func TestProjectRetiredMachine(t *testing.T) {
	dir := twoMachineProject(t)
	if code, _, stderr := inDir(t, dir, "generate"); code != ExitOK {
		t.Fatal(stderr)
	}
	b, _ := os.ReadFile("fsmgen.yaml")
	project := strings.Replace(string(b), "  - spec: fsm/payment.yaml\n    dir: internal/payment\n", "", 1)
	if err := os.WriteFile("fsmgen.yaml", []byte(project), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "fsmgen: db/postgres/payment_state.fsmgen.json is a migration history no machine of this run continues (its machine, or this dialect, was dropped); it records db/postgres/00003_create_payment_state.sql."
	if code, _, stderr := run(t, "check"); code != ExitFail || !strings.Contains(stderr, want) {
		t.Errorf("check: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, "generate"); code != ExitOK || !strings.Contains(stderr, want) {
		t.Errorf("generate: exit %d, %s", code, stderr)
	}
	for _, d := range []string{"postgres", "sqlite"} {
		if err := os.Remove(filepath.Join("db", d, "payment_state.fsmgen.json")); err != nil {
			t.Fatal(err)
		}
	}
	if code, stdout, stderr := run(t, "check"); code != ExitOK {
		t.Errorf("check after retiring payment: %s%s", stdout, stderr)
	}
	b, _ = os.ReadFile("fsm/order.yaml")
	if err := os.WriteFile("fsm/order.yaml", []byte(strings.NewReplacer("  aborting:\n", "  held:\n    doc: on hold\n  aborting:\n", "entry: [starting, enrolling]", "entry: [starting, enrolling, held]").Replace(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate"); code != ExitOK || stderr != "" {
		t.Fatalf("generate: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat("db/postgres/00004_add_held.sql"); err != nil {
		t.Errorf("the next migration does not follow the retired machine's: %v", err)
	}
	if _, err := os.Stat("db/postgres/00003_create_payment_state.sql"); err != nil {
		t.Errorf("the retired machine's migration is gone: %v", err)
	}
}

// A one-machine layout from before per-directory histories, moved whole
// under a project beside a second machine: the machine whose enum the old
// record names takes it over, the other starts its own history after it.
func TestProjectTakesOverALegacyLayout(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "gen"), os.DirFS("../gen/sqlmig/testdata/legacy")); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, filepath.Join(dir, "gen/migrations"))
	writeTree(t, filepath.Join(dir, "fsm"), map[string]string{
		"seed.yaml":    seedSpec(t),
		"payment.yaml": seedSpec(t, "machine: introspection", "machine: payment", "enum: node_state", "enum: payment_state", "table: nodes", "table: payments"),
	})
	config := filepath.Join(dir, "fsmgen.yaml")
	if err := os.WriteFile(config, []byte(`version: 1
migrations:
  dirs: {postgres: gen/migrations/postgres, mysql: gen/migrations/mysql, sqlite: gen/migrations/sqlite}
machines:
  - {spec: fsm/payment.yaml, dir: gen/payment}
  - {spec: fsm/seed.yaml, dir: gen/introspection}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", "-config", config); code != ExitOK {
		t.Fatal(stderr)
	}
	after := readTree(t, filepath.Join(dir, "gen/migrations"))
	for p, b := range before {
		if strings.HasSuffix(p, ".sql") && after[p] != b {
			t.Errorf("%s changed", p)
		}
	}
	if _, ok := after["fsmgen.lock"]; ok {
		t.Errorf("the legacy record is still there")
	}
	for _, p := range []string{"postgres/node_state.fsmgen.json", "sqlite/payment_state.fsmgen.json", "mysql/00003_create_payment_state.sql"} {
		if _, ok := after[p]; !ok {
			t.Errorf("no %s", p)
		}
	}
	if code, stdout, stderr := run(t, "check", "-config", config); code != ExitOK {
		t.Errorf("check: %s%s", stdout, stderr)
	}
}
