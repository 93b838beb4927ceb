package golang_test

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/gen/golang"
	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/model"
)

// The generated Transition, Can and Permitted read a static table emitted
// beside the next switch. These tests compile the generated package and hold
// every (state, event) pair, including values just outside the enums, against
// the model, so a fault in the table, the switch or the lookups fails; the
// package's own generated test holds the table against the switch.

// checkMain prints what the generated package answers for every pair, and
// flags broken invariants of illegal moves itself.
const checkMain = `package main

import (
	"errors"
	"fmt"
	"testing"

	m "fsmcheck/PKG"
)

// Results go to package variables so that the compiler cannot keep an
// allocating error on the stack and hide it from AllocsPerRun.
var (
	sinkState m.State
	sinkErr   error
	sinkOK    bool
	sinkEvs   m.EventSet
)

func main() {
	for s := m.State(0); s <= m.NumStates; s++ {
		for ev := m.Event(0); ev <= m.NumEvents; ev++ {
			to, err := m.Transition(s, ev)
			var te m.TransitionError
			switch {
			case err == nil:
				fmt.Printf("%d %d -> %d\n", s, ev, to)
			case !errors.As(err, &te) || te.From() != s || te.Event() != ev || to != s || !errors.Is(err, m.ErrInvalidTransition):
				fmt.Printf("%d %d bad error %v (to %d)\n", s, ev, err, to)
			default:
				fmt.Printf("%d %d illegal\n", s, ev)
			}
			if s.Can(ev) != (err == nil) {
				fmt.Printf("%d %d Can is %v\n", s, ev, s.Can(ev))
			}
		}
		fmt.Printf("%d permits %d\n", s, s.Permitted().Events())
	}
	allocs := testing.AllocsPerRun(10, func() {
		for s := m.State(0); s < m.NumStates; s++ {
			for ev := m.Event(0); ev < m.NumEvents; ev++ {
				sinkState, sinkErr = m.Transition(s, ev)
				sinkOK = s.Can(ev)
				sinkEvs = s.Permitted()
			}
		}
	})
	fmt.Printf("allocs %v\n", allocs)
}
`

// want is checkMain's output for a correct package, computed from the model.
func want(m *model.Machine) string {
	var b strings.Builder
	ns, ne := len(m.States), len(m.Events)
	for s := 0; s <= ns; s++ {
		var permits []string
		for ev := 0; ev <= ne; ev++ {
			var to *model.State
			if s < ns && ev < ne {
				to = m.ByOrd[s].Next(m.Events[ev])
			}
			if to != nil {
				fmt.Fprintf(&b, "%d %d -> %d\n", s, ev, to.Ord)
				permits = append(permits, fmt.Sprint(ev))
			} else {
				fmt.Fprintf(&b, "%d %d illegal\n", s, ev)
			}
		}
		fmt.Fprintf(&b, "%d permits [%s]\n", s, strings.Join(permits, " "))
	}
	b.WriteString("allocs 0\n")
	return b.String()
}

func runGenerated(t *testing.T, m *model.Machine) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to compile the generated package")
	}
	files, err := golang.Emit(m)
	if err != nil {
		t.Fatal(err)
	}
	// Some organisations forbid package unsafe (gosec G103).
	for p, b := range files {
		if strings.Contains(string(b), `"unsafe"`) {
			t.Errorf("%s imports unsafe", p)
		}
	}
	dir := t.TempDir()
	files["go.mod"] = []byte("module fsmcheck\n\ngo 1.22\n")
	files["main.go"] = []byte(strings.ReplaceAll(checkMain, "PKG", m.Package))
	for p, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goBin, "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running the generated package: %v\n%s", err, out)
	}
	// Callers' loops must not pay a call per move.
	cmd = exec.Command(goBin, "build", "-gcflags=-m", "./"+m.Package)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	inl, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("building the generated package: %v\n%s", err, inl)
	}
	for _, fn := range []string{"Transition", "State.Can"} {
		if !strings.Contains(string(inl), "can inline "+fn+"\n") {
			t.Errorf("%s does not inline:\n%s", fn, inl)
		}
	}
	return string(out)
}

