package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
)

var oldTree = map[string]string{
	"a.go":       "package a // old\n",
	"sub/b.go":   "package b // old\n",
	"sub/c.sql":  "-- old\n",
	"keep/k.txt": "untouched\n",
}

var newTree = map[string][]byte{
	"a.go":          []byte("package a // new, and longer than the old one\n"),
	"sub/b.go":      []byte("package b // new\n"),
	"sub/c.sql":     []byte("-- new\n"),
	"sub/deep/d.go": []byte("package d // did not exist\n"),
	"keep/k.txt":    []byte("untouched\n"),
}

func writeOld(t *testing.T, dir string) {
	t.Helper()
	for p, s := range oldTree {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// classify reports, for every output path, whether it holds the old bytes,
// the new bytes or is absent, and fails on anything else (a torn file) or
// on leftover files.
func classify(t *testing.T, dir string) (state map[string]string) {
	t.Helper()
	state = map[string]string{}
	for p, want := range newTree {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist) && oldTree[p] == "":
			state[p] = "old"
		case err != nil:
			t.Fatal(err)
		case string(b) == string(want) && string(b) == oldTree[p]:
			state[p] = "same"
		case string(b) == string(want):
			state[p] = "new"
		case string(b) == oldTree[p]:
			state[p] = "old"
		default:
			t.Errorf("%s is neither old nor new: %q", p, b)
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return err
	})
	return state
}

func count(state map[string]string, v string) int {
	n := 0
	for _, s := range state {
		if s == v {
			n++
		}
	}
	return n
}

// TestWriteInterrupted fails Write at every step in turn: each output must
// be entirely old or entirely new, with nothing new before the renames and
// exactly the renamed ones new after.
func TestWriteInterrupted(t *testing.T) {
	probe := t.TempDir()
	writeOld(t, probe)
	changes, err := Changes(probe, newTree)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 4 {
		t.Fatalf("%d changes; want 4 (k.txt is unchanged)", len(changes))
	}
	injected := errors.New("injected failure")
	type point struct {
		step string
		n    int
	}
	var points []point
	for n := 1; n <= len(changes); n++ {
		points = append(points, point{"stage", n})
	}
	for i := range changes {
		points = append(points, point{"rename", i})
	}
	for _, pt := range points {
		t.Run(fmt.Sprintf("%s:%d", pt.step, pt.n), func(t *testing.T) {
			dir := t.TempDir()
			writeOld(t, dir)
			hook = func(step string, n int) error {
				if step == pt.step && n == pt.n {
					return injected
				}
				return nil
			}
			defer func() { hook = func(string, int) error { return nil } }()
			if err := Write(dir, changes); !errors.Is(err, injected) {
				t.Fatalf("Write = %v; want the injected failure", err)
			}
			state := classify(t, dir)
			wantNew := 0
			if pt.step == "rename" {
				wantNew = pt.n
			}
			if got := count(state, "new"); got != wantNew {
				t.Errorf("%d files new, want %d: %v", got, wantNew, state)
			}
			if got := count(state, "same"); got != 1 {
				t.Errorf("unchanged file touched: %v", state)
			}
		})
	}
	dir := t.TempDir()
	writeOld(t, dir)
	if err := Write(dir, changes); err != nil {
		t.Fatal(err)
	}
	if state := classify(t, dir); count(state, "new") != 4 {
		t.Errorf("after an uninterrupted Write: %v", state)
	}
}

// TestWriteRemovesLeftovers shows that temporary files from a killed run
// do not survive the next one.
func TestWriteRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	writeOld(t, dir)
	leftover := filepath.Join(dir, "sub", ".b.go.tmp123456")
	if err := os.WriteFile(leftover, []byte("package b // torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	changes, err := Changes(dir, newTree)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, changes); err != nil {
		t.Fatal(err)
	}
	classify(t, dir)
}

