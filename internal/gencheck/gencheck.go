// Package gencheck compiles a generated Go package in a scratch module and
// runs a test that compares every (state, event) pair with the model. Tests
// use it to prove that generated code works, not only that it looks right.
package gencheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/model"
)

// CompileAndRun writes files (as returned by gen.Generate) into a scratch
// module, adds a table test derived from m, and runs go vet and go test.
func CompileAndRun(t testing.TB, m *model.Machine, files map[string][]byte) {
	t.Helper()
	dir := Module(t, files, func(p string) bool { return strings.HasSuffix(p, ".go") })
	write(t, dir, m.Package+"/zz_table_test.go", []byte(TableTest(m)))
	Go(t, dir, "vet", "./...")
	Go(t, dir, "test", "-count=1", "./...")
}

// Module writes the files that keep accepts into a new scratch module
// (go 1.22, no dependencies) and returns its directory.
func Module(t testing.TB, files map[string][]byte, keep func(path string) bool) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "go.mod", []byte("module scratch\n\ngo 1.22\n"))
	imports := false
	for p, b := range files {
		if keep(p) {
			write(t, dir, p, b)
			imports = imports || bytes.Contains(b, []byte(`"github.com/jackc/pgx/v5"`))
		}
	}
	// A PgxStore's file needs pgx: the version this test was built with,
	// which the module records before any test looks at its files.
	if imports {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			t.Fatal(err)
		}
		// fsmgen's go.sum vouches for pgx and what it needs: no lookup.
		sum, err := os.ReadFile(filepath.Join(filepath.Dir(strings.TrimSpace(string(gomod))), "go.sum"))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, "go.sum", sum)
		Go(t, dir, "mod", "edit", "-require", "github.com/jackc/pgx/v5@"+moduleVersion(t, "github.com/jackc/pgx/v5"))
		Go(t, dir, "mod", "tidy")
	}
	return dir
}

// moduleVersion is the version of module path that fsmgen's own module
// requires (the tests run inside it).
func moduleVersion(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", path).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

func write(t testing.TB, dir, p string, b []byte) {
	t.Helper()
	dst := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Go runs the go command in dir, outside any workspace, and returns its
// standard output; it fails the test when the command fails.
func Go(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s in the generated module failed: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out
}

// TableTest returns a Go test file for the generated package that checks
// Transition, Can, Permitted, String and Parse for every pair against m,
// and that every state and event round-trips through its text and
// database/sql encodings while aliases and former names only parse.
func TableTest(m *model.Machine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"encoding/json\"\n\t\"errors\"\n\t\"fmt\"\n\t\"testing\"\n)\n\n", m.Package)
	b.WriteString("var want = map[[2]string]string{\n")
	for _, s := range m.States {
		for _, e := range m.Events {
			next := ""
			if to := s.Next(e); to != nil {
				next = to.Value
			}
			fmt.Fprintf(&b, "\t{%q, %q}: %q,\n", s.Value, e.Value, next)
		}
	}
	b.WriteString("}\n\n")
	b.WriteString("var stateValues = []string{")
	for _, s := range m.States {
		fmt.Fprintf(&b, "%q, ", s.Value)
	}
	b.WriteString("}\n\nvar eventValues = []string{")
	for _, e := range m.Events {
		fmt.Fprintf(&b, "%q, ", e.Value)
	}
	b.WriteString("}\n\n// stateAlso and eventAlso map the spellings that only parse to the\n// index they parse to.\nvar stateAlso = map[string]int{\n")
	for _, s := range m.States {
		for _, sp := range s.Spellings()[1:] {
			fmt.Fprintf(&b, "\t%q: %d,\n", sp, s.Index)
		}
	}
	b.WriteString("}\n\nvar eventAlso = map[string]int{\n")
	for _, e := range m.Events {
		for _, sp := range e.Spellings()[1:] {
			fmt.Fprintf(&b, "\t%q: %d,\n", sp, e.Index)
		}
	}
	b.WriteString("}\n\n")
	b.WriteString(roundTripTest)
	fmt.Fprintf(&b, "const wantStates, wantEvents = %d, %d\n\n", len(m.States), len(m.Events))
	b.WriteString("var wantFinal = []string{")
	for i, s := range m.Finals {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s.Value)
	}
	b.WriteString("}\n\n")
	b.WriteString(`func TestEveryPair(t *testing.T) {
	if len(States()) != wantStates || len(Events()) != wantEvents {
		t.Fatalf("%d states, %d events; want %d, %d", len(States()), len(Events()), wantStates, wantEvents)
	}
	seen := 0
	for _, s := range States() {
		if p, err := ParseState(s.String()); err != nil || p != s {
			t.Errorf("ParseState(%q) = %v, %v", s, p, err)
		}
		var permitted []Event
		for _, e := range Events() {
			if p, err := ParseEvent(e.String()); err != nil || p != e {
				t.Errorf("ParseEvent(%q) = %v, %v", e, p, err)
			}
			w, ok := want[[2]string{s.String(), e.String()}]
			if !ok {
				t.Fatalf("pair (%v, %v) is not in the spec", s, e)
			}
			seen++
			next, err := Transition(s, e)
			got := ""
			if err == nil {
				got = next.String()
				permitted = append(permitted, e)
			} else if next != s || !errors.Is(err, ErrInvalidTransition) {
				t.Errorf("Transition(%v, %v) = %v, %v: want the state unchanged and ErrInvalidTransition", s, e, next, err)
			}
			if got != w {
				t.Errorf("Transition(%v, %v) -> %q, want %q", s, e, got, w)
			}
			if s.Can(e) != (w != "") {
				t.Errorf("%v.Can(%v) = %v", s, e, s.Can(e))
			}
		}
		if p := s.Permitted().Events(); len(p) != len(permitted) {
			t.Errorf("%v.Permitted() = %v, want %v", s, p, permitted)
		} else {
			for i := range p {
				if p[i] != permitted[i] {
					t.Errorf("%v.Permitted() = %v, want %v", s, p, permitted)
					break
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("checked %d pairs, the spec has %d", seen, len(want))
	}
}

// TestFinalStates: FinalStates lists, in spec order, exactly the states
// IsFinal reports, which are the spec's, and no event leaves them.
func TestFinalStates(t *testing.T) {
	var listed, reported []string
	for _, s := range FinalStates() {
		listed = append(listed, s.String())
	}
	for _, s := range States() {
		if !s.IsFinal() {
			continue
		}
		reported = append(reported, s.String())
		if p := s.Permitted(); p.Len() != 0 {
			t.Errorf("final state %v permits %v", s, p)
		}
	}
	if fmt.Sprint(listed) != fmt.Sprint(wantFinal) || fmt.Sprint(reported) != fmt.Sprint(wantFinal) {
		t.Errorf("FinalStates() = %v, IsFinal holds for %v; want %v", listed, reported, wantFinal)
	}
}
`)
	return b.String()
}

