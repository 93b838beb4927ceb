package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/gencheck"
)

// staticcheckVersion is the release .ci/deps installs into bin/; findings
// differ between releases, so the test insists on it.
const staticcheckVersion = "(0.8.2)"

// staticcheck returns the pinned staticcheck: $STATICCHECK, bin/staticcheck
// at the repository's root (where .ci/deps installs it), or one on PATH.
func staticcheck(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("STATICCHECK"), "../../bin/staticcheck"}
	if p, err := exec.LookPath("staticcheck"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := exec.Command(c, "-version").Output()
		if err == nil && strings.Contains(string(out), staticcheckVersion) {
			abs, err := filepath.Abs(c)
			if err != nil {
				t.Fatal(err)
			}
			return abs
		}
	}
	msg := "staticcheck " + staticcheckVersion + " not found; run bash .ci/deps (make test does) to install it into bin/"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestGeneratedCodePassesStaticcheck runs staticcheck with every check on
// the Go package generated for the project's spec and for every golden
// generate case, the generated test included. staticcheck skips files
// marked as generated, so the copies lose their header. The scratch module
// says go 1.22: the generated code must build with it.
func TestGeneratedCodePassesStaticcheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs staticcheck")
	}
	bin := staticcheck(t)
	header := []byte("// " + golang.Header + "\n")
	all := map[string][]byte{}
	for _, p := range validSpecs(t) {
		_, files := generated(t, p)
		name := filepath.Base(filepath.Dir(p)) // the case, or spec for the project's
		n := 0
		for path, b := range files {
			if !strings.HasSuffix(path, ".go") {
				continue
			}
			if !bytes.HasPrefix(b, header) {
				t.Fatalf("%s: %s does not start with the generated header", p, path)
			}
			all[name+"/"+path] = b[len(header):]
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no Go files generated", p)
		}
	}
	dir := gencheck.Module(t, all, func(string) bool { return true })
	cmd := exec.Command(bin, "-checks", "all", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("staticcheck -checks all on the generated packages: %v\n%s", err, out)
	}
}