// TestPathsStayInside feeds paths that would leave the output directory to
// Changes and Write: both refuse, and nothing appears outside.
func TestPathsStayInside(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	for _, p := range []string{"../escape.go", "..", "a/../../escape.go", "/etc/escape.go", "", ".", "./a.go", "a//b.go", `a\..\..\escape.go`, "a/./b.go", "C:/escape.go"} {
		t.Run(p, func(t *testing.T) {
			files := map[string][]byte{p: []byte("x"), "ok.go": []byte("y")}
			if _, err := Changes(dir, files); err == nil || !strings.Contains(err.Error(), "escapes") {
				t.Errorf("Changes(%q) = %v; want an escape error", p, err)
			}
			if err := Write(dir, []Change{{Path: "ok.go", New: []byte("y")}, {Path: p, New: []byte("x")}}); err == nil {
				t.Errorf("Write(%q) succeeded", p)
			}
		})
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.Name() != "out" {
			t.Errorf("%s written outside the output directory", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ok.go")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write wrote ok.go although another path was refused")
	}
}

func TestLockExcludes(t *testing.T) {
	dir := t.TempDir()
	var notes []string
	note := func(s string) { notes = append(notes, s) }
	unlock, err := Lock(dir, time.Second, note)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir, 100*time.Millisecond, note); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second Lock = %v; want a timeout naming this process", err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "waiting") {
		t.Errorf("notes %q; want one about waiting", notes)
	}
	unlock()
	if _, err := os.Stat(filepath.Join(dir, LockName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file still there after unlock: %v", err)
	}
	got := make(chan error)
	unlock, err = Lock(dir, time.Second, note)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		u, err := Lock(dir, time.Minute, func(string) {})
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("Lock returned %v while the lock was held", err)
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock = %v after release", err)
	}
}

// TestLockStale leaves a lock file as a killed run would (contents, but no
// flock): the next Lock takes it over at once and says so.
func TestLockStale(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LockName), []byte("pid 2147483000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var notes []string
	unlock, err := Lock(dir, time.Millisecond, func(s string) { notes = append(notes, s) })
	if err != nil {
		t.Fatalf("Lock on a stale file = %v", err)
	}
	defer unlock()
	if len(notes) != 1 || !strings.Contains(notes[0], "taking over") || !strings.Contains(notes[0], "pid 2147483000") {
		t.Errorf("notes %q; want one about taking over from pid 2147483000", notes)
	}
}

// TestNoWritesThroughLinks: a directory inside the output that links
// elsewhere must not receive generated files.
func TestNoWritesThroughLinks(t *testing.T) {
	parent := t.TempDir()
	dir, elsewhere := filepath.Join(parent, "out"), filepath.Join(parent, "elsewhere")
	for _, d := range []string{dir, elsewhere} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "sub")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	_, err := Changes(dir, map[string][]byte{"sub/x.go": []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Changes through a link = %v; want a refusal", err)
	}
	if err := Write(dir, []Change{{Path: "sub/x.go", New: []byte("x")}}); err == nil {
		t.Errorf("Write through a link succeeded")
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("wrote %s through the link", entries[0].Name())
	}
}

// A nil file asks for a removal: a change only when the file exists,
// shown against /dev/null, and done after every new file is in place.
func TestRemovals(t *testing.T) {
	dir := t.TempDir()
	writeOld(t, dir)
	changes, err := Changes(dir, map[string][]byte{"sub/c.sql": nil, "gone.go": nil, "a.go": newTree["a.go"]})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Path != "a.go" || changes[1].Path != "sub/c.sql" || changes[1].New != nil {
		t.Fatalf("changes = %+v; want a.go and the removal of sub/c.sql", changes)
	}
	if d := Diff(dir, changes[1:]); !strings.Contains(d, "+++ /dev/null") || !strings.Contains(d, "--- "+filepath.ToSlash(dir)+"/sub/c.sql") {
		t.Errorf("diff of a removal:\n%s", d)
	}
	if err := Write(dir, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub/c.sql")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sub/c.sql: %v; want it removed", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.go")); string(b) != string(newTree["a.go"]) {
		t.Errorf("a.go = %q", b)
	}
}
