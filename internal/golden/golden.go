// Package golden compares test output with expected files and, under
// -update, rewrites them instead.
//
// `go test ./... -update` must work across the module, and a test binary
// rejects a flag it does not define, so every test package imports this
// one: for Check, or blank for the flag alone.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update is the -update flag: rewrite golden files with the current output.
var Update = flag.Bool("update", false, "rewrite golden files with the current output")

// Check compares got with the file at path, first rewriting the file with
// got under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
