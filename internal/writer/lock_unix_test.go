//go:build unix

package writer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockFollowsNoLink: a link in place of the lock file, to a file
// outside the project or to nothing, is refused; the target is neither
// truncated nor created.
func TestLockFollowsNoLink(t *testing.T) {
	outside := t.TempDir()
	target := filepath.Join(outside, "precious")
	if err := os.WriteFile(target, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{target, filepath.Join(outside, "created")} {
		dir := t.TempDir()
		if err := os.Symlink(to, filepath.Join(dir, LockName)); err != nil {
			t.Fatal(err)
		}
		unlock, err := Lock(dir, time.Second, func(string) {})
		if err == nil {
			unlock()
			t.Fatalf("the lock was taken through a link to %s", to)
		}
		if !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("err = %v, want it to name the link", err)
		}
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "keep me\n" {
		t.Fatalf("the link's target now holds %q (%v)", b, err)
	}
	if _, err := os.Stat(filepath.Join(outside, "created")); err == nil {
		t.Fatal("a file was created through a dangling link")
	}
}
