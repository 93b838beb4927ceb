//go:build unix

package cli

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe with no writer made -spec hang in open; devices never end.
// Both are refused at once.
func TestSpecThatIsNotARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "spec.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		done := make(chan string, 1)
		go func() {
			_, _, stderr := run(t, "validate", "-spec", p)
			done <- stderr
		}()
		select {
		case stderr := <-done:
			if !strings.Contains(stderr, p+" is not a regular file") {
				t.Errorf("%s: stderr %q", p, stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("validate -spec %s still runs after 10s", p)
		}
	}
}
