package cli

import (
	"go/version"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGoModAsksForNoNewerGo keeps fsmgen's go line at the oldest Go it
// needs: every module that adds fsmgen as a tool must say at least that
// version, so it must not be newer than what the dependencies themselves
// require (a patch release such as 1.26.8 was once forced on users that way).
func TestGoModAsksForNoNewerGo(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var own string
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "go "); ok {
			own = "go" + strings.TrimSpace(v)
		}
		if strings.HasPrefix(l, "toolchain ") {
			t.Errorf("go.mod has %q: a toolchain line forces that toolchain on fsmgen's developers only, and says nothing users need", l)
		}
	}
	if !version.IsValid(own) {
		t.Fatalf("go.mod has no valid go line (%q)", own)
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{if not .Main}}{{.GoVersion}}{{end}}", "all")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	need := "go1.22"
	for _, v := range strings.Fields(string(out)) {
		if version.Compare("go"+v, need) > 0 {
			need = "go" + v
		}
	}
	if version.Compare(own, need) > 0 {
		t.Errorf("go.mod says %s, but the dependencies need only %s: lower it", own, need)
	}
}
