package gen_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/fsmgen/fsmgen/internal/cli"
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
// for a 1k-state and a 10k-state machine (100 events). Each op builds a
// fresh variant of the package (a trailing comment that never repeats
// defeats the build cache), while its standard library imports come from
// the cache as in everyday builds. peak-MB is the largest resident set of
// the build's processes, the compiler's. Targets for 10k states: ≤ 10 s
// and ≤ 1 GB.
func BenchmarkCompileGenerated(b *testing.B) {
	if testing.Short() {
		b.Skip("compiles a large package; skipped in -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command")
	}
	for _, n := range []int{1000, 10000} {
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
		var peak int64
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
			// wait4 reports the largest resident set of the command and
			// the processes it waited for (KiB on Linux).
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				peak = max(peak, ru.Maxrss)
			}
		}
		b.Run(fmt.Sprintf("states=%d", n), func(b *testing.B) {
			build(b) // warm the cache with the package's imports
			for b.Loop() {
				build(b)
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
		})
	}
}

// startupStates is the size of the machine BenchmarkStartup imports: the
// largest the generator is benchmarked on.
const startupStates = 10000

// startupProg is one program BenchmarkStartup starts.
type startupProg struct {
	name, bin   string
	size, initB int64
}

// startupProgs are built once per process, since compiling the 10k-state
// package takes minutes on a small machine and -count reruns the benchmark;
// TestMain removes startupDir.
var (
	startupDir   string
	startupProgs []startupProg
)

func TestMain(m *testing.M) {
	code := m.Run()
	if startupDir != "" {
		os.RemoveAll(startupDir)
	}
	os.Exit(code)
}

// BenchmarkStartup measures what importing a big generated package costs
// every process that links it: one op starts a program and waits for it.
// prog=empty does nothing; prog=machine imports the package generated for a
// 10k-state, 100-event machine and makes one move. The target is machine
// within 1.3x of empty, with no init work: the transition table is static
// data. Each sub-benchmark reports the binary's size (binary-B) and the heap
// the package's init allocates (init-B, from GODEBUG=inittrace=1), and the
// benchmark fails unless Transition inlines.
func BenchmarkStartup(b *testing.B) {
	if testing.Short() {
		b.Skip("compiles a 10k-state package; skipped in -short")
	}
	if startupProgs == nil {
		buildStartup(b)
	}
	for _, p := range startupProgs {
		b.Run("prog="+p.name, func(b *testing.B) {
			for b.Loop() {
				if out, err := exec.Command(p.bin).CombinedOutput(); err != nil {
					b.Fatalf("%s: %v\n%s", p.name, err, out)
				}
			}
			b.ReportMetric(float64(p.size), "binary-B")
			b.ReportMetric(float64(p.initB), "init-B")
		})
	}
}

func buildStartup(b *testing.B) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command")
	}
	files, err := pipeline(synthSpec(startupStates))
	if err != nil {
		b.Fatal(err)
	}
	if startupDir, err = os.MkdirTemp("", "fsmgen-startup-"); err != nil {
		b.Fatal(err)
	}
	dir := startupDir
	write := func(p string, data []byte) {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("go.mod", []byte("module startup\n\ngo 1.22\n"))
	write("synth/synth.go", files["synth/synth.go"])
	write("empty/main.go", []byte("package main\n\nfunc main() {}\n"))
	write("machine/main.go", []byte(`package main

import (
	"os"

	"startup/synth"
)

func main() {
	if to, _ := synth.Transition(synth.State(len(os.Args)), 0); to >= synth.NumStates {
		os.Exit(1)
	}
}
`))
	gocmd := func(args ...string) string {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := gocmd("build", "-gcflags=-m", "./synth"); !strings.Contains(out, "can inline Transition\n") {
		b.Fatalf("Transition does not inline in the %d-state package", startupStates)
	}
	var progs []startupProg
	for _, name := range []string{"empty", "machine"} {
		p := startupProg{name: name, bin: filepath.Join(dir, name+".bin")}
		gocmd("build", "-o", p.bin, "./"+name)
		st, err := os.Stat(p.bin)
		if err != nil {
			b.Fatal(err)
		}
		p.size, p.initB = st.Size(), initHeap(b, p.bin, "startup/synth")
		progs = append(progs, p)
	}
	startupProgs = progs
}

// initHeap runs bin with GODEBUG=inittrace=1 and returns the bytes that the
// init of package pkg allocates: 0 when the runtime reports no init for it.
func initHeap(b *testing.B, bin, pkg string) int64 {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", bin, err, out)
	}
	// init startup/synth @0.52 ms, 29 ms clock, 6643712 bytes, 3 allocs
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 9 && f[0] == "init" && f[1] == pkg {
			n, err := strconv.ParseInt(f[7], 10, 64)
			if err != nil {
				b.Fatalf("cannot read %q: %v", line, err)
			}
			return n
		}
	}
	return 0
}

// BenchmarkHistorySize grows an enforced machine with a history table
// one state at a time, from 2 states to 202, and reports the bytes of the
// 201 migrations each dialect then holds (the target: 2 MB). -short makes
// it 20 changes.
func BenchmarkHistorySize(b *testing.B) {
	changes := 200
	if testing.Short() {
		changes = 20
	}
	for range b.N {
		dir := b.TempDir()
		spec, out := filepath.Join(dir, "chain.yaml"), filepath.Join(dir, "out")
		for n := 2; n <= changes+2; n++ {
			if err := os.WriteFile(spec, chainSpec(n), 0o644); err != nil {
				b.Fatal(err)
			}
			var stderr strings.Builder
			if code := cli.Run([]string{"generate", "-spec", spec, "-out", out}, io.Discard, &stderr); code != cli.ExitOK {
				b.Fatalf("%d states: generate: %s", n, stderr.String())
			}
		}
		for _, d := range []string{"postgres", "mysql", "sqlite"} {
			files, err := filepath.Glob(filepath.Join(out, "migrations", d, "*.sql"))
			if err != nil || len(files) != changes+1 {
				b.Fatalf("%s: %d migrations (%v), want %d", d, len(files), err, changes+1)
			}
			var size int64
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil {
					b.Fatal(err)
				}
				size += fi.Size()
			}
			b.ReportMetric(float64(size)/1e6, d+"-MB")
		}
	}
}

// chainSpec is a machine of n states in a chain, s0 -> s1 -> ..., each
// move its own event, stored with enforced transitions and a history.
func chainSpec(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: chain\ninitial: s0\nstates:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    doc: state %d\n", i, i)
		if i+1 < n {
			fmt.Fprintf(&b, "    transitions:\n      go%d: s%d\n", i, i+1)
		}
	}
	b.WriteString("events:\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "  go%d:\n    doc: event %d\n", i, i)
	}
	b.WriteString("sql:\n  enum: chain_state\n  table: things\n  column: state\n  key: id\n  history: things_history\n  enforce: transitions\n  dialects: [postgres, mysql, sqlite]\n")
	return []byte(b.String())
}
