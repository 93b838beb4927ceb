package textdiff

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
)

func TestUnified(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	new := "a\nb\nC\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"
	want := `--- old
+++ new
@@ -1,6 +1,6 @@
 a
 b
-c
+C
 d
 e
 f
@@ -9,3 +9,4 @@
 i
 j
 k
+l
`
	if diff := cmp.Diff(want, Unified("old", "new", []byte(old), []byte(new))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Unified("a", "b", []byte(old), []byte(old)); got != "" {
		t.Errorf("equal inputs gave %q", got)
	}
}

func TestNewFileAndMissingNewline(t *testing.T) {
	got := Unified("/dev/null", "x", nil, []byte("one\ntwo"))
	want := "--- /dev/null\n+++ x\n@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The output must be a patch that the standard tool applies.
func TestPatchApplies(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("patch is not installed; .ci/deps installs it (Debian package patch)")
		}
		t.Skip("patch not installed (Debian package patch)")
	}
	old := strings.Repeat("same\n", 20) + "x\ny\n" + strings.Repeat("tail\n", 10) + "z\n"
	new := "head\n" + strings.Repeat("same\n", 20) + "y\nx\n" + strings.Repeat("tail\n", 10)
	dir := t.TempDir()
	writeFile(t, dir+"/f", old)
	cmd := exec.Command("patch", "-s", dir+"/f")
	cmd.Stdin = strings.NewReader(Unified("a/f", "b/f", []byte(old), []byte(new)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	if got := readFile(t, dir+"/f"); got != new {
		t.Errorf("patched file = %q, want %q", got, new)
	}
}
func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
