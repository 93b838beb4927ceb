package gen_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/model"
)

// benchSizes are the machine sizes the generator must scale over; the
// issue's target is near-linear growth up to 10k states.
var benchSizes = []int{10, 100, 1000, 10000}

const (
	synthEvents   = 100 // alphabet size, shared by every state
	synthPerState = 10  // transitions per state
)

// synthSpec returns a valid spec with n states, an alphabet of synthEvents
// events and synthPerState transitions per state. State i moves on its j-th
// event to state i+j+1 (mod n), so every state is reachable from the first;
// the events of state i are consecutive from 10*i (mod synthEvents), so
// every event is used once n*synthPerState >= synthEvents.
func synthSpec(n int) []byte {
	var b strings.Builder
	b.Grow(n * 300)
	fmt.Fprintf(&b, "version: 1\nmachine: synth\ndoc: A synthetic machine of %d states.\ninitial: s0\n", n)
	b.WriteString("tags:\n  odd:\n    doc: odd-numbered\n  even:\n    doc: even-numbered\n")
	b.WriteString("states:\n")
	events := min(synthEvents, n*synthPerState)
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    doc: state number %d\n    tags: [%s]\n    transitions:\n", i, i, [2]string{"even", "odd"}[i%2])
		for j := range min(synthPerState, events) {
			fmt.Fprintf(&b, "      e%d: s%d\n", (i*synthPerState+j)%events, (i+j+1)%n)
		}
	}
	b.WriteString("events:\n")
	for k := range events {
		fmt.Fprintf(&b, "  e%d:\n    doc: event number %d\n", k, k)
	}
	return []byte(b.String())
}

// pipeline is what `fsmgen generate` does between reading the spec and
// writing the files.
func pipeline(data []byte) (gen.Files, error) {
	m, err := model.Parse("synth.yaml", data)
	if err != nil {
		return nil, err
	}
	return gen.Generate(m, gen.Options{})
}

func TestSynthSpecIsValid(t *testing.T) {
	for _, n := range []int{1, 2, 10, 100} {
		data := synthSpec(n)
		m, err := model.Parse("synth.yaml", data)
		if err != nil {
			t.Fatalf("%d states: %v", n, err)
		}
		if len(m.States) != n {
			t.Errorf("%d states: machine has %d states", n, len(m.States))
		}
		if want := n * min(synthPerState, synthEvents, n*synthPerState); len(m.Transitions) != want {
			t.Errorf("%d states: %d transitions, want %d", n, len(m.Transitions), want)
		}
		if _, err := gen.Generate(m, gen.Options{}); err != nil {
			t.Fatalf("%d states: %v", n, err)
		}
	}
}

// BenchmarkGenerate measures parse, validate and every emitter for growing
// machines. Each 10× in states should cost at most about 12× in time.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range benchSizes {
		if n > 1000 && testing.Short() {
			continue // the smoke pass only proves the benchmark runs
		}
		data := synthSpec(n)
		b.Run(fmt.Sprintf("states=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pipeline(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// compileSalt and compileSeq make every package BenchmarkCompileGenerated
// builds new to the build cache, across ops, -count runs and processes.
var (
	compileSalt = rand.Int64()
	compileSeq  int
)

// BenchmarkCompileGenerated measures `go build` of the Go package generated
// for a 1k-state machine. Each op builds a fresh variant of the package (a
// trailing comment that never repeats defeats the build cache), while its
// standard library imports come from the cache as in everyday builds.
func BenchmarkCompileGenerated(b *testing.B) {
	if testing.Short() {
		b.Skip("compiles a large package; skipped in -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command")
	}
	const n = 1000
	files, err := pipeline(synthSpec(n))
	if err != nil {
		b.Fatal(err)
	}
	const goFile = "synth/synth.go"
	src, ok := files[goFile]
	if !ok {
		b.Fatalf("no %s among the generated files", goFile)
	}
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "synth"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module synthbuild\n\ngo 1.26\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	build := func(b *testing.B) {
		compileSeq++
		variant := fmt.Appendf(append([]byte(nil), src...), "\n// build %d %d\n", compileSalt, compileSeq)
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(goFile)), variant, 0o644); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(goBin, "build", "./synth")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	b.Run(fmt.Sprintf("states=%d", n), func(b *testing.B) {
		build(b) // warm the cache with the package's imports
		for b.Loop() {
			build(b)
		}
	})
}
