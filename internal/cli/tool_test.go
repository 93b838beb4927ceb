package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The oldest Go a user's module may declare and still pin fsmgen as a
// tool: what the README promises, and what go.mod's go line must not
// exceed, with every module its requirements bring along.
const oldestGo = "1.24"

// A user's module at go 1.24 pins fsmgen with go get -tool, and the go
// line stays where it was: no requirement of fsmgen's module (test-only
// ones included, since go get reads them all) asks for a newer Go. The
// starter then generates and vets under that go line, whose vet refuses
// standard library API newer than it. fsmgen comes from this checkout
// through a replace directive, as it would from the proxy.
func TestToolInOldestGoModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds fsmgen as a tool of a fresh module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	const unpublished = "v0.0.0-00010101000000-000000000000"
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": "module example.com/shop\n\ngo " + oldestGo + "\n\nrequire github.com/fsmgen/fsmgen " + unpublished + "\n\nreplace github.com/fsmgen/fsmgen => " + root + "\n"})
	// The proxy refuses the unpublished fsmgen module (with 403, which go
	// does not take for "no such module" as it takes 404), so an empty
	// file proxy answers last, after any error.
	proxy := strings.Split(goEnv(t, "GOPROXY"), ",")[0] + "|file://" + filepath.ToSlash(t.TempDir())
	gocmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// GOTOOLCHAIN=local: a requirement that needs a newer Go fails
		// here instead of fetching that Go.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY="+proxy)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goLine := func(after string, out string) {
		t.Helper()
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`(?m)^(go|toolchain) .*$`).FindAllString(string(mod), -1); len(m) != 1 || strings.TrimSuffix(m[0], ".0") != "go "+oldestGo {
			// A module that provides a package only to the tests of
			// gopkg.in/yaml.v3 (which has no go line, so its tests count)
			// is missing from fsmgen's go.mod: tidy drops such a line,
			// and the user's tidy then takes that module's newest version.
			t.Fatalf("%s changed the module's Go version to %q; pin the module that needs it in fsmgen's go.mod\n%s", after, m, out)
		}
	}
	goLine("go get -tool", gocmd("get", "-tool", "github.com/fsmgen/fsmgen/cmd/fsmgen@"+unpublished))
	goLine("go mod tidy", gocmd("mod", "tidy"))
	gocmd("tool", "fsmgen", "init")
	gocmd("generate", "./...")
	gocmd("vet", "./...")
	gocmd("tool", "fsmgen", "check")
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