// roundTripTest checks every encoding of both enums against stateValues,
// eventValues, stateAlso and eventAlso.
const roundTripTest = `func TestStateEncodings(t *testing.T) {
	for i, s := range States() {
		v := stateValues[i]
		if s.String() != v {
			t.Errorf("State %d: String() = %q, want %q", i, s.String(), v)
		}
		if b, err := s.MarshalText(); err != nil || string(b) != v {
			t.Errorf("%q: MarshalText() = %q, %v", v, b, err)
		}
		if dv, err := s.Value(); err != nil || dv != v {
			t.Errorf("%q: Value() = %v, %v", v, dv, err)
		}
		var back struct{ S State }
		if b, err := json.Marshal(struct{ S State }{s}); err != nil {
			t.Errorf("%q: json.Marshal: %v", v, err)
		} else if err := json.Unmarshal(b, &back); err != nil || back.S != s {
			t.Errorf("%q: JSON %s reads back as %v, %v", v, b, back.S, err)
		}
		checkParseState(t, v, s)
	}
	for text, i := range stateAlso {
		checkParseState(t, text, States()[i])
	}
	for _, bad := range []string{"", "\x00", "no such state at all"} {
		if _, err := ParseState(bad); err == nil {
			t.Errorf("ParseState(%q) succeeded", bad)
		}
	}
}

func checkParseState(t *testing.T, text string, want State) {
	t.Helper()
	if p, err := ParseState(text); err != nil || p != want {
		t.Errorf("ParseState(%q) = %v, %v; want %v", text, p, err, want)
	}
	var u, sc, sb State
	if err := u.UnmarshalText([]byte(text)); err != nil || u != want {
		t.Errorf("UnmarshalText(%q) = %v, %v", text, u, err)
	}
	if err := sc.Scan(text); err != nil || sc != want {
		t.Errorf("Scan(%q) = %v, %v", text, sc, err)
	}
	if err := sb.Scan([]byte(text)); err != nil || sb != want {
		t.Errorf("Scan([]byte(%q)) = %v, %v", text, sb, err)
	}
}

func TestEventEncodings(t *testing.T) {
	for i, e := range Events() {
		v := eventValues[i]
		if e.String() != v {
			t.Errorf("Event %d: String() = %q, want %q", i, e.String(), v)
		}
		if b, err := e.MarshalText(); err != nil || string(b) != v {
			t.Errorf("%q: MarshalText() = %q, %v", v, b, err)
		}
		if dv, err := e.Value(); err != nil || dv != v {
			t.Errorf("%q: Value() = %v, %v", v, dv, err)
		}
		checkParseEvent(t, v, e)
	}
	for text, i := range eventAlso {
		checkParseEvent(t, text, Events()[i])
	}
}

func checkParseEvent(t *testing.T, text string, want Event) {
	t.Helper()
	if p, err := ParseEvent(text); err != nil || p != want {
		t.Errorf("ParseEvent(%q) = %v, %v; want %v", text, p, err, want)
	}
	var u, sc Event
	if err := u.UnmarshalText([]byte(text)); err != nil || u != want {
		t.Errorf("UnmarshalText(%q) = %v, %v", text, u, err)
	}
	if err := sc.Scan(text); err != nil || sc != want {
		t.Errorf("Scan(%q) = %v, %v", text, sc, err)
	}
}

`
