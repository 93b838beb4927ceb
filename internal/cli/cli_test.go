package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/gencheck"
	"github.com/fsmgen/fsmgen/internal/golden"
	"github.com/fsmgen/fsmgen/internal/model"
)

// run invokes the CLI in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// readTree returns every file under dir keyed by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for p, s := range files {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func cases(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	return out
}

// TestGenerateGolden generates each valid spec under testdata/generate into
// a fresh directory, or into a copy of the case's before/ tree (migrations
// an earlier spec left), and compares every file with the case's want/
// tree. Running generate a second time must change nothing, and check must
// pass.
func TestGenerateGolden(t *testing.T) {
	for _, name := range cases(t, "testdata/generate") {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata/generate", name)
			out := t.TempDir()
			writeTree(t, out, readTree(t, filepath.Join(dir, "before")))
			specPath := filepath.Join(dir, "spec.yaml")
			if code, _, stderr := run(t, "generate", "-spec", specPath, "-out", out); code != 0 {
				t.Fatalf("generate exited %d:\n%s", code, stderr)
			}
			got := readTree(t, out)
			wantDir := filepath.Join(dir, "want")
			if *golden.Update {
				writeTree(t, wantDir, got)
			}
			if diff := cmp.Diff(readTree(t, wantDir), got); diff != "" {
				t.Errorf("generated files differ from %s (-want +got):\n%s", wantDir, diff)
			}
			if code, stdout, stderr := run(t, "check", "-spec", specPath, "-out", out); code != 0 {
				t.Errorf("check after generate exited %d:\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// TestValidateGolden runs every invalid spec under testdata/validate through
// validate and generate: both must fail with the expected positioned
// messages, and generate must not create anything.
func TestValidateGolden(t *testing.T) {
	for _, name := range cases(t, "testdata/validate") {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata/validate", name)
			specPath := filepath.Join(dir, "spec.yaml")
			code, stdout, stderr := run(t, "validate", "-spec", specPath)
			golden.Check(t, filepath.Join(dir, "stderr.golden"), []byte(stderr))
			if code != ExitFail || stdout != "" {
				t.Errorf("validate exited %d with stdout %q; want exit %d and no stdout", code, stdout, ExitFail)
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(line, specPath+":") {
					t.Errorf("message without the spec's position: %q", line)
				}
			}

			out := filepath.Join(t.TempDir(), "out")
			code, _, genErr := run(t, "generate", "-spec", specPath, "-out", out)
			if code != ExitFail || genErr != stderr {
				t.Errorf("generate exited %d with stderr %q; want exit 1 and the validate messages", code, genErr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("generate created %s for an invalid spec", out)
			}
		})
	}
}

// validSpecs lists the project's spec and every golden generate case's.
func validSpecs(t *testing.T) []string {
	t.Helper()
	specs := []string{"../../spec/states.yaml"}
	for _, name := range cases(t, "testdata/generate") {
		specs = append(specs, filepath.Join("testdata/generate", name, "spec.yaml"))
	}
	return specs
}

// generated loads the spec at p and runs every emitter on it.
func generated(t *testing.T, p string) (*model.Machine, gen.Files) {
	t.Helper()
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(m, gen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m, files
}

// TestGeneratedCodeRuns compiles the Go output of every valid spec, the
// project's own included, and runs a table test derived from the model.
func TestGeneratedCodeRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles generated code")
	}
	for _, p := range validSpecs(t) {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			m, files := generated(t, p)
			gencheck.CompileAndRun(t, m, files)
		})
	}
}

