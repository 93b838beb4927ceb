package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/spec"
	"github.com/fsmgen/fsmgen/internal/writer"
)

// TestHugeSpec feeds a spec just over the size limit (10 MB, built here
// rather than checked in): validate and generate must refuse it with one
// positioned message and create nothing.
func TestHugeSpec(t *testing.T) {
	seed, err := os.ReadFile("testdata/generate/minimal/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(seed)
	line := "# " + strings.Repeat("padding ", 12) + "\n"
	for b.Len() < 10<<20 {
		b.WriteString(line)
	}
	if b.Len() <= spec.MaxSize {
		t.Fatalf("test spec is %d bytes, not over the %d limit", b.Len(), spec.MaxSize)
	}
	dir := t.TempDir()
	specPath := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(specPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	wantLine := 1 + bytes.Count(b.Bytes()[:spec.MaxSize], []byte("\n"))
	for _, cmd := range []string{"validate", "generate"} {
		out := filepath.Join(dir, "out")
		code, stdout, stderr := run(t, cmd, "-spec", specPath, "-out", out)
		if cmd == "validate" {
			code, stdout, stderr = run(t, cmd, "-spec", specPath)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != ExitFail || stdout != "" || len(lines) != 1 {
			t.Fatalf("%s exited %d, stdout %q, stderr %q; want exit 1 and one message", cmd, code, stdout, stderr)
		}
		prefix := specPath + ":" + strconv.Itoa(wantLine) + ":"
		if !strings.HasPrefix(lines[0], prefix) || !strings.Contains(lines[0], "size limit") {
			t.Errorf("%s: %q; want a size message at %s", cmd, lines[0], prefix)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s created %s", cmd, out)
		}
	}
}

// TestCheckIgnoresLock: a lock file left by a killed generate is not
// output, so check must not call it drift.
func TestCheckIgnoresLock(t *testing.T) {
	out := t.TempDir()
	specPath := "testdata/generate/minimal/spec.yaml"
	if code, _, stderr := run(t, "generate", "-spec", specPath, "-out", out); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(out, writer.LockName)); !os.IsNotExist(err) {
		t.Fatalf("generate left its lock behind: %v", err)
	}
	if err := os.WriteFile(filepath.Join(out, writer.LockName), []byte("pid 2147483000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(t, "check", "-spec", specPath, "-out", out); code != 0 {
		t.Errorf("check with a stale lock exited %d:\n%s%s", code, stdout, stderr)
	}
}

// TestManyBrokenReferences: every undefined reference is still reported,
// but "did you mean" hints stop once their comparison budget is spent, so
// that a large broken spec costs linear, not quadratic, time.
func TestManyBrokenReferences(t *testing.T) {
	const n = 3000
	var b strings.Builder
	b.WriteString("version: 1\nmachine: big\ninitial: s0\nstates:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    doc: d\n    transitions:\n      e: t%d\n", i, i)
	}
	b.WriteString("events:\n  e:\n    doc: d\n")
	specPath := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(specPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "validate", "-spec", specPath)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != ExitFail || len(lines) != n {
		t.Fatalf("exit %d with %d messages; want 1 and %d", code, len(lines), n)
	}
	if !strings.HasSuffix(lines[0], `undefined state "t0" (did you mean "s0"?)`) {
		t.Errorf("first message has no hint: %s", lines[0])
	}
	if strings.Contains(lines[n-1], "did you mean") {
		t.Errorf("hints did not stop: %s", lines[n-1])
	}
}

// TestEndlessSpec reads a spec that never ends on standard input: reading
// stops past the size limit instead of exhausting memory.
func TestEndlessSpec(t *testing.T) {
	defer func(r io.Reader) { stdin = r }(stdin)
	stdin = endless{}
	code, _, stderr := run(t, "validate", "-spec", "-")
	if code != ExitFail || !strings.HasPrefix(stderr, "<stdin>:1:") || !strings.Contains(stderr, "size limit") {
		t.Errorf("exit %d, stderr %q; want a positioned size message", code, stderr)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// -spec - reads the spec from standard input.
func TestSpecFromStdin(t *testing.T) {
	defer func(r io.Reader) { stdin = r }(stdin)
	b, err := os.ReadFile("testdata/generate/minimal/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stdin = bytes.NewReader(b)
	out := t.TempDir()
	if code, _, stderr := run(t, "generate", "-spec", "-", "-out", out); code != ExitOK {
		t.Fatal(stderr)
	}
	if _, ok := readTree(t, out)["door/door.go"]; !ok {
		t.Errorf("no door/door.go from a spec on standard input")
	}
	stdin = strings.NewReader("version: 1\nmachine: door\nstates: {a: {}}\nevents: {}\nbogus: 1\n")
	if code, _, stderr := run(t, "validate", "-spec", "-"); code != ExitFail || !strings.HasPrefix(stderr, "<stdin>:5:1: unknown top-level key") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