func build(t *testing.T, name string, data []byte) *model.Machine {
	t.Helper()
	m, err := model.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func checkMachine(t *testing.T, m *model.Machine) {
	checkGofmt(t, m)
	got, w := runGenerated(t, m), want(m)
	if got == w {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(w, "\n")
	for i := range max(len(gl), len(wl)) {
		var g, x string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			x = wl[i]
		}
		if g != x {
			t.Fatalf("generated package disagrees with the model at output line %d:\n got: %s\nwant: %s", i+1, g, x)
		}
	}
}

func TestTransitionMatchesModelForSpec(t *testing.T) {
	data, err := os.ReadFile("../../../spec/states.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checkMachine(t, build(t, "states.yaml", data))
}

// TestTransitionMatchesModelWide covers what the introspection machine does
// not: more than 255 states (a uint16 State), machine-wide transitions with an
// override and a forbid, and a state with no moves at all; with 3 events, in
// a table written in full, and with 23 (the first state's own), in one that
// names only the legal moves (denseCells).
func TestTransitionMatchesModelWide(t *testing.T) {
	for _, extra := range []int{0, 20} {
		t.Run(fmt.Sprintf("events=%d", 3+extra), func(t *testing.T) {
			m := build(t, "wide.yaml", []byte(wideSpec(300, extra)))
			if last := m.States[len(m.States)-1]; len(last.Out) != 0 {
				t.Fatalf("test machine: last state has %d moves, want none", len(last.Out))
			}
			files, err := golang.Emit(m)
			if err != nil {
				t.Fatal(err)
			}
			for p, src := range files {
				if strings.HasSuffix(p, "wide.go") && strings.Contains(string(src), "noMove") != (extra == 0) {
					t.Fatalf("%s: the table is written in full: %v, want %v", p, extra != 0, extra == 0)
				}
			}
			checkMachine(t, m)
		})
	}
}

// wideSpec is a machine of n states and 3 + extra events, the extra ones
// leading from the first state only.
func wideSpec(n, extra int) string {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: wide\ndoc: wide machine\ninitial: s0\n")
	b.WriteString("transitions:\n  reset: s0\n")
	b.WriteString("states:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    doc: state %d\n    transitions:\n", i, i)
		switch {
		case i == n-1:
			b.WriteString("      reset: null\n")
		case i%7 == 3:
			fmt.Fprintf(&b, "      step: s%d\n      reset: s%d\n", i+1, i)
		default:
			fmt.Fprintf(&b, "      step: s%d\n", i+1)
			if i%5 == 0 {
				fmt.Fprintf(&b, "      skip: s%d\n", (i+2)%n)
			}
		}
		if i == 0 {
			for j := range extra {
				fmt.Fprintf(&b, "      x%d: s%d\n", j, j+2)
			}
		}
	}
	b.WriteString("events:\n  step:\n    doc: forward\n  reset:\n    doc: back to the start\n  skip:\n    doc: jump two\n")
	for j := range extra {
		fmt.Fprintf(&b, "  x%d:\n    doc: jump from the start\n", j)
	}
	return b.String()
}

// checkGofmt fails when gofmt would change an emitted file: next is written
// in gofmt's layout by hand rather than formatted.
func checkGofmt(t *testing.T, m *model.Machine) {
	t.Helper()
	files, err := golang.Emit(m)
	if err != nil {
		t.Fatal(err)
	}
	for p, src := range files {
		formatted, err := format.Source(src)
		if err != nil {
			t.Fatalf("%s does not parse: %v", p, err)
		}
		if !bytes.Equal(formatted, src) {
			a, b := strings.Split(string(src), "\n"), strings.Split(string(formatted), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("gofmt changes %s at line %d:\n emitted: %q\n   gofmt: %q", p, i+1, a[i], b[i])
				}
			}
			t.Fatalf("gofmt changes the length of %s", p)
		}
	}
}
