package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsmgen/fsmgen/internal/writer"
)

// buildFsmgen builds the real binary; pauseAt, when set, links in the
// writer's stop point so that the process can be killed mid-write.
func buildFsmgen(t *testing.T, pauseAt string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fsmgen")
	args := []string{"build", "-o", bin}
	if pauseAt != "" {
		args = append(args, "-ldflags", "-X github.com/fsmgen/fsmgen/internal/writer.pauseAt="+pauseAt)
	}
	cmd := exec.Command("go", append(args, "../../cmd/fsmgen")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// twoVersions returns an output directory holding the old generation of the
// door machine and a spec for a new one that changes every output file.
func twoVersions(t *testing.T) (out, newSpec string, oldFiles, newFiles map[string]string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "out")
	oldSpec := "testdata/generate/minimal/spec.yaml"
	if code, _, stderr := run(t, "generate", "-spec", oldSpec, "-out", out); code != 0 {
		t.Fatal(stderr)
	}
	oldFiles = readTree(t, out)
	b, err := os.ReadFile(oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	newSpec = filepath.Join(dir, "new.yaml")
	b = bytes.ReplaceAll(b, []byte("the door is open"), []byte("the door is wide open"))
	if err := os.WriteFile(newSpec, b, 0o644); err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(dir, "probe")
	if code, _, stderr := run(t, "generate", "-spec", newSpec, "-out", probe); code != 0 {
		t.Fatal(stderr)
	}
	newFiles = readTree(t, probe)
	for p := range newFiles {
		// The generated package's test depends on nothing but its name.
		if newFiles[p] == oldFiles[p] && !strings.HasSuffix(p, "_tables_test.go") {
			t.Fatalf("%s is the same in both versions", p)
		}
	}
	return out, newSpec, oldFiles, newFiles
}

// outputsWhole fails unless every generated file under out is byte for byte
// the old or the new version, and returns how many are new. Temporary files
// of a killed run are allowed: they are hidden and cleared by the next run.
func outputsWhole(t *testing.T, out string, oldFiles, newFiles map[string]string) (nNew int) {
	t.Helper()
	for p, s := range readTree(t, out) {
		base := filepath.Base(p)
		switch {
		case base == writer.LockName || strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp"):
		case s == newFiles[p] && s != oldFiles[p]:
			nNew++
		case s != oldFiles[p]:
			t.Errorf("%s is neither the old nor the new version", p)
		}
	}
	return nNew
}

// startPaused starts bin generate and waits until it has stopped mid-write.
func startPaused(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil || !strings.Contains(line, "paused at") {
		t.Fatalf("fsmgen did not pause: %q, %v", line, err)
	}
	return cmd
}

// TestKillDuringGenerate kills a real fsmgen generate mid-write, once
// before any rename and once after the first: every output is entirely old
// or entirely new, and the next run, taking over the dead run's lock, makes
// all of them new.
func TestKillDuringGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildFsmgen(t, "")
	for _, tc := range []struct {
		pauseAt string
		nNew    int // files already renamed into place at the pause
	}{{"stage:1", 0}, {"rename:1", 1}} {
		t.Run(tc.pauseAt, func(t *testing.T) {
			paused := buildFsmgen(t, tc.pauseAt)
			out, newSpec, oldFiles, newFiles := twoVersions(t)
			if len(newFiles) < 2 {
				t.Fatalf("the machine generates %d file(s); a kill between renames needs two", len(newFiles))
			}

			cmd := startPaused(t, paused, "generate", "-spec", newSpec, "-out", out)
			cmd.Process.Kill()
			cmd.Wait()
			if n := outputsWhole(t, out, oldFiles, newFiles); n != tc.nNew {
				t.Errorf("%d files new after a kill at %s, want %d", n, tc.pauseAt, tc.nNew)
			}
			if _, err := os.Stat(filepath.Join(out, writer.LockName)); err != nil {
				t.Fatalf("the killed run left no lock file to take over: %v", err)
			}

			res, err := exec.Command(bin, "generate", "-spec", newSpec, "-out", out).CombinedOutput()
			if err != nil || !strings.Contains(string(res), "taking over") {
				t.Fatalf("generate after the kill: %v\n%s", err, res)
			}
			if diff := diffTrees(newFiles, readTree(t, out)); diff != "" {
				t.Errorf("after a clean run the output is not the new version (lock and temporary files must be gone too):\n%s", diff)
			}
		})
	}
}

// TestConcurrentGenerate starts one run that stops mid-write and holds the
// lock, then another: the second waits instead of interleaving, proceeds
// once the first dies, and the result is one whole generation.
func TestConcurrentGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	paused := buildFsmgen(t, "stage:1")
	bin := buildFsmgen(t, "")
	out, newSpec, oldFiles, newFiles := twoVersions(t)

	first := startPaused(t, paused, "generate", "-spec", newSpec, "-out", out)
	second := exec.Command(bin, "generate", "-spec", newSpec, "-out", out)
	var secondErr bytes.Buffer
	second.Stderr = &secondErr
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("second generate finished (%v) while the first held the lock:\n%s", err, secondErr.String())
	case <-time.After(time.Second):
	}
	if n := outputsWhole(t, out, oldFiles, newFiles); n != 0 {
		t.Errorf("the waiting run wrote %d files", n)
	}
	first.Process.Kill()
	first.Wait()
	if err := <-done; err != nil {
		t.Fatalf("second generate: %v\n%s", err, secondErr.String())
	}
	if !strings.Contains(secondErr.String(), "waiting for another fsmgen generate") {
		t.Errorf("second run did not say it waited:\n%s", secondErr.String())
	}
	if diff := diffTrees(newFiles, readTree(t, out)); diff != "" {
		t.Errorf("output after both runs:\n%s", diff)
	}

	// Several unhindered runs at once all succeed and agree.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := exec.Command(bin, "generate", "-spec", newSpec, "-out", out).CombinedOutput(); err != nil {
				errs[i] = &exec.ExitError{Stderr: res}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent generate failed: %s", err.(*exec.ExitError).Stderr)
		}
	}
	if diff := diffTrees(newFiles, readTree(t, out)); diff != "" {
		t.Errorf("output after concurrent runs:\n%s", diff)
	}
}

func diffTrees(want, got map[string]string) string {
	var b strings.Builder
	for p := range got {
		if _, ok := want[p]; !ok {
			b.WriteString("unexpected " + p + "\n")
		}
	}
	for p, s := range want {
		if got[p] != s {
			b.WriteString("wrong or missing " + p + "\n")
		}
	}
	return b.String()
}