func TestCheckReportsDriftAndWritesNothing(t *testing.T) {
	const specPath = "testdata/generate/minimal/spec.yaml"
	out := t.TempDir()
	if code, _, stderr := run(t, "generate", "-spec", specPath, "-out", out); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	goFile := filepath.Join(out, "door", "door.go")
	edited := strings.Replace(readTree(t, out)["door/door.go"], `StateClosed: "closed"`, `StateClosed: "shut"`, 1)
	if err := os.WriteFile(goFile, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "check", "-spec", specPath, "-out", out)
	if code != ExitFail {
		t.Fatalf("check exited %d on a stale file", code)
	}
	for _, want := range []string{"--- " + filepath.ToSlash(out) + "/door/door.go", `-	StateClosed: "shut",`, `+	StateClosed: "closed",`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "1 generated file(s)") {
		t.Errorf("check stderr = %q", stderr)
	}
	if got := readTree(t, out)["door/door.go"]; got != edited {
		t.Error("check modified the output")
	}

	// A removed file is drift too, reported against /dev/null.
	if err := os.Remove(goFile); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := run(t, "check", "-spec", specPath, "-out", out); code != ExitFail || !strings.Contains(stdout, "--- /dev/null") {
		t.Errorf("check on a missing file exited %d:\n%s", code, stdout)
	}
}

func TestGenerateTouchesOnlyChangedFiles(t *testing.T) {
	const specPath = "testdata/generate/minimal/spec.yaml"
	out := t.TempDir()
	if code, _, stderr := run(t, "generate", "-spec", specPath, "-out", out); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	goFile := filepath.Join(out, "door", "door.go")
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(goFile, old, old); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", "-spec", specPath, "-out", out); code != 0 {
		t.Fatalf("second generate: %s", stderr)
	}
	st, err := os.Stat(goFile)
	if err != nil {
		t.Fatal(err)
	}
	if !st.ModTime().Equal(old) {
		t.Errorf("an unchanged file was rewritten (mtime %v, want %v)", st.ModTime(), old)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "door"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		wantStdout bool
		errSubstr  string
	}{
		{nil, ExitUsage, false, "Usage:"},
		{[]string{"-h"}, ExitOK, true, ""},
		{[]string{"generate", "-h"}, ExitOK, true, ""},
		{[]string{"frobnicate"}, ExitUsage, false, `unknown command "frobnicate"`},
		{[]string{"check", "-nope"}, ExitUsage, false, "flag provided but not defined: -nope"},
		{[]string{"validate", "extra"}, ExitUsage, false, `unexpected argument "extra"`},
		{[]string{"validate", "-out", "x"}, ExitUsage, false, "-out"},
		{[]string{"validate", "-spec", "testdata/missing.yaml"}, ExitFail, false, "testdata/missing.yaml: no such file"},
		{[]string{"validate", "-spec", "../../spec/states.yaml"}, ExitOK, false, ""},
	} {
		code, stdout, stderr := run(t, tc.args...)
		if code != tc.code || (stdout != "") != tc.wantStdout || !strings.Contains(stderr, tc.errSubstr) {
			t.Errorf("fsmgen %v: exit %d, stdout %d bytes, stderr %q", tc.args, code, len(stdout), stderr)
		}
		if tc.code == ExitOK && tc.errSubstr == "" && stderr != "" {
			t.Errorf("fsmgen %v: unexpected stderr %q", tc.args, stderr)
		}
	}
}

// TestSpecTextStaysInert writes the output of every valid spec into a module
// and runs the go command on it: doc lines such as "//go:generate ..." or
// "// +build ignore" (testdata/generate/hazard_*) must stay comments.
func TestSpecTextStaysInert(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	for _, p := range validSpecs(t) {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			_, files := generated(t, p)
			gencheck.Inert(t, files)
		})
	}
}

// TestGenerateSummary: generate says in one line what it did.
func TestGenerateSummary(t *testing.T) {
	out := t.TempDir()
	spec := "testdata/generate/store/spec.yaml"
	code, stdout, stderr := run(t, "generate", "-spec", spec, "-out", out)
	if code != ExitOK || !strings.HasPrefix(stdout, "fsmgen: 1 machine(s), ") || !strings.Contains(stdout, " file(s) written, 0 unchanged; new migration(s): ") || !strings.Contains(stdout, filepath.ToSlash(out)+"/migrations/postgres/00001_create_door_state.sql") || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("first generate: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := run(t, "generate", "-spec", spec, "-out", out); code != ExitOK || !strings.HasSuffix(stdout, " file(s), nothing changed\n") {
		t.Fatalf("second generate: exit %d, %q", code, stdout)
	}
}
