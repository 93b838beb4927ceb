package spec_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fsmgen/fsmgen/internal/diag"
	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/model"
)

// seedSpecs returns every spec the golden tests use, valid or not, so that
// fuzzing starts from inputs that reach deep into decoding and validation.
func seedSpecs(f *testing.F) [][]byte {
	f.Helper()
	paths, err := filepath.Glob("../cli/testdata/*/*/spec.yaml")
	if err != nil {
		f.Fatal(err)
	}
	paths = append(paths, "../../spec/states.yaml")
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) < 10 {
		f.Fatalf("only %d seed specs found", len(out))
	}
	return out
}

// FuzzDecodeBuild checks that any input either yields a machine or a list of
// diagnostics that all point into the file; decoding never panics.
func FuzzDecodeBuild(f *testing.F) {
	for _, b := range seedSpecs(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		_, err := model.Parse(name, data)
		if err == nil {
			return
		}
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error is not a diagnostic list: %v", err)
		}
		for _, d := range list {
			if d.Pos.File != name || d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Errorf("diagnostic without a position in the file: %q", d)
			}
			if d.Msg == "" {
				t.Errorf("empty message at %v", d.Pos)
			}
		}
	})
}
